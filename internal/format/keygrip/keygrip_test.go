package keygrip

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

func mustNew(t testing.TB, name string, keys ...string) *Format {
	t.Helper()
	f, err := New(name, keys)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// keygripSign is keygrip's sign(), written from its source: HMAC-SHA1,
// base64, then "/" → "_", "+" → "-", "=" dropped.
func keygripSign(key, data string) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(data))
	s := base64.StdEncoding.EncodeToString(m.Sum(nil))
	return strings.NewReplacer("/", "_", "+", "-", "=", "").Replace(s)
}

func TestSealOpenRoundTrip(t *testing.T) {
	f := mustNew(t, "sess", "new-key", "old-key")
	for _, obj := range []string{
		`{}`,
		`{"user":"tom"}`,
		`{"big":9007199254740993,"f":0.1,"u":"Jürgen 😀","nested":{"a":[1,true,null]}}`,
		`{"2":"b","10":"a","x":{"1":1}}`,
	} {
		sealed, err := f.Seal([]byte(obj), time.Now(), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatalf("Seal(%s): %v", obj, err)
		}
		value, sig, ok := Split(sealed)
		if !ok || Join(value, sig) != sealed {
			t.Fatalf("Split(%q) = %q, %q, %v", sealed, value, sig, ok)
		}
		if want := keygripSign("new-key", "sess="+value); sig != want {
			t.Errorf("signature %q, keygrip signs %q", sig, want)
		}
		if _, err := base64.StdEncoding.Strict().DecodeString(value); err != nil || strings.ContainsAny(value, "-_") {
			t.Errorf("value %q is not standard padded base64: %v", value, err)
		}
		got, meta, err := f.Open(sealed)
		if err != nil {
			t.Fatalf("Open(Seal(%s)): %v", obj, err)
		}
		if !sameJSON(t, got, []byte(obj)) {
			t.Errorf("round trip of %s gave %s", obj, got)
		}
		if meta != (format.Meta{Key: 0}) {
			t.Errorf("Meta = %+v, want Key 0 and no times", meta)
		}
	}
}

