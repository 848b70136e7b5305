package main

import (
	"io"
	"testing"

	"github.com/cookiesession/cookiesession/examples/internal/demotest"
)

// The seed's test of its router example: login, greet, logout, greet.
func TestSeedLoginLogout(t *testing.T) {
	for _, typ := range demotest.Types {
		t.Run(string(typ), func(t *testing.T) {
			url, client := demotest.Serve(t, typ, routes())
			for _, step := range []struct{ path, want string }{
				{"/", "Hello Anonymous"},
				{"/login/tom", "Done"},
				{"/", "Hello Tom"},
				{"/logout", "Done"},
				{"/", "Hello Anonymous"},
				{"/logout", "Done"}, // logging out twice is no error
			} {
				resp, err := client.Get(url + step.path)
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
