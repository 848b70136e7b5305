package chunk

import (
	"encoding/json"
	"errors"
	"math/rand"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/format"
)

// split is Split that must succeed.
func split(t *testing.T, s *Scheme, value string) []Cookie {
	t.Helper()
	cs, err := s.Split(value)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// cat returns the concatenation of cookie lists.
func cat(lists ...[]Cookie) []Cookie {
	var out []Cookie
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// with returns cs with cookie i's value replaced.
func with(cs []Cookie, i int, value string) []Cookie {
	out := slices.Clone(cs)
	out[i].Value = value
	return out
}

// without returns cs without cookie i.
func without(cs []Cookie, i int) []Cookie {
	return slices.Delete(slices.Clone(cs), i, i+1)
}

// joinCase is one request's cookies and what Join must make of them.
type joinCase struct {
	name    string
	cookies []Cookie
	want    []string // the values, in order
	err     error    // the sentinel err must wrap; nil: err must be nil
}

func runJoin(t *testing.T, s *Scheme, tests []joinCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Join(tt.cookies)
			if tt.err == nil && err != nil || tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Join = %d values %v\nwant %d values %v", len(got), short(got), len(tt.want), short(tt.want))
			}
			for _, v := range got {
				if len(s.name)+1+len(v) > s.maxSize {
					t.Errorf("a value of %d bytes passes MaxSize %d", len(v), s.maxSize)
				}
			}
		})
	}
}

// short abbreviates values for messages.
func short(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		if len(v) > 12 {
			v = v[:12] + "…"
		}
		out[i] = v
	}
	return out
}

