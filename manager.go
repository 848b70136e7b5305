package cookiesession

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// A Manager reads and writes session cookies for one configuration. It is
// safe for concurrent use; make one with [New] and share it.
type Manager struct {
	cfg   Config // with defaults applied
	codec Codec
}

// New checks cfg and returns a Manager for it. Every misconfiguration is
// reported here, never at request time: an unknown or missing Type
// ([ErrUnknownType]), a missing secret for jwt or fernet
// ([ErrSecretRequired]), a secret the type cannot use ([ErrInvalidSecret]),
// an invalid cookie name, path or domain, a MaxAge under one second, or
// SameSite=None without Secure ([ErrInvalidConfig]).
func New(cfg Config) (*Manager, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	codec, err := newCodec(&cfg)
	if err != nil {
		return nil, err
	}
	if n := fernetPublicKeyBytes(cfg.SecretKey); cfg.Type == Fernet && n > 0 {
		// Legal, and needed to share cookies with asgi-sessions, but weak.
		cfg.Logger.Warn("cookiesession: short fernet secret: the asgi-sessions key derivation pads it with '=', leaving part of the encryption key public; use 32 random characters (cookiesession keygen -type fernet) or a 44-character Fernet key",
			slog.Int("secret_length", len(cfg.SecretKey)),
			slog.Int("public_encryption_key_bytes", n))
	}
	return &Manager{cfg: cfg, codec: codec}, nil
}

// Codec returns the codec the Manager encodes and decodes cookies with.
func (m *Manager) Codec() Codec { return m.codec }

// CookieName returns the name of the session cookie.
func (m *Manager) CookieName() string { return m.cfg.CookieName }

type contextKey struct{}

// requestState is everything the middleware keeps for one request, made in
// one allocation: the session, the ResponseWriter wrapper, the context
// that carries the session, and the request handed to the next handler.
type requestState struct {
	s   Session
	w   responseWriter
	ctx sessionContext
	req http.Request
}

// sessionContext is the request's context with the session added, as
// context.WithValue(parent, contextKey{}, s) would make it.
type sessionContext struct {
	context.Context
	s *Session
}

func (c *sessionContext) Value(key any) any {
	if _, ok := key.(contextKey); ok {
		return c.s
	}
	return c.Context.Value(key)
}

func (c *sessionContext) String() string {
	return fmt.Sprintf("%v.WithValue(cookiesession session)", c.Context)
}

// Handler returns middleware that gives every request handled by next a
// [Session], reachable with [FromRequest].
//
// The request's cookie is decoded the first time the handler touches the
// session. If the handler changed the session, the new cookie is added to
// the response's headers just before they are written: on the first
// WriteHeader, Write, Flush or ReadFrom, or when the handler returns
// without writing. A session emptied by Delete or Clear expires the
// cookie. A change made after the headers were written cannot be saved;
// it is reported as [ErrHeadersWritten].
//
// Every response that passes through it gets "Vary: Cookie" (added to the
// app's own Vary, never twice), even if the handler has not touched the
// session when the headers go out: it may read it afterwards. A response
// that carries a new cookie also gets Cache-Control: no-cache="Set-Cookie",
// unless the app set a Cache-Control of its own.
//
// The ResponseWriter given to next keeps http.Flusher, http.Hijacker and
// io.ReaderFrom working and implements Unwrap for http.ResponseController.
func (m *Manager) Handler(next http.Handler) http.Handler {
	return &middleware{m: m, next: next}
}

// middleware is the http.Handler that Manager.Handler returns.
type middleware struct {
	m    *Manager
	next http.Handler
}

func (h *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := h.m
	st := &requestState{}
	s, sw := &st.s, &st.w
	s.m, s.ctx, s.req = m, r.Context(), r
	sw.ResponseWriter, sw.m, sw.s = w, m, s
	st.ctx = sessionContext{Context: r.Context(), s: s}
	// r.WithContext, inlined here, copies the request into st rather than
	// into an allocation of its own.
	st.req = *r.WithContext(&st.ctx)
	returned := false
	defer func() {
		if !returned {
			// The handler panicked: whatever writes the error response
			// (a recovery middleware outside this one) must not save the
			// half-done session.
			sw.wroteHeader = true
		}
	}()
	h.next.ServeHTTP(sw, &st.req)
	returned = true
	if !sw.wroteHeader {
		sw.writeCookie()
	} else if s.Changed() {
		s.mu.Lock()
		s.saved = s.version
		s.mu.Unlock()
		m.report(s.ctx, ErrHeadersWritten, false)
	}
}

// FromRequest returns the request's session. It panics if the request did
// not pass through [Manager.Handler]: that is a wiring mistake, not a
// condition to handle at run time. Use [FromContext] to test for it.
func FromRequest(r *http.Request) *Session {
	s, ok := FromContext(r.Context())
	if !ok {
		panic("cookiesession: no session in the request context; wrap the handler with Manager.Handler")
	}
	return s
}

