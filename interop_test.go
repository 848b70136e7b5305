package cookiesession

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// The files in testdata/interop are an exact copy of ../shared/interop
// (TestSharedInteropCopyIsExact holds them to it): cookies made by
// asgi-sessions itself, the Fernet specification's vectors, the HS256
// example of RFC 7515, and cookies of Starlette, Flask, Django, iron-session
// and Express's cookie-session.

type asgiVectors struct {
	MadeAt int64 `json:"made_at_unix"`
	Valid  []struct {
		Type   Type            `json:"type"`
		Secret *string         `json:"secret"`
		Token  string          `json:"token"`
		Values json.RawMessage `json:"values"`
	} `json:"valid"`
	Invalid []struct {
		Type   Type    `json:"type"`
		Secret *string `json:"secret"`
		Token  string  `json:"token"`
		Why    string  `json:"why"`
	} `json:"invalid"`
	SetCookie []struct {
		Options struct {
			CookieName *string `json:"cookie_name"`
			MaxAge     *int    `json:"max_age"`
			SameSite   *string `json:"samesite"`
			Secure     bool    `json:"secure"`
		} `json:"options"`
		Header string `json:"header"`
	} `json:"set_cookie"`
}

func readJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
}

func loadASGIVectors(tb testing.TB) asgiVectors {
	tb.Helper()
	var v asgiVectors
	readJSON(tb, "testdata/interop/asgi-sessions-vectors.json", &v)
	if len(v.Valid) == 0 || len(v.Invalid) == 0 || len(v.SetCookie) == 0 {
		tb.Fatal("interop vectors are empty")
	}
	return v
}

