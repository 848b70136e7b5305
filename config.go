package cookiesession

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Type selects how a session is turned into a cookie value. Its values are
// the strings asgi-sessions uses for session_type, so a Type can come
// straight from a configuration file or a flag: *Type implements
// [flag.Value] and [encoding.TextUnmarshaler].
type Type string

const (
	// Base64 stores the session as URL-safe base64 of its JSON. It is
	// neither signed nor encrypted: the client can read and change it.
	// Use it only for data the client may see and forge.
	Base64 Type = "base64"
	// JWT stores the session as the claims of an HS256-signed JSON Web
	// Token. The client can read it but not change it.
	JWT Type = "jwt"
	// Fernet stores the session as a Fernet token (AES-128-CBC with
	// HMAC-SHA256). The client can neither read nor change it.
	Fernet Type = "fernet"
)

// ParseType returns the Type named by s ("base64", "jwt" or "fernet",
// in any case), or an error wrapping [ErrUnknownType].
func ParseType(s string) (Type, error) {
	switch t := Type(strings.ToLower(strings.TrimSpace(s))); t {
	case Base64, JWT, Fernet:
		return t, nil
	}
	return "", fmt.Errorf("%w %q: want base64, jwt or fernet", ErrUnknownType, s)
}

// String returns the type's name.
func (t Type) String() string { return string(t) }

// Set parses s into t; it makes *Type a [flag.Value].
func (t *Type) Set(s string) error {
	parsed, err := ParseType(s)
	if err != nil {
		return err
	}
	*t = parsed
	return nil
}

// UnmarshalText parses text into t; it makes *Type usable in JSON, YAML
// and other text-based configuration formats.
func (t *Type) UnmarshalText(text []byte) error { return t.Set(string(text)) }

// Defaults, as in asgi-sessions.
const (
	// DefaultCookieName is the cookie's name when Config.CookieName is empty.
	DefaultCookieName = "session"
	// DefaultMaxAge is the session lifetime when Config.MaxAge is zero.
	DefaultMaxAge = 14 * 24 * time.Hour
	// BrowserSession, as Config.MaxAge, makes a cookie without a Max-Age
	// attribute (the browser drops it when it closes) and turns off the
	// server-side expiry check. It is what asgi-sessions does for max_age=0.
	BrowserSession time.Duration = -1
	// MaxCookieSize is the largest Set-Cookie line (name, value and
	// attributes) this package writes, and the largest cookie value it
	// reads. Browsers silently drop larger cookies.
	MaxCookieSize = 4096
	// MaxClockSkew is how far in the future a fernet timestamp or a jwt
	// "nbf" claim may lie before the cookie is refused.
	MaxClockSkew = 60 * time.Second
)

