package flasktag

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous/pyjson"
)

// taggedVector returns the values of the vector that holds Flask's tagged
// types (written by Flask 3.1.3 itself).
func taggedVector(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "flask-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Valid []struct{ Values map[string]json.RawMessage }
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	for _, v := range f.Valid {
		if _, ok := v.Values["pair"]; ok {
			return v.Values
		}
	}
	t.Fatal("no vector with tagged values")
	return nil
}

func same(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if ok, err := pyjson.Equal(got, []byte(want)); err != nil || !ok {
		t.Errorf("%s: got %s, want %s (%v)", what, got, want, err)
	}
}

func TestUntagVector(t *testing.T) {
	vals := taggedVector(t)
	want := map[string]string{
		"pair":     `[1,"two"]`,
		"raw":      `"AP9ieXRlcw=="`,
		"when":     `"2026-11-27T08:30:00Z"`,
		"id":       `"f6c46637-d4fe-8ca7-f254-002928554bd2"`,
		"odd":      `{" t":"not a tuple"}`,
		"_flashes": `[["message","Saved"],["error","Bad NON"]]`,
	}
	for k, w := range want {
		got, err := Untag(vals[k])
		if err != nil {
			t.Errorf("%s: %v", k, err)
			continue
		}
		same(t, k, got, w)
	}
	// The documented Go values.
	var when time.Time
	if b, _ := Untag(vals["when"]); json.Unmarshal(b, &when) != nil || !when.Equal(time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC)) {
		t.Errorf("when: %v", when)
	}
	var raw []byte
	if b, _ := Untag(vals["raw"]); json.Unmarshal(b, &raw) != nil || string(raw) != "\x00\xffbytes" {
		t.Errorf("raw: %q", raw)
	}
	var id UUID
	if b, _ := Untag(vals["id"]); json.Unmarshal(b, &id) != nil || id.String() != "f6c46637-d4fe-8ca7-f254-002928554bd2" {
		t.Errorf("id: %v", id)
	}
	var pair Tuple
	if b, _ := Untag(vals["pair"]); json.Unmarshal(b, &pair) != nil || len(pair) != 2 || pair[1] != "two" {
		t.Errorf("pair: %v", pair)
	}
}

// TestTagVector: the Go values Untag gives, set again through Tag, are
// written exactly as Flask wrote the Python values.
func TestTagVector(t *testing.T) {
	vals := taggedVector(t)
	id, _ := ParseUUID("f6c46637d4fe8ca7f254002928554bd2")
	for k, v := range map[string]any{
		"pair":     Tuple{1, "two"},
		"raw":      []byte("\x00\xffbytes"),
		"when":     time.Date(2026, 11, 27, 9, 30, 0, 999, time.FixedZone("CET", 3600)),
		"id":       id,
		"odd":      map[string]string{" t": "not a tuple"},
		"_flashes": []Tuple{{"message", "Saved"}, {"error", "Bad NON"}},
	} {
		got, err := Tag(v)
		if err != nil {
			t.Errorf("%s: %v", k, err)
			continue
		}
		same(t, k, got, string(vals[k]))
	}
}

func TestUntagTable(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`1`, `1`},
		{`9007199254740993`, `9007199254740993`},
		{`{"a":{" t":[{" b":"AA=="}]}}`, `{"a":["AA=="]}`},
		{`{" t":[{" t":[1]}]}`, `[[1]]`},
		{`{" di":{" t__":{" t":[1,2]}}}`, `{" t":[1,2]}`},
		{`{" di":{" di__":{" x":1}}}`, `{" di":{" x":1}}`},
		{`{" x":1}`, `{" x":1}`},                             // unknown tag: untouched
		{`{" x":{" b":"AA=="}}`, `{" x":"AA=="}`},            // its value is converted
		{`{" t":[1]," b":"AA=="}`, `{" t":[1]," b":"AA=="}`}, // two keys: no tag
		{`{" m":"<b>x</b>"}`, `"<b>x</b>"`},                  // Markup
		{`{" d":"Thu, 01 Jan 1970 00:00:00 GMT"}`, `"1970-01-01T00:00:00Z"`},
		{`{" d":"Fri, 27 Nov 2026 09:30:00 +0100"}`, `"2026-11-27T08:30:00Z"`},
		{`{" d":"not a date"}`, `null`}, // werkzeug's parse_date gives None
		{`{" d":5}`, `null`},
		{`{" u":"{F6C46637-D4FE-8CA7-F254-002928554BD2}"}`, `"f6c46637-d4fe-8ca7-f254-002928554bd2"`},
		{`{" u":"urn:uuid:f6c46637-d4fe-8ca7-f254-002928554bd2"}`, `"f6c46637-d4fe-8ca7-f254-002928554bd2"`},
		{`[{" t":["message","hi"]}]`, `[["message","hi"]]`},
	} {
		got, err := Untag(json.RawMessage(c.in))
		if err != nil {
			t.Errorf("Untag(%s): %v", c.in, err)
			continue
		}
		same(t, c.in, got, c.want)
	}
	for _, in := range []string{
		`{" b":"not base64!"}`, `{" b":5}`, `{" u":"f6c4"}`, `{" u":"zzc46637d4fe8ca7f254002928554bd2"}`,
		`{" t":"abc"}`, `{" di":[1]}`, `{" di":{"a__":1,"b__":2}}`, `{"a":{" u":1}}`, `{`, `1 2`,
	} {
		if got, err := Untag(json.RawMessage(in)); !errors.Is(err, format.ErrMalformed) {
			t.Errorf("Untag(%s) = %s, %v; want ErrMalformed", in, got, err)
		}
	}
}