// TestJoinNativeHostile is the table of chunk sets a client or a sibling
// site can send: each is either read as exactly one write or refused as a
// whole.
func TestJoinNativeHostile(t *testing.T) {
	s := mustNew(t, "session", Options{MaxSize: HardMaxSize})
	rng := rand.New(rand.NewSource(3))
	v1 := randomValue(rng, 10000)
	v2 := randomValue(rng, 10000) // another write, same length
	a := split(t, s, v1)
	b := split(t, s, v2)
	if len(a) != 3 || len(b) != 3 {
		t.Fatalf("want 3 chunks, got %d and %d", len(a), len(b))
	}
	small := split(t, s, "eyJhIjoxfQ") // a later write that fits one cookie
	longer := split(t, s, randomValue(rng, 15000))
	if len(longer) != 4 {
		t.Fatalf("want 4 chunks, got %d", len(longer))
	}
	d1 := digestOf(v1)
	forged1 := d1 + "." + strings.Repeat("A", len(a[1].Value)-digestLen-1)
	head := func(count string) []Cookie {
		return with(a, 0, "!"+count+"."+d1+"."+a[0].Value[len("!3.")+digestLen+1:])
	}
	tests := []joinCase{
		{"whole write", a, []string{v1}, nil},
		{"chunks in any cookie order", []Cookie{a[2], a[0], a[1]}, []string{v1}, nil},
		{"quoted values", []Cookie{{a[0].Name, `"` + a[0].Value + `"`}, a[1], {a[2].Name, `"` + a[2].Value + `"`}}, []string{v1}, nil},
		{"other cookies around", cat([]Cookie{{"theme", "dark"}, {"session.x", "1"}, {"sessionid", "9"}}, a, []Cookie{{"session.", "z"}}), []string{v1}, nil},
		{"mixed writes: chunk 1 of another", []Cookie{a[0], b[1], a[2]}, nil, format.ErrMalformed},
		{"mixed writes: head of another", []Cookie{b[0], a[1], a[2]}, nil, format.ErrMalformed},
		{"missing chunk 1", without(a, 1), nil, format.ErrMalformed},
		{"missing last chunk", without(a, 2), nil, format.ErrMalformed},
		{"only chunks, no head", a[1:], nil, nil},
		{"reordered: values of 1 and 2 swapped", []Cookie{a[0], {a[1].Name, a[2].Value}, {a[2].Name, a[1].Value}}, nil, format.ErrMalformed},
		{"duplicated: chunk 1's value as chunk 2", with(a, 2, a[1].Value), nil, format.ErrMalformed},
		{"duplicated: head's piece as chunk 1", with(a, 1, d1+"."+a[0].Value[len("!3.")+digestLen+1:]), nil, format.ErrMalformed},
		{"forged chunk with the right digest", with(a, 1, forged1), nil, format.ErrMalformed},
		{"forged extra chunk before the real one", cat([]Cookie{{"session.1", forged1}}, a), []string{v1}, nil},
		{"another write's chunk 1 first (sibling domain)", cat([]Cookie{b[1]}, a), []string{v1}, nil},
		{"identical duplicates", cat(a, a), []string{v1}, nil},
		{"extra chunk beyond the count", cat(a, []Cookie{{"session.3", d1 + ".AAAA"}}), []string{v1}, nil},
		{"stale chunks of a longer write", cat(a, longer[3:]), []string{v1}, nil},
		{"shrunk to one cookie, stale chunks left", cat(small, a[1:]), []string{"eyJhIjoxfQ"}, nil},
		{"whole cookie beside chunks", cat([]Cookie{{"session", "plain"}}, a[1:]), []string{"plain"}, nil},
		{"count 10,000", head("10000"), nil, format.ErrTooLarge},
		{"count 99", head("99"), nil, format.ErrTooLarge},
		{"count 18446744073709551617", head("18446744073709551617"), nil, format.ErrTooLarge},
		{"count one more than MaxChunks", head("6"), nil, format.ErrTooLarge},
		{"count 4 of 3", head("4"), nil, format.ErrMalformed},
		{"count 2 of 3", head("2"), nil, format.ErrMalformed},
		{"count 0", head("0"), nil, format.ErrMalformed},
		{"count 03", head("03"), nil, format.ErrMalformed},
		{"count -3", head("-3"), nil, format.ErrMalformed},
		{"count +3", head("+3"), nil, format.ErrMalformed},
		{"no count", with(a, 0, "!."+d1+".AAAA"), nil, format.ErrMalformed},
		{"no dot", with(a, 0, "!3"), nil, format.ErrMalformed},
		{"only the bang", with(a, 0, "!"), nil, format.ErrMalformed},
		{"short digest", with(a, 0, "!3.abc"), nil, format.ErrMalformed},
		{"empty first piece", with(a, 0, "!3."+d1+"."), nil, format.ErrMalformed},
		{"chunk name with a leading zero", []Cookie{a[0], {"session.01", a[1].Value}, a[2]}, nil, format.ErrMalformed},
		{"chunk 1 empty", with(a, 1, ""), nil, format.ErrMalformed},
		{"chunk 1 digest only", with(a, 1, d1+"."), nil, format.ErrMalformed},
		{"an empty value with its digest", []Cookie{{"session", "!1." + digestOf("") + "."}}, nil, format.ErrMalformed},
		{"an empty third piece with the right digest", []Cookie{{"session", "!3." + digestOf(v1[:8000]) + "." + v1[:4000]}, {"session.1", digestOf(v1[:8000]) + "." + v1[4000:8000]}, {"session.2", digestOf(v1[:8000]) + "."}}, nil, format.ErrMalformed},
		{"oversized chunk", with(a, 1, d1+"."+strings.Repeat("A", MaxCookieBytes)), nil, format.ErrTooLarge},
		{"oversized whole", []Cookie{{"session", strings.Repeat("A", MaxCookieBytes)}}, nil, format.ErrTooLarge},
		{"bad first head, good second", cat([]Cookie{{"session", "!3.x"}}, a), []string{v1}, format.ErrMalformed},
		{"two whole cookies", []Cookie{{"session", "one"}, {"session", ""}, {"session", "two"}}, []string{"one", "two"}, nil},
		{"no cookies", nil, nil, nil},
		{"empty cookie", []Cookie{{"session", ""}}, nil, nil},
	}
	runJoin(t, s, tests)
}

