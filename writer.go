package cookiesession

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
)

// responseWriter puts the session cookie into the response headers just
// before they are written, whichever way the handler writes them.
type responseWriter struct {
	http.ResponseWriter
	m           *Manager
	s           *Session
	wroteHeader bool
}

var (
	_ http.Flusher                              = (*responseWriter)(nil)
	_ http.Hijacker                             = (*responseWriter)(nil)
	_ io.ReaderFrom                             = (*responseWriter)(nil)
	_ interface{ FlushError() error }           = (*responseWriter)(nil)
	_ interface{ Unwrap() http.ResponseWriter } = (*responseWriter)(nil)
)

// writeCookie adds the session's cookie to the headers, once, if the
// session changed. It also tells caches that the response depends on the
// cookie.
func (w *responseWriter) writeCookie() {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	w.s.markHeadersWritten()
	s := w.s
	s.mu.Lock()
	touched := s.loaded
	s.mu.Unlock()
	if !touched {
		return
	}
	h := w.Header()
	h.Add("Vary", "Cookie")
	if c, line, err := w.m.save(s); err == nil && c != nil {
		h.Add("Set-Cookie", line)
		h.Add("Cache-Control", `no-cache="Set-Cookie"`)
	}
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
