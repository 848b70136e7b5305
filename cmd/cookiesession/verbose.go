package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/format/django"
	"github.com/cookiesession/cookiesession/internal/format/iron"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous"
)

// describe says on stderr, for decode -v, which cookie and which key
// decoded the session, and what the cookie says of its dates: when the
// session was created (Session.Created, where the cookie carries it), when
// the cookie was written and when it expires, as far as the format states
// them. Nothing is said that the cookie does not state. candidates[which]
// is the cookie value that decoded; m has read exactly one session, s.
func (c *cli) describe(cfg cookiesession.Config, m *cookiesession.Manager, s *cookiesession.Session, candidates []string, which int) {
	say := func(format string, args ...any) {
		fmt.Fprintf(c.stderr, "cookiesession: "+format+"\n", args...)
	}
	value := candidates[which]
	if len(candidates) > 1 {
		say("cookie: #%d of the %d values of %q in -cookies (the first that decodes)", which+1, len(candidates), cfg.CookieName)
	}
	if cfg.Type == cookiesession.Base64 {
		say("key: none (base64 sessions are not signed: anyone can write them)")
	} else {
		say("key: %s", keyName(cfg, usedKey(m)))
	}
	if t := s.Created(); !t.IsZero() {
		how := "_cs_created"
		if cfg.Type == cookiesession.JWT {
			how = "iat claim"
		}
		say("created: %s (%s)", stamp(t), how)
	}
	switch cfg.Type {
	case cookiesession.JWT:
		var claims struct{ Exp, Nbf json.Number }
		if _, payload, err := jwtSegments(value); err == nil {
			_ = json.Unmarshal(payload, &claims) // the codec accepted it: it parses
		}
		if t, ok := unixTime(claims.Nbf); ok {
			say("not before: %s (nbf claim)", t)
		}
		switch t, ok := unixTime(claims.Exp); {
		case ok && cfg.MaxAge > 0:
			say("expires: %s (exp claim)", t)
		case ok:
			say("expires: %s (exp claim; not checked with -max-age 0)", t)
		case cfg.MaxAge > 0:
			say("expires: never on the server (no exp claim, as asgi-sessions writes them)")
		}
	case cookiesession.Fernet:
		// The timestamp is authenticated by the MAC that decode checked.
		token, err := base64.URLEncoding.DecodeString(value)
		if err != nil || len(token) < 9 {
			return
		}
		written := time.Unix(int64(binary.BigEndian.Uint64(token[1:9])), 0)
		say("written: %s (fernet timestamp)", stamp(written))
		if cfg.MaxAge > 0 {
			say("expires: %s (written + -max-age)", stamp(written.Add(cfg.MaxAge)))
		}
	case cookiesession.Starlette, cookiesession.Flask, cookiesession.Django:
		meta, err := openMeta(cfg, value)
		if err != nil || meta.Written.IsZero() {
			return
		}
		say("written: %s (%s timestamp)", stamp(meta.Written), cfg.Type)
		if cfg.MaxAge > 0 {
			say("expires: %s (written + -max-age)", stamp(meta.Written.Add(cfg.MaxAge)))
		}
	case cookiesession.IronSession:
		meta, err := openMeta(cfg, value)
		switch {
		case err != nil:
		case meta.Expires.IsZero():
			say("expires: never (the seal states no expiration: iron-session ttl 0)")
		case cfg.MaxAge > 0:
			say("expires: %s (the seal's expiration; refused %v after it, iron's clock skew)", stamp(meta.Expires), cookiesession.MaxClockSkew)
		default:
			say("expires: %s (the seal's expiration; not checked with -max-age 0)", stamp(meta.Expires))
		}
	case cookiesession.CookieSession:
		say("expires: not stated (the cookie-session format carries no date; -max-age only sets the cookie's Max-Age in the browser)")
	}
}

// stamp renders a time as the command prints dates: UTC, RFC 3339.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// usedKey returns the index, current secret first, of the key that
// decoded the one session m has read: the entry of Stats.DecodedByKey
// that counts it; -1 if none does.
func usedKey(m *cookiesession.Manager) int {
	for i, n := range m.Stats().DecodedByKey {
		if n > 0 {
			return i
		}
	}
	return -1
}

// openMeta opens value with the internal format of cfg.Type (starlette,
// flask, django, iron-session) for the dates it states. The library has
// accepted the value already: this reads it again for what the Session
// does not expose.
func openMeta(cfg cookiesession.Config, value string) (format.Meta, error) {
	secrets := append([]string{cfg.SecretKey}, cfg.PreviousSecretKeys...)
	var f format.Format
	var err error
	switch cfg.Type {
	case cookiesession.Starlette:
		f, err = itsdangerous.NewStarlette(secrets)
	case cookiesession.Flask:
		f, err = itsdangerous.NewFlask(secrets)
	case cookiesession.Django:
		f, err = django.NewDjango(secrets)
	case cookiesession.IronSession:
		passwords := make([]iron.Password, len(secrets))
		for i, s := range secrets {
			if passwords[i], err = iron.ParsePassword(s); err != nil {
				return format.Meta{}, err
			}
		}
		f, err = iron.New(passwords)
	default:
		return format.Meta{}, fmt.Errorf("%s states no dates", cfg.Type)
	}
	if err != nil {
		return format.Meta{}, err
	}
	_, meta, err := f.Open(value)
	return meta, err
}

// keyName names the key of index i as the command line gave it, with
// iron-session's password id.
func keyName(cfg cookiesession.Config, i int) string {
	secrets := append([]string{cfg.SecretKey}, cfg.PreviousSecretKeys...)
	var name string
	switch {
	case i == 0:
		name = "the current secret"
	case i > 0 && i < len(secrets):
		name = fmt.Sprintf("-previous-secret #%d", i)
	default:
		return "unknown"
	}
	if cfg.Type == cookiesession.IronSession {
		if p, err := iron.ParsePassword(secrets[i]); err == nil {
			name += " (iron password id " + p.ID + ")"
		}
	}
	return name
}

// unixTime renders a NumericDate claim, if it is a whole number of seconds.
//
// A NumericDate may carry a fraction (this package's exp has
// milliseconds): it is shown to the millisecond when it has one.
func unixTime(n json.Number) (string, bool) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
		return "", false
	}
	t := time.UnixMilli(int64(math.Round(f * 1000))).UTC()
	if t.Nanosecond() == 0 {
		return t.Format(time.RFC3339), true
	}
	return t.Format("2006-01-02T15:04:05.000Z07:00"), true
}
