package cookiesession

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash"
	"slices"
	"sync"
	"unicode/utf8"
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
// outside an HTTP handler (such as cmd/cookiesession).
func NewCodec(c Config) (Codec, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	return newCodec(&c)
}

// newCodec builds the codec for a Config that already has its defaults.
func newCodec(c *Config) (Codec, error) {
	switch c.Type {
	case Base64:
		return base64Codec{}, nil
	case JWT:
		return newJWTCodec(c)
	case Fernet:
		return newFernetCodec(c)
	case "":
		return nil, fmt.Errorf("%w: Config.Type is required (base64, jwt or fernet)", ErrUnknownType)
	}
	return nil, fmt.Errorf("%w %q: want base64, jwt or fernet", ErrUnknownType, string(c.Type))
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

// checkSize refuses a cookie value too long to have come from this package,
// before any decoding work is spent on it.
func checkSize(value string) error {
	if len(value) > MaxCookieSize {
		return fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(value), MaxCookieSize)
	}
	return nil
}

// marshalValues renders v as one compact JSON object with its keys in
// sorted order, UTF-8 as is and no HTML escaping: the form asgi-sessions
// writes (json.dumps with compact separators, ensure_ascii off).
func marshalValues(v Values) ([]byte, error) {
	if len(v) == 0 {
		return []byte("{}"), nil
	}
	if out, ok := appendValues(nil, v); ok {
		return out, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]json.RawMessage(v)); err != nil {
		return nil, fmt.Errorf("cookiesession: encoding session: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// appendValues is the fast path of marshalValues, for the common case of
// printable ASCII keys and valid values: it writes exactly what
// encoding/json writes for them (keys sorted bytewise, each raw value
// compacted). It reports false, having written nothing of use, for
// anything else, which encoding/json then handles (and whose errors it
// reports).
func appendValues(dst []byte, v Values) ([]byte, bool) {
	keys := make([]string, 0, len(v))
	n := 2
	for k, raw := range v {
		if !plainKey(k) || !validValue(raw) {
			return nil, false
		}
		keys = append(keys, k)
		n += len(k) + 4 + len(raw)
	}
	slices.Sort(keys)
	if dst == nil {
		dst = make([]byte, 0, n)
	}
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, k...)
		dst = append(dst, '"', ':')
		raw := v[k]
		if hasSpace(raw) {
			buf := bytes.NewBuffer(dst)
			if json.Compact(buf, raw) != nil { // unreachable: raw is valid
				return nil, false
			}
			dst = buf.Bytes()
		} else {
			dst = append(dst, raw...)
		}
	}
	return append(dst, '}'), true
}

// validValue reports whether raw is one valid JSON value, answering
// plain strings and numbers without a run of encoding/json's scanner. It
// may say false of a valid value (with whitespace around it, say), never
// true of an invalid one.
func validValue(raw []byte) bool {
	if len(raw) > 0 {
		switch c := raw[0]; {
		case c == '"':
			if plainJSONString(raw) {
				return true
			}
		case c == '-' || '0' <= c && c <= '9':
			return isJSONNumber(raw)
		}
	}
	return json.Valid(raw)
}

// plainJSONString reports whether raw is a JSON string without escapes:
// quotes around bytes that are neither '"', '\\' nor control characters.
func plainJSONString(raw []byte) bool {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return false
	}
	for _, c := range raw[1 : len(raw)-1] {
		if c == '"' || c == '\\' || c < 0x20 {
			return false
		}
	}
	return true
}