// TestJoinNativeBounds checks the limits on work and size.
func TestJoinNativeBounds(t *testing.T) {
	big := mustNew(t, "session", Options{MaxSize: HardMaxSize})
	small := mustNew(t, "session", Options{}) // 6 KiB
	rng := rand.New(rand.NewSource(4))
	v := randomValue(rng, 10000)
	cs := split(t, big, v)
	// A reader with a smaller MaxSize refuses the write before reassembly.
	if got, err := small.Join(cs); got != nil || !errors.Is(err, format.ErrTooLarge) {
		t.Errorf("6 KiB reader: %d values, %v; want ErrTooLarge", len(got), err)
	}
	// A two-chunk write of cookies larger than the reader's, within its
	// chunk count but over its MaxSize: refused before reassembly.
	wide := mustNew(t, "session", Options{MaxSize: HardMaxSize, CookieBytes: MaxCookieBytes})
	cs2 := split(t, wide, v[:8000])
	if len(cs2) != 2 || len(cs2) > small.MaxChunks() {
		t.Fatalf("%d chunks", len(cs2))
	}
	if got, err := small.Join(cs2); got != nil || !errors.Is(err, format.ErrTooLarge) {
		t.Errorf("6 KiB reader, 2 chunks of 8 KB: %d values, %v; want ErrTooLarge", len(got), err)
	}
	// With 33 chunks allowed, counts of three digits or more are still
	// refused as too large, before any chunk is looked up.
	many := mustNew(t, "s", Options{MaxSize: HardMaxSize, CookieBytes: MinCookieBytes})
	if many.MaxChunks() != 33 {
		t.Fatalf("MaxChunks %d", many.MaxChunks())
	}
	for _, count := range []string{"34", "100", "10000", "330"} {
		head := Cookie{"s", "!" + count + ".AAAAAAAA.x"}
		if got, err := many.Join([]Cookie{head}); got != nil || !errors.Is(err, format.ErrTooLarge) {
			t.Errorf("count %s: %v, %v; want ErrTooLarge", count, got, err)
		}
	}
	// Many heads and many duplicates: at most MaxCandidates values and
	// reassemblies, whatever the request holds.
	var flood []Cookie
	for i := 0; i < 50; i++ {
		flood = append(flood, cs[0])
		for j := 0; j < 20; j++ {
			flood = append(flood, Cookie{"session.1", cs[1].Value[:digestLen+1] + randomValue(rng, 10)})
			flood = append(flood, Cookie{"session.2", cs[2].Value[:digestLen+1] + randomValue(rng, 10)})
		}
	}
	got, err := big.Join(flood)
	if len(got) != 0 || !errors.Is(err, format.ErrMalformed) {
		t.Errorf("flood: %d values, %v; want none, ErrMalformed", len(got), err)
	}
	sc := big.scan(flood)
	if len(sc.heads) > MaxCandidates || len(sc.slots[1]) > maxDuplicates {
		t.Errorf("scan kept %d heads and %d chunk 1 values", len(sc.heads), len(sc.slots[1]))
	}
	tries := MaxCandidates
	if _, err := big.reassemble(cs[0].Value, sc.slots, &tries); err == nil || tries != 0 {
		t.Errorf("reassemble over the flood: %v, %d tries left; want an error after spending all", err, tries)
	}
	// The real chunks after the flood's: found only within the bound.
	got, _ = big.Join(cat(cs, flood))
	if len(got) != 1 || got[0] != v {
		t.Errorf("real chunks first: %d values", len(got))
	}
}

// TestJoinNames checks cookie names with dots, and names that only look
// like chunks.
func TestJoinNames(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	v := randomValue(rng, 5000)
	dotted := mustNew(t, "my.app.session", Options{})
	cs := split(t, dotted, v)
	if cs[1].Name != "my.app.session.1" {
		t.Fatalf("chunk 1 is named %q", cs[1].Name)
	}
	runJoin(t, dotted, []joinCase{
		{"dotted name", cs, []string{v}, nil},
		{"dotted name, other apps' cookies", cat([]Cookie{{"my.app", "x"}, {"my.app.1", "y"}, {"my.app.session.1.1", "z"}}, cs), []string{v}, nil},
	})
	// The session "my" sees none of the cookies of "my.app.session".
	my := mustNew(t, "my", Options{})
	runJoin(t, my, []joinCase{{"prefix of another name", cs, nil, nil}})
	// The session "my.app" sees a cookie "my.app.session" as nothing.
	myApp := mustNew(t, "my.app", Options{})
	runJoin(t, myApp, []joinCase{{"longer name", cs, nil, nil}})
}

