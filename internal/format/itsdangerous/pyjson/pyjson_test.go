package pyjson

import (
	"errors"
	"testing"
)

// The expected outputs were written by CPython 3.11's json.dumps(json.loads(in)).
func TestDumpsAsPython(t *testing.T) {
	in := `["a\u00e9\ud83d\ude00\u007f\u0001\"\\/<>&\b\f\n\r\t", -0, 0, 12345678901234567890123, 1.0, 1.5, 0.1, 1e-5, 1e-4, 0.0001234, 1e16, 1e15, 123456789012345678, 1.7976931348623157e308, 5e-324, -0.0, 1E2, 2.50, 1e22, 100000000000000000000.0, 9007199254740993.0, {"k": [], "e": {}, "n": null, "t": true, "f": false}]`
	wantDefault := `["a\u00e9\ud83d\ude00\u007f\u0001\"\\/<>&\b\f\n\r\t", 0, 0, 12345678901234567890123, 1.0, 1.5, 0.1, 1e-05, 0.0001, 0.0001234, 1e+16, 1000000000000000.0, 123456789012345678, 1.7976931348623157e+308, 5e-324, -0.0, 100.0, 2.5, 1e+22, 1e+20, 9007199254740992.0, {"k": [], "e": {}, "n": null, "t": true, "f": false}]`
	wantCompact := `["a\u00e9\ud83d\ude00\u007f\u0001\"\\/<>&\b\f\n\r\t",0,0,12345678901234567890123,1.0,1.5,0.1,1e-05,0.0001,0.0001234,1e+16,1000000000000000.0,123456789012345678,1.7976931348623157e+308,5e-324,-0.0,100.0,2.5,1e+22,1e+20,9007199254740992.0,{"k":[],"e":{},"n":null,"t":true,"f":false}]`
	for _, c := range []struct {
		sep  Separators
		want string
	}{{Default, wantDefault}, {Compact, wantCompact}} {
		got, err := Dumps([]byte(in), c.sep)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c.want {
			t.Errorf("Dumps(%q)\n got %s\nwant %s", c.sep, got, c.want)
		}
	}
}

func TestDumpsRawUTF8AndKeyOrder(t *testing.T) {
	got, err := Dumps([]byte(`{"z":"Jürgen Ж 😀","a":{"y":1,"b":[1,{"x":"é"}]}}`), Default)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"z": "J\u00fcrgen \u0416 \ud83d\ude00", "a": {"y": 1, "b": [1, {"x": "\u00e9"}]}}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestDumpsRefuses(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a":1}{"b":2}`, `{"a":1} x`, `[1,]`, `{"a" 1}`, `NaN`, `{"a":01}`} {
		if got, err := Dumps([]byte(in), Compact); err == nil {
			t.Errorf("Dumps(%q) = %s, want an error", in, got)
		}
	}
	if _, err := Dumps([]byte(`[1e400]`), Compact); !errors.Is(err, ErrNotRepresentable) {
		t.Errorf("1e400: err = %v, want ErrNotRepresentable", err)
	}
}

func TestEqual(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{`{"a":1,"b":[1,2]}`, `{"b": [1, 2], "a": 1}`, true},
		{`{"big":9007199254740993}`, `{"big":9007199254740992}`, false},
		{`{"f":1.0}`, `{"f":1.00}`, true},
		{`{"f":1.0}`, `{"f":1}`, false},
		{`{"n":-0}`, `{"n":0}`, true},
		{`{"s":"\u00e9"}`, `{"s":"é"}`, true},
		{`[1,2]`, `[2,1]`, false},
		{`{"a":null}`, `{}`, false},
		{`{"a":true}`, `{"a":"true"}`, false},
	} {
		got, err := Equal([]byte(c.a), []byte(c.b))
		if err != nil || got != c.want {
			t.Errorf("Equal(%s, %s) = %v, %v; want %v", c.a, c.b, got, err, c.want)
		}
	}
}

// FuzzDumps: Dumps never panics, and what it writes is JSON holding the
// same values (Python's spelling of them) that Dumps leaves unchanged.
func FuzzDumps(f *testing.F) {
	f.Add(`{"a":[1,-0,1.5e300,1E2,"\u00e9\ud83d\ude00<>&\u007f"],"b":{"c":null,"d":true}}`)
	f.Add(`[0.1, 1e-7, 123456789012345678901234567890, -0.0]`)
	f.Fuzz(func(t *testing.T, in string) {
		out, err := Dumps([]byte(in), Default)
		if err != nil {
			return
		}
		if ok, err := Equal(out, []byte(in)); !ok || err != nil {
			t.Fatalf("Dumps(%s) = %s: not the same values (%v)", in, out, err)
		}
		again, err := Dumps(out, Default)
		if err != nil || string(again) != string(out) {
			t.Fatalf("Dumps not stable: %s -> %s (%v)", out, again, err)
		}
		for _, c := range out {
			if c >= 0x80 {
				t.Fatalf("Dumps(%s) = %s: not ASCII", in, out)
			}
		}
	})
}
