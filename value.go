package cookiesession

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// marshalValue renders one session value as compact JSON without HTML
// escaping. A json.RawMessage is checked and compacted, not re-encoded.
//
// A string, json.Number or json.RawMessage longer than [MaxCookieSize]
// bytes cannot fit in any cookie: it is refused before any other work
// (so that a client-supplied value costs nothing to refuse) with an error
// wrapping [ErrNotSaved] and [ErrTooLarge]. [marshalValueLimit] takes
// another bound, for sessions that may take several cookies.
//
// The JSON is always valid UTF-8, so that every reader (Python's json,
// Node's JSON.parse) reads it as Go wrote it: invalid UTF-8 in a string,
// wherever it sits in the value, is replaced by U+FFFD as encoding/json
// does; a json.RawMessage (or a json.Marshaler's output) holding invalid
// UTF-8 is refused with an error saying at which byte, as JSON that is
// not valid.
func marshalValue(value any) (json.RawMessage, error) {
	return marshalValueLimit(value, MaxCookieSize)
}

// marshalValueLimit is marshalValue with the early size refusal at limit
// bytes instead of MaxCookieSize.
func marshalValueLimit(value any, limit int) (json.RawMessage, error) {
	if n := valueTextLen(value); n > limit {
		if limit == MaxCookieSize {
			return nil, onSide(ErrNotSaved, fmt.Errorf("%w: a value of %d bytes cannot fit in a cookie of at most %d bytes", ErrTooLarge, n, limit))
		}
		return nil, onSide(ErrNotSaved, fmt.Errorf("%w: a value of %d bytes cannot fit in a cookie, nor in the session's chunks of at most %d bytes", ErrTooLarge, n, limit))
	}
	raw, err := encodeValue(value)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(raw) {
		return nil, fmt.Errorf("cookiesession: value is not valid JSON: invalid UTF-8 at byte %d (JSON text must be UTF-8; other readers of the cookie would fail on it)", invalidUTF8At(raw))
	}
	return raw, nil
}

// invalidUTF8At returns the offset of the first byte of b that is not
// part of valid UTF-8, or -1.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// valueTextLen returns the length of the text that a string, json.Number
// or json.RawMessage writes at least (its JSON is at least as long), and 0
// for any other value.
func valueTextLen(value any) int {
	switch v := value.(type) {
	case string:
		return len(v)
	case json.Number:
		return len(v)
	case json.RawMessage:
		return len(v)
	}
	return 0
}

