package main

import (
	"crypto/rand"
	"encoding/base64"

	"github.com/cookiesession/cookiesession"
)

// keygen prints a new random secret. For jwt: 32 random bytes in base64url.
// For fernet: 24 random bytes in base64url, 32 ASCII characters that
// asgi-sessions accepts too; with -standard, a 44-character Fernet key
// (32 random bytes), which only this package and other Fernet
// implementations accept. -standard without -type fernet is a usage error.
func (c *cli) keygen(args []string) (string, error) {
	fs := newFlagSet("keygen")
	sessionType := cookiesession.JWT
	fs.Var(typeFlag{&sessionType}, "type", "session type: jwt or fernet")
	standard := fs.Bool("standard", false, "fernet: a standard 44-character Fernet key instead of a 32-character secret")
	if err := parse(fs, args, 0); err != nil {
		return "", err
	}
	n, enc := 32, base64.RawURLEncoding
	switch {
	case sessionType != cookiesession.JWT && sessionType != cookiesession.Fernet:
		return "", usagef("keygen -type is jwt or fernet (base64 sessions have no secret)")
	case *standard && sessionType != cookiesession.Fernet:
		return "", usagef("keygen -standard makes a Fernet key: use it with -type fernet")
	case *standard:
		enc = base64.URLEncoding
	case sessionType == cookiesession.Fernet:
		n = 24
	}
	key := make([]byte, n)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	return enc.EncodeToString(key), nil
}
