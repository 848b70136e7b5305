package cookiesession

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/cookiesession/cookiesession/internal/envelope"
	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/format/django"
	"github.com/cookiesession/cookiesession/internal/format/iron"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous"
	"github.com/cookiesession/cookiesession/internal/format/keygrip"
)

// Values are a session's contents: each key with its value as raw JSON.
// Keeping values raw until they are asked for makes reading a session
// cheap and keeps every number exactly as it was written (2^53+1 stays
// 2^53+1), as asgi-sessions and other JSON readers expect.
type Values map[string]json.RawMessage

// A Codec turns a session's values into a cookie value and back. The
// built-in codecs come from [NewCodec]; a custom one can implement another
// format.
//
// Decode must not trust its input: any value it cannot authenticate and
// parse gives a nil Values and an error wrapping one of [ErrMalformed],
// [ErrSignature], [ErrAlgorithm], [ErrExpired], [ErrNotYetValid] or
// [ErrTooLarge]. Encode fails only on values that are not valid JSON or on
// a failing random source.
type Codec interface {
	Encode(v Values) (string, error)
	Decode(value string) (Values, error)
}

// NewCodec returns the codec for c.Type, keyed with c.SecretKey and
// c.PreviousSecretKeys and checking expiry with c.MaxAge and c.Now. It is
// what [New] uses, exposed for tools that read or write session cookies
// outside an HTTP handler (such as cmd/cookiesession), and it refuses the
// same configurations as New, with the same errors (a fernet secret of 16
// characters or fewer included, unless c.InsecureAllowPublicFernetKey is
// set). It logs no warnings.
func NewCodec(c Config) (Codec, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	return newCodec(&c)
}

// sessionCodec is what a Manager needs of a session type, besides the
// exported Codec: open authenticates and parses one cookie value and
// reports what it found (the key, the dates) without judging the dates
// against MaxAge; seal writes a Session's values (valid JSON already, so
// not checked again) with the reserved members extra (which it may
// reorder), dated now. Every built-in type is one.
type sessionCodec interface {
	Codec
	open(value string) (Values, format.Meta, error)
	seal(v Values, extra []member, now time.Time) (string, error)
}

// newCodec builds the codec for a Config that already has its defaults.
func newCodec(c *Config) (sessionCodec, error) {
	switch c.Type {
	case Base64:
		return base64Codec{env: c.envelope(), maxSize: c.maxValueSize()}, nil
	case JWT:
		return newJWTCodec(c)
	case Fernet:
		if c.SecretKey != "" && fernetPublicKeyBytes(c.SecretKey) == 16 && !c.InsecureAllowPublicFernetKey {
			return nil, fmt.Errorf("%w: a fernet secret of %d characters leaves the whole encryption key public (the asgi-sessions derivation pads it with '='): anyone could decrypt the cookies; use 32 random characters (cookiesession keygen -type fernet), or set Config.InsecureAllowPublicFernetKey to share sessions with an app that uses this secret", ErrInvalidSecret, len(c.SecretKey))
		}
		return newFernetCodec(c)
	case Starlette, Flask, Django, IronSession, CookieSession:
		return newFormatCodec(c)
	case "":
		return nil, fmt.Errorf("%w: Config.Type is required (%s)", ErrUnknownType, typeNames)
	}
	return nil, fmt.Errorf("%w %q: want %s", ErrUnknownType, string(c.Type), typeNames)
}

// formatCodec is a session type whose cookie format lives in an internal
// package (internal/format/...): it turns values into the format's JSON
// object and back, and dates seals with MaxAge.
type formatCodec struct {
	f      format.Format
	maxAge time.Duration
	now    func() time.Time
	skew   time.Duration // added to a seal's stated expiry (iron's 60 s)
}

func newFormatCodec(c *Config) (*formatCodec, error) {
	secrets, err := c.secrets()
	if err != nil {
		return nil, err
	}
	fc := &formatCodec{maxAge: c.MaxAge, now: c.Now}
	switch c.Type {
	case Starlette:
		fc.f, err = itsdangerous.NewStarlette(secrets)
	case Flask:
		fc.f, err = itsdangerous.NewFlask(secrets)
	case Django:
		fc.f, err = django.NewDjango(secrets)
	case IronSession:
		passwords := make([]iron.Password, len(secrets))
		for i, s := range secrets {
			if passwords[i], err = iron.ParsePassword(s); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrInvalidSecret, err)
			}
		}
		fc.f, err = iron.New(passwords)
		fc.skew = iron.Skew
	case CookieSession:
		fc.f, err = keygrip.New(c.CookieName, secrets)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidSecret, err)
	}
	return fc, nil
}

