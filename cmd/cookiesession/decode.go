package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/flasktag"
)

// maxCookieTries is how many cookies of the session's name decode tries,
// as the middleware does (it bounds the work one request can cause).
const maxCookieTries = 4

// decode prints the session a cookie value holds, checked as a server with
// the same flags would check it. See the usage text for -cookies, -v and
// -unverified.
func (c *cli) decode(args []string) (string, error) {
	fs := newFlagSet("decode")
	flags := addSessionFlags(fs)
	verbose := fs.Bool("v", false, "also say on stderr which key decoded the cookie, and its dates")
	unverified := fs.Bool("unverified", false, "print the payload without checking the signature (not fernet, iron-session)")
	var header *string
	fs.Func("cookies", "a whole Cookie header as a browser sends it", func(s string) error {
		header = &s
		return nil
	})
	if err := parse(fs, args, -1); err != nil {
		return "", err
	}
	switch {
	case header != nil && fs.NArg() != 0:
		return "", usagef("decode takes a TOKEN or -cookies HEADER, not both")
	case header == nil && fs.NArg() != 1:
		return "", usagef("decode takes one TOKEN (or -cookies HEADER), got %d arguments (flags go before arguments)", fs.NArg())
	}
	cfg, err := flags.config(c, !*unverified)
	if err != nil {
		return "", err
	}
	var input string
	if header != nil {
		if input, err = readArg(c, *header); err != nil {
			return "", err
		}
		input = stripCookiePrefix(input)
	} else {
		if input, err = readArg(c, fs.Arg(0)); err != nil {
			return "", err
		}
		input = unquote(input)
	}
	if *unverified {
		return c.decodeUnverified(cfg, input, header != nil)
	}
	if header == nil && cfg.Type == cookiesession.CookieSession {
		return "", usagef("cookie-session sessions take two cookies, the value and its signature: give them with -cookies '%[1]s=VALUE; %[1]s.sig=SIGNATURE'", cfg.CookieName)
	}

	// An inspection tool reads what asgi-sessions apps write, short
	// fernet secrets included: noteWeakSecrets says on stderr when the
	// encryption key is public.
	cfg.InsecureAllowPublicFernetKey = true
	sessions, err := cookiesession.New(cfg)
	if err != nil {
		return "", usagef("%w", err)
	}
	noteWeakSecrets(c, cfg)

	// The server's verdict: the session as a handler would see it.
	var session *cookiesession.Session
	var candidates []string
	var joinErr error
	if header != nil {
		session = sessions.LoadHeader(context.Background(), input)
		candidates, joinErr = logicalValues(cfg, input)
	} else {
		session = sessions.Load(context.Background(), input)
		candidates = []string{input}
	}
	keys := session.Keys()
	if err := session.Err(); err != nil {
		return "", err
	}
	if len(candidates) == 0 {
		if joinErr != nil {
			return "", joinErr
		}
		_, names := sessionCookies(input, cfg.CookieName)
		return "", fmt.Errorf("no cookie named %q with a value in -cookies (names there: %s)", cfg.CookieName, quoteAll(names))
	}
	// What the cookie holds, reserved keys included: the same cookie value
	// through the same Manager's codec.
	values, which, err := decodeFirst(sessions.Codec().Decode, candidates)
	if err != nil {
		return "", err
	}
	for _, k := range keys {
		raw, _ := session.Raw(k)
		want := values[k]
		if cfg.Type == cookiesession.Flask {
			// Session.Raw resolves Flask's tags.
			if plain, err := flasktag.Untag(want); err == nil {
				want = plain
			}
		}
		if !bytes.Equal(raw, want) {
			return "", fmt.Errorf("internal error: the session's key %q reads differently through Manager.LoadHeader and the codec", k)
		}
	}
	if *verbose {
		c.describe(cfg, sessions, session, candidates, which)
	}
	return formatValues(values)
}

// sessionCookies returns the values of the cookies named name in a Cookie
// header, in the order they come, read as the middleware reads them: pairs
// split at ';', spaces around each pair removed, a value in double quotes
// unquoted, cookies with an empty value left out. It also returns every
// cookie name in the header, for error messages. A leading "Cookie:", as
// copied from a browser's developer tools, is skipped.
//
// This is the one place that turns a Cookie header into the values a
// format decodes.
func sessionCookies(header, name string) (values, names []string) {
	if h := strings.TrimSpace(header); len(h) >= 7 && strings.EqualFold(h[:7], "cookie:") {
		header = h[7:]
	}
	for header != "" {
		var part string
		part, header, _ = strings.Cut(header, ";")
		n, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		names = append(names, n)
		if n == name && v != "" {
			values = append(values, unquote(v))
		}
	}
	return values, names
}

// unquote removes the double quotes around a cookie value, as the
// middleware does.
func unquote(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

// decodeFirst decodes the candidates in order and returns the values of the
// first that decodes, and its index; if none does, the first one's error.
func decodeFirst(decode func(string) (cookiesession.Values, error), candidates []string) (cookiesession.Values, int, error) {
	var first error
	for i, v := range candidates {
		values, err := decode(v)
		if err == nil {
			return values, i, nil
		}
		if first == nil {
			first = err
		}
	}
	if len(candidates) > 1 {
		return nil, -1, fmt.Errorf("none of the %d cookies decodes; the first: %w", len(candidates), first)
	}
	return nil, -1, first
}

// formatValues renders a session as one line of compact JSON, keys sorted,
// each value exactly as the cookie holds it, no HTML escaping.
func formatValues(values cookiesession.Values) (string, error) {
	var out strings.Builder
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(values); err != nil {
		return "", err
	}
	return strings.TrimSuffix(out.String(), "\n"), nil
}

// quoteAll renders names for a message, each quoted.
func quoteAll(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