type point struct {
	X int    `json:"x"`
	N string `json:"name,omitempty"`
}

func TestTagTable(t *testing.T) {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	u, _ := ParseUUID("00112233445566778899aabbccddeeff")
	var nilTime *time.Time
	for _, c := range []struct {
		in   any
		want string
	}{
		{nil, `null`},
		{"tom", `"tom"`},
		{"<&>", `"<&>"`},
		{json.Number("9007199254740993"), `9007199254740993`},
		{int64(-5), `-5`},
		{true, `true`},
		{ts, `{" d":"Fri, 02 Jan 2026 03:04:05 GMT"}`},
		{&ts, `{" d":"Fri, 02 Jan 2026 03:04:05 GMT"}`},
		{nilTime, `null`},
		{[]byte{}, `{" b":""}`},
		{u, `{" u":"00112233445566778899aabbccddeeff"}`},
		{Markup("<b>x</b>"), `{" m":"<b>x</b>"}`},
		{Tuple{}, `{" t":[]}`},
		{Tuple{ts, Tuple{1}}, `{" t":[{" d":"Fri, 02 Jan 2026 03:04:05 GMT"},{" t":[1]}]}`},
		{[]any{1, "a", nil}, `[1,"a",null]`},
		{map[string]any{"when": ts, "b": []byte("hi")}, `{"b":{" b":"aGk="},"when":{" d":"Fri, 02 Jan 2026 03:04:05 GMT"}}`},
		{map[string]int{" u": 1}, `{" di":{" u__":1}}`},
		{map[string]int{" m": 1}, `{" di":{" m__":1}}`},
		{map[string]int{" b": 1}, `{" di":{" b__":1}}`},
		{map[string]int{" d": 1}, `{" di":{" d__":1}}`},
		{map[string]int{" t": 1}, `{" di":{" t__":1}}`},
		{map[string]any{" di": map[string]int{" t": 2}}, `{" di":{" di__":{" di":{" t__":2}}}}`},
		{map[string]int{" x": 1}, `{" x":1}`},
		{map[string]int{" t": 1, "a": 2}, `{" t":1,"a":2}`},
		{json.RawMessage(`{" b":"AA=="}`), `{" di":{" b__":"AA=="}}`},
		{json.RawMessage(`[{"a":1}]`), `[{"a":1}]`},
		{point{X: 1}, `{"x":1}`},
		{[]point{{X: 1, N: "n"}}, `[{"name":"n","x":1}]`},
		{map[int]string{1: "a"}, `{"1":"a"}`},
		{[2]int{1, 2}, `[1,2]`},
	} {
		got, err := Tag(c.in)
		if err != nil {
			t.Errorf("Tag(%#v): %v", c.in, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("Tag(%#v) = %s, want %s", c.in, got, c.want)
		}
	}
	if _, err := Tag(map[string]any{"c": make(chan int)}); err == nil {
		t.Error("Tag(chan): no error")
	}
}

// TestRoundTrip: Untag(Tag(v)) decodes back to v for every documented type.
func TestRoundTrip(t *testing.T) {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	u, _ := ParseUUID("00112233445566778899aabbccddeeff")
	type all struct {
		When  time.Time `json:"when"`
		Bytes []byte    `json:"bytes"`
		ID    UUID      `json:"id"`
		Pair  Tuple     `json:"pair"`
		M     string    `json:"m"`
	}
	in := map[string]any{"when": ts, "bytes": []byte{0, 1, 255}, "id": u, "pair": Tuple{"a", json.Number("2")}, "m": Markup("<i>")}
	tagged, err := Tag(in)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Untag(tagged)
	if err != nil {
		t.Fatal(err)
	}
	var out all
	if err := json.Unmarshal(plain, &out); err != nil {
		t.Fatalf("%s: %v", plain, err)
	}
	if !out.When.Equal(ts) || string(out.Bytes) != "\x00\x01\xff" || out.ID != u || len(out.Pair) != 2 || out.M != "<i>" {
		t.Errorf("round trip: %+v from %s", out, plain)
	}
}

func TestSessionWrap(t *testing.T) {
	for _, c := range []struct{ in, wrapped string }{
		{`{"a":1}`, `{"a":1}`},
		{`{" t":[1]}`, `{" di":{" t__":[1]}}`},
		{`{" di":{" x":1}}`, `{" di":{" di__":{" x":1}}}`},
		{`{" t":1,"a":2}`, `{" t":1,"a":2}`},
		{`{}`, `{}`},
	} {
		w, err := WrapSession([]byte(c.in))
		if err != nil || string(w) != c.wrapped {
			t.Errorf("WrapSession(%s) = %s, %v; want %s", c.in, w, err, c.wrapped)
			continue
		}
		u, err := UnwrapSession(w)
		if err != nil {
			t.Errorf("UnwrapSession(%s): %v", w, err)
			continue
		}
		same(t, "unwrap "+string(w), u, c.in)
	}
	for _, in := range []string{`[1]`, `null`, `{" t":[1]}`, `{" di":{"a__":1,"b__":2}}`, `{" di":3}`} {
		if got, err := UnwrapSession([]byte(in)); !errors.Is(err, format.ErrMalformed) {
			t.Errorf("UnwrapSession(%s) = %s, %v; want ErrMalformed", in, got, err)
		}
	}
}
