package chunk

import (
	"errors"
	"fmt"
	"strconv"
)

// Cookie is one cookie of a request or of a response: a name and a value,
// nothing else.
type Cookie struct {
	Name  string
	Value string
}

// Form is a chunk form: how a long value is spread over cookies.
type Form uint8

const (
	// Native is cookiesession's form: <name> with a count and digest
	// header, then <name>.1 … <name>.N-1.
	Native Form = iota
	// Iron is iron-session's form: <name>.0 … <name>.3, read by
	// concatenation up to the first missing index, a whole <name> winning.
	Iron
)

// String returns "native" or "iron".
func (f Form) String() string {
	switch f {
	case Native:
		return "native"
	case Iron:
		return "iron"
	}
	return "Form(" + strconv.Itoa(int(f)) + ")"
}

// Limits. Sizes are in bytes.
const (
	// MaxCookieBytes is the most bytes of name and value one cookie may
	// take, in browsers (RFC 6265 section 6.1, Chromium, Firefox) and
	// therefore here: Join refuses a longer cookie value before using it.
	MaxCookieBytes = 4096
	// DefaultCookieBytes is Options.CookieBytes when zero: 4096 minus 160
	// bytes left for the attributes (Path, Domain, Max-Age, Expires,
	// HttpOnly, Secure, SameSite).
	DefaultCookieBytes = MaxCookieBytes - 160
	// MinCookieBytes is the smallest Options.CookieBytes accepted.
	MinCookieBytes = 512
	// DefaultMaxSize is Options.MaxSize when zero in the Native form: what
	// fits under an 8 KiB Cookie header line (nginx, Apache defaults) with
	// room for the site's other cookies. See the package doc.
	DefaultMaxSize = 6 << 10
	// MinMaxSize is the smallest Options.MaxSize accepted: one whole
	// cookie.
	MinMaxSize = MaxCookieBytes
	// HardMaxSize is the largest Options.MaxSize accepted in the Native
	// form: 16 KiB, as much as Node.js's default limit for all request
	// headers (16 KiB) and Cloudflare's limit for one header (16 KB) let
	// through at all. See the package doc.
	HardMaxSize = 16 << 10
	// HardMaxChunks is the most cookies the Native form uses for one
	// value at any configuration (HardMaxSize in cookies of
	// MinCookieBytes, plus one). The chunk names <name>.1 …
	// <name>.<HardMaxChunks-1> are the ones Stale looks for.
	HardMaxChunks = HardMaxSize/MinCookieBytes + 1
	// IronMaxChunks is iron-session's fixed maximum of chunk cookies.
	IronMaxChunks = 4
	// IronMaxSize is Options.MaxSize when zero in the Iron form, and its
	// largest accepted value: four full cookies and the "; " between
	// them.
	IronMaxSize = IronMaxChunks*MaxCookieBytes + 2*(IronMaxChunks-1)
	// MaxCandidates bounds, for one request, both the values Join returns
	// and the reassemblies it tries, over all the <name> cookies and
	// duplicate chunks: each value is one the format will authenticate,
	// so this bounds the MAC work a request can cause. Four, as the cookie
	// layer tries at most four cookies of one name.
	MaxCandidates = 4
)

// Options configure a [Scheme].
type Options struct {
	// Form is the chunk form; the zero value is Native.
	Form Form
	// MaxSize is the most bytes the session may add to a request's
	// Cookie header over all its cookies: each name=value and the "; "
	// between them. Zero means DefaultMaxSize (Native) or IronMaxSize
	// (Iron). Native accepts MinMaxSize … HardMaxSize, Iron MinMaxSize …
	// IronMaxSize; anything else is an error from New.
	MaxSize int
	// CookieBytes is the most bytes of name=value one cookie may take: the
	// cookie layer passes MaxCookieBytes minus the length of the
	// attributes it writes ("; Path=/; Max-Age=…; HttpOnly; …"), so that
	// each Set-Cookie line stays within 4096 bytes. Zero means
	// DefaultCookieBytes. Accepted: MinCookieBytes … MaxCookieBytes.
	CookieBytes int
}

