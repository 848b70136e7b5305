package main

import (
	"strings"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/chunk"
	"github.com/cookiesession/cookiesession/internal/format/keygrip"
)

// The server's verdict on a Cookie header comes from Manager.LoadHeader.
// The library does not hand out the cookie value it authenticated, which
// decode needs to print the whole JSON object the cookie holds (reserved
// keys included) and, for -v, the dates the value states. logicalValues
// finds those values with the same internal packages the library's cookie
// layer uses (internal/chunk for chunks, keygrip for the .sig cookie), and
// decode checks that what it prints is the session LoadHeader accepted.

// stripCookiePrefix removes a leading "Cookie:", as copied from a
// browser's developer tools.
func stripCookiePrefix(header string) string {
	if h := strings.TrimSpace(header); len(h) >= 7 && strings.EqualFold(h[:7], "cookie:") {
		return h[7:]
	}
	return header
}

// headerCookies returns every cookie of a Cookie header, in order, read as
// the library reads them: pairs split at ';', spaces around each pair
// removed, values left as they are (quotes included).
func headerCookies(header string) []chunk.Cookie {
	var out []chunk.Cookie
	for header != "" {
		var part string
		part, header, _ = strings.Cut(header, ";")
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			out = append(out, chunk.Cookie{Name: name, Value: value})
		}
	}
	return out
}

// logicalValues returns the values a Cookie header holds for the session
// of cfg, best first, at most maxCookieTries, as the library's cookie
// layer assembles them: each cookie named cfg.CookieName; chunks
// reassembled for iron-session and for cfg.MaxSize; for cookie-session,
// each value cookie joined with the <name>.sig cookie. err is the first
// reason a chunk set was refused; it may be set beside values.
func logicalValues(cfg cookiesession.Config, header string) ([]string, error) {
	cookies := headerCookies(header)
	name := cfg.CookieName
	switch {
	case cfg.Type == cookiesession.IronSession:
		return joinChunks(name, chunk.Options{Form: chunk.Iron}, cookies)
	case cfg.MaxSize > 0:
		return joinChunks(name, chunk.Options{MaxSize: cfg.MaxSize}, cookies)
	case cfg.Type == cookiesession.CookieSession:
		sig := ""
		for _, c := range cookies {
			if c.Name == name+keygrip.SignatureSuffix && c.Value != "" {
				sig = unquote(c.Value)
				break
			}
		}
		var out []string
		for _, c := range cookies {
			if c.Name == name && c.Value != "" && len(out) < maxCookieTries {
				out = append(out, keygrip.Join(unquote(c.Value), sig))
			}
		}
		return out, nil
	}
	var out []string
	for _, c := range cookies {
		if c.Name == name && c.Value != "" && len(out) < maxCookieTries {
			out = append(out, unquote(c.Value))
		}
	}
	return out, nil
}

// joinChunks reassembles chunk cookies. The writer's cookies may have been
// cut smaller than this command's would be (longer attributes), so the
// smallest cookie size is assumed: it allows the most chunks.
func joinChunks(name string, o chunk.Options, cookies []chunk.Cookie) ([]string, error) {
	o.CookieBytes = chunk.MinCookieBytes
	s, err := chunk.New(name, o)
	if err != nil {
		o.CookieBytes = 0
		if s, err = chunk.New(name, o); err != nil {
			return nil, err
		}
	}
	return s.Join(cookies)
}