// Config configures a [Manager]. Type is required, and SecretKey for the
// signed types; every other field has a usable default for its zero value,
// stated on the field. Not every default is the safe choice for every site:
// Secure is off by default (as in asgi-sessions), so a site served over
// HTTPS must turn it on.
type Config struct {
	// Type is the session type: Base64, JWT or Fernet. Required. It is read
	// in any case and without surrounding spaces, as [ParseType] reads it:
	// "JWT" is JWT.
	Type Type

	// SecretKey signs (jwt) or encrypts (fernet) new cookies, and is the
	// first key tried when reading one. Required for JWT and Fernet;
	// ignored for Base64.
	//
	// For JWT any non-empty string works; its bytes are the HMAC key. Use
	// at least 32 random bytes (cookiesession keygen makes one).
	//
	// For Fernet it is either a secret of 1 to 32 ASCII characters, turned
	// into a key the way asgi-sessions does it (padded with '=' to 32 bytes:
	// the first 16 bytes sign, the last 16 encrypt), or a standard Fernet
	// key: 44 characters of URL-safe base64 encoding 32 bytes. Anything else
	// is an error wrapping [ErrInvalidSecret]. So is a secret of 16
	// characters or fewer, unless InsecureAllowPublicFernetKey is set: its
	// whole encryption key is '=' padding, known to everyone. A secret of
	// 17 to 31 characters is accepted with a warning in the log. Use 32
	// random characters (cookiesession keygen -type fernet).
	//
	// For JWT a secret shorter than 32 bytes is accepted with a warning in
	// the log.
	SecretKey string

	// InsecureAllowPublicFernetKey lets [New] accept a Fernet SecretKey of
	// 16 characters or fewer. The asgi-sessions key derivation pads such a
	// secret with '=' to 32 bytes, so its encryption half is
	// "================": anyone can decrypt the cookies (though not forge
	// them). Set it only to share sessions with an asgi-sessions app that
	// already uses such a secret, and plan to rotate to a strong one. Default
	// false: such a secret is an error wrapping [ErrInvalidSecret].
	// PreviousSecretKeys may hold short secrets without it: they are only
	// read, so that rotating away from a short secret needs no opt-in.
	InsecureAllowPublicFernetKey bool

	// PreviousSecretKeys are tried, in order, after SecretKey when reading a
	// cookie, and never used to write one. To rotate keys, put the new key
	// in SecretKey and the old one here; drop it once MaxAge has passed.
	PreviousSecretKeys []string

	// CookieName is the cookie's name. Default "session".
	CookieName string

	// MaxAge is the session's lifetime, written as the cookie's Max-Age
	// (whole seconds) and, for JWT and Fernet, checked on the server: an
	// older cookie is refused even if a client keeps sending it (a jwt
	// without an "exp" claim, as asgi-sessions writes them, carries no date
	// and is not refused for its age). Zero means
	// DefaultMaxAge (14 days). [BrowserSession] (any negative value) means
	// no Max-Age attribute and no server-side expiry: neither a fernet
	// token's age nor a jwt's "exp" claim is checked. A value under one
	// second is an error wrapping [ErrInvalidConfig].
	//
	// Lowering MaxAge ends jwt sessions written under the larger value: a
	// jwt carries exp = write time + MaxAge, and one whose exp lies more
	// than MaxAge (plus [MaxClockSkew]) ahead of the clock cannot have been
	// written under this configuration, so it is refused with an error
	// wrapping [ErrExpired] ("jwt exp lies further ahead than MaxAge
	// allows"), and those users start a new session. Fernet tokens carry
	// their write time, so for them lowering MaxAge only shortens sessions.
	MaxAge time.Duration

	// SameSite is the cookie's SameSite attribute. Zero means
	// http.SameSiteLaxMode; http.SameSiteDefaultMode writes no attribute.
	// http.SameSiteNoneMode requires Secure.
	SameSite http.SameSite

	// Secure marks the cookie HTTPS-only. Default false, as in asgi-sessions;
	// turn it on wherever the site is served over HTTPS.
	Secure bool

	// DisableHTTPOnly lets page scripts read the cookie. Default false: the
	// cookie is HttpOnly.
	DisableHTTPOnly bool

	// Path is the cookie's Path. Default "/". It must start with "/" (a
	// browser ignores any other Path and uses the request's directory
	// instead); anything else is an error wrapping [ErrInvalidConfig].
	Path string

	// Domain is the cookie's Domain. Default empty: the cookie goes back
	// only to the host that set it.
	Domain string

	// ErrorHandler receives every error met while loading or saving a
	// session, with the request's context (or the context given to
	// [Manager.Load]). Each error wraps one of two sentinels saying which
	// side it comes from:
	//   - [ErrCookieRefused]: the request's cookie was refused (also
	//     wrapping ErrMalformed, ErrSignature, ErrAlgorithm, ErrExpired,
	//     ErrNotYetValid or ErrTooLarge); the handler got an empty session.
	//   - [ErrNotSaved]: a change could not be saved (also wrapping
	//     ErrTooLarge or ErrHeadersWritten, or the encoding error).
	// The ErrNotSaved errors that [Session.Set], [Session.Delete] and
	// [Session.Clear] return are reported here too, for handlers that do
	// not check them. None of these errors stops the request. Nil means:
	// log it to Logger.
	ErrorHandler func(ctx context.Context, err error)

	// Logger receives the errors when ErrorHandler is nil, and the warnings
	// of [New] about weak secrets. Refused cookies are logged at Warn
	// level, failures to save at Error level, each record with the cookie's
	// name, the session type, the error and, for requests through
	// [Manager.Handler], the request's method and path. Nil means
	// slog.Default().
	Logger *slog.Logger

	// Now is the clock used for expiry. Nil means time.Now. Tests set it.
	Now func() time.Time
}

// cookieMaxAge returns the Max-Age attribute in seconds, 0 for none.
func (c *Config) cookieMaxAge() int {
	if c.MaxAge <= 0 {
		return 0
	}
	return int(c.MaxAge / time.Second)
}

// withDefaults returns a copy of c with defaults applied and checks the
// options that do not depend on the session type.
func (c Config) withDefaults() (Config, error) {
	// One rule for the type's spelling, ParseType's: any case, no spaces
	// around. An unknown type is left for newCodec to name.
	c.Type = Type(strings.ToLower(strings.TrimSpace(string(c.Type))))
	if c.CookieName == "" {
		c.CookieName = DefaultCookieName
	}
	if c.Path == "" {
		c.Path = "/"
	}
	if c.Path[0] != '/' {
		return c, fmt.Errorf("%w: Path %q does not start with \"/\" (browsers ignore such a Path)", ErrInvalidConfig, c.Path)
	}
	switch {
	case c.MaxAge == 0:
		c.MaxAge = DefaultMaxAge
	case c.MaxAge < 0:
		c.MaxAge = BrowserSession
	case c.MaxAge < time.Second:
		return c, fmt.Errorf("%w: MaxAge %v is less than one second", ErrInvalidConfig, c.MaxAge)
	}
	if c.SameSite == 0 {
		c.SameSite = http.SameSiteLaxMode
	}
	if c.SameSite == http.SameSiteNoneMode && !c.Secure {
		return c, fmt.Errorf("%w: SameSite=None requires Secure (browsers drop such cookies)", ErrInvalidConfig)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	// Let net/http judge the name, path and domain exactly as it will
	// when it writes the cookie.
	probe := http.Cookie{Name: c.CookieName, Value: "v", Path: c.Path, Domain: c.Domain}
	if err := probe.Valid(); err != nil {
		return c, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	return c, nil
}
