package main

import (
	"io"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

	"github.com/cookiesession/cookiesession"
)

// The seed's test of its router example: login, greet, logout, greet.
func TestSeedLoginLogout(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.Base64, cookiesession.JWT, cookiesession.Fernet} {
		t.Run(string(typ), func(t *testing.T) {
			m, err := cookiesession.New(cookiesession.Config{Type: typ, SecretKey: "SESSION-SECRET"})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(m.Handler(routes()))
			defer srv.Close()
			jar, _ := cookiejar.New(nil)
			client := srv.Client()
			client.Jar = jar
			for _, step := range []struct{ path, want string }{
				{"/", "Hello Anonymous"},
				{"/login/tom", "Done"},
				{"/", "Hello Tom"},
				{"/logout", "Done"},
				{"/", "Hello Anonymous"},
				{"/logout", "Done"}, // logging out twice is no error
			} {
				resp, err := client.Get(srv.URL + step.path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(body) != step.want {
					t.Errorf("GET %s = %d %q, want %q", step.path, resp.StatusCode, body, step.want)
				}
			}
		})
	}
}
