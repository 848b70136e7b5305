// Command router keeps a login in a session behind a router, here Go's own
// http.ServeMux.
//
//	GET /            -> Hello Anonymous
//	GET /login/tom   -> Done
//	GET /            -> Hello Tom
//	GET /logout      -> Done
//	GET /            -> Hello Anonymous
//
// With -revocation or -redis ADDR, /logout also revokes the session (a
// copy of its cookie replayed later is refused), and
//
//	GET /logout-everywhere -> Done (every session of the user is revoked)
//
// Run it with: go run ./examples/router [-addr localhost:8080] [-type jwt] [-secret S]
// [-revocation] [-redis ADDR]. Processes started with the same -redis and
// -secret form a fleet: a logout through any of them holds on all of them.
//
// This directory is a module of its own (its go.mod requires the core
// module, and stores/redis for -redis): copy it out of the repository,
// drop the replace lines of its go.mod, and it builds against the
// released modules (see RELEASING.md).
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/cookiesession/cookiesession"
)

// demoSecret is the default secret. It is PUBLIC (it is printed right
// here): never use it outside a demo. Its 32 characters make a full-strength
// fernet key, so the demo shows no weak-secret warning; a real secret comes
// from cookiesession keygen.
const demoSecret = "cookiesession-demo-secret-public"

func main() {
	addr := flag.String("addr", "localhost:8080", "address to listen on")
	sessionType := cookiesession.JWT
	flag.Var(&sessionType, "type", "session type: base64, jwt or fernet")
	secret := flag.String("secret", demoSecret, "secret key for jwt and fernet sessions (the default is public)")
	revocation := flag.Bool("revocation", false, "revoke sessions at /logout and /logout-everywhere, in this process only")
	redisAddr := flag.String("redis", "", "share revocations with a fleet through the Redis at `ADDR` (host:port or redis:// URL); implies -revocation")
	flag.Parse()

	switch {
	case sessionType == cookiesession.Base64:
		fmt.Fprintln(os.Stderr, "warning: base64 sessions are not signed: clients can read and forge them")
	case *secret == demoSecret:
		fmt.Fprintf(os.Stderr, "warning: using the demo secret %q, which is public; pass -secret for anything real\n", demoSecret)
	}
	list, closeList, err := revocationList(*revocation, *redisAddr)
	if err != nil {
		log.Fatal(err)
	}
	defer closeList()
	sessions, err := cookiesession.New(cookiesession.Config{Type: sessionType, SecretKey: *secret, Revocation: list})
	if err != nil {
		log.Fatal(err)
	}
	mux := routes()
	if list != nil {
		withLogoutEverywhere(mux, sessions)
	}
	server := &http.Server{
		Addr:              *addr,
		Handler:           sessions.Handler(mux),
		ReadHeaderTimeout: 10 * time.Second,
	}
	log.Printf("listening on http://%s (%s sessions)", *addr, sessionType)
	log.Fatal(server.ListenAndServe())
}

// routes returns the app's handlers; main wraps them in the session
// middleware.
func routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", index)
	mux.HandleFunc("GET /login/{user}", login)
	mux.HandleFunc("GET /logout", logout)
	return mux
}

// index greets the session's user.
func index(w http.ResponseWriter, r *http.Request) {
	user := cookiesession.FromRequest(r).GetString("user")
	if user == "" {
		user = "Anonymous"
	}
	fmt.Fprintf(w, "Hello %s", title(user))
}

// login stores the user named in the path in the session.
func login(w http.ResponseWriter, r *http.Request) {
	if err := cookiesession.FromRequest(r).Set("user", r.PathValue("user")); err != nil {
		sessionError(w, err)
		return
	}
	fmt.Fprint(w, "Done")
}

// logout ends the session: the browser drops its cookie and, with
// revocation on, a copy of the cookie replayed later is refused.
func logout(w http.ResponseWriter, r *http.Request) {
	if err := cookiesession.FromRequest(r).Revoke(); err != nil {
		sessionError(w, err)
		return
	}
	fmt.Fprint(w, "Done")
}

// sessionError answers a request whose session change Set, Revoke or
// RevokeUser refused: a value too large for the cookie is the client's
// doing (400); a revocation the shared list could not record (Redis
// unreachable) is a 503 saying that the logout may not hold on every
// server; anything else is logged and answered with a plain 500, without
// details.
func sessionError(w http.ResponseWriter, err error) {
	if errors.Is(err, cookiesession.ErrTooLarge) {
		http.Error(w, "too large to keep in the session", http.StatusBadRequest)
		return
	}
	if errors.Is(err, cookiesession.ErrRevocationUnavailable) {
		log.Printf("session: %v", err)
		http.Error(w, "the logout did not reach every server; try again", http.StatusServiceUnavailable)
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
