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