// ironVector is the chunked session iron-session 9.0.1 set.
type ironVector struct {
	Name       string   `json:"cookie_name"`
	Attributes string   `json:"set_cookie_attributes"`
	Cookies    []Cookie `json:"cookies"`
}

func readIronVector(t *testing.T) ironVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/iron-chunked.json")
	if err != nil {
		t.Fatal(err)
	}
	var vec struct {
		Name       string `json:"cookie_name"`
		Attributes string `json:"set_cookie_attributes"`
		Cookies    []struct{ Name, Value string }
	}
	if err := json.Unmarshal(raw, &vec); err != nil {
		t.Fatal(err)
	}
	out := ironVector{Name: vec.Name, Attributes: vec.Attributes}
	for _, c := range vec.Cookies {
		out.Cookies = append(out.Cookies, Cookie{c.Name, c.Value})
	}
	if len(out.Cookies) != 3 {
		t.Fatalf("the vector has %d cookies", len(out.Cookies))
	}
	return out
}

// TestIronVector reads the cookies iron-session 9 set and writes the same
// cookies again.
func TestIronVector(t *testing.T) {
	vec := readIronVector(t)
	s := mustNew(t, vec.Name, Options{Form: Iron, CookieBytes: MaxCookieBytes - len(vec.Attributes)})
	seal := vec.Cookies[0].Value + vec.Cookies[1].Value + vec.Cookies[2].Value
	if !strings.HasPrefix(seal, "Fe26.2*") || !strings.HasSuffix(seal, "~2") {
		t.Fatalf("not an iron seal: %.20s…", seal)
	}
	got, err := s.Join(vec.Cookies)
	if err != nil || len(got) != 1 || got[0] != seal {
		t.Fatalf("Join = %v, %v", short(got), err)
	}
	cs, err := s.Split(seal)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cs, vec.Cookies) {
		t.Fatalf("Split gives %d cookies of %v bytes, iron-session wrote %d of %v", len(cs), lens(cs), len(vec.Cookies), lens(vec.Cookies))
	}
}

func lens(cs []Cookie) []int {
	out := make([]int, len(cs))
	for i, c := range cs {
		out[i] = len(c.Value)
	}
	return out
}

