package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/sessiontest"
)

// The seed's own test of its first example, replayed for every session
// type through a real server and a client with a cookie jar.
func TestSeedFlow(t *testing.T) {
	for _, typ := range sessiontest.Types {
		t.Run(string(typ), func(t *testing.T) {
			srv := httptest.NewServer(sessiontest.NewManager(t, typ, nil).Handler(http.HandlerFunc(hello)))
			defer srv.Close()
			url, client := srv.URL, sessiontest.NewClient()
			client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

			get := func(path string) (int, string, http.Header) {
				resp, err := client.Get(url + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(body), resp.Header
			}
			if _, body, _ := get("/"); body != "Hello Anonymous" {
				t.Errorf("GET / = %q", body)
			}
			code, body, h := get("/?tom")
			if code != http.StatusTemporaryRedirect || h.Get("Location") != "/" || body != "Hello Tom" {
				t.Errorf("GET /?tom = %d %q Location %q", code, body, h.Get("Location"))
			}
			for _, attr := range []string{"HttpOnly", "Path=/", "SameSite=Lax", "Max-Age=1209600"} {
				if !strings.Contains(h.Get("Set-Cookie"), attr) {
					t.Errorf("cookie %q lacks %s", h.Get("Set-Cookie"), attr)
				}
			}
			if _, body, h := get("/"); body != "Hello Tom" || h.Get("Set-Cookie") != "" {
				t.Errorf("GET / = %q, Set-Cookie %q", body, h.Get("Set-Cookie"))
			}
		})
	}
}
