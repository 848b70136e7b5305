package main

import (
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

// A flash message survives the 303 redirect, shows once, oldest first,
// and is gone after; for every type (Flask keeps them as tuples).
func TestFlashAcrossRedirect(t *testing.T) {
	for _, typ := range []string{"base64", "jwt", "fernet", "starlette", "flask", "django", "iron-session", "cookie-session"} {
		t.Run(typ, func(t *testing.T) {
			srv := start(t, nil, "-type", typ, "-secret", testSecret)
			r := getWith(t, srv.url, "/flash/first", "")
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" || len(r.setCookie) == 0 {
				t.Fatalf("/flash/first: %d to %q, Set-Cookie %q; want 303 to / with a cookie", r.status, r.header.Get("Location"), r.setCookie)
			}
			b := newBrowser(t)
			b.get(srv.url, "/login/tom")
			expect(t, "/flash/hello", b.get(srv.url, "/flash/hello"), http.StatusOK, "Hello Tom\nflash: hello\n")
			expect(t, "/ again", b.get(srv.url, "/"), http.StatusOK, "Hello Tom\n")

			// Two messages, then the redirect's GET shows both, oldest first.
			noRedirect := *b.client
			noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			for _, msg := range []string{"one", "two%20words"} {
				resp, err := noRedirect.Get(srv.url + "/flash/" + msg)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			expect(t, "/ after two", b.get(srv.url, "/"), http.StatusOK, "Hello Tom\nflash: one\nflash: two words\n")
			expect(t, "/ after reading them", b.get(srv.url, "/"), http.StatusOK, "Hello Tom\n")
			if errs := srv.errors(); len(errs) != 0 {
				t.Errorf("reported %v", errs)
			}
		})
	}
}

// -max-age 3 -rolling -lifetime 8, as issue 8's check runs it (on a clock
// the test moves): a user active every 2 s stays logged in past 3 s and is
// logged out after 8 s; an idle one is logged out after 3 s; without
// -rolling even an active one is logged out after 3 s.
func TestRollingAndLifetime(t *testing.T) {
	for _, typ := range []string{"jwt", "fernet", "flask", "iron-session"} {
		t.Run(typ, func(t *testing.T) {
			clock := newClock()
			srv := start(t, clock.Now, "-type", typ, "-secret", testSecret, "-max-age", "3", "-rolling", "-lifetime", "8")
			active, idle := newBrowser(t), newBrowser(t)
			active.get(srv.url, "/login/tom")
			idle.get(srv.url, "/login/ann")
			for elapsed := 2; elapsed <= 6; elapsed += 2 {
				clock.advance(2 * time.Second)
				r := active.get(srv.url, "/")
				expect(t, "active user after "+time.Duration(elapsed*int(time.Second)).String(), r, http.StatusOK, "Hello Tom\n")
				if len(r.setCookie) == 0 {
					t.Errorf("after %d s: no cookie re-issued", elapsed)
				}
			}
			if n := srv.sessions.Stats().Reissued["rolling"]; n != 3 {
				t.Errorf("reissued.rolling = %d, want 3", n)
			}
			clock.advance(1500 * time.Millisecond) // 7.5 s after login
			expect(t, "active user at 7.5 s", active.get(srv.url, "/"), http.StatusOK, "Hello Tom\n")
			clock.advance(time.Second) // 8.5 s
			expect(t, "active user at 8.5 s", active.get(srv.url, "/"), http.StatusOK, "Hello Anonymous\n")
			if !srv.reportedIs(cookiesession.ErrExpired) {
				t.Error("the session past its lifetime was not reported expired")
			}
			expect(t, "idle user at 8.5 s", idle.get(srv.url, "/"), http.StatusOK, "Hello Anonymous\n")
		})
	}
	t.Run("idle", func(t *testing.T) {
		clock := newClock()
		srv := start(t, clock.Now, "-secret", testSecret, "-max-age", "3", "-rolling", "-lifetime", "8")
		b := newBrowser(t)
		b.get(srv.url, "/login/tom")
		clock.advance(2900 * time.Millisecond)
		expect(t, "at 2.9 s", b.get(srv.url, "/"), http.StatusOK, "Hello Tom\n") // re-issued: 3 s from now
		clock.advance(3100 * time.Millisecond)
		expect(t, "3.1 s idle", b.get(srv.url, "/"), http.StatusOK, "Hello Anonymous\n")
	})
	t.Run("not rolling", func(t *testing.T) {
		clock := newClock()
		srv := start(t, clock.Now, "-secret", testSecret, "-max-age", "3", "-lifetime", "8")
		b := newBrowser(t)
		b.get(srv.url, "/login/tom")
		clock.advance(2 * time.Second)
		if r := b.get(srv.url, "/"); r.body != "Hello Tom\n" || len(r.setCookie) != 0 {
			t.Errorf("at 2 s: %q, Set-Cookie %q; want Hello Tom and no cookie", r.body, r.setCookie)
		}
		clock.advance(1500 * time.Millisecond)
		expect(t, "3.5 s, active", b.get(srv.url, "/"), http.StatusOK, "Hello Anonymous\n")
	})
}

// -max-age 0: a browser-session cookie (no Max-Age, no Expires) with no
// server-side expiry: still good a year later on the server's clock.
// Without -max-age the type's default applies (14 days; flask 31).
func TestMaxAge(t *testing.T) {
	clock := newClock()
	srv := start(t, clock.Now, "-secret", testSecret, "-max-age", "0")
	b := newBrowser(t)
	r := b.get(srv.url, "/login/tom")
	if sc := strings.Join(r.setCookie, "\n"); sc == "" || strings.Contains(sc, "Max-Age") || strings.Contains(sc, "Expires") {
		t.Errorf("-max-age 0: Set-Cookie %q, want a cookie without Max-Age or Expires", sc)
	}
	clock.advance(365 * 24 * time.Hour)
	expect(t, "a year later", b.get(srv.url, "/"), http.StatusOK, "Hello Tom\n")

	for typ, want := range map[string]string{"jwt": "Max-Age=1209600", "flask": "Max-Age=2678400", "django": "Max-Age=1209600"} {
		srv := start(t, nil, "-type", typ, "-secret", testSecret)
		if sc := strings.Join(newBrowser(t).get(srv.url, "/login/tom").setCookie, "\n"); !strings.Contains(sc, want) {
			t.Errorf("-type %s without -max-age: Set-Cookie %q, want %s", typ, sc, want)
		}
	}
	srv = start(t, nil, "-secret", testSecret, "-max-age", "60")
	if sc := strings.Join(newBrowser(t).get(srv.url, "/login/tom").setCookie, "\n"); !strings.Contains(sc, "Max-Age=60;") {
		t.Errorf("-max-age 60: Set-Cookie %q", sc)
	}
}

// stats is the "cookiesession" variable of /debug/vars.
type stats struct {
	DecodedByKey []uint64          `json:"decoded_by_key"`
	Migrated     []uint64          `json:"migrated"`
	Refused      map[string]uint64 `json:"refused"`
	Written      uint64            `json:"written"`
	Cleared      uint64            `json:"cleared"`
	Reissued     map[string]uint64 `json:"reissued"`
	NotSaved     map[string]uint64 `json:"not_saved"`
}

// debugVars reads /debug/vars: it must be the standard expvar page (with
// its cmdline and memstats) holding the Manager's Stats.
func debugVarsOf(t *testing.T, srv *server) stats {
	t.Helper()
	r := getWith(t, srv.url, "/debug/vars", "")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("/debug/vars: %d %s", r.status, r.header.Get("Content-Type"))
	}
	var page map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.body), &page); err != nil {
		t.Fatalf("/debug/vars is not JSON: %v\n%s", err, r.body)
	}
	for _, std := range []string{"cmdline", "memstats"} {
		if _, ok := page[std]; !ok {
			t.Errorf("/debug/vars lacks expvar's %q", std)
		}
	}
	var s stats
	if err := json.Unmarshal(page["cookiesession"], &s); err != nil || s.Refused == nil || s.Reissued == nil || s.NotSaved == nil {
		t.Fatalf("/debug/vars cookiesession = %s (%v)", page["cookiesession"], err)
	}
	return s
}

