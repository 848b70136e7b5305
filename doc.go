// Package cookiesession keeps HTTP sessions in a cookie, for net/http
// applications. A session is a JSON object of values; [Manager.Handler]
// reads it from one cookie and writes the cookie back only when the
// handler changed the session.
//
// It speaks the cookie formats of the Python package asgi-sessions, so a Go
// service and a Python service can share one session: a cookie either of
// them writes, the other reads.
//
//	m, err := cookiesession.New(cookiesession.Config{
//		Type:      cookiesession.Fernet,
//		SecretKey: os.Getenv("SESSION_SECRET"),
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	http.ListenAndServe(":8080", m.Handler(app))
//
//	// in a handler
//	s := cookiesession.FromRequest(r)
//	if err := s.Set("user", "tom"); err != nil {
//		// not saved: too large for the cookie, or the headers went out
//		http.Error(w, err.Error(), http.StatusInternalServerError)
//		return
//	}
//	user := s.GetString("user")
//
// [Get] decodes a value into any type, structs included:
//
//	cart, err := cookiesession.Get[Cart](s, "cart")
//
// [Config.Secure] is off by default, as in asgi-sessions: turn it on for a
// site served over HTTPS.
//
// # Other frameworks
//
// chi and other routers that take net/http middleware use [Manager.Handler]
// as it is. For gin, echo and fiber, the modules
// github.com/cookiesession/cookiesession/adapters/gin, .../adapters/echo
// and .../adapters/fiber give each framework's middleware and a getter from
// its context; any other framework can bind [Manager.Load] and
// [Manager.Save].
//
// # Session types and what they protect
//
// A session cookie is input the client controls. The three types differ in
// what the client can do with it:
//
//   - [Base64]: the session's JSON in URL-safe base64. The client can read
//     it and forge any value. Keep nothing in it that a user may not see
//     or must not change (no user id that grants access).
//   - [JWT]: an HS256-signed JSON Web Token. The client can read every value
//     (the payload is only base64) but cannot change one without the
//     secret. Only HS256 is accepted; the token's "alg" never selects the
//     algorithm.
//   - [Fernet]: a Fernet token, AES-128-CBC encrypted and HMAC-SHA256
//     authenticated. The client can neither read nor change it.
//
// For jwt and fernet the server also enforces [Config.MaxAge]: a cookie
// older than that is refused even if a client keeps sending it. (A jwt
// without an "exp" claim, as asgi-sessions writes them, carries no date and
// stays valid while its secret is configured.) What no
// cookie session can do is revoke one stolen cookie before it expires:
// keep MaxAge short for sensitive sessions, and rotate the secret to
// invalidate every session at once.
//
// # Several sessions per request
//
// Each [Manager] keeps one cookie. For several (gorilla/sessions' "named
// sessions"), stack their middleware, give each its own
// [Config.CookieName], and reach each session with its Manager's
// [Manager.FromRequest]; the package's [FromRequest] returns the
// innermost one. A base64 session of preferences around a fernet session
// of the login, for example:
//
//	handler := prefs.Handler(auth.Handler(app))
//	// in app
//	theme := prefs.FromRequest(r).GetString("theme")
//	user := auth.FromRequest(r).GetString("user")
//
// # Bad cookies and errors
//
// A forged, tampered, expired, oversized or garbage cookie gives the
// request an empty session, never an error response; the reason goes to
// [Config.ErrorHandler], or to the log, and is available from
// [Session.Err], so a handler tells a refused cookie (Err is not nil) from
// a missing one (Err is nil). Clearing such a session (logout) expires the
// refused cookie. Misconfiguration is an error from [New], and so is a
// secret that protects nothing (a fernet secret of 16 characters or fewer).
//
// Every error the ErrorHandler receives wraps [ErrCookieRefused] (the
// request's cookie was refused) or [ErrNotSaved] (a change could not be
// saved), besides the sentinel that says what went wrong; the default log
// record carries the request's method and path.
//
// # Key rotation
//
// [Config.SecretKey] signs or encrypts new cookies; [Config.PreviousSecretKeys]
// are also tried when reading. Move the current key into PreviousSecretKeys,
// set a new SecretKey, and drop the old key once MaxAge has passed.
//
// # Size
//
// Browsers silently drop a cookie over 4096 bytes. [Session.Set] knows the
// size of the cookie from the length of the session's JSON, without
// encoding it, and refuses a value that would make the Set-Cookie line
// longer, with an error wrapping [ErrTooLarge], changing nothing. A session
// that still turns out too large when saved (one that came in near the
// limit from another server's cookie) is not sent: the client keeps its
// previous cookie and the error is reported. Incoming cookie values longer
// than [MaxCookieSize] are refused before any decoding.
//
// # When the cookie is written
//
// The cookie must be in the headers before they go out, so the middleware
// adds it on the handler's first WriteHeader, Write, Flush or ReadFrom,
// or when the handler returns. After that point (or a Hijack) a change
// cannot be saved: [Session.Set], [Session.Delete] and [Session.Clear]
// return an error wrapping [ErrHeadersWritten] and change nothing.
package cookiesession
