package adaptertest

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
)

// Serve starts the app of the framework under test, with [Routes] mounted
// behind the framework's session middleware for m, on loopback, stops it
// when the test ends, and returns its base URL ("http://127.0.0.1:port").
type Serve func(t *testing.T, m *cookiesession.Manager) string

// BigValue is the length of the value of the chunked flows: 10 KiB, which
// takes four cookies once encoded.
const BigValue = 10 << 10

// Run runs every flow against the framework that serve starts, each as a
// subtest.
func Run(t *testing.T, serve Serve) {
	t.Run("Chunked", func(t *testing.T) { Chunked(t, serve) })
	t.Run("IronSession", func(t *testing.T) { IronSession(t, serve) })
	t.Run("CookieSession", func(t *testing.T) { CookieSession(t, serve) })
	t.Run("FlashAcrossRedirect", func(t *testing.T) { FlashAcrossRedirect(t, serve) })
	t.Run("Rolling", func(t *testing.T) { Rolling(t, serve) })
}

// NewManager returns a Manager for cfg that reports to log (nil: the
// test fails on any report when it ends).
func NewManager(t testing.TB, cfg cookiesession.Config, log *sessiontest.ErrorLog) *cookiesession.Manager {
	t.Helper()
	if log == nil {
		log = &sessiontest.ErrorLog{}
		t.Cleanup(func() {
			if l := log.Take(); len(l) != 0 {
				t.Errorf("reported %v", l)
			}
		})
	}
	cfg.ErrorHandler = log.Handle
	m, err := cookiesession.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Chunked checks, for base64, jwt and fernet with MaxSize 16384, that a
// session of a 10 KiB value is written as chunk cookies (<name>,
// <name>.1, …) and read back whole; that shrinking it writes one cookie
// and expires the chunks no longer needed; and that clearing it expires
// the cookie.
func Chunked(t *testing.T, serve Serve) {
	for _, typ := range sessiontest.Types {
		t.Run(string(typ), func(t *testing.T) {
			m := NewManager(t, cookiesession.Config{Type: typ, SecretKey: sessiontest.Secret, MaxSize: cookiesession.HardMaxSize}, nil)
			base := serve(t, m)
			client := sessiontest.NewClient()

			resp := expect(t, client, base, "/set?key=blob&list=1&len="+strconv.Itoa(BigValue), "ok")
			written := resp.Cookies()
			names := Names(written)
			if len(names) < 3 || !slices.Equal(names, ChunkNames("session", len(names))) {
				t.Fatalf("a %d-byte value written as cookies %v, want session, session.1, … (at least 3)", BigValue, names)
			}
			for _, c := range written {
				if c.MaxAge <= 0 {
					t.Errorf("chunk %s: Max-Age %d", c.Name, c.MaxAge)
				}
			}
			for _, line := range resp.Header.Values("Set-Cookie") {
				if len(line) > cookiesession.MaxCookieSize {
					t.Errorf("a Set-Cookie line of %d bytes", len(line))
				}
			}
			CheckCacheHeaders(t, resp)
			if got := JarNames(t, client, base); !slices.Equal(got, names) {
				t.Errorf("the client keeps %v, want %v", got, names)
			}
			resp = expect(t, client, base, "/get?key=blob", Value(BigValue))
			if sc := resp.Header.Values("Set-Cookie"); len(sc) != 0 {
				t.Errorf("reading the session wrote %q", sc)
			}

			// Shrink: one cookie again, the other chunks expired.
			resp = expect(t, client, base, "/set?key=blob&len=16", "ok")
			live, expired := Split(resp.Cookies())
			if !slices.Equal(live, []string{"session"}) || !slices.Equal(expired, names[1:]) {
				t.Errorf("shrunk: wrote %v, expired %v; want [session], %v", live, expired, names[1:])
			}
			if got := JarNames(t, client, base); !slices.Equal(got, []string{"session"}) {
				t.Errorf("after shrinking the client keeps %v", got)
			}
			expect(t, client, base, "/get?key=blob", Value(16))

			// Clear: the cookie expired.
			resp = expect(t, client, base, "/clear", "ok")
			if live, expired := Split(resp.Cookies()); len(live) != 0 || !slices.Equal(expired, []string{"session"}) {
				t.Errorf("cleared: wrote %v, expired %v", live, expired)
			}
			if got := JarNames(t, client, base); len(got) != 0 {
				t.Errorf("after clearing the client keeps %v", got)
			}
		})
	}
}

// IronSession checks an iron-session session: a sealed "Fe26.2*" cookie
// read back; one too large for a cookie written as iron-session's chunks
// <name>.0, <name>.1, … (the whole <name> expired) and read back; and
// shrunk to one cookie again, the chunks expired.
func IronSession(t *testing.T, serve Serve) {
	m := NewManager(t, cookiesession.Config{Type: cookiesession.IronSession, SecretKey: sessiontest.Secret}, nil)
	base := serve(t, m)
	client := sessiontest.NewClient()

	resp := expect(t, client, base, "/set?key=user&len=8", "ok")
	c := resp.Cookies()
	if len(c) != 1 || c[0].Name != "session" || !strings.HasPrefix(c[0].Value, "Fe26.2*") || c[0].MaxAge <= 0 {
		t.Fatalf("iron-session cookie %v", c)
	}
	CheckCacheHeaders(t, resp)
	expect(t, client, base, "/get?key=user", Value(8))

	resp = expect(t, client, base, "/set?key=blob&list=1&len=6000", "ok")
	live, expired := Split(resp.Cookies())
	chunks := make([]string, len(live))
	for i := range chunks {
		chunks[i] = "session." + strconv.Itoa(i)
	}
	if len(live) < 2 || !slices.Equal(live, chunks) || !slices.Equal(expired, []string{"session"}) {
		t.Fatalf("large: wrote %v, expired %v; want session.0, session.1, … and [session]", live, expired)
	}
	if got := JarNames(t, client, base); !slices.Equal(got, chunks) {
		t.Errorf("the client keeps %v", got)
	}
	expect(t, client, base, "/get?key=blob", Value(6000))
	expect(t, client, base, "/get?key=user", Value(8))

	resp = expect(t, client, base, "/set?key=blob&len=1", "ok")
	live, expired = Split(resp.Cookies())
	if !slices.Equal(live, []string{"session"}) || !slices.Equal(expired, chunks) {
		t.Errorf("shrunk: wrote %v, expired %v", live, expired)
	}
	if got := JarNames(t, client, base); !slices.Equal(got, []string{"session"}) {
		t.Errorf("after shrinking the client keeps %v", got)
	}
	expect(t, client, base, "/get?key=blob", Value(1))
	expect(t, client, base, "/get?key=user", Value(8))
}

// CookieSession checks a cookie-session session: the value cookie and its
// <name>.sig cookie written together and read back; a tampered or missing
// signature refused (an empty session, the refusal reported); clearing
// expires both cookies.
func CookieSession(t *testing.T, serve Serve) {
	log := &sessiontest.ErrorLog{}
	m := NewManager(t, cookiesession.Config{Type: cookiesession.CookieSession, SecretKey: sessiontest.Secret}, log)
	base := serve(t, m)
	client := sessiontest.NewClient()

	resp := expect(t, client, base, "/set?key=user&len=8", "ok")
	c := resp.Cookies()
	if !slices.Equal(Names(c), []string{"session", "session.sig"}) || c[0].MaxAge <= 0 || c[1].MaxAge <= 0 {
		t.Fatalf("cookie-session cookies %v", c)
	}
	CheckCacheHeaders(t, resp)
	if got := JarNames(t, client, base); !slices.Equal(got, []string{"session", "session.sig"}) {
		t.Errorf("the client keeps %v", got)
	}
	expect(t, client, base, "/get?key=user", Value(8))

	value, sig := c[0].Value, c[1].Value
	flipped := []byte(sig)
	flipped[0] ^= 1 // still a base64url character
	for _, tc := range []struct {
		name, header string
		want         error
	}{
		{"tampered signature", "session=" + value + "; session.sig=" + string(flipped), cookiesession.ErrSignature},
		{"no signature", "session=" + value, cookiesession.ErrCookieRefused},
		{"another value under the signature", "session=" + Value(12) + "; session.sig=" + sig, cookiesession.ErrCookieRefused},
	} {
		_, body := sessiontest.Get(t, &http.Client{}, base+"/get?key=user", tc.header)
		if body != "" {
			t.Errorf("%s: read %q", tc.name, body)
		}
		if l := log.Take(); len(l) != 1 || !errors.Is(l[0], tc.want) || !errors.Is(l[0], cookiesession.ErrCookieRefused) {
			t.Errorf("%s: reported %v, want one refusal wrapping %v", tc.name, l, tc.want)
		}
	}

	resp = expect(t, client, base, "/clear", "ok")
	if live, expired := Split(resp.Cookies()); len(live) != 0 || !slices.Equal(expired, []string{"session", "session.sig"}) {
		t.Errorf("cleared: wrote %v, expired %v", live, expired)
	}
	if got := JarNames(t, client, base); len(got) != 0 {
		t.Errorf("after clearing the client keeps %v", got)
	}
	if l := log.Take(); len(l) != 0 {
		t.Errorf("reported %v", l)
	}
}

// FlashAcrossRedirect checks flash messages: one left by a request that
// stays, one by a request that redirects (303); the page redirected to
// shows both, oldest first, and they are gone on the next request.
func FlashAcrossRedirect(t *testing.T, serve Serve) {
	m := NewManager(t, cookiesession.Config{Type: cookiesession.Fernet, SecretKey: sessiontest.Secret}, nil)
	base := serve(t, m)
	client := sessiontest.NewClient()

	expect(t, client, base, "/flash?msg=one&stay=1", "ok")
	resp := expect(t, client, base, "/flash?msg=Saved%21", "one|Saved!")
	redirect := resp.Request.Response
	if resp.Request.URL.Path != "/flashes" || redirect == nil || redirect.StatusCode != http.StatusSeeOther {
		t.Fatalf("no 303 redirect to /flashes: ended at %s", resp.Request.URL)
	}
	if c := redirect.Cookies(); len(c) != 1 || c[0].Name != "session" || c[0].MaxAge <= 0 {
		t.Errorf("the redirect set cookies %v", c)
	}
	// Reading the flashes emptied the session: its cookie is expired.
	if live, expired := Split(resp.Cookies()); len(live) != 0 || !slices.Equal(expired, []string{"session"}) {
		t.Errorf("after reading the flashes: wrote %v, expired %v", live, expired)
	}
	expect(t, client, base, "/flashes", "")
}

// Clock is a settable clock for Config.Now, safe for concurrent use.
type Clock struct{ ns atomic.Int64 }

// NewClock returns a Clock showing start.
func NewClock(start time.Time) *Clock {
	c := &Clock{}
	c.ns.Store(start.UnixNano())
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()) }

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// Rolling checks Config.Rolling for jwt, fernet and iron-session: a
// session read soon after it was written is not written again; one read
// after a tenth of MaxAge is re-issued with a fresh Max-Age (counted in
// Stats), so that it is still good after MaxAge from its first cookie.
func Rolling(t *testing.T, serve Serve) {
	for _, typ := range []cookiesession.Type{cookiesession.JWT, cookiesession.Fernet, cookiesession.IronSession} {
		t.Run(string(typ), func(t *testing.T) {
			clock := NewClock(time.Now())
			m := NewManager(t, cookiesession.Config{Type: typ, SecretKey: sessiontest.Secret, Rolling: true, Now: clock.Now}, nil)
			base := serve(t, m)
			client := sessiontest.NewClient()

			first := expect(t, client, base, "/set?key=user&len=8", "ok").Cookies()
			if len(first) != 1 {
				t.Fatalf("cookies %v", first)
			}
			clock.Add(time.Hour)
			if c := expect(t, client, base, "/get?key=user", Value(8)).Cookies(); len(c) != 0 {
				t.Errorf("re-issued after an hour: %v", c)
			}
			clock.Add(2 * 24 * time.Hour) // past MaxAge/10
			resp := expect(t, client, base, "/get?key=user", Value(8))
			c := resp.Cookies()
			if len(c) != 1 || c[0].Name != "session" || c[0].Value == first[0].Value || c[0].MaxAge != first[0].MaxAge {
				t.Fatalf("not re-issued after two days: cookies %v (first %v)", c, first)
			}
			CheckCacheHeaders(t, resp)
			if n := m.Stats().Reissued["rolling"]; n != 1 {
				t.Errorf("Stats: %d rolling re-issues, want 1", n)
			}
			// 15 days after the first cookie, 13 after the re-issue.
			clock.Add(13 * 24 * time.Hour)
			expect(t, client, base, "/get?key=user", Value(8))
			if n := m.Stats().Reissued["rolling"]; n != 2 {
				t.Errorf("Stats: %d rolling re-issues, want 2", n)
			}
		})
	}
}

