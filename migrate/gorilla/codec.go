// Package gorilla reads the session cookies of gorilla/sessions, so that an
// application moving from gorilla/sessions to cookiesession keeps its users
// logged in.
//
// [NewCodec] returns a [cookiesession.Codec] that decodes the cookies a
// gorilla/sessions CookieStore writes (sessions.NewCookieStore, gob-encoded
// values, a hash key and an optional block key, older key pairs for
// rotation) into [cookiesession.Values]. It is read-only: Encode always
// fails with [ErrReadOnly], because a migrated session is written again in
// the Manager's own format, never in gorilla's.
//
// # Moving an application
//
// Give the codec the cookie name and the key pairs the application passes
// to sessions.NewCookieStore, and list it, under that same cookie name, in
// the Manager's migration list (Config.MigrateFrom). A request whose cookie
// only the gorilla codec reads then starts with the values of the gorilla
// session, and the response that reads it writes the session again in the
// Manager's own format and cookie. Once every user has been back since the
// switch (or after the gorilla max age has passed), the migration entry and
// this module can be removed.
//
// Keep that window short: until the entry is removed, a gorilla cookie
// within its max age still opens the session it holds, wherever it was
// copied to. Set [Options.MaxAge] to the application's own max age, not
// longer.
//
// # What is decoded, and how
//
// Authentication, decryption, the timestamp check and gob decoding are done
// by github.com/gorilla/securecookie itself (its CodecsFromPairs and each
// codec's Decode), with the defaults of a CookieStore: HMAC-SHA256, AES in
// CTR mode when a block key is given, the 4096-byte length limit and a max
// age of 30 days unless [Options] say otherwise.
//
// Before encoding/gob reads the authenticated bytes, they are walked by
// gob's grammar, and a map, slice or array that claims more entries than
// the bytes left could hold refuses the cookie with
// [cookiesession.ErrMalformed]: encoding/gob before Go 1.27 makes a map as
// large as the count it reads, and a claimed count of 2^33 would end the
// process with "out of memory" (golang/go#79539). Nothing gob writes is
// refused by this check but some structs (one holding a nil interface
// value, or an interface value that sends a type definition inside it),
// which the conversion refuses anyway. A panic inside encoding/gob (a map
// key of a type that cannot be hashed) refuses the cookie the same way.
//
// The gob-decoded map is then converted to JSON exactly, or not at all:
//
//   - keys must be strings (valid UTF-8, distinct);
//   - strings (valid UTF-8), bools, every int and uint size (written in
//     full: 2^53+1 and 2^64-1 stay exact), float32 and float64 (finite only;
//     written as encoding/json writes them, float32 with 32-bit precision);
//   - []byte as a base64 (standard, padded) JSON string, as encoding/json
//     writes it, so that decoding the value into a []byte gives the bytes
//     back;
//   - slices and arrays of convertible values ([]interface{}, []string,
//     []int, ...) as JSON arrays (a nil slice as an empty array: gob does
//     not tell nil from empty);
//   - maps with string keys (map[string]interface{}, map[string]int, ...)
//     and map[interface{}]interface{} whose keys are all strings, as JSON
//     objects, nested to any depth;
//   - a nil interface value as null;
//   - named types of these kinds convert as their kind, unless the type has
//     its own JSON or text form (json.Marshaler, encoding.TextMarshaler),
//     which would differ from the converted one.
//
// Anything else — time.Time, structs (registered or not), pointers, complex
// numbers, NaN and infinite floats, strings that are not UTF-8, maps with
// non-string keys — refuses the whole cookie with an error wrapping
// [cookiesession.ErrMalformed]; the request then has an empty session. No
// partial session is ever returned.
//
// # Errors
//
// Every error of Decode wraps one of the cookiesession sentinels:
// [cookiesession.ErrSignature] when no key pair's hash key authenticates
// the value (forged, tampered, or made with keys not listed) or when the
// authenticated value cannot be decrypted; [cookiesession.ErrExpired] when
// its signed timestamp is older than the max age;
// [cookiesession.ErrTooLarge] when it is longer than 4096 bytes;
// [cookiesession.ErrMalformed] for anything else (not base64, a value that
// is not a gob-encoded session map, unsupported value types). A value
// authenticated by a hash key but encrypted with a block key other than the
// one paired with it usually decrypts to bytes that are not gob, and so
// gives ErrMalformed.
//
// # Side effect on encoding/gob
//
// Importing this package registers []interface{}, map[string]interface{}
// and map[interface{}]interface{} with encoding/gob under their default
// names (gorilla/sessions itself registers []interface{}), so that sessions
// holding them can be decoded. Types a gorilla application registered
// itself (its structs) are refused whether or not they are registered in
// the reading program.
package gorilla

