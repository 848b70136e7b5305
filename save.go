package cookiesession

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/cookiesession/cookiesession/internal/chunk"
)

// Writing a session: what changed (or must be written again) into the
// cookies that carry it, through the codec and the cookie layer.

// Save returns the cookie that carries the session's changes, or nil if
// there are none, and marks the changes saved. It is for frameworks that
// do not use net/http middleware, with [Manager.Load]. A session emptied
// by Delete or Clear gives a cookie that expires the browser's one (or nil
// if the request had none). A session that needs several cookies
// (iron-session, cookie-session, chunks, a migrated cookie to expire)
// gives an error wrapping [ErrNotSaved] and leaves its changes pending,
// so that [Manager.SaveCookies] can still save them: use SaveCookies for
// those. A session whose Set-Cookie line would be longer than
// [MaxCookieSize] gives an error wrapping [ErrNotSaved] and [ErrTooLarge]
// and no cookie; the error is also reported to the configured handler or
// logger.
func (m *Manager) Save(s *Session) (*http.Cookie, error) {
	cookies, _, err := m.save(s, true, true, nil)
	if err != nil || len(cookies) == 0 {
		return nil, err
	}
	return cookies[0], nil
}

// SaveCookies returns the cookies that carry the session's changes, in the
// order to set them (nil if there are none), and marks the changes saved:
// the session's cookie or chunks, the expired ones it no longer needs, and
// for a session read from a Config.MigrateFrom format the expired cookie
// of that format. Errors are those of [Manager.Save]; on an error no
// cookie is returned, so the client keeps its previous session.
func (m *Manager) SaveCookies(s *Session) ([]*http.Cookie, error) {
	cookies, _, err := m.save(s, false, true, nil)
	return cookies, err
}

// errSeveralCookies is Save's error for a session that needs several
// cookies.
var errSeveralCookies = errors.New("cookiesession: the session takes several cookies: use Manager.SaveCookies")

// save is SaveCookies, also returning each cookie's Set-Cookie line,
// appended to lines; with single (Save), a session that needs several
// cookies is an error and its changes stay pending. Without withCookies
// (the middleware, which needs only the lines) no *http.Cookie is made.
func (m *Manager) save(s *Session, single, withCookies bool, lines []string) ([]*http.Cookie, []string, error) {
	cookies, lines, err := m.encodeChanges(s, single, withCookies, lines)
	if err != nil {
		err = onSide(ErrNotSaved, err)
		m.report(s, err) // outside s.mu: the handler may use s
	}
	return cookies, lines, err
}

// encodeChanges is save without the reporting.
func (m *Manager) encodeChanges(s *Session, single, withCookies bool, lines []string) ([]*http.Cookie, []string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.version == s.saved && s.reissue == reissueNone {
		return nil, nil, nil
	}
	changed := s.version != s.saved
	reissue, saved := s.reissue, s.saved
	s.saved, s.reissue = s.version, reissueNone
	// tooMany undoes the marking for Save's refusal of several cookies.
	tooMany := func(n int) bool {
		if !single || n <= 1 {
			return false
		}
		s.saved, s.reissue = saved, reissue
		return true
	}
	if len(s.valuesLocked()) == 0 && len(s.life.flashes) == 0 {
		if !changed || !s.present {
			return nil, nil, nil
		}
		cookies, lines := m.expire(s, append(m.layout.stale(s.cookiesOrName(m), nil), m.migrationStale(s)...))
		if tooMany(len(cookies)) {
			return nil, nil, errSeveralCookies
		}
		m.stats.cleared.Add(1)
		return cookies, lines, nil
	}
	now := m.cfg.Now()
	if s.life.created.IsZero() && m.recordsCreation() {
		s.life.created = now
	}
	if m.cfg.Revocation != nil && s.life.id == "" {
		id, err := newSessionID()
		if err != nil {
			return nil, nil, err
		}
		s.life.id = id
	}
	var fieldBuf [4]member
	value, err := m.sealSession(s.valuesLocked(), m.reservedFields(s.life, fieldBuf[:0]), now)
	if err != nil {
		return nil, nil, fmt.Errorf("cookiesession: session not saved: %w", err)
	}
	// One cookie of the session's name (the common case) needs no split,
	// and nothing of the request's to expire.
	var parts []chunk.Cookie
	if _, oneCookie := m.layout.(singleLayout); !oneCookie {
		if parts, err = m.layout.split(value); err != nil {
			return nil, nil, fmt.Errorf("session not saved: %w", err)
		}
	}
	n := max(len(parts), 1)
	var cookies []*http.Cookie
	if withCookies {
		cookies = make([]*http.Cookie, 0, n+1)
	}
	for i := 0; i < n; i++ {
		name, v := m.cfg.CookieName, value
		if parts != nil {
			name, v = parts[i].Name, parts[i].Value
		}
		line, c := m.setCookie(name, v, withCookies)
		if n := len(line); n > MaxCookieSize {
			return nil, nil, fmt.Errorf("%w: session not saved: its Set-Cookie line has %d bytes, the limit is %d", ErrTooLarge, n, MaxCookieSize)
		}
		lines = append(lines, line)
		if withCookies {
			cookies = append(cookies, c)
		}
	}
	var stale []string
	if parts != nil {
		stale = m.layout.stale(s.cookies, parts)
	}
	stale = append(stale, m.migrationStale(s)...)
	moreCookies, moreLines := m.expire(s, stale)
	if tooMany(n + len(moreLines)) {
		return nil, nil, errSeveralCookies
	}
	m.stats.written.Add(1)
	if !changed && reissue != reissueNone {
		m.stats.reissued[reissue].Add(1)
	}
	if withCookies {
		cookies = append(cookies, moreCookies...)
	}
	return cookies, append(lines, moreLines...), nil
}