func fixedClock(unix int64) func() time.Time {
	return func() time.Time { return time.Unix(unix, 0) }
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// exactJSON decodes JSON keeping numbers as their exact text, so that
// comparing two decoded values compares every digit.
func exactJSON(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
	return v
}

func valuesJSON(t *testing.T, v Values) []byte {
	t.Helper()
	out, err := marshalValues(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The asgi-sessions vectors are made with short secrets ("k", 15
// characters): the tests that read them accept a fernet key that is
// partly or wholly public, as an app sharing sessions with such an app
// must (Config.InsecureAllowPublicFernetKey).

func TestASGIValidVectorsDecodeToTheirValues(t *testing.T) {
	vectors := loadASGIVectors(t)
	for i, vec := range vectors.Valid {
		codec, err := NewCodec(Config{Type: vec.Type, SecretKey: deref(vec.Secret), InsecureAllowPublicFernetKey: true, Now: fixedClock(vectors.MadeAt)})
		if err != nil {
			t.Fatalf("valid[%d] %s: NewCodec: %v", i, vec.Type, err)
		}
		got, err := codec.Decode(vec.Token)
		if err != nil {
			t.Errorf("valid[%d] %s secret %q: %v", i, vec.Type, deref(vec.Secret), err)
			continue
		}
		if g, w := exactJSON(t, valuesJSON(t, got)), exactJSON(t, vec.Values); !reflect.DeepEqual(g, w) {
			t.Errorf("valid[%d] %s: got %v, want %v", i, vec.Type, g, w)
		}
	}
}

// The big integer in the vectors must survive exactly, digit for digit.
func TestASGIVectorsKeepLargeIntegersExact(t *testing.T) {
	vectors := loadASGIVectors(t)
	checked := 0
	for _, vec := range vectors.Valid {
		if !bytes.Contains(vec.Values, []byte(`"big"`)) {
			continue
		}
		var want struct{ Big json.Number }
		if err := json.Unmarshal(vec.Values, &want); err != nil {
			t.Fatal(err)
		}
		codec, err := NewCodec(Config{Type: vec.Type, SecretKey: deref(vec.Secret), InsecureAllowPublicFernetKey: true, Now: fixedClock(vectors.MadeAt)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := codec.Decode(vec.Token)
		if err != nil {
			t.Fatal(err)
		}
		m := &Manager{codec: codec.(sessionCodec), stats: newCounters(1, 0)}
		s := m.Load(context.Background(), vec.Token)
		s.values, s.loaded = got, true
		if n, ok := s.Get("big").(json.Number); !ok || n != want.Big {
			t.Errorf("%s: big = %#v, want json.Number %s", vec.Type, s.Get("big"), want.Big)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no vector holds a big integer")
	}
}

// asgiRefusal is the sentinel each invalid asgi-sessions vector must be
// refused with, by its reason ("why"). The codecs check a token's structure
// first (encoding, segments, length), then its algorithm and signature or
// MAC, then its payload, so a cut token is malformed and a well-formed one
// with a wrong MAC is a signature mismatch.
var asgiRefusal = map[string]error{
	"signature tampered":                          ErrSignature,
	"payload swapped, old signature":              ErrSignature,
	"signed with another secret":                  ErrSignature,
	"alg none":                                    ErrAlgorithm,
	"HS512 correctly signed, only HS256 accepted": ErrAlgorithm,
	"garbage":                        ErrMalformed,
	"four segments":                  ErrMalformed,
	"empty":                          ErrMalformed,
	"ciphertext tampered":            ErrSignature,
	"encrypted under another secret": ErrSignature,
	"truncated":                      ErrMalformed,
	"too short":                      ErrMalformed,
	"not base64":                     ErrMalformed,
	"base64 of non-JSON (asgi-sessions itself fails on this one with an exception)": ErrMalformed,
	"JSON that is not an object": ErrMalformed,
}

// Every invalid vector is refused with the sentinel its reason implies, and
// with no other; a reason this test does not know fails it.
func TestASGIInvalidVectorsAreRefused(t *testing.T) {
	vectors := loadASGIVectors(t)
	for i, vec := range vectors.Invalid {
		want, ok := asgiRefusal[vec.Why]
		if !ok {
			t.Errorf("invalid[%d] %s: no expected refusal for the reason %q; add it to asgiRefusal", i, vec.Type, vec.Why)
			continue
		}
		codec, err := NewCodec(Config{Type: vec.Type, SecretKey: deref(vec.Secret), InsecureAllowPublicFernetKey: true, Now: fixedClock(vectors.MadeAt)})
		if err != nil {
			t.Fatalf("invalid[%d]: NewCodec: %v", i, err)
		}
		v, err := codec.Decode(vec.Token)
		switch {
		case err == nil:
			t.Errorf("invalid[%d] %s (%s): accepted as %s", i, vec.Type, vec.Why, valuesJSON(t, v))
		case !errors.Is(err, want):
			t.Errorf("invalid[%d] %s (%s): error %v, want %v", i, vec.Type, vec.Why, err, want)
		case len(otherRefusals(err, want)) > 0:
			t.Errorf("invalid[%d] %s (%s): error %v also wraps %v", i, vec.Type, vec.Why, err, otherRefusals(err, want))
		case v != nil:
			t.Errorf("invalid[%d] %s (%s): refused, yet values %v returned", i, vec.Type, vec.Why, v)
		}
	}
}

func isRefusal(err error) bool {
	for _, target := range []error{ErrMalformed, ErrSignature, ErrAlgorithm, ErrExpired, ErrNotYetValid, ErrTooLarge} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// Each option set of asgi-sessions' middleware gives the same Set-Cookie
// attributes here, plus HttpOnly, which this package adds by default.
func TestASGISetCookieHeaders(t *testing.T) {
	vectors := loadASGIVectors(t)
	for _, vec := range vectors.SetCookie {
		cfg := Config{Type: Base64, CookieName: deref(vec.Options.CookieName), Secure: vec.Options.Secure}
		if vec.Options.MaxAge != nil {
			cfg.MaxAge = time.Duration(*vec.Options.MaxAge) * time.Second
			if *vec.Options.MaxAge == 0 {
				cfg.MaxAge = BrowserSession
			}
		}
		if vec.Options.SameSite != nil {
			cfg.SameSite = map[string]http.SameSite{
				"":       http.SameSiteDefaultMode,
				"lax":    http.SameSiteLaxMode,
				"strict": http.SameSiteStrictMode,
			}[*vec.Options.SameSite]
		}
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := m.Load(context.Background(), "")
		if err := s.Set("user", "tom"); err != nil {
			t.Fatal(err)
		}
		c, err := m.Save(s)
		if err != nil || c == nil {
			t.Fatalf("Save: %v, %v", c, err)
		}
		got := cookieAttributes(c.String())
		want := cookieAttributes(vec.Header)
		want["httponly"] = ""
		if !reflect.DeepEqual(got, want) {
			t.Errorf("options %+v:\n got %s\nwant %s (+ HttpOnly)", vec.Options, c.String(), vec.Header)
		}
	}
}

// cookieAttributes splits a Set-Cookie line into its parts, with attribute
// names lower-cased and SameSite's value too (its case is not significant).
func cookieAttributes(line string) map[string]string {
	attrs := map[string]string{}
	for i, part := range strings.Split(line, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		if i > 0 {
			name = strings.ToLower(name)
		}
		if name == "samesite" {
			value = strings.ToLower(value)
		}
		attrs[name] = value
	}
	return attrs
}

// Cookies this package writes from the vectors' values read back as those
// values, and the base64 ones are the very tokens asgi-sessions wrote
// whenever the key order agrees.
func TestEncodeVectorsValuesRoundTrip(t *testing.T) {
	vectors := loadASGIVectors(t)
	identical := 0
	for i, vec := range vectors.Valid {
		codec, err := NewCodec(Config{Type: vec.Type, SecretKey: deref(vec.Secret), InsecureAllowPublicFernetKey: true, Now: fixedClock(vectors.MadeAt)})
		if err != nil {
			t.Fatal(err)
		}
		var values Values
		if err := json.Unmarshal(vec.Values, &values); err != nil {
			t.Fatal(err)
		}
		token, err := codec.Encode(values)
		if err != nil {
			t.Fatalf("valid[%d]: Encode: %v", i, err)
		}
		got, err := codec.Decode(token)
		if err != nil {
			t.Fatalf("valid[%d]: Decode(Encode): %v", i, err)
		}
		if g, w := exactJSON(t, valuesJSON(t, got)), exactJSON(t, vec.Values); !reflect.DeepEqual(g, w) {
			t.Errorf("valid[%d]: round trip gave %v, want %v", i, g, w)
		}
		if vec.Type == Base64 && sortedKeys(vec.Values) && token == vec.Token {
			identical++
		} else if vec.Type == Base64 && sortedKeys(vec.Values) {
			t.Errorf("valid[%d]: base64 token %s, asgi-sessions wrote %s", i, token, vec.Token)
		}
	}
	if identical == 0 {
		t.Error("no base64 vector was reproduced byte for byte")
	}
}

// sortedKeys reports whether a JSON object's top-level keys are in sorted
// order (this package writes them sorted; Python in insertion order).
func sortedKeys(object []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(object))
	if _, err := dec.Token(); err != nil {
		return false
	}
	var keys []string
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return false
		}
		keys = append(keys, key.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false
		}
	}
	return sort.StringsAreSorted(keys)
}

// An asgi-sessions cookie goes through the middleware and reaches the
// handler with its values; a refused one gives an empty session.
func TestASGICookiesThroughTheMiddleware(t *testing.T) {
	vectors := loadASGIVectors(t)
	for _, vec := range vectors.Valid {
		m, err := New(Config{Type: vec.Type, SecretKey: deref(vec.Secret), InsecureAllowPublicFernetKey: true, Now: fixedClock(vectors.MadeAt), ErrorHandler: failOnError(t)})
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := FromRequest(r)
			s.mu.Lock()
			s.load()
			got = valuesJSON(t, s.valuesLocked())
			s.mu.Unlock()
		}))
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Cookie", "session="+vec.Token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Header().Get("Set-Cookie") != "" {
			t.Errorf("%s: status %d, Set-Cookie %q", vec.Type, rec.Code, rec.Header().Get("Set-Cookie"))
		}
		if g, w := exactJSON(t, got), exactJSON(t, vec.Values); !reflect.DeepEqual(g, w) {
			t.Errorf("%s: handler saw %v, want %v", vec.Type, g, w)
		}
	}
}

func failOnError(t *testing.T) func(ctx context.Context, err error) {
	return func(_ context.Context, err error) {
		t.Helper()
		t.Errorf("unexpected error reported: %v", err)
	}
}