import (
	"errors"
	"fmt"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/gorilla/securecookie"
)

// DefaultMaxAge is the max age gorilla/sessions gives a CookieStore (and
// securecookie a codec): 30 days, 86400*30 seconds.
const DefaultMaxAge = 30 * 24 * time.Hour

// ErrReadOnly is returned by the Encode method of every codec of this
// package: gorilla session cookies are read, never written.
var ErrReadOnly = errors.New("gorilla: the gorilla/sessions codec is read-only; sessions are written in the Manager's own format")

// Options tune a codec made by [NewCodecWithOptions]. The zero value is
// what [NewCodec] uses: the settings of sessions.NewCookieStore.
type Options struct {
	// MaxAge is the age, by the timestamp securecookie signs into every
	// cookie, beyond which a cookie is refused with
	// cookiesession.ErrExpired. Zero means DefaultMaxAge (30 days, the
	// CookieStore default). Set it to what the application passed to
	// CookieStore.MaxAge. It must be a whole number of seconds, as
	// securecookie counts in seconds; a negative value or a fraction of a
	// second is an error of the constructor.
	MaxAge time.Duration
	// NoAgeLimit accepts cookies of any age, as a CookieStore does after
	// MaxAge(0). It is false by default; with it set, a cookie stolen long
	// ago stays usable until the keys change. MaxAge must then be zero.
	NoAgeLimit bool
}

// NewCodec returns a read-only codec for the cookies a gorilla/sessions
// CookieStore writes under cookieName, with the settings of
// sessions.NewCookieStore: see [NewCodecWithOptions].
func NewCodec(cookieName string, keyPairs ...[]byte) (cookiesession.Codec, error) {
	return NewCodecWithOptions(cookieName, Options{}, keyPairs...)
}

// NewCodecWithOptions returns a read-only codec for the cookies a
// gorilla/sessions CookieStore writes under cookieName.
//
// cookieName is the name the application gives sessions' Get (the cookie's
// name), which securecookie signs into every value: a value is only read
// under the name it was written with. keyPairs are the keys exactly as the
// application passes them to sessions.NewCookieStore: a hash key (required,
// any length), then a block key (nil for a store that only signs; else 16,
// 24 or 32 bytes for AES-128, -192 or -256), then older pairs, tried in
// order, for cookies written before a key rotation. The block key of the
// last pair may be left out.
//
// Errors of the constructor: an empty cookieName or one that is not a valid
// cookie name wraps cookiesession.ErrInvalidConfig; no keys wraps
// cookiesession.ErrSecretRequired; an empty hash key or a block key of
// another length wraps cookiesession.ErrInvalidSecret; a bad Options field
// wraps cookiesession.ErrInvalidConfig.
//
// The codec's Decode is safe for concurrent use. Its Encode always fails
// with [ErrReadOnly].
func NewCodecWithOptions(cookieName string, opts Options, keyPairs ...[]byte) (cookiesession.Codec, error) {
	if err := checkCookieName(cookieName); err != nil {
		return nil, err
	}
	if len(keyPairs) == 0 {
		return nil, fmt.Errorf("%w: gorilla: no key pairs (a hash key, then an optional block key)", cookiesession.ErrSecretRequired)
	}
	if err := checkKeyPairs(keyPairs); err != nil {
		return nil, err
	}
	maxAge, err := opts.maxAgeSeconds()
	if err != nil {
		return nil, err
	}
	codecs := securecookie.CodecsFromPairs(keyPairs...)
	for _, c := range codecs {
		// CodecsFromPairs makes *securecookie.SecureCookie values, with
		// securecookie's defaults (SHA-256, AES, gob, 4096 bytes); gob
		// data is checked before encoding/gob reads it (see checkedGob).
		c.(*securecookie.SecureCookie).MaxAge(maxAge).SetSerializer(checkedGob{})
	}
	return &codec{name: cookieName, codecs: codecs}, nil
}

