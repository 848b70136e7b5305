// Package keygrip is the cookie format of Express's cookie-session 2
// (signed with keygrip 1, through the cookies module).
//
// # The cookies
//
// A session is two cookies:
//
//	<name>     = standard base64, with padding, of JSON.stringify(session)
//	<name>.sig = keygrip's signature of the text "<name>=<value>"
//
// The signature is HMAC-SHA1 with a key of the list (the first signs,
// every one verifies), in standard base64 with "/" → "_", "+" → "-" and
// the "=" padding dropped (27 characters). A value without a valid
// signature is refused. The format has no timestamp: a session's lifetime
// is only the cookie's own Max-Age or Expires, which the browser enforces
// and a client can ignore; Meta.Written and Meta.Expires stay zero.
//
// # One logical value
//
// As a format.Format, a [Format] works on one value: the two cookie
// values joined by a "." ([Join]); the cookie layer splits what Seal
// returns with [Split] and sets the two cookies, and joins the two cookies
// it reads before calling Open. Neither base64 alphabet contains ".".
//
// # Key names cookie-session drops
//
// cookie-session copies a session's keys onto its own Session object only
// when the object does not already have them, so keys such as
// "constructor", "toString", "hasOwnProperty", "isNew", "isChanged",
// "isPopulated" and "_ctx" (and "__proto__") written by Go are not seen by
// a Node reader.
package keygrip

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

// SignatureSuffix is appended to the session cookie's name to make the
// name of its signature cookie.
const SignatureSuffix = ".sig"

// MaxValueSize is the longest session cookie value Open accepts (one
// cookie of 4096 bytes); a longer one is [format.ErrTooLarge].
const MaxValueSize = 4096

// sigLen is the length of a keygrip signature: 20 bytes of HMAC-SHA1 in
// base64 without its one "=".
const sigLen = 27

// sigEncoding is keygrip's alphabet: base64 with "/" → "_", "+" → "-",
// "=" dropped, which is unpadded base64url.
var sigEncoding = base64.RawURLEncoding

// valueEncoding is Node's Buffer base64: standard alphabet with padding.
var valueEncoding = base64.StdEncoding.Strict()

// Format reads and writes cookie-session cookies for one cookie name and a
// list of keys. It implements format.Format and is safe for concurrent use.
type Format struct {
	name string
	keys []*key
}

// A key is one keygrip key: HMAC-SHA1 with pooled states.
type key struct {
	mac *format.MACKey
}

func newKey(secret []byte) *key {
	return &key{mac: format.NewMACKey(sha1.New, secret)}
}

// sign appends keygrip's signature of name + "=" + value to dst.
func (k *key) sign(dst []byte, name, value string) []byte {
	signed := make([]byte, 0, len(name)+1+len(value))
	signed = append(append(append(signed, name...), '='), value...)
	var sum [sha1.Size]byte
	return sigEncoding.AppendEncode(dst, k.mac.Sum(sum[:0], signed))
}

// New returns the format for the session cookie name and keys: keys[0]
// signs, and every key verifies, in order (key rotation). It is an error
// to give no key, an empty key, or a name that is empty or holds a
// character a cookie name cannot (controls, space, separators such as
// "=", ";", ",", or a non-ASCII byte).
func New(name string, keys []string) (*Format, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errors.New("keygrip: at least one key is required")
	}
	f := &Format{name: name, keys: make([]*key, len(keys))}
	for i, k := range keys {
		if k == "" {
			return nil, fmt.Errorf("keygrip: key %d is empty", i)
		}
		f.keys[i] = newKey([]byte(k))
	}
	return f, nil
}

// checkName accepts a cookie name as RFC 6265's token.
func checkName(name string) error {
	if name == "" {
		return errors.New("keygrip: empty cookie name")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return fmt.Errorf("keygrip: cookie name %q holds %q, which a cookie name cannot", name, c)
		}
	}
	return nil
}