// isJSONNumber reports whether raw is exactly one JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(raw []byte) bool {
	i := 0
	digits := func() bool {
		start := i
		for i < len(raw) && '0' <= raw[i] && raw[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(raw) && raw[i] == '-' {
		i++
	}
	switch {
	case i < len(raw) && raw[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(raw) && raw[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(raw) && (raw[i] == 'e' || raw[i] == 'E') {
		i++
		if i < len(raw) && (raw[i] == '+' || raw[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(raw)
}

// plainKey reports whether encoding/json writes k as it is between quotes
// (without HTML escaping): printable ASCII other than '"' and '\\'.
func plainKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// unmarshalValues parses a session payload, which must be a JSON object.
// A key given twice keeps its last value, as in Python's json module.
//
// The values it returns share the payload's memory: the caller must not
// change payload afterwards.
func unmarshalValues(payload []byte) (Values, error) {
	trimmed := payload[skipSpace(payload, 0):]
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: payload is not a JSON object", ErrMalformed)
	}
	if json.Valid(trimmed) {
		return splitObject(trimmed), nil
	}
	var v Values
	if err := json.Unmarshal(trimmed, &v); err != nil {
		return nil, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	return v, nil // unreachable: json.Unmarshal refuses what json.Valid does
}

// splitObject returns the members of a JSON object that json.Valid has
// accepted, as json.Unmarshal into Values would: each value as its raw
// text, without the whitespace around it; keys unquoted. The values are
// slices of data (capped, so that an append cannot run into the next
// member); the keys share one string copied from data.
func splitObject(data []byte) Values {
	v := make(Values)
	text := "" // data as a string, made for the first plain key
	i := skipSpace(data, 1)
	if data[i] == '}' {
		return v
	}
	for {
		i = skipSpace(data, i)
		start := i
		var escaped bool
		i, escaped = skipString(data, i)
		var key string
		switch quoted := data[start:i]; {
		case !escaped && utf8.Valid(quoted):
			if text == "" {
				text = string(data)
			}
			key = text[start+1 : i-1]
		default: // escapes or invalid UTF-8: let encoding/json unquote it
			key = unquote(quoted)
		}
		i = skipSpace(data, i) + 1 // the ':'
		i = skipSpace(data, i)
		start = i
		i = skipValue(data, i)
		v[key] = data[start:i:i]
		i = skipSpace(data, i)
		if data[i] == '}' {
			return v
		}
		i++ // the ','
	}
}

// unquote returns the string a valid JSON string decodes to.
func unquote(quoted []byte) string {
	var s string
	if json.Unmarshal(quoted, &s) != nil { // unreachable: quoted is valid
		return string(quoted)
	}
	return s
}

// hasSpace reports whether raw holds a byte of JSON whitespace.
func hasSpace(raw []byte) bool {
	for _, c := range raw {
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			return true
		}
	}
	return false
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just after the JSON string that starts at
// data[i] (a '"'), and whether it holds a backslash escape.
func skipString(data []byte, i int) (end int, escaped bool) {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			return i + 1, escaped
		}
	}
	return i, escaped
}

// skipValue returns the index just after the valid JSON value that starts
// at data[i].
func skipValue(data []byte, i int) int {
	switch data[i] {
	case '"':
		end, _ := skipString(data, i)
		return end
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i, _ = skipString(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	default: // number, true, false, null
		for i < len(data) {
			switch data[i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return i
			}
			i++
		}
		return i
	}
}

// A macKey is an HMAC-SHA256 key with a pool of states keyed with it, so
// that checking a cookie does not set up the two SHA-256 states and pads
// of hmac.New every time. Every comparison is hmac.Equal.
type macKey struct {
	key  []byte
	pool sync.Pool // of *macState
}

type macState struct {
	h   hash.Hash
	buf []byte // scratch copy of a string message
	sum [sha256.Size]byte
}

func newMACKey(key []byte) *macKey {
	k := &macKey{key: key}
	k.pool.New = func() any { return &macState{h: hmac.New(sha256.New, k.key)} }
	return k
}

// sum appends the HMAC-SHA256 of msg to dst.
func (k *macKey) sum(dst, msg []byte) []byte {
	st := k.pool.Get().(*macState)
	st.h.Reset()
	st.h.Write(msg)
	dst = st.h.Sum(dst)
	k.pool.Put(st)
	return dst
}

// equal reports, in constant time, whether mac is the HMAC-SHA256 of msg.
func (k *macKey) equal(msg, mac []byte) bool {
	st := k.pool.Get().(*macState)
	st.h.Reset()
	st.h.Write(msg)
	ok := hmac.Equal(st.h.Sum(st.sum[:0]), mac)
	k.pool.Put(st)
	return ok
}

// equalString is equal for a message held in a string.
func (k *macKey) equalString(msg string, mac []byte) bool {
	st := k.pool.Get().(*macState)
	st.buf = append(st.buf[:0], msg...)
	st.h.Reset()
	st.h.Write(st.buf)
	ok := hmac.Equal(st.h.Sum(st.sum[:0]), mac)
	if cap(st.buf) <= MaxCookieSize {
		k.pool.Put(st)
	}
	return ok
}
