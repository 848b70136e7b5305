package gorilla_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// checkDecoded is what every Decode result must satisfy: an error wrapping
// a sentinel with no values, or values that are all valid JSON.
func checkDecoded(t *testing.T, v cookiesession.Values, err error) {
	t.Helper()
	if err != nil {
		if v != nil {
			t.Fatalf("error %v came with values %v", err, v)
		}
		for _, s := range sentinels {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error %q wraps no sentinel", err)
	}
	for k, raw := range v {
		if !utf8.ValidString(k) || !json.Valid(raw) {
			t.Fatalf("key %q: invalid JSON %q", k, raw)
		}
	}
}

// Any cookie value: Decode never panics, and refuses what no key signed.
func FuzzDecode(f *testing.F) {
	store := sessions.NewCookieStore(hashKey, blockKey)
	f.Add(gorillaCookie(f, store, map[interface{}]interface{}{"user": "tom", "n": 1}))
	f.Add(gorillaCookie(f, sessions.NewCookieStore(oldHashKey), map[interface{}]interface{}{"l": []interface{}{1.5, true}}))
	f.Add("")
	f.Add("MTcwMDAwMDAwMHxhYmN8ZGVm")
	codec := mustCodec(f, hashKey, blockKey, oldHashKey, nil)
	f.Fuzz(func(t *testing.T, value string) {
		v, err := codec.Decode(value)
		checkDecoded(t, v, err)
	})
}

// Any payload that passes the MAC, as gob input: Decode never panics, and
// what it returns is an error wrapping a sentinel or values of valid JSON.
// securecookie signs the payload itself (its NopEncoder leaves the bytes as
// they are), so every input reaches gob and the conversion.
func FuzzDecodeAuthentic(f *testing.F) {
	register(user{})
	seeds := []interface{}{
		map[interface{}]interface{}{"user": "tom", "id": int64(1 << 60), "f": 0.5},
		map[interface{}]interface{}{"l": []interface{}{map[string]interface{}{"a": []byte("x")}, nil}},
		map[interface{}]interface{}{1: "int key", "u": user{Name: "tom"}},
		map[interface{}]interface{}{"nan": math.NaN(), "c": complex(1, 1)},
		"not a map",
	}
	for _, s := range seeds {
		b, err := securecookie.GobEncoder{}.Serialize(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	signer := securecookie.New(hashKey, nil).SetSerializer(securecookie.NopEncoder{})
	codec := mustCodec(f, hashKey)
	f.Fuzz(func(t *testing.T, payload []byte) {
		value, err := signer.Encode(cookieName, payload)
		if err != nil {
			return // longer than a cookie can be
		}
		v, err := codec.Decode(value)
		checkDecoded(t, v, err)
	})
}

// Random sessions of convertible values, saved by gorilla/sessions itself,
// decode to exactly the JSON encoding/json writes for them; a session with
// a value that has no exact JSON form (a string that is not UTF-8, NaN, an
// infinity) is refused whole with ErrMalformed.
func FuzzDecodeGorillaSessions(f *testing.F) {
	f.Add([]byte("\x09\x03\x00\x02ab\x02\x11\x22\x33\x44\x55\x66\x77\x88"))
	f.Add([]byte("\x08\x04\x01\x03\x00\x05hello\x0a\x02\x00\x01k\x0c"))
	f.Add([]byte("\x05\x7f\xf8\x00\x00\x00\x00\x00\x01"))
	f.Add([]byte("\x00\x02\xff\xfe"))
	f.Add([]byte("\x0a\x03\x0b\x02\x00\x01a\x0d\x0e\x0f\x06\x07"))
	store := sessions.NewCookieStore(hashKey, blockKey)
	codec := mustCodec(f, hashKey, blockKey)
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &gen{b: data}
		session := map[interface{}]interface{}{}
		want := map[string]interface{}{}
		for n := int(g.byte()%6) + 1; n > 0; n-- {
			k := g.str()
			gv, jv := g.value(0)
			session[k] = gv
			want[k] = jv
		}

		req := httptest.NewRequest(http.MethodGet, "/", nil)
		rec := httptest.NewRecorder()
		s, _ := store.Get(req, cookieName)
		s.Values = session
		if err := s.Save(req, rec); err != nil {
			return // longer than a cookie can be
		}
		got, err := codec.Decode(rec.Result().Cookies()[0].Value)
		if !exactJSON(want) {
			if !errors.Is(err, cookiesession.ErrMalformed) || got != nil {
				t.Fatalf("inexact session %#v: got %v, %v; want ErrMalformed", session, got, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("session %#v: %v", session, err)
		}
		if len(got) != len(want) {
			t.Fatalf("got %d values, want %d", len(got), len(want))
		}
		for k, jv := range want {
			w, err := json.Marshal(jv)
			if err != nil {
				t.Fatal(err)
			}
			if string(got[k]) != string(w) {
				t.Fatalf("key %q: got %s, want %s (from %#v)", k, got[k], w, session[k])
			}
		}
	})
}

// exactJSON reports whether v, a twin made by gen, has an exact JSON form:
// every string and key valid UTF-8, every float finite.
func exactJSON(v interface{}) bool {
	switch v := v.(type) {
	case string:
		return utf8.ValidString(v)
	case float64:
		return !math.IsNaN(v) && !math.IsInf(v, 0)
	case float32:
		return exactJSON(float64(v))
	case []string:
		for _, s := range v {
			if !utf8.ValidString(s) {
				return false
			}
		}
	case []interface{}:
		for _, e := range v {
			if !exactJSON(e) {
				return false
			}
		}
	case map[string]interface{}:
		for k, e := range v {
			if !utf8.ValidString(k) || !exactJSON(e) {
				return false
			}
		}
	}
	return true
}

// gen makes a gob value and its twin for encoding/json from fuzz bytes.
type gen struct{ b []byte }

func (g *gen) byte() byte {
	if len(g.b) == 0 {
		return 0
	}
	c := g.b[0]
	g.b = g.b[1:]
	return c
}

func (g *gen) u64() uint64 {
	var buf [8]byte
	for i := range buf {
		buf[i] = g.byte()
	}
	return binary.BigEndian.Uint64(buf[:])
}

func (g *gen) bytes() []byte {
	b := make([]byte, int(g.byte()%8))
	for i := range b {
		b[i] = g.byte()
	}
	return b
}

func (g *gen) str() string {
	return string(g.bytes())
}

func (g *gen) value(depth int) (gobValue, jsonValue interface{}) {
	kinds := byte(16)
	if depth >= 3 {
		kinds = 11 // no more containers
	}
	switch g.byte() % kinds {
	case 0:
		s := g.str()
		return s, s
	case 1:
		v := g.byte()%2 == 1
		return v, v
	case 2:
		v := int64(g.u64())
		return v, v
	case 3:
		v := g.u64()
		return v, v
	case 4:
		v := int8(g.byte())
		return v, v
	case 5:
		v := math.Float64frombits(g.u64())
		return v, v
	case 6:
		v := math.Float32frombits(uint32(g.u64()))
		return v, v
	case 7:
		v := g.bytes()
		return v, v
	case 8:
		v := uint16(g.u64())
		return v, v
	case 9:
		return nil, nil
	case 10:
		v := int(int32(g.u64()))
		return v, v
	case 11:
		n := int(g.byte() % 4)
		gl, jl := make([]interface{}, n), make([]interface{}, n)
		for i := range gl {
			gl[i], jl[i] = g.value(depth + 1)
		}
		return gl, jl
	case 12:
		n := int(g.byte() % 4)
		gm, jm := map[string]interface{}{}, map[string]interface{}{}
		for i := 0; i < n; i++ {
			k := g.str()
			gm[k], jm[k] = g.value(depth + 1)
		}
		return gm, jm
	case 13:
		n := int(g.byte() % 4)
		gm, jm := map[interface{}]interface{}{}, map[string]interface{}{}
		for i := 0; i < n; i++ {
			k := g.str()
			gm[k], jm[k] = g.value(depth + 1)
		}
		return gm, jm
	case 14:
		n := int(g.byte() % 4)
		v := make([]string, n)
		for i := range v {
			v[i] = g.str()
		}
		return v, v
	default:
		n := int(g.byte() % 4)
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(g.u64())
		}
		return v, v
	}
}
