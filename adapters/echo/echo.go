// Package echosession puts cookiesession sessions into echo (v4).
//
//	sessions, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Fernet, SecretKey: secret})
//	if err != nil {
//		log.Fatal(err)
//	}
//	e := echo.New()
//	e.Use(echosession.Middleware(sessions))
//	e.GET("/login/:user", func(c echo.Context) error {
//		if err := echosession.Session(c).Set("user", c.Param("user")); err != nil {
//			return err
//		}
//		return c.String(http.StatusOK, "Done")
//	})
//
// The middleware is cookiesession's net/http middleware
// ([cookiesession.Manager.Handler]) run as echo middleware, so it keeps the
// core's guarantees: the cookie is decoded on first use and written only
// when the session changed, just before echo sends the headers (on the
// first WriteHeader, Write or Flush of c.Response(), or when the handler
// returns). A handler that returns an error without writing still gets its
// cookie: it is in the headers that echo's HTTPErrorHandler then sends. A
// session of several cookies (Config.MaxSize chunks, iron-session,
// cookie-session's <name>.sig) gets one Set-Cookie line per cookie, and
// the expiry of the chunks it no longer needs, as with the core's
// middleware. A change after the headers went out is reported as
// [cookiesession.ErrHeadersWritten]. Every response gets "Vary: Cookie", as
// with the core's middleware.
//
// Handlers can also reach the session through the request, with
// cookiesession.FromRequest(c.Request()).
package echosession

import (
	"net/http"

	"github.com/cookiesession/cookiesession"
	"github.com/labstack/echo/v4"
)

// ContextKey is the echo context key under which the middleware stores the
// request's *cookiesession.Session.
const ContextKey = "github.com/cookiesession/cookiesession"

// Middleware returns echo middleware that gives every request a session
// from m. Register it with Use (or on a group or route).
func Middleware(m *cookiesession.Manager) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s, _ := cookiesession.FromContext(r.Context())
				c.Set(ContextKey, s)
				c.SetRequest(r)
				// Writes now go through the core's writer, which adds the
				// cookie before the headers. The new echo.Response stays in
				// place after the middleware returns, so that echo's error
				// handler writes through it too.
				res := echo.NewResponse(w, c.Echo())
				res.Status = http.StatusOK // as echo's own reset: outer middleware reads it
				c.SetResponse(res)
				err = next(c)
			})).ServeHTTP(c.Response(), c.Request())
			return err
		}
	}
}

// Session returns the request's session. It panics if [Middleware] did not
// run for the request: that is a wiring mistake, not a condition to handle
// at run time.
func Session(c echo.Context) *cookiesession.Session {
	if s, ok := c.Get(ContextKey).(*cookiesession.Session); ok {
		return s
	}
	if s, ok := cookiesession.FromContext(c.Request().Context()); ok {
		return s
	}
	panic("echosession: no session in the echo context; register echosession.Middleware with Use")
}
