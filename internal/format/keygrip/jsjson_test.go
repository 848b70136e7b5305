package keygrip

import (
	"bytes"
	"encoding/json"
	"math/big"
	"reflect"
	"strings"
	"testing"
)

// The expected texts are what Node 20 prints for
// JSON.stringify(JSON.parse(in)), except where a comment says that a
// number keeps its spelling because JavaScript would round its value.
func TestStringifyAsNode(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{}`, `{}`},
		{` { "a" : 1 , "b" : [ 1 , 2 ] } `, `{"a":1,"b":[1,2]}`},
		{`{"b":1,"a":2,"10":3,"9":4,"01":5,"-1":6,"4294967294":7,"4294967295":8,"1.5":9,"0":10}`,
			`{"0":10,"9":4,"10":3,"4294967294":7,"b":1,"a":2,"01":5,"-1":6,"4294967295":8,"1.5":9}`},
		{`{"a":1,"b":2,"a":3}`, `{"a":3,"b":2}`},
		{`{"1":1,"1":2,"x":0}`, `{"1":2,"x":0}`},
		{`{"s":"\u00e9\/\u2028\u2029<>&\u007f\u0000\u001f\b\f\n\r\t\"\\"}`,
			"{\"s\":\"é/\u2028\u2029<>&\u007f\\u0000\\u001f\\b\\f\\n\\r\\t\\\"\\\\\"}"},
		{`{"s":"\ud83d\ude00 \ud83d \ude00 \udc00\ud800 \uD83D\uDE00"}`,
			`{"s":"😀 \ud83d \ude00 \udc00\ud800 😀"}`},
		{`{"s":"Jürgen Ж 😀"}`, `{"s":"Jürgen Ж 😀"}`},
		{`{"n":[0,-0,1.0,1e2,1E+2,1e-7,1e-6,0.000001,1e21,1e20,0.1,-1.5e-10,2.50,1.7976931348623157e308,5e-324,100,1.23e5]}`,
			`{"n":[0,0,1,100,100,1e-7,0.000001,0.000001,1e+21,100000000000000000000,0.1,-1.5e-10,2.5,1.7976931348623157e+308,5e-324,100,123000]}`},
		{`[100000000000000000000000,1000000000000000000000,10000000000000000]`, `[1e+23,1e+21,10000000000000000]`},
		// Node: 123456789012345680000, 9007199254740992, 1.2345678901234568e+22.
		{`{"n":[123456789012345678901,9007199254740993,12345678901234567890123]}`,
			`{"n":[123456789012345678901,9007199254740993,12345678901234567890123]}`},
		{`{"t":true,"f":false,"z":null,"o":{"x":{"y":[]}}}`, `{"t":true,"f":false,"z":null,"o":{"x":{"y":[]}}}`},
		{`{"\u0041":1,"A":2}`, `{"A":2}`},
		// Many keys (a set of keys after 16), a repeat at the end.
		{`{"a":0,"b":1,"c":2,"d":3,"e":4,"f":5,"g":6,"h":7,"i":8,"j":9,"k":10,"l":11,"m":12,"n":13,"o":14,"p":15,"q":16,"r":17,"b":18}`,
			`{"a":0,"b":18,"c":2,"d":3,"e":4,"f":5,"g":6,"h":7,"i":8,"j":9,"k":10,"l":11,"m":12,"n":13,"o":14,"p":15,"q":16,"r":17}`},
		{`{"a":0,"b":1,"c":2,"d":3,"e":4,"f":5,"g":6,"h":7,"i":8,"j":9,"k":10,"l":11,"m":12,"n":13,"o":14,"p":15,"q":16,"q":17}`,
			`{"a":0,"b":1,"c":2,"d":3,"e":4,"f":5,"g":6,"h":7,"i":8,"j":9,"k":10,"l":11,"m":12,"n":13,"o":14,"p":15,"q":17}`},
		{`{"__proto__":1,"constructor":2}`, `{"__proto__":1,"constructor":2}`},
		// Invalid UTF-8 becomes U+FFFD, as Node decodes the cookie.
		{"{\"s\":\"a\xffb\"}", "{\"s\":\"a\ufffdb\"}"},
	}
	for _, tt := range tests {
		got, err := stringify(nil, []byte(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("stringify(%s)\n got %s, %v\nwant %s", tt.in, got, err, tt.want)
		}
	}
}

func TestStringifyInvalid(t *testing.T) {
	for _, in := range []string{``, ` `, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `{a:1}`, `{"a":1}x`,
		`{"a":tru}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":-}`, `{"a":"\x"}`, `{"a":"\u12"}`,
		"{\"a\":\"\x01\"}", `{"a":"`, `"\`, strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)} {
		if got, err := stringify(nil, []byte(in)); err == nil {
			t.Errorf("stringify(%.40q) = %.40q, want an error", in, got)
		}
	}
	deep := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	if _, err := stringify(nil, []byte(deep)); err != nil {
		t.Errorf("nesting of %d: %v", maxDepth, err)
	}
}

func TestFormatJS(t *testing.T) {
	// Number.prototype.toString in Node 20.
	tests := map[float64]string{
		1: "1", -1: "-1", 0.5: "0.5", 123e-20: "1.23e-18", 1e21: "1e+21", 1e20: "100000000000000000000",
		123456.789: "123456.789", 1e-6: "0.000001", 1.5e-7: "1.5e-7", 0.30000000000000004: "0.30000000000000004",
		2.5e25: "2.5e+25", -3.25e-9: "-3.25e-9", 4.35: "4.35",
	}
	for f, want := range tests {
		if got := formatJS(f); got != want {
			t.Errorf("formatJS(%v) = %s, want %s", f, got, want)
		}
	}
}

// FuzzStringify: on every valid JSON text stringify succeeds, writes
// valid JSON, and is idempotent; on anything else it fails, never panics.
func FuzzStringify(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,2.50,"\u00e9"]}`, `{"2":1,"1":2,"a":{"a":1,"a":2}}`, `{"s":"\ud800\udc00\udc00"}`, `[1e400]`, `-0.0e-0`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := stringify(nil, in)
		if !json.Valid(in) {
			if err == nil {
				t.Fatalf("stringify accepted invalid JSON %q as %q", in, out)
			}
			return
		}
		if err != nil {
			t.Fatalf("stringify(%q): %v", in, err)
		}
		if !json.Valid(out) {
			t.Fatalf("stringify(%q) = %q, not valid JSON", in, out)
		}
		again, err := stringify(nil, out)
		if err != nil || string(again) != string(out) {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", in, out, again, err)
		}
		// The same values (encoding/json, like JSON.parse, keeps the last
		// of repeated keys), numbers compared as exact decimals.
		if a, b := decodeExact(t, in), decodeExact(t, out); !reflect.DeepEqual(a, b) {
			t.Fatalf("stringify(%q) = %q: values differ:\n%#v\n%#v", in, out, a, b)
		}
		checkKeyOrder(t, out)
	})
}

