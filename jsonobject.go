package cookiesession

// The JSON object of a session, written and read without reflection for
// the common cases, and through encoding/json for the rest.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession/internal/format"
)

// marshalValues renders v as one compact JSON object with its keys in
// sorted order, UTF-8 as is and no HTML escaping: the form asgi-sessions
// writes (json.dumps with compact separators, ensure_ascii off). Every
// value is checked to be valid JSON: v may come from anyone (Codec.Encode).
func marshalValues(v Values) ([]byte, error) {
	return appendObject(nil, v, nil, false)
}

// A member is one "key":value of a session's JSON object kept outside its
// Values: the reserved keys and claims the package writes itself (see
// Manager.reservedFields). Its key is printable ASCII and its value
// compact, valid JSON: raw, or, when raw is nil, the first size bytes of
// text. Short values live in text so that a member holds no pointer into
// its writer's stack, and an array of members can stay on the stack.
type member struct {
	key  string
	raw  json.RawMessage
	text [24]byte
	size int
}

// value returns the member's JSON text.
func (e *member) value() []byte {
	if e.raw != nil {
		return e.raw
	}
	return e.text[:e.size]
}

// appendObject appends to dst the JSON object of v's members and extra's,
// as marshalValues writes it: keys in sorted (bytewise) order, each value
// compacted. A key in both v and extra is written once, with extra's
// value. extra is sorted in place.
//
// With trusted, v's values are not checked again: the caller knows them
// to be valid JSON, as a Session's are (checked when set, or when the
// cookie they came from was decoded). Keys that encoding/json would
// escape, and with !trusted any value that is not valid JSON, go the slow
// way through encoding/json, whose errors are returned.
//
// Up to 16 keys are sorted on the stack, and dst is grown once: with a
// dst of enough capacity, the common case allocates nothing.
func appendObject(dst []byte, v Values, extra []member, trusted bool) ([]byte, error) {
	var keyBuf [16]string
	keys := keyBuf[:0]
	if len(v) > len(keyBuf) {
		keys = make([]string, 0, len(v))
	}
	n := 2
	for k, raw := range v {
		if !plainKey(k) || !trusted && !validValue(raw) {
			return marshalSlow(dst, v, extra)
		}
		keys = append(keys, k)
		n += len(k) + 4 + len(raw)
	}
	for i := range extra {
		// The package's own members are checked even when the values are
		// trusted: a few short values, and a bug in one of their writers
		// must fail the save, not write a cookie no reader accepts.
		if !validValue(extra[i].value()) {
			return nil, fmt.Errorf("cookiesession: encoding session: the member %q is not valid JSON", extra[i].key)
		}
		n += len(extra[i].key) + 4 + len(extra[i].value())
	}
	slices.Sort(keys)
	sortMembers(extra)
	dst = slices.Grow(dst, n)
	dst = append(dst, '{')
	i, j := 0, 0
	for first := true; i < len(keys) || j < len(extra); first = false {
		var key string
		var raw []byte
		if j == len(extra) || i < len(keys) && keys[i] < extra[j].key {
			key, raw = keys[i], v[keys[i]]
			i++
		} else {
			if i < len(keys) && keys[i] == extra[j].key {
				i++ // extra's value wins
			}
			key, raw = extra[j].key, extra[j].value()
			j++
		}
		if !first {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, key...)
		dst = append(dst, '"', ':')
		if hasSpace(raw) {
			buf := bytes.NewBuffer(dst)
			if err := json.Compact(buf, raw); err != nil { // unreachable for valid values
				return nil, fmt.Errorf("cookiesession: encoding session: %w", err)
			}
			dst = buf.Bytes()
		} else {
			dst = append(dst, raw...)
		}
	}
	return append(dst, '}'), nil
}

// withMembers returns a new map of v's values and extra's members (a key
// in both takes the member's value), the values of extra copied.
func withMembers(v Values, extra []member) Values {
	all := make(Values, len(v)+len(extra))
	for k, raw := range v {
		all[k] = raw
	}
	for i := range extra {
		all[extra[i].key] = append(json.RawMessage(nil), extra[i].value()...)
	}
	return all
}

// sortMembers sorts a handful of members by key (insertion sort: no
// allocation, and extra holds at most six).
func sortMembers(ms []member) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].key < ms[j-1].key; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// marshalSlow is appendObject through encoding/json, for keys it must
// escape and values to check. extra's values are copied, so that a
// caller's buffer never escapes to the heap through this rare path.
func marshalSlow(dst []byte, v Values, extra []member) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]json.RawMessage(withMembers(v, extra))); err != nil {
		return nil, fmt.Errorf("cookiesession: encoding session: %w", err)
	}
	return append(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...), nil
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
		case c == '[':
			if flatArray(raw) {
				return true
			}
		}
	}
	return json.Valid(raw)
}

// flatArray reports whether raw is a compact JSON array of plain strings
// (see plainJSONString), numbers, true, false and null, such as
// ["admin","dev"]: the common list values of a session, answered without
// a run of encoding/json's scanner. It says false of anything else,
// valid or not.
func flatArray(raw []byte) bool {
	if len(raw) < 2 || raw[0] != '[' || raw[len(raw)-1] != ']' {
		return false
	}
	body := raw[1 : len(raw)-1]
	if len(body) == 0 {
		return true
	}
	for {
		var end int
		if body[0] == '"' {
			end = 1
			for end < len(body) && body[end] != '"' {
				end++
			}
			end++ // after the closing quote, or past the end when there is none
			if end > len(body) || !plainJSONString(body[:end]) {
				return false
			}
		} else {
			for end < len(body) && body[end] != ',' {
				end++
			}
			switch elem := body[:end]; string(elem) {
			case "true", "false", "null":
			default:
				if !isJSONNumber(elem) {
					return false
				}
			}
		}
		if end == len(body) {
			return true
		}
		if body[end] != ',' || end+1 == len(body) {
			return false
		}
		body = body[end+1:]
	}
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
	object, err := validObject(payload)
	if err != nil {
		return nil, err
	}
	return splitObject(object), nil
}

// splitObject returns the members of a JSON object that json.Valid has
// accepted, as json.Unmarshal into Values would: each value as its raw
// text, without the whitespace around it; keys unquoted. The values are
// slices of data (capped, so that an append cannot run into the next
// member); the keys share one string copied from data.
func splitObject(data []byte) Values {
	v := make(Values)
	text := "" // data as a string, made for the first plain key
	i := format.SkipSpace(data, 1)
	if data[i] == '}' {
		return v
	}
	for {
		i = format.SkipSpace(data, i)
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
		i = format.SkipSpace(data, i) + 1 // the ':'
		i = format.SkipSpace(data, i)
		start = i
		i = skipValue(data, i)
		v[key] = data[start:i:i]
		i = format.SkipSpace(data, i)
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
