package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

// testSecret is a secret every type takes (32 characters).
const testSecret = "router-test-secret-0123456789abc"

// server is the router started from command-line flags, as main starts
// it, on an httptest server.
type server struct {
	t        *testing.T
	url      string
	sessions *cookiesession.Manager

	mu       sync.Mutex
	reported []error
}

// start runs the router with the flags args (-addr is ignored: the
// server listens on a loopback port of its own) and the clock now (nil:
// the real one).
func start(t *testing.T, now func() time.Time, args ...string) *server {
	t.Helper()
	var usage strings.Builder
	o, err := parseFlags(args, &usage)
	if err != nil {
		t.Fatalf("flags %q: %v\n%s", args, err, usage.String())
	}
	s := &server{t: t}
	cfg := o.config()
	cfg.Now = now
	cfg.ErrorHandler = func(_ context.Context, err error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.reported = append(s.reported, err)
	}
	s.sessions, err = cookiesession.New(cfg)
	if err != nil {
		t.Fatalf("flags %q: %v", args, err)
	}
	srv := httptest.NewServer(s.sessions.Handler(routes(s.sessions)))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// errors returns the errors reported so far, and forgets them.
func (s *server) errors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.reported
	s.reported = nil
	return out
}

// reportedIs reports whether one of the errors reported so far wraps
// target, and forgets them.
func (s *server) reportedIs(target error) bool {
	for _, err := range s.errors() {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// browser is a client with a cookie jar that follows redirects, as a
// browser does.
type browser struct {
	t      *testing.T
	client *http.Client
	jar    *cookiejar.Jar
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, client: &http.Client{Jar: jar, Timeout: 10 * time.Second}, jar: jar}
}

// response is what a request got.
type response struct {
	status    int
	body      string
	header    http.Header
	setCookie []string
}

// lines returns the body's lines.
func (r response) lines() []string {
	return strings.Split(strings.TrimSuffix(r.body, "\n"), "\n")
}

func (b *browser) get(base, path string) response {
	b.t.Helper()
	resp, err := b.client.Get(base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return read(b.t, resp)
}

// cookieHeader returns the Cookie header the browser would send to base.
func (b *browser) cookieHeader(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		b.t.Fatal(err)
	}
	var parts []string
	for _, c := range b.jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// getWith sends one request with the Cookie header cookie, following no
// redirect and keeping no cookie: a replayed copy of a cookie.
func getWith(t *testing.T, base, path, cookie string) response {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) response {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, body: string(body), header: resp.Header, setCookie: resp.Header.Values("Set-Cookie")}
}

// expect fails the test unless r has the status and body given.
func expect(t *testing.T, what string, r response, status int, body string) {
	t.Helper()
	if r.status != status || r.body != body {
		t.Errorf("%s: %d %q, want %d %q", what, r.status, r.body, status, body)
	}
}

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: time.Unix(1_800_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Log in, greet, log out, greet, for every session type, through a real
// server and a client with a cookie jar, as a browser would.
func TestLoginLogout(t *testing.T) {
	steps := []struct{ path, body, setCookie string }{ // setCookie "": none
		{"/", "Hello Anonymous\n", ""},
		{"/login/tom", "Done\n", "session="},
		{"/", "Hello Tom\n", ""},
		{"/logout", "Done\n", "Max-Age=0"},
		{"/", "Hello Anonymous\n", ""},
		{"/logout", "Done\n", ""}, // nothing to log out of: no error, no cookie
	}
	for _, tc := range []struct {
		typ    cookiesession.Type
		secret string
	}{
		{cookiesession.Base64, testSecret},
		{cookiesession.JWT, testSecret},
		{cookiesession.Fernet, testSecret},
		{cookiesession.Starlette, testSecret},
		{cookiesession.Flask, testSecret},
		{cookiesession.Django, testSecret},
		{cookiesession.IronSession, testSecret},
		{cookiesession.IronSession, "7=" + testSecret},
		{cookiesession.CookieSession, testSecret},
	} {
		t.Run(string(tc.typ)+"/"+tc.secret[:2], func(t *testing.T) {
			srv := start(t, nil, "-type", string(tc.typ), "-secret", tc.secret)
			b := newBrowser(t)
			for _, step := range steps {
				r := b.get(srv.url, step.path)
				expect(t, "GET "+step.path, r, http.StatusOK, step.body)
				sc := strings.Join(r.setCookie, "\n")
				if !strings.Contains(sc, step.setCookie) || (step.setCookie == "") != (sc == "") {
					t.Errorf("GET %s: Set-Cookie %q, want one containing %q", step.path, sc, step.setCookie)
				}
			}
			if errs := srv.errors(); len(errs) != 0 {
				t.Errorf("reported %v", errs)
			}
		})
	}
}

// The answers are plain text that browsers must not sniff as HTML: they
// repeat what the URL says.
func TestPlainText(t *testing.T) {
	srv := start(t, nil)
	b := newBrowser(t)
	b.get(srv.url, "/login/%3Cscript%3E")
	r := b.get(srv.url, "/flash/%3Cb%3Ehi%0Athere") // redirected to /
	expect(t, "/", r, http.StatusOK, "Hello <Script>\nflash: <b>hi\\nthere\n")
	if ct, nosniff := r.header.Get("Content-Type"), r.header.Get("X-Content-Type-Options"); ct != "text/plain; charset=utf-8" || nosniff != "nosniff" {
		t.Errorf("Content-Type %q, X-Content-Type-Options %q", ct, nosniff)
	}
}

// A value Set refuses for its size is the client's doing: 400. A
// revocation the list could not record is a 503. Any other error is a
// 500 that shows nothing of the error.
func TestSessionError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
	}{
		{fmt.Errorf("set: %w", cookiesession.ErrTooLarge), http.StatusBadRequest},
		{fmt.Errorf("revoke: %w", cookiesession.ErrRevocationUnavailable), http.StatusServiceUnavailable},
		{errors.New("secret detail"), http.StatusInternalServerError},
	} {
		rec := httptest.NewRecorder()
		sessionError(rec, tc.err)
		if rec.Code != tc.code || strings.Contains(rec.Body.String(), "secret detail") {
			t.Errorf("%v: %d %q", tc.err, rec.Code, rec.Body.String())
		}
	}
}

// The demo secret is a full-strength fernet secret and a valid
// iron-session password: exactly 32 characters.
func TestDemoSecret(t *testing.T) {
	if len(demoSecret) != 32 {
		t.Errorf("the demo secret has %d characters, want 32", len(demoSecret))
	}
}

// Expected values are what CPython 3's str.title returns.
func TestTitle(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"anonymous":        "Anonymous",
		"tom":              "Tom",
		"TOM":              "Tom",
		"tom smith":        "Tom Smith",
		"o'neil-smith 3rd": "O'Neil-Smith 3Rd",
		"jürgen ж":         "Jürgen Ж",
		"x_y.z":            "X_Y.Z",
		"%20tom":           "%20Tom",
		"ǆemal":            "ǅemal",
		"ǅx":               "ǅx", // a titlecase letter is cased
		"ʼn":               "ʼN", // a letter need not be cased
	} {
		if got := title(in); got != want {
			t.Errorf("title(%q) = %q, want %q", in, got, want)
		}
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
