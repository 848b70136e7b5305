package gorilla_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/migrate/gorilla"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// Every value a gorilla session can hold that JSON carries exactly, written
// by gorilla/sessions v1.4.0, comes back as exactly this JSON.
func TestDecodeEveryConvertibleType(t *testing.T) {
	type named string // a named string type of the application
	tests := []struct {
		key   string
		value interface{}
		want  string
	}{
		{"string", "tom", `"tom"`},
		{"empty string", "", `""`},
		{"string escapes", "a\"b\\c<d>&é\u2028\n", `"a\"b\\c\u003cd\u003e\u0026é\u2028\n"`},
		{"true", true, `true`},
		{"false", false, `false`},
		{"int", 42, `42`},
		{"int negative", -7, `-7`},
		{"int8", int8(-128), `-128`},
		{"int16", int16(32767), `32767`},
		{"int32", int32(math.MinInt32), `-2147483648`},
		{"int64 max", int64(math.MaxInt64), `9223372036854775807`},
		{"int64 min", int64(math.MinInt64), `-9223372036854775808`},
		{"int64 2^53+1", int64(1<<53 + 1), `9007199254740993`},
		{"uint", uint(7), `7`},
		{"uint8", uint8(255), `255`},
		{"uint16", uint16(65535), `65535`},
		{"uint32", uint32(math.MaxUint32), `4294967295`},
		{"uint64 max", uint64(math.MaxUint64), `18446744073709551615`},
		{"uintptr", uintptr(12), `12`},
		{"float64", 0.1, `0.1`},
		{"float64 whole", 3.0, `3`},
		{"float64 large", 1e21, `1e+21`},
		{"float64 tiny", -5e-324, `-5e-324`},
		{"float32", float32(0.1), `0.1`},
		{"float32 max", float32(math.MaxFloat32), `3.4028235e+38`},
		{"bytes", []byte{0, 1, 0xfe, 0xff}, `"AAH+/w=="`},
		{"empty bytes", []byte{}, `""`},
		{"nil", nil, `null`},
		{"strings", []string{"a", "b"}, `["a","b"]`},
		{"ints", []int{1, -2, 3}, `[1,-2,3]`},
		{"uint64s", []uint64{math.MaxUint64, 0}, `[18446744073709551615,0]`},
		{"bools", []bool{true, false}, `[true,false]`},
		{"float64s", []float64{1.5, -0.25}, `[1.5,-0.25]`},
		{"empty list", []interface{}{}, `[]`},
		{"list", []interface{}{"a", 1, true, nil, 2.5, []byte("hi")}, `["a",1,true,null,2.5,"aGk="]`},
		{"map", map[string]interface{}{"b": 1, "a": "x"}, `{"a":"x","b":1}`},
		{"empty map", map[string]interface{}{}, `{}`},
		{"interface map", map[interface{}]interface{}{"id": int64(1<<62 + 1), "ok": true}, `{"id":4611686018427387905,"ok":true}`},
		{"nested", map[string]interface{}{
			"user": map[interface{}]interface{}{
				"roles": []interface{}{"admin", map[string]interface{}{"scope": []string{"a", "b"}}},
				"n":     uint64(1<<64 - 1),
			},
			"deep": []interface{}{[]interface{}{[]interface{}{map[interface{}]interface{}{}}}},
		}, `{"deep":[[[{}]]],"user":{"n":18446744073709551615,"roles":["admin",{"scope":["a","b"]}]}}`},
		{"named string", named("x"), `"x"`},
	}
	values := map[interface{}]interface{}{}
	for _, tc := range tests {
		values[tc.key] = tc.value
	}
	// gob needs the application's named type registered on both sides.
	register(named(""))
	for _, keys := range [][][]byte{{hashKey}, {hashKey, blockKey}} {
		store := sessions.NewCookieStore(keys...)
		cookie := gorillaCookie(t, store, values)
		got, err := mustCodec(t, keys...).Decode(cookie)
		if err != nil {
			t.Fatalf("%d keys: Decode: %v", len(keys), err)
		}
		if len(got) != len(tests) {
			t.Errorf("%d keys: decoded %d values, want %d", len(keys), len(got), len(tests))
		}
		for _, tc := range tests {
			if raw := string(got[tc.key]); raw != tc.want {
				t.Errorf("%d keys: %s: got %s, want %s", len(keys), tc.key, raw, tc.want)
			}
		}
	}
}

