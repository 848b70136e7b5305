package keygrip

// JSON as JavaScript's JSON.stringify(JSON.parse(text)) spells it, so that
// a cookie written here is byte for byte the cookie cookie-session would
// write for the same values (and cookie-session, which compares the
// serialised session with the cookie it read, sees no change).

import (
	"errors"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession/internal/format"
)

// maxDepth bounds the nesting of arrays and objects, as encoding/json does.
const maxDepth = 10000

var errJSON = errors.New("keygrip: invalid JSON")

// stringify appends to dst the JSON text src as JSON.stringify would
// write the value JSON.parse reads from it:
//   - no whitespace;
//   - strings with only `"`, `\` and the control characters escaped
//     (\b \t \n \f \r short, the others as \u00xx), lone surrogates as
//     \udxxx, and everything else (non-ASCII, "/", U+2028) as UTF-8;
//     bytes that are not UTF-8 become U+FFFD, as Node decodes them;
//   - object members in JavaScript's property order: keys that are array
//     indices ("0" … "4294967294") first in numeric order, then the other
//     keys in order of first appearance; a repeated key keeps its first
//     place and its last value;
//   - numbers in JavaScript's shortest spelling ("1.0" → "1", "1e2" →
//     "100", "1e21" → "1e+21", "-0" → "0") when that spelling stands for
//     exactly the same decimal value; a number JavaScript would round
//     (2^53+1, or more digits than a double holds) keeps its spelling, so
//     that no value changes here.
func stringify(dst, src []byte) ([]byte, error) {
	w := writer{src: src, out: dst}
	w.space()
	if err := w.value(0); err != nil {
		return nil, err
	}
	w.space()
	if w.i != len(w.src) {
		return nil, errJSON
	}
	return w.out, nil
}

// A writer reads JSON from src at i and appends its JSON.stringify
// spelling to out as it goes; an object whose members need reordering is
// rewritten in place when it closes.
type writer struct {
	src []byte
	i   int
	out []byte
}

func (w *writer) space() { w.i = format.SkipSpace(w.src, w.i) }

func (w *writer) value(depth int) error {
	if w.i >= len(w.src) {
		return errJSON
	}
	switch c := w.src[w.i]; {
	case c == '{':
		return w.object(depth + 1)
	case c == '[':
		return w.array(depth + 1)
	case c == '"':
		return w.str()
	case c == '-' || ('0' <= c && c <= '9'):
		return w.number()
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(w.src)-w.i >= len(lit) && string(w.src[w.i:w.i+len(lit)]) == lit {
			w.i += len(lit)
			w.out = append(w.out, lit...)
			return nil
		}
	}
	return errJSON
}

func (w *writer) array(depth int) error {
	if depth > maxDepth {
		return errJSON
	}
	w.i++ // '['
	w.out = append(w.out, '[')
	w.space()
	if w.i < len(w.src) && w.src[w.i] == ']' {
		w.i++
		w.out = append(w.out, ']')
		return nil
	}
	for {
		w.space()
		if err := w.value(depth); err != nil {
			return err
		}
		w.space()
		if w.i >= len(w.src) {
			return errJSON
		}
		switch w.src[w.i] {
		case ',':
			w.i++
			w.out = append(w.out, ',')
		case ']':
			w.i++
			w.out = append(w.out, ']')
			return nil
		default:
			return errJSON
		}
	}
}

// A member is one "key":value of an object being written, as offsets
// into out: the key (quotes included) is out[start:colon], the value
// out[colon+1:end].
type member struct {
	start, colon, end int
	index             int64 // the key as an array index, or -1
}

