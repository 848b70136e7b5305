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
// [cookiesession.Manager.LoadHeader] and [cookiesession.Manager.SaveCookies]:
// it loads the session from the request's whole Cookie header (decoded on
// first use), runs the rest of the chain with c.Next(), then adds "Vary:
// Cookie" to every response (to the app's own Vary, never twice, as the
// net/http middleware does), and one Set-Cookie header for each cookie the
// session's changes need, with Cache-Control: no-cache="Set-Cookie" unless
// the app set a Cache-Control of its own. These are the lines the net/http
// middleware writes for the same session: one cookie for most sessions;
// for a session of several cookies (Config.MaxSize chunks, iron-session's
// chunks, cookie-session's <name>.sig, a Config.MigrateFrom cookie to
// retire) every one of them, and the expiry of the chunks it no longer
// needs. fasthttp sends nothing before the handler chain has returned, so
// every change a handler makes before it returns is saved, whatever it
// wrote, and also when it returns an error: fiber's ErrorHandler runs
// after the middleware and keeps its headers. A change that cannot be
// saved (too large) is reported to the Manager's ErrorHandler or logger,
// and the response goes out without a cookie.
//
// Large sessions: fiber reads a request's headers into a buffer of
// fiber.Config.ReadBufferSize bytes, 4096 by default, and answers a
// request whose headers do not fit with "431 Request Header Fields Too
// Large" before any handler runs. With Config.MaxSize, or iron-session
// sessions over one cookie, raise it to MaxSize plus room for the
// request's other headers, for example
// fiber.Config{ReadBufferSize: cookiesession.HardMaxSize + 8192}.
//
// Streaming: a handler that streams (c.SendStream,
// c.Context().SetBodyStreamWriter, c.Context().HijackConn) also gets the
// cookies for the changes it made before returning, because fasthttp
// sends the headers only after the chain returns and then starts the
// stream; a stream that reads the session is covered by the Vary header.
// Do not change the session from inside a stream writer or a hijacked
// connection: fasthttp runs a stream writer in a goroutine of its own as
// soon as SetBodyStreamWriter is called, alongside the rest of the chain,
// so such a change is saved only if it happens to come before the chain
// returns; a later one cannot be saved (the headers are gone) and, unlike
// with net/http, is not reported: fasthttp tells the middleware nothing
// after the chain returns.
//
// Config.Partitioned needs Go 1.23 or later here: the cookies that
// SaveCookies returns carry the Partitioned attribute in http.Cookie's own
// field, which Go 1.22 lacks (the net/http middleware writes it on every
// version).
//
// Several cookies of the session's name in one request (one per path, or
// one planted by a sibling subdomain): as with the net/http middleware, the
// first of at most four that decodes wins.
package fibersession

import (
	"bytes"
	"strings"

	"github.com/cookiesession/cookiesession"
	"github.com/gofiber/fiber/v2"
)

// LocalsKey is the fiber Locals key under which the middleware stores the
// request's *cookiesession.Session.
const LocalsKey = "github.com/cookiesession/cookiesession"

// Middleware returns fiber middleware that gives every request a session
// from m. Register it with app.Use before the handlers that need it.
func Middleware(m *cookiesession.Manager) fiber.Handler {
	return func(c *fiber.Ctx) error {
		s := m.LoadHeader(c.UserContext(), cookieHeader(c))
		c.Locals(LocalsKey, s)
		err := c.Next()
		h := &c.Response().Header
		if !variesOnCookie(h.PeekAll(fiber.HeaderVary)) {
			h.Add(fiber.HeaderVary, "Cookie")
		}
		// SaveCookies reports its errors (ErrTooLarge) to the manager's
		// ErrorHandler or logger; the response goes on without a cookie.
		cookies, _ := m.SaveCookies(s)
		for _, cookie := range cookies {
			h.Add(fiber.HeaderSetCookie, cookie.String())
		}
		if len(cookies) > 0 && len(h.PeekAll(fiber.HeaderCacheControl)) == 0 {
			h.Set(fiber.HeaderCacheControl, `no-cache="Set-Cookie"`)
		}
		return err
	}
}

// cookieHeader returns the request's Cookie header as one line, as a
// browser sends it: the values of several Cookie header lines joined with
// "; ". It is a copy: fasthttp reuses its buffers after the request.
func cookieHeader(c *fiber.Ctx) string {
	values := c.Request().Header.PeekAll(fiber.HeaderCookie)
	switch len(values) {
	case 0:
		return ""
	case 1:
		return string(values[0])
	}
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = string(v)
	}
	return strings.Join(parts, "; ")
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

// Session returns the request's session. It panics if [Middleware] did
// not run for the request: that is a wiring mistake, not a condition to
// handle at run time.
func Session(c *fiber.Ctx) *cookiesession.Session {
	if s, ok := c.Locals(LocalsKey).(*cookiesession.Session); ok {
		return s
	}
	panic("fibersession: no session in the fiber context; register fibersession.Middleware with app.Use")
}
