package cookiesession

import (
	"errors"

	"github.com/cookiesession/cookiesession/internal/format"
)

// Errors a caller can act on. Every refused cookie, failure to save and
// configuration error wraps one of these, so errors.Is works on them; the
// exceptions are errors of encoding/json (a value Set cannot marshal, a
// value Get[T] cannot decode into T), returned as they are, wrapped.
//
// The first group describes a refused cookie: the request goes on with an
// empty session and the error is reported through [Config.ErrorHandler].
var (
	// ErrMalformed: the cookie value is not a token of the configured type
	// (bad encoding, wrong structure, a payload that is not a JSON object).
	ErrMalformed = format.ErrMalformed
	// ErrSignature: the signature (jwt) or MAC (fernet) does not match any
	// configured secret: the cookie was forged, tampered with, or made with
	// a secret this server no longer has.
	ErrSignature = format.ErrSignature
	// ErrAlgorithm: a jwt whose header names an algorithm other than HS256,
	// or asks for extensions this package does not implement.
	ErrAlgorithm = format.ErrAlgorithm
	// ErrExpired: an authentic cookie older than the configured max age, or
	// one whose jwt "exp" claim has passed.
	ErrExpired = format.ErrExpired
	// ErrNotYetValid: an authentic cookie dated in the future beyond the
	// allowed clock skew (fernet timestamp, jwt "nbf", or a jwt "exp"
	// further ahead than MaxAge).
	ErrNotYetValid = format.ErrNotYetValid
	// ErrTooLarge: a cookie value longer than [MaxCookieSize]. On the way
	// in it is refused before any decoding; on the way out the new cookie
	// is not sent and the client keeps its previous one.
	ErrTooLarge = format.ErrTooLarge
)

// Errors reported while writing a response.
var (
	// ErrHeadersWritten: the handler changed the session after the
	// response headers had been sent, so the change could not be saved.
	ErrHeadersWritten = errors.New("cookiesession: session changed after the response headers were written")
)

// Errors returned by [Session] methods.
var (
	// ErrReservedKey: Session.Set with a key the cookie format keeps for
	// itself: "exp" and "nbf" in jwt sessions, which are checked as JWT
	// claims.
	ErrReservedKey = errors.New("cookiesession: reserved session key")
)

// Configuration errors, returned by [New] and [NewCodec].
var (
	// ErrUnknownType: Config.Type is not one of Base64, JWT or Fernet.
	ErrUnknownType = errors.New("cookiesession: unknown session type")
	// ErrSecretRequired: a jwt or fernet session type without a secret key.
	ErrSecretRequired = errors.New("cookiesession: secret key required")
	// ErrInvalidSecret: a secret key this session type cannot use.
	ErrInvalidSecret = errors.New("cookiesession: invalid secret key")
	// ErrInvalidConfig: any other unusable option (cookie name, domain,
	// SameSite=None without Secure, ...).
	ErrInvalidConfig = errors.New("cookiesession: invalid configuration")
)
