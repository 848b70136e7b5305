// Package sessiontest holds what the tests of the examples and of the
// framework adapters share: a collector of reported errors, a manager and
// a client with a cookie jar, and the seed's login/logout flow as steps to
// walk over real HTTP.
package sessiontest

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"

	"github.com/cookiesession/cookiesession"
)

// Types are the session types every flow is tested with.
var Types = []cookiesession.Type{cookiesession.Base64, cookiesession.JWT, cookiesession.Fernet}

// ErrorLog collects the errors a Manager reports; use Handle as
// Config.ErrorHandler. It is safe for concurrent use.
type ErrorLog struct {
	mu   sync.Mutex
	errs []error
}

// Handle records err.
func (l *ErrorLog) Handle(_ context.Context, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

// Take returns the errors recorded so far and forgets them.
func (l *ErrorLog) Take() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	errs := l.errs
	l.errs = nil
	return errs
}

// Secret is the fixed secret of the test Managers: 32 characters, so that
// New accepts it for every type without a warning.
const Secret = "SESSION-SECRET-for-tests-only-32"

// NewManager returns a Manager for sessions of type typ with the fixed
// test secret [Secret], reporting to log when it is not nil.
func NewManager(t testing.TB, typ cookiesession.Type, log *ErrorLog) *cookiesession.Manager {
	t.Helper()
	cfg := cookiesession.Config{Type: typ, SecretKey: Secret}
	if log != nil {
		cfg.ErrorHandler = log.Handle
	}
	m, err := cookiesession.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// NewClient returns a client with a cookie jar of its own, as a browser.
func NewClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: &http.Transport{}}
}

// Get fetches url, adding each of cookies as a Cookie header, and returns
// the response (its body read and closed) and the body.
func Get(t testing.TB, client *http.Client, url string, cookies ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cookies {
		req.Header.Add("Cookie", c)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// A Step is one request of a flow: the path to get, the body to expect,
// and a text the Set-Cookie header must contain ("" for no Set-Cookie).
type Step struct {
	Path, Body, SetCookie string
}

// SeedSteps is the seed's router example: greet, log in, greet, log out,
// greet, and log out again (which is no error and writes nothing).
var SeedSteps = []Step{
	{"/", "Hello Anonymous", ""},
	{"/login/tom", "Done", "session="},
	{"/", "Hello Tom", ""},
	{"/logout", "Done", "Max-Age=0"},
	{"/", "Hello Anonymous", ""},
	{"/logout", "Done", ""},
}

// Walk gets each step's path under base with client, checks the status
// (200), the body and the Set-Cookie header, and returns the responses for
// further checks.
func Walk(t testing.TB, client *http.Client, base string, steps []Step) []*http.Response {
	t.Helper()
	responses := make([]*http.Response, 0, len(steps))
	for _, step := range steps {
		resp, body := Get(t, client, base+step.Path)
		if resp.StatusCode != http.StatusOK || body != step.Body {
			t.Errorf("GET %s = %d %q, want %q", step.Path, resp.StatusCode, body, step.Body)
		}
		sc := resp.Header.Get("Set-Cookie")
		if !strings.Contains(sc, step.SetCookie) || (step.SetCookie == "") != (sc == "") {
			t.Errorf("GET %s: Set-Cookie %q, want one containing %q", step.Path, sc, step.SetCookie)
		}
		responses = append(responses, resp)
	}
	return responses
}
