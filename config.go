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

	// Starlette is the session cookie of Starlette's SessionMiddleware,
	// which FastAPI apps use: base64 JSON signed by itsdangerous'
	// TimestampSigner (HMAC-SHA1). The client can read it but not change
	// it. SecretKey is the app's secret_key.
	Starlette Type = "starlette"
	// Flask is the session cookie of Flask's default session interface:
	// Flask's tagged JSON, zlib-compressed when shorter, signed by
	// itsdangerous (HMAC-SHA1). The client can read it but not change it.
	// SecretKey is the app's SECRET_KEY. Flask's default lifetime is 31
	// days: MaxAge defaults to that for this type.
	Flask Type = "flask"
	// Django is the cookie of Django's signed_cookies session backend:
	// JSON, zlib-compressed when shorter, signed with HMAC-SHA256 and a
	// base62 timestamp. The client can read it but not change it.
	// SecretKey is the project's SECRET_KEY; PreviousSecretKeys play the
	// role of SECRET_KEY_FALLBACKS.
	Django Type = "django"
	// IronSession is the cookie of iron-session 9 (Next.js): an iron seal
	// (AES-256-CBC, HMAC-SHA256), chunked into <name>.0 … <name>.3 when
	// too large for one cookie. The client can neither read nor change
	// it. SecretKey is "ID=PASSWORD" or a plain password (id 1), at least
	// 32 characters; iron-session seals with the highest id.
	IronSession Type = "iron-session"
	// CookieSession is Express's cookie-session: base64 JSON in <name>
	// and its keygrip signature (HMAC-SHA1) in <name>.sig. The client can
	// read it but not change it. The format carries no date: MaxAge is
	// only the cookies' Max-Age, and a copied cookie stays valid as long
	// as its key is configured.
	CookieSession Type = "cookie-session"
)

// types lists every Type, in the order error messages name them.
var types = []Type{Base64, JWT, Fernet, Starlette, Flask, Django, IronSession, CookieSession}

// typeNames is the list of types for error messages.
const typeNames = "base64, jwt, fernet, starlette, flask, django, iron-session or cookie-session"