func (c *formatCodec) Encode(v Values) (string, error) { return c.sealValues(v, nil, c.now(), false) }

// derive says how judgeDates treats a seal that states only its expiry:
// iron's ttl is often another than this Manager's MaxAge.
func (c *formatCodec) derive() deriveMode {
	if _, ok := c.f.(*iron.Format); ok {
		return deriveSoft
	}
	return deriveNone
}

func (c *formatCodec) seal(v Values, extra []member, now time.Time) (string, error) {
	return c.sealValues(v, extra, now, true)
}

func (c *formatCodec) sealValues(v Values, extra []member, now time.Time, trusted bool) (string, error) {
	object, err := appendObject(nil, v, extra, trusted)
	if err != nil {
		return "", err
	}
	var expires time.Time
	if c.maxAge > 0 {
		expires = now.Add(c.maxAge)
	}
	return c.f.Seal(object, now, expires)
}

func (c *formatCodec) Decode(value string) (Values, error) {
	v, meta, err := c.open(value)
	if err != nil {
		return nil, preferDateError(meta, err, c.maxAge, c.now())
	}
	created, _ := createdOf(v, createdKey)
	if _, err := judgeDates(meta, created, c.maxAge, c.now(), c.derive()); err != nil {
		return nil, err
	}
	return v, nil
}

func (c *formatCodec) open(value string) (Values, format.Meta, error) {
	object, meta, err := c.f.Open(value)
	if err != nil {
		return nil, meta, err
	}
	if !meta.Expires.IsZero() {
		// iron: a seal expires once its expiration is iron's skew in the
		// past.
		meta.Expires = meta.Expires.Add(c.skew)
	}
	v, err := unmarshalValues(object)
	return v, meta, err
}

// judgeDates applies the dates a cookie carries, the rules every type
// shares, and returns when the cookie was written (zero if unknown):
//
//   - a date written more than MaxClockSkew in the future is refused
//     (ErrNotYetValid), whatever maxAge;
//   - with a server-side expiry (maxAge > 0): a cookie whose own expiry
//     (jwt "exp", an iron seal's) has passed is refused (ErrExpired),
//     compared to the millisecond; one whose format states when it was
//     written (in whole seconds: Fernet, itsdangerous, Django) is refused
//     when written more than maxAge ago, in whole seconds as the Python
//     readers count (exactly maxAge is accepted);
//   - a cookie that states only its expiry was written at that expiry less
//     maxAge (derive). If that lies in the future, the cookie was written
//     under a larger MaxAge (since lowered) or by another configuration:
//     with deriveStrict (jwt, whose exp only this package's configuration
//     writes) it is judged by its creation time instead (refused when that
//     is unknown or older than maxAge) and, accepted, written again under
//     the current MaxAge; with deriveSoft (iron, whose ttl is often set on
//     the Node side) its own expiry alone decides.
func judgeDates(meta format.Meta, created time.Time, maxAge time.Duration, now time.Time, derive deriveMode) (written time.Time, err error) {
	exact := now
	// Whole seconds, as the formats date cookies and as Python's and
	// Node's readers compare.
	now = now.Truncate(time.Second)
	written = meta.Written
	if !written.IsZero() && written.After(now.Add(MaxClockSkew)) {
		return time.Time{}, fmt.Errorf("%w: the cookie was written %v in the future", ErrNotYetValid, written.Sub(now).Round(time.Second))
	}
	if maxAge <= 0 {
		return written, nil
	}
	if !meta.Expires.IsZero() {
		if !exact.Before(meta.Expires) {
			return time.Time{}, fmt.Errorf("%w: the cookie's expiry %s has passed", ErrExpired, meta.Expires.UTC().Format(time.RFC3339))
		}
		if written.IsZero() && derive != deriveNone {
			written = meta.Expires.Add(-maxAge)
			if derive == deriveSoft {
				written = written.Add(-iron.Skew) // the Expires of an iron seal includes its skew
			}
			if !written.After(exact.Add(MaxClockSkew)) {
				return written, nil // its expiry, checked above, is its age
			}
			if derive == deriveSoft {
				return time.Time{}, nil
			}
			// Written under a larger MaxAge: the earliest it can have
			// been written is its creation.
			if created.IsZero() {
				return time.Time{}, fmt.Errorf("%w: the cookie's exp lies further ahead than MaxAge (%v) allows: written under a larger MaxAge or by another server", ErrExpired, maxAge)
			}
			if exact.Sub(created) > maxAge {
				return time.Time{}, fmt.Errorf("%w: the session was created %v ago, MaxAge is %v (its cookie was written under a larger MaxAge)", ErrExpired, exact.Sub(created).Round(time.Second), maxAge)
			}
			return time.Time{}, nil
		}
	}
	if !written.IsZero() && now.Sub(written) > maxAge {
		return time.Time{}, fmt.Errorf("%w: the cookie was written %v ago, MaxAge is %v", ErrExpired, now.Sub(written).Round(time.Second), maxAge)
	}
	return written, nil
}