// TestJoinIron is the table for iron-session's form.
func TestJoinIron(t *testing.T) {
	vec := readIronVector(t)
	s := mustNew(t, "session", Options{Form: Iron})
	c := vec.Cookies
	seal := c[0].Value + c[1].Value + c[2].Value
	tests := []joinCase{
		{"iron-session's chunks", c, []string{seal}, nil},
		{"any cookie order", []Cookie{c[2], c[1], c[0]}, []string{seal}, nil},
		{"whole cookie wins over chunks", cat(c, []Cookie{{"session", "Fe26.2*whole"}}), []string{"Fe26.2*whole"}, nil},
		{"empty whole cookie: chunks", cat([]Cookie{{"session", ""}}, c), []string{seal}, nil},
		{"several whole cookies", []Cookie{{"session", "w1"}, {"session", "w2"}, {"session", "w1"}}, []string{"w1", "w2"}, nil},
		{"gap at 1: chunk 0 only", without(c, 1), []string{c[0].Value}, nil},
		{"empty chunk 1 is a gap", with(c, 1, ""), []string{c[0].Value}, nil},
		{"no chunk 0: nothing", c[1:], nil, nil},
		{"reordered values: read in index order", []Cookie{{"session.0", c[1].Value}, {"session.1", c[0].Value}, c[2]}, []string{c[1].Value + c[0].Value + c[2].Value}, nil},
		{"a fifth chunk is never read", cat(c, []Cookie{{"session.3", "D"}, {"session.4", "E"}}), []string{seal + "D"}, nil},
		{"duplicate chunk 1: first first", cat(c[:1], []Cookie{{"session.1", "X"}}, c[1:]), []string{c[0].Value + "X" + c[2].Value, seal}, nil},
		{"chunk names with leading zeros are not chunks", []Cookie{{"session.00", "a"}, {"session.01", "b"}}, nil, nil},
		{"oversized chunk", with(c, 1, strings.Repeat("A", MaxCookieBytes)), []string{c[0].Value}, format.ErrTooLarge},
		{"no cookies", nil, nil, nil},
	}
	runJoin(t, s, tests)
	// Duplicates of every chunk: at most MaxCandidates values.
	var dup []Cookie
	for i := 0; i < 4; i++ {
		for j := 0; j < 6; j++ {
			dup = append(dup, Cookie{s.chunkName(i), string(rune('a'+j)) + "x"})
		}
	}
	if got, _ := s.Join(dup); len(got) != MaxCandidates {
		t.Errorf("duplicates: %d values, want %d", len(got), MaxCandidates)
	}
	// Four full chunks over a smaller MaxSize: refused.
	small := mustNew(t, "session", Options{Form: Iron, MaxSize: 8192})
	full := make([]Cookie, 4)
	for i := range full {
		full[i] = Cookie{small.chunkName(i), strings.Repeat("A", 4000)}
	}
	if got, err := small.Join(full); got != nil || !errors.Is(err, format.ErrTooLarge) {
		t.Errorf("over MaxSize: %d values, %v", len(got), err)
	}
}

// TestStale checks which names a response must expire.
func TestStale(t *testing.T) {
	native := mustNew(t, "s.x", Options{MaxSize: HardMaxSize})
	iron := mustNew(t, "s.x", Options{Form: Iron})
	rng := rand.New(rand.NewSource(6))
	three := split(t, native, randomValue(rng, 10000))
	one := split(t, native, "abc")
	ironThree := split(t, iron, randomValue(rng, 10000))
	ironOne := split(t, iron, "abc")
	req := func(names ...string) []Cookie {
		var cs []Cookie
		for _, n := range names {
			cs = append(cs, Cookie{n, "v"})
		}
		return cs
	}
	tests := []struct {
		name    string
		s       *Scheme
		request []Cookie
		written []Cookie
		want    []string
	}{
		{"native shrink 3 to 1", native, three, one, []string{"s.x.1", "s.x.2"}},
		{"native grow 1 to 3", native, one, three, nil},
		{"native same size", native, three, three, nil},
		{"native cleared", native, three, nil, []string{"s.x", "s.x.1", "s.x.2"}},
		{"native empty-valued chunk counts", native, cat(one, []Cookie{{"s.x.4", ""}}), one, []string{"s.x.4"}},
		{"native beyond this MaxSize's chunks", native, req("s.x", "s.x.20", "s.x.32", "s.x.33"), one, []string{"s.x.20", "s.x.32"}},
		{"native: not ours", native, req("s.x.0", "s.x.01", "s.x.1.1", "s", "s.x1", "other", "t.x.1", "s.y.2", "sxxx.3"), one, nil},
		{"native: request order does not matter", native, req("s.x.2", "s.x", "s.x.1", "s.x.2"), nil, []string{"s.x", "s.x.1", "s.x.2"}},
		{"iron chunks to whole", iron, ironThree, ironOne, []string{"s.x.0", "s.x.1", "s.x.2"}},
		{"iron whole to chunks", iron, cat(ironOne, ironThree[:1]), ironThree, []string{"s.x"}},
		{"iron cleared", iron, req("s.x", "s.x.0", "s.x.3", "s.x.4"), nil, []string{"s.x", "s.x.0", "s.x.3"}},
		{"nothing carried", native, nil, one, nil},
	}
	for _, tt := range tests {
		if got := tt.s.Stale(tt.request, tt.written); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Stale = %v, want %v", tt.name, got, tt.want)
		}
	}
}
