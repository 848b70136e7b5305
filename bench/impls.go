// Package bench compares cookiesession with gorilla/sessions and with the
// cost floor of the cryptography and JSON it does, one full HTTP request
// through the middleware at a time. It is its own module, so that the core
// never depends on gorilla. Run the whole comparison with
//
//	go run ./compare          # from this folder; add -load for the loopback load test
//
// BENCHMARKS.md in the repository root has the figures and how they were
// measured.
package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/gorilla/sessions"
)

// Secrets shared by every implementation. They are benchmark fixtures, not
// secrets: never use them in a real service.
const (
	JWTSecret    = "bench-jwt-secret-0123456789abcdef"
	FernetSecret = "bench-fernet-secret-0123456789ab" // 32 ASCII characters
	CookieName   = "session"
	MaxAge       = 14 * 24 * time.Hour
)

var (
	gorillaHashKey  = []byte("bench-gorilla-hash-key-0123456789")
	gorillaBlockKey = []byte("bench-gorilla-block-key-01234567") // 32 bytes: AES-256
)

// Scenarios of one request, as the issue defines them: a valid cookie is
// sent every time.
const (
	Untouched = "untouched" // the handler never touches the session
	Read      = "read"      // the handler reads one value
	Write     = "write"     // the handler sets a value; a new cookie is written
)

// Scenarios lists the scenarios in report order.
var Scenarios = []string{Untouched, Read, Write}

// An Impl is one way of handling sessions: cookiesession with one of its
// three types, gorilla/sessions' CookieStore, or none at all (bare).
type Impl struct {
	Name string
	// Handler returns the full handler (middleware included) for a scenario.
	Handler func(scenario string) http.Handler
	// seed is a handler that stores the fixture values and saves them.
	seed http.Handler
	// noSession: the references (bare, context-only, header-only), which
	// keep no session. They are sent the jwt implementation's cookie, so
	// that every server reads requests of the same size.
	noSession bool
}

// Impls lists the implementations in report order.
var Impls = []Impl{
	bareImpl(),
	contextOnlyImpl(),
	headerOnlyImpl(),
	csImpl("base64", cookiesession.Config{Type: cookiesession.Base64, MaxAge: MaxAge}),
	csImpl("jwt", cookiesession.Config{Type: cookiesession.JWT, SecretKey: JWTSecret, MaxAge: MaxAge}),
	csImpl("fernet", cookiesession.Config{Type: cookiesession.Fernet, SecretKey: FernetSecret, MaxAge: MaxAge}),
	gorillaImpl("gorilla-hash", gorillaHashKey),
	gorillaImpl("gorilla-hash-block", gorillaHashKey, gorillaBlockKey),
}

// ImplByName returns the implementation of that name.
func ImplByName(name string) (Impl, bool) {
	for _, im := range Impls {
		if im.Name == name {
			return im, true
		}
	}
	return Impl{}, false
}

// body is what every handler answers, so that all write the same response.
var body = []byte("tom")

// check reports a value that is not the fixture's: a benchmark of a broken
// session must not look fast.
func check(w http.ResponseWriter, user string) {
	if user != "tom" {
		http.Error(w, "session lost: user="+user, http.StatusInternalServerError)
		return
	}
	w.Write(body)
}

func bareImpl() Impl {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
	return Impl{
		Name:      "bare",
		Handler:   func(string) http.Handler { return h },
		seed:      h,
		noSession: true,
	}
}

type ctxKey struct{}

// contextOnlyImpl is the least any net/http middleware that hands the
// handler a value through the request's context pays: context.WithValue
// and r.WithContext, a copy of the *http.Request. It is the reference for
// the untouched scenario.
func contextOnlyImpl() Impl {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, w))
		w.Write(body)
	})
	return Impl{
		Name:      "context-only",
		Handler:   func(string) http.Handler { return h },
		seed:      h,
		noSession: true,
	}
}

