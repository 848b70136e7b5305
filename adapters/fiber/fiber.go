// Package fibersession puts cookiesession sessions into fiber (v2).
//
//	sessions, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Fernet, SecretKey: secret})
//	if err != nil {
//		log.Fatal(err)
//	}
//	app := fiber.New()
//	app.Use(fibersession.Middleware(sessions))
//	app.Get("/login/:user", func(c *fiber.Ctx) error {
//		if err := fibersession.Session(c).Set("user", c.Params("user")); err != nil {
//			return err
//		}
//		return c.SendString("Done")
//	})
//
// Fiber runs on fasthttp, not net/http, so this middleware binds the core's
// [cookiesession.Manager.Load] and [cookiesession.Manager.Save]: it loads
// the session from the request's cookie (decoded on first use), runs the
// rest of the chain with c.Next(), then adds "Vary: Cookie" to every
// response (to the app's own Vary, never twice, as the net/http middleware
// does), and the Set-Cookie header if the session changed, with
// Cache-Control: no-cache="Set-Cookie" unless the app set a Cache-Control
// of its own. fasthttp sends nothing before the
// handler chain has returned, so every change a handler makes before it
// returns is saved, whatever it wrote, and also when it returns an error:
// fiber's ErrorHandler runs after the middleware and keeps its headers.
//
// Streaming: a handler that streams (c.SendStream,
// c.Context().SetBodyStreamWriter, c.Context().HijackConn) also gets the
// cookie for the changes it made before returning, because fasthttp sends
// the headers only after the chain returns and then starts the stream; a
// stream that reads the session is covered by the Vary header. A change
// made later, from inside the stream writer or a hijacked connection,
// cannot be saved (the headers are gone) and, unlike with net/http, is not
// reported: fasthttp tells the middleware nothing after the chain returns.
//
// Several cookies of the session's name in one request (one per path, or
// one planted by a sibling subdomain): as with the net/http middleware, the
// first of at most four that decodes wins.
package fibersession

import (
	"bytes"

	"github.com/cookiesession/cookiesession"
	"github.com/gofiber/fiber/v2"
)

// LocalsKey is the fiber Locals key under which the middleware stores the
// request's *cookiesession.Session.
const LocalsKey = "github.com/cookiesession/cookiesession"

// maxCookieTries matches the net/http middleware's bound on how many
// cookies of the session's name one request can make the server decode.
const maxCookieTries = 4

// Middleware returns fiber middleware that gives every request a session
// from m. Register it with app.Use before the handlers that need it.
func Middleware(m *cookiesession.Manager) fiber.Handler {
	return func(c *fiber.Ctx) error {
		s := m.Load(c.UserContext(), cookieValue(c, m))
		c.Locals(LocalsKey, s)
		err := c.Next()
		h := &c.Response().Header
		if !variesOnCookie(h.PeekAll(fiber.HeaderVary)) {
			h.Add(fiber.HeaderVary, "Cookie")
		}
		// Save reports its errors (ErrTooLarge) to the manager's
		// ErrorHandler or logger; the response goes on without a cookie.
		if cookie, _ := m.Save(s); cookie != nil {
			h.Add(fiber.HeaderSetCookie, cookie.String())
			if len(h.PeekAll(fiber.HeaderCacheControl)) == 0 {
				h.Set(fiber.HeaderCacheControl, `no-cache="Set-Cookie"`)
			}
		}
		return err
	}
}

// variesOnCookie reports whether the values of a Vary header already
// cover the Cookie request header: one of their comma-separated fields is
// "Cookie" (in any case) or "*".
func variesOnCookie(values [][]byte) bool {
	for _, v := range values {
		for len(v) > 0 {
			field := v
			if i := bytes.IndexByte(v, ','); i >= 0 {
				field, v = v[:i], v[i+1:]
			} else {
				v = nil
			}
			field = bytes.TrimSpace(field)
			if string(field) == "*" || bytes.EqualFold(field, []byte("Cookie")) {
				return true
			}
		}
	}
	return false
}

// cookieValue picks the request's session cookie: the only one of its name,
// or, if there are several, the first of at most four that decodes (else
// the first, so that Load reports why it was refused). The value is copied:
// fasthttp reuses its buffers after the request.
func cookieValue(c *fiber.Ctx, m *cookiesession.Manager) string {
	name := m.CookieName()
	var values []string
	c.Request().Header.VisitAllCookie(func(k, v []byte) {
		if string(k) == name && len(v) > 0 && len(values) < maxCookieTries {
			values = append(values, string(v))
		}
	})
	switch len(values) {
	case 0:
		return ""
	case 1:
		return values[0]
	}
	for _, v := range values {
		if _, err := m.Codec().Decode(v); err == nil {
			return v
		}
	}
	return values[0]
}

// Session returns the request's session. It panics if [Middleware] did
// not run for the request: that is a wiring mistake, not a condition to
// handle at run time.
func Session(c *fiber.Ctx) *cookiesession.Session {
	if s, ok := c.Locals(LocalsKey).(*cookiesession.Session); ok {
		return s
	}
	panic("fibersession: no session in the fiber context; register fibersession.Middleware with app.Use")
}
