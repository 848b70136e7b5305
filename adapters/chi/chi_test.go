package chisession_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/pystr"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
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
	steps := append([]sessiontest.Step{}, sessiontest.SeedSteps[:3]...)
	steps = append(steps, sessiontest.Step{Path: "/api/whoami", Body: "tom"}) // a sub-router
	steps = append(steps, sessiontest.SeedSteps[3:]...)
	for _, typ := range sessiontest.Types {
		t.Run(string(typ), func(t *testing.T) {
			e := &sessiontest.ErrorLog{}
			srv := httptest.NewServer(seedApp(sessiontest.NewManager(t, typ, e)))
			defer srv.Close()
			sessiontest.Walk(t, sessiontest.NewClient(), srv.URL, steps)
			if l := e.Take(); len(l) != 0 {
				t.Errorf("reported %v", l)
			}
		})
	}
}
