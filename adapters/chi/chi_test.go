package chisession_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
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

// Every response says Vary: Cookie, whether the handler reads the session
// before the headers, first reads it after a Write or a Flush, or never;
// an app's own Vary is kept and Cookie is never named twice. With a new
// cookie, Cache-Control: no-cache="Set-Cookie" is added unless the app (or
// chi's NoCache middleware) set its own.
func TestVaryCookieOnEveryResponse(t *testing.T) {
	m := sessiontest.NewManager(t, cookiesession.JWT, nil)
	token, err := m.Codec().Encode(cookiesession.Values{"user": []byte(`"tom"`)})
	if err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Use(m.Handler)
	user := func(r *http.Request) string { return cookiesession.FromRequest(r).GetString("user") }
	r.Get("/static", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "static") })
	r.Get("/read", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, user(r)) })
	r.Get("/after-write", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello ")
		fmt.Fprint(w, user(r))
	})
	r.Get("/after-flush", func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush()
		fmt.Fprint(w, "hello "+user(r))
	})
	r.Get("/app-vary", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "Accept-Encoding")
		fmt.Fprint(w, user(r))
	})
	r.Get("/app-vary-cookie", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "Origin, cookie")
		fmt.Fprint(w, user(r))
	})
	r.Get("/set", func(w http.ResponseWriter, r *http.Request) {
		_ = cookiesession.FromRequest(r).Set("n", 1)
		fmt.Fprint(w, user(r))
	})
	r.With(middleware.NoCache).Get("/set-nocache", func(w http.ResponseWriter, r *http.Request) {
		_ = cookiesession.FromRequest(r).Set("n", 1)
		fmt.Fprint(w, user(r))
	})
	srv := httptest.NewServer(r)
	defer srv.Close()
	noCache := "no-cache, no-store, no-transform, must-revalidate, private, max-age=0"
	for _, tc := range []struct {
		path, body string
		vary       []string
		cache      []string
	}{
		{"/static", "static", []string{"Cookie"}, nil},
		{"/read", "tom", []string{"Cookie"}, nil},
		{"/after-write", "hello tom", []string{"Cookie"}, nil},
		{"/after-flush", "hello tom", []string{"Cookie"}, nil},
		{"/app-vary", "tom", []string{"Accept-Encoding", "Cookie"}, nil},
		{"/app-vary-cookie", "tom", []string{"Origin, cookie"}, nil},
		{"/set", "tom", []string{"Cookie"}, []string{`no-cache="Set-Cookie"`}},
		{"/set-nocache", "tom", []string{"Cookie"}, []string{noCache}},
	} {
		resp, body := sessiontest.Get(t, &http.Client{}, srv.URL+tc.path, "session="+token)
		if body != tc.body {
			t.Errorf("GET %s: body %q, want %q", tc.path, body, tc.body)
		}
		if got := resp.Header.Values("Vary"); !slices.Equal(got, tc.vary) {
			t.Errorf("GET %s: Vary %q, want %q", tc.path, got, tc.vary)
		}
		if got := resp.Header.Values("Cache-Control"); !slices.Equal(got, tc.cache) {
			t.Errorf("GET %s: Cache-Control %q, want %q", tc.path, got, tc.cache)
		}
	}
}
