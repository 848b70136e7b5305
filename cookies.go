package cookiesession

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/cookiesession/cookiesession/internal/chunk"
	"github.com/cookiesession/cookiesession/internal/format/keygrip"
)

// The cookie layer: which cookies of a request make up a session's value,
// and which cookies a response writes for it. Most sessions are one cookie
// of the session's name. Chunked sessions (Config.MaxSize, iron-session)
// spread one value over <name>, <name>.1, … (or <name>.0 …), and
// cookie-session keeps its signature in <name>.sig. The layer knows
// nothing of formats: it hands logical values to the codec and writes what
// the codec sealed.

// layout maps a session's logical value to cookies and back.
type layout interface {
	// candidates returns the logical values a request's cookies hold for
	// the session, best first, at most maxCookieTries.
	candidates(cookies []chunk.Cookie) ([]string, error)
	// split returns the cookies that carry value.
	split(value string) ([]chunk.Cookie, error)
	// stale returns the names of the request's cookies of this session
	// that a response writing `written` (nil: none) must expire.
	stale(request, written []chunk.Cookie) []string
	// owns reports whether a cookie name belongs to the session.
	owns(name string) bool
}

// newLayout returns the layout of c, a Config with defaults: chunks for
// MaxSize and iron-session, a signature cookie for cookie-session, and
// otherwise one cookie.
func newLayout(c *Config) (layout, error) {
	name := c.CookieName
	// Each chunk cookie's name and value share a Set-Cookie line with the
	// attributes: leave them room (Partitioned included, which cookieLine
	// appends itself on Go 1.22).
	attrs := len(c.cookieLine(cookieFor(c, name, ""))) - len(name) - 1
	switch {
	case c.Type == IronSession:
		s, err := chunk.New(name, chunk.Options{Form: chunk.Iron, CookieBytes: MaxCookieSize - attrs - 2})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
		}
		return chunkLayout{s}, nil
	case c.MaxSize > 0:
		s, err := chunk.New(name, chunk.Options{MaxSize: c.MaxSize, CookieBytes: MaxCookieSize - attrs})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
		}
		return chunkLayout{s}, nil
	case c.Type == CookieSession:
		return pairLayout{name: name, sig: name + keygrip.SignatureSuffix}, nil
	}
	return singleLayout{name}, nil
}

// singleLayout is one cookie of the session's name.
type singleLayout struct{ name string }

func (l singleLayout) candidates(cookies []chunk.Cookie) ([]string, error) {
	var out []string
	for _, c := range cookies {
		if c.Name == l.name && c.Value != "" && len(out) < maxCookieTries {
			out = append(out, unquoteCookie(c.Value))
		}
	}
	return out, nil
}

func (l singleLayout) split(value string) ([]chunk.Cookie, error) {
	return []chunk.Cookie{{Name: l.name, Value: value}}, nil
}

func (l singleLayout) stale(request, written []chunk.Cookie) []string {
	if written == nil && carries(request, l.name) {
		return []string{l.name}
	}
	return nil
}

func (l singleLayout) owns(name string) bool { return name == l.name }

// chunkLayout is a value over chunk cookies (internal/chunk).
type chunkLayout struct{ s *chunk.Scheme }

func (l chunkLayout) candidates(cookies []chunk.Cookie) ([]string, error) {
	return l.s.Join(cookies)
}

func (l chunkLayout) split(value string) ([]chunk.Cookie, error) { return l.s.Split(value) }

func (l chunkLayout) stale(request, written []chunk.Cookie) []string {
	return l.s.Stale(request, written)
}

func (l chunkLayout) owns(name string) bool {
	base := l.s.Name()
	return name == base || strings.HasPrefix(name, base+".")
}

// pairLayout is cookie-session's value cookie and its signature cookie,
// joined into one logical value for the keygrip format.
type pairLayout struct{ name, sig string }

func (l pairLayout) candidates(cookies []chunk.Cookie) ([]string, error) {
	sig := ""
	for _, c := range cookies {
		if c.Name == l.sig && c.Value != "" {
			sig = unquoteCookie(c.Value)
			break
		}
	}
	var out []string
	for _, c := range cookies {
		if c.Name == l.name && c.Value != "" && len(out) < maxCookieTries {
			out = append(out, keygrip.Join(unquoteCookie(c.Value), sig))
		}
	}
	return out, nil
}

func (l pairLayout) split(value string) ([]chunk.Cookie, error) {
	v, sig, ok := keygrip.Split(value)
	if !ok {
		return nil, fmt.Errorf("%w: a cookie-session value without its signature", ErrMalformed)
	}
	return []chunk.Cookie{{Name: l.name, Value: v}, {Name: l.sig, Value: sig}}, nil
}

func (l pairLayout) stale(request, written []chunk.Cookie) []string {
	if written != nil {
		return nil
	}
	var names []string
	for _, n := range []string{l.name, l.sig} {
		if carries(request, n) {
			names = append(names, n)
		}
	}
	return names
}

func (l pairLayout) owns(name string) bool { return name == l.name || name == l.sig }

// carries reports whether cookies hold one named name.
func carries(cookies []chunk.Cookie, name string) bool {
	for _, c := range cookies {
		if c.Name == name {
			return true
		}
	}
	return false
}

// unquoteCookie removes the double quotes around a cookie value, if any.
func unquoteCookie(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

// maxRequestCookies bounds the cookies of one request the general path
// keeps (those that belong to the session or a migration source).
const maxRequestCookies = 64

// parseCookies returns the cookies of a request's Cookie header lines that
// keep accepts, in order, at most maxRequestCookies.
func parseCookies(lines []string, keep func(name string) bool) []chunk.Cookie {
	var out []chunk.Cookie
	for _, line := range lines {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || !keep(name) {
				continue
			}
			if len(out) == maxRequestCookies {
				return out
			}
			out = append(out, chunk.Cookie{Name: name, Value: value})
		}
	}
	return out
}

// cookieFor returns a cookie of c's attributes with the given name and value.
func cookieFor(c *Config, name, value string) *http.Cookie {
	ck := &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     c.Path,
		Domain:   c.Domain,
		MaxAge:   c.cookieMaxAge(),
		Secure:   c.Secure,
		HttpOnly: !c.DisableHTTPOnly,
		SameSite: c.SameSite,
	}
	if c.Partitioned {
		setPartitioned(ck) // Go 1.23 and later: the cookie carries it itself
	}
	return ck
}

// cookieLine returns the Set-Cookie line of ck, with the Partitioned
// attribute when configured: http.Cookie writes it from Go 1.23 on (so the
// cookies SaveCookies returns carry it too, for adapters); with Go 1.22,
// whose http.Cookie lacks the field, it is appended here.
func (c *Config) cookieLine(ck *http.Cookie) string {
	line := ck.String()
	if c.Partitioned && line != "" && !setPartitioned(&http.Cookie{}) {
		line += "; Partitioned"
	}
	return line
}