// Integers beyond 2^53 read back exactly into Go integers, as the core's
// Get[T] reads them (encoding/json into the target type).
func TestDecodeBigIntegersExactly(t *testing.T) {
	store := sessions.NewCookieStore(hashKey)
	cookie := gorillaCookie(t, store, map[interface{}]interface{}{
		"a": int64(1<<53 + 1),
		"b": uint64(math.MaxUint64),
		"c": int64(math.MinInt64),
	})
	got, err := mustCodec(t, hashKey).Decode(cookie)
	if err != nil {
		t.Fatal(err)
	}
	var a, c int64
	var b uint64
	for _, x := range []struct {
		key string
		dst interface{}
	}{{"a", &a}, {"b", &b}, {"c", &c}} {
		if err := json.Unmarshal(got[x.key], x.dst); err != nil {
			t.Fatalf("%s: %v", x.key, err)
		}
	}
	if a != 1<<53+1 || b != math.MaxUint64 || c != math.MinInt64 {
		t.Fatalf("got %d %d %d", a, b, c)
	}
}

// []byte comes back through encoding/json as the same bytes.
func TestDecodeBytesReadBackAsBytes(t *testing.T) {
	want := []byte("\x00binary\xff")
	store := sessions.NewCookieStore(hashKey, blockKey)
	got, err := mustCodec(t, hashKey, blockKey).Decode(gorillaCookie(t, store, map[interface{}]interface{}{"b": want}))
	if err != nil {
		t.Fatal(err)
	}
	var b []byte
	if err := json.Unmarshal(got["b"], &b); err != nil || string(b) != string(want) {
		t.Fatalf("got %q, %v; want %q", b, err, want)
	}
}

// gorilla's flash messages (session.AddFlash) are a []interface{} under
// "_flash".
func TestDecodeFlashes(t *testing.T) {
	store := sessions.NewCookieStore(hashKey)
	req := httptestRequest()
	s, _ := store.Get(req, cookieName)
	s.AddFlash("saved")
	s.AddFlash("again")
	rec := newRecorder()
	if err := s.Save(req, rec); err != nil {
		t.Fatal(err)
	}
	got, err := mustCodec(t, hashKey).Decode(cookieFrom(t, rec))
	if err != nil {
		t.Fatal(err)
	}
	if raw := string(got["_flash"]); raw != `["saved","again"]` {
		t.Fatalf("_flash = %s", raw)
	}
}

// An empty gorilla session decodes to empty, non-nil Values.
func TestDecodeEmptySession(t *testing.T) {
	for _, keys := range [][][]byte{{hashKey}, {hashKey, blockKey}} {
		store := sessions.NewCookieStore(keys...)
		got, err := mustCodec(t, keys...).Decode(gorillaCookie(t, store, nil))
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("%d keys: got %v, %v; want empty Values", len(keys), got, err)
		}
	}
}

// Each block key size AES takes, and a hash-only store.
func TestDecodeStores(t *testing.T) {
	for _, keys := range [][][]byte{
		{hashKey},
		{hashKey, nil},
		{oldHashKey, oldBlockKey}, // AES-128
		{hashKey, []byte("0123456789abcdef01234567")},             // AES-192
		{hashKey, blockKey},                                       // AES-256
		{[]byte("k"), []byte("0123456789abcdef0123456789abcdef")}, // a short hash key is legal
	} {
		store := sessions.NewCookieStore(keys...)
		cookie := gorillaCookie(t, store, map[interface{}]interface{}{"user": "tom"})
		got, err := mustCodec(t, keys...).Decode(cookie)
		if err != nil || string(got["user"]) != `"tom"` {
			t.Errorf("keys %q: got %v, %v", keys, got, err)
		}
	}
}

