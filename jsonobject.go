package cookiesession

// The JSON object of a session, written and read without reflection for
// the common cases, and through encoding/json for the rest.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"
)

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
