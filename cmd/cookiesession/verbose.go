package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/cookiesession/cookiesession"
)

// describe says on stderr, for decode -v, which cookie and which key
// decoded the session, and the dates the cookie states. candidates[which]
// is the cookie value that decoded.
func (c *cli) describe(cfg cookiesession.Config, candidates []string, which int) {
	say := func(format string, args ...any) {
		fmt.Fprintf(c.stderr, "cookiesession: "+format+"\n", args...)
	}
	value := candidates[which]
	if len(candidates) > 1 {
		say("cookie: #%d of the %d named %q (the first that decodes)", which+1, len(candidates), cfg.CookieName)
	}
	if cfg.Type == cookiesession.Base64 {
		say("key: none (base64 sessions are not signed: anyone can write them)")
		return
	}
	say("key: %s", keyName(matchingKey(cfg, value)))
	switch cfg.Type {
	case cookiesession.JWT:
		var claims struct{ Exp, Iat, Nbf json.Number }
		if _, payload, err := jwtSegments(value); err == nil {
			_ = json.Unmarshal(payload, &claims) // the codec accepted it: it parses
		}
		if t, ok := unixTime(claims.Iat); ok {
			say("issued: %s (iat claim)", t)
		}
		if t, ok := unixTime(claims.Nbf); ok {
			say("not before: %s (nbf claim)", t)
		}
		switch t, ok := unixTime(claims.Exp); {
		case ok:
			say("expires: %s (exp claim)", t)
		case cfg.MaxAge > 0:
			say("expires: never on the server (no exp claim, as asgi-sessions writes them)")
		}
	case cookiesession.Fernet:
		// The timestamp is authenticated by the MAC that decode checked.
		token, err := base64.URLEncoding.DecodeString(value)
		if err != nil || len(token) < 9 {
			return
		}
		written := time.Unix(int64(binary.BigEndian.Uint64(token[1:9])), 0).UTC()
		say("written: %s (fernet timestamp)", written.Format(time.RFC3339))
		if cfg.MaxAge > 0 {
			say("expires: %s (written + -max-age)", written.Add(cfg.MaxAge).Format(time.RFC3339))
		}
	}
}

// matchingKey returns the index, current secret first, of the first of
// cfg's secrets that decodes value on its own, or -1.
func matchingKey(cfg cookiesession.Config, value string) int {
	secrets := append([]string{cfg.SecretKey}, cfg.PreviousSecretKeys...)
	for i, secret := range secrets {
		one := cfg
		one.SecretKey, one.PreviousSecretKeys = secret, nil
		codec, err := cookiesession.NewCodec(one)
		if err != nil {
			continue
		}
		if _, err := codec.Decode(value); err == nil {
			return i
		}
	}
	return -1
}

// keyName names the key of index i as the command line gave it.
func keyName(i int) string {
	switch {
	case i == 0:
		return "the current secret"
	case i > 0:
		return fmt.Sprintf("-previous-secret #%d", i)
	}
	return "unknown"
}

// unixTime renders a NumericDate claim, if it is a whole number of seconds.
func unixTime(n json.Number) (string, bool) {
	s, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		return "", false
	}
	return time.Unix(s, 0).UTC().Format(time.RFC3339), true
}
