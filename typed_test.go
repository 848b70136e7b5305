package cookiesession_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/cookiesession/cookiesession"
)

type cart struct {
	Items []string `json:"items"`
	Total int64    `json:"total"`
}

// loaded returns a session read from a cookie that asgi-sessions could have
// written: compact JSON in base64.
func loaded(t *testing.T, values string) *cookiesession.Session {
	t.Helper()
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		t.Fatal(err)
	}
	var v cookiesession.Values
	if err := json.Unmarshal([]byte(values), &v); err != nil {
		t.Fatal(err)
	}
	token, err := m.Codec().Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	return m.Load(context.Background(), token)
}

func TestGetTyped(t *testing.T) {
	s := loaded(t, `{"user":"tom","uid":9007199254740993,"ratio":0.5,"admin":false,`+
		`"cart":{"items":["a","b"],"total":12},"tags":["x","y"],"nothing":null,"big":1e400}`)

	if v, err := cookiesession.Get[string](s, "user"); err != nil || v != "tom" {
		t.Errorf("string: %q, %v", v, err)
	}
	if v, err := cookiesession.Get[int64](s, "uid"); err != nil || v != 9007199254740993 {
		t.Errorf("int64 beyond 2^53: %d, %v", v, err)
	}
	if v, err := cookiesession.Get[float64](s, "ratio"); err != nil || v != 0.5 {
		t.Errorf("float64: %v, %v", v, err)
	}
	if v, err := cookiesession.Get[bool](s, "admin"); err != nil || v {
		t.Errorf("bool: %v, %v", v, err)
	}
	if v, err := cookiesession.Get[cart](s, "cart"); err != nil || len(v.Items) != 2 || v.Items[1] != "b" || v.Total != 12 {
		t.Errorf("struct: %+v, %v", v, err)
	}
	if v, err := cookiesession.Get[*cart](s, "cart"); err != nil || v == nil || v.Total != 12 {
		t.Errorf("pointer to struct: %+v, %v", v, err)
	}
	if v, err := cookiesession.Get[[]string](s, "tags"); err != nil || len(v) != 2 || v[0] != "x" {
		t.Errorf("slice: %v, %v", v, err)
	}
	if v, err := cookiesession.Get[map[string]any](s, "cart"); err != nil || v["total"] != json.Number("12") {
		t.Errorf("map: numbers should stay json.Number: %#v, %v", v, err)
	}
	if v, err := cookiesession.Get[any](s, "uid"); err != nil || v != json.Number("9007199254740993") {
		t.Errorf("any: %#v, %v", v, err)
	}
	if v, err := cookiesession.Get[json.RawMessage](s, "cart"); err != nil || string(v) != `{"items":["a","b"],"total":12}` {
		t.Errorf("raw: %s, %v", v, err)
	}
	if v, err := cookiesession.Get[*string](s, "nothing"); err != nil || v != nil {
		t.Errorf("null into a pointer: %v, %v", v, err)
	}

	// Values that do not fit the type: an error, and the zero value.
	var typeErr *json.UnmarshalTypeError
	if v, err := cookiesession.Get[int](s, "user"); !errors.As(err, &typeErr) || v != 0 {
		t.Errorf("string into int: %v, %v", v, err)
	}
	if v, err := cookiesession.Get[int](s, "ratio"); err == nil || v != 0 {
		t.Errorf("0.5 into int: %v, %v", v, err)
	}
	if v, err := cookiesession.Get[int8](s, "uid"); err == nil || v != 0 {
		t.Errorf("overflow into int8: %v, %v", v, err)
	}
	if v, err := cookiesession.Get[float64](s, "big"); err == nil || v != 0 {
		t.Errorf("1e400 into float64: %v, %v", v, err)
	}
	if v, err := cookiesession.Get[cart](s, "tags"); err == nil || v.Items != nil {
		t.Errorf("array into struct: %+v, %v", v, err)
	}

	// A missing key.
	v, err := cookiesession.Get[string](s, "missing")
	if !errors.Is(err, cookiesession.ErrNoValue) || v != "" {
		t.Errorf("missing: %q, %v", v, err)
	}
	if err.Error() != `cookiesession: no value for key "missing"` {
		t.Errorf("message %q", err)
	}
}

func TestGetOr(t *testing.T) {
	s := loaded(t, `{"theme":"dark","visits":"many"}`)
	if got := cookiesession.GetOr(s, "theme", "light"); got != "dark" {
		t.Errorf("present: %q", got)
	}
	if got := cookiesession.GetOr(s, "lang", "en"); got != "en" {
		t.Errorf("missing: %q", got)
	}
	if got := cookiesession.GetOr(s, "visits", 7); got != 7 {
		t.Errorf("not an int: %d", got)
	}
}

// What Set stores, Get reads back as the same type, and reading changes
// nothing.
func TestSetThenGetRoundTrip(t *testing.T) {
	s := loaded(t, `{}`)
	in := cart{Items: []string{"ü", "<b>"}, Total: 1 << 60}
	if err := s.Set("cart", in); err != nil {
		t.Fatal(err)
	}
	if !s.Changed() {
		t.Fatal("Set made no change")
	}
	out, err := cookiesession.Get[cart](s, "cart")
	if err != nil || len(out.Items) != 2 || out.Items[0] != "ü" || out.Items[1] != "<b>" || out.Total != 1<<60 {
		t.Errorf("%+v, %v", out, err)
	}
	// Mutating the result does not reach the session.
	out.Items[0] = "changed"
	again, _ := cookiesession.Get[cart](s, "cart")
	if again.Items[0] != "ü" {
		t.Errorf("session changed through a result: %+v", again)
	}
}
