package cookiesession

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession/internal/envelope"
	"github.com/cookiesession/cookiesession/internal/format"
)

// jwtHeader is the header asgi-sessions (PyJWT) writes, and its encoding.
const (
	jwtHeader        = `{"alg":"HS256","typ":"JWT"}`
	jwtHeaderEncoded = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
)

// b64url is the unpadded URL-safe base64 of JWS (RFC 7515). Decoding is
// strict, so a segment has exactly one accepted spelling.
var b64url = base64.RawURLEncoding.Strict()

// jwtCodec is the JWT session type: the session's values are the claims of
// an HS256 JSON Web Token (RFC 7519). The token's header is never trusted
// to choose an algorithm: the signature is always checked as HMAC-SHA256,
// and a header naming anything but HS256 is refused.
type jwtCodec struct {
	keys    [][]byte         // keys[0] signs; all are tried when verifying
	macs    []*format.MACKey // keys[i] with a pool of HMAC states
	maxAge  time.Duration
	now     func() time.Time
	env     *envelope.Envelope // compression, when Config.Compress
	maxSize int                // the longest token read: MaxCookieSize, or Config.MaxSize
}

func newJWTCodec(c *Config) (*jwtCodec, error) {
	secrets, err := c.secrets()
	if err != nil {
		return nil, err
	}
	keys := make([][]byte, len(secrets))
	macs := make([]*format.MACKey, len(secrets))
	for i, s := range secrets {
		keys[i] = []byte(s)
		macs[i] = format.NewMACKey(sha256.New, keys[i])
	}
	return &jwtCodec{keys: keys, macs: macs, maxAge: c.MaxAge, now: c.Now, env: c.envelope(), maxSize: c.maxValueSize()}, nil
}

// Encode signs v with the first key. With a max age, it adds the standard
// "exp" claim, so the server refuses the token once it is older. Values
// holding "exp" or "nbf" are refused with an error wrapping
// [ErrReservedKey], as [Session.Set] refuses them: the codec manages
// those claims itself.
func (c *jwtCodec) Encode(v Values) (string, error) { return c.sealValues(v, nil, c.now(), false) }

// seal writes a Session's values, whose values are valid JSON already,
// with the reserved members extra, dated now.
func (c *jwtCodec) seal(v Values, extra []member, now time.Time) (string, error) {
	return c.sealValues(v, extra, now, true)
}

// sealValues is Encode and seal: the token is written on the stack when
// it fits, so that a session's cookie value costs one allocation.
func (c *jwtCodec) sealValues(v Values, extra []member, now time.Time, trusted bool) (string, error) {
	if _, ok := v["exp"]; ok {
		return "", jwtClaimError("exp")
	}
	if _, ok := v["nbf"]; ok {
		return "", jwtClaimError("nbf")
	}
	var memberBuf [6]member
	members := append(memberBuf[:0], extra...)
	if c.maxAge > 0 {
		// To the millisecond, with three decimals always (so that the
		// cookie's length does not depend on the clock): a session lives
		// exactly MaxAge. RFC 7519 allows a fraction; PyJWT and
		// golang-jwt read one.
		e := member{key: "exp"}
		e.size = len(appendExpClaim(e.text[:0], now.Add(c.maxAge))) // at most 24 bytes: exp is within dateOf's range
		members = append(members, e)
	}
	var objectBuf [512]byte
	payload, err := appendObject(objectBuf[:0], v, members, trusted)
	if err != nil {
		return "", err
	}
	if c.env != nil {
		// A copy, so that the object's buffer stays on the stack.
		if payload, err = c.env.Pack(bytes.Clone(payload)); err != nil {
			return "", err
		}
	}
	n := len(jwtHeaderEncoded) + 1 + b64url.EncodedLen(len(payload)) + 1 + b64url.EncodedLen(sha256.Size)
	var tokenBuf [1024]byte
	token := tokenBuf[:0]
	if n > len(tokenBuf) {
		token = make([]byte, 0, n)
	}
	token = append(token, jwtHeaderEncoded...)
	token = append(token, '.')
	token = b64url.AppendEncode(token, payload)
	var sig [sha256.Size]byte
	c.mac(0).Sum(sig[:0], token)
	token = append(token, '.')
	token = b64url.AppendEncode(token, sig[:])
	return string(token), nil
}