// A cookie written before a key rotation reads with the old pair listed
// after the new one, as gorilla's NewCookieStore(new..., old...) reads it;
// without the old pair it is refused as a signature mismatch.
func TestKeyRotation(t *testing.T) {
	oldStore := sessions.NewCookieStore(oldHashKey, oldBlockKey)
	oldCookie := gorillaCookie(t, oldStore, map[interface{}]interface{}{"user": "old"})
	newStore := sessions.NewCookieStore(hashKey, blockKey, oldHashKey, oldBlockKey)
	newCookie := gorillaCookie(t, newStore, map[interface{}]interface{}{"user": "new"})

	rotated := mustCodec(t, hashKey, blockKey, oldHashKey, oldBlockKey)
	for cookie, want := range map[string]string{oldCookie: `"old"`, newCookie: `"new"`} {
		got, err := rotated.Decode(cookie)
		if err != nil || string(got["user"]) != want {
			t.Errorf("rotated codec: got %v, %v; want user %s", got, err, want)
		}
	}
	got, err := mustCodec(t, hashKey, blockKey).Decode(oldCookie)
	wantRefused(t, got, err, cookiesession.ErrSignature)

	// Only the block key rotated: both pairs authenticate the cookie, the
	// first decrypts it to bytes that are not gob, the second reads it.
	blockOnly := gorillaCookie(t, sessions.NewCookieStore(hashKey, oldBlockKey), map[interface{}]interface{}{"user": "b", "n": 1})
	got, err = mustCodec(t, hashKey, blockKey, hashKey, oldBlockKey).Decode(blockOnly)
	if err != nil || len(got) != 2 || string(got["user"]) != `"b"` || string(got["n"]) != `1` {
		t.Errorf("block key rotation: got %v, %v", got, err)
	}
	// Without the old block key, the wrongly decrypted value is not gob.
	got, err = mustCodec(t, hashKey, blockKey).Decode(blockOnly)
	wantRefused(t, got, err, cookiesession.ErrMalformed)
}

// A forged or tampered cookie, one made with other keys or under another
// cookie name: ErrSignature, as gorilla itself refuses them.
func TestRefusesUnauthentic(t *testing.T) {
	for _, keys := range [][][]byte{{hashKey}, {hashKey, blockKey}} {
		store := sessions.NewCookieStore(keys...)
		cookie := gorillaCookie(t, store, map[interface{}]interface{}{"user": "tom", "admin": false})
		codec := mustCodec(t, keys...)

		tampered := map[string]string{}
		for _, i := range []int{0, len(cookie) / 3, len(cookie) / 2, len(cookie) - 5} {
			b := []byte(cookie)
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			tampered[fmt.Sprintf("byte %d", i)] = string(b)
		}
		tampered["truncated"] = cookie[:len(cookie)-4]
		otherKeys := [][]byte{otherHash}
		if len(keys) == 2 {
			otherKeys = [][]byte{otherHash, otherBlock}
		}
		tampered["other keys"] = gorillaCookie(t, sessions.NewCookieStore(otherKeys...), map[interface{}]interface{}{"user": "tom", "admin": true})

		for name, value := range tampered {
			if gorillaReads(store, value) {
				t.Fatalf("%s: gorilla itself reads the altered cookie; the test is wrong", name)
			}
			got, err := codec.Decode(value)
			wantRefused(t, got, err, cookiesession.ErrSignature)
		}

		other, err := gorilla.NewCodec("other-name", keys...)
		if err != nil {
			t.Fatal(err)
		}
		got, err := other.Decode(cookie)
		wantRefused(t, got, err, cookiesession.ErrSignature)
	}
}

// Values that are not cookies of any key: not base64, too long.
func TestRefusesGarbage(t *testing.T) {
	codec := mustCodec(t, hashKey, blockKey)
	for value, want := range map[string]error{
		"not base64 !":                   cookiesession.ErrMalformed,
		"%%%%":                           cookiesession.ErrMalformed,
		"":                               cookiesession.ErrSignature, // no "date|value|mac" inside
		"dGhyZWV8cGFydHN8aGVyZQ==":       cookiesession.ErrSignature, // "three|parts|here"
		strings.Repeat("A", 4096):        cookiesession.ErrSignature,
		strings.Repeat("A", 4097):        cookiesession.ErrTooLarge,
		strings.Repeat("A", 1<<20):       cookiesession.ErrTooLarge,
		strings.Repeat("not base64", 10): cookiesession.ErrMalformed,
	} {
		got, err := codec.Decode(value)
		wantRefused(t, got, err, want)
	}
}

