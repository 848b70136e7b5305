// Package django holds the cookie format of Django's signed_cookies
// session backend (django.contrib.sessions.backends.signed_cookies): the
// session is django.core.signing.dumps(session, compress=True,
// salt="django.contrib.sessions.backends.signed_cookies",
// serializer=JSONSerializer), that is
//
//	["."] base64url(zlib?(json)) ":" base62(timestamp) ":" signature
//
// with compact JSON ("," and ":" separators, \u escapes), compressed and
// prefixed with "." when that is shorter, base64url without padding, the
// unix seconds in base62 (0-9A-Za-z), and the signature
// base64url(HMAC-SHA256(key, value ":" timestamp)) with Django's
// salted_hmac key: key = SHA256(salt + "signer" + SECRET_KEY).
//
// The signature is checked (hmac.Equal, every key in turn) before the
// timestamp or payload is decoded; inflation is bounded. Expiry is not
// judged here: Meta.Written is the signed timestamp and the caller
// compares it with its max age (Django refuses an age above
// SESSION_COOKIE_AGE, two weeks by default, and accepts a timestamp in the
// future).
package django

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous/pyjson"
)

// Salt is the salt of Django's signed_cookies session backend.
const Salt = "django.contrib.sessions.backends.signed_cookies"

// ErrNoSecret is returned by NewDjango for an empty key list or secret.
var ErrNoSecret = errors.New("django: a non-empty secret is required")

// maxToken bounds what Open looks at (the root package already refuses
// cookie values over 4096 bytes).
const maxToken = 64 << 10

// maxTimestamp is the last second of year 9999.
const maxTimestamp = 253402300799

var b64 = base64.RawURLEncoding.Strict()

type django struct {
	keys []*format.MACKey
}

// NewDjango returns the format for the given secrets: secrets[0] is
// SECRET_KEY and signs, the others play SECRET_KEY_FALLBACKS (Django 4.1
// and later; Django 3.2 has one key), tried in order when opening. A
// secret's bytes are used as they are (Django encodes a str SECRET_KEY as
// UTF-8). An empty list or secret is ErrNoSecret. Django's default max
// age is two weeks (SESSION_COOKIE_AGE = 1209600).
func NewDjango(secrets []string) (format.Format, error) {
	if len(secrets) == 0 {
		return nil, ErrNoSecret
	}
	d := &django{keys: make([]*format.MACKey, len(secrets))}
	for i, s := range secrets {
		if s == "" {
			return nil, fmt.Errorf("%w (secret %d is empty)", ErrNoSecret, i)
		}
		h := sha256.New()
		h.Write([]byte(Salt + "signer"))
		h.Write([]byte(s))
		d.keys[i] = format.NewMACKey(sha256.New, h.Sum(nil))
	}
	return d, nil
}

// Seal writes object as Django's signing.dumps does, dated now (whole
// seconds); expires is not used. The JSON is re-spelled as Python's
// json.dumps(separators=(",", ":")) writes it, key order kept.
func (d *django) Seal(object []byte, now, expires time.Time) (string, error) {
	py, err := pyjson.Dumps(object, pyjson.Compact)
	if err != nil {
		return "", fmt.Errorf("django: %w", err)
	}
	if len(py) == 0 || py[0] != '{' {
		return "", fmt.Errorf("django: %w: not a JSON object", format.ErrMalformed)
	}
	ts := now.Unix()
	if ts < 0 || ts > maxTimestamp {
		return "", fmt.Errorf("django: timestamp %d out of range", ts)
	}
	payload, err := itsdangerous.EncodeURLSafe(py)
	if err != nil {
		return "", fmt.Errorf("django: %w", err)
	}
	value := string(payload) + ":" + encodeBase62(ts)
	var sig [sha256.Size]byte
	return value + ":" + b64.EncodeToString(d.keys[0].Sum(sig[:0], []byte(value))), nil
}

