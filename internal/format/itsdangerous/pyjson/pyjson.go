// Package pyjson spells a JSON document as Python's json.dumps writes the
// value json.loads makes of it, so that a Go service writes the same bytes
// as Starlette, Flask or Django for the same session.
//
// Python's json.dumps (with its default ensure_ascii=True) differs from Go's
// encoding/json in three ways that matter here:
//
//   - separators: ", " and ": " by default (Starlette), "," and ":" when
//     asked for compact output (Flask, Django);
//   - strings: every character outside printable ASCII (space to "~") is
//     written as a lowercase \uXXXX escape, characters beyond the BMP as a
//     surrogate pair; '"', '\\', \b, \f, \n, \r and \t use their short
//     escapes; "<", ">", "&" and "/" stay as they are;
//   - numbers: an integer literal is a Python int, written in decimal with
//     every digit (so 2^53+1 stays exact, "-0" becomes "0"); any other
//     number is a Python float, written as repr(float) writes it ("1.0",
//     "0.1", "1e-05", "1e+16", "-0.0").
//
// Key order is kept as given (a Python dict keeps insertion order).
package pyjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/cookiesession/cookiesession/internal/format"
)

// Separators of json.dumps: Default is what json.dumps writes without a
// separators argument, Compact what separators=(",", ":") writes.
var (
	Default = Separators{Item: ", ", Key: ": "}
	Compact = Separators{Item: ",", Key: ":"}
)

// Separators are json.dumps' item and key separators.
type Separators struct {
	Item, Key string
}

// ErrNotRepresentable is returned for a number Python would read as an
// infinite float (such as 1e400): json.dumps would write "Infinity", which
// is not JSON.
var ErrNotRepresentable = errors.New("pyjson: number out of the range of a Python float")

// Dumps returns src, one JSON value, spelled as Python's json.dumps with
// ensure_ascii=True and the given separators writes the value json.loads
// makes of src. It returns an error for invalid JSON, trailing data, or a
// number Python reads as an infinite float.
//
// src is checked with json.Valid first, then written in one pass: strings
// of printable ASCII without escapes are copied as they are, other strings
// are decoded by encoding/json (which replaces invalid UTF-8 and lone
// surrogates with U+FFFD) and written by appendString.
func Dumps(src []byte, sep Separators) ([]byte, error) {
	if !json.Valid(src) {
		return nil, errors.New("pyjson: not one valid JSON value")
	}
	d := dumper{src: src, sep: sep, out: make([]byte, 0, len(src)+len(src)/4+8)}
	if err := d.value(); err != nil {
		return nil, err
	}
	return d.out, nil
}

// dumper writes a valid JSON document in Python's spelling.
type dumper struct {
	src []byte
	i   int
	sep Separators
	out []byte
}

func (d *dumper) skipSpace() { d.i = format.SkipSpace(d.src, d.i) }

// value writes the value at d.i (after any space) and moves past it.
func (d *dumper) value() error {
	d.skipSpace()
	switch c := d.src[d.i]; c {
	case '{', '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		d.out = append(d.out, c)
		d.i++
		for n := 0; ; n++ {
			d.skipSpace()
			if d.src[d.i] == end {
				d.i++
				d.out = append(d.out, end)
				return nil
			}
			if d.src[d.i] == ',' {
				d.i++
				d.skipSpace()
			}
			if n > 0 {
				d.out = append(d.out, d.sep.Item...)
			}
			if c == '{' {
				if err := d.str(); err != nil {
					return err
				}
				d.skipSpace()
				d.i++ // ':'
				d.out = append(d.out, d.sep.Key...)
			}
			if err := d.value(); err != nil {
				return err
			}
		}
	case '"':
		return d.str()
	case 't':
		d.i += len("true")
		d.out = append(d.out, "true"...)
	case 'f':
		d.i += len("false")
		d.out = append(d.out, "false"...)
	case 'n':
		d.i += len("null")
		d.out = append(d.out, "null"...)
	default:
		start := d.i
		for d.i < len(d.src) && strings.IndexByte("+-.0123456789eE", d.src[d.i]) >= 0 {
			d.i++
		}
		var err error
		d.out, err = appendNumber(d.out, d.src[start:d.i])
		return err
	}
	return nil
}