// headerOnlyImpl adds one response header (Vary: Cookie, as cookiesession
// does when the handler reads the session) and nothing else. On a real
// server the first header a handler sets costs the header map's first
// allocation and a clone of the map when the headers are written, which
// bare, setting none, never pays; this is the reference for that share.
func headerOnlyImpl() Impl {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Cookie")
		w.Write(body)
	})
	return Impl{
		Name:      "header-only",
		Handler:   func(string) http.Handler { return h },
		seed:      h,
		noSession: true,
	}
}

func csImpl(name string, cfg cookiesession.Config) Impl {
	m, err := cookiesession.New(cfg)
	if err != nil {
		panic(err)
	}
	handlers := map[string]http.Handler{
		Untouched: m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write(body)
		})),
		Read: m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			check(w, cookiesession.FromRequest(r).GetString("user"))
		})),
		Write: m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := cookiesession.FromRequest(r)
			if err := s.Set("user", "ann"); err != nil {
				panic(err)
			}
			check(w, "tom")
		})),
	}
	return Impl{
		Name:    name,
		Handler: func(scenario string) http.Handler { return handlers[scenario] },
		seed: m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := cookiesession.FromRequest(r)
			for _, err := range []error{
				s.Set("user", "tom"),
				s.Set("uid", 12345),
				s.Set("roles", []string{"admin", "dev"}),
			} {
				if err != nil {
					panic(err)
				}
			}
		})),
	}
}

func gorillaImpl(name string, keys ...[]byte) Impl {
	store := sessions.NewCookieStore(keys...)
	store.Options.MaxAge = int(MaxAge / time.Second)
	store.Options.HttpOnly = true
	store.Options.SameSite = http.SameSiteLaxMode
	get := func(w http.ResponseWriter, r *http.Request) *sessions.Session {
		s, err := store.Get(r, CookieName)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return nil
		}
		return s
	}
	handlers := map[string]http.Handler{
		Untouched: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write(body)
		}),
		Read: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if s := get(w, r); s != nil {
				user, _ := s.Values["user"].(string)
				check(w, user)
			}
		}),
		Write: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if s := get(w, r); s != nil {
				s.Values["user"] = "ann"
				if err := s.Save(r, w); err != nil {
					panic(err)
				}
				check(w, "tom")
			}
		}),
	}
	return Impl{
		Name:    name,
		Handler: func(scenario string) http.Handler { return handlers[scenario] },
		seed: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, _ := store.New(r, CookieName)
			s.Values["user"] = "tom"
			s.Values["uid"] = 12345
			s.Values["roles"] = []string{"admin", "dev"}
			if err := s.Save(r, w); err != nil {
				panic(err)
			}
		}),
	}
}

// CookieValue returns a valid cookie value holding the fixture values
// {"user":"tom","uid":12345,"roles":["admin","dev"]}, made by the
// implementation itself; for the references, which keep no session, the
// jwt implementation's cookie, which they ignore.
func (im Impl) CookieValue() string {
	seed := im.seed
	if im.noSession {
		jwt, _ := ImplByName("jwt")
		seed = jwt.seed
	}
	rec := httptest.NewRecorder()
	seed.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	for _, c := range rec.Result().Cookies() {
		if c.Name == CookieName {
			return c.Value
		}
	}
	return ""
}

// Request returns a GET request carrying the implementation's cookie, to
// be copied for each request served.
func (im Impl) Request() *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	if v := im.CookieValue(); v != "" {
		r.Header.Set("Cookie", CookieName+"="+v)
	}
	return r
}

// Check serves one request of each scenario and verifies the answer: the
// value read back, and a new cookie exactly when the scenario writes one.
func (im Impl) Check() error {
	base := im.Request()
	for _, sc := range Scenarios {
		req := *base
		rec := httptest.NewRecorder()
		im.Handler(sc).ServeHTTP(rec, &req)
		res := rec.Result()
		got, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || string(got) != "tom" {
			return fmt.Errorf("%s/%s: status %d, body %q", im.Name, sc, res.StatusCode, got)
		}
		setCookie := strings.Join(res.Header.Values("Set-Cookie"), "\n")
		if wantCookie := sc == Write && !im.noSession; wantCookie != strings.Contains(setCookie, CookieName+"=") {
			return fmt.Errorf("%s/%s: Set-Cookie %q", im.Name, sc, setCookie)
		}
	}
	return nil
}
