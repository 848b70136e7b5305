package cookiesession

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The member scanner must find, in every valid object, exactly the members
// splitObject finds: the same values for the same keys (the last one when
// a key is given twice), and say which keys are not plain.

// scanSamples are objects that test the scanner's edges, besides
// objectSamples: strings holding the characters that end a member or a
// value, nesting, escapes and invalid UTF-8 in keys, repeated keys.
var scanSamples = []string{
	`{"a":"}","b":",","c":"\"","d":"\\","e":"\\\"}\\"}`,
	`{"o":{"exp":1,"user":"z","_cs_id":5},"arr":[{"_flashes":1},"]}",[[]]],"s":"}\",{\\","user":"tom"}`,
	` { "o" : { "a" : [ 1 , { "b" : "}]" } ] } , "x" : -0.5e+3 } `,
	`{"a":1,"b":{"a":2},"a":3}`,
	`{"a":1,"a":{"x":[1,2]},"a":"last"}`,
	`{"\u0065xp":1,"exp":2}`,
	`{"_cs_\u0069d":"x","plain":true}`,
	`{"a\"b":1,"a\\b":2,"a\/b":3}`,
	"{\"\xff\":1,\"a\xfe\":2,\"ok\":3}",
	`{"é":"é","😀":"😀","\u00e9":1}`,
	`{"":0,"":1}`,
	`{"n":null,"t":true,"f":false,"z":0,"neg":-1,"big":9007199254740993}`,
}

// scanCorpus returns every valid JSON object the tests have at hand:
// objectSamples, scanSamples, each object (at any depth) in the interop
// vectors of testdata/interop, and the values of the fuzz corpus.
func scanCorpus(t *testing.T) [][]byte {
	t.Helper()
	var out [][]byte
	for _, s := range append(append([]string(nil), objectSamples...), scanSamples...) {
		out = append(out, []byte(s))
	}
	files, err := filepath.Glob("testdata/interop/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no interop vectors: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out = collectObjects(out, data)
	}
	corpus, _ := filepath.Glob("testdata/fuzz/*/*")
	for _, name := range corpus {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			lit, ok := strings.CutPrefix(line, "[]byte(")
			if !ok {
				continue
			}
			v, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
			if err != nil || !json.Valid([]byte(v)) {
				continue
			}
			out = append(out, []byte(`{"v":`+v+`}`))
			out = collectObjects(out, []byte(v))
		}
	}
	return out
}

// collectObjects appends to out every JSON object in data, data included,
// as written (strings holding JSON objects count too).
func collectObjects(out [][]byte, data []byte) [][]byte {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return out
	}
	switch data[0] {
	case '{':
		var m map[string]json.RawMessage
		if json.Unmarshal(data, &m) != nil {
			return out
		}
		out = append(out, data)
		for _, v := range m {
			out = collectObjects(out, v)
		}
	case '[':
		var a []json.RawMessage
		if json.Unmarshal(data, &a) != nil {
			return out
		}
		for _, v := range a {
			out = collectObjects(out, v)
		}
	case '"':
		var s string
		if json.Unmarshal(data, &s) == nil && strings.HasPrefix(strings.TrimSpace(s), "{") {
			out = collectObjects(out, []byte(s))
		}
	}
	return out
}

// checkScanner holds the scanner to splitObject on one valid object.
func checkScanner(t *testing.T, object []byte) {
	t.Helper()
	want := splitObject(object)
	got := Values{}
	allPlain := true
	sc := newMemberScanner(object)
	for {
		k, v, plain, more := sc.next()
		if !more {
			break
		}
		if wantPlain := !bytes.Contains(k, []byte{'\\'}) && utf8.Valid(k); plain != wantPlain {
			t.Errorf("%q: key %q: plain %v, want %v", object, k, plain, wantPlain)
		}
		allPlain = allPlain && plain
		key := unquote(append(append([]byte{'"'}, k...), '"'))
		if plain && key != string(k) {
			t.Errorf("%q: plain key %q unquotes to %q", object, k, key)
		}
		got[key] = v
	}
	if len(got) != len(want) {
		t.Fatalf("%q: scanned %d keys, split %d", object, len(got), len(want))
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || !bytes.Equal(g, w) || cap(g) != len(g) {
			t.Errorf("%q: key %q: scanned %q (cap %d), split %q", object, k, g, cap(g), w)
		}
		if allPlain {
			if g, ok := lookupMember(object, k); !ok || !bytes.Equal(g, w) {
				t.Errorf("%q: lookupMember(%q) = %q, %v; want %q", object, k, g, ok, w)
			}
		}
	}
	if _, ok := lookupMember(object, "no such key"); ok {
		t.Errorf("%q: lookupMember found a key that is not there", object)
	}
}

func TestMemberScannerMatchesSplitObject(t *testing.T) {
	objects := scanCorpus(t)
	if len(objects) < 100 {
		t.Fatalf("only %d objects to check", len(objects))
	}
	for _, object := range objects {
		trimmed, err := validObject(object)
		if err != nil {
			t.Fatalf("%q: %v", object, err)
		}
		checkScanner(t, trimmed)
	}
}

func FuzzMemberScanner(f *testing.F) {
	for _, s := range append(append([]string(nil), objectSamples...), scanSamples...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		object, err := validObject(data)
		if err != nil {
			return
		}
		checkScanner(t, object)
	})
}

