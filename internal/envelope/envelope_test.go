package envelope

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/format"
)

func mustNew(t testing.TB, o Options) *Envelope {
	t.Helper()
	e, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// session returns a realistic session object of about size bytes: a CSRF
// token, a user, a cart, recently viewed pages, as compact JSON.
func session(rng *rand.Rand, size int) []byte {
	token := make([]byte, 32)
	rng.Read(token)
	s := map[string]any{
		"csrf": base64.RawURLEncoding.EncodeToString(token),
		"user": map[string]any{"id": 48213, "name": "Tom Dupont", "email": "tom@example.com", "roles": []string{"customer", "beta"}},
	}
	var cart, recent []any
	for i := 0; ; i++ {
		cart = append(cart, map[string]any{"sku": fmt.Sprintf("SKU-%05d", rng.Intn(100000)), "name": fmt.Sprintf("Item %d", i), "qty": 1 + rng.Intn(5), "price": 100 + rng.Intn(9900)})
		recent = append(recent, fmt.Sprintf("/products/%d?ref=search&q=%x", rng.Intn(1000000), rng.Int63()))
		s["cart"], s["recent"] = cart, recent
		b, err := json.Marshal(s)
		if err != nil {
			panic(err)
		}
		if len(b) >= size {
			return b
		}
	}
}

// deflate returns the marker and data's raw DEFLATE stream.
func deflate(t testing.TB, data []byte, level int) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteByte(Marker)
	w, err := flate.NewWriter(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRoundTrip packs objects of every kind and size and reads them back.
func TestRoundTrip(t *testing.T) {
	e := mustNew(t, Options{})
	rng := rand.New(rand.NewSource(1))
	letters := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a' + byte(rng.Intn(26))
		}
		return []byte(`{"fill":"` + string(b) + `"}`)
	}
	random := make([]byte, 3000)
	rng.Read(random)
	incompressible, _ := json.Marshal(map[string]string{"k": base64.StdEncoding.EncodeToString(random)[:40]})
	unit := letters(100)[len(`{"fill":"`) : len(`{"fill":"`)+100]
	repetitive := []byte(`{"a":"` + strings.Repeat(string(unit), 40) + `"}`) // about 30 to 1
	tests := []struct {
		name       string
		object     []byte
		compressed bool
	}{
		{"empty object", []byte("{}"), false},
		{"one key", []byte(`{"a":1}`), false},
		{"short, incompressible", incompressible, false},
		{"session 1 KB", session(rng, 1000), true},
		{"session 10 KB", session(rng, 10000), true},
		{"session 60 KB", session(rng, 60000), true},
		{"random letters 3 KB", letters(3000), true},
		{"random letters 12 KB", letters(12000), true},
		{"repetitive, ratio under 64", repetitive, true},
		{"repetitive, ratio over 64: left plain", []byte(`{"a":"` + strings.Repeat("a", 30000) + `"}`), false},
		{"at MaxSize", letters(DefaultMaxSize - len(`{"fill":""}`)), true},
		{"over MaxSize: left plain", letters(DefaultMaxSize - len(`{"fill":""}`) + 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			packed, err := e.Pack(tt.object)
			if err != nil {
				t.Fatal(err)
			}
			if compressed := packed[0] == Marker; compressed != tt.compressed {
				t.Fatalf("compressed = %v, want %v (%d -> %d bytes)", compressed, tt.compressed, len(tt.object), len(packed))
			}
			if tt.compressed {
				if len(packed) >= len(tt.object) {
					t.Fatalf("compressed to %d bytes from %d", len(packed), len(tt.object))
				}
				t.Logf("%d -> %d bytes (ratio %.1f)", len(tt.object), len(packed), float64(len(tt.object))/float64(len(packed)))
			} else if &packed[0] != &tt.object[0] || len(packed) != len(tt.object) {
				t.Fatal("a plain object was not passed through untouched")
			}
			got, err := e.Unpack(packed)
			if err != nil || !bytes.Equal(got, tt.object) {
				t.Fatalf("Unpack = %.40q, %v", got, err)
			}
		})
	}
}

// TestPassThrough checks that Unpack leaves every payload without the
// marker untouched, JSON or not: the layer adds nothing to today's wire
// format.
func TestPassThrough(t *testing.T) {
	e := mustNew(t, Options{})
	for _, p := range []string{`{"a":1}`, ` {"a":1}`, `[1]`, `"s"`, `garbage`, "\x00\xff", `.eJyrVkpUslIqLs1NLUpVqgUAKy8E7A`, "x~"} {
		in := []byte(p)
		got, err := e.Unpack(in)
		if err != nil || &got[0] != &in[0] || len(got) != len(in) {
			t.Errorf("Unpack(%q) = %q, %v; want it untouched", p, got, err)
		}
	}
	if got, err := e.Unpack(nil); got != nil || err != nil {
		t.Errorf("Unpack(nil) = %q, %v", got, err)
	}
}

