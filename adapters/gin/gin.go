// Package ginsession puts cookiesession sessions into gin.
//
//	sessions, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Fernet, SecretKey: secret})
//	if err != nil {
//		log.Fatal(err)
//	}
//	r := gin.New()
//	r.Use(ginsession.Middleware(sessions))
//	r.GET("/login/:user", func(c *gin.Context) {
//		if err := ginsession.Session(c).Set("user", c.Param("user")); err != nil {
//			c.String(http.StatusInternalServerError, err.Error())
//			return
//		}
//		c.String(http.StatusOK, "Done")
//	})
//
// The middleware is cookiesession's net/http middleware ([cookiesession.Manager.Handler])
// fitted to gin's writer, so it keeps the core's guarantees: the cookie is
// decoded on first use and written only when the session changed, just
// before gin sends the headers (on the first Write, WriteString, Flush or
// WriteHeaderNow, or when the handlers return without writing). gin's
// WriteHeader and c.Status only record the status: the session can still
// change after them. A session of several cookies (Config.MaxSize chunks,
// iron-session, cookie-session's <name>.sig) gets one Set-Cookie line per
// cookie, and the expiry of the chunks it no longer needs, as with the
// core's middleware. A change after the headers went out is reported as
// [cookiesession.ErrHeadersWritten]. Every response gets "Vary: Cookie", as
// with the core's middleware.
//
// Handlers can also reach the session through the request, with
// cookiesession.FromRequest(c.Request).
package ginsession

import (
	"bufio"
	"net"
	"net/http"

	"github.com/cookiesession/cookiesession"
	"github.com/gin-gonic/gin"
)

// ContextKey is the gin context key under which the middleware stores the
// request's *cookiesession.Session.
const ContextKey = "github.com/cookiesession/cookiesession"

// Middleware returns gin middleware that gives every request a session from
// m. Register it with Use before the handlers that need it.
func Middleware(m *cookiesession.Manager) gin.HandlerFunc {
	return func(c *gin.Context) {
		orig := c.Writer
		m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, _ := cookiesession.FromContext(r.Context())
			c.Set(ContextKey, s)
			c.Request = r
			c.Writer = &writer{ResponseWriter: orig, core: w}
			c.Next()
		})).ServeHTTP(orig, c.Request)
		c.Writer = orig
	}
}

// Session returns the request's session. It panics if [Middleware] did not
// run for the request: that is a wiring mistake, not a condition to handle
// at run time.
func Session(c *gin.Context) *cookiesession.Session {
	if v, ok := c.Get(ContextKey); ok {
		if s, ok := v.(*cookiesession.Session); ok {
			return s
		}
	}
	if s, ok := cookiesession.FromContext(c.Request.Context()); ok {
		return s
	}
	panic("ginsession: no session in the gin context; register ginsession.Middleware with Use")
}

// writer is the gin.ResponseWriter handlers see. gin's own writer delays
// sending the headers until WriteHeaderNow (WriteHeader only records the
// status), so the cookie is handed to the core's writer at each point
// where gin really sends them.
type writer struct {
	gin.ResponseWriter                     // gin's writer: status, size, sending
	core               http.ResponseWriter // cookiesession's writer around it
}

// saveCookie lets the core's writer add the cookie, once, before gin sends
// the headers. The core's WriteHeader adds the cookie, then calls gin's
// WriteHeader with the status gin already holds, which changes nothing.
func (w *writer) saveCookie() {
	if !w.ResponseWriter.Written() {
		w.core.WriteHeader(w.ResponseWriter.Status())
	}
}

func (w *writer) WriteHeaderNow() {
	w.saveCookie()
	w.ResponseWriter.WriteHeaderNow()
}

func (w *writer) Write(b []byte) (int, error) {
	w.saveCookie()
	return w.ResponseWriter.Write(b)
}

func (w *writer) WriteString(s string) (int, error) {
	w.saveCookie()
	return w.ResponseWriter.WriteString(s)
}

func (w *writer) Flush() {
	w.saveCookie()
	w.ResponseWriter.Flush()
}

// Hijack hands the connection over without a cookie, as the core does.
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.core.(http.Hijacker); ok {
		return h.Hijack()
	}
	return w.ResponseWriter.Hijack()
}

// Unwrap returns the core's writer, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.core }
