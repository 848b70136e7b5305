// Package format holds what every cookie format of this module shares: the
// sentinel errors a refused cookie wraps, and the Meta a format recovers
// besides the session's JSON object.
//
// A format turns a session's JSON object into one cookie value and back. It
// knows nothing of HTTP: which cookies make up the value (one cookie,
// chunks, a value with a signature cookie beside it) is the job of the
// cookie layer, and whether a session is still good (expiry, lifetime,
// revocation) is the job of the lifecycle rules in the root package. A
// format authenticates (checks the signature or MAC with every key in turn,
// with hmac.Equal, before anything of the payload is parsed or
// decompressed), decodes, and reports what it found in a Meta.
package format

import (
	"errors"
	"time"
)

// The errors a refused cookie wraps. The root package exports these same
// values (cookiesession.ErrMalformed is format.ErrMalformed), so errors.Is
// works across the layers.
var (
	// ErrMalformed: the value is not a token of the format (bad encoding,
	// wrong structure, a payload that is not a JSON object).
	ErrMalformed = errors.New("cookiesession: malformed cookie")
	// ErrSignature: the signature or MAC matches no configured key.
	ErrSignature = errors.New("cookiesession: signature mismatch")
	// ErrAlgorithm: a token that names an algorithm other than the one the
	// format accepts, or asks for extensions it does not implement.
	ErrAlgorithm = errors.New("cookiesession: algorithm not accepted")
	// ErrExpired: an authentic cookie past its expiry.
	ErrExpired = errors.New("cookiesession: cookie expired")
	// ErrNotYetValid: an authentic cookie dated in the future beyond the
	// allowed clock skew.
	ErrNotYetValid = errors.New("cookiesession: cookie not valid yet")
	// ErrTooLarge: a value longer than a format or layer accepts.
	ErrTooLarge = errors.New("cookiesession: cookie too large")
)

// Meta is what a format recovers from a cookie besides the JSON object.
type Meta struct {
	// Key is the index, in the key list the format was made with, of the
	// key that authenticated the cookie: 0 is the current key, 1 the first
	// previous key, and so on. -1 for a format without keys (unsigned).
	Key int
	// Written is when the cookie was written, from a timestamp the format
	// authenticates (Fernet, itsdangerous and Django timestamps); zero if
	// the format carries none.
	Written time.Time
	// Expires is an expiry the cookie itself states (a jwt "exp", an iron
	// seal's expiration); zero if none.
	Expires time.Time
}

// A Format turns a session's JSON object into one cookie value and back.
//
// Seal returns the value for object (a JSON object, compact, as the root
// package writes it) sealed with the current key and dated now; expires is
// the expiry to state in the value for formats that carry one (zero: none).
// A format may re-spell the JSON as its framework writes it (separators,
// escapes, compression) as long as it decodes to the same values.
//
// Open authenticates value with each key in turn and returns the JSON
// object it holds, with the Meta of what it found. It judges no time
// itself beyond what its own structure requires: the caller compares
// Meta.Written and Meta.Expires with its clock and configuration. Every
// error wraps one of the sentinels above; Open never panics on any input.
type Format interface {
	Seal(object []byte, now, expires time.Time) (string, error)
	Open(value string) (object []byte, meta Meta, err error)
}

// SkipSpace returns the index of the first byte of src at or after i that
// is not JSON white space (space, tab, line feed, carriage return).
func SkipSpace(src []byte, i int) int {
	for i < len(src) {
		switch src[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}