// securecookie's timestamp: a cookie older than the max age is refused as
// expired, also when another key pair listed first does not match it.
func TestExpired(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 2 s for a cookie to age")
	}
	store := sessions.NewCookieStore(hashKey, blockKey)
	cookie := gorillaCookie(t, store, map[interface{}]interface{}{"user": "tom"})
	oneSecond, err := gorilla.NewCodecWithOptions(cookieName, gorilla.Options{MaxAge: time.Second}, hashKey, blockKey)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := oneSecond.Decode(cookie); err != nil || string(got["user"]) != `"tom"` {
		t.Fatalf("fresh cookie: %v, %v", got, err)
	}
	afterRotation, err := gorilla.NewCodecWithOptions(cookieName, gorilla.Options{MaxAge: time.Second}, otherHash, otherBlock, hashKey, blockKey)
	if err != nil {
		t.Fatal(err)
	}
	beforeRotation, err := gorilla.NewCodecWithOptions(cookieName, gorilla.Options{MaxAge: time.Second}, hashKey, blockKey, otherHash, otherBlock)
	if err != nil {
		t.Fatal(err)
	}
	noLimit, err := gorilla.NewCodecWithOptions(cookieName, gorilla.Options{NoAgeLimit: true}, hashKey, blockKey)
	if err != nil {
		t.Fatal(err)
	}

	// securecookie counts whole seconds: 2 s later the cookie is 2 s old
	// by its clock, beyond a max age of 1 s.
	time.Sleep(2100 * time.Millisecond)

	got, err := oneSecond.Decode(cookie)
	wantRefused(t, got, err, cookiesession.ErrExpired)
	// The pair that authenticated the cookie tells why it is refused,
	// wherever it stands in the list.
	got, err = afterRotation.Decode(cookie)
	wantRefused(t, got, err, cookiesession.ErrExpired)
	got, err = beforeRotation.Decode(cookie)
	wantRefused(t, got, err, cookiesession.ErrExpired)
	for name, c := range map[string]cookiesession.Codec{"default max age": mustCodec(t, hashKey, blockKey), "no age limit": noLimit} {
		if got, err := c.Decode(cookie); err != nil || string(got["user"]) != `"tom"` {
			t.Errorf("%s: %v, %v", name, got, err)
		}
	}
}

