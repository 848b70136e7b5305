package cookiesession

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The size Set computes without encoding is exactly the length of the
// Set-Cookie line Save writes, for every built-in type and cookie
// attributes, for keys and values that take encoding/json's slow path
// (escapes, whitespace, non-ASCII), and as the session is changed by
// random Sets, Deletes and Clears (the size is kept up to date, not
// measured again).
func TestComputedSizeIsTheWrittenSize(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	configs := []Config{
		{Type: Base64},
		{Type: JWT, SecretKey: testSecret},
		{Type: JWT, SecretKey: testSecret, MaxAge: BrowserSession},
		{Type: Fernet, SecretKey: testSecret},
		{Type: Fernet, SecretKey: testSecret, MaxAge: time.Hour, CookieName: "sid", Path: "/app", Domain: "example.com", Secure: true, SameSite: http.SameSiteStrictMode},
		{Type: Base64, DisableHTTPOnly: true, SameSite: http.SameSiteDefaultMode},
		// An id drawn by the save, a creation time stamped by it.
		{Type: JWT, SecretKey: testSecret, Revocation: NewMemoryRevocationList()},
		{Type: Fernet, SecretKey: testSecret, Revocation: NewMemoryRevocationList(), Lifetime: time.Hour},
	}
	keys := []string{"user", "a", "k\"q", "ключ", "tab\tkey", "\u2028", "<html>", "ctl\x01", "bad\xffutf8", "x"}
	vals := []string{`"tom"`, `1`, `-1.5e-07`, `true`, `null`, `"\u00e9\n"`, `"é"`, `{"a": [1, 2, {"b" : "c d"}]}`, ` [ 1 ,2 ] `, `"a\"b \\ c"`, `9007199254740993`, `"` + strings.Repeat("z", 200) + `"`}
	rng := rand.New(rand.NewSource(1))
	for _, cfg := range configs {
		cfg.Now = func() time.Time { return now }
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 100; i++ {
			// Values as a cookie from elsewhere holds them: not compacted.
			v := Values{}
			for j := rng.Intn(4); j > 0; j-- {
				v[keys[rng.Intn(len(keys))]] = json.RawMessage(vals[rng.Intn(len(vals))])
			}
			s := &Session{m: m, loaded: true, values: v}
			if i%3 == 0 {
				// An id read from the cookie (of any length), which the
				// save writes back with or without revocation.
				s.life.id = strings.Repeat("i", 5+rng.Intn(40))
			}
			for op := 0; op < 8; op++ {
				key := keys[rng.Intn(len(keys))]
				raw, err := marshalValue(json.RawMessage(vals[rng.Intn(len(vals))]))
				if err != nil {
					t.Fatal(err)
				}
				switch rng.Intn(6) {
				case 0:
					must(t, s.Delete(key))
					continue
				case 1:
					if rng.Intn(4) == 0 {
						must(t, s.Clear())
					}
					continue
				}
				s.mu.Lock()
				sum, count := s.membersLen(), len(s.values)
				if old, ok := s.values[key]; ok {
					sum -= memberLen(key, old)
				} else {
					count++
				}
				rs, rc := s.reservedMembers(nil) // jwt's "iat", stamped on save
				got, ok := m.lineLen(sum+memberLen(key, raw)+rs, count+rc)
				s.mu.Unlock()
				if !ok {
					t.Fatalf("%s: size unknown", cfg.Type)
				}
				after := maps.Clone(s.values)
				after[key] = raw
				_, lines, err := m.encodeChanges(&Session{m: m, loaded: true, values: after, life: s.life, version: 1}, false, true, nil)
				line, want := "", 0
				if len(lines) == 1 {
					line, want = lines[0], len(lines[0])
				}
				if errors.Is(err, ErrTooLarge) { // the length is in the message
					fmt.Sscanf(err.Error()[strings.Index(err.Error(), "line has ")+len("line has "):], "%d", &want)
				} else if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("%s %+v: computed %d bytes, written %d: %s", cfg.Type, after, got, want, line)
				}
				if err := s.Set(key, raw); (err == nil) != (want <= MaxCookieSize) {
					t.Fatalf("%s: Set of a %d-byte session: %v", cfg.Type, want, err)
				}
			}
		}
	}
}

