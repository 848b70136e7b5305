// Package demotest starts an example app behind the session middleware for
// the examples' tests: a real server on loopback and a client with a
// cookie jar, as a browser would use it.
package demotest

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

	"github.com/cookiesession/cookiesession"
)

// Types are the session types every example is tested with.
var Types = []cookiesession.Type{cookiesession.Base64, cookiesession.JWT, cookiesession.Fernet}

// Serve serves app behind sessions of the given type until the test ends,
// and returns the server's URL and a client that keeps cookies.
func Serve(t *testing.T, typ cookiesession.Type, app http.Handler) (string, *http.Client) {
	t.Helper()
	m, err := cookiesession.New(cookiesession.Config{Type: typ, SecretKey: "example-test-secret"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler(app))
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := srv.Client()
	client.Jar = jar
	return srv.URL, client
}
