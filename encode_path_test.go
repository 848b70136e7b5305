package cookiesession

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// The write path: a session's values and its reserved members written
// into one JSON object without copying the values map, the token built
// on the stack, and the Set-Cookie line written from attributes New
// computed once. These tests hold each step to what it replaced.

// mergedReference is what the session's object must be: v and extra in
// one map (extra winning), written by encoding/json.
func mergedReference(t *testing.T, v Values, extra []member) []byte {
	t.Helper()
	all := Values{}
	for k, raw := range v {
		all[k] = raw
	}
	for i := range extra {
		all[extra[i].key] = append(json.RawMessage(nil), extra[i].value()...)
	}
	return encodeValuesReference(t, all)
}

// textMemberOf makes a member whose value lives in its own text, as
// reservedFields and the jwt codec write dates.
func textMemberOf(key, value string) member {
	e := member{key: key}
	e.size = copy(e.text[:], value)
	return e
}

func TestAppendObjectMergesReservedMembers(t *testing.T) {
	extras := [][]member{
		nil,
		{textMemberOf("exp", "1795000000.123")},
		{textMemberOf("iat", "1795000000"), textMemberOf("exp", "1795000000.500"), {key: flashKey, raw: json.RawMessage(`[["message","hi"]]`)}},
		{{key: "_cs_id", raw: json.RawMessage(`"AAAAAAAAAAAAAAAAAAAAAA"`)}, textMemberOf("_cs_created", "1795000000.25")},
		// A key the values hold too: written once, with the member's value.
		{textMemberOf("a", "99"), textMemberOf("user", `"member"`)},
		// Sorting before, between and after every key of the samples.
		{textMemberOf("!", "1"), textMemberOf("m", "2"), textMemberOf("~", "3")},
	}
	for _, s := range objectSamples {
		v, err := unmarshalValues([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		for _, extra := range extras {
			for _, trusted := range []bool{false, true} {
				want := mergedReference(t, v, extra)
				mine := append([]member(nil), extra...) // appendObject sorts it
				got, err := appendObject([]byte("prefix:"), v, mine, trusted)
				if err != nil {
					t.Fatalf("%s + %v: %v", s, extra, err)
				}
				if !bytes.Equal(got, append([]byte("prefix:"), want...)) {
					t.Errorf("%s + %v (trusted %v):\n got %s\nwant prefix:%s", s, extra, trusted, got, want)
				}
			}
		}
	}
}

func TestAppendObjectChecksValuesUnlessTrusted(t *testing.T) {
	bad := Values{"a": json.RawMessage(`{"unclosed":`)}
	if _, err := appendObject(nil, bad, nil, false); err == nil {
		t.Error("an invalid value was written without an error")
	}
	// Codec.Encode takes anyone's Values: it must keep checking.
	for _, typ := range []Type{Base64, JWT, Fernet} {
		c, err := NewCodec(Config{Type: typ, SecretKey: strings.Repeat("k", 32)})
		if err != nil {
			t.Fatal(err)
		}
		if tok, err := c.Encode(bad); err == nil {
			t.Errorf("%s: Encode wrote %q from an invalid value", typ, tok)
		}
	}
}

// The jwt and base64 tokens written through the Manager (reserved members
// beside the values, on the stack) are the tokens Codec.Encode writes for
// the same values with the members in the map, byte for byte.
func TestSealSessionMatchesEncode(t *testing.T) {
	now := time.Unix(1_795_000_000, 250_000_000)
	values := Values{"user": json.RawMessage(`"tom"`), "uid": json.RawMessage(`12345`), "roles": json.RawMessage(`["admin", "dev"]`)}
	life := lifeFacts{created: now.Add(-time.Hour), id: "AAAAAAAAAAAAAAAAAAAAAA", flashes: json.RawMessage(`[["message","saved"]]`)}
	for _, typ := range []Type{Base64, JWT} {
		for _, lifetime := range []time.Duration{0, 24 * time.Hour} {
			m, err := New(Config{Type: typ, SecretKey: strings.Repeat("k", 32), Lifetime: lifetime, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			var buf [4]member
			got, err := m.sealSession(values, m.reservedFields(life, buf[:0]), now)
			if err != nil {
				t.Fatal(err)
			}
			all := Values{}
			for k, raw := range values {
				all[k] = raw
			}
			if lifetime > 0 {
				all[createdKey] = appendNumericDate(nil, life.created)
			}
			if typ == JWT {
				all["iat"] = json.RawMessage(fmt.Sprint(life.created.Unix()))
				all["jti"] = json.RawMessage(`"` + life.id + `"`)
			} else {
				all[idKey] = json.RawMessage(`"` + life.id + `"`)
			}
			all[flashKey] = life.flashes
			want, err := m.codec.Encode(all)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s, Lifetime %v:\n got %s\nwant %s", typ, lifetime, got, want)
			}
		}
	}
}

func TestAppendNumericDateMatchesFormat(t *testing.T) {
	for _, ms := range []int64{0, 1, 10, 100, 120, 123, 999, 1000, 1_795_000_000_000, 1_795_000_000_001, 1_795_000_000_010, 1_795_000_000_500, 99_999_999_999_999} {
		tm := time.UnixMilli(ms)
		want := fmt.Sprintf("%d.%03d", ms/1000, ms%1000)
		want = strings.TrimRight(strings.TrimRight(want, "0"), ".")
		if ms%1000 == 0 {
			want = fmt.Sprint(ms / 1000)
		}
		if got := string(appendNumericDate(nil, tm)); got != want {
			t.Errorf("%d ms: got %s, want %s", ms, got, want)
		}
	}
}

// The Set-Cookie line is the one http.Cookie writes, for every
// configuration's attributes and every byte a value may hold.
func TestSetCookieLineIsHTTPCookies(t *testing.T) {
	// http.Cookie logs each byte it drops: quiet, the lines are compared.
	log.SetOutput(io.Discard)
	defer log.SetOutput(os.Stderr)
	configs := []Config{
		{Type: Base64},
		{Type: JWT, SecretKey: strings.Repeat("k", 32), Secure: true, SameSite: http.SameSiteStrictMode, Domain: "example.com", Path: "/app"},
		{Type: Fernet, SecretKey: strings.Repeat("k", 32), CookieName: "__Host-s", Secure: true, SameSite: http.SameSiteNoneMode, Partitioned: true},
		{Type: Base64, DisableHTTPOnly: true, MaxAge: time.Hour},
		{Type: IronSession, SecretKey: strings.Repeat("p", 32), MaxAge: time.Hour},
	}
	var values []string
	for c := 0; c < 256; c++ {
		values = append(values, "ab"+string(rune(c))+"cd", "ab"+string([]byte{byte(c)})+"cd")
	}
	values = append(values, "", "plain", `"quoted"`, "a b", "a,b", "eyJhbGciOiJIUzI1NiJ9.e30.sig-_")
	for _, cfg := range configs {
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if m.lineAttrs == "" {
			t.Fatalf("%+v: no attributes computed", cfg)
		}
		for _, v := range values {
			want := m.cfg.cookieLine(cookieFor(&m.cfg, m.cfg.CookieName, v))
			got, c := m.setCookie(m.cfg.CookieName, v, true)
			if got != want {
				t.Errorf("%s value %q:\n got %s\nwant %s", cfg.Type, v, got, want)
			}
			if c == nil || c.Value != v || c.Name != m.cfg.CookieName {
				t.Errorf("%s value %q: cookie %+v", cfg.Type, v, c)
			}
			// Another name (a chunk's) takes http.Cookie's own path.
			if got, _ := m.setCookie(m.cfg.CookieName+".1", v, false); got != m.cfg.cookieLine(cookieFor(&m.cfg, m.cfg.CookieName+".1", v)) {
				t.Errorf("%s chunk value %q: got %s", cfg.Type, v, got)
			}
		}
	}
}

// Saving a changed session of one cookie costs the cookie value and its
// Set-Cookie line (fernet: also its token and cipher): the object, the
// reserved members, the token and the signature stay on the stack. A
// Codec's Encode costs the value alone.
func TestWritePathAllocations(t *testing.T) {
	if !exactAllocBudgets() {
		t.Skip("allocation budgets measured with Go 1.24 to 1.26 and no race detector (see exactAllocBudgets); CI checks them on its main Go")
	}
	for _, c := range []struct {
		typ          Type
		save, encode float64
	}{{Base64, 2, 1}, {JWT, 2, 1}, {Fernet, 4, 3}} {
		for _, lifetime := range []time.Duration{0, time.Hour} {
			m, err := New(Config{Type: c.typ, SecretKey: strings.Repeat("k", 32), Lifetime: lifetime})
			if err != nil {
				t.Fatal(err)
			}
			s := m.Load(context.Background(), "")
			for k, v := range map[string]any{"user": "tom", "uid": 12345, "roles": []string{"admin", "dev"}} {
				if err := s.Set(k, v); err != nil {
					t.Fatal(err)
				}
			}
			s.Flash("saved")
			var lines [1]string
			var line string
			save := testing.AllocsPerRun(100, func() {
				s.version++
				_, out, err := m.save(s, false, false, lines[:0:1])
				if err != nil || len(out) != 1 {
					t.Fatalf("%s: %q, %v", c.typ, out, err)
				}
				line = out[0]
			})
			if !strings.HasPrefix(line, "session=") {
				t.Fatalf("%s: line %q", c.typ, line)
			}
			encode := testing.AllocsPerRun(100, func() {
				if _, err := m.codec.Encode(s.values); err != nil {
					t.Fatal(err)
				}
			})
			if save > c.save || encode > c.encode {
				t.Errorf("%s, Lifetime %v: save %v allocations (want %v), Encode %v (want %v)", c.typ, lifetime, save, c.save, encode, c.encode)
			}
		}
	}
}

// headerKeeper is a ResponseWriter that keeps its header map between runs.
type headerKeeper struct{ h http.Header }

func (w *headerKeeper) Header() http.Header         { return w.h }
func (w *headerKeeper) Write(b []byte) (int, error) { return len(b), nil }
func (w *headerKeeper) WriteHeader(int)             {}

// A request that changes its session allocates, beyond the per-request
// state and what Set itself keeps, only the cookie value and its line: the
// Set-Cookie and Cache-Control headers take the writer's own arrays.
func TestWriteRequestAllocations(t *testing.T) {
	if !exactAllocBudgets() {
		t.Skip("allocation budgets measured with Go 1.24 to 1.26 and no race detector (see exactAllocBudgets); CI checks them on its main Go")
	}
	m, err := New(Config{Type: JWT, SecretKey: strings.Repeat("k", 32)})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		// A json.RawMessage is kept as it is: no allocation in Set beyond
		// the values map.
		if err := FromRequest(r).Set("n", json.RawMessage(`1`)); err != nil {
			t.Fatal(err)
		}
		w.Write(nil)
	}))
	w := &headerKeeper{h: http.Header{}}
	r, err := http.NewRequest("GET", "/", nil)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		clear(w.h)
		h.ServeHTTP(w, r)
	})
	if got := w.h["Set-Cookie"]; len(got) != 1 || !strings.HasPrefix(got[0], "session=ey") {
		t.Fatalf("Set-Cookie %q", got)
	}
	if got := w.h.Get("Cache-Control"); got != `no-cache="Set-Cookie"` {
		t.Fatalf("Cache-Control %q", got)
	}
	// 9: the request state; the handler's json.RawMessage in an
	// interface; Set's check of it (encodeValue and its buffer) and the
	// values map (made on load, and its first group on Set); the
	// cookie's value, its line, and the runtime's share of tiny objects.
	// 24 before the write path kept its buffers on the stack.
	if allocs > 9 {
		t.Errorf("%v allocations per write request, want 9", allocs)
	}
}

