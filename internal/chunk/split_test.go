package chunk

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/format"
)

// alphabet is the base64url alphabet the formats write, plus '.', '-' and
// '_': any cookie value the formats make is a string over it.
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.="

// randomValue returns n random characters of alphabet.
func randomValue(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.Intn(len(alphabet))]
	}
	return string(b)
}

func mustNew(t testing.TB, name string, o Options) *Scheme {
	t.Helper()
	s, err := New(name, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// headerBytes is what cookies add to a Cookie header.
func headerBytes(cs []Cookie) int {
	n := 2 * (len(cs) - 1)
	for _, c := range cs {
		n += len(c.Name) + 1 + len(c.Value)
	}
	return n
}

// checkSplit checks the invariants of one Split result and that Join gives
// the value back.
func checkSplit(t *testing.T, s *Scheme, value string, cs []Cookie) {
	t.Helper()
	if len(cs) == 0 || len(cs) > s.MaxChunks() {
		t.Fatalf("len %d: %d cookies, the limit is %d", len(value), len(cs), s.MaxChunks())
	}
	if h := headerBytes(cs); h > s.MaxSize() {
		t.Fatalf("len %d: %d bytes of Cookie header, MaxSize %d", len(value), h, s.MaxSize())
	}
	for i, c := range cs {
		size := len(c.Name) + 1 + len(c.Value)
		if size > s.cookieBytes {
			t.Fatalf("len %d: cookie %s has %d bytes, CookieBytes %d", len(value), c.Name, size, s.cookieBytes)
		}
		// Minimal count: every cookie but the last is full.
		if i < len(cs)-1 && size != s.cookieBytes {
			t.Fatalf("len %d: cookie %s of %d has %d bytes, not filled to %d", len(value), c.Name, len(cs), size, s.cookieBytes)
		}
		if j := cookieSafe(c.Value); j >= 0 {
			t.Fatalf("cookie %s: byte %q is not cookie-safe", c.Name, c.Value[j])
		}
		want := s.name
		if i > 0 || (s.form == Iron && len(cs) > 1) {
			want = s.chunkName(i)
		}
		if c.Name != want {
			t.Fatalf("cookie %d is named %q, want %q", i, c.Name, want)
		}
	}
	if len(cs) == 1 && s.form == Native && cs[0].Value != value && value[0] != '!' {
		t.Fatalf("len %d: a value that fits one cookie was given a header", len(value))
	}
	got, err := s.Join(cs)
	if err != nil || len(got) != 1 || got[0] != value {
		t.Fatalf("len %d: Join = %d values, %v; want the value back", len(value), len(got), err)
	}
}

// TestSplitSweep splits values of every length (every seventh with -short)
// from 1 byte to beyond the largest accepted, in configurations that reach the boundaries of one
// cookie, of every chunk count (one- and two-digit counts included) and of
// MaxSize, and checks each result and its round trip.
func TestSplitSweep(t *testing.T) {
	configs := []struct {
		name string
		opts Options
	}{
		{"session", Options{}},
		{"my.app.session", Options{MaxSize: HardMaxSize, CookieBytes: MaxCookieBytes - 57}},
		{"s", Options{MaxSize: HardMaxSize, CookieBytes: MinCookieBytes}}, // 33 chunks
		{"__Host-s", Options{MaxSize: 5000, CookieBytes: 1000}},
		{"session", Options{Form: Iron, CookieBytes: MaxCookieBytes - 57}},
		{"a.b", Options{Form: Iron, MaxSize: 9000, CookieBytes: 2000}},
		{"i", Options{Form: Iron, MaxSize: 7000, CookieBytes: 2000}}, // MaxSize binds before the 4 chunks
	}
	rng := rand.New(rand.NewSource(1))
	for _, cfg := range configs {
		s := mustNew(t, cfg.name, cfg.opts)
		t.Run(fmt.Sprintf("%s/%s/%d/%d", s.form, cfg.name, s.maxSize, s.cookieBytes), func(t *testing.T) {
			full := randomValue(rng, s.maxSize+1)
			counts := map[int]bool{}
			largest := 0
			step := 1
			if testing.Short() {
				step = 7 // still crosses every chunk count, not every byte
			}
			for n := 1; n <= s.maxSize; n += step {
				value := full[:n]
				cs, err := s.Split(value)
				if err != nil {
					if !errors.Is(err, format.ErrTooLarge) {
						t.Fatalf("len %d: %v, want ErrTooLarge", n, err)
					}
					if largest == 0 {
						largest = n - 1
					}
					continue
				}
				if largest != 0 {
					t.Fatalf("len %d accepted after len %d was refused", n, largest+1)
				}
				checkSplit(t, s, value, cs)
				counts[len(cs)] = true
			}
			if largest == 0 {
				t.Fatalf("no length up to MaxSize %d refused", s.maxSize)
			}
			// Every count below MaxChunks is reached (MaxChunks itself
			// only where MaxSize leaves room for a last chunk).
			for n := 1; n < s.maxChunks && step == 1; n++ {
				if !counts[n] {
					t.Errorf("no value was split into %d cookies", n)
				}
			}
			t.Logf("largest value %d bytes; %d chunk counts used; MaxChunks %d", largest, len(counts), s.maxChunks)
		})
	}
}

// TestSplitBoundaries pins the wire sizes of the default configuration.
func TestSplitBoundaries(t *testing.T) {
	s := mustNew(t, "session", Options{})
	// One cookie: "session=" + value within 3936 bytes: 3928.
	// Two: head "session=!2.<8>." (20) + 3916, chunk "session.1=<8>." (19) +
	// rest, within 6144 bytes of header: rest 6144-3936-2-19 = 2187.
	tests := []struct {
		length  int
		cookies int // 0: ErrTooLarge
	}{
		{1, 1}, {3927, 1}, {3928, 1}, {3929, 2}, {3930, 2},
		{3916 + 2186, 2}, {3916 + 2187, 2}, {3916 + 2188, 0}, {7000, 0},
	}
	rng := rand.New(rand.NewSource(2))
	for _, tt := range tests {
		value := randomValue(rng, tt.length)
		cs, err := s.Split(value)
		if tt.cookies == 0 {
			if !errors.Is(err, format.ErrTooLarge) {
				t.Errorf("len %d: err %v, want ErrTooLarge", tt.length, err)
			}
			continue
		}
		if err != nil || len(cs) != tt.cookies {
			t.Errorf("len %d: %d cookies, %v; want %d", tt.length, len(cs), err, tt.cookies)
			continue
		}
		checkSplit(t, s, value, cs)
	}
}

// TestSplitWire pins the Native wire form.
func TestSplitWire(t *testing.T) {
	s := mustNew(t, "sid", Options{CookieBytes: MinCookieBytes})
	value := strings.Repeat("A", 600)
	cs, err := s.Split(value)
	if err != nil {
		t.Fatal(err)
	}
	d := digestOf(value)
	want := []Cookie{
		{"sid", "!2." + d + "." + strings.Repeat("A", MinCookieBytes-len("sid=!2.")-digestLen-1)},
		{"sid.1", d + "." + strings.Repeat("A", 600-(MinCookieBytes-len("sid=!2.")-digestLen-1))},
	}
	if fmt.Sprint(cs) != fmt.Sprint(want) {
		t.Fatalf("Split = %v\nwant %v", cs, want)
	}
	// Python: base64.urlsafe_b64encode(hashlib.sha256(b"A"*600).digest()[:6])
	if d != "J3-HKiRS" {
		t.Fatalf("digest %q, want J3-HKiRS", d)
	}
	// A value starting with '!' gets the header even when it fits.
	cs, err = s.Split("!x")
	if err != nil || len(cs) != 1 || cs[0].Value != "!1.NVAznvQk.!x" {
		t.Fatalf("Split(\"!x\") = %v, %v", cs, err)
	}
	checkSplit(t, s, "!x", cs)
}

// TestSplitRefuses checks the values Split refuses.
func TestSplitRefuses(t *testing.T) {
	for _, form := range []Form{Native, Iron} {
		s := mustNew(t, "session", Options{Form: form})
		for _, tt := range []struct {
			value string
			want  error
		}{
			{"", format.ErrMalformed},
			{"a b", format.ErrMalformed},
			{"a;b", format.ErrMalformed},
			{"a,b", format.ErrMalformed},
			{"a\"b", format.ErrMalformed},
			{"a\\b", format.ErrMalformed},
			{"a\x00b", format.ErrMalformed},
			{"caf\xc3\xa9", format.ErrMalformed},
			{strings.Repeat("a", IronMaxSize), format.ErrTooLarge},
		} {
			cs, err := s.Split(tt.value)
			if !errors.Is(err, tt.want) || cs != nil {
				t.Errorf("%s: Split(%.10q) = %v, %v; want %v", form, tt.value, cs, err, tt.want)
			}
		}
	}
}

// TestNew checks the configuration New refuses and its defaults.
func TestNew(t *testing.T) {
	bad := []struct {
		name string
		opts Options
	}{
		{"", Options{}},
		{"a b", Options{}},
		{"a=b", Options{}},
		{"a;b", Options{}},
		{"sess\xc3\xa9", Options{}},
		{"s", Options{MaxSize: MinMaxSize - 1}},
		{"s", Options{MaxSize: HardMaxSize + 1}},
		{"s", Options{MaxSize: -1}},
		{"s", Options{Form: Iron, MaxSize: IronMaxSize + 1}},
		{"s", Options{CookieBytes: MinCookieBytes - 1}},
		{"s", Options{CookieBytes: MaxCookieBytes + 1}},
		{"s", Options{Form: 7}},
		{strings.Repeat("n", 250), Options{CookieBytes: MinCookieBytes}},
	}
	for _, tt := range bad {
		if s, err := New(tt.name, tt.opts); err == nil {
			t.Errorf("New(%q, %+v) = %+v, want an error", tt.name, tt.opts, s)
		}
	}
	s := mustNew(t, "session", Options{})
	if s.MaxSize() != DefaultMaxSize || s.cookieBytes != DefaultCookieBytes || s.Form() != Native || s.MaxChunks() != 2 || s.Name() != "session" {
		t.Errorf("defaults: %+v", s)
	}
	s = mustNew(t, "session", Options{MaxSize: HardMaxSize})
	if s.MaxChunks() != 5 {
		t.Errorf("MaxChunks at HardMaxSize = %d, want 5", s.MaxChunks())
	}
	s = mustNew(t, "session", Options{Form: Iron})
	if s.MaxSize() != IronMaxSize || s.MaxChunks() != IronMaxChunks {
		t.Errorf("iron defaults: %+v", s)
	}
	if HardMaxChunks != 33 {
		t.Errorf("HardMaxChunks = %d", HardMaxChunks)
	}
}
