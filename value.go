package cookiesession

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// marshalValue renders one session value as compact JSON without HTML
// escaping. A json.RawMessage is checked and compacted, not re-encoded.
func marshalValue(value any) (json.RawMessage, error) {
	if s, ok := value.(string); ok && plainKey(s) { // written as it is, quoted
		raw := make([]byte, 0, len(s)+2)
		return append(append(append(raw, '"'), s...), '"'), nil
	}
	var buf bytes.Buffer
	if raw, ok := value.(json.RawMessage); ok {
		if err := json.Compact(&buf, raw); err != nil {
			return nil, fmt.Errorf("cookiesession: value is not valid JSON: %w", err)
		}
		return buf.Bytes(), nil
	}
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(value); err != nil {
		return nil, fmt.Errorf("cookiesession: value cannot be stored as JSON: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// unmarshalValue decodes one raw value the way [Session.Get] returns it:
// objects as map[string]any, arrays as []any, numbers as json.Number.
func unmarshalValue(raw json.RawMessage) (any, error) {
	if s, ok := plainString(raw); ok {
		return s, nil
	}
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if isJSONNumber(raw) {
		return json.Number(raw), nil
	}
	var v any
	if err := decodeExact(raw, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// decodeExact decodes one JSON value into dst, numbers into an interface
// as json.Number, so that no digit is lost.
func decodeExact(raw []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(dst)
}

// sameJSON reports whether two JSON texts hold the same value: the same
// bytes, or equal after decoding, with numbers compared exactly (1.5e-07
// as Python writes it equals 1.5e-7 as Go writes it).
func sameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	if _, ok := plainText(a); ok {
		if _, ok := plainText(b); ok {
			return false // each decodes to its bytes, and they differ
		}
	}
	va, errA := unmarshalValue(a)
	vb, errB := unmarshalValue(b)
	return errA == nil && errB == nil && sameValue(va, vb)
}

func sameValue(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, va := range a {
			vb, ok := b[k]
			if !ok || !sameValue(va, vb) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameValue(a[i], b[i]) {
				return false
			}
		}
		return true
	case json.Number:
		b, ok := b.(json.Number)
		if !ok {
			return false
		}
		return sameNumber(a, b)
	default: // string, bool, nil
		return a == b
	}
}

// sameNumber compares two JSON numbers exactly. Numbers with an exponent
// beyond ±1000 are compared as text, so that a hostile cookie cannot make
// an exact comparison expand 1e999999999.
func sameNumber(a, b json.Number) bool {
	if a == b {
		return true
	}
	// 1 and 1.0 are equal numbers but not the same value to a reader that
	// wants an integer (Get[int] refuses 1.0): storing one over the other
	// is a change.
	if isIntegerLiteral(a) != isIntegerLiteral(b) {
		return false
	}
	if !modestExponent(a) || !modestExponent(b) {
		return false
	}
	ra, okA := new(big.Rat).SetString(string(a))
	rb, okB := new(big.Rat).SetString(string(b))
	return okA && okB && ra.Cmp(rb) == 0
}

// plainString returns the string a JSON string without escapes holds,
// which is its text between the quotes when that is valid UTF-8.
func plainString(raw []byte) (string, bool) {
	text, ok := plainText(raw)
	return string(text), ok
}

// plainText returns the text between the quotes of a JSON string that
// holds no escapes and is valid UTF-8: exactly the string it decodes to.
func plainText(raw []byte) ([]byte, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, false
	}
	text := raw[1 : len(raw)-1]
	ascii := true
	for _, c := range text {
		switch {
		case c == '"' || c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(text) {
		return nil, false // encoding/json turns invalid UTF-8 into U+FFFD
	}
	return text, true
}

// isIntegerLiteral reports whether n is written without a fraction or an
// exponent, as integers are.
func isIntegerLiteral(n json.Number) bool {
	return !strings.ContainsAny(string(n), ".eE")
}

func modestExponent(n json.Number) bool {
	i := strings.IndexAny(string(n), "eE")
	if i < 0 {
		return true
	}
	exp, err := strconv.Atoi(string(n[i+1:]))
	return err == nil && exp >= -1000 && exp <= 1000
}