// decimalDate reads the dates the package writes exactly, and reads them
// as the float path did: the same instant for creation times (kept to the
// millisecond), within the float's own precision for exp (whose float
// path kept the binary fraction's nanoseconds: for dates of today about
// 0.1 µs off the decimal). Anything else goes to the float path.
func TestDecimalDateMatchesFloatPath(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	inputs := []string{"0", "1", "9", "10", "1795000000", "1795000000.1", "1795000000.12", "1795000000.123",
		"1795000000.999", "99999999999", "99999999999.999", "0.001", "0.5", "1700000000.25"}
	for i := 0; i < 2000; i++ {
		sec := rng.Int63n(100_000_000_000)
		switch rng.Intn(4) {
		case 0:
			inputs = append(inputs, fmt.Sprint(sec))
		case 1:
			inputs = append(inputs, fmt.Sprintf("%d.%d", sec, rng.Intn(10)))
		case 2:
			inputs = append(inputs, fmt.Sprintf("%d.%02d", sec, rng.Intn(100)))
		default:
			inputs = append(inputs, fmt.Sprintf("%d.%03d", sec, rng.Intn(1000)))
		}
	}
	for _, in := range inputs {
		got, ok := decimalDate([]byte(in))
		if !ok {
			t.Fatalf("%s: not read", in)
		}
		f, err := strconv.ParseFloat(in, 64)
		if err != nil {
			t.Fatal(err)
		}
		sec, frac := math.Modf(f)
		created := time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond))
		if !got.Equal(created) {
			t.Errorf("%s: %v, the float path's creation time %v", in, got, created)
		}
		ulp := time.Duration((math.Nextafter(f, math.Inf(1)) - f) * 1e9)
		if d := got.Sub(dateOf(f)); d < -ulp || d > ulp+time.Nanosecond {
			t.Errorf("%s: %v, %v from the float path's exp (its precision %v)", in, got, d, ulp)
		}
	}
	for _, in := range []string{"", "-1", "01", "1.", "1.2345", "1e9", "1E+3", "100000000000", "1.5e3", `"1"`, "1 ", "١"} {
		if got, ok := decimalDate([]byte(in)); ok {
			t.Errorf("%q read as %v: not a date the package writes", in, got)
		}
	}
}

