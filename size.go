package cookiesession

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
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
	values := s.valuesLocked()
	sum, count := s.membersLen(), len(values)
	if old, ok := values[key]; ok {
		sum -= memberLen(key, old)
	} else {
		count++
	}
	sum += memberLen(key, raw)
	rs, rc := s.reservedMembers(s.life.flashes)
	n, ok := s.m.lineLen(sum+rs, count+rc)
	if !ok || n <= MaxCookieSize {
		return nil
	}
	return onSide(ErrNotSaved, fmt.Errorf("%w: value of %q refused: the session's Set-Cookie line would have %d bytes, the limit is %d", ErrTooLarge, key, n, MaxCookieSize))
}

// checkFlashesFit is checkFits for a new list of flash messages. The
// caller holds s.mu.
func (s *Session) checkFlashesFit(flashes json.RawMessage) error {
	rs, rc := s.reservedMembers(flashes)
	n, ok := s.m.lineLen(s.membersLen()+rs, len(s.valuesLocked())+rc)
	if !ok || n <= MaxCookieSize {
		return nil
	}
	return onSide(ErrNotSaved, fmt.Errorf("%w: flash message refused: the session's Set-Cookie line would have %d bytes, the limit is %d", ErrTooLarge, n, MaxCookieSize))
}

// reservedMembers returns the memberLen sum and count of the reserved
// members the session will be written with, with flashes as its flash
// messages: those reservedFields writes, once the save has stamped a
// creation time (now) and drawn an id (when revocation is on) for a
// session that has none. The caller holds s.mu.
func (s *Session) reservedMembers(flashes json.RawMessage) (sum, count int) {
	f := s.life
	f.flashes = flashes
	if f.created.IsZero() && s.m.recordsCreation() {
		f.created = s.m.cfg.Now()
	}
	if f.id == "" && s.m.cfg.Revocation != nil {
		f.id = unsavedID
	}
	var buf [4]member
	for _, e := range s.m.reservedFields(f, buf[:0]) {
		sum += memberLen(e.key, e.value())
		count++
	}
	return sum, count
}

// unsavedID stands for the id a save will draw (newSessionID): the same
// length.
var unsavedID = strings.Repeat("A", sessionIDLen)

// membersLen returns the sum of memberLen over the session's values,
// computed once and then kept up to date by Set, Delete and Clear (see
// resize). The caller holds s.mu.
func (s *Session) membersLen() int {
	if !s.sizeKnown {
		s.memberSum = 0
		for k, v := range s.valuesLocked() {
			s.memberSum += memberLen(k, v)
		}
		s.sizeKnown = true
	}
	return s.memberSum
}

// resize keeps the cached sum of memberLen up to date when key's value
// goes from old (nil: absent) to raw (nil: removed). The caller holds
// s.mu.
func (s *Session) resize(key string, old, raw json.RawMessage) {
	if !s.sizeKnown {
		return
	}
	if old != nil {
		s.memberSum -= memberLen(key, old)
	}
	if raw != nil {
		s.memberSum += memberLen(key, raw)
	}
}

// jwtSignatureLen is the length of an HS256 signature in base64url.
var jwtSignatureLen = b64url.EncodedLen(32)

// lineLen returns the length of the Set-Cookie line that would carry a
// session of count members whose memberLen sum to sum, computed as each
// codec's Encode would write it (tested against it), and whether the
// codec is one it knows.
func (m *Manager) lineLen(sum, count int) (int, bool) {
	var n int
	if _, single := m.layout.(singleLayout); m.cfg.Compress || !single {
		// Compressed or chunked: the size is known only once encoded;
		// the save reports a session that does not fit. (A migration
		// source does not change the session's own cookie.)
		return 0, false
	}
	switch c := m.codec.(type) {
	case base64Codec:
		// Padded URL-safe base64 of the JSON.
		n = base64.URLEncoding.EncodedLen(objectLen(sum, count))
	case *jwtCodec:
		// header "." base64url(payload) "." signature, where the payload
		// also holds "exp" when the codec writes one.
		if c.maxAge > 0 {
			sum += len(`"exp":`) + len(expClaim(c.now().Add(c.maxAge)))
			count++
		}
		n = len(jwtHeaderEncoded) + 1 + b64url.EncodedLen(objectLen(sum, count)) + 1 + jwtSignatureLen
	case *fernetCodec:
		// Version (1), timestamp (8), IV (16), the PKCS#7-padded
		// ciphertext and the HMAC (32), in padded base64.
		padded := (objectLen(sum, count)/16 + 1) * 16
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
		return len(m.cfg.cookieLine(cookieFor(&m.cfg, m.cfg.CookieName, "")))
	}
	return m.emptyLine
}

// objectLen returns the length of the compact JSON object that
// marshalValues writes for count members whose memberLen sum to sum.
func objectLen(sum, count int) int {
	if count == 0 {
		return 2 // {}
	}
	return 2 + sum + count - 1 // braces and commas
}

// memberLen returns the length of one member of the JSON object that
// marshalValues writes: the quoted key, ':' and the compacted value.
func memberLen(key string, raw json.RawMessage) int {
	return keyLen(key) + 1 + compactLen(raw)
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
