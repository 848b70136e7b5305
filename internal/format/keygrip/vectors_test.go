package keygrip

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

// vector is one entry of testdata/cookie-session-vectors.json: cookies set
// by cookie-session 2.1.1 (keygrip 1.1.0) in Express 4 on a Node server.
type vector struct {
	Secret     []string          `json:"secret"` // keygrip's key list, first current
	CookieName string            `json:"cookie_name"`
	Cookies    map[string]string `json:"cookies"`
	Values     json.RawMessage   `json:"values"`
	Why        string            `json:"why"`
}

func loadVectors(t testing.TB) (valid, invalid []vector) {
	t.Helper()
	data, err := os.ReadFile("testdata/cookie-session-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Valid   []vector `json:"valid"`
		Invalid []vector `json:"invalid"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Valid) == 0 || len(file.Invalid) == 0 {
		t.Fatal("no vectors")
	}
	return file.Valid, file.Invalid
}

// logical joins the vector's two cookies as the cookie layer does; a
// missing signature cookie gives the value alone.
func (v vector) logical() string {
	value := v.Cookies[v.CookieName]
	sig, ok := v.Cookies[v.CookieName+SignatureSuffix]
	if !ok {
		return value
	}
	return Join(value, sig)
}

func sameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	for _, p := range []struct {
		in  []byte
		out *any
	}{{a, &x}, {b, &y}} {
		d := json.NewDecoder(strings.NewReader(string(p.in)))
		d.UseNumber()
		if err := d.Decode(p.out); err != nil {
			t.Fatalf("decoding %s: %v", p.in, err)
		}
	}
	return reflect.DeepEqual(x, y)
}

func TestVectorsValid(t *testing.T) {
	valid, _ := loadVectors(t)
	rotated := 0
	for i, v := range valid {
		f, err := New(v.CookieName, v.Secret)
		if err != nil {
			t.Fatal(err)
		}
		object, meta, err := f.Open(v.logical())
		if err != nil {
			t.Errorf("valid[%d]: Open: %v", i, err)
			continue
		}
		if !sameJSON(t, object, v.Values) {
			t.Errorf("valid[%d]: Open = %s, want %s", i, object, v.Values)
		}
		if meta.Written != (time.Time{}) || meta.Expires != (time.Time{}) {
			t.Errorf("valid[%d]: Meta %+v; the format carries no time", i, meta)
		}
		wantKey := 0
		if strings.Contains(v.Why, "older key") {
			wantKey = 1
			rotated++
		}
		if meta.Key != wantKey {
			t.Errorf("valid[%d] (%s): Meta.Key = %d, want %d", i, v.Why, meta.Key, wantKey)
		}
		// Seal reproduces the cookies byte for byte given the same values
		// in the same order (a JavaScript object keeps its insertion
		// order; this module writes keys sorted, which cookie-session
		// reads as it reads any order). The HTML escapes of
		// encoding/json are undone by the re-spelling.
		var compact bytes.Buffer
		if err := json.Compact(&compact, v.Values); err != nil {
			t.Fatal(err)
		}
		escaped := bytes.ReplaceAll(compact.Bytes(), []byte("<"), []byte(`\u003c`))
		signer, err := New(v.CookieName, v.Secret[meta.Key:])
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := signer.Seal(escaped, time.Now(), time.Time{})
		if err != nil {
			t.Fatalf("valid[%d]: Seal: %v", i, err)
		}
		if want := v.logical(); sealed != want {
			t.Errorf("valid[%d]: Seal(%s)\n = %s\nwant %s (what cookie-session set)", i, escaped, sealed, want)
		}
	}
	if rotated == 0 {
		t.Error("no rotated vector was tested")
	}
}

func TestVectorsInvalid(t *testing.T) {
	_, invalid := loadVectors(t)
	wantErr := map[string]error{
		"value swapped, old signature": format.ErrSignature,
		"signature cookie missing":     format.ErrSignature,
		"signature tampered":           format.ErrSignature,
		"garbage":                      format.ErrSignature, // "%%%" under another value's signature
	}
	for i, v := range invalid {
		f, err := New(v.CookieName, v.Secret)
		if err != nil {
			t.Fatal(err)
		}
		want, ok := wantErr[v.Why]
		if !ok {
			t.Fatalf("invalid[%d]: no expected error for %q", i, v.Why)
		}
		object, _, err := f.Open(v.logical())
		if !errors.Is(err, want) || object != nil {
			t.Errorf("invalid[%d] (%s): Open = %q, %v; want %v", i, v.Why, object, err, want)
		}
	}
}

// A signature cookie taken from another key list, or from another cookie
// name, is refused.
func TestVectorsForeignSignature(t *testing.T) {
	valid, _ := loadVectors(t)
	a, b := valid[0], valid[5] // one key; two other keys: the same values
	if a.Cookies["session"] != b.Cookies["session"] || a.Secret[0] == b.Secret[0] {
		t.Fatal("vectors 0 and 5 should hold the same value under different keys")
	}
	f, err := New("session", a.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Open(Join(a.Cookies["session"], b.Cookies["session.sig"])); !errors.Is(err, format.ErrSignature) {
		t.Errorf(".sig from another key: %v, want ErrSignature", err)
	}
	other, err := New("other", a.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := other.Open(a.logical()); !errors.Is(err, format.ErrSignature) {
		t.Errorf("cookie of name session read as name other: %v, want ErrSignature", err)
	}
}