// setCookie returns the Set-Cookie line that sets the cookie name to
// value, and with withCookie the cookie too. The session's own cookie with
// a value that http.Cookie writes as it is (every byte a cookie-octet of
// RFC 6265, none a space or comma, which it would quote) gets the line
// New computed for it with http.Cookie, its attributes reused: the same
// text without formatting them again.
func (m *Manager) setCookie(name, value string, withCookie bool) (string, *http.Cookie) {
	var c *http.Cookie
	if withCookie {
		c = cookieFor(&m.cfg, name, value)
	}
	if m.lineAttrs != "" && name == m.cfg.CookieName && plainCookieValue(value) {
		return name + "=" + value + m.lineAttrs, c
	}
	if c == nil {
		c = cookieFor(&m.cfg, name, value)
	}
	return m.cfg.cookieLine(c), c
}

// plainCookieValue reports whether every byte of v is a cookie-octet that
// http.Cookie writes without quoting: printable ASCII other than space,
// '"', ',', ';' and '\\'.
func plainCookieValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if !plainCookieOctet[v[i]] {
			return false
		}
	}
	return true
}

// plainCookieOctet is plainCookieValue's answer for each byte.
var plainCookieOctet = func() (t [256]bool) {
	for c := '!'; c <= '~'; c++ {
		t[c] = c != '"' && c != ',' && c != ';' && c != '\\'
	}
	return t
}()

// sealSession encodes a session's values with its reserved members. The
// built-in codecs are called as themselves, not through the interface,
// so that extra (and the dates it points into) can stay on the caller's
// stack.
func (m *Manager) sealSession(v Values, extra []member, now time.Time) (string, error) {
	switch c := m.codec.(type) {
	case *jwtCodec:
		return c.seal(v, extra, now)
	case *fernetCodec:
		return c.seal(v, extra, now)
	case base64Codec:
		return c.seal(v, extra, now)
	case *formatCodec:
		return c.seal(v, extra, now)
	}
	return m.codec.seal(v, slices.Clone(extra), now)
}

// migrationStale returns the names of the request's cookies of migration
// sources that the session's own cookies do not overwrite: once the
// session is written in its own format (or cleared, at logout), they must
// go, or a logged-out user would be logged in again from them. The caller
// holds s.mu.
func (m *Manager) migrationStale(s *Session) []string {
	var names []string
	for i := range m.migrations {
		for _, name := range m.migrations[i].layout.stale(s.cookies, nil) {
			if !m.layout.owns(name) {
				names = append(names, name)
			}
		}
	}
	return names
}

// expire returns cookies (and their lines) that make the browser drop the
// named cookies now.
func (m *Manager) expire(s *Session, names []string) ([]*http.Cookie, []string) {
	if len(names) == 0 {
		return nil, nil
	}
	cookies := make([]*http.Cookie, len(names))
	lines := make([]string, len(names))
	for i, name := range names {
		c := cookieFor(&m.cfg, name, "")
		c.MaxAge = -1 // Max-Age=0: the browser drops the cookie now
		cookies[i], lines[i] = c, m.cfg.cookieLine(c)
	}
	return cookies, lines
}

// cookiesOrName returns the request's cookies of the session, or, when
// the middleware read the header in place without keeping them, the
// session's own cookie name if the request carried it. The caller holds
// s.mu.
func (s *Session) cookiesOrName(m *Manager) []chunk.Cookie {
	if s.cookies != nil || !s.present {
		return s.cookies
	}
	return []chunk.Cookie{{Name: m.cfg.CookieName}}
}

// checkKey refuses a key that the session's cookie format or the
// package reserves: the keys the package hides (see kindOf).
func (m *Manager) checkKey(key string) error {
	if m == nil {
		return nil
	}
	switch kindOf(m, key) {
	case visibleMember:
		return nil
	case expMember, nbfMember:
		return jwtClaimError(key)
	}
	return fmt.Errorf("%w: %q is kept by the package (session creation time, id or flash messages)", ErrReservedKey, key)
}

// jwtClaimError is the error for a value under a registered claim that
// jwt sessions write or check themselves: "exp" is written by the codec,
// and an "nbf" the app set would make later cookies refused.
func jwtClaimError(key string) error {
	return fmt.Errorf("%w: %q is a JWT claim that jwt sessions manage themselves", ErrReservedKey, key)
}
