package keygrip

// JSON as JavaScript's JSON.stringify(JSON.parse(text)) spells it, so that
// a cookie written here is byte for byte the cookie cookie-session would
// write for the same values (and cookie-session, which compares the
// serialised session with the cookie it read, sees no change).

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
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
	p := parser{src: src}
	p.space()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.src) {
		return nil, errJSON
	}
	return v.append(dst), nil
}

// A node is a parsed JSON value: a literal or number (raw, already in its
// output spelling), a string (its output spelling, quotes included), an
// array or an object.
type node struct {
	kind    byte // 'l' literal or number, 's' string, '[' array, '{' object
	raw     []byte
	items   []*node
	keys    [][]byte // object keys, in output spelling
	keyText []string // object keys as JavaScript strings (UTF-16 in Go strings)
}

func (n *node) append(dst []byte) []byte {
	switch n.kind {
	case '[':
		dst = append(dst, '[')
		for i, it := range n.items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = it.append(dst)
		}
		return append(dst, ']')
	case '{':
		dst = append(dst, '{')
		for i, it := range n.items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, n.keys[i]...)
			dst = append(dst, ':')
			dst = it.append(dst)
		}
		return append(dst, '}')
	}
	return append(dst, n.raw...)
}

type parser struct {
	src []byte
	i   int
}

func (p *parser) space() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (*node, error) {
	if p.i >= len(p.src) {
		return nil, errJSON
	}
	switch c := p.src[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		out, _, err := p.str()
		if err != nil {
			return nil, err
		}
		return &node{kind: 's', raw: out}, nil
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	}
	for _, lit := range []string{"true", "false", "null"} {
		if strings.HasPrefix(string(p.src[p.i:min(len(p.src), p.i+5)]), lit) {
			p.i += len(lit)
			return &node{kind: 'l', raw: []byte(lit)}, nil
		}
	}
	return nil, errJSON
}

func (p *parser) array(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errJSON
	}
	p.i++ // '['
	n := &node{kind: '['}
	p.space()
	if p.i < len(p.src) && p.src[p.i] == ']' {
		p.i++
		return n, nil
	}
	for {
		p.space()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		n.items = append(n.items, v)
		p.space()
		if p.i >= len(p.src) {
			return nil, errJSON
		}
		switch p.src[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return n, nil
		default:
			return nil, errJSON
		}
	}
}

func (p *parser) object(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errJSON
	}
	p.i++ // '{'
	n := &node{kind: '{'}
	index := map[string]int{} // key → position in n
	p.space()
	if p.i < len(p.src) && p.src[p.i] == '}' {
		p.i++
		return n, nil
	}
	for {
		p.space()
		if p.i >= len(p.src) || p.src[p.i] != '"' {
			return nil, errJSON
		}
		key, text, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.i >= len(p.src) || p.src[p.i] != ':' {
			return nil, errJSON
		}
		p.i++
		p.space()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		if at, ok := index[text]; ok {
			n.items[at] = v // JSON.parse: the last value wins, in the first place
		} else {
			index[text] = len(n.items)
			n.items = append(n.items, v)
			n.keys = append(n.keys, key)
			n.keyText = append(n.keyText, text)
		}
		p.space()
		if p.i >= len(p.src) {
			return nil, errJSON
		}
		switch p.src[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			orderKeys(n)
			return n, nil
		default:
			return nil, errJSON
		}
	}
}