// deriveMode says whether and how judgeDates derives a cookie's write
// time from its expiry.
type deriveMode int

const (
	deriveNone   deriveMode = iota // the format states its write time, or nothing
	deriveStrict                   // jwt
	deriveSoft                     // iron
)

// preferDateError returns the error of a cookie's dates when the codec
// refused an authentic cookie's payload (ErrMalformed) after reading its
// dates: an expired or future cookie is refused as such, whatever its
// payload, as the Fernet specification orders the checks. Otherwise err.
func preferDateError(meta format.Meta, err error, maxAge time.Duration, now time.Time) error {
	if err == nil || !errors.Is(err, ErrMalformed) || (meta.Written.IsZero() && meta.Expires.IsZero()) {
		return err
	}
	if _, dateErr := judgeDates(meta, time.Time{}, maxAge, now, deriveNone); dateErr != nil {
		return dateErr
	}
	return err
}

// createdOf returns the creation time a session's values carry under key,
// and whether they carry a valid one.
func createdOf(v Values, key string) (time.Time, bool) {
	raw, ok := v[key]
	if !ok {
		return time.Time{}, false
	}
	t, err := parseNumericDate(raw)
	return t, err == nil
}

// dateOf turns seconds since the Unix epoch (with a fraction) into a time,
// saturating far beyond any cookie's life.
func dateOf(seconds float64) time.Time {
	const limit = 1 << 40 // about 36,000 years
	switch {
	case seconds > limit:
		seconds = limit
	case seconds < -limit:
		seconds = -limit
	}
	sec, frac := math.Modf(seconds)
	return time.Unix(int64(sec), int64(frac*1e9))
}

// unpack undoes the compression envelope of a payload that starts with its
// marker, within the default bounds; any other payload passes through.
// Reading is on whatever Config.Compress says, so that turning it off
// keeps compressed cookies readable.
func unpack(payload []byte) ([]byte, error) {
	if len(payload) == 0 || payload[0] != envelope.Marker {
		return payload, nil
	}
	return defaultEnvelope.Unpack(payload)
}

// compressedLimit is the most bytes a compressed session expands to: the
// default bound of the envelope.
const compressedLimit = 64 << 10

// defaultEnvelope is the compression envelope with its default bounds.
var defaultEnvelope = func() *envelope.Envelope {
	e, err := envelope.New(envelope.Options{})
	if err != nil {
		panic(err) // unreachable: the defaults are valid
	}
	return e
}()

// envelope returns the compression envelope when Compress is on, else nil.
func (c *Config) envelope() *envelope.Envelope {
	if !c.Compress {
		return nil
	}
	return defaultEnvelope
}

// maxValueSize returns the longest cookie value (all chunks joined) a
// codec reads: MaxCookieSize, or MaxSize when sessions may take several
// cookies.
func (c *Config) maxValueSize() int {
	return max(MaxCookieSize, c.MaxSize)
}

// secrets returns the configured secret keys, current first.
func (c *Config) secrets() ([]string, error) {
	if c.SecretKey == "" {
		return nil, fmt.Errorf("%w for session type %s", ErrSecretRequired, c.Type)
	}
	all := make([]string, 0, 1+len(c.PreviousSecretKeys))
	all = append(all, c.SecretKey)
	for i, k := range c.PreviousSecretKeys {
		if k == "" {
			return nil, fmt.Errorf("%w: PreviousSecretKeys[%d] is empty", ErrInvalidSecret, i)
		}
		all = append(all, k)
	}
	return all, nil
}
