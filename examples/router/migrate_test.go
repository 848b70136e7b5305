package main

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
)

// flaskCookie returns a Cookie header with a Flask session cookie named
// name holding user, as a Flask app with secret writes it.
func flaskCookie(t *testing.T, name, secret, user string) string {
	t.Helper()
	flask, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Flask, SecretKey: secret, CookieName: name})
	if err != nil {
		t.Fatal(err)
	}
	s := flask.Load(context.Background(), "")
	if err := s.Set("user", user); err != nil {
		t.Fatal(err)
	}
	c, err := flask.Save(s)
	if err != nil || c == nil {
		t.Fatalf("flask cookie: %v", err)
	}
	return c.Name + "=" + c.Value
}

// -migrate-from flask: a Flask app's session cookie ("session") is read by
// the router (its own cookie named go_session), written again as a jwt on
// the same response, and the Flask cookie expired; /debug/vars counts it.
func TestMigrateFromFlask(t *testing.T) {
	flaskSecret := "flask-" + testSecret
	srv := start(t, nil, "-type", "jwt", "-secret", testSecret, "-cookie", "go_session",
		"-migrate-from", "flask", "-migrate-secret", flaskSecret)
	old := flaskCookie(t, "session", flaskSecret, "tom")

	r := getWith(t, srv.url, "/", old)
	if r.body != "Hello Tom\n" {
		t.Fatalf("/ with a Flask cookie: %q", r.body)
	}
	sc := strings.Join(r.setCookie, "\n")
	if !strings.Contains(sc, "go_session=eyJ") || !strings.Contains(sc, "session=; Path=/; Max-Age=0") {
		t.Errorf("Set-Cookie %q: want a jwt go_session and the Flask cookie expired", sc)
	}
	s := debugVarsOf(t, srv)
	if !reflect.DeepEqual(s.Migrated, []uint64{1}) || s.Reissued["migration"] != 1 {
		t.Errorf("migrated %v, reissued %v; want [1] and migration 1", s.Migrated, s.Reissued)
	}

	// The re-issued cookie is a jwt of the router's own.
	jwt := cookieLine(r.setCookie)
	expect(t, "/ with the re-issued cookie", getWith(t, srv.url, "/", jwt), http.StatusOK, "Hello Tom\n")
	only := start(t, nil, "-type", "jwt", "-secret", testSecret, "-cookie", "go_session")
	expect(t, "a jwt router without migration", getWith(t, only.url, "/", jwt), http.StatusOK, "Hello Tom\n")

	// A Flask cookie signed with another secret is refused, and so is
	// the migration of a browser that already holds the router's cookie.
	expect(t, "forged Flask cookie", getWith(t, srv.url, "/", flaskCookie(t, "session", "another-"+testSecret, "eve")), http.StatusOK, "Hello Anonymous\n")
	b := newBrowser(t)
	b.get(srv.url, "/login/ann")
	expect(t, "own cookie beside a Flask one", getWith(t, srv.url, "/", b.cookieHeader(srv.url)+"; "+old), http.StatusOK, "Hello Ann\n")

	// In a browser: logging out expires both cookies, so the Flask
	// session does not log the user in again.
	b = newBrowser(t)
	b.jar.SetCookies(mustURL(t, srv.url), []*http.Cookie{{Name: "session", Value: strings.TrimPrefix(old, "session=")}})
	expect(t, "browser with a Flask cookie", b.get(srv.url, "/"), http.StatusOK, "Hello Tom\n")
	b.get(srv.url, "/logout")
	expect(t, "after logout", b.get(srv.url, "/"), http.StatusOK, "Hello Anonymous\n")
	if h := b.cookieHeader(srv.url); h != "" {
		t.Errorf("after logout the browser sends %q", h)
	}
}

// cookiesOf returns the Cookie header that carries values in the format
// of cfg, as that format's own library writes it.
func cookiesOf(t *testing.T, cfg cookiesession.Config, values map[string]string) string {
	t.Helper()
	m, err := cookiesession.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := m.LoadHeader(context.Background(), "")
	for k, v := range values {
		if err := s.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	cookies, err := m.SaveCookies(s)
	if err != nil || len(cookies) == 0 {
		t.Fatalf("%s cookies: %v", cfg.Type, err)
	}
	var parts []string
	for _, c := range cookies {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// Every format can be a migration source, each with its own secret and
// its framework's cookie name, into any of the router's own types.
func TestMigrateFromEachType(t *testing.T) {
	const sourceSecret = "source-" + testSecret
	for _, tc := range []struct {
		from     cookiesession.Type
		secret   string
		cookie   string // the source's cookie name
		to, name string // the router's type and cookie name
	}{
		{cookiesession.Fernet, testSecret[:32], "session", "jwt", "go_session"}, // asgi-sessions fernet -> jwt
		{cookiesession.Starlette, sourceSecret, "session", "fernet", "go_session"},
		{cookiesession.Django, sourceSecret, "sessionid", "jwt", "session"},
		{cookiesession.IronSession, "3=" + sourceSecret, "session", "jwt", "go_session"},
		{cookiesession.CookieSession, sourceSecret, "session", "flask", "go_session"},
		{cookiesession.JWT, sourceSecret, "session", "django", "go_session"},
	} {
		t.Run(string(tc.from)+"-to-"+tc.to, func(t *testing.T) {
			srv := start(t, nil, "-type", tc.to, "-secret", testSecret, "-cookie", tc.name,
				"-migrate-from", string(tc.from), "-migrate-secret", tc.secret)
			old := cookiesOf(t, cookiesession.Config{Type: tc.from, SecretKey: tc.secret, CookieName: tc.cookie}, map[string]string{"user": "tom"})
			r := getWith(t, srv.url, "/", old)
			if r.body != "Hello Tom\n" || !strings.Contains(strings.Join(r.setCookie, "\n"), tc.name+"=") {
				t.Fatalf("/ with a %s cookie: %q, Set-Cookie %q", tc.from, r.body, r.setCookie)
			}
			if s := debugVarsOf(t, srv); !reflect.DeepEqual(s.Migrated, []uint64{1}) || s.Reissued["migration"] != 1 {
				t.Errorf("migrated %v, reissued %v", s.Migrated, s.Reissued)
			}
			only := start(t, nil, "-type", tc.to, "-secret", testSecret, "-cookie", tc.name)
			expect(t, "the re-issued cookie", getWith(t, only.url, "/", cookieLine(r.setCookie)), http.StatusOK, "Hello Tom\n")
			expect(t, "the source cookie without migration", getWith(t, only.url, "/", old), http.StatusOK, "Hello Anonymous\n")
		})
	}
}