// orderKeys puts n's members in JavaScript's property order: array index
// keys ascending, then the rest in order of appearance (a stable sort).
func orderKeys(n *node) {
	type member struct {
		idx  int64 // array index, or -1
		key  []byte
		text string
		item *node
	}
	ms := make([]member, len(n.items))
	anyIndex := false
	for i := range n.items {
		ms[i] = member{arrayIndex(n.keyText[i]), n.keys[i], n.keyText[i], n.items[i]}
		anyIndex = anyIndex || ms[i].idx >= 0
	}
	if !anyIndex {
		return
	}
	// Insertion sort: stable, and objects are small.
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && less(ms[j].idx, ms[j-1].idx); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
	for i, m := range ms {
		n.keys[i], n.keyText[i], n.items[i] = m.key, m.text, m.item
	}
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
func arrayIndex(key string) int64 {
	if key == "" || len(key) > 10 || (len(key) > 1 && key[0] == '0') {
		return -1
	}
	var v int64
	for i := 0; i < len(key); i++ {
		c := key[i]
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

// str reads a JSON string at p.i and returns its JSON.stringify spelling
// (quotes included) and its text, with lone surrogates kept as such
// (encoded as WTF-8, so distinct keys stay distinct).
func (p *parser) str() (out []byte, text string, err error) {
	p.i++ // '"'
	out = append(out, '"')
	var txt []byte
	for {
		if p.i >= len(p.src) {
			return nil, "", errJSON
		}
		c := p.src[p.i]
		switch {
		case c == '"':
			p.i++
			return append(out, '"'), string(txt), nil
		case c < 0x20:
			return nil, "", errJSON
		case c == '\\':
			if p.i+1 >= len(p.src) {
				return nil, "", errJSON
			}
			e := p.src[p.i+1]
			p.i += 2
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
				u, ok := p.hex4()
				if !ok {
					return nil, "", errJSON
				}
				r = rune(u)
				if utf16.IsSurrogate(r) && r < 0xdc00 {
					// A high surrogate: a pair if a low one follows.
					save := p.i
					if p.i+1 < len(p.src) && p.src[p.i] == '\\' && p.src[p.i+1] == 'u' {
						p.i += 2
						if lo, ok := p.hex4(); ok && 0xdc00 <= lo && lo <= 0xdfff {
							r = utf16.DecodeRune(r, rune(lo))
						} else {
							p.i = save
						}
					}
				}
			default:
				return nil, "", errJSON
			}
			out, txt = appendChar(out, txt, r)
		default:
			r, size := utf8.DecodeRune(p.src[p.i:])
			p.i += size // an invalid byte is U+FFFD, size 1
			out, txt = appendChar(out, txt, r)
		}
	}
}

func (p *parser) hex4() (uint16, bool) {
	if p.i+4 > len(p.src) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.src[p.i:p.i+4]), 16, 16)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return uint16(v), true
}

const hexDigits = "0123456789abcdef"

// appendChar appends r as JSON.stringify writes it in a string, and to
// text as the character itself (a lone surrogate as its three WTF-8 bytes).
func appendChar(out, text []byte, r rune) ([]byte, []byte) {
	switch {
	case r == '"':
		return append(out, '\\', '"'), append(text, '"')
	case r == '\\':
		return append(out, '\\', '\\'), append(text, '\\')
	case r == '\b':
		return append(out, '\\', 'b'), append(text, '\b')
	case r == '\f':
		return append(out, '\\', 'f'), append(text, '\f')
	case r == '\n':
		return append(out, '\\', 'n'), append(text, '\n')
	case r == '\r':
		return append(out, '\\', 'r'), append(text, '\r')
	case r == '\t':
		return append(out, '\\', 't'), append(text, '\t')
	case r < 0x20 || utf16.IsSurrogate(r):
		out = append(out, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
		return out, append(text, byte(0xe0|r>>12), byte(0x80|(r>>6)&0x3f), byte(0x80|r&0x3f))
	}
	out = utf8.AppendRune(out, r)
	return out, utf8.AppendRune(text, r)
}

// number reads a JSON number at p.i and returns it in JavaScript's
// spelling when that is the same decimal value, else as written.
func (p *parser) number() (*node, error) {
	start := p.i
	if p.src[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.src) && p.src[p.i] == '0':
		p.i++
	case p.i < len(p.src) && '1' <= p.src[p.i] && p.src[p.i] <= '9':
		p.digits()
	default:
		return nil, errJSON
	}
	if p.i < len(p.src) && p.src[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return nil, errJSON
		}
	}
	expDigits := 0
	if p.i < len(p.src) && (p.src[p.i] == 'e' || p.src[p.i] == 'E') {
		p.i++
		if p.i < len(p.src) && (p.src[p.i] == '+' || p.src[p.i] == '-') {
			p.i++
		}
		if expDigits = p.digits(); expDigits == 0 {
			return nil, errJSON
		}
	}
	text := string(p.src[start:p.i])
	return &node{kind: 'l', raw: []byte(jsNumber(text, expDigits))}, nil
}

func (p *parser) digits() int {
	n := 0
	for p.i < len(p.src) && '0' <= p.src[p.i] && p.src[p.i] <= '9' {
		p.i++
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
