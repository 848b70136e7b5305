package cookiesession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// A Manager reads and writes session cookies for one configuration. It is
// safe for concurrent use; make one with [New] and share it.
type Manager struct {
	cfg   Config // with defaults applied
	codec Codec

	emptyLine int // the length of the Set-Cookie line for an empty value
}

// New checks cfg and returns a Manager for it. Every misconfiguration is
// reported here, never at request time: an unknown or missing Type
// ([ErrUnknownType]), a missing secret for jwt or fernet
// ([ErrSecretRequired]), a secret the type cannot use or a fernet secret
// that leaves the encryption key public ([ErrInvalidSecret]; see
// [Config.InsecureAllowPublicFernetKey]), an invalid cookie name, a path
// not starting with "/", an invalid domain, a MaxAge under one second, or
// SameSite=None without Secure ([ErrInvalidConfig]).
//
// Weak secrets that are still legal are accepted with a warning logged to
// [Config.Logger]: a fernet SecretKey of 17 to 31 characters (part of its
// encryption key is public), and a jwt secret shorter than 32 bytes.
func New(cfg Config) (*Manager, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	codec, err := newCodec(&cfg)
	if err != nil {
		return nil, err
	}
	warnWeakSecrets(&cfg)
	m := &Manager{cfg: cfg, codec: codec}
	m.emptyLine = len(m.newCookie().String())
	return m, nil
}

// minJWTSecret is the shortest jwt secret New accepts without a warning:
// as many bytes as HMAC-SHA256 outputs.
const minJWTSecret = 32

// warnWeakSecrets logs the secrets of cfg that are legal but weak.
func warnWeakSecrets(cfg *Config) {
	switch cfg.Type {
	case Fernet:
		if n := fernetPublicKeyBytes(cfg.SecretKey); n > 0 {
			// Legal, and needed to share cookies with asgi-sessions, but weak.
			cfg.Logger.Warn("cookiesession: short fernet secret: the asgi-sessions key derivation pads it with '=', leaving part of the encryption key public; use 32 random characters (cookiesession keygen -type fernet) or a 44-character Fernet key",
				slog.Int("secret_length", len(cfg.SecretKey)),
				slog.Int("public_encryption_key_bytes", n))
		}
	case JWT:
		for i, k := range append([]string{cfg.SecretKey}, cfg.PreviousSecretKeys...) {
			if len(k) >= minJWTSecret {
				continue
			}
			which := "SecretKey"
			if i > 0 {
				which = fmt.Sprintf("PreviousSecretKeys[%d]", i-1)
			}
			cfg.Logger.Warn("cookiesession: short jwt secret: a secret shorter than 32 bytes can be guessed from one cookie by trying secrets offline, and then sessions forged; use 32 random bytes (cookiesession keygen)",
				slog.String("secret", which),
				slog.Int("secret_length", len(k)))
		}
	}
}

// Codec returns the codec the Manager encodes and decodes cookies with.
func (m *Manager) Codec() Codec { return m.codec }

// CookieName returns the name of the session cookie.
func (m *Manager) CookieName() string { return m.cfg.CookieName }

// contextKey finds a session in a context. The zero key finds the
// innermost session of any Manager ([FromContext]); a key with m finds the
// innermost session of that Manager ([Manager.FromContext]).
type contextKey struct{ m *Manager }

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
	if k, ok := key.(contextKey); ok && (k.m == nil || k.m == c.s.m) {
		return c.s
	}
	return c.Context.Value(key)
}

func (c *sessionContext) String() string {
	return fmt.Sprintf("%v.WithValue(cookiesession session)", c.Context)
}

// Handler returns middleware that gives every request handled by next a
// [Session], reachable with [Manager.FromRequest] or, for the innermost
// Manager's session, [FromRequest].
//
// The request's cookie is decoded the first time the handler touches the
// session. If the handler changed the session, the new cookie is added to
// the response's headers just before they are written: on the first
// WriteHeader, Write, Flush or ReadFrom, or when the handler returns
// without writing. A session emptied by Delete or Clear expires the
// cookie. A change made after the headers were written cannot be saved:
// Set, Delete and Clear then return an error wrapping [ErrHeadersWritten]
// and change nothing, and a change made before a Hijack is reported when
// the handler returns.
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
	s.method, s.path = r.Method, r.URL.Path
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
		m.report(s, onSide(ErrNotSaved, ErrHeadersWritten))
	}
}

