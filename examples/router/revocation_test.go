package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

// In one process, with the in-process list of -revocation: /logout makes
// a copy of the cookie worthless, /logout-everywhere every session of the
// user and no one else's, and a later login is unaffected. Without
// revocation, /logout only drops the browser's copy: a copy replayed
// later is still good (what the flags exist to change).
func TestRevocationRoutes(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.JWT, cookiesession.Fernet} {
		t.Run(string(typ), func(t *testing.T) {
			list, release, err := revocationList(true, "")
			if err != nil {
				t.Fatal(err)
			}
			defer release()
			if _, ok := list.(*cookiesession.MemoryRevocationList); !ok {
				t.Fatalf("-revocation gave %T", list)
			}
			sessions, err := cookiesession.New(cookiesession.Config{Type: typ, SecretKey: demoSecret, Revocation: list})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(sessions.Handler(withLogoutEverywhere(routes(), sessions)))
			defer srv.Close()
			f := &fleet{tb: t, c: newFleetClient(t), replicas: []*replica{{name: "server", url: srv.URL}}}
			r := f.replicas[0]
			must := func(c string, err error) string {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			greets := func(cookie, want string) {
				t.Helper()
				if line := must(f.greet(r, cookie)); line != want {
					t.Errorf("GET / = %q, want %q", line, want)
				}
			}

			// /logout revokes this session only.
			one, two := must(f.login(r, "tom")), must(f.login(r, "tom"))
			if _, err := f.revoke(r, "/logout", one); err != nil {
				t.Fatal(err)
			}
			greets(one, anonymous)
			greets(two, "Hello Tom")

			// /logout-everywhere revokes every session of tom, not ann's.
			three, ann := must(f.login(r, "tom")), must(f.login(r, "ann"))
			if _, err := f.revoke(r, "/logout-everywhere", three); err != nil {
				t.Fatal(err)
			}
			greets(two, anonymous)
			greets(three, anonymous)
			greets(ann, "Hello Ann")

			// A later login is good (after the millisecond of the
			// logout: times are compared to the millisecond).
			time.Sleep(2 * time.Millisecond)
			greets(must(f.login(r, "tom")), "Hello Tom")

			// Anonymous: nothing to revoke, nothing to clear.
			a, err := f.c.get(r, "/logout-everywhere", "")
			if err != nil || a.status != 200 || a.line != "Done" || a.cookie != "" || a.clears {
				t.Errorf("anonymous /logout-everywhere: %+v %v", a, err)
			}
			if stats := sessions.Stats(); stats.Refused["revoked"] != 3 {
				t.Errorf("refused.revoked = %d, want 3 (one, two and three replayed)", stats.Refused["revoked"])
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		list, release, err := revocationList(false, "")
		if err != nil || list != nil {
			t.Fatalf("no flag gave %v, %v", list, err)
		}
		release()
		sessions, err := cookiesession.New(cookiesession.Config{Type: cookiesession.JWT, SecretKey: demoSecret})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(sessions.Handler(routes())) // main adds no /logout-everywhere
		defer srv.Close()
		f := &fleet{tb: t, c: newFleetClient(t)}
		r := &replica{name: "server", url: srv.URL}
		c, err := f.login(r, "tom")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.revoke(r, "/logout", c); err != nil {
			t.Fatal(err)
		}
		if line, err := f.greet(r, c); err != nil || line != "Hello Tom" {
			t.Errorf("without revocation, a copy of a logged-out cookie: %q %v (want it still good)", line, err)
		}
		if a, err := f.c.get(r, "/logout-everywhere", c); err != nil || a.status != http.StatusNotFound {
			t.Errorf("/logout-everywhere without revocation: %+v %v, want 404", a, err)
		}
	})
}

// A revocation the list could not record is a 503 that says so, not a
// 500: the user should try again.
func TestSessionErrorRevocationUnavailable(t *testing.T) {
	rec := httptest.NewRecorder()
	sessionError(rec, errors.Join(nil, fmt.Errorf("revoke: %w: secret detail", cookiesession.ErrRevocationUnavailable)))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "try again") || strings.Contains(rec.Body.String(), "secret detail") {
		t.Errorf("%d %q", rec.Code, rec.Body.String())
	}
}

// A logout that meets an unreachable Redis answers 503 and leaves the
// session as it was, so that the user can try again; the session's
// /logout answers 503 too (its cookie is dropped all the same).
func TestLogoutEverywhereUnavailable(t *testing.T) {
	list := failingList{cookiesession.NewMemoryRevocationList()}
	sessions, err := cookiesession.New(cookiesession.Config{Type: cookiesession.JWT, SecretKey: demoSecret, Revocation: list})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sessions.Handler(withLogoutEverywhere(routes(), sessions)))
	defer srv.Close()
	f := &fleet{tb: t, c: newFleetClient(t)}
	r := &replica{name: "server", url: srv.URL}
	c, err := f.login(r, "tom")
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.c.get(r, "/logout-everywhere", c)
	if err != nil || a.status != http.StatusServiceUnavailable || a.clears || a.cookie != "" {
		t.Errorf("/logout-everywhere with Redis unreachable: %+v %v, want a 503 that keeps the session", a, err)
	}
	a, err = f.c.get(r, "/logout", c)
	if err != nil || a.status != http.StatusServiceUnavailable || !a.clears {
		t.Errorf("/logout with Redis unreachable: %+v %v, want a 503 that drops the cookie", a, err)
	}
}

// failingList is a list whose revocations never reach its backend.
type failingList struct {
	*cookiesession.MemoryRevocationList
}

func (failingList) RevokeSession(context.Context, string, time.Time) error {
	return fmt.Errorf("%w: test", cookiesession.ErrRevocationUnavailable)
}

func (failingList) RevokeUser(context.Context, string, time.Time, time.Time) error {
	return fmt.Errorf("%w: test", cookiesession.ErrRevocationUnavailable)
}
