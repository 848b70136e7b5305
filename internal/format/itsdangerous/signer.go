// Package itsdangerous holds the cookie formats of Starlette's
// SessionMiddleware and Flask's SecureCookieSessionInterface, and the
// itsdangerous signer pieces they share: key derivation ("django-concat"
// or "hmac"), HMAC-SHA1 signatures in base64url without padding, and
// timestamps as the base64url of the big-endian seconds, laid out as
// "payload.timestamp.signature".
//
// The signature is checked (with hmac.Equal, against every key in turn)
// before anything of the payload or the timestamp is decoded. Decoding is
// strict: itsdangerous writes exactly one spelling of every token, and
// that is the only one accepted here (Python's lenient base64 would also
// take other bits in a signature's last character, or characters outside
// the alphabet). Expiry is not judged here: Open reports when the token was
// signed in Meta.Written, and the caller compares it with its max age
// (itsdangerous refuses an age above max_age, and also any negative age,
// that is a timestamp in the future).
package itsdangerous

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

// Derivation is how a signer turns a secret into its HMAC key.
type Derivation int

const (
	// DjangoConcat: key = SHA1(salt + "signer" + secret), itsdangerous'
	// default (Starlette).
	DjangoConcat Derivation = iota
	// HMAC: key = HMAC-SHA1(secret, salt) (Flask).
	HMAC
)

// ErrNoSecret is returned by the constructors for an empty key list or an
// empty secret.
var ErrNoSecret = errors.New("itsdangerous: a non-empty secret is required")

// maxToken bounds what Open looks at; the root package already refuses
// cookie values over 4096 bytes, this guards direct callers.
const maxToken = 64 << 10

// maxTimestamp is the last second of year 9999: a later signed timestamp
// is malformed (Python's datetime cannot hold it either).
const maxTimestamp = 253402300799

var b64 = base64.RawURLEncoding.Strict()

// A Signer signs and unsigns itsdangerous TimestampSigner tokens with
// HMAC-SHA1. The first key signs; every key is tried when unsigning.
type Signer struct {
	keys []*format.MACKey
}

// NewSigner derives one HMAC key per secret (secrets[0] is the current
// one) with the given salt and derivation. Every secret must be non-empty
// (ErrNoSecret); a secret's bytes are used as they are (Python encodes a
// str secret as UTF-8, which is what a Go string holds).
func NewSigner(secrets []string, salt string, d Derivation) (*Signer, error) {
	if len(secrets) == 0 {
		return nil, ErrNoSecret
	}
	s := &Signer{keys: make([]*format.MACKey, len(secrets))}
	for i, secret := range secrets {
		if secret == "" {
			return nil, fmt.Errorf("%w (secret %d is empty)", ErrNoSecret, i)
		}
		switch d {
		case DjangoConcat:
			h := sha1.New()
			h.Write([]byte(salt))
			h.Write([]byte("signer"))
			h.Write([]byte(secret))
			s.keys[i] = format.NewMACKey(sha1.New, h.Sum(nil))
		case HMAC:
			m := hmac.New(sha1.New, []byte(secret))
			m.Write([]byte(salt))
			s.keys[i] = format.NewMACKey(sha1.New, m.Sum(nil))
		default:
			return nil, fmt.Errorf("itsdangerous: unknown key derivation %d", d)
		}
	}
	return s, nil
}

// Sign returns value + "." + timestamp + "." + signature, the timestamp
// being the base64url of the big-endian bytes of ts without leading zero
// bytes, as TimestampSigner.sign writes it. ts must be positive and no
// later than year 9999.
func (s *Signer) Sign(value []byte, ts int64) (string, error) {
	if ts <= 0 || ts > maxTimestamp {
		return "", fmt.Errorf("itsdangerous: timestamp %d out of range", ts)
	}
	var be [8]byte
	binary.BigEndian.PutUint64(be[:], uint64(ts))
	raw := bytes.TrimLeft(be[:], "\x00")
	out := make([]byte, 0, len(value)+1+b64.EncodedLen(len(raw))+1+27)
	out = append(out, value...)
	out = append(out, '.')
	out = b64.AppendEncode(out, raw)
	var sig [sha1.Size]byte
	s.keys[0].Sum(sig[:0], out)
	out = append(out, '.')
	out = b64.AppendEncode(out, sig[:])
	return string(out), nil
}

// Unsign checks token's signature against every key (hmac.Equal) and
// returns the signed value (what stands before the timestamp), the
// timestamp in unix seconds and the index of the key that matched. Errors
// wrap format.ErrMalformed (no separator, bad base64, a malformed
// timestamp), format.ErrSignature (no key matches) or format.ErrTooLarge.
func (s *Signer) Unsign(token string) (value []byte, ts int64, key int, err error) {
	if len(token) > maxToken {
		return nil, 0, -1, fmt.Errorf("%w: %d bytes", format.ErrTooLarge, len(token))
	}
	if strings.ContainsAny(token, "\r\n") {
		// Go's base64 decoders skip line breaks; no token has any.
		return nil, 0, -1, fmt.Errorf("%w: line break in token", format.ErrMalformed)
	}
	i := lastDot(token)
	if i < 0 {
		return nil, 0, -1, fmt.Errorf("%w: no signature separator", format.ErrMalformed)
	}
	signed, sigText := token[:i], token[i+1:]
	if b64.DecodedLen(len(sigText)) != sha1.Size {
		return nil, 0, -1, fmt.Errorf("%w: signature of %d characters", format.ErrMalformed, len(sigText))
	}
	sig, err := b64.DecodeString(sigText)
	if err != nil {
		return nil, 0, -1, fmt.Errorf("%w: signature: %v", format.ErrMalformed, err)
	}
	key = -1
	for k, mk := range s.keys {
		if mk.EqualString(signed, sig) { // hmac.Equal
			key = k
			break
		}
	}
	if key < 0 {
		return nil, 0, -1, format.ErrSignature
	}
	j := lastDot(signed)
	if j < 0 {
		return nil, 0, -1, fmt.Errorf("%w: no timestamp", format.ErrMalformed)
	}
	ts, err = parseTimestamp(signed[j+1:])
	if err != nil {
		return nil, 0, -1, err
	}
	return []byte(signed[:j]), ts, key, nil
}

func lastDot(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

// parseTimestamp decodes the base64url big-endian seconds as
// TimestampSigner writes them: 1 to 8 bytes, no leading zero byte, a
// positive value no later than year 9999.
func parseTimestamp(text string) (int64, error) {
	raw, err := b64.DecodeString(text)
	if err != nil || len(raw) == 0 || len(raw) > 8 || raw[0] == 0 {
		return 0, fmt.Errorf("%w: timestamp %q", format.ErrMalformed, text)
	}
	var be [8]byte
	copy(be[8-len(raw):], raw)
	v := binary.BigEndian.Uint64(be[:])
	if v > maxTimestamp {
		return 0, fmt.Errorf("%w: timestamp %d beyond year 9999", format.ErrMalformed, v)
	}
	return int64(v), nil
}

// unixTime is the Meta.Written of a timestamp.
func unixTime(ts int64) time.Time { return time.Unix(ts, 0).UTC() }