// A value securecookie authenticates but cannot decrypt: too short to hold
// an IV. Made by securecookie itself, signed only, and read with a block key.
func TestRefusesUndecryptable(t *testing.T) {
	sc := securecookie.New(hashKey, nil).SetSerializer(securecookie.NopEncoder{})
	value, err := sc.Encode(cookieName, []byte("short"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := mustCodec(t, hashKey, blockKey).Decode(value)
	wantRefused(t, got, err, cookiesession.ErrSignature)
}

// Authentic values that are not a gob-encoded session map.
func TestRefusesAuthenticNonSession(t *testing.T) {
	values := map[string]struct {
		sc    *securecookie.SecureCookie
		value interface{}
	}{
		"gob string":      {securecookie.New(hashKey, nil), "just a string"},
		"gob string map":  {securecookie.New(hashKey, nil), map[string]string{"a": "b"}},
		"json map":        {securecookie.New(hashKey, nil).SetSerializer(securecookie.JSONEncoder{}), map[string]string{"a": "b"}},
		"raw bytes":       {securecookie.New(hashKey, nil).SetSerializer(securecookie.NopEncoder{}), []byte("\x03\x04garbage")},
		"empty raw bytes": {securecookie.New(hashKey, nil).SetSerializer(securecookie.NopEncoder{}), []byte{}},
	}
	codec := mustCodec(t, hashKey)
	for name, v := range values {
		cookie, err := v.sc.Encode(cookieName, v.value)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := codec.Decode(cookie)
		if err == nil {
			t.Errorf("%s: decoded %v", name, got)
			continue
		}
		wantRefused(t, got, err, cookiesession.ErrMalformed)
	}
}

// Encode is refused: the codec only reads.
func TestEncodeIsReadOnly(t *testing.T) {
	s, err := mustCodec(t, hashKey).Encode(cookiesession.Values{"a": json.RawMessage(`1`)})
	if s != "" || !errors.Is(err, gorilla.ErrReadOnly) {
		t.Fatalf("Encode = %q, %v; want ErrReadOnly", s, err)
	}
}

// Misconfiguration is an error of the constructor.
func TestConstructorErrors(t *testing.T) {
	tests := []struct {
		name   string
		cookie string
		opts   gorilla.Options
		keys   [][]byte
		want   error
	}{
		{"no keys", cookieName, gorilla.Options{}, nil, cookiesession.ErrSecretRequired},
		{"empty hash key", cookieName, gorilla.Options{}, [][]byte{{}}, cookiesession.ErrInvalidSecret},
		{"nil hash key", cookieName, gorilla.Options{}, [][]byte{nil, blockKey}, cookiesession.ErrInvalidSecret},
		{"nil old hash key", cookieName, gorilla.Options{}, [][]byte{hashKey, blockKey, nil}, cookiesession.ErrInvalidSecret},
		{"block key 15 bytes", cookieName, gorilla.Options{}, [][]byte{hashKey, make([]byte, 15)}, cookiesession.ErrInvalidSecret},
		{"block key empty", cookieName, gorilla.Options{}, [][]byte{hashKey, {}}, cookiesession.ErrInvalidSecret},
		{"old block key 64 bytes", cookieName, gorilla.Options{}, [][]byte{hashKey, blockKey, oldHashKey, make([]byte, 64)}, cookiesession.ErrInvalidSecret},
		{"empty name", "", gorilla.Options{}, [][]byte{hashKey}, cookiesession.ErrInvalidConfig},
		{"name with space", "a b", gorilla.Options{}, [][]byte{hashKey}, cookiesession.ErrInvalidConfig},
		{"name with ;", "a;b", gorilla.Options{}, [][]byte{hashKey}, cookiesession.ErrInvalidConfig},
		{"name with =", "a=b", gorilla.Options{}, [][]byte{hashKey}, cookiesession.ErrInvalidConfig},
		{"negative max age", cookieName, gorilla.Options{MaxAge: -time.Second}, [][]byte{hashKey}, cookiesession.ErrInvalidConfig},
		{"fractional max age", cookieName, gorilla.Options{MaxAge: 1500 * time.Millisecond}, [][]byte{hashKey}, cookiesession.ErrInvalidConfig},
		{"max age with no limit", cookieName, gorilla.Options{MaxAge: time.Hour, NoAgeLimit: true}, [][]byte{hashKey}, cookiesession.ErrInvalidConfig},
	}
	for _, tc := range tests {
		c, err := gorilla.NewCodecWithOptions(tc.cookie, tc.opts, tc.keys...)
		if c != nil || !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, %v; want an error wrapping %v", tc.name, c, err, tc.want)
		}
	}
	for _, keys := range [][][]byte{{hashKey}, {hashKey, nil}, {hashKey, blockKey, oldHashKey}, {hashKey, nil, oldHashKey, oldBlockKey}} {
		if _, err := gorilla.NewCodec(cookieName, keys...); err != nil {
			t.Errorf("keys %q: %v", keys, err)
		}
	}
}

// Decode is safe for concurrent use (run with -race).
func TestDecodeConcurrently(t *testing.T) {
	store := sessions.NewCookieStore(hashKey, blockKey, oldHashKey, oldBlockKey)
	cookie := gorillaCookie(t, store, map[interface{}]interface{}{"user": "tom", "list": []interface{}{1, "a"}})
	codec := mustCodec(t, hashKey, blockKey, oldHashKey, oldBlockKey)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				got, err := codec.Decode(cookie)
				if err == nil && string(got["list"]) != `[1,"a"]` {
					err = errors.New("wrong list " + string(got["list"]))
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
