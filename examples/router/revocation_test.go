package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

// With -revocation, /logout revokes the session: a copy of the old cookie
// replayed later is refused (and counted as revoked). Without it, /logout
// only clears the browser's copy and a replayed copy is still good: the
// stateless default, as SECURITY.md says.
func TestLogoutRevokes(t *testing.T) {
	for _, typ := range []string{"jwt", "fernet", "flask", "iron-session", "cookie-session"} {
		t.Run(typ, func(t *testing.T) {
			args := []string{"-type", typ, "-secret", testSecret, "-revocation"}
			if typ == "cookie-session" {
				// Its cookies carry no date: revocation needs a Lifetime.
				args = append(args, "-lifetime", "3600")
			}
			srv := start(t, nil, args...)
			b := newBrowser(t)
			b.get(srv.url, "/login/tom")
			stolen := b.cookieHeader(srv.url)
			expect(t, "stolen copy before logout", getWith(t, srv.url, "/", stolen), http.StatusOK, "Hello Tom\n")
			expect(t, "/logout", b.get(srv.url, "/logout"), http.StatusOK, "Done\n")
			if h := b.cookieHeader(srv.url); h != "" {
				t.Errorf("the browser still sends %q after /logout", h)
			}
			expect(t, "stolen copy after logout", getWith(t, srv.url, "/", stolen), http.StatusOK, "Hello Anonymous\n")
			if !srv.reportedIs(cookiesession.ErrRevoked) {
				t.Error("the replayed copy was not reported revoked")
			}
			if n := debugVarsOf(t, srv).Refused["revoked"]; n != 1 {
				t.Errorf("refused.revoked = %d, want 1", n)
			}
		})
	}
	t.Run("without -revocation", func(t *testing.T) {
		srv := start(t, nil, "-secret", testSecret)
		b := newBrowser(t)
		b.get(srv.url, "/login/tom")
		copied := b.cookieHeader(srv.url)
		expect(t, "/logout", b.get(srv.url, "/logout"), http.StatusOK, "Done\n")
		expect(t, "browser after logout", b.get(srv.url, "/"), http.StatusOK, "Hello Anonymous\n")
		expect(t, "copy after logout", getWith(t, srv.url, "/", copied), http.StatusOK, "Hello Tom\n")
	})
}

// /login calls Renew: with -revocation the session id held before the
// login (one an attacker may have planted) is revoked, so the pre-login
// cookie does not carry over.
func TestLoginRenews(t *testing.T) {
	clock := newClock()
	srv := start(t, clock.Now, "-secret", testSecret, "-revocation", "-lifetime", "60")
	b := newBrowser(t)
	b.get(srv.url, "/flash/planted")
	b.get(srv.url, "/flash/again") // read and shown: the session stays, empty of values
	b.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	b.get(srv.url, "/flash/kept")
	b.client.CheckRedirect = nil
	planted := b.cookieHeader(srv.url)
	if planted == "" {
		t.Fatal("no pre-login cookie")
	}
	clock.advance(30 * time.Second)
	b.get(srv.url, "/login/tom")
	expect(t, "after login", b.get(srv.url, "/"), http.StatusOK, "Hello Tom\nflash: kept\n")
	expect(t, "the pre-login cookie", getWith(t, srv.url, "/", planted), http.StatusOK, "Hello Anonymous\n")
	if !srv.reportedIs(cookiesession.ErrRevoked) {
		t.Error("the pre-login cookie was not reported revoked")
	}
	// A new life: -lifetime counts from the login, not from the first visit.
	clock.advance(45 * time.Second)
	expect(t, "75 s after the first visit, 45 s after login", b.get(srv.url, "/"), http.StatusOK, "Hello Tom\n")
}

// /logout-everywhere revokes every session of the logged-in user (on
// every browser), not other users' sessions, and not the user's next
// login. It needs -revocation (501 without) and a logged-in user (401).
func TestLogoutEverywhere(t *testing.T) {
	clock := newClock()
	srv := start(t, clock.Now, "-secret", testSecret, "-revocation")
	laptop, phone, ann := newBrowser(t), newBrowser(t), newBrowser(t)
	laptop.get(srv.url, "/login/tom")
	phone.get(srv.url, "/login/tom")
	ann.get(srv.url, "/login/ann")
	stolen := laptop.cookieHeader(srv.url)
	clock.advance(time.Second)

	expect(t, "/logout-everywhere", phone.get(srv.url, "/logout-everywhere"), http.StatusOK, "Done\n")
	if h := phone.cookieHeader(srv.url); h != "" {
		t.Errorf("the browser that logged out everywhere still sends %q", h)
	}
	expect(t, "the laptop", laptop.get(srv.url, "/"), http.StatusOK, "Hello Anonymous\n")
	expect(t, "a stolen copy", getWith(t, srv.url, "/", stolen), http.StatusOK, "Hello Anonymous\n")
	expect(t, "another user", ann.get(srv.url, "/"), http.StatusOK, "Hello Ann\n")
	if n := debugVarsOf(t, srv).Refused["revoked"]; n != 2 {
		t.Errorf("refused.revoked = %d, want 2", n)
	}

	clock.advance(time.Second)
	phone.get(srv.url, "/login/tom")
	expect(t, "tom's next login", phone.get(srv.url, "/"), http.StatusOK, "Hello Tom\n")

	r := getWith(t, srv.url, "/logout-everywhere", "")
	if r.status != http.StatusUnauthorized {
		t.Errorf("/logout-everywhere, not logged in: %d %q, want 401", r.status, r.body)
	}
	plain := start(t, nil, "-secret", testSecret)
	b := newBrowser(t)
	b.get(plain.url, "/login/tom")
	if r := b.get(plain.url, "/logout-everywhere"); r.status != http.StatusNotImplemented || !strings.Contains(r.body, "-revocation") {
		t.Errorf("/logout-everywhere without -revocation: %d %q, want 501 naming -revocation", r.status, r.body)
	}
	expect(t, "still logged in", b.get(plain.url, "/"), http.StatusOK, "Hello Tom\n")
}