// FromRequest returns the request's session: with several Managers'
// middleware on the request's path, the innermost one's (use
// [Manager.FromRequest] to choose). It panics if the request did not pass
// through [Manager.Handler]: that is a wiring mistake, not a condition to
// handle at run time. Use [FromContext] to test for it.
func FromRequest(r *http.Request) *Session {
	s, ok := FromContext(r.Context())
	if !ok {
		panic("cookiesession: no session in the request context; wrap the handler with Manager.Handler")
	}
	return s
}

// FromContext returns the session that [Manager.Handler] put into ctx:
// with several Managers, the innermost one's. It reports false if there
// is none.
func FromContext(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(contextKey{}).(*Session)
	return s, ok
}

// FromRequest returns the session that m's [Manager.Handler] gave the
// request, whatever other Managers' middleware run inside or outside it.
// Each Manager reads and writes its own cookie (give each its own
// [Config.CookieName]). It panics if the request did not pass through m's
// Handler; use [Manager.FromContext] to test for it.
func (m *Manager) FromRequest(r *http.Request) *Session {
	s, ok := m.FromContext(r.Context())
	if !ok {
		panic("cookiesession: no session of this Manager in the request context; wrap the handler with its Handler")
	}
	return s
}

// FromContext returns the session that m's [Manager.Handler] put into ctx,
// or false if there is none.
func (m *Manager) FromContext(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(contextKey{m: m}).(*Session)
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
// [MaxCookieSize] gives an error wrapping [ErrNotSaved] and [ErrTooLarge]
// and no cookie; the error is also reported to the configured handler or
// logger. (Set refuses values that would make the session too large, so
// this happens only to a session that came in near the limit, from a cookie
// another server wrote, and was changed by Delete.)
func (m *Manager) Save(s *Session) (*http.Cookie, error) {
	c, _, err := m.save(s)
	return c, err
}

// save is Save, also returning the cookie as a Set-Cookie header value.
func (m *Manager) save(s *Session) (*http.Cookie, string, error) {
	c, line, err := m.encodeChanges(s)
	if err != nil {
		err = onSide(ErrNotSaved, err)
		m.report(s, err) // outside s.mu: the handler may use s
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
		return nil, onSide(ErrCookieRefused, fmt.Errorf("cookie %q refused: %w", m.cfg.CookieName, err))
	}
	return v, nil
}

// report hands err, which wraps ErrCookieRefused or ErrNotSaved, to the
// ErrorHandler, or logs it: refused cookies at Warn level, failures to
// save at Error level, with the request's method and path when s came
// from the middleware.
func (m *Manager) report(s *Session, err error) {
	ctx := s.ctx
	if m.cfg.ErrorHandler != nil {
		m.cfg.ErrorHandler(ctx, err)
		return
	}
	if ctx == nil {
		ctx = context.Background()
	}
	level, msg := slog.LevelError, "session not saved"
	if errors.Is(err, ErrCookieRefused) {
		level, msg = slog.LevelWarn, "session cookie refused"
	}
	attrs := [5]slog.Attr{
		slog.String("cookie", m.cfg.CookieName),
		slog.String("type", string(m.cfg.Type)),
		slog.Any("error", err),
	}
	n := 3
	if s.method != "" {
		// The path as it travels in a URL: escaped, so that a client
		// cannot put a line break into a log line with %0A.
		path := (&url.URL{Path: s.path}).EscapedPath()
		attrs[n], attrs[n+1] = slog.String("method", s.method), slog.String("path", path)
		n += 2
	}
	m.cfg.Logger.LogAttrs(ctx, level, msg, attrs[:n]...)
}
