package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/format/keygrip"
)

// encode prints the cookie value a server with the same flags would write
// for the session JSON: the values go through Session.Set and the cookie
// through Manager.Save, so the library's rules apply as they do on a
// server (reserved keys, values too large, the 4096-byte Set-Cookie line).
// A JSON argument that is not one valid JSON object, or a key Set refuses,
// is a usage error; a session too large for its cookie is a refusal.
func (c *cli) encode(args []string) (string, error) {
	fs := newFlagSet("encode")
	flags := addSessionFlags(fs)
	if err := parse(fs, args, 1); err != nil {
		return "", err
	}
	cfg, err := flags.config(c, true)
	if err != nil {
		return "", err
	}
	sessions, err := cookiesession.New(cfg)
	if err != nil {
		return "", usagef("%w", err)
	}
	noteWeakSecrets(c, cfg)
	arg, err := readArg(c, fs.Arg(0))
	if err != nil {
		return "", err
	}
	values, err := parseSession([]byte(arg))
	if err != nil {
		return "", err
	}
	session := sessions.Load(context.Background(), "")
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the first refused key is the same on every run
	for _, k := range keys {
		if err := session.Set(k, values[k]); err != nil {
			if errors.Is(err, cookiesession.ErrTooLarge) {
				return "", err
			}
			return "", usagef("key %q: %w", k, err)
		}
	}
	cookies, err := sessions.SaveCookies(session)
	if err != nil {
		return "", err
	}
	if len(cookies) == 0 { // an empty session: a server would write no cookie
		value, err := sessions.Codec().Encode(cookiesession.Values{})
		if err != nil {
			return "", err
		}
		if cfg.Type != cookiesession.CookieSession {
			return value, nil
		}
		v, sig, _ := keygrip.Split(value)
		cookies = []*http.Cookie{{Name: cfg.CookieName, Value: v}, {Name: cfg.CookieName + keygrip.SignatureSuffix, Value: sig}}
	}
	return cookieLines(cookies, cfg.CookieName), nil
}

// cookieLines renders the cookies encode writes: a session that is one
// cookie of the session's name prints as its bare value; a session of
// several cookies (cookie-session's value and .sig, chunks) as one
// name=value line per cookie, in the order a server sets them, so that
// the lines joined with "; " are a Cookie header for decode -cookies.
// Cookies that only expire others (none for a new session) are left out.
func cookieLines(cookies []*http.Cookie, name string) string {
	var lines []string
	for _, c := range cookies {
		if c.MaxAge < 0 || c.Value == "" {
			continue
		}
		lines = append(lines, c.Name+"="+c.Value)
	}
	if len(lines) == 1 && cookies[0].Name == name && cookies[0].MaxAge >= 0 {
		return cookies[0].Value
	}
	return strings.Join(lines, "\n")
}

// parseSession parses the session JSON given to encode: one JSON object,
// valid UTF-8. Numbers stay as written. Errors are usage errors that carry
// the parser's message.
func parseSession(data []byte) (cookiesession.Values, error) {
	if !utf8.Valid(data) {
		return nil, usagef("the session JSON is not valid UTF-8")
	}
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, usagef("the session is not valid JSON: %v (at byte %d)", err, syntax.Offset)
		}
		return nil, usagef("the session is not valid JSON: %v", err)
	}
	if raw = bytes.TrimSpace(raw); len(raw) == 0 || raw[0] != '{' {
		return nil, usagef("the session must be a JSON object ({...}), got %.40q", raw)
	}
	var values cookiesession.Values
	if err := json.Unmarshal(raw, &values); err != nil { // unreachable: checked above
		return nil, usagef("the session is not a JSON object: %v", err)
	}
	return values, nil
}

// noteWeakSecrets says on stderr which secrets are weak. A jwt secret is
// an HMAC key: under 32 bytes it is shorter than the hash. A fernet secret
// of under 32 characters leaves (part of) the encryption key public: the
// asgi-sessions derivation pads it with '=' to 32 bytes, and the last 16
// bytes are the encryption key.
func noteWeakSecrets(c *cli, cfg cookiesession.Config) {
	for i, secret := range append([]string{cfg.SecretKey}, cfg.PreviousSecretKeys...) {
		which := "the " + string(cfg.Type) + " secret"
		if i > 0 {
			which = fmt.Sprintf("the %s -previous-secret #%d", cfg.Type, i)
		}
		switch n := len(secret); {
		case cfg.Type == cookiesession.JWT && n < 32:
			fmt.Fprintf(c.stderr, "cookiesession: note: %s has %d bytes; use at least 32 random bytes (cookiesession keygen)\n", which, n)
		case cfg.Type != cookiesession.Fernet:
		case n <= 16:
			fmt.Fprintf(c.stderr, "cookiesession: note: %s has %d characters, so its encryption key is public ('=' padding): anyone can read cookies made with it, though not forge them\n", which, n)
		case n < 32:
			fmt.Fprintf(c.stderr, "cookiesession: note: %s has %d characters: %d of the 16 bytes of its encryption key are public ('=' padding); use 32 characters (cookiesession keygen -type fernet)\n", which, n, 32-n)
		}
	}
}
