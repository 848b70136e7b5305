package cookiesession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// A Manager reads and writes session cookies for one configuration. It is
// safe for concurrent use; make one with [New] and share it.
type Manager struct {
	cfg        Config // with defaults applied
	codec      sessionCodec
	layout     layout
	migrations []migrationSource
	// fast: one cookie of the session's name and no migration source, so
	// the middleware reads the Cookie header in place.
	fast  bool
	stats *counters
	logs  logLimiter

	emptyLine int // the length of the Set-Cookie line for an empty value
	// lineAttrs is what follows "name=value" in the session cookie's
	// Set-Cookie line ("; Path=/; Max-Age=…"), as http.Cookie writes it;
	// "" if New could not tell.
	lineAttrs string
}

// New checks cfg and returns a Manager for it. Every misconfiguration is
// reported here, never at request time: an unknown or missing Type
// ([ErrUnknownType]), a missing secret for any type but base64
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
	lay, err := newLayout(&cfg)
	if err != nil {
		return nil, err
	}
	migrations, err := newMigrations(&cfg)
	if err != nil {
		return nil, err
	}
	warnWeakSecrets(&cfg)
	_, single := lay.(singleLayout)
	m := &Manager{
		cfg: cfg, codec: codec, layout: lay, migrations: migrations,
		fast:  single && len(migrations) == 0,
		stats: newCounters(1+len(cfg.PreviousSecretKeys), len(migrations)),
	}
	empty := cfg.cookieLine(cookieFor(&cfg, cfg.CookieName, ""))
	m.emptyLine = len(empty)
	if prefix := cfg.CookieName + "="; strings.HasPrefix(empty, prefix) {
		m.lineAttrs = empty[len(prefix):]
	}
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
// context.WithValue(parent, contextKey{}, s) would make it. The parent is
// the session's own ctx (set once, before the handler runs), so that the
// per-request allocation holds it once.
type sessionContext struct {
	s *Session
}

func (c *sessionContext) Deadline() (time.Time, bool) { return c.s.ctx.Deadline() }
func (c *sessionContext) Done() <-chan struct{}       { return c.s.ctx.Done() }
func (c *sessionContext) Err() error                  { return c.s.ctx.Err() }

func (c *sessionContext) Value(key any) any {
	if k, ok := key.(contextKey); ok && (k.m == nil || k.m == c.s.m) {
		return c.s
	}
	return c.s.ctx.Value(key)
}

func (c *sessionContext) String() string {
	return fmt.Sprintf("%v.WithValue(cookiesession session)", c.s.ctx)
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
	s.m, s.ctx, s.req, s.path = m, r.Context(), r, r.URL.Path
	sw.ResponseWriter, sw.s = w, s
	st.ctx = sessionContext{s: s}
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
		return
	}
	s.mu.Lock()
	changed, reissue := s.version != s.saved, s.reissue
	s.saved, s.reissue = s.version, reissueNone
	s.mu.Unlock()
	switch {
	case changed:
		m.report(s, onSide(ErrNotSaved, ErrHeadersWritten))
	case reissue != reissueNone:
		// A re-issue the app did not ask for (rolling, rotation, ...),
		// due when the session was first read after the headers went
		// out: counted, not reported as an error.
		m.stats.notSaved[notSavedHeadersWritten].Add(1)
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

// report hands err to the ErrorHandler, or logs it: refused cookies
// (ErrCookieRefused) at Warn level, failures to save (ErrNotSaved) and
// anything else at Error level, with the request's method and path when s
// came from the middleware. Failures to save are counted in Stats. The
// default logger writes at most logBurst records per reason per minute,
// and says how many it left out; an ErrorHandler sees every error.
func (m *Manager) report(s *Session, err error) {
	notSaved := errors.Is(err, ErrNotSaved)
	if notSaved {
		m.stats.notSaved[notSavedOf(err)].Add(1)
	}
	ctx := s.ctx
	if m.cfg.ErrorHandler != nil {
		m.cfg.ErrorHandler(ctx, err)
		return
	}
	level, msg, reason := slog.LevelError, "session error", "error"
	switch {
	case errors.Is(err, ErrCookieRefused):
		level, msg, reason = slog.LevelWarn, "session cookie refused", "refused "+refusalNames[refusalOf(err)]
	case notSaved:
		msg, reason = "session not saved", "not saved "+notSavedNames[notSavedOf(err)]
	}
	attrs := [6]slog.Attr{
		slog.String("cookie", m.cfg.CookieName),
		slog.String("type", string(m.cfg.Type)),
		slog.Any("error", err),
	}
	n := 3
	if s.req != nil {
		// The request as it came in: its method (the handler's request is
		// a copy, so the field never changes) and the path taken when the
		// middleware began (the handler's copy shares the URL, which a
		// router may rewrite). The path as it travels in a URL: escaped,
		// so that a client cannot put a line break into a log line with
		// %0A.
		path := (&url.URL{Path: s.path}).EscapedPath()
		attrs[n], attrs[n+1] = slog.String("method", s.req.Method), slog.String("path", path)
		n += 2
	}
	m.logLimited(ctx, level, reason, msg, attrs[:n])
}

// logLimited writes one record to the logger through the flood guard: at
// most logBurst records per reason per minute, the next one saying how
// many were left out (suppressed_before, appended to attrs, which should
// have room for it).
func (m *Manager) logLimited(ctx context.Context, level slog.Level, reason, msg string, attrs []slog.Attr) {
	ok, suppressed := m.logs.allow(reason, time.Now())
	if !ok {
		return
	}
	if suppressed > 0 {
		attrs = append(attrs, slog.Int("suppressed_before", suppressed))
	}
	if ctx == nil {
		ctx = context.Background()
	}
	m.cfg.Logger.LogAttrs(ctx, level, msg, attrs...)
}