// Name returns the session cookie's name; its signature cookie is
// Name() + [SignatureSuffix].
func (f *Format) Name() string { return f.name }

// Join makes the logical value of a session from the values of its two
// cookies: value "." sig.
func Join(value, sig string) string { return value + "." + sig }

// Split cuts a logical value into the values of the session cookie and
// its signature cookie, at the last ".". ok is false if there is no ".".
func Split(logical string) (value, sig string, ok bool) {
	i := strings.LastIndexByte(logical, '.')
	if i < 0 {
		return logical, "", false
	}
	return logical[:i], logical[i+1:], true
}

// Seal returns the logical value ([Join]) of the cookies cookie-session
// would set for object: the object re-spelt as JSON.stringify writes it
// (so the cookie is the one cookie-session writes for the same values),
// in base64, signed with the first key. now and expires are not used: the
// format carries no time. Seal fails on an object that is not a JSON
// object, and with [format.ErrTooLarge] on a value longer than
// [MaxValueSize].
func (f *Format) Seal(object []byte, now, expires time.Time) (string, error) {
	// The re-spelling shortens JSON at most six times ("\u0041" → "A"):
	// past this, the value cannot fit, and is not re-spelt at all.
	if len(object) > 6*base64.StdEncoding.DecodedLen(MaxValueSize) {
		return "", fmt.Errorf("%w: a session of %d bytes of JSON, at most %d fit in a cookie-session cookie", format.ErrTooLarge, len(object), base64.StdEncoding.DecodedLen(MaxValueSize))
	}
	js, err := stringify(nil, object)
	if err != nil || len(js) == 0 || js[0] != '{' {
		return "", errors.New("keygrip: the session is not a JSON object")
	}
	n := valueEncoding.EncodedLen(len(js))
	if n > MaxValueSize {
		return "", fmt.Errorf("%w: the cookie value would have %d bytes, at most %d fit", format.ErrTooLarge, n, MaxValueSize)
	}
	out := make([]byte, 0, n+1+sigLen)
	out = valueEncoding.AppendEncode(out, js)
	value := string(out)
	out = append(out, '.')
	out = f.keys[0].sign(out, f.name, value)
	return string(out), nil
}

// Open checks the signature of a logical value ([Join]) with each key in
// turn, then decodes the session. Meta.Key is the index of the key that
// matched. Errors wrap [format.ErrTooLarge] (a value over
// [MaxValueSize]), [format.ErrSignature] (no signature, or one that no
// key made) or, once the signature matched, [format.ErrMalformed] (not
// base64, or not a JSON object).
func (f *Format) Open(logical string) ([]byte, format.Meta, error) {
	if len(logical) > MaxValueSize+1+sigLen {
		return nil, format.Meta{}, fmt.Errorf("%w: %d bytes, a cookie-session value has at most %d", format.ErrTooLarge, len(logical), MaxValueSize)
	}
	value, sig, ok := Split(logical)
	if !ok || sig == "" {
		return nil, format.Meta{}, fmt.Errorf("%w: no %s%s signature cookie", format.ErrSignature, f.name, SignatureSuffix)
	}
	var buf [sigLen]byte
	idx := -1
	for i, k := range f.keys {
		if hmac.Equal(k.sign(buf[:0], f.name, value), []byte(sig)) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, format.Meta{}, fmt.Errorf("%w: %s%s matches no configured key", format.ErrSignature, f.name, SignatureSuffix)
	}
	object, err := valueEncoding.DecodeString(value)
	if err != nil {
		return nil, format.Meta{}, fmt.Errorf("%w: cookie-session value is not base64: %v", format.ErrMalformed, err)
	}
	if !isObject(object) {
		return nil, format.Meta{}, fmt.Errorf("%w: cookie-session value is not a JSON object", format.ErrMalformed)
	}
	return object, format.Meta{Key: idx}, nil
}

var _ format.Format = (*Format)(nil)

// isObject reports whether b is one valid JSON value that is an object.
func isObject(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && json.Valid(b)
}
