package pyjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"testing"
)

type frame struct {
	object bool
	n      int // values (arrays) or keys (objects) written so far
	key    bool
}

// dumpsByTokens is Dumps as it was written first, on encoding/json's
// Decoder.Token: the reference the one-pass Dumps is held to.
func dumpsByTokens(src []byte, sep Separators) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	out := make([]byte, 0, len(src)+len(src)/4+8)
	var stack []frame
	top := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("pyjson: %w", err)
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			out = append(out, byte(d))
			continue
		}
		// A value, or a key.
		if len(stack) == 0 {
			if top > 0 {
				return nil, errors.New("pyjson: more than one JSON value")
			}
			top++
		} else {
			f := &stack[len(stack)-1]
			if f.object {
				if !f.key { // this token is a key
					if f.n > 0 {
						out = append(out, sep.Item...)
					}
					f.n++
					f.key = true
					out = appendString(out, tok.(string))
					out = append(out, sep.Key...)
					continue
				}
				f.key = false
			} else {
				if f.n > 0 {
					out = append(out, sep.Item...)
				}
				f.n++
			}
		}
		switch v := tok.(type) {
		case json.Delim:
			out = append(out, byte(v))
			stack = append(stack, frame{object: v == '{'})
		case string:
			out = appendString(out, v)
		case json.Number:
			out, err = appendNumber(out, []byte(v))
			if err != nil {
				return nil, err
			}
		case bool:
			out = strconv.AppendBool(out, v)
		case nil:
			out = append(out, "null"...)
		}
	}
	if top == 0 || len(stack) > 0 {
		return nil, fmt.Errorf("pyjson: %w", io.ErrUnexpectedEOF)
	}
	return out, nil
}

// Dumps writes what the token-based reference writes, byte for byte, and
// refuses what it refuses (ErrNotRepresentable alike for valid JSON), for
// every input.
func FuzzDumpsMatchesTokens(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,-0,1.5e300,1E2,"\u00e9\ud83d\ude00<>&\u007f"],"b":{"c":null,"d":true}}`,
		`[0.1, 1e-7, 123456789012345678901234567890, -0.0]`,
		` { "k" : [ ] , "e" : { } , "s":"a\"b\\c\/d" } `,
		`"\ud800 lone"`, "\"\xff\xfe not UTF-8\"", `[1e400]`, `{"a":1}{"b":2}`, `[1,]`, ``,
		`{"z":"Jürgen Ж 😀","a":{"y":1,"b":[1,{"x":"é"}]}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, sep := range []Separators{Default, Compact} {
			got, err := Dumps([]byte(in), sep)
			want, werr := dumpsByTokens([]byte(in), sep)
			// On input that is not JSON the reference may stop at an
			// out-of-range number before it sees the rest; both refuse.
			sameKind := !json.Valid([]byte(in)) || errors.Is(err, ErrNotRepresentable) == errors.Is(werr, ErrNotRepresentable)
			if (err == nil) != (werr == nil) || !sameKind {
				t.Fatalf("Dumps(%q): error %v, the reference's %v", in, err, werr)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("Dumps(%q) = %s, the reference writes %s", in, got, want)
			}
		}
	})
}