// Open checks the signature, then decodes the base62 timestamp and the
// payload (bounded inflation; the JSON read as Latin-1, as Django's
// JSONSerializer reads it), which must be a JSON object; it returns the
// object in compact form. Errors wrap format.ErrMalformed,
// format.ErrSignature or format.ErrTooLarge.
func (d *django) Open(value string) ([]byte, format.Meta, error) {
	bad := format.Meta{Key: -1}
	if len(value) > maxToken {
		return nil, bad, fmt.Errorf("django: %w: %d bytes", format.ErrTooLarge, len(value))
	}
	if strings.ContainsAny(value, "\r\n") {
		// Go's base64 decoders skip line breaks; no token has any.
		return nil, bad, fmt.Errorf("django: %w: line break in token", format.ErrMalformed)
	}
	i := strings.LastIndexByte(value, ':')
	if i < 0 {
		return nil, bad, fmt.Errorf("django: %w: no signature separator", format.ErrMalformed)
	}
	signed, sigText := value[:i], value[i+1:]
	if b64.DecodedLen(len(sigText)) != sha256.Size {
		return nil, bad, fmt.Errorf("django: %w: signature of %d characters", format.ErrMalformed, len(sigText))
	}
	sig, err := b64.DecodeString(sigText)
	if err != nil {
		return nil, bad, fmt.Errorf("django: %w: signature: %v", format.ErrMalformed, err)
	}
	key := -1
	for k, mk := range d.keys {
		if mk.EqualString(signed, sig) { // hmac.Equal
			key = k
			break
		}
	}
	if key < 0 {
		return nil, bad, fmt.Errorf("django: %w", format.ErrSignature)
	}
	j := strings.LastIndexByte(signed, ':')
	if j < 0 {
		return nil, bad, fmt.Errorf("django: %w: no timestamp", format.ErrMalformed)
	}
	ts, err := decodeBase62(signed[j+1:])
	if err != nil {
		return nil, bad, err
	}
	data, err := itsdangerous.DecodeURLSafe([]byte(signed[:j]))
	if err != nil {
		return nil, bad, fmt.Errorf("django: %w", err)
	}
	obj, err := itsdangerous.JSONObject(latin1(data))
	if err != nil {
		return nil, bad, fmt.Errorf("django: %w", err)
	}
	return obj, format.Meta{Key: key, Written: time.Unix(ts, 0).UTC()}, nil
}

// latin1 returns data read as Latin-1 in UTF-8, as Django's JSONSerializer
// decodes the payload (data.decode("latin-1")). Django writes ASCII only
// (json.dumps escapes the rest), so this changes nothing in its cookies.
func latin1(data []byte) []byte {
	for _, c := range data {
		if c >= 0x80 {
			out := make([]byte, 0, len(data)+len(data)/2)
			for _, c := range data {
				out = utf8.AppendRune(out, rune(c))
			}
			return out
		}
	}
	return data
}

const base62Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// encodeBase62 writes n >= 0 as django.utils.baseconv.base62 does.
func encodeBase62(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [11]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = base62Digits[n%62]
		n /= 62
	}
	return string(b[i:])
}

// decodeBase62 reads a timestamp written by encodeBase62: digits of the
// base62 alphabet, no sign, no leading zero, at most year 9999.
func decodeBase62(s string) (int64, error) {
	if s == "" || len(s) > 7 || (s[0] == '0' && len(s) > 1) {
		return 0, fmt.Errorf("django: %w: timestamp %q", format.ErrMalformed, s)
	}
	var n int64
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(base62Digits, s[i])
		if d < 0 {
			return 0, fmt.Errorf("django: %w: timestamp %q", format.ErrMalformed, s)
		}
		n = n*62 + int64(d)
	}
	if n > maxTimestamp {
		return 0, fmt.Errorf("django: %w: timestamp %q beyond year 9999", format.ErrMalformed, s)
	}
	return n, nil
}