// /debug/vars shows what the Manager counted: cookies read per key,
// refusals per reason, writes, clears, re-issues. Each router has its
// own, however many run in one process.
func TestDebugVars(t *testing.T) {
	srv := start(t, nil, "-secret", testSecret, "-previous-secret", "old-"+testSecret, "-previous-secret", "older-"+testSecret)
	other := start(t, nil, "-secret", testSecret)
	s := debugVarsOf(t, srv)
	if !reflect.DeepEqual(s.DecodedByKey, []uint64{0, 0, 0}) || s.Written != 0 {
		t.Errorf("a new router: %+v", s)
	}
	for _, reason := range []string{"signature", "expired", "not_yet_valid", "malformed", "algorithm", "too_large", "revoked", "other"} {
		if n, ok := s.Refused[reason]; !ok || n != 0 {
			t.Errorf("refused[%q] = %d, %v; want 0, present", reason, n, ok)
		}
	}
	for _, cause := range []string{"rolling", "rotation", "migration", "upgrade"} {
		if n, ok := s.Reissued[cause]; !ok || n != 0 {
			t.Errorf("reissued[%q] = %d, %v; want 0, present", cause, n, ok)
		}
	}

	b := newBrowser(t)
	b.get(srv.url, "/login/tom") // written: 1
	b.get(srv.url, "/")          // decoded with the current key: 1
	b.get(srv.url, "/logout")    // decoded: 2, cleared: 1
	getWith(t, srv.url, "/", "session=forged.cookie.value")
	getWith(t, srv.url, "/", "session=garbage")
	s = debugVarsOf(t, srv)
	if !reflect.DeepEqual(s.DecodedByKey, []uint64{2, 0, 0}) || s.Written != 1 || s.Cleared != 1 ||
		s.Refused["signature"]+s.Refused["malformed"]+s.Refused["algorithm"] != 2 {
		t.Errorf("after login, read, logout and two bad cookies: %+v", s)
	}
	if o := debugVarsOf(t, other); !reflect.DeepEqual(o.DecodedByKey, []uint64{0}) || o.Written != 0 {
		t.Errorf("another router counted this one's requests: %+v", o)
	}
}

