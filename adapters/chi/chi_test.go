package chisession_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/pystr"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// seedApp is the seed's router example on chi: the core's middleware, as
// it is, in chi's Use.
func seedApp(m *cookiesession.Manager) http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Use(m.Handler)
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		user := cookiesession.FromRequest(r).GetString("user")
		if user == "" {
			user = "Anonymous"
		}
		fmt.Fprintf(w, "Hello %s", pystr.Title(user))
	})
	r.Get("/login/{user}", func(w http.ResponseWriter, r *http.Request) {
		if err := cookiesession.FromRequest(r).Set("user", chi.URLParam(r, "user")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "Done")
	})
	r.Get("/logout", func(w http.ResponseWriter, r *http.Request) {
		cookiesession.FromRequest(r).Delete("user")
		fmt.Fprint(w, "Done")
	})
	// Route groups and sub-routers see the same session.
	r.Route("/api", func(r chi.Router) {
		r.Use(middleware.NoCache)
		r.Get("/whoami", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, cookiesession.FromRequest(r).GetString("user"))
		})
	})
	return r
}

func TestSeedLoginLogout(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.Base64, cookiesession.JWT, cookiesession.Fernet} {
		t.Run(string(typ), func(t *testing.T) {
			var mu sync.Mutex
			var reported []error
			m, err := cookiesession.New(cookiesession.Config{Type: typ, SecretKey: "SESSION-SECRET",
				ErrorHandler: func(_ context.Context, err error) {
					mu.Lock()
					defer mu.Unlock()
					reported = append(reported, err)
				}})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(seedApp(m))
			defer srv.Close()
			jar, _ := cookiejar.New(nil)
			client := srv.Client()
			client.Jar = jar
			for _, step := range []struct{ path, want, setCookie string }{
				{"/", "Hello Anonymous", ""},
				{"/login/tom", "Done", "session="},
				{"/", "Hello Tom", ""},
				{"/api/whoami", "tom", ""},
				{"/logout", "Done", "Max-Age=0"},
				{"/", "Hello Anonymous", ""},
				{"/logout", "Done", ""},
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
				if sc := resp.Header.Get("Set-Cookie"); !strings.Contains(sc, step.setCookie) || (step.setCookie == "") != (sc == "") {
					t.Errorf("GET %s: Set-Cookie %q, want one containing %q", step.path, sc, step.setCookie)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(reported) != 0 {
				t.Errorf("reported %v", reported)
			}
		})
	}
}