// expect gets path under base with client, checks the status (200) and
// the body, and returns the response.
func expect(t *testing.T, client *http.Client, base, path, body string) *http.Response {
	t.Helper()
	resp, got := sessiontest.Get(t, client, base+path)
	if resp.StatusCode != http.StatusOK || got != body {
		t.Fatalf("GET %s = %d %q, want %s", path, resp.StatusCode, short(got), short(body))
	}
	return resp
}

// short returns s, or its start and length when it is long.
func short(s string) string {
	if len(s) <= 80 {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:40]) + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// CheckCacheHeaders checks the headers of a response that sets the
// session's cookies: "Vary: Cookie", and one Cache-Control
// no-cache="Set-Cookie", however many cookies it sets.
func CheckCacheHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	if v := resp.Header.Values("Vary"); !slices.Equal(v, []string{"Cookie"}) {
		t.Errorf("Vary %q", v)
	}
	if v := resp.Header.Values("Cache-Control"); !slices.Equal(v, []string{`no-cache="Set-Cookie"`}) {
		t.Errorf("Cache-Control %q", v)
	}
}

// Names returns the names of cookies, in order.
func Names(cookies []*http.Cookie) []string {
	names := make([]string, len(cookies))
	for i, c := range cookies {
		names[i] = c.Name
	}
	return names
}

// ChunkNames returns the names of n chunk cookies of a session named
// name: name, name.1, …, name.<n-1>.
func ChunkNames(name string, n int) []string {
	names := []string{name}
	for i := 1; i < n; i++ {
		names = append(names, name+"."+strconv.Itoa(i))
	}
	return names
}

// Split returns the names of the cookies a response sets (Max-Age > 0)
// and of those it expires (Max-Age=0), each in order.
func Split(cookies []*http.Cookie) (live, expired []string) {
	for _, c := range cookies {
		if c.MaxAge < 0 {
			expired = append(expired, c.Name)
		} else {
			live = append(live, c.Name)
		}
	}
	return live, expired
}

// JarNames returns the names of the cookies client's jar would send to
// base, sorted.
func JarNames(t testing.TB, client *http.Client, base string) []string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	names := Names(client.Jar.Cookies(u))
	sort.Strings(names)
	return names
}

// CookieHeader returns the Cookie header a browser would send back after
// a response that set cookies: the ones not expired, in order.
func CookieHeader(cookies []*http.Cookie) string {
	var parts []string
	for _, c := range cookies {
		if c.MaxAge >= 0 {
			parts = append(parts, c.Name+"="+c.Value)
		}
	}
	return strings.Join(parts, "; ")
}