// ParseType returns the Type named by s (any of the Type constants'
// names, in any case), or an error wrapping [ErrUnknownType].
func ParseType(s string) (Type, error) {
	t := Type(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range types {
		if t == known {
			return t, nil
		}
	}
	return "", fmt.Errorf("%w %q: want %s", ErrUnknownType, s, typeNames)
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
	// DefaultMaxAge is the session lifetime when Config.MaxAge is zero,
	// for every type but Flask.
	DefaultMaxAge = 14 * 24 * time.Hour
	// DefaultFlaskMaxAge is the session lifetime when Config.MaxAge is
	// zero and Config.Type is Flask: Flask's PERMANENT_SESSION_LIFETIME.
	DefaultFlaskMaxAge = 31 * 24 * time.Hour
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
	// Type is the session type: one of the Type constants. Required. It
	// is read in any case and without surrounding spaces, as [ParseType]
	// reads it: "JWT" is JWT.
	Type Type

	// SecretKey signs or encrypts new cookies, and is the first key tried
	// when reading one. Required for every type but Base64; ignored for
	// Base64. What each framework type expects is said on its constant.
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
	// [Manager.Load]). Each error wraps one of these sentinels saying
	// where it comes from:
	//   - [ErrCookieRefused]: the request's cookie was refused (also
	//     wrapping ErrMalformed, ErrSignature, ErrAlgorithm, ErrExpired,
	//     ErrNotYetValid, ErrTooLarge or ErrRevoked); the handler got an
	//     empty session.
	//   - [ErrNotSaved]: a change could not be saved (also wrapping
	//     ErrTooLarge or ErrHeadersWritten, or the encoding error).
	//   - [ErrRevocationUnavailable] alone: the revocation list could not
	//     tell whether the session is revoked and let it through (its
	//     fail-open decision); the handler got the session. A list that
	//     fails closed refuses the cookie: ErrCookieRefused and ErrRevoked.
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

	// Rolling writes the cookie again, with a fresh expiry (cookie
	// Max-Age, jwt "exp", the signed timestamp), on a response whose
	// handler read the session once at least MaxAge/RollingShare (a
	// tenth) has passed since the cookie was written: a user active at
	// least once every nine tenths of MaxAge is never logged out by
	// MaxAge, and an active user costs at most about ten re-issued cookies
	// per MaxAge. A request that never touches the session costs nothing.
	// Default false: a cookie's expiry counts from when the session last
	// changed. It needs a type whose cookie says when it was written (jwt,
	// fernet, starlette, flask, django, iron-session); for base64 and
	// cookie-session it does nothing. Lifetime still ends every session.
	Rolling bool

	// Lifetime is the longest a session lives from its creation (its
	// first save, or the last Session.Renew, typically the login),
	// however active it is: an older session is refused with an error
	// wrapping ErrExpired. The creation time travels in the cookie (jwt:
	// the "iat" claim; every other type: the key "_cs_created"). A
	// session that carries none (written by another library, such as a
	// MigrateFrom format, or before Lifetime was set) is at least as old
	// as its cookie: it is taken as created when its cookie was written,
	// if the cookie says (every signed format but cookie-session's), and
	// that time is written with it; else it is given one when it is next
	// written. Zero (the default) means none; a Lifetime shorter than
	// MaxAge is allowed (the session ends at Lifetime). For the unsigned
	// base64 type it is advisory: the client can change the creation
	// time.
	Lifetime time.Duration

	// Revocation, when set, lets the app revoke sessions before they
	// expire: one session ([Session.Revoke], at logout) or every session
	// of a user ([Manager.RevokeUser], "log out everywhere"). Every
	// session then carries a random id of 128 bits (jwt: the "jti" claim;
	// every other type: the key "_cs_id"), and every request that reads a
	// session asks the list. [NewMemoryRevocationList] keeps the list in
	// the process; the module stores/redis shares it across a fleet.
	// It needs a signed type (for MigrateFrom too) and a bound on a
	// cookie's life (MaxAge, or Lifetime for BrowserSession and
	// cookie-session): an error wrapping ErrInvalidConfig otherwise.
	// Entries are kept until the cookies they cover would be refused
	// anyway, including the cookies of MigrateFrom sources (for the
	// longest of their MaxAge). A source whose cookies carry no date the
	// server checks (cookie-session, a BrowserSession MaxAge, a custom
	// Codec that checks none) cannot be covered once an entry is
	// forgotten: keep such a migration short. Default nil: sessions
	// cannot be revoked, as in asgi-sessions.
	Revocation RevocationList

	// RevocationUserKey is the session key that names the user, for
	// Manager.RevokeUser. Default "user". Its value must be a string or a
	// number (RevokeUser is given the number's JSON text): a session
	// without that key, or whose value is anything else (an object, say),
	// belongs to no user and is only revoked by its id. A key the package
	// keeps for itself is an error wrapping ErrInvalidConfig:
	// "_cs_created", "_flashes", "_cs_id" (jwt sessions: "jti", "iat",
	// "exp" and "nbf" instead).
	RevocationUserKey string

	// MigrateFrom lists formats that are also read, each with its own
	// cookie name and secrets: a cookie that only one of them decodes is
	// accepted and written again in this Manager's own format on the same
	// response (counted in Stats as re-issued by migration), so users are
	// moved without being logged out. A source's creation time and id are
	// read under its own type's names ("iat" and "jti" for jwt), so that a
	// session revoked under the old type stays revoked; app keys that this
	// Manager's type keeps for itself (jwt: "exp", "nbf", "iat", "jti";
	// the other types: "_cs_id") are dropped from a migrated session with
	// a log record. Default none.
	MigrateFrom []Migration

	// MaxSize, when over MaxCookieSize, lets a session take several
	// cookies: up to MaxSize bytes of the request's Cookie header. A
	// session that fits one cookie is still one cookie, exactly as without
	// it. A larger one is written as <name>=!<N>.<digest>.<part>,
	// <name>.1=<digest>.<part>, …; the signature (or encryption) covers
	// the whole value, and chunks no longer needed are expired in the same
	// response. Zero (the default) means one cookie, as asgi-sessions
	// writes it. Accepted: 0, or MaxCookieSize to 16384 (Node.js's and
	// common proxies' header limits); DefaultMaxSize (6144) stays under
	// the 8 KiB header lines of nginx and Apache. base64, jwt and fernet
	// only (iron-session chunks by its own rules, into at most four
	// cookies); the other types' frameworks cannot read chunks.
	MaxSize int

	// Compress compresses the session's JSON (DEFLATE, behind a '~'
	// marker) before it is signed or encrypted, when that makes it
	// shorter. Decompression is bounded (64 KiB, 64 times the input).
	// asgi-sessions cannot read compressed cookies. base64 and jwt only,
	// and fernet with CompressEncrypted: compressing secrets beside
	// values an attacker chooses lets the attacker recover the secrets
	// from the cookie's length (CRIME/BREACH; see SECURITY.md). Flask and
	// Django compress on their own. Default false.
	Compress bool

	// CompressEncrypted allows Compress with the fernet type, accepting
	// the length leak described on Compress. Default false.
	CompressEncrypted bool

	// Partitioned adds the Partitioned attribute (CHIPS), for a session
	// used inside a third-party iframe: the browser keeps a separate
	// cookie per top-level site. It requires Secure. Default false.
	Partitioned bool
}

// A Migration is a cookie format a [Manager] also reads, to move users
// from another library or format to its own without logging them out
// (see [Config.MigrateFrom]).
type Migration struct {
	// Type, SecretKey, PreviousSecretKeys and
	// InsecureAllowPublicFernetKey mean what they mean in Config, for the
	// format to read. Ignored when Codec is set.
	Type                         Type
	SecretKey                    string
	PreviousSecretKeys           []string
	InsecureAllowPublicFernetKey bool

	// Codec reads a format this package does not build in, such as
	// gorilla/sessions' (github.com/cookiesession/cookiesession/migrate/gorilla).
	// Its Decode must check expiry itself.
	Codec Codec

	// CookieName is the name of the cookie to read. Default: the
	// Manager's CookieName.
	CookieName string

	// MaxAge is the format's lifetime, as Config.MaxAge. Default: the
	// type's default (14 days; Flask 31 days).
	MaxAge time.Duration
}

// DefaultMaxSize is the recommended Config.MaxSize: two cookies, 6 KiB,
// which stays under the 8 KiB Cookie header line of nginx and Apache with
// room for a site's other cookies.
const DefaultMaxSize = 6 << 10

// HardMaxSize is the largest Config.MaxSize accepted: 16 KiB.
const HardMaxSize = 16 << 10

// DefaultRevocationUserKey is Config.RevocationUserKey when empty.
const DefaultRevocationUserKey = "user"

// checkLifecycle checks the lifecycle, size and revocation options.
func (c *Config) checkLifecycle() error {
	if c.Lifetime < 0 {
		return fmt.Errorf("%w: Lifetime %v is negative", ErrInvalidConfig, c.Lifetime)
	}
	if c.Lifetime > 0 && c.Lifetime < time.Second {
		return fmt.Errorf("%w: Lifetime %v is less than one second", ErrInvalidConfig, c.Lifetime)
	}
	if c.RevocationUserKey == "" {
		c.RevocationUserKey = DefaultRevocationUserKey
	}
	if c.Revocation != nil {
		switch {
		case (&Manager{cfg: *c}).checkKey(c.RevocationUserKey) != nil:
			return fmt.Errorf("%w: RevocationUserKey %q is a key the package keeps for itself, never a user's name: RevokeUser would revoke nothing", ErrInvalidConfig, c.RevocationUserKey)
		case c.Type == Base64:
			return fmt.Errorf("%w: Revocation needs a signed type: a base64 client can forge or drop the session id", ErrInvalidConfig)
		case c.Type == CookieSession && c.Lifetime == 0:
			return fmt.Errorf("%w: Revocation with cookie-session needs a Lifetime: the format carries no date, so a revoked cookie would be good again once its entry is forgotten", ErrInvalidConfig)
		case c.MaxAge <= 0 && c.Lifetime == 0:
			return fmt.Errorf("%w: Revocation needs a bound on a cookie's life (MaxAge or Lifetime): an entry must outlive the cookies it covers", ErrInvalidConfig)
		}
	}
	switch {
	case c.MaxSize < 0:
		return fmt.Errorf("%w: MaxSize %d is negative", ErrInvalidConfig, c.MaxSize)
	case c.MaxSize > 0 && c.MaxSize < MaxCookieSize:
		return fmt.Errorf("%w: MaxSize %d is less than one cookie (%d); 0 means one cookie", ErrInvalidConfig, c.MaxSize, MaxCookieSize)
	case c.MaxSize > HardMaxSize:
		return fmt.Errorf("%w: MaxSize %d is over %d: browsers, proxies and Node.js servers refuse Cookie headers that long; keep such data on the server", ErrInvalidConfig, c.MaxSize, HardMaxSize)
	case c.MaxSize > 0 && c.Type != Base64 && c.Type != JWT && c.Type != Fernet && c.Type != "":
		return fmt.Errorf("%w: MaxSize works with base64, jwt and fernet; %s's own readers cannot join chunks", ErrInvalidConfig, c.Type)
	}
	if c.Compress {
		switch c.Type {
		case Base64, JWT, "":
		case Fernet:
			if !c.CompressEncrypted {
				return fmt.Errorf("%w: Compress with fernet leaks secrets through the cookie's length when a session mixes them with values an attacker chooses (CRIME/BREACH); set CompressEncrypted to accept that", ErrInvalidConfig)
			}
		default:
			return fmt.Errorf("%w: Compress works with base64, jwt and fernet; %s's own readers cannot read it", ErrInvalidConfig, c.Type)
		}
	}
	return nil
}

// checkPrefix applies the rules browsers enforce for the cookie name
// prefixes "__Host-" (Secure, Path "/", no Domain) and "__Secure-"
// (Secure): a cookie that breaks them is dropped by the browser, silently.
// Browsers match the prefixes in any case (RFC 6265bis' storage model,
// as Chromium does), so "__host-session" follows the same rules.
func (c *Config) checkPrefix() error {
	lower := strings.ToLower(c.CookieName)
	switch {
	case strings.HasPrefix(lower, "__host-"):
		if !c.Secure || c.Path != "/" || c.Domain != "" {
			return fmt.Errorf("%w: a cookie named %q needs Secure, Path \"/\" and no Domain (browsers drop it otherwise)", ErrInvalidConfig, c.CookieName)
		}
	case strings.HasPrefix(lower, "__secure-"):
		if !c.Secure {
			return fmt.Errorf("%w: a cookie named %q needs Secure (browsers drop it otherwise)", ErrInvalidConfig, c.CookieName)
		}
	}
	return nil
}

// cookieMaxAge returns the Max-Age attribute in seconds, 0 for none.
// For iron-session it is MaxAge less iron's 60 s clock skew, as
// iron-session writes it, so that the browser drops the cookie no later
// than the seal expires.
func (c *Config) cookieMaxAge() int {
	if c.MaxAge <= 0 {
		return 0
	}
	if c.Type == IronSession && c.MaxAge > 2*MaxClockSkew {
		return int((c.MaxAge - MaxClockSkew) / time.Second)
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
	case c.MaxAge == 0 && c.Type == Flask:
		c.MaxAge = DefaultFlaskMaxAge
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
	if err := c.checkLifecycle(); err != nil {
		return c, err
	}
	if err := c.checkPrefix(); err != nil {
		return c, err
	}
	if c.Partitioned && !c.Secure {
		return c, fmt.Errorf("%w: Partitioned requires Secure (browsers drop partitioned cookies without it)", ErrInvalidConfig)
	}
	// Let net/http judge the name, path and domain exactly as it will
	// when it writes the cookie.
	probe := http.Cookie{Name: c.CookieName, Value: "v", Path: c.Path, Domain: c.Domain}
	if err := probe.Valid(); err != nil {
		return c, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	return c, nil
}