// str writes the string at d.i and moves past it.
func (d *dumper) str() error {
	start, plain := d.i, true
	d.i++
	for ; d.src[d.i] != '"'; d.i++ {
		switch c := d.src[d.i]; {
		case c == '\\':
			plain = false
			d.i++ // the escaped character, which may be '"'
		case c < ' ' || c > '~':
			plain = false
		}
	}
	d.i++
	raw := d.src[start:d.i]
	if plain {
		d.out = append(d.out, raw...)
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("pyjson: %w", err)
	}
	d.out = appendString(d.out, s)
	return nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as json.dumps(s, ensure_ascii=True) writes it.
// Invalid UTF-8 cannot occur: the decoder has replaced it with U+FFFD.
func appendString(out []byte, s string) []byte {
	out = append(out, '"')
	for _, r := range s {
		switch {
		case r == '"':
			out = append(out, '\\', '"')
		case r == '\\':
			out = append(out, '\\', '\\')
		case r == '\b':
			out = append(out, '\\', 'b')
		case r == '\f':
			out = append(out, '\\', 'f')
		case r == '\n':
			out = append(out, '\\', 'n')
		case r == '\r':
			out = append(out, '\\', 'r')
		case r == '\t':
			out = append(out, '\\', 't')
		case r >= ' ' && r <= '~':
			out = append(out, byte(r))
		case r > 0xFFFF:
			r -= 0x10000
			out = appendU(out, 0xD800+(r>>10))
			out = appendU(out, 0xDC00+(r&0x3FF))
		default:
			out = appendU(out, r)
		}
	}
	return append(out, '"')
}

func appendU(out []byte, r rune) []byte {
	return append(out, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
}

// appendNumber appends the JSON number literal lit as Python writes the
// int or float json.loads makes of it: an int with all its digits, a float
// as repr writes it.
func appendNumber(out, lit []byte) ([]byte, error) {
	if bytes.IndexAny(lit, ".eE") < 0 {
		if string(lit) == "-0" {
			return append(out, '0'), nil
		}
		return append(out, lit...), nil
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, fmt.Errorf("pyjson: number %q: %w", lit, err)
	}
	if math.IsInf(f, 0) {
		return nil, fmt.Errorf("%w: %s", ErrNotRepresentable, lit)
	}
	return AppendFloat(out, f), nil
}

// AppendFloat appends f as Python's repr(f) writes it: the shortest digits
// that read back as f, in positional notation when the decimal exponent is
// in [-4, 16) (with ".0" for an integral value), else in exponent notation
// with a signed exponent of at least two digits.
func AppendFloat(out []byte, f float64) []byte {
	e := strconv.FormatFloat(f, 'e', -1, 64) // d[.ddd]e±XX
	i := strings.LastIndexByte(e, 'e')
	exp, _ := strconv.Atoi(e[i+1:])
	if exp < -4 || exp >= 16 {
		return append(out, e...)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	out = append(out, s...)
	if !strings.ContainsRune(s, '.') {
		out = append(out, '.', '0')
	}
	return out
}

// Equal reports whether the JSON documents a and b hold the same value as
// Python reads them: objects compared by key (order ignored), arrays item
// by item, integers exactly (by their digits), other numbers as float64
// (1.0 and 1.00 are equal, 1 and 1.0 are not: int and float in Python).
func Equal(a, b []byte) (bool, error) {
	va, err := decodeNumbers(a)
	if err != nil {
		return false, err
	}
	vb, err := decodeNumbers(b)
	if err != nil {
		return false, err
	}
	return equal(va, vb), nil
}

func decodeNumbers(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("pyjson: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("pyjson: data after the JSON value")
	}
	return v, nil
}

func equal(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		xi, yi := !strings.ContainsAny(string(x), ".eE"), !strings.ContainsAny(string(y), ".eE")
		if xi != yi {
			return false
		}
		if xi {
			return strings.TrimPrefix(string(x), "-") == strings.TrimPrefix(string(y), "-") &&
				(strings.HasPrefix(string(x), "-") == strings.HasPrefix(string(y), "-") || strings.TrimPrefix(string(x), "-") == "0")
		}
		fx, errx := strconv.ParseFloat(string(x), 64)
		fy, erry := strconv.ParseFloat(string(y), 64)
		return errx == nil && erry == nil && fx == fy
	default:
		return a == b
	}
}