// decodeExact decodes JSON with every number as its exact decimal value.
func decodeExact(t *testing.T, b []byte) any {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decoding %q: %v", b, err)
	}
	return exact(v)
}

func exact(v any) any {
	switch v := v.(type) {
	case json.Number:
		r, ok := new(big.Rat).SetString(string(v))
		if !ok {
			return "bad number " + string(v)
		}
		return r.RatString()
	case []any:
		for i := range v {
			v[i] = exact(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = exact(v[k])
		}
	}
	return v
}

// checkKeyOrder checks that every object of out lists its keys once, the
// array indices first in ascending order.
func checkKeyOrder(t *testing.T, out []byte) {
	type frame struct {
		object    bool
		expectKey bool
		seen      map[string]bool
		last      int64 // the last array index key, -1 before any
		others    bool  // a key that is not an array index was seen
	}
	var stack []*frame
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].expectKey = true
		}
	}
	d := json.NewDecoder(bytes.NewReader(out))
	d.UseNumber()
	for {
		tok, err := d.Token()
		if err != nil {
			return
		}
		if n := len(stack); n > 0 && stack[n-1].expectKey {
			top := stack[n-1]
			if tok == json.Delim('}') {
				stack = stack[:n-1]
				valueDone()
				continue
			}
			k := tok.(string)
			if top.seen[k] {
				t.Fatalf("%q: key %q twice", out, k)
			}
			top.seen[k] = true
			if idx := arrayIndex([]byte(k)); idx >= 0 {
				if top.others || idx <= top.last {
					t.Fatalf("%q: index key %q out of order", out, k)
				}
				top.last = idx
			} else {
				top.others = true
			}
			top.expectKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, expectKey: true, seen: map[string]bool{}, last: -1})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}