// encodeValue is marshalValue without the size limit.
func encodeValue(value any) (json.RawMessage, error) {
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

// sameNumber reports whether two JSON numbers hold the same value, in time
// linear in their length (no big-number arithmetic on digits a client may
// have written). It compares them exactly, after normalising: 1.5e-07 and
// 0.00000015 are the same, 2^53 and 2^53+1 are not. Two rules keep apart
// numbers that are equal in value but not to every reader: an integer
// literal and one with a fraction or exponent (1 and 1.0: Get[int] refuses
// 1.0) are different, and so are a zero with a minus sign and one without
// (-0 and 0: a float64 or JavaScript reader keeps the sign).
func sameNumber(a, b json.Number) bool {
	if a == b {
		return true
	}
	if isIntegerLiteral(a) != isIntegerLiteral(b) {
		return false
	}
	na, okA := parseDecimal(string(a))
	nb, okB := parseDecimal(string(b))
	if !okA || !okB || na.neg != nb.neg {
		return false
	}
	if na.zero() || nb.zero() {
		return na.zero() && nb.zero() // the same sign, checked above
	}
	if !sameDigits(string(a), na, string(b), nb) {
		return false
	}
	// Equal digits: equal values if the first digit has the same place,
	// exp+lead in each. exp is the written exponent, lead the (small)
	// place of the first significant digit relative to the point.
	return expSumsEqual(na.exp, nb.exp, nb.lead-na.lead)
}

// decimal is a JSON number split into its parts, as byte ranges of its
// text: -?(int)(.frac)?([eE]exp)?. The significant digits are the bytes
// of int and frac from the first non-zero digit to the last one.
type decimal struct {
	neg       bool
	intEnd    int // int is text[start:intEnd]
	fracStart int // frac is text[fracStart:fracEnd] (empty if none)
	fracEnd   int
	first     int // index of the first significant digit; -1 if zero
	last      int // index of the last significant digit
	lead      int // place of the first significant digit: 1 for "1", 0 for "0.1", -1 for "0.01"
	exp       exponent
}

// exponent is a written decimal exponent: its sign and its digits without
// leading zeros ("" for zero).
type exponent struct {
	neg    bool
	digits string
}

func (d *decimal) zero() bool { return d.first < 0 }

// parseDecimal splits a JSON number. It reports false for text that is not
// one.
func parseDecimal(s string) (decimal, bool) {
	if !isJSONNumber([]byte(s)) {
		return decimal{}, false
	}
	var d decimal
	i := 0
	if s[0] == '-' {
		d.neg = true
		i = 1
	}
	start := i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	d.intEnd = i
	d.fracStart, d.fracEnd = i, i
	if i < len(s) && s[i] == '.' {
		i++
		d.fracStart = i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		d.fracEnd = i
	}
	if i < len(s) { // 'e' or 'E'
		i++
		if s[i] == '+' || s[i] == '-' {
			d.exp.neg = s[i] == '-'
			i++
		}
		for i < len(s)-1 && s[i] == '0' {
			i++
		}
		if s[i:] != "0" {
			d.exp.digits = s[i:]
		} else {
			d.exp.neg = false
		}
	}
	d.first, d.last = -1, -1
	for j := start; j < d.fracEnd; j++ {
		if j == d.intEnd {
			j = d.fracStart - 1 // skip the point
			continue
		}
		if s[j] != '0' {
			if d.first < 0 {
				d.first = j
			}
			d.last = j
		}
	}
	if d.first >= 0 {
		if d.first < d.intEnd {
			d.lead = d.intEnd - d.first
		} else {
			d.lead = -(d.first - d.fracStart)
		}
	}
	return d, true
}

// sameDigits reports whether two non-zero decimals have the same
// significant digits.
func sameDigits(a string, da decimal, b string, db decimal) bool {
	i, j := da.first, db.first
	for {
		if i == da.intEnd {
			i = da.fracStart
		}
		if j == db.intEnd {
			j = db.fracStart
		}
		if a[i] != b[j] {
			return false
		}
		if i == da.last || j == db.last {
			return i == da.last && j == db.last
		}
		i++
		j++
	}
}

// maxExpDigits is the most digits an exponent may have to be read as an
// int64 with room to add a place to it.
const maxExpDigits = 17

// expSumsEqual reports whether ea - eb == k, exactly, for written
// exponents of any length and a small k.
func expSumsEqual(ea, eb exponent, k int) bool {
	if len(ea.digits) <= maxExpDigits && len(eb.digits) <= maxExpDigits {
		return ea.int64()-eb.int64() == int64(k)
	}
	// One of them is at least 10^17 in magnitude, far more than |k|
	// (which is at most the numbers' length): with opposite signs the
	// difference is too.
	if ea.neg != eb.neg && ea.digits != "" && eb.digits != "" {
		return false
	}
	diff, ok := subtractDigits(ea.digits, eb.digits) // |ea| - |eb|
	if !ok {
		return false // the difference has more than maxExpDigits digits
	}
	if ea.neg || eb.neg {
		diff = -diff // ea - eb = -(|ea| - |eb|) when both are negative
	}
	return diff == int64(k)
}

// int64 returns the value of an exponent of at most maxExpDigits digits.
func (e exponent) int64() int64 {
	var n int64
	for i := 0; i < len(e.digits); i++ {
		n = n*10 + int64(e.digits[i]-'0')
	}
	if e.neg {
		return -n
	}
	return n
}

// subtractDigits returns x - y for two decimal digit strings without
// leading zeros, if the difference has at most maxExpDigits digits.
// Schoolbook subtraction: linear in the length.
func subtractDigits(x, y string) (int64, bool) {
	neg := false
	if len(x) < len(y) || len(x) == len(y) && x < y {
		x, y = y, x
		neg = true
	}
	// x >= y: the digits of x - y, least significant first, of which only
	// the low maxExpDigits+1 may be non-zero.
	var n int64
	var place int64 = 1
	borrow := byte(0)
	for i := 0; i < len(x); i++ {
		dx := x[len(x)-1-i] - '0'
		var dy byte
		if i < len(y) {
			dy = y[len(y)-1-i] - '0'
		}
		d := int(dx) - int(dy) - int(borrow)
		borrow = 0
		if d < 0 {
			d += 10
			borrow = 1
		}
		if i < maxExpDigits {
			n += int64(d) * place
			place *= 10
		} else if d != 0 {
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
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
