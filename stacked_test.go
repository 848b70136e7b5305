package cookiesession_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
)

// Two Managers on one request, as gorilla's named sessions: a base64
// "prefs" session around a fernet "auth" one, each reached through its
// own Manager over real HTTP, each with its own cookie.
func TestStackedManagers(t *testing.T) {
	log := &sessiontest.ErrorLog{}
	prefs, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64, CookieName: "prefs", ErrorHandler: log.Handle})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Fernet, SecretKey: strongSecret, CookieName: "auth", ErrorHandler: log.Handle})
	if err != nil {
		t.Fatal(err)
	}
	other, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64, CookieName: "other"})
	if err != nil {
		t.Fatal(err)
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, a := prefs.FromRequest(r), auth.FromRequest(r)
		if p == a {
			t.Error("both Managers gave the same session")
		}
		if inner := cookiesession.FromRequest(r); inner != a {
			t.Error("the package's FromRequest is not the innermost Manager's session")
		}
		if _, ok := other.FromContext(r.Context()); ok {
			t.Error("a Manager not on the path found a session")
		}
		switch r.URL.Path {
		case "/login":
			if err := a.Set("user", "tom"); err != nil {
				t.Error(err)
			}
		case "/theme":
			if err := p.Set("theme", "dark"); err != nil {
				t.Error(err)
			}
		case "/logout":
			if err := a.Clear(); err != nil {
				t.Error(err)
			}
		}
		fmt.Fprintf(w, "user=%s theme=%s", a.GetString("user"), p.GetString("theme"))
	})
	srv := httptest.NewServer(prefs.Handler(auth.Handler(app)))
	defer srv.Close()
	client := sessiontest.NewClient()

	steps := []struct{ path, body, setCookie string }{
		{"/", "user= theme=", ""},
		{"/login", "user=tom theme=", "auth="},
		{"/theme", "user=tom theme=dark", "prefs="},
		{"/", "user=tom theme=dark", ""},
		{"/logout", "user= theme=dark", "auth=;"},
		{"/", "user= theme=dark", ""},
	}
	for _, step := range steps {
		resp, body := sessiontest.Get(t, client, srv.URL+step.path)
		if body != step.body {
			t.Errorf("GET %s: %q, want %q", step.path, body, step.body)
		}
		sc := resp.Header.Values("Set-Cookie")
		if step.setCookie == "" && len(sc) != 0 || step.setCookie != "" && (len(sc) != 1 || !strings.HasPrefix(sc[0], step.setCookie)) {
			t.Errorf("GET %s: Set-Cookie %q, want one starting %q", step.path, sc, step.setCookie)
		}
	}
	// The browser holds the prefs cookie, plain base64 of its JSON, and
	// no auth cookie after the logout.
	var held []string
	for _, c := range client.Jar.Cookies(mustParse(t, srv.URL)) {
		held = append(held, c.Name+"="+c.Value)
	}
	if fmt.Sprint(held) != "[prefs=eyJ0aGVtZSI6ImRhcmsifQ==]" {
		t.Errorf("the browser holds %v", held)
	}
	if errs := log.Take(); len(errs) != 0 {
		t.Errorf("reported %v", errs)
	}
}

// A Manager's FromRequest panics without its middleware; FromContext
// reports false.
func TestManagerFromRequestWithoutItsMiddleware(t *testing.T) {
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.FromContext(context.Background()); ok {
		t.Error("FromContext found a session in an empty context")
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("FromRequest without the middleware did not panic")
		}
	}()
	m.FromRequest(httptest.NewRequest("GET", "/", nil))
}

// The same Manager's session is found through contexts derived from the
// request's, as handlers pass them on.
func TestManagerFromContextThroughDerivedContexts(t *testing.T) {
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		t.Fatal(err)
	}
	type k struct{}
	var found bool
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(context.WithValue(r.Context(), k{}, 1))
		defer cancel()
		s, ok := m.FromContext(ctx)
		found = ok && s == cookiesession.FromRequest(r) && errors.Is(s.Err(), nil)
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if !found {
		t.Error("the session was not found through a derived context")
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// nullWriter is a ResponseWriter that allocates nothing.
type nullWriter struct{ h http.Header }

func (w nullWriter) Header() http.Header       { return w.h }
func (nullWriter) Write(b []byte) (int, error) { return len(b), nil }
func (nullWriter) WriteHeader(int)             {}

// A request that never touches its session costs one allocation (the
// per-request state), and finding a Manager's own session in a stack of
// two costs none.
func TestStackedLookupsAllocateNothing(t *testing.T) {
	outer, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64, CookieName: "outer"})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64, CookieName: "inner"})
	if err != nil {
		t.Fatal(err)
	}
	w, r := nullWriter{h: http.Header{}}, httptest.NewRequest("GET", "/", nil)
	untouched := inner.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	if n := testing.AllocsPerRun(100, func() { untouched.ServeHTTP(w, r) }); n != 1 {
		t.Errorf("untouched request: %v allocations, want 1", n)
	}
	var lookups float64
	stacked := outer.Handler(inner.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		lookups = testing.AllocsPerRun(10, func() {
			_ = outer.FromRequest(r)
			_ = inner.FromRequest(r)
			_ = cookiesession.FromRequest(r)
		})
	})))
	stacked.ServeHTTP(w, r)
	if lookups != 0 {
		t.Errorf("FromRequest: %v allocations, want 0", lookups)
	}
}