// Key rotation as an operator runs it: a cookie written under the old
// key is read by the router started with -secret NEW -previous-secret OLD,
// written again under the new key on that response, and /debug/vars shows
// the old key's use stop growing.
func TestRotation(t *testing.T) {
	for _, tc := range []struct{ typ, old, current string }{
		{"jwt", "old-" + testSecret, testSecret},
		{"fernet", "old-" + testSecret[4:], testSecret},
		{"django", "old-" + testSecret, testSecret},
		{"iron-session", "1=old-" + testSecret, "2=" + testSecret},
		{"cookie-session", "old-" + testSecret, testSecret},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			before := start(t, nil, "-type", tc.typ, "-secret", tc.old)
			b := newBrowser(t)
			b.get(before.url, "/login/tom")
			oldCookie := b.cookieHeader(before.url)

			after := start(t, nil, "-type", tc.typ, "-secret", tc.current, "-previous-secret", tc.old)
			r := getWith(t, after.url, "/", oldCookie)
			if r.body != "Hello Tom\n" || len(r.setCookie) == 0 {
				t.Fatalf("old cookie on the rotated router: %q, Set-Cookie %q; want Hello Tom and a new cookie", r.body, r.setCookie)
			}
			s := debugVarsOf(t, after)
			if !reflect.DeepEqual(s.DecodedByKey, []uint64{0, 1}) || s.Reissued["rotation"] != 1 {
				t.Errorf("after the old cookie: decoded_by_key %v, reissued %v", s.DecodedByKey, s.Reissued)
			}

			// The re-issued cookie is under the new key: the old key's
			// count stays, and a router without the old key reads it.
			newCookie := cookieLine(r.setCookie)
			if r := getWith(t, after.url, "/", newCookie); r.body != "Hello Tom\n" || len(r.setCookie) != 0 {
				t.Errorf("re-issued cookie: %q, Set-Cookie %q", r.body, r.setCookie)
			}
			if s := debugVarsOf(t, after); !reflect.DeepEqual(s.DecodedByKey, []uint64{1, 1}) {
				t.Errorf("after the new cookie: decoded_by_key %v, want [1 1]", s.DecodedByKey)
			}
			only := start(t, nil, "-type", tc.typ, "-secret", tc.current)
			expect(t, "re-issued cookie without the old key", getWith(t, only.url, "/", newCookie), http.StatusOK, "Hello Tom\n")
			expect(t, "old cookie without the old key", getWith(t, only.url, "/", oldCookie), http.StatusOK, "Hello Anonymous\n")
		})
	}
}

// cookieLine returns the Cookie header that sends back what the
// Set-Cookie lines set (their name=value parts, expired ones left out).
func cookieLine(setCookie []string) string {
	var parts []string
	for _, line := range setCookie {
		nv, _, _ := strings.Cut(line, ";")
		if name, value, _ := strings.Cut(nv, "="); value != "" {
			parts = append(parts, name+"="+value)
		}
	}
	return strings.Join(parts, "; ")
}

// /debug/vars shows no secret given on the command line.
func TestRedact(t *testing.T) {
	in := []string{"router", "-secret", "s1", "--previous-secret=s2", "-migrate-secret", "s3", "-type", "jwt", "-rolling", "-secret"}
	want := []string{"router", "-secret", "REDACTED", "--previous-secret=REDACTED", "-migrate-secret", "REDACTED", "-type", "jwt", "-rolling", "-secret"}
	if got := redact(in); !reflect.DeepEqual(got, want) {
		t.Errorf("redact(%q) = %q", in, got)
	}
	if in[2] != "s1" {
		t.Error("redact changed its argument")
	}
	args := os.Args
	t.Cleanup(func() { os.Args = args })
	os.Args = append(append([]string(nil), args...), "-secret", "shown-nowhere-0123456789abcdefghij")
	srv := start(t, nil)
	r := getWith(t, srv.url, "/debug/vars", "")
	if !strings.Contains(r.body, `"cmdline": [`) || !strings.Contains(r.body, `"-secret","REDACTED"]`) || strings.Contains(r.body, "shown-nowhere") {
		t.Errorf("/debug/vars cmdline: %.300s", r.body)
	}
}
