package cookiesession

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// responseWriter puts the session cookie into the response headers just
// before they are written, whichever way the handler writes them.
type responseWriter struct {
	http.ResponseWriter
	s           *Session
	wroteHeader bool
	vary        [1]string // the Vary header's value when the app set none
	setCookie   [1]string // the Set-Cookie header's value: one line, when the app set none
	noCache     [1]string // the Cache-Control header's value, when the app set none
}

var (
	_ http.Flusher                              = (*responseWriter)(nil)
	_ http.Hijacker                             = (*responseWriter)(nil)
	_ io.ReaderFrom                             = (*responseWriter)(nil)
	_ interface{ FlushError() error }           = (*responseWriter)(nil)
	_ interface{ Unwrap() http.ResponseWriter } = (*responseWriter)(nil)
)

// writeCookie prepares the headers, once, just before they are written:
// it adds "Vary: Cookie" to every response, and the session's cookie if
// the session changed.
//
// Vary is added whether or not the handler has touched the session yet: a
// handler may first read it after the headers went out (after a Write or
// a Flush), and the body then depends on the cookie all the same.
//
// With a cookie it adds Cache-Control: no-cache="Set-Cookie" (shared
// caches must not store the cookie), unless the app set Cache-Control
// itself: its choice stands and no second header is added.
func (w *responseWriter) writeCookie() {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	w.s.markHeadersWritten()
	h := w.Header()
	w.addVary(h)
	s := w.s
	s.mu.Lock()
	touched := s.loaded
	s.mu.Unlock()
	if !touched {
		return
	}
	// The header values live in the writer's own arrays (capacity 1, so
	// that an append copies them): no allocation for the common case.
	if _, lines, err := s.m.save(s, false, false, w.setCookie[:0:1]); err == nil && len(lines) > 0 {
		if old := h["Set-Cookie"]; old == nil {
			h["Set-Cookie"] = lines
		} else {
			h["Set-Cookie"] = append(old, lines...)
		}
		if _, ok := h["Cache-Control"]; !ok {
			w.noCache[0] = `no-cache="Set-Cookie"`
			h["Cache-Control"] = w.noCache[:1:1]
		}
	}
}

// addVary adds "Cookie" to the Vary header unless it already names Cookie
// or "*". When the response has no Vary yet, the value is the writer's own
// array: no allocation on the common path.
func (w *responseWriter) addVary(h http.Header) {
	v, ok := h["Vary"]
	if !ok {
		w.vary[0] = "Cookie"
		h["Vary"] = w.vary[:1:1]
		return
	}
	if !variesOnCookie(v) {
		h["Vary"] = append(v, "Cookie")
	}
}

// variesOnCookie reports whether the values of a Vary header already
// cover the Cookie request header: one of their comma-separated fields is
// "Cookie" (in any case) or "*".
func variesOnCookie(values []string) bool {
	for _, v := range values {
		for v != "" {
			var field string
			field, v, _ = strings.Cut(v, ",")
			field = strings.TrimSpace(field)
			if field == "*" || strings.EqualFold(field, "Cookie") {
				return true
			}
		}
	}
	return false
}

// WriteHeader writes the cookie, then the status. Informational (1xx)
// statuses other than 101 pass through: the final headers come later.
func (w *responseWriter) WriteHeader(code int) {
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.writeCookie()
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	w.writeCookie()
	return w.ResponseWriter.Write(b)
}

// ReadFrom writes the cookie, then copies from r, using the underlying
// writer's ReadFrom (sendfile and the like) where it has one.
func (w *responseWriter) ReadFrom(r io.Reader) (int64, error) {
	w.writeCookie()
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{w.ResponseWriter}, r)
}

// writerOnly hides every method but Write, so io.Copy cannot loop back
// into responseWriter.ReadFrom.
type writerOnly struct{ io.Writer }

// Flush writes the cookie, then flushes.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// FlushError writes the cookie, then flushes, returning the underlying
// writer's error. If the underlying writer cannot flush, it returns an
// error wrapping http.ErrNotSupported and writes nothing: the headers have
// not gone out, so the session may still change.
func (w *responseWriter) FlushError() error {
	if !canFlush(w.ResponseWriter) {
		return fmt.Errorf("cookiesession: flush: %w", http.ErrNotSupported)
	}
	w.writeCookie()
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// canFlush reports whether w, or a writer it unwraps to, can flush, as
// http.ResponseController looks for one.
func canFlush(w http.ResponseWriter) bool {
	for {
		switch t := w.(type) {
		case interface{ FlushError() error }, http.Flusher:
			return true
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return false
		}
	}
}

// Hijack hands the connection to the handler. No cookie is written: the
// handler now owns the connection, so session changes made before or after
// the hijack are not saved, and they are reported as [ErrHeadersWritten].
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.wroteHeader = true
		w.s.markHeadersWritten()
	}
	return conn, rw, err
}

// Unwrap returns the underlying ResponseWriter, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