// expClaim writes t as a NumericDate with exactly three decimals.
func expClaim(t time.Time) json.RawMessage {
	return appendExpClaim(make([]byte, 0, 24), t)
}

// appendExpClaim appends expClaim's text of t to dst.
func appendExpClaim(dst []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	sec, frac := ms/1000, ms%1000
	if frac < 0 { // before 1970: not a session's expiry, but exact all the same
		sec, frac = sec-1, frac+1000
	}
	dst = strconv.AppendInt(dst, sec, 10)
	return append(dst, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
}

// sign returns the HS256 signature of a JWS signing input with the first key.
func (c *jwtCodec) sign(signingInput []byte) []byte {
	return c.mac(0).Sum(nil, signingInput)
}

// mac returns keys[i] with its pool of HMAC states.
func (c *jwtCodec) mac(i int) *format.MACKey {
	if i < len(c.macs) {
		return c.macs[i]
	}
	return format.NewMACKey(sha256.New, c.keys[i]) // a jwtCodec not made by newJWTCodec
}

// Decode verifies and parses a token, then judges its dates (see
// judgeDates): the "exp" claim against the clock and MaxAge, "nbf" against
// the clock. "exp" and "nbf" are removed from the values: they belong to
// the token, not to the session. Each base64url segment must decode
// exactly (no line breaks, which Go's decoder would skip), so that a token
// has one accepted spelling.
func (c *jwtCodec) Decode(value string) (Values, error) {
	v, meta, err := c.open(value)
	if err != nil {
		return nil, preferDateError(meta, err, c.maxAge, c.now())
	}
	created, ok := createdOf(v, createdKey)
	if !ok {
		created, _ = createdOf(v, "iat")
	}
	if _, err := judgeDates(meta, created, c.maxAge, c.now(), deriveStrict); err != nil {
		return nil, err
	}
	return v, nil
}

// open verifies and parses a token: the signature first, then the
// payload. It checks "nbf" (a token not valid yet is refused whatever the
// configuration) and reports "exp" as meta.Expires for the caller to
// judge; both are removed from the values.
func (c *jwtCodec) open(value string) (Values, format.Meta, error) {
	object, meta, err := c.openObject(value)
	if err != nil {
		return nil, meta, err
	}
	return c.values(object, meta)
}

// openObject verifies a token and returns its payload, a valid JSON
// object, with meta.Key set; its claims are not checked yet (see claims).
func (c *jwtCodec) openObject(value string) ([]byte, format.Meta, error) {
	meta := format.Meta{}
	if len(value) > c.maxSize {
		return nil, meta, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(value), c.maxSize)
	}
	dot1 := strings.IndexByte(value, '.')
	dot2 := strings.LastIndexByte(value, '.')
	if dot1 < 0 || dot1 == dot2 || strings.IndexByte(value[dot1+1:dot2], '.') >= 0 {
		return nil, meta, fmt.Errorf("%w: a jwt has three dot-separated segments", ErrMalformed)
	}
	if err := checkJWTHeader(value[:dot1]); err != nil {
		return nil, meta, err
	}
	var sigText [43]byte // b64url.EncodedLen(sha256.Size)
	var sig [sha256.Size]byte
	if len(value)-dot2-1 != len(sigText) {
		return nil, meta, fmt.Errorf("%w: jwt signature is not a base64url HMAC-SHA256", ErrSignature)
	}
	copy(sigText[:], value[dot2+1:])
	if n, err := b64url.Decode(sig[:], sigText[:]); err != nil || n != len(sig) {
		// n < 32: Go's decoder skipped a line break (and the zero bytes
		// left in sig must never be compared).
		return nil, meta, fmt.Errorf("%w: jwt signature is not a base64url HMAC-SHA256", ErrSignature)
	}
	key := c.verify(value[:dot2], sig[:])
	if key < 0 {
		return nil, meta, fmt.Errorf("%w: jwt not signed by any configured secret", ErrSignature)
	}
	meta.Key = key
	payload, err := decodeSegment(value[dot1+1 : dot2])
	if err != nil {
		return nil, meta, fmt.Errorf("%w: jwt payload: %v", ErrMalformed, err)
	}
	if payload, err = unpack(payload); err != nil {
		return nil, meta, err
	}
	object, err := validObject(payload)
	return object, meta, err
}

