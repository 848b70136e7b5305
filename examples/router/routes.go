package main

import (
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/cookiesession/cookiesession"
)

// app holds what the handlers need besides the request's session.
type app struct {
	sessions *cookiesession.Manager
}

// routes returns the app's handlers for the Manager sessions; main wraps
// them in its middleware (sessions.Handler).
func routes(sessions *cookiesession.Manager) *http.ServeMux {
	a := &app{sessions: sessions}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.index)
	mux.HandleFunc("GET /login/{user}", a.login)
	mux.HandleFunc("GET /logout", a.logout)
	mux.HandleFunc("GET /logout-everywhere", a.logoutEverywhere)
	mux.HandleFunc("GET /flash/{msg}", a.flash)
	mux.HandleFunc("GET /fill/{n}", a.fill)
	mux.HandleFunc("GET /fill", a.filled)
	mux.Handle("GET /debug/vars", debugVars(sessions))
	return mux
}

// index greets the session's user on the first line, then shows the
// pending flash messages, one line "flash: <message>" each, oldest first.
// Reading them removes them from the session: each is shown once.
func (a *app) index(w http.ResponseWriter, r *http.Request) {
	s := cookiesession.FromRequest(r)
	user := s.GetString("user")
	if user == "" {
		user = "Anonymous"
	}
	flashes := s.Flashes()
	text(w)
	fmt.Fprintf(w, "Hello %s\n", oneLine(title(user)))
	for _, f := range flashes {
		fmt.Fprintf(w, "flash: %s\n", oneLine(f.Text()))
	}
}

// login starts a new session life for the user named in the path: Renew
// gives the session a new creation time (from which -lifetime counts) and,
// with -revocation, a new id, revoking the one the client held before (so
// a session id planted before the login does not carry over).
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	s := cookiesession.FromRequest(r)
	if err := s.Renew(); err != nil {
		if !errors.Is(err, cookiesession.ErrRevocationUnavailable) {
			sessionError(w, err)
			return
		}
		// The session is renewed; only the old id's revocation failed.
		log.Printf("login: %v", err)
	}
	if err := s.Set("user", r.PathValue("user")); err != nil {
		sessionError(w, err)
		return
	}
	done(w)
}

// logout ends the session: the cookie is cleared (the browser drops it)
// and, with -revocation, its id is revoked, so a copy of the old cookie
// replayed later is refused. Without -revocation such a copy stays valid
// until it expires.
func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	if err := cookiesession.FromRequest(r).Revoke(); err != nil {
		sessionError(w, err)
		return
	}
	done(w)
}

// logoutEverywhere revokes every session of the logged-in user created
// until now, on every server sharing the revocation list, and clears this
// one. Without a logged-in user it answers 401 Unauthorized; without
// -revocation, 501 Not Implemented (sessions carry no id then, and no list
// records the logout).
func (a *app) logoutEverywhere(w http.ResponseWriter, r *http.Request) {
	s := cookiesession.FromRequest(r)
	user := s.GetString("user")
	if user == "" {
		http.Error(w, "not logged in", http.StatusUnauthorized)
		return
	}
	err := a.sessions.RevokeUser(r.Context(), user)
	if errors.Is(err, cookiesession.ErrInvalidConfig) {
		http.Error(w, "logging out everywhere needs a revocation list: start the router with -revocation", http.StatusNotImplemented)
		return
	}
	// Clear this session even if the revocation was not recorded.
	if err := errors.Join(err, s.Clear()); err != nil {
		sessionError(w, err)
		return
	}
	done(w)
}

// flash adds the message in the path as a flash message and redirects to
// /, which shows it: the post/redirect/get pattern.
func (a *app) flash(w http.ResponseWriter, r *http.Request) {
	if err := cookiesession.FromRequest(r).Flash(r.PathValue("msg")); err != nil {
		sessionError(w, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// maxFill is the most letters /fill/{n} stores: four times the largest
// session (16 KiB of cookies), so that the session's own limit answers.
const maxFill = 64 << 10

// fill stores n random letters under "fill" and answers "Stored n". A
// session grown too large for its cookies (-max-size) is refused: 400, and
// the client keeps the session it had.
func (a *app) fill(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n > maxFill {
		http.Error(w, fmt.Sprintf("want a number of letters from 0 to %d", maxFill), http.StatusBadRequest)
		return
	}
	if err := cookiesession.FromRequest(r).Set("fill", randomLetters(n)); err != nil {
		sessionError(w, err)
		return
	}
	text(w)
	fmt.Fprintf(w, "Stored %d\n", n)
}

// filled answers "fill: n", the number of letters stored by /fill/{n}
// (0 if none).
func (a *app) filled(w http.ResponseWriter, r *http.Request) {
	n := len(cookiesession.FromRequest(r).GetString("fill"))
	text(w)
	fmt.Fprintf(w, "fill: %d\n", n)
}

// randomLetters returns n letters drawn at random, which compress about as
// badly as real data does.
func randomLetters(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return string(b)
}

// text marks the response as plain text, which browsers must not sniff
// as HTML: the answers repeat what the URL says (a user name, a message).
func text(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

// done answers "Done".
func done(w http.ResponseWriter) {
	text(w)
	fmt.Fprintln(w, "Done")
}

// oneLine returns s on one line: control characters (a newline in a
// message) are shown escaped, so that each answer line stays one line.
func oneLine(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// sessionError answers a request whose session change was refused: a
// value too large for the cookie is the client's doing (400); a
// revocation the list could not record is a 503 (the cookie is cleared
// here all the same, but a copy elsewhere is not refused); anything else
// is logged and answered with a plain 500, without details.
func sessionError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, cookiesession.ErrTooLarge):
		http.Error(w, "too large to keep in the session", http.StatusBadRequest)
		return
	case errors.Is(err, cookiesession.ErrRevocationUnavailable):
		log.Printf("session: %v", err)
		http.Error(w, "logged out here, but the logout could not be recorded for the other servers: try again", http.StatusServiceUnavailable)
		return
	}
	log.Printf("session: %v", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

// title returns s as Python's str.title does, so the greeting matches the
// Python examples this one mirrors: every cased character that follows an
// uncased one is title-cased, every other one lower-cased ("o'neil-smith
// 3rd" becomes "O'Neil-Smith 3Rd").
func title(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	previousCased := false
	for _, r := range s {
		if previousCased {
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(unicode.ToTitle(r))
		}
		previousCased = unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
	}
	return b.String()
}