// TestBombs checks that expansions past MaxSize or MaxRatio are refused,
// at the boundary exactly.
func TestBombs(t *testing.T) {
	e := mustNew(t, Options{MaxSize: 8192, MaxRatio: 32})
	object := func(n int) []byte { // n bytes: {"a":"aaaa…"}
		return []byte(`{"a":"` + strings.Repeat("a", n-8) + `"}`)
	}
	big := append(append([]byte(`{"a":"`), bytes.Repeat([]byte{0}, 1<<20)...), '"', '}')
	type bomb struct {
		name    string
		payload []byte
		want    error
	}
	tests := []bomb{
		{"1 MB of zeros", deflate(t, big, flate.BestCompression), format.ErrTooLarge},
		{"MaxSize exactly", deflate(t, object(8192), flate.NoCompression), nil},
		{"MaxSize plus one", deflate(t, object(8193), flate.NoCompression), format.ErrTooLarge},
	}
	// The ratio: a payload of p bytes may expand to 32*p bytes, not one
	// more. The payload of object(m) grows far slower than m, so as m
	// grows, 32*len(payload) - m falls by one at each step (and jumps up
	// when the payload grows): it passes 0 and -1 exactly.
	var exact, past bool
	for m := 64; m <= 8192 && !(exact && past); m++ {
		p := deflate(t, object(m), flate.BestCompression)
		switch 32*len(p) - m {
		case 0:
			exact = true
			tests = append(tests, bomb{fmt.Sprintf("ratio exactly 32 (%d from %d)", m, len(p)), p, nil})
		case -1:
			past = true
			tests = append(tests, bomb{fmt.Sprintf("ratio past 32 (%d from %d)", m, len(p)), p, format.ErrTooLarge})
		}
	}
	if !exact || !past {
		t.Fatal("no payload at the ratio boundary")
	}
	for _, tt := range tests {
		got, err := e.Unpack(tt.payload)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
		if err != nil && got != nil {
			t.Errorf("%s: a value beside the error", tt.name)
		}
		t.Logf("%s: %d bytes: %v", tt.name, len(tt.payload), err)
	}
}

// TestMalformed checks payloads with the marker that are no stream of an
// object.
func TestMalformed(t *testing.T) {
	e := mustNew(t, Options{})
	good := deflate(t, []byte(`{"user":"tom","n":[1,2,3,1,2,3,1,2,3]}`), flate.BestCompression)
	tests := []struct {
		name    string
		payload []byte
	}{
		{"marker only", []byte{Marker}},
		{"garbage", []byte("~garbage")},
		{"truncated", good[:len(good)-3]},
		{"trailing byte", append(append([]byte{}, good...), 0)},
		{"trailing stream", append(append([]byte{}, good...), good[1:]...)},
		{"an array", deflate(t, []byte(`[1,2,3]`), flate.BestCompression)},
		{"nested marker", deflate(t, good, flate.NoCompression)},
		{"empty stream", deflate(t, nil, flate.BestCompression)},
		{"whitespace first", deflate(t, []byte(` {"a":1}`), flate.BestCompression)},
	}
	for _, tt := range tests {
		got, err := e.Unpack(tt.payload)
		if !errors.Is(err, format.ErrMalformed) || got != nil {
			t.Errorf("%s: Unpack = %q, %v; want ErrMalformed", tt.name, got, err)
		}
	}
	if got, err := e.Unpack(good); err != nil || got[0] != '{' {
		t.Fatalf("the good payload: %v", err)
	}
	for _, o := range []string{"", "[1]", " {}", "~{}"} {
		if _, err := e.Pack([]byte(o)); !errors.Is(err, format.ErrMalformed) {
			t.Errorf("Pack(%q): err = %v, want ErrMalformed", o, err)
		}
	}
}

// TestNew checks the options New refuses and its defaults.
func TestNew(t *testing.T) {
	for _, o := range []Options{
		{MaxSize: MinMaxSize - 1}, {MaxSize: HardMaxSize + 1}, {MaxSize: -1},
		{MaxRatio: 1}, {MaxRatio: HardMaxRatio + 1}, {MaxRatio: -5},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v): no error", o)
		}
	}
	e := mustNew(t, Options{})
	if e.MaxSize() != DefaultMaxSize || e.MaxRatio() != DefaultMaxRatio {
		t.Errorf("defaults: %+v", e)
	}
}

// TestConcurrent packs and unpacks from several goroutines (run with
// -race): the pooled DEFLATE states are never shared.
func TestConcurrent(t *testing.T) {
	e := mustNew(t, Options{})
	rng := rand.New(rand.NewSource(2))
	var objects [][]byte
	for _, n := range []int{300, 2000, 9000, 20000} {
		objects = append(objects, session(rng, n))
	}
	done := make(chan error)
	for g := 0; g < 8; g++ {
		go func(g int) {
			for i := 0; i < 50; i++ {
				o := objects[(g+i)%len(objects)]
				p, err := e.Pack(o)
				if err == nil {
					var got []byte
					got, err = e.Unpack(p)
					if err == nil && !bytes.Equal(got, o) {
						err = errors.New("round trip changed the object")
					}
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
