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
//	s.Set("user", "tom")
//	user := s.GetString("user")
//
// [Get] decodes a value into any type, structs included:
//
//	cart, err := cookiesession.Get[Cart](s, "cart")
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
// # Bad cookies
//
// A forged, tampered, expired, oversized or garbage cookie gives the
// request an empty session, never an error response; the reason goes to
// [Config.ErrorHandler], or to the log, and is available from
// [Session.Err]. Misconfiguration is an error from [New].
//
// # Key rotation
//
// [Config.SecretKey] signs or encrypts new cookies; [Config.PreviousSecretKeys]
// are also tried when reading. Move the current key into PreviousSecretKeys,
// set a new SecretKey, and drop the old key once MaxAge has passed.
//
// # Size
//
// Browsers silently drop a cookie over 4096 bytes. A session whose
// Set-Cookie line would be longer is not sent (the client keeps its previous
// cookie) and the error, wrapping [ErrTooLarge], is reported. Incoming
// cookie values longer than [MaxCookieSize] are refused before any
// decoding.
//
// # When the cookie is written
//
// The cookie must be in the headers before they go out, so the middleware
// adds it on the handler's first WriteHeader, Write, Flush or ReadFrom,
// or when the handler returns. A change made after that point is lost and
// reported as [ErrHeadersWritten].
package cookiesession