func (w *writer) object(depth int) error {
	if depth > maxDepth {
		return errJSON
	}
	w.i++ // '{'
	open := len(w.out)
	w.out = append(w.out, '{')
	var stack [8]member
	ms := stack[:0]
	var seen map[string]struct{} // the keys so far, once there are many
	reorder := false
	w.space()
	if w.i < len(w.src) && w.src[w.i] == '}' {
		w.i++
		w.out = append(w.out, '}')
		return nil
	}
	for {
		w.space()
		if w.i >= len(w.src) || w.src[w.i] != '"' {
			return errJSON
		}
		m := member{start: len(w.out)}
		if err := w.str(); err != nil {
			return err
		}
		m.colon = len(w.out)
		key := w.out[m.start:m.colon]
		m.index = arrayIndex(key[1 : len(key)-1])
		if m.index >= 0 {
			reorder = true
		}
		// A repeated key: JSON.parse keeps it in its first place, with
		// its last value. Keys are compared in their output spelling,
		// which is one spelling per JavaScript string.
		if !reorder {
			switch {
			case seen != nil:
				_, reorder = seen[string(key)]
				seen[string(key)] = struct{}{}
			case len(ms) < 16:
				for _, prev := range ms {
					if string(w.out[prev.start:prev.colon]) == string(key) {
						reorder = true
						break
					}
				}
			default: // many keys: look them up in a set from now on
				seen = make(map[string]struct{}, 2*len(ms))
				for _, prev := range ms {
					seen[string(w.out[prev.start:prev.colon])] = struct{}{}
				}
				_, reorder = seen[string(key)]
				seen[string(key)] = struct{}{}
			}
		}
		w.space()
		if w.i >= len(w.src) || w.src[w.i] != ':' {
			return errJSON
		}
		w.i++
		w.out = append(w.out, ':')
		w.space()
		if err := w.value(depth); err != nil {
			return err
		}
		m.end = len(w.out)
		ms = append(ms, m)
		w.space()
		if w.i >= len(w.src) {
			return errJSON
		}
		switch w.src[w.i] {
		case ',':
			w.i++
			w.out = append(w.out, ',')
		case '}':
			w.i++
			if reorder {
				w.reorder(open, ms)
			}
			w.out = append(w.out, '}')
			return nil
		default:
			return errJSON
		}
	}
}

// reorder rewrites the members of the object opened at out[open] in
// JavaScript's property order: array index keys ascending, then the
// others in order of first appearance, each repeated key in its first
// place with its last value.
func (w *writer) reorder(open int, ms []member) {
	type entry struct {
		key, value []byte
		index      int64
	}
	entries := make([]entry, 0, len(ms))
	pos := make(map[string]int, len(ms))
	for _, m := range ms {
		key, value := w.out[m.start:m.colon], w.out[m.colon+1:m.end]
		if at, ok := pos[string(key)]; ok {
			entries[at].value = value
			continue
		}
		pos[string(key)] = len(entries)
		entries = append(entries, entry{key, value, m.index})
	}
	sort.SliceStable(entries, func(a, b int) bool { return less(entries[a].index, entries[b].index) })
	body := make([]byte, 0, len(w.out)-open)
	for i, e := range entries {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, e.key...)
		body = append(body, ':')
		body = append(body, e.value...)
	}
	w.out = append(w.out[:open+1], body...)
}

// less orders array indices (>= 0) before other keys (-1), indices by value.
func less(a, b int64) bool {
	switch {
	case a < 0:
		return false
	case b < 0:
		return true
	}
	return a < b
}

// arrayIndex returns the array index that key is the canonical spelling
// of ("0", "1", … "4294967294"), or -1.
func arrayIndex(key []byte) int64 {
	if len(key) == 0 || len(key) > 10 || (len(key) > 1 && key[0] == '0') {
		return -1
	}
	var v int64
	for _, c := range key {
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int64(c-'0')
	}
	if v > 1<<32-2 {
		return -1
	}
	return v
}

// str reads a JSON string at i and appends its JSON.stringify spelling,
// quotes included.
func (w *writer) str() error {
	w.i++ // '"'
	w.out = append(w.out, '"')
	for {
		// Copy a run of characters that are spelt as they are.
		j := w.i
		for j < len(w.src) {
			c := w.src[j]
			if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				break
			}
			j++
		}
		w.out = append(w.out, w.src[w.i:j]...)
		w.i = j
		if w.i >= len(w.src) {
			return errJSON
		}
		c := w.src[w.i]
		switch {
		case c == '"':
			w.i++
			w.out = append(w.out, '"')
			return nil
		case c < 0x20:
			return errJSON
		case c == '\\':
			if w.i+1 >= len(w.src) {
				return errJSON
			}
			e := w.src[w.i+1]
			w.i += 2
			var r rune
			switch e {
			case '"', '\\', '/':
				r = rune(e)
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			case 'u':
				u, ok := w.hex4()
				if !ok {
					return errJSON
				}
				r = rune(u)
				if 0xd800 <= r && r < 0xdc00 {
					// A high surrogate: a pair if a low one follows.
					save := w.i
					if w.i+1 < len(w.src) && w.src[w.i] == '\\' && w.src[w.i+1] == 'u' {
						w.i += 2
						if lo, ok := w.hex4(); ok && 0xdc00 <= lo && lo <= 0xdfff {
							r = utf16.DecodeRune(r, rune(lo))
						} else {
							w.i = save
						}
					}
				}
			default:
				return errJSON
			}
			w.out = appendChar(w.out, r)
		default:
			r, size := utf8.DecodeRune(w.src[w.i:])
			w.i += size // an invalid byte is U+FFFD, size 1
			w.out = appendChar(w.out, r)
		}
	}
}