// The middleware's one allocation per request holds the session, the
// writer, the context and the copy of the request: with Go 1.26's
// 304-byte http.Request it is 640 bytes, a size class of the runtime's
// allocator; a field more would take every request to the next (704 or
// 768 bytes), untouched ones included. The bound leaves the request out,
// whose size depends on the Go version.
func TestRequestStateSize(t *testing.T) {
	own := unsafe.Sizeof(requestState{}) - unsafe.Sizeof(http.Request{})
	if own > 336 {
		t.Errorf("requestState without the request: %d bytes, want at most 336 (Session %d, writer %d)", own, unsafe.Sizeof(Session{}), unsafe.Sizeof(responseWriter{}))
	}
}

// The package's own members are checked even on the trusted path: a bug
// in one of their writers fails the save instead of writing a cookie that
// no reader accepts.
func TestAppendObjectChecksReservedMembers(t *testing.T) {
	v := Values{"user": json.RawMessage(`"tom"`)}
	for _, bad := range []member{textMemberOf("_cs_created", "0.+"), {key: flashKey, raw: json.RawMessage(`[[,"m"]]`)}, {key: "jti", raw: json.RawMessage(`"x`)}} {
		if out, err := appendObject(nil, v, []member{bad}, true); err == nil {
			t.Errorf("member %s=%s written: %s", bad.key, bad.value(), out)
		}
	}
}
