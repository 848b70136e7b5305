package cookiesession

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
)

// The size of a session's cookie, known from the length of its JSON object
// before anything is encoded, so that Session.Set can refuse a value that
// would make the cookie too large while the handler can still act on it.

// checkFits returns an error wrapping ErrNotSaved and ErrTooLarge if
// storing raw under key would make the session's Set-Cookie line longer
// than MaxCookieSize, or nil. It knows the built-in types; for any other
// codec it returns nil and the save reports what does not fit. The caller
// holds s.mu.
func (s *Session) checkFits(key string, raw json.RawMessage) error {
	n, ok := s.m.lineLen(s.values, key, raw)
	if !ok || n <= MaxCookieSize {
		return nil
	}
	return onSide(ErrNotSaved, fmt.Errorf("%w: value of %q refused: the session's Set-Cookie line would have %d bytes, the limit is %d", ErrTooLarge, key, n, MaxCookieSize))
}

// jwtSignatureLen is the length of an HS256 signature in base64url.
var jwtSignatureLen = b64url.EncodedLen(32)

// lineLen returns the length of the Set-Cookie line that would carry v
// with raw stored under key, computed from the JSON's length as each
// codec's Encode would write it (tested against it), and whether the
// codec is one it knows.
func (m *Manager) lineLen(v Values, key string, raw json.RawMessage) (int, bool) {
	var n int
	switch c := m.codec.(type) {
	case base64Codec:
		// Padded URL-safe base64 of the JSON.
		n = base64.URLEncoding.EncodedLen(objectLen(v, key, raw, "", 0))
	case *jwtCodec:
		// header "." base64url(payload) "." signature, where the payload
		// also holds "exp" when the codec writes one.
		expKey, expLen := "", 0
		if c.maxAge > 0 {
			expKey = "exp"
			expLen = len(strconv.FormatInt(c.now().Add(c.maxAge).Unix(), 10))
		}
		payload := objectLen(v, key, raw, expKey, expLen)
		n = len(jwtHeaderEncoded) + 1 + b64url.EncodedLen(payload) + 1 + jwtSignatureLen
	case *fernetCodec:
		// Version (1), timestamp (8), IV (16), the PKCS#7-padded
		// ciphertext and the HMAC (32), in padded base64.
		padded := (objectLen(v, key, raw, "", 0)/16 + 1) * 16
		n = b64fernet.EncodedLen(57 + padded)
	default:
		return 0, false
	}
	return m.emptyLineLen() + n, true
}

// emptyLineLen returns the length of the Set-Cookie line for an empty
// value: the name, "=" and every attribute. A cookie value of base64
// characters is written as it is, so the line for a value is this plus
// the value's length.
func (m *Manager) emptyLineLen() int {
	if m.emptyLine == 0 { // a Manager not made by New
		return len(m.newCookie().String())
	}
	return m.emptyLine
}

// objectLen returns the length of the compact JSON object that
// marshalValues writes for v with raw stored under key and, if extraKey
// is not empty, a value of extraLen bytes under extraKey (as jwt's "exp").
func objectLen(v Values, key string, raw json.RawMessage, extraKey string, extraLen int) int {
	n, members := 2, 0 // "{}"
	for k, val := range v {
		if k == key || k == extraKey {
			continue
		}
		n += keyLen(k) + 1 + compactLen(val)
		members++
	}
	n += keyLen(key) + 1 + compactLen(raw)
	members++
	if extraKey != "" {
		n += keyLen(extraKey) + 1 + extraLen
		members++
	}
	return n + members - 1 // the commas
}

// keyLen returns the length of k as a quoted JSON string, as marshalValues
// writes it (encoding/json without HTML escaping).
func keyLen(k string) int {
	if plainKey(k) {
		return len(k) + 2
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(k) != nil { // unreachable: every string encodes
		return len(k) + 2
	}
	return buf.Len() - 1 // the newline
}

// compactLen returns the length of the valid JSON value raw without the
// whitespace outside its strings, as json.Compact writes it.
func compactLen(raw []byte) int {
	if !hasSpace(raw) {
		return len(raw)
	}
	n := 0
	inString := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case inString:
			n++
			switch c {
			case '\\':
				i++
				n++
			case '"':
				inString = false
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		default:
			n++
			inString = c == '"'
		}
	}
	return n
}