func TestLookupMemberKeepsTheLastValue(t *testing.T) {
	for _, tc := range []struct{ object, key, want string }{
		{`{"a":1,"b":{"a":2},"a":3}`, "a", "3"},
		{`{"a":1,"a":{"x":[1,2]},"a":"last"}`, "a", `"last"`},
		{`{"a":[1,{"a":9}],"a":{"a":8}}`, "a", `{"a":8}`},
		{`{"":0,"":1}`, "", "1"},
	} {
		got, ok := lookupMember([]byte(tc.object), tc.key)
		if !ok || string(got) != tc.want {
			t.Errorf("%s: lookupMember(%q) = %s, %v; want %s", tc.object, tc.key, got, ok, tc.want)
		}
	}
}

// A key with an escape, or invalid UTF-8, makes scanMembers give up, so
// that the object is split with splitObject's unquoting; "\u0065xp" is
// "exp", and must not be read as another key.
func TestScanMembersRefusesKeysThatAreNotPlain(t *testing.T) {
	m, err := New(Config{Type: JWT, SecretKey: strings.Repeat("k", 32)})
	if err != nil {
		t.Fatal(err)
	}
	for _, object := range []string{
		`{"\u0065xp":1}`,
		`{"a":1,"_cs_\u0069d":"x"}`,
		`{"a\"b":1}`,
		"{\"a\":1,\"\xff\":2}",
	} {
		var members objectMembers
		if plain := m.scanMembers([]byte(object), &members); plain {
			t.Errorf("%s: scanMembers says every key is plain", object)
		}
	}
	var members objectMembers
	plain := m.scanMembers([]byte(`{"exp":1,"exp":2,"nbf":3,"iat":4,"jti":"a","_cs_id":"b","_cs_created":5,"_flashes":[],"user":"u","é":1,"o":{"exp":9}}`), &members)
	if !plain {
		t.Fatal("plain keys said not plain")
	}
	for name, tc := range map[string]struct {
		got  rawMember
		want string
	}{
		"exp": {members.exp, "2"}, "nbf": {members.nbf, "3"}, "iat": {members.reserved.iat, "4"},
		"jti": {members.reserved.id, `"a"`}, "_cs_created": {members.reserved.created, "5"},
		"_flashes": {members.reserved.flashes, "[]"},
	} {
		if !tc.got.ok || string(tc.got.raw) != tc.want {
			t.Errorf("%s: got %s, %v; want %s", name, tc.got.raw, tc.got.ok, tc.want)
		}
	}
	if members.user.ok {
		t.Error("the revocation user was collected without Config.Revocation")
	}
}

// kindOf hides exactly the keys the eager path removes: the reserved keys
// (creation time, id, flashes; jwt's "iat"), and in jwt sessions the claims
// "exp" and "nbf".
func TestKindOfMatchesReservedKeys(t *testing.T) {
	names := []string{"exp", "nbf", "iat", "jti", "_cs_id", "_cs_created", "_flashes", "user", "", "Exp", "_cs_id ", "_flashes\x00", "jtI"}
	for _, typ := range []Type{Base64, JWT, Fernet, Starlette, Flask, Django, IronSession, CookieSession} {
		m := &Manager{cfg: Config{Type: typ}}
		for _, k := range names {
			created, id := reservedKeysOf(typ)
			want := k == created || k == id || k == flashKey || typ == JWT && (k == "iat" || k == "exp" || k == "nbf")
			if got := m.hidden(k); got != want {
				t.Errorf("%s: hidden(%q) = %v, want %v", typ, k, got, want)
			}
			if got := kindOf(m, []byte(k)) != visibleMember; got != want {
				t.Errorf("%s: kindOf([]byte(%q)) hides: %v, want %v", typ, k, got, want)
			}
		}
	}
}

// valuesOf builds what splitObject builds, less the hidden keys, for every
// object whose keys are all plain.
func TestValuesOfMatchesSplitObject(t *testing.T) {
	objects := append(scanCorpus(t),
		[]byte(`{"exp":1,"nbf":2,"iat":3,"jti":"a","_cs_id":"b","_cs_created":4,"_flashes":[],"user":"u","exp":5}`))
	checked := 0
	for _, typ := range []Type{Base64, JWT, Fernet} {
		m := &Manager{cfg: Config{Type: typ}}
		for _, object := range objects {
			object, err := validObject(object)
			if err != nil {
				t.Fatal(err)
			}
			var members objectMembers
			if !m.scanMembers(object, &members) {
				continue
			}
			want := splitObject(object)
			for k := range want {
				if m.hidden(k) {
					delete(want, k)
				}
			}
			got := m.valuesOf(object)
			if len(got) != len(want) {
				t.Errorf("%s: %q: valuesOf has %d keys, want %d", typ, object, len(got), len(want))
			}
			for k, w := range want {
				if g, ok := got[k]; !ok || !bytes.Equal(g, w) || cap(g) != len(g) {
					t.Errorf("%s: %q: key %q: %q, want %q", typ, object, k, g, w)
				}
			}
			checked++
		}
	}
	if checked < 100 {
		t.Errorf("only %d objects checked", checked)
	}
}