// Set refuses the first byte too many, changes nothing when it does, and
// what it accepts is saved, for each type.
func TestSetRefusesExactlyWhatCannotBeSaved(t *testing.T) {
	for _, cfg := range []Config{
		{Type: Base64},
		{Type: JWT, SecretKey: testSecret},
		{Type: Fernet, SecretKey: testSecret, Domain: "example.com", Path: "/some/path"},
	} {
		var reported []error
		cfg.ErrorHandler = func(_ context.Context, err error) { reported = append(reported, err) }
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		// The largest value that fits, found through Set alone.
		lo, hi := 0, MaxCookieSize
		for lo < hi {
			mid := (lo + hi + 1) / 2
			s := m.Load(context.Background(), "")
			if err := s.Set("fill", strings.Repeat("x", mid)); err == nil {
				lo = mid
			} else if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrNotSaved) {
				t.Fatalf("%s: Set: %v", cfg.Type, err)
			} else {
				hi = mid - 1
			}
		}
		reported = nil
		s := m.Load(context.Background(), "")
		must(t, s.Set("user", "tom"))
		err = s.Set("fill", strings.Repeat("x", lo))
		if err == nil {
			t.Fatalf("%s: %d bytes fit alone and also beside user", cfg.Type, lo)
		}
		if s.Len() != 1 || s.GetString("user") != "tom" {
			t.Errorf("%s: a refused Set changed the session: %v", cfg.Type, s.Keys())
		}
		if len(reported) != 1 || !errors.Is(reported[0], ErrTooLarge) || !errors.Is(reported[0], ErrNotSaved) || errors.Is(reported[0], ErrCookieRefused) {
			t.Errorf("%s: reported %v, want one ErrNotSaved+ErrTooLarge", cfg.Type, reported)
		}
		// Exactly at the limit: saved, and the line is within it.
		s = m.Load(context.Background(), "")
		must(t, s.Set("fill", strings.Repeat("x", lo)))
		c, err := m.Save(s)
		if err != nil || c == nil {
			t.Fatalf("%s: Save of a session Set accepted: %v", cfg.Type, err)
		}
		// One more byte of JSON adds at most one fernet block (16 bytes,
		// 24 of base64) to the line.
		if n := len(c.String()); n > MaxCookieSize || n < MaxCookieSize-24 {
			t.Errorf("%s: largest accepted session has a %d-byte line", cfg.Type, n)
		}
		// Replacing a value with a shorter one always passes.
		must(t, s.Set("fill", "short"))
	}
}

// A session whose Set-Cookie line is exactly MaxCookieSize bytes is
// accepted and saved; the cookie name's length moves the line through
// every length near the limit.
func TestSetAcceptsALineOfExactlyTheLimit(t *testing.T) {
	for _, typ := range []Type{Base64, JWT, Fernet} {
		exact := 0
		for name := 1; name <= 24; name++ {
			m, err := New(Config{Type: typ, SecretKey: testSecret, CookieName: strings.Repeat("s", name), ErrorHandler: func(context.Context, error) {}})
			if err != nil {
				t.Fatal(err)
			}
			lo, hi := 0, MaxCookieSize
			for lo < hi {
				mid := (lo + hi + 1) / 2
				if m.Load(context.Background(), "").Set("f", strings.Repeat("x", mid)) == nil {
					lo = mid
				} else {
					hi = mid - 1
				}
			}
			s := m.Load(context.Background(), "")
			must(t, s.Set("f", strings.Repeat("x", lo)))
			c, err := m.Save(s)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(c.String()); n == MaxCookieSize {
				exact++
			} else if n > MaxCookieSize {
				t.Errorf("%s: a %d-byte line accepted", typ, n)
			}
		}
		if exact == 0 {
			t.Errorf("%s: no cookie name gave a line of exactly %d bytes", typ, MaxCookieSize)
		}
	}
}