// FromContext returns the session that [Manager.Handler] put into ctx.
func FromContext(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(contextKey{}).(*Session)
	return s, ok
}

// Load returns a session for the given cookie value ("" for none), to be
// decoded on first use. It is for frameworks that do not use net/http
// middleware; save it with [Manager.Save]. Errors are reported with ctx.
func (m *Manager) Load(ctx context.Context, cookieValue string) *Session {
	return &Session{m: m, ctx: ctx, value: cookieValue}
}

// Save returns the cookie that carries the session's changes, or nil if
// there are none, and marks the changes saved. A session emptied by Delete
// or Clear gives a cookie that expires the browser's one (or nil if the
// request had none). A session whose Set-Cookie line would be longer than
// [MaxCookieSize] gives an error wrapping [ErrTooLarge] and no cookie; the
// error is also reported to the configured handler or logger.
func (m *Manager) Save(s *Session) (*http.Cookie, error) {
	c, _, err := m.save(s)
	return c, err
}

// save is Save, also returning the cookie as a Set-Cookie header value.
func (m *Manager) save(s *Session) (*http.Cookie, string, error) {
	c, line, err := m.encodeChanges(s)
	if err != nil {
		m.report(s.ctx, err, false) // outside s.mu: the handler may use s
	}
	return c, line, err
}

// encodeChanges is save without the reporting.
func (m *Manager) encodeChanges(s *Session) (*http.Cookie, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.version == s.saved {
		return nil, "", nil
	}
	s.saved = s.version
	c := m.newCookie()
	if len(s.values) == 0 {
		if !s.present {
			return nil, "", nil
		}
		c.MaxAge = -1 // Max-Age=0: the browser drops the cookie now
		return c, c.String(), nil
	}
	value, err := m.codec.Encode(s.values)
	if err != nil {
		return nil, "", fmt.Errorf("cookiesession: session not saved: %w", err)
	}
	c.Value = value
	line := c.String()
	if n := len(line); n > MaxCookieSize {
		return nil, "", fmt.Errorf("%w: session not saved: its Set-Cookie line has %d bytes, the limit is %d", ErrTooLarge, n, MaxCookieSize)
	}
	return c, line, nil
}

// jwtClaimKeys are the session keys a jwt session cannot hold: the
// registered claims this package checks. "exp" is written by the codec
// itself, and an "nbf" the app set would make later cookies refused.
var jwtClaimKeys = map[string]bool{"exp": true, "nbf": true}

// checkKey refuses a key that the session's cookie format reserves.
func (m *Manager) checkKey(key string) error {
	if m != nil && m.cfg.Type == JWT && jwtClaimKeys[key] {
		return fmt.Errorf("%w: %q is a JWT claim that jwt sessions manage themselves", ErrReservedKey, key)
	}
	return nil
}

func (m *Manager) newCookie() *http.Cookie {
	return &http.Cookie{
		Name:     m.cfg.CookieName,
		Path:     m.cfg.Path,
		Domain:   m.cfg.Domain,
		MaxAge:   m.cfg.cookieMaxAge(),
		Secure:   m.cfg.Secure,
		HttpOnly: !m.cfg.DisableHTTPOnly,
		SameSite: m.cfg.SameSite,
	}
}

// maxCookieTries bounds how many cookies of the session's name one request
// can make the server try to decode.
const maxCookieTries = 4

// decodeRequest decodes the request's session cookie. A request may carry
// several cookies of the same name (one per matching path or domain, or one
// planted by a sibling subdomain): the first that decodes wins, and if none
// does the first one's error is returned.
func (m *Manager) decodeRequest(r *http.Request) (v Values, present bool, err error) {
	tries := 0
	for _, line := range r.Header["Cookie"] {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || name != m.cfg.CookieName {
				continue
			}
			present = true
			if value == "" {
				continue
			}
			if tries == maxCookieTries {
				return nil, true, err
			}
			tries++
			values, decodeErr := m.decodeValue(value)
			if decodeErr == nil {
				return values, true, nil
			}
			if err == nil {
				err = decodeErr
			}
		}
	}
	return nil, present, err
}

// decodeValue decodes one cookie value, quoted or not.
func (m *Manager) decodeValue(value string) (Values, error) {
	if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
	}
	v, err := m.codec.Decode(value)
	if err != nil {
		return nil, fmt.Errorf("cookie %q refused: %w", m.cfg.CookieName, err)
	}
	return v, nil
}

// report hands err to the ErrorHandler, or logs it: refused cookies at
// Warn level, failures to save at Error level.
func (m *Manager) report(ctx context.Context, err error, refused bool) {
	if m.cfg.ErrorHandler != nil {
		m.cfg.ErrorHandler(ctx, err)
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	level, msg := slog.LevelError, "session not saved"
	if refused {
		level, msg = slog.LevelWarn, "session cookie refused"
	}
	m.cfg.Logger.LogAttrs(ctx, level, msg,
		slog.String("cookie", m.cfg.CookieName),
		slog.String("type", string(m.cfg.Type)),
		slog.Any("error", err))
}