// A Scheme spreads the values of one session cookie name over cookies and
// reads them back. Make one with [New]; it is immutable and safe for
// concurrent use.
type Scheme struct {
	name        string
	form        Form
	maxSize     int
	cookieBytes int
	maxChunks   int
}

// errConfig is the error of a bad name or bad options.
var errConfig = errors.New("chunk: bad configuration")

// New returns the Scheme for cookies named name. It refuses a name that is
// not a valid cookie name (RFC 6265 token), options out of the ranges
// stated on [Options], and a name too long to leave room for data in a
// cookie of CookieBytes.
func New(name string, o Options) (*Scheme, error) {
	if !validName(name) {
		return nil, fmt.Errorf("%w: %q is not a valid cookie name", errConfig, name)
	}
	s := &Scheme{name: name, form: o.Form, maxSize: o.MaxSize, cookieBytes: o.CookieBytes}
	if s.cookieBytes == 0 {
		s.cookieBytes = DefaultCookieBytes
	}
	if s.cookieBytes < MinCookieBytes || s.cookieBytes > MaxCookieBytes {
		return nil, fmt.Errorf("%w: CookieBytes %d is outside %d…%d", errConfig, s.cookieBytes, MinCookieBytes, MaxCookieBytes)
	}
	hardMax := HardMaxSize
	switch s.form {
	case Native:
		if s.maxSize == 0 {
			s.maxSize = DefaultMaxSize
		}
	case Iron:
		hardMax = IronMaxSize
		if s.maxSize == 0 {
			s.maxSize = IronMaxSize
		}
	default:
		return nil, fmt.Errorf("%w: unknown form %d", errConfig, o.Form)
	}
	if s.maxSize < MinMaxSize || s.maxSize > hardMax {
		return nil, fmt.Errorf("%w: MaxSize %d is outside %d…%d", errConfig, s.maxSize, MinMaxSize, hardMax)
	}
	lastIndex := HardMaxChunks - 1
	if s.form == Iron {
		s.maxChunks = IronMaxChunks
		lastIndex = IronMaxChunks - 1
	} else {
		// Every chunk but the last fills its cookie to CookieBytes, so
		// N chunks take more than (N-1)*CookieBytes of header.
		s.maxChunks = s.maxSize/s.cookieBytes + 1
	}
	// The longest chunk name and its fixed overhead must leave at least
	// half of a cookie for data.
	if s.overhead(lastIndex)*2 > s.cookieBytes {
		return nil, fmt.Errorf("%w: the cookie name %q leaves too little room in a cookie of %d bytes", errConfig, name, s.cookieBytes)
	}
	return s, nil
}

// Name returns the session cookie's name.
func (s *Scheme) Name() string { return s.name }

// Form returns the chunk form.
func (s *Scheme) Form() Form { return s.form }

// MaxSize returns the bound on the session's Cookie header bytes.
func (s *Scheme) MaxSize() int { return s.maxSize }

// MaxChunks returns the most cookies one value may take: in the Native
// form MaxSize/CookieBytes + 1, in the Iron form IronMaxChunks.
func (s *Scheme) MaxChunks() int { return s.maxChunks }

// chunkName returns the name of chunk i.
func (s *Scheme) chunkName(i int) string {
	return s.name + "." + strconv.Itoa(i)
}

// digestLen is the length of the digest as written (6 bytes, base64url).
const digestLen = 8

// overhead returns the bytes of a Native chunk cookie other than its piece:
// for i = 0 the head "<name>=!<N>.<digest>." with a two-digit N, else
// "<name>.<i>=<digest>.".
func (s *Scheme) overhead(i int) int {
	if s.form == Iron {
		return len(s.name) + 1 + len(strconv.Itoa(i)) + 1
	}
	if i == 0 {
		return len(s.name) + 1 + 1 + 2 + 1 + digestLen + 1
	}
	return len(s.name) + 1 + len(strconv.Itoa(i)) + 1 + digestLen + 1
}

// validName reports whether name is an RFC 6265 cookie name: a token of
// visible ASCII without separators.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f {
			return false
		}
		switch c {
		case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=', '{', '}':
			return false
		}
	}
	return true
}

// cookieSafe reports the index of the first byte of v that is not an RFC
// 6265 cookie-octet, or -1.
func cookieSafe(v string) int {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\' {
			return i
		}
	}
	return -1
}
