package cookiesession

// Reading a session's JSON object without splitting it into a map: a
// request that only reads a value or two finds each by scanning the
// object the codec validated, and the map (Values) is built only when
// something needs it (see Session.valuesLocked).

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession/internal/format"
)

// validObject returns payload without its leading whitespace if it is
// one valid JSON object, or an error wrapping ErrMalformed.
func validObject(payload []byte) ([]byte, error) {
	trimmed := payload[format.SkipSpace(payload, 0):]
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: payload is not a JSON object", ErrMalformed)
	}
	if json.Valid(trimmed) {
		return trimmed, nil
	}
	// encoding/json says what is wrong, and where.
	var v Values
	if err := json.Unmarshal(trimmed, &v); err != nil {
		return nil, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	return nil, fmt.Errorf("%w: payload is not valid JSON", ErrMalformed) // unreachable: json.Unmarshal refuses what json.Valid does
}

// memberScanner walks the top-level members of a JSON object that
// json.Valid has accepted, in order, without allocating.
type memberScanner struct {
	data []byte
	i    int
	key  int // where the key next returned starts in data
}

// newMemberScanner returns a scanner over object, which starts with '{'.
func newMemberScanner(object []byte) memberScanner {
	return memberScanner{data: object, i: 1}
}

// next returns the next member: its key as written between the quotes,
// its value as raw JSON without the whitespace around it (capped, as
// splitObject caps it), and whether the key is plain, that is, holds no
// backslash escape and is valid UTF-8, so that it means exactly its
// bytes. more is false once the object has no more members.
func (sc *memberScanner) next() (key, value []byte, plain, more bool) {
	d := sc.data
	i := sc.skipSpace(sc.i)
	if i < len(d) && d[i] == ',' {
		i = sc.skipSpace(i + 1)
	}
	if i >= len(d) || d[i] != '"' {
		sc.i = len(d) // '}': the end (or not an object: nothing to give)
		return nil, nil, false, false
	}
	end, escaped := skipString(d, i)
	if end > len(d) || end-i < 2 {
		sc.i = len(d) // unreachable for a valid object
		return nil, nil, false, false
	}
	key = d[i+1 : end-1]
	sc.key = i + 1
	i = sc.skipSpace(end) + 1 // the ':'
	i = sc.skipSpace(i)
	if i >= len(d) {
		sc.i = len(d) // unreachable for a valid object
		return nil, nil, false, false
	}
	start := i
	i = skipValue(d, i)
	sc.i = i
	plain = !escaped
	for _, c := range key {
		if c >= utf8.RuneSelf {
			plain = plain && utf8.Valid(key)
			break
		}
	}
	return key, d[start:i:i], plain, true
}

// skipSpace is format.SkipSpace of the scanner's data, answering the common case
// (no whitespace: the object is compact) without a call.
func (sc *memberScanner) skipSpace(i int) int {
	if i < len(sc.data) {
		switch sc.data[i] {
		case ' ', '\t', '\r', '\n':
			return format.SkipSpace(sc.data, i)
		}
	}
	return i
}

// lookupMember returns the raw value of key in a valid JSON object whose
// keys are all plain (see memberScanner.next): a key given twice keeps its
// last value, as splitObject and Python's json module keep it.
func lookupMember(object []byte, key string) (json.RawMessage, bool) {
	var found json.RawMessage
	ok := false
	sc := newMemberScanner(object)
	for {
		k, v, _, more := sc.next()
		if !more {
			return found, ok
		}
		if string(k) == key {
			found, ok = v, true
		}
	}
}

// rawMember is what a lookup of one key finds: its raw value, and whether
// the key is there.
type rawMember struct {
	raw json.RawMessage
	ok  bool
}

// memberOf looks key up in v.
func memberOf(v Values, key string) rawMember {
	raw, ok := v[key]
	return rawMember{raw, ok}
}

// reservedMembers are the reserved keys of a session object (see
// takeReserved) as found in the object, for lifeOf.
type reservedMembers struct {
	created, iat, id, flashes rawMember
}

// objectMembers are the members the read path of a session looks up: the
// claims the codec checks (jwt "exp" and "nbf"), the reserved keys, and
// the user that Config.RevocationUserKey names.
type objectMembers struct {
	exp, nbf rawMember
	reserved reservedMembers
	user     rawMember
}

// scanMembers collects into f, in one pass over a valid JSON object, the
// members the read path looks up (a key given twice keeps its last value),
// and reports whether every key of the object is plain. When one is not,
// f is left empty: the caller splits the object instead, so that keys are
// unquoted exactly as splitObject unquotes them.
func (m *Manager) scanMembers(object []byte, f *objectMembers) bool {
	*f = objectMembers{}
	user := ""
	if m.cfg.Revocation != nil {
		user = m.cfg.RevocationUserKey
	}
	sc := newMemberScanner(object)
	for {
		k, v, plain, more := sc.next()
		if !more {
			return true
		}
		if !plain {
			*f = objectMembers{}
			return false
		}
		found := rawMember{v, true}
		switch kindOf(m, k) {
		case expMember:
			f.exp = found
		case nbfMember:
			f.nbf = found
		case iatMember:
			f.reserved.iat = found
		case createdMember:
			f.reserved.created = found
		case idMember:
			f.reserved.id = found
		case flashesMember:
			f.reserved.flashes = found
		default:
			// A user key of a hidden name (which New refuses) finds
			// nothing, as in the values, from which those are removed.
			if user != "" && string(k) == user {
				f.user = found
			}
		}
	}
}

// valuesOf splits a valid JSON object whose keys are all plain into
// values, as splitObject does, leaving out the keys the package hides.
func (m *Manager) valuesOf(object []byte) Values {
	v := make(Values)
	text := "" // object as a string, made for the first key: the keys share it
	sc := newMemberScanner(object)
	for {
		k, raw, _, more := sc.next()
		if !more {
			return v
		}
		if kindOf(m, k) != visibleMember {
			continue
		}
		if text == "" {
			text = string(object)
		}
		v[text[sc.key:sc.key+len(k)]] = raw
	}
}

// memberKind is what a session key means to the package: one of the
// claims or reserved keys it hides from the app, or a value of the app.
type memberKind uint8

const (
	visibleMember memberKind = iota // the app's
	expMember                       // jwt "exp"
	nbfMember                       // jwt "nbf"
	iatMember                       // jwt "iat"
	createdMember                   // "_cs_created"
	idMember                        // "_cs_id", jwt "jti"
	flashesMember                   // "_flashes"
)

// kindOf returns what key means in m's sessions: the package hides the
// keys of reservedKeysOf, "_flashes", and in jwt sessions "iat" and the
// claims "exp" and "nbf"; every other key is the app's. It is the one
// rule: Session.Set refuses (checkKey), reads hide and migrations drop
// exactly these keys.
func kindOf[K string | []byte](m *Manager, key K) memberKind {
	switch string(key) {
	case createdKey:
		return createdMember
	case flashKey:
		return flashesMember
	}
	if m.cfg.Type != JWT {
		if string(key) == idKey {
			return idMember
		}
		return visibleMember
	}
	switch string(key) {
	case "exp":
		return expMember
	case "nbf":
		return nbfMember
	case "iat":
		return iatMember
	case "jti":
		return idMember
	}
	return visibleMember
}

// hidden reports whether key is one the package removes from the values
// a cookie decodes to: the reserved keys, and in jwt sessions the claims
// "exp" and "nbf".
func (m *Manager) hidden(key string) bool {
	return kindOf(m, key) != visibleMember
}
