package chunk

import (
	"errors"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/format"
)

// parseCookies reads "a=1; b=2" as a browser's Cookie header.
func parseCookies(header string) []Cookie {
	var cs []Cookie
	for _, part := range strings.Split(header, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		cs = append(cs, Cookie{name, value})
	}
	return cs
}

// fuzzSchemes are the configurations the fuzz targets read with: small
// cookies, so that short inputs reach many chunks.
func fuzzSchemes(t testing.TB) []*Scheme {
	return []*Scheme{
		mustNew(t, "s", Options{MaxSize: 6000, CookieBytes: MinCookieBytes}),
		mustNew(t, "s", Options{Form: Iron, MaxSize: MinMaxSize, CookieBytes: MinCookieBytes}),
	}
}

// FuzzJoin feeds arbitrary Cookie headers to Join: it never panics, never
// returns a value that takes more than MaxSize bytes of Cookie header or
// more than MaxCandidates values, wraps a sentinel in every error, and in
// the Native form returns only values that hash to a digest some head
// named.
func FuzzJoin(f *testing.F) {
	schemes := fuzzSchemes(f)
	value := strings.Repeat("eyJ1c2VyIjoidG9tIn0", 60)
	for _, s := range schemes {
		cs, err := s.Split(value)
		if err != nil {
			f.Fatal(err)
		}
		var b strings.Builder
		for i, c := range cs {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(c.Name + "=" + c.Value)
		}
		f.Add(b.String())
	}
	f.Add("s=!10000.AAAAAAAA.x; s.1=AAAAAAAA.y")
	f.Add("s=!2.AAAAAAAA.x; s.1=AAAAAAAA.y; s.1=AAAAAAAA.z; s.01=q")
	f.Add(`s.0=a; s.1=b; s.2="c"; s.3=d; s.4=e; s=`)
	f.Fuzz(func(t *testing.T, header string) {
		cookies := parseCookies(header)
		for _, s := range schemes {
			values, err := s.Join(cookies)
			if err != nil && !errors.Is(err, format.ErrMalformed) && !errors.Is(err, format.ErrTooLarge) {
				t.Fatalf("%s: error wraps no sentinel: %v", s.form, err)
			}
			if len(values) > MaxCandidates {
				t.Fatalf("%s: %d values", s.form, len(values))
			}
			for _, v := range values {
				if v == "" || len(s.name)+1+len(v) > s.maxSize {
					t.Fatalf("%s: a value of %d bytes, MaxSize %d", s.form, len(v), s.maxSize)
				}
				if s.form == Native && v[0] == '!' && !strings.Contains(header, digestOf(v)) {
					t.Fatalf("a value whose digest no cookie names")
				}
			}
			// Stale never names a cookie the request did not carry.
			for _, name := range s.Stale(cookies, nil) {
				found := false
				for _, c := range cookies {
					found = found || c.Name == name
				}
				if !found {
					t.Fatalf("Stale names %q, not in the request", name)
				}
			}
		}
	})
}

// FuzzSplitJoin splits arbitrary cookie-safe values and reads them back:
// every value Split accepts comes back as itself, alone.
func FuzzSplitJoin(f *testing.F) {
	schemes := fuzzSchemes(f)
	f.Add("eyJ1c2VyIjoidG9tIn0", 1)
	f.Add("!", 700)
	f.Add("gAAAAA", 3000)
	f.Fuzz(func(t *testing.T, seed string, repeat int) {
		if seed == "" || cookieSafe(seed) >= 0 || repeat < 1 || repeat > 8000 {
			return
		}
		value := strings.Repeat(seed, repeat)
		if len(value) > 20000 {
			value = value[:20000]
		}
		for _, s := range schemes {
			cs, err := s.Split(value)
			if err != nil {
				if !errors.Is(err, format.ErrTooLarge) {
					t.Fatalf("%s: %v", s.form, err)
				}
				continue
			}
			got, err := s.Join(cs)
			if err != nil || len(got) != 1 || got[0] != value {
				t.Fatalf("%s: %d bytes in %d cookies: Join = %d values, %v", s.form, len(value), len(cs), len(got), err)
			}
		}
	})
}