func (w *writer) hex4() (uint16, bool) {
	if w.i+4 > len(w.src) {
		return 0, false
	}
	var v uint16
	for _, c := range w.src[w.i : w.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint16(c)
	}
	w.i += 4
	return v, true
}

const hexDigits = "0123456789abcdef"

// appendChar appends r as JSON.stringify writes it in a string.
func appendChar(out []byte, r rune) []byte {
	switch {
	case r == '"':
		return append(out, '\\', '"')
	case r == '\\':
		return append(out, '\\', '\\')
	case r == '\b':
		return append(out, '\\', 'b')
	case r == '\f':
		return append(out, '\\', 'f')
	case r == '\n':
		return append(out, '\\', 'n')
	case r == '\r':
		return append(out, '\\', 'r')
	case r == '\t':
		return append(out, '\\', 't')
	case r < 0x20 || utf16.IsSurrogate(r):
		return append(out, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
	}
	return utf8.AppendRune(out, r)
}

// number reads a JSON number at i and appends it in JavaScript's spelling
// when that is the same decimal value, else as written.
func (w *writer) number() error {
	start := w.i
	if w.src[w.i] == '-' {
		w.i++
	}
	switch {
	case w.i < len(w.src) && w.src[w.i] == '0':
		w.i++
	case w.i < len(w.src) && '1' <= w.src[w.i] && w.src[w.i] <= '9':
		w.digits()
	default:
		return errJSON
	}
	// An integer of at most 15 digits is spelt the same by JavaScript,
	// except -0.
	plain := w.i-start <= 15 && string(w.src[start:w.i]) != "-0"
	if w.i < len(w.src) && w.src[w.i] == '.' {
		plain = false
		w.i++
		if w.digits() == 0 {
			return errJSON
		}
	}
	expDigits := 0
	if w.i < len(w.src) && (w.src[w.i] == 'e' || w.src[w.i] == 'E') {
		plain = false
		w.i++
		if w.i < len(w.src) && (w.src[w.i] == '+' || w.src[w.i] == '-') {
			w.i++
		}
		if expDigits = w.digits(); expDigits == 0 {
			return errJSON
		}
	}
	if plain {
		w.out = append(w.out, w.src[start:w.i]...)
		return nil
	}
	w.out = append(w.out, jsNumber(string(w.src[start:w.i]), expDigits)...)
	return nil
}

func (w *writer) digits() int {
	n := 0
	for w.i < len(w.src) && '0' <= w.src[w.i] && w.src[w.i] <= '9' {
		w.i++
		n++
	}
	return n
}

// jsNumber returns JavaScript's spelling of the JSON number text if it
// stands for exactly the same decimal value, else text.
func jsNumber(text string, expDigits int) string {
	if expDigits > 4 || len(text) > 400 {
		return text // beyond any double, or too long to be worth the check
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return text // ±Inf: JavaScript would write null; keep the value
	}
	js := formatJS(f)
	if js == text {
		return text
	}
	a, okA := new(big.Rat).SetString(text)
	b, okB := new(big.Rat).SetString(js)
	if !okA || !okB || a.Cmp(b) != 0 {
		return text
	}
	return js
}

// formatJS is Number.prototype.toString for a finite f (ECMA-262,
// Number::toString): the shortest digits that round-trip, in fixed
// notation for exponents from -7 to 20 and exponential otherwise.
func formatJS(f float64) string {
	if f == 0 {
		return "0" // also -0
	}
	var b []byte
	if f < 0 {
		b = append(b, '-')
		f = -f
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	k, n := len(digits), x+1 // value = 0.digits × 10^n
	switch {
	case k <= n && n <= 21:
		b = append(b, digits...)
		b = append(b, strings.Repeat("0", n-k)...)
	case 0 < n && n <= 21:
		b = append(b, digits[:n]...)
		b = append(b, '.')
		b = append(b, digits[n:]...)
	case -6 < n && n <= 0:
		b = append(b, "0."...)
		b = append(b, strings.Repeat("0", -n)...)
		b = append(b, digits...)
	default:
		b = append(b, digits[0])
		if k > 1 {
			b = append(b, '.')
			b = append(b, digits[1:]...)
		}
		b = append(b, 'e')
		if n-1 >= 0 {
			b = append(b, '+')
		}
		b = strconv.AppendInt(b, int64(n-1), 10)
	}
	return string(b)
}
