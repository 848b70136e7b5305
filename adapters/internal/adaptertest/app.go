// Package adaptertest holds what the tests of the framework adapters
// share beyond internal/sessiontest: one small app, described once as
// framework-neutral [Routes] that each adapter's tests mount on their
// framework, and the flows every adapter must pass with it ([Run]): a
// chunked session written and read back, shrunk (its stale chunks
// expired), iron-session and cookie-session sessions, a flash message
// across a redirect, and a rolling re-issue. adapters/crosstest mounts the
// same routes on every framework to check that a session one writes, all
// the others read.
//
// It is a test helper: it lives in the core module (no outside
// dependency) so that the adapters' modules can import it, as they import
// internal/sessiontest.
package adaptertest

import (
	"fmt"
	"math/rand"
	"net/http"
	"strconv"
	"strings"

	"github.com/cookiesession/cookiesession"
)

// A Reply is what a route answers: a status and a body, or, when
// Location is set, a redirect to it with the status.
type Reply struct {
	Status   int
	Body     string
	Location string
}

// A Route is one GET path of the test app. Handle gets the request's
// session and a function returning the request's query parameters.
type Route struct {
	Path   string
	Handle func(s *cookiesession.Session, query func(string) string) Reply
}

// Routes is the test app:
//
//	/set?key=K&len=N      stores Value(N) under K; "ok"
//	/set?key=K&len=N&list=1  stores Value(N) as a list of strings of at most 1 KiB (Pieces)
//	/get?key=K            the string under K, or its list's strings joined ("" if none)
//	/flash?msg=M[&stay=1] flashes M, then redirects (303) to /flashes, or with stay says "ok"
//	/flashes              the pending flash messages, oldest first, joined by "|"; they are removed
//	/clear                empties the session; "ok"
//
// An error of the session (a refused Set) is a 500 with its text.
var Routes = []Route{
	{"/set", func(s *cookiesession.Session, q func(string) string) Reply {
		n, err := strconv.Atoi(q("len"))
		if err != nil || n < 0 {
			return Reply{Status: http.StatusBadRequest, Body: "len: " + q("len")}
		}
		var value any = Value(n)
		if q("list") != "" {
			value = Pieces(Value(n))
		}
		if err := s.Set(q("key"), value); err != nil {
			return Reply{Status: http.StatusInternalServerError, Body: err.Error()}
		}
		return Reply{Status: http.StatusOK, Body: "ok"}
	}},
	{"/get", func(s *cookiesession.Session, q func(string) string) Reply {
		if list, err := cookiesession.Get[[]string](s, q("key")); err == nil {
			return Reply{Status: http.StatusOK, Body: strings.Join(list, "")}
		}
		return Reply{Status: http.StatusOK, Body: s.GetString(q("key"))}
	}},
	{"/flash", func(s *cookiesession.Session, q func(string) string) Reply {
		if err := s.Flash(q("msg")); err != nil {
			return Reply{Status: http.StatusInternalServerError, Body: err.Error()}
		}
		if q("stay") != "" {
			return Reply{Status: http.StatusOK, Body: "ok"}
		}
		return Reply{Status: http.StatusSeeOther, Location: "/flashes"}
	}},
	{"/flashes", func(s *cookiesession.Session, _ func(string) string) Reply {
		var texts []string
		for _, f := range s.Flashes() {
			texts = append(texts, f.Text())
		}
		return Reply{Status: http.StatusOK, Body: strings.Join(texts, "|")}
	}},
	{"/clear", func(s *cookiesession.Session, _ func(string) string) Reply {
		if err := s.Clear(); err != nil {
			return Reply{Status: http.StatusInternalServerError, Body: err.Error()}
		}
		return Reply{Status: http.StatusOK, Body: "ok"}
	}},
}

// Value returns the test value of n characters: letters and digits drawn
// from a generator seeded with n, so that it does not compress and the
// handler and the test make the same one.
func Value(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	r := rand.New(rand.NewSource(int64(n)))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.Intn(len(alphabet))]
	}
	return string(b)
}

// Pieces returns v cut into strings of at most 1 KiB.
//
// The core refuses any single string longer than
// cookiesession.MaxCookieSize before it looks at Config.MaxSize (or at
// iron-session's chunks), so the flows store their large values as lists.
func Pieces(v string) []string {
	var out []string
	for len(v) > 1024 {
		out = append(out, v[:1024])
		v = v[1024:]
	}
	return append(out, v)
}

// HTTPHandler returns route as a net/http handler, for apps that run the
// core's middleware (net/http, chi): the session comes from
// [cookiesession.FromRequest].
func HTTPHandler(route Route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		WriteHTTP(w, r, route.Handle(cookiesession.FromRequest(r), r.URL.Query().Get))
	}
}

// WriteHTTP writes rep to w.
func WriteHTTP(w http.ResponseWriter, r *http.Request, rep Reply) {
	if rep.Location != "" {
		http.Redirect(w, r, rep.Location, rep.Status)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(rep.Status)
	fmt.Fprint(w, rep.Body)
}

// Mux returns a net/http app of Routes behind m's middleware.
func Mux(m *cookiesession.Manager) http.Handler {
	mux := http.NewServeMux()
	for _, route := range Routes {
		mux.Handle(route.Path, HTTPHandler(route))
	}
	return m.Handler(mux)
}
