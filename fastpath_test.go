package cookiesession

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// The hot path parses and writes session JSON itself for the common cases
// and leaves the rest to encoding/json. These tests hold it to
// encoding/json's results, byte for byte.

var objectSamples = []string{
	`{}`,
	` { } `,
	`{"user":"tom","uid":12345,"roles":["admin","dev"]}`,
	"{ \"a\" :\t1 ,\n\"b\"\r: [ 1 , {\"c\" : \"}]\" } ] , \"d\":null}  ",
	`{"a":1,"a":2}`,
	`{"k\"ey":"v","k\\":"\\","\u00e9":"é","é":"\u00e9"}`,
	"{\"\xff\":1,\"\xfe\":2,\"ok\":\"\xff\"}",
	`{"n":-1.5e-7,"m":1E+400,"t":true,"f":false,"z":0}`,
	`{"s":"a\"b","o":{"x":{"y":[[],{}]}},"e":"","u":"😀<>&\u2028"}`,
	`{"big":9007199254740993,"nested":{"a":[1,"]",{"}":"{"}]}}`,
}

func TestSplitObjectMatchesEncodingJSON(t *testing.T) {
	for _, s := range objectSamples {
		checkSplitObject(t, []byte(s))
	}
}

func FuzzSplitObject(f *testing.F) {
	for _, s := range objectSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		trimmed := bytes.TrimLeft(data, " \t\r\n")
		if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) {
			return
		}
		checkSplitObject(t, trimmed)
	})
}

func checkSplitObject(t *testing.T, data []byte) {
	t.Helper()
	var want Values
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("%q: %v", data, err)
	}
	got, err := unmarshalValues(append([]byte(nil), data...))
	if err != nil {
		t.Fatalf("%q: %v", data, err)
	}
	if len(got) != len(want) {
		t.Fatalf("%q: got %d keys, want %d", data, len(got), len(want))
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || !bytes.Equal(g, w) {
			t.Errorf("%q: key %q: got %q, want %q", data, k, g, w)
		}
	}
	if out, err := marshalValues(got); err != nil {
		t.Errorf("%q: marshal: %v", data, err)
	} else if ref := encodeValuesReference(t, want); !bytes.Equal(out, ref) {
		t.Errorf("%q: marshal: got %s, want %s", data, out, ref)
	}
}

// encodeValuesReference is what marshalValues wrote before its fast path.
func encodeValuesReference(t *testing.T, v Values) []byte {
	t.Helper()
	if len(v) == 0 {
		return []byte("{}")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]json.RawMessage(v)); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func TestMarshalValuesRefusesWhatEncodingJSONRefuses(t *testing.T) {
	for _, v := range []Values{
		{"a": json.RawMessage(`{`)},
		{"a": json.RawMessage(`1 2`)},
		{"a": nil, "b": json.RawMessage(`1`)},
	} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		refErr := enc.Encode(map[string]json.RawMessage(v))
		out, err := marshalValues(v)
		if (err == nil) != (refErr == nil) {
			t.Errorf("%v: err %v, encoding/json says %v", v, err, refErr)
		}
		if err == nil && string(out)+"\n" != buf.String() {
			t.Errorf("%v: got %s, want %s", v, out, buf.String())
		}
	}
}

// unmarshalValueReference is what unmarshalValue did before its fast paths.
func unmarshalValueReference(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

var valueSamples = []string{
	`"tom"`, `""`, `"a\"b"`, `"\u00e9"`, `"é"`, "\"\xff\"", "\"a\xe2\x80\"", `"😀"`, "\"\u2028\"",
	`true`, `false`, `null`, `0`, `-0`, `12345`, `9007199254740993`, `-1.5e-07`, `1E+400`,
	`[]`, `{}`, `["admin","dev"]`, `{"a":[1,{"b":null}]}`,
}

func TestUnmarshalValueMatchesDecoder(t *testing.T) {
	for _, s := range valueSamples {
		got, err := unmarshalValue(json.RawMessage(s))
		want, refErr := unmarshalValueReference(json.RawMessage(s))
		if (err == nil) != (refErr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v (%v), want %#v (%v)", s, got, err, want, refErr)
		}
		str, _ := want.(string)
		s := &Session{loaded: true, values: Values{"k": json.RawMessage(s)}}
		if g := s.GetString("k"); g != str {
			t.Errorf("GetString of %s: %q, want %q", s.values["k"], g, str)
		}
	}
}

func TestSameJSONFastPaths(t *testing.T) {
	for _, a := range valueSamples {
		for _, b := range valueSamples {
			va, _ := unmarshalValueReference(json.RawMessage(a))
			vb, _ := unmarshalValueReference(json.RawMessage(b))
			want := a == b || sameValue(va, vb)
			if got := sameJSON(json.RawMessage(a), json.RawMessage(b)); got != want {
				t.Errorf("sameJSON(%s, %s) = %v, want %v", a, b, got, want)
			}
		}
	}
	// Two spellings of invalid UTF-8 decode to the same U+FFFD.
	if !sameJSON(json.RawMessage("\"\xff\""), json.RawMessage("\"\xfe\"")) {
		t.Error(`"\xff" and "\xfe" should be the same value`)
	}
}

func TestMarshalValueMatchesEncoder(t *testing.T) {
	for _, v := range []any{"tom", "", "a b~\x7f", "a\"b", `a\b`, "<&>", "é", "\xff", "\n", "\u2028", 12345, []string{"admin", "dev"}} {
		got, err := marshalValue(v)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if want := bytes.TrimSuffix(buf.Bytes(), []byte("\n")); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", v, got, want)
		}
	}
}

var numberSamples = []string{
	"0", "-0", "1", "-1", "12345", "01", "-", "+1", "1.", ".5", "1.5", "1e5", "1E+5", "1e-5", "1e",
	"1e+", "-0.0e-0", "1.5e07", "9007199254740993", "1x", "1 ", " 1", "--1", "0.1.2", "1e5.5", "",
}

func TestValidValueNeverAcceptsInvalidJSON(t *testing.T) {
	samples := append(append(numberSamples, valueSamples...), `"a"b"`, "\"\x01\"", `"\"`, `"`, `"\x"`, `{`, `[1,]`)
	for _, s := range samples {
		checkValidValue(t, []byte(s))
	}
}

func FuzzValidValue(f *testing.F) {
	for _, s := range append(numberSamples, valueSamples...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkValidValue(t, raw) })
}

func checkValidValue(t *testing.T, raw []byte) {
	t.Helper()
	valid := json.Valid(raw)
	if validValue(raw) && !valid {
		t.Errorf("validValue(%q) = true, json.Valid = false", raw)
	}
	if isJSONNumber(raw) {
		v, err := unmarshalValueReference(raw)
		if n, ok := v.(json.Number); err != nil || !ok || string(n) != string(raw) {
			t.Errorf("isJSONNumber(%q) = true, but it decodes to %#v (%v)", raw, v, err)
		}
	} else if valid && len(bytes.TrimSpace(raw)) == len(raw) && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		t.Errorf("isJSONNumber(%q) = false for a valid number", raw)
	}
}
