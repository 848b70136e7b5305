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
	// ErrExpired: an authentic cookie older than the configured max age,
	// one whose jwt "exp" claim has passed, or a jwt whose "exp" lies
	// further ahead than MaxAge allows (written under a larger MaxAge, or
	// by another server: see [Config.MaxAge]).
	ErrExpired = format.ErrExpired
	// ErrNotYetValid: an authentic cookie dated in the future beyond the
	// allowed clock skew (fernet timestamp, jwt "nbf").
	ErrNotYetValid = format.ErrNotYetValid
	// ErrTooLarge: a cookie value longer than [MaxCookieSize]. On the way
	// in it is refused before any decoding. On the way out, [Session.Set]
	// refuses a value that would make the session's Set-Cookie line longer
	// than MaxCookieSize, and a session that still comes out too large
	// when saved is not sent: the client keeps its previous cookie.
	ErrTooLarge = format.ErrTooLarge
)

// Which side an error reported to [Config.ErrorHandler] comes from. Every
// reported error wraps exactly one of these two, besides the sentinel that
// says what went wrong, so a handler can tell an incoming cookie refused
// for its size (ErrCookieRefused and ErrTooLarge) from a session too large
// to send (ErrNotSaved and ErrTooLarge).
var (
	// ErrCookieRefused: the request carried a session cookie that was not
	// accepted; the handler got an empty session. [Session.Err] returns
	// such an error. It also wraps one of ErrMalformed, ErrSignature,
	// ErrAlgorithm, ErrExpired, ErrNotYetValid or ErrTooLarge.
	ErrCookieRefused = errors.New("cookiesession: cookie refused")
	// ErrNotSaved: a change to the session could not be saved into the
	// response: it was made after the headers were written (it also wraps
	// ErrHeadersWritten), the session would be too large for its cookie
	// (ErrTooLarge), or the cookie could not be encoded.
	ErrNotSaved = errors.New("cookiesession: session not saved")
)

// Errors reported while writing a response.
var (
	// ErrHeadersWritten: the handler changed the session after the
	// response headers had been sent (or the connection was hijacked), so
	// the change could not be saved. [Session.Set], [Session.Delete] and
	// [Session.Clear] return it and change nothing; a change the session
	// could not refuse in time (one made before a Hijack) is reported when
	// the handler returns.
	ErrHeadersWritten = errors.New("cookiesession: session changed after the response headers were written")
)

// Errors returned by [Session] methods.
var (
	// ErrReservedKey: Session.Set with a key the cookie format keeps for
	// itself: "exp" and "nbf" in jwt sessions, which are checked as JWT
	// claims.
	ErrReservedKey = errors.New("cookiesession: reserved session key")
	// ErrInvalidKey: Session.Set with the empty key, which is almost
	// always a variable left unset rather than a key anyone means to use.
	ErrInvalidKey = errors.New("cookiesession: invalid session key")
)

// Configuration errors, returned by [New] and [NewCodec].
var (
	// ErrUnknownType: Config.Type is not one of Base64, JWT or Fernet.
	ErrUnknownType = errors.New("cookiesession: unknown session type")
	// ErrSecretRequired: a jwt or fernet session type without a secret key.
	ErrSecretRequired = errors.New("cookiesession: secret key required")
	// ErrInvalidSecret: a secret key this session type cannot use, or one
	// that protects nothing (a fernet secret of 16 characters or fewer,
	// unless [Config.InsecureAllowPublicFernetKey] is set).
	ErrInvalidSecret = errors.New("cookiesession: invalid secret key")
	// ErrInvalidConfig: any other unusable option (cookie name, a Path
	// that does not start with "/", domain, SameSite=None without Secure,
	// ...).
	ErrInvalidConfig = errors.New("cookiesession: invalid configuration")
)

// sideError is an error reported to the ErrorHandler: err, which says
// what went wrong, marked with the side it comes from (ErrCookieRefused or
// ErrNotSaved). Its message is err's: the side adds no words to it.
type sideError struct {
	side error
	err  error
}

func (e *sideError) Error() string   { return e.err.Error() }
func (e *sideError) Unwrap() []error { return []error{e.side, e.err} }

// onSide returns err marked as coming from side, unless it already is.
func onSide(side, err error) error {
	if err == nil || errors.Is(err, side) {
		return err
	}
	return &sideError{side: side, err: err}
}