func TestRotation(t *testing.T) {
	old := mustNew(t, "session", "old-key")
	both := mustNew(t, "session", "new-key", "old-key")
	newOnly := mustNew(t, "session", "new-key")
	sealed, err := old.Seal([]byte(`{"u":1}`), time.Now(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, meta, err := both.Open(sealed); err != nil || meta.Key != 1 {
		t.Errorf("old cookie with [new, old]: Key %d, err %v; want Key 1", meta.Key, err)
	}
	if _, _, err := newOnly.Open(sealed); !errors.Is(err, format.ErrSignature) {
		t.Errorf("old cookie with [new]: %v, want ErrSignature", err)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		keys []string
	}{
		{"session", nil},
		{"session", []string{"k", ""}},
		{"", []string{"k"}},
		{"a b", []string{"k"}},
		{"a=b", []string{"k"}},
		{"a;b", []string{"k"}},
		{"a,b", []string{"k"}},
		{"sé", []string{"k"}},
		{"a\x00", []string{"k"}},
	}
	for _, tt := range tests {
		if f, err := New(tt.name, tt.keys); err == nil || f != nil {
			t.Errorf("New(%q, %q) = %v, %v; want an error", tt.name, tt.keys, f, err)
		}
	}
	for _, name := range []string{"session", "__Host-session", "my.session", "s-1_x"} {
		if f, err := New(name, []string{"k"}); err != nil || f.Name() != name {
			t.Errorf("New(%q): %v", name, err)
		}
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		in, value, sig string
		ok             bool
	}{
		{"abc=.sig", "abc=", "sig", true},
		{"abc", "abc", "", false},
		{".sig", "", "sig", true},
		{"abc.", "abc", "", true},
		{"a.b.c", "a.b", "c", true},
	}
	for _, tt := range tests {
		v, s, ok := Split(tt.in)
		if v != tt.value || s != tt.sig || ok != tt.ok {
			t.Errorf("Split(%q) = %q, %q, %v; want %q, %q, %v", tt.in, v, s, ok, tt.value, tt.sig, tt.ok)
		}
	}
}

func TestSealErrors(t *testing.T) {
	f := mustNew(t, "session", "k")
	for _, obj := range []string{``, `[]`, `"s"`, `null`, `{"a":`, `{} {}`} {
		if s, err := f.Seal([]byte(obj), time.Now(), time.Time{}); err == nil {
			t.Errorf("Seal(%q) = %q, want an error", obj, s)
		}
	}
	big := `{"a":"` + strings.Repeat("x", 3100) + `"}` // 4140 bytes of base64
	if _, err := f.Seal([]byte(big), time.Now(), time.Time{}); !errors.Is(err, format.ErrTooLarge) {
		t.Errorf("Seal of a large object: %v, want ErrTooLarge", err)
	}
	huge := `{"a":"` + strings.Repeat("x", 1<<20) + `"}`
	if _, err := f.Seal([]byte(huge), time.Now(), time.Time{}); !errors.Is(err, format.ErrTooLarge) {
		t.Errorf("Seal of a huge object: %v, want ErrTooLarge", err)
	}
	// Escapes that the re-spelling shortens six times fit again.
	escaped := `{"a":"` + strings.Repeat(`\u0041`, 3060) + `"}`
	if _, err := f.Seal([]byte(escaped), time.Now(), time.Time{}); err != nil {
		t.Errorf("Seal of %d bytes that re-spell to 3068: %v", len(escaped), err)
	}
}

// Hostile cookie pairs: each is refused with the sentinel it names.
func TestOpenHostile(t *testing.T) {
	const k = "the-key"
	f := mustNew(t, "session", k, "older-key")
	sign := func(value string) string { return Join(value, keygripSign(k, "session="+value)) }
	good, err := f.Seal([]byte(`{"user":"tom"}`), time.Now(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	value, sig, _ := Split(good)
	forged := base64.StdEncoding.EncodeToString([]byte(`{"user":"root","admin":true}`))
	tests := []struct {
		name    string
		logical string
		want    error
	}{
		{"empty", "", format.ErrSignature},
		{"no signature cookie", value, format.ErrSignature},
		{"empty signature", value + ".", format.ErrSignature},
		{"value swapped, old signature", Join(forged, sig), format.ErrSignature},
		{"signature of another key", Join(value, keygripSign("another-key", "session="+value)), format.ErrSignature},
		{"signature for another cookie name", Join(value, keygripSign(k, "other="+value)), format.ErrSignature},
		{"signature over the value alone", Join(value, keygripSign(k, value)), format.ErrSignature},
		{"signature with padding", Join(value, sig+"="), format.ErrSignature},
		{"signature in standard base64", Join(value, strings.NewReplacer("_", "/", "-", "+").Replace(sig)+"x"), format.ErrSignature},
		{"signature truncated", Join(value, sig[:26]), format.ErrSignature},
		{"signature of SHA-256", Join(value, base64.RawURLEncoding.EncodeToString(make([]byte, 32))), format.ErrSignature},
		{"value truncated", Join(value[:len(value)-4], sig), format.ErrSignature},
		{"too large", Join(strings.Repeat("A", MaxValueSize+4), sig), format.ErrTooLarge},
		// Correctly signed, bad content: checked only after the signature.
		{"signed, not base64", sign("%%%"), format.ErrMalformed},
		{"signed, unpadded base64", sign(strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)), "=")), format.ErrMalformed},
		{"signed, url-safe base64", sign(base64.URLEncoding.EncodeToString([]byte(`{"a":"\xfb\xff"}`))), format.ErrMalformed},
		{"signed, empty value", sign(""), format.ErrMalformed},
		{"signed, an array", sign(base64.StdEncoding.EncodeToString([]byte(`[1]`))), format.ErrMalformed},
		{"signed, null", sign(base64.StdEncoding.EncodeToString([]byte(`null`))), format.ErrMalformed},
		{"signed, a string", sign(base64.StdEncoding.EncodeToString([]byte(`"abc"`))), format.ErrMalformed},
		{"signed, broken JSON", sign(base64.StdEncoding.EncodeToString([]byte(`{"a":`))), format.ErrMalformed},
		{"signed, two objects", sign(base64.StdEncoding.EncodeToString([]byte(`{}{}`))), format.ErrMalformed},
		// A bad signature is reported before the value is looked at.
		{"bad value and bad signature", Join("%%%", sig), format.ErrSignature},
	}
	for _, tt := range tests {
		object, meta, err := f.Open(tt.logical)
		if !errors.Is(err, tt.want) || object != nil || meta != (format.Meta{}) {
			t.Errorf("%s: Open = %q, %+v, %v; want %v", tt.name, object, meta, err, tt.want)
		}
	}
	if obj, _, err := f.Open(sign(base64.StdEncoding.EncodeToString([]byte(`{"a":1}`)))); err != nil || string(obj) != `{"a":1}` {
		t.Fatalf("a cookie signed as keygrip signs opens: %q, %v", obj, err)
	}
}

// FuzzOpen: Open never panics, every error wraps a sentinel, and what
// opens is a JSON object that seals and opens again to the same values.
func FuzzOpen(f *testing.F) {
	valid, invalid := loadVectors(f)
	for _, v := range append(valid, invalid...) {
		f.Add(v.logical())
	}
	f.Add("")
	f.Add(".")
	f.Add("e30=.x")
	fm := mustNew(f, "session", valid[0].Secret[0])
	f.Fuzz(func(t *testing.T, logical string) {
		checkOpen(t, fm, logical)
		// The fuzzer cannot forge a signature: also open the input as a
		// correctly signed value, to reach the checks after the signature.
		checkOpen(t, fm, Join(logical, keygripSign(valid[0].Secret[0], "session="+logical)))
	})
}

// checkOpen is FuzzOpen's check of one value.
func checkOpen(t *testing.T, fm *Format, logical string) {
	object, meta, err := fm.Open(logical)
	if err != nil {
		if object != nil {
			t.Fatalf("Open(%q) returned %q with error %v", logical, object, err)
		}
		for _, s := range []error{format.ErrMalformed, format.ErrSignature, format.ErrTooLarge} {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("Open(%q): error %v wraps no sentinel", logical, err)
	}
	if !isObject(object) || meta.Key != 0 {
		t.Fatalf("Open(%q) = %q, %+v", logical, object, meta)
	}
	again, err := fm.Seal(object, time.Now(), time.Time{})
	if errors.Is(err, format.ErrTooLarge) {
		// Seal writes the JSON as Node would (stringify): bytes that are
		// not UTF-8 become U+FFFD (three bytes for one), numbers lose
		// their exponent ("1e20" → 21 digits). An object that fit may
		// then no longer fit; one that was not re-spelt longer must.
		if js, serr := stringify(nil, object); serr == nil && len(js) > len(object) {
			return
		}
	}
	if err != nil {
		t.Fatalf("Seal of an opened object %q: %v", object, err)
	}
	back, _, err := fm.Open(again)
	if err != nil || !sameJSON(t, back, object) {
		t.Fatalf("re-seal of %q: %q, %v", object, back, err)
	}
}
