// Command router keeps a login in a session behind a router, here Go's own
// http.ServeMux, and shows the session's whole life from a shell.
//
//	GET /                  -> Hello Anonymous (then "flash: <msg>" per pending flash message)
//	GET /login/tom         -> Done (a new session life: Renew, then Set)
//	GET /                  -> Hello Tom
//	GET /flash/saved       -> 303 See Other to /, which shows "flash: saved" once
//	GET /logout            -> Done (clears the cookie; with -revocation, revokes it)
//	GET /logout-everywhere -> Done (revokes every session of the user; needs -revocation)
//	GET /fill/6000         -> Stored 6000 (6000 random letters under "fill")
//	GET /fill              -> fill: 6000
//	GET /debug/vars        -> the expvar page, the session statistics under "cookiesession"
//
// Run it with: go run ./examples/router [flags]; go run ./examples/router -h
// lists them. The main ones:
//
//	-addr localhost:8080   where to listen
//	-cookie session        the session cookie's name
//	-type jwt              base64, jwt, fernet, starlette, flask, django, iron-session, cookie-session
//	-secret S              the secret key (iron-session: ID=PASSWORD, or a password: id 1)
//	-previous-secret S     an old key, still read (repeatable); a cookie it reads is written again with -secret
//	-max-age SECONDS       session lifetime; 0: a browser-session cookie, no server-side expiry
//	-rolling               active users get a fresh expiry
//	-lifetime SECONDS      the longest a login lasts, however active
//	-revocation            an in-memory revocation list: logout and logout everywhere refuse old copies
//	-redis ADDR            share the revocation list with a fleet through the Redis at ADDR (host:port
//	                       or redis:// URL; implies -revocation): processes with the same -redis and
//	                       -secret refuse a logged-out cookie within a second
//	-migrate-from TYPE     also read sessions of another format (-migrate-secret, -migrate-cookie)
//	-max-size BYTES        sessions of up to BYTES over several cookies (4096 to 16384)
//	-compress              compress sessions (base64, jwt)
//
// A migration format is read from the cookie -migrate-cookie names (by
// default its framework's: "sessionid" for django, "session" for the
// others). Under the router's own name (-cookie, default "session") it is
// tried on what the router's format refuses; under another name, only when
// the request carries no cookie of the router's own, and the old cookie is
// expired once the session is written in the router's format.
//
// /debug/vars is for the operator: serve it on an internal address only in
// a real app. Its cmdline shows the router's arguments with the secrets
// replaced by "REDACTED".
//
// This directory is a module of its own (it uses stores/redis for -redis)
// and is self-contained: copy it out of the repository with its go.mod,
// point the replace lines at a checkout (or drop them for released
// versions), and it builds.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/cookiesession/cookiesession"
)

// demoSecret is the default secret. It is PUBLIC (it is printed right
// here): never use it outside a demo. Its 32 characters make a full-strength
// fernet key and a valid iron-session password, so the demo shows no
// weak-secret warning; a real secret comes from cookiesession keygen.
const demoSecret = "cookiesession-demo-secret-public"

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		os.Exit(2)
	}
	for _, w := range o.warnings() {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	cfg := o.config()
	if o.redis != "" {
		list, release, err := revocationList(false, o.redis)
		if err != nil {
			log.Fatal(err)
		}
		defer release()
		cfg.Revocation = list
	}
	sessions, err := cookiesession.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	server := &http.Server{
		Addr:              o.addr,
		Handler:           sessions.Handler(routes(sessions)),
		ReadHeaderTimeout: 10 * time.Second,
	}
	log.Printf("listening on http://%s (%s sessions)", o.addr, o.sessionType)
	log.Fatal(server.ListenAndServe())
}

// warnings returns what a user of these options should know: a session
// the client can forge, a public secret, a migration that cannot read.
func (o *options) warnings() []string {
	var out []string
	switch {
	case o.sessionType == cookiesession.Base64:
		out = append(out, "base64 sessions are not signed: clients can read and forge them (and -lifetime and -rolling are only advisory)")
	case o.secret == demoSecret:
		out = append(out, fmt.Sprintf("using the demo secret %q, which is public; pass -secret for anything real", demoSecret))
	}
	return out
}