// values splits a payload that openObject returned into the session's
// values, checks its claims and removes them.
func (c *jwtCodec) values(object []byte, meta format.Meta) (Values, format.Meta, error) {
	v := splitObject(object)
	meta, err := c.claims(meta, memberOf(v, "exp"), memberOf(v, "nbf"))
	if err != nil {
		return nil, meta, err
	}
	delete(v, "exp")
	delete(v, "nbf")
	return v, meta, nil
}

// claims checks a token's "exp" and "nbf" claims, as found in its payload:
// "exp" must be a number, returned as meta.Expires for the caller to judge;
// "nbf" must be a number not in the future (beyond MaxClockSkew). On an
// error the meta returned holds what was read before it.
func (c *jwtCodec) claims(meta format.Meta, exp, nbf rawMember) (format.Meta, error) {
	if exp.ok {
		if t, ok := decimalDate(exp.raw); ok {
			meta.Expires = t // the exp the package writes, to the millisecond
		} else {
			t, err := numericDate(exp.raw)
			if err != nil {
				return meta, fmt.Errorf("%w: jwt exp: %v", ErrMalformed, err)
			}
			meta.Expires = dateOf(t)
		}
	}
	if nbf.ok {
		t, err := numericDate(nbf.raw)
		if err != nil {
			return meta, fmt.Errorf("%w: jwt nbf: %v", ErrMalformed, err)
		}
		if float64(c.now().Add(MaxClockSkew).Unix()) < t {
			return meta, fmt.Errorf("%w: jwt nbf is in the future", ErrNotYetValid)
		}
	}
	return meta, nil
}

// errLineBreak is the error of a base64 value with a line break in it.
var errLineBreak = errors.New("line break in the base64 text")

// decodeSegment decodes one base64url segment of a token strictly: Go's
// decoder skips CR and LF even in strict mode, so the decoded length is
// checked too.
func decodeSegment(segment string) ([]byte, error) {
	out, err := b64url.DecodeString(segment)
	if err != nil {
		return nil, err
	}
	if b64url.EncodedLen(len(out)) != len(segment) {
		return nil, errLineBreak
	}
	return out, nil
}

// verify returns the index of the key that signed signingInput, or -1.
func (c *jwtCodec) verify(signingInput string, sig []byte) int {
	for i := range c.keys {
		if c.mac(i).EqualString(signingInput, sig) { // hmac.Equal
			return i
		}
	}
	return -1
}

// checkJWTHeader accepts a header whose "alg" is exactly HS256, whose "typ",
// if present, is JWT, and which asks for no critical extensions.
func checkJWTHeader(segment string) error {
	if segment == jwtHeaderEncoded {
		return nil
	}
	raw, err := decodeSegment(segment)
	if err != nil {
		return fmt.Errorf("%w: jwt header: %v", ErrMalformed, err)
	}
	// Field names are matched exactly, as PyJWT and the JOSE RFCs do:
	// a struct would let encoding/json match "ALG" or "Alg" too. The
	// header is checked before the signature, so what it holds is anyone's
	// text: it is quoted (%q) in errors, never copied as it is.
	var h map[string]json.RawMessage
	if err := json.Unmarshal(raw, &h); err != nil || h == nil {
		return fmt.Errorf("%w: jwt header is not a JSON object", ErrMalformed)
	}
	alg, hasAlg := h["alg"]
	typ, hasTyp := h["typ"]
	_, hasCrit := h["crit"]
	var algName, typName string
	switch {
	case !hasAlg:
		return fmt.Errorf("%w: jwt header has no alg", ErrAlgorithm)
	case json.Unmarshal(alg, &algName) != nil:
		return fmt.Errorf("%w: jwt alg %.40q is not a string", ErrMalformed, []byte(alg))
	case algName != "HS256":
		return fmt.Errorf("%w: jwt alg %.40q, only \"HS256\" is accepted", ErrAlgorithm, algName)
	case hasTyp && (json.Unmarshal(typ, &typName) != nil || !strings.EqualFold(typName, "JWT")):
		return fmt.Errorf("%w: jwt typ %.40q, only \"JWT\" is accepted", ErrMalformed, []byte(typ))
	case hasCrit:
		return fmt.Errorf("%w: jwt header lists critical extensions", ErrAlgorithm)
	}
	return nil
}

// numericDate parses a JSON number of seconds since the Unix epoch.
func numericDate(raw json.RawMessage) (float64, error) {
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a number: %.40q", []byte(raw))
	}
	return f, nil
}
