// Package cookiesession keeps HTTP sessions in a cookie, for net/http
// applications. A session is a JSON object of values; [Manager.Handler]
// reads it from one cookie and writes the cookie back only when the
// handler changed the session.
//
// It speaks the cookie formats of the Python package asgi-sessions, of
// Starlette/FastAPI, Flask and Django, and of Node's iron-session and Express
// cookie-session, so a Go service and a Python or Node service can share one
// session: a cookie either of them writes, the other reads.
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
// A session cookie is input the client controls. The types differ in what
// the client can do with it:
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
//   - [Starlette], [Flask], [Django]: the signed session cookies of those
//     frameworks (FastAPI uses Starlette's), with the framework's own
//     secret: readable by the client, not changeable.
//   - [IronSession]: iron-session's seals (Next.js), encrypted and
//     authenticated. [CookieSession]: Express's cookie-session, signed
//     with keygrip in a second cookie, readable by the client; its cookies
//     carry no date, so the server cannot expire a copied one.
//
// The server enforces [Config.MaxAge] from the date each cookie carries (a
// jwt's "exp", the timestamp of the other signed formats, an iron seal's
// expiration): a cookie older than that is refused even if a client keeps
// sending it. (A jwt without an "exp" claim, as asgi-sessions writes them,
// carries no date and stays valid while its secret is configured.)
//
// # A session's life
//
// [Config.Rolling] writes the cookie again with a fresh expiry when an
// active user's cookie has used a tenth of MaxAge, so activity keeps a user
// logged in; [Config.Lifetime] ends every session that long after its
// creation however active it is. [Session.Renew] starts a new life (call it
// at login and when privileges change). A cookie read with one of
// [Config.PreviousSecretKeys] is written again under [Config.SecretKey], so
// a rotation completes itself at the pace of real visits, and
// [Manager.Stats] says when a previous key is no longer used.
//
// Flash messages ([Session.Flash], [Session.Flashes]) carry a message from
// one request to a later one, read exactly once, in Flask's form.
//
// # Revocation
//
// A cookie session keeps no state on the server, so by default a stolen
// cookie stays valid until it expires. With [Config.Revocation] every
// session carries a random id; [Session.Revoke] (logout) and
// [Manager.RevokeUser] (logout everywhere) put it or its user on a list
// that every request reading a session consults from memory.
// [NewMemoryRevocationList] serves one process; the module stores/redis
// shares the list across a fleet.
//
// # Migration and large sessions
//
// [Config.MigrateFrom] reads other formats too (another framework's, or
// gorilla/sessions' through the module migrate/gorilla) and writes each
// session read from one again in the Manager's own format.
// [Config.MaxSize] lets a session take several cookies, and
// [Config.Compress] compresses it; both are off by default, so that a
// cookie stays exactly what asgi-sessions writes.
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
// saved), besides the sentinel that says what went wrong, except one: an
// error wrapping only [ErrRevocationUnavailable] says that the revocation
// list could not tell whether a session is revoked and let it through.
// The default log record carries the request's method and path.
//
// # Key rotation
//
// [Config.SecretKey] signs or encrypts new cookies; [Config.PreviousSecretKeys]
// are also tried when reading, and a cookie read with one of them is written
// again under SecretKey when the handler reads the session. Move the current
// key into PreviousSecretKeys, set a new SecretKey, and drop the old key once
// [Stats].DecodedByKey shows it no longer used (at the latest once MaxAge
// has passed).
//
// # Size
//
// Browsers silently drop a cookie over 4096 bytes. For base64, jwt and
// fernet sessions of one cookie without compression, [Session.Set] knows
// the size of the cookie from the length of the session's JSON, without
// encoding it, and refuses a value that would make the Set-Cookie line
// longer, with an error wrapping [ErrTooLarge], changing nothing. A session
// that still turns out too large when saved (one that came in near the
// limit from another server's cookie, or one of the other types, of
// chunks or compressed, whose size is known only once encoded) is not
// sent: the client keeps its previous cookie and the error is reported.
// Incoming cookie values longer than [MaxCookieSize] are refused before
// any decoding.
//
// # When the cookie is written
//
// The cookie must be in the headers before they go out, so the middleware
// adds it on the handler's first WriteHeader, Write, Flush or ReadFrom,
// or when the handler returns. After that point (or a Hijack) a change
// cannot be saved: [Session.Set], [Session.Delete] and [Session.Clear]
// return an error wrapping [ErrHeadersWritten] and change nothing.
package cookiesession