// maxAgeSeconds returns the max age to give securecookie (0: no limit).
func (o Options) maxAgeSeconds() (int, error) {
	if o.NoAgeLimit {
		if o.MaxAge != 0 {
			return 0, fmt.Errorf("%w: gorilla: Options.NoAgeLimit with a MaxAge of %v", cookiesession.ErrInvalidConfig, o.MaxAge)
		}
		return 0, nil
	}
	d := o.MaxAge
	if d == 0 {
		d = DefaultMaxAge
	}
	if d < 0 {
		return 0, fmt.Errorf("%w: gorilla: Options.MaxAge %v is negative (NoAgeLimit accepts any age)", cookiesession.ErrInvalidConfig, d)
	}
	if d%time.Second != 0 {
		return 0, fmt.Errorf("%w: gorilla: Options.MaxAge %v is not a whole number of seconds", cookiesession.ErrInvalidConfig, d)
	}
	secs := int64(d / time.Second)
	if int64(int(secs)) != secs {
		return 0, fmt.Errorf("%w: gorilla: Options.MaxAge %v is too large", cookiesession.ErrInvalidConfig, d)
	}
	return int(secs), nil
}

// checkKeyPairs refuses the keys securecookie would only refuse at the
// first cookie: an empty hash key, a block key AES cannot use.
func checkKeyPairs(keyPairs [][]byte) error {
	for i := 0; i < len(keyPairs); i += 2 {
		if len(keyPairs[i]) == 0 {
			return fmt.Errorf("%w: gorilla: hash key of pair %d is empty", cookiesession.ErrInvalidSecret, i/2)
		}
		if i+1 < len(keyPairs) && keyPairs[i+1] != nil {
			switch n := len(keyPairs[i+1]); n {
			case 16, 24, 32:
			default:
				return fmt.Errorf("%w: gorilla: block key of pair %d is %d bytes; AES takes 16, 24 or 32 (nil for none)", cookiesession.ErrInvalidSecret, i/2, n)
			}
		}
	}
	return nil
}

// checkCookieName refuses a name no browser would send back: empty, or with
// a character outside the token characters of RFC 6265 (what net/http
// accepts in a cookie name).
func checkCookieName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: gorilla: empty cookie name", cookiesession.ErrInvalidConfig)
	}
	for i := 0; i < len(name); i++ {
		if !isTokenChar(name[i]) {
			return fmt.Errorf("%w: gorilla: cookie name %q has the invalid character %q", cookiesession.ErrInvalidConfig, name, name[i])
		}
	}
	return nil
}

// isTokenChar reports whether c may appear in an RFC 7230 token.
func isTokenChar(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	switch c {
	case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=', '{', '}':
		return false
	}
	return true
}

// codec reads gorilla/sessions cookies; see the package doc.
type codec struct {
	name   string
	codecs []securecookie.Codec
}

var _ cookiesession.Codec = (*codec)(nil)

// Encode always fails with ErrReadOnly: sessions read from gorilla cookies
// are written again in the Manager's own format.
func (c *codec) Encode(cookiesession.Values) (string, error) {
	return "", ErrReadOnly
}

// Decode authenticates value with each key pair in turn (securecookie's
// Decode under the codec's cookie name), and converts the session map the
// first one that succeeds decodes. Every error wraps a cookiesession
// sentinel (see the package doc) and comes with nil Values.
func (c *codec) Decode(value string) (cookiesession.Values, error) {
	m, err := c.open(value)
	if err != nil {
		return nil, err
	}
	return convertSession(m)
}

// open is securecookie.DecodeMulti with a fresh map for every key pair.
// DecodeMulti decodes into one map for all of them, so that when two pairs
// share a hash key (a rotated block key) the gob map decoded with the wrong
// block key could leave entries behind in the session the right one then
// decodes; here nothing of a failed attempt survives.
func (c *codec) open(value string) (map[interface{}]interface{}, error) {
	errs := make(securecookie.MultiError, 0, len(c.codecs))
	for _, sc := range c.codecs {
		var m map[interface{}]interface{}
		err := sc.Decode(c.name, value, &m)
		if err == nil {
			if m == nil {
				m = map[interface{}]interface{}{}
			}
			return m, nil
		}
		errs = append(errs, err)
	}
	return nil, classify(errs)
}
