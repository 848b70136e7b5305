package cookiesession

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"
	"time"
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
	keys   [][]byte  // keys[0] signs; all are tried when verifying
	macs   []*macKey // keys[i] with a pool of HMAC states
	maxAge time.Duration
	now    func() time.Time
}

func newJWTCodec(c *Config) (*jwtCodec, error) {
	secrets, err := c.secrets()
	if err != nil {
		return nil, err
	}
	keys := make([][]byte, len(secrets))
	macs := make([]*macKey, len(secrets))
	for i, s := range secrets {
		keys[i] = []byte(s)
		macs[i] = newMACKey(keys[i])
	}
	return &jwtCodec{keys: keys, macs: macs, maxAge: c.MaxAge, now: c.Now}, nil
}

// Encode signs v with the first key. With a max age, it adds the standard
// "exp" claim, so the server refuses the token once it is older. Values
// holding "exp" or "nbf" are refused with an error wrapping
// [ErrReservedKey], as [Session.Set] refuses them: the codec manages
// those claims itself.
func (c *jwtCodec) Encode(v Values) (string, error) {
	for k := range jwtClaimKeys {
		if _, ok := v[k]; ok {
			return "", fmt.Errorf("%w: %q is a JWT claim that jwt sessions manage themselves", ErrReservedKey, k)
		}
	}
	if c.maxAge > 0 {
		v = maps.Clone(v)
		if v == nil {
			v = Values{}
		}
		exp := c.now().Add(c.maxAge).Unix()
		v["exp"] = json.RawMessage(strconv.FormatInt(exp, 10))
	}
	payload, err := marshalValues(v)
	if err != nil {
		return "", err
	}
	n := len(jwtHeaderEncoded) + 1 + b64url.EncodedLen(len(payload))
	token := make([]byte, n, n+1+b64url.EncodedLen(sha256.Size))
	copy(token, jwtHeaderEncoded)
	token[len(jwtHeaderEncoded)] = '.'
	b64url.Encode(token[len(jwtHeaderEncoded)+1:], payload)
	var sig [sha256.Size]byte
	c.mac(0).sum(sig[:0], token)
	token = append(token, '.')
	token = b64url.AppendEncode(token, sig[:])
	return string(token), nil
}

// sign returns the HS256 signature of a JWS signing input with the first key.
func (c *jwtCodec) sign(signingInput []byte) []byte {
	return c.mac(0).sum(nil, signingInput)
}

// mac returns keys[i] with its pool of HMAC states.
func (c *jwtCodec) mac(i int) *macKey {
	if i < len(c.macs) {
		return c.macs[i]
	}
	return newMACKey(c.keys[i]) // a jwtCodec not made by newJWTCodec
}

// Decode verifies and parses a token. The "exp" and "nbf" claims are
// checked and removed from the values: they belong to the token, not to
// the session. Each base64url segment must decode exactly (no line
// breaks, which Go's decoder would skip), so that a token has one
// accepted spelling.
func (c *jwtCodec) Decode(value string) (Values, error) {
	if err := checkSize(value); err != nil {
		return nil, err
	}
	dot1 := strings.IndexByte(value, '.')
	dot2 := strings.LastIndexByte(value, '.')
	if dot1 < 0 || dot1 == dot2 || strings.IndexByte(value[dot1+1:dot2], '.') >= 0 {
		return nil, fmt.Errorf("%w: a jwt has three dot-separated segments", ErrMalformed)
	}
	if err := checkJWTHeader(value[:dot1]); err != nil {
		return nil, err
	}
	var sigText [43]byte // b64url.EncodedLen(sha256.Size)
	var sig [sha256.Size]byte
	if len(value)-dot2-1 != len(sigText) {
		return nil, fmt.Errorf("%w: jwt signature is not a base64url HMAC-SHA256", ErrSignature)
	}
	copy(sigText[:], value[dot2+1:])
	if n, err := b64url.Decode(sig[:], sigText[:]); err != nil || n != len(sig) {
		// n < 32: Go's decoder skipped a line break (and the zero bytes
		// left in sig must never be compared).
		return nil, fmt.Errorf("%w: jwt signature is not a base64url HMAC-SHA256", ErrSignature)
	}
	if !c.verify(value[:dot2], sig[:]) {
		return nil, fmt.Errorf("%w: jwt not signed by any configured secret", ErrSignature)
	}
	payload, err := decodeSegment(value[dot1+1 : dot2])
	if err != nil {
		return nil, fmt.Errorf("%w: jwt payload: %v", ErrMalformed, err)
	}
	v, err := unmarshalValues(payload)
	if err != nil {
		return nil, err
	}
	if err := c.checkTimes(v); err != nil {
		return nil, err
	}
	delete(v, "exp")
	delete(v, "nbf")
	return v, nil
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

func (c *jwtCodec) verify(signingInput string, sig []byte) bool {
	for i := range c.keys {
		if c.mac(i).equalString(signingInput, sig) { // hmac.Equal
			return true
		}
	}
	return false
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

// checkTimes applies the registered time claims of RFC 7519: "exp" (the
// token is refused at or after it; not checked with BrowserSession, which
// turns server-side expiry off) and "nbf" (refused before it, less
// MaxClockSkew). Either must be a number when checked.
func (c *jwtCodec) checkTimes(v Values) error {
	now := c.now()
	if raw, ok := v["exp"]; ok && c.maxAge > 0 {
		exp, err := numericDate(raw)
		if err != nil {
			return fmt.Errorf("%w: jwt exp: %v", ErrMalformed, err)
		}
		if float64(now.Unix()) >= exp {
			return fmt.Errorf("%w: jwt exp %s has passed", ErrExpired, time.Unix(int64(exp), 0).UTC().Format(time.RFC3339))
		}
		// This server writes exp = now + MaxAge: a later exp was not
		// made under this configuration (or MaxAge has since been cut).
		if exp-float64(now.Unix()) > c.maxAge.Seconds()+MaxClockSkew.Seconds() {
			return fmt.Errorf("%w: jwt exp lies further ahead than MaxAge (%v) allows: written under a larger MaxAge or by another server", ErrExpired, c.maxAge)
		}
	}
	if raw, ok := v["nbf"]; ok {
		nbf, err := numericDate(raw)
		if err != nil {
			return fmt.Errorf("%w: jwt nbf: %v", ErrMalformed, err)
		}
		if float64(now.Add(MaxClockSkew).Unix()) < nbf {
			return fmt.Errorf("%w: jwt nbf is in the future", ErrNotYetValid)
		}
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
