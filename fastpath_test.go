package cookiesession

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"
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
	// As a Session writes them: trusted, with reserved members beside.
	extra := []member{textMemberOf("exp", "1795000000.000"), textMemberOf("_cs_id", `"x"`), {key: "a", raw: json.RawMessage(`[1]`)}}
	ref := mergedReference(t, want, extra)
	if out, err := appendObject([]byte("p"), got, append([]member(nil), extra...), true); err != nil || !bytes.Equal(out, append([]byte("p"), ref...)) {
		t.Errorf("%q: with members: got %s (%v), want p%s", data, out, err, ref)
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
	`9007199254740992`, `0.0`, `-0.0`, `0e5`, `1`, `1.0`, `1e0`, `10E-1`, `-1.5e-7`, `-0.00000015`,
	`1e400`, `10e399`, `1.0e+400`, `[9007199254740993]`, `[9007199254740992]`, `{"n":1e2}`, `{"n":100.0}`,
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
			want := a == b || oracleSame(va, vb)
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
	samples = append(samples, flatArraySamples...)
	for _, s := range samples {
		checkValidValue(t, []byte(s))
	}
}

// flatArraySamples are arrays for validValue's fast path of flat arrays,
// valid and not; the first six are flat, and the fast path takes them.
var flatArraySamples = []string{
	`[]`, `["admin","dev"]`, `[1,2.5,-0,1e3,true,false,null,"x"]`, `[""]`, `["a,b","]"]`, `["é"]`,
	`[`, `]`, `[,]`, `[1,]`, `[,1]`, `[1,,2]`, `["a"`, `["a]`, `["a"b]`, `["a""b"]`, `["a",]`, `[tru]`,
	`[01]`, `[1 ]`, `[ 1]`, `[1.]`, `["\u0001"]`, "[\"\x01\"]", `["a\"b"]`, `[[1]]`, `[{}]`, `[1]]`, `[[1]`,
	`[nul]`, `[true,fals]`, `["a"1]`, `[1"a"]`, `[-]`, `["]`, `[""""]`,
}

func TestFlatArrayFastPath(t *testing.T) {
	for i, s := range flatArraySamples {
		got := flatArray([]byte(s))
		if got && !json.Valid([]byte(s)) {
			t.Errorf("flatArray(%s) = true for invalid JSON", s)
		}
		if i < 6 && !got {
			t.Errorf("flatArray(%s) = false for a flat array", s)
		}
	}
}

func FuzzValidValue(f *testing.F) {
	for _, s := range append(append(numberSamples, valueSamples...), flatArraySamples...) {
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

// oracleSame is the change check's meaning, written independently of the
// library with math/big (fine here: the test's inputs are its own): two
// decoded JSON values are the same if they have the same structure and
// their numbers are equal as rationals, except that an integer literal
// differs from a number with a fraction or exponent (1 vs 1.0) and -0
// differs from 0.
func oracleSame(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k := range a {
			if _, ok := b[k]; !ok || !oracleSame(a[k], b[k]) {
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
			if !oracleSame(a[i], b[i]) {
				return false
			}
		}
		return true
	case json.Number:
		b, ok := b.(json.Number)
		return ok && oracleSameNumber(string(a), string(b))
	default:
		return a == b
	}
}

func oracleSameNumber(a, b string) bool {
	isInt := func(s string) bool { return !strings.ContainsAny(s, ".eE") }
	if isInt(a) != isInt(b) {
		return false
	}
	ra, okA := new(big.Rat).SetString(a)
	rb, okB := new(big.Rat).SetString(b)
	if !okA || !okB {
		panic("oracle: not a number: " + a + " " + b)
	}
	if ra.Sign() == 0 && rb.Sign() == 0 {
		return strings.HasPrefix(a, "-") == strings.HasPrefix(b, "-")
	}
	return ra.Cmp(rb) == 0
}

// The change check compares numbers exactly: storing 2^53+1 over 2^53 is a
// change (a float64 comparison would lose the update), 1.5e-07 over
// 1.5e-7 is not.
func TestSameNumberAgreesWithBigRat(t *testing.T) {
	cases := [][2]string{
		{"9007199254740992", "9007199254740993"},
		{"9007199254740993", "9007199254740993.0"},
		{"9007199254740993e0", "9007199254740992e0"},
		{"18014398509481985e-1", "1801439850948198.5"},
		{"1.5e-07", "1.5e-7"}, {"1.5e-07", "15e-8"}, {"1.5e-07", "0.00000015"}, {"1.5e-07", "0.00000016"},
		{"1", "1.0"}, {"1.0", "1e0"}, {"1.0", "1.00"}, {"1.0", "10E-1"}, {"1.0", "0.1e1"}, {"1.0", "0.1e+01"},
		{"100", "1e2"}, {"1e2", "100.0"}, {"1e2", "1E+2"}, {"1e2", "1e002"}, {"-1e2", "-100.0"}, {"-1e2", "100.0"},
		{"0", "-0"}, {"0.0", "-0.0"}, {"0e0", "0.0"}, {"-0e10", "-0.0"}, {"0", "00"[:1]}, {"0.0", "0e-7"},
		{"123.456", "123456e-3"}, {"123.456", "0.123456e3"}, {"123.456", "1234.56e-1"}, {"123.456", "123.4560"},
		{"123.456", "123.457"}, {"123.456", "124.456"}, {"123.456", "123.45"}, {"123.456", "1234.56"},
		{"1e400", "10e399"}, {"1e400", "0.1e401"}, {"1e400", "1e401"}, {"1e-400", "0.1e-399"}, {"1e-400", "1e-399"},
		{"12", "120e-1"}, {"12", "1.2"}, {"0.5", "5e-1"}, {"0.05", "5e-1"}, {"10", "1"}, {"101", "11"},
		{"1.01", "1.1"}, {"1.01e1", "10.1"}, {"1.001", "1.0001"}, {"5", "5.00000000000000000000000001"},
	}
	for _, c := range cases {
		want := oracleSameNumber(c[0], c[1])
		if got := sameNumber(json.Number(c[0]), json.Number(c[1])); got != want {
			t.Errorf("sameNumber(%s, %s) = %v, want %v", c[0], c[1], got, want)
		}
		if got := sameNumber(json.Number(c[1]), json.Number(c[0])); got != want {
			t.Errorf("sameNumber(%s, %s) = %v, want %v", c[1], c[0], got, want)
		}
	}
	// The decisions the oracle encodes, spelled out.
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"9007199254740992", "9007199254740993", false},
		{"1", "1.0", false},
		{"-0", "0", false},
		{"1.5e-07", "1.5e-7", true},
	} {
		if got := oracleSameNumber(c.a, c.b); got != c.same {
			t.Fatalf("oracle(%s, %s) = %v", c.a, c.b, got)
		}
	}
}

// Random numbers, each compared with other spellings of the same value
// and with near misses, against the big.Rat oracle.
func TestSameNumberAgreesWithBigRatOnRandomNumbers(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.Intn(10))
		}
		if rng.Intn(4) == 0 {
			b[rng.Intn(n)] = '0'
		}
		return string(b)
	}
	// spell writes some JSON number of the value 0.d × 10^p, negative if
	// neg: plain or scientific, with trailing zeros and zero-padded
	// exponents thrown in.
	spell := func(neg bool, d string, p int) string {
		for len(d) > 0 && d[0] == '0' {
			d, p = d[1:], p-1
		}
		var s string
		switch {
		case d == "":
			s = []string{"0", "0.0", "0e5", "0.00E-3"}[rng.Intn(4)]
		case rng.Intn(2) == 0: // scientific
			shift := rng.Intn(len(d)) + 1
			s = d[:shift]
			if frac := d[shift:] + strings.Repeat("0", rng.Intn(2)); frac != "" {
				s += "." + frac
			}
			exp := p - shift
			sign := []string{"", "+"}[rng.Intn(2)]
			if exp < 0 {
				sign, exp = "-", -exp
			}
			s += []string{"e", "E"}[rng.Intn(2)] + sign + fmt.Sprintf("%0*d", rng.Intn(3)+1, exp)
		case p <= 0:
			s = "0." + strings.Repeat("0", -p) + d + strings.Repeat("0", rng.Intn(2))
		case p >= len(d):
			s = d + strings.Repeat("0", p-len(d)) + []string{"", ".0"}[rng.Intn(2)]
		default:
			s = d[:p] + "." + d[p:]
		}
		if neg {
			s = "-" + s
		}
		return s
	}
	n := 0
	for i := 0; i < 20000; i++ {
		d := digits(rng.Intn(25) + 1)
		p := rng.Intn(40) - 20
		neg := rng.Intn(3) == 0
		a := spell(neg, d, p)
		var b string
		switch rng.Intn(4) {
		case 0: // the same value
			b = spell(neg, d, p)
		case 1: // another sign
			b = spell(!neg, d, p)
		case 2: // the point elsewhere
			b = spell(neg, d, p+rng.Intn(3)-1)
		default: // one digit changed
			j := rng.Intn(len(d))
			b = spell(neg, d[:j]+string(rune('0'+(d[j]-'0'+1)%10))+d[j+1:], p)
		}
		if !isJSONNumber([]byte(a)) || !isJSONNumber([]byte(b)) {
			t.Fatalf("test generated an invalid number: %s or %s", a, b)
		}
		want := oracleSameNumber(a, b)
		if want {
			n++
		}
		if got := sameNumber(json.Number(a), json.Number(b)); got != want {
			t.Errorf("sameNumber(%s, %s) = %v, want %v", a, b, got, want)
		}
	}
	if n < 2000 {
		t.Errorf("only %d of the random pairs were equal: the test checks too few", n)
	}
}

// Exponents too long for an int64 are compared exactly too, without
// expanding the number (which the oracle cannot do).
func TestSameNumberWithHugeExponents(t *testing.T) {
	e := "100000000000000000000000000000" // 10^29
	em1 := "99999999999999999999999999999"
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"1e" + e, "10e" + em1, true},
		{"1e" + e, "1.0e" + e, true},
		{"1e" + e, "0.1e" + e, false},
		{"1e" + e, "1e" + em1, false},
		{"1e-" + e, "0.1e-" + em1, true},
		{"1e-" + e, "10e-" + em1, false},
		{"1e" + e, "1e-" + e, false},
		{"1e" + e, "1e1", false},
		{"1e00000000000000000000000000000001", "10", false},
		{"1e00000000000000000000000000000001", "10.0", true},
		{"0e" + e, "0.0", true},
		{"0e" + e, "-0.0", false},
		{"123e" + e, "1.23e" + e[:len(e)-1] + "2", true},
		{"1e9999999999999999", "10e9999999999999998", true},
		{"1e-9999999999999999", "0.1e-9999999999999998", true},
		{"5e" + e, "5e" + e[:1] + "1" + e[2:], false},
	} {
		if got := sameNumber(json.Number(c.a), json.Number(c.b)); got != c.same {
			t.Errorf("sameNumber(%s, %s) = %v, want %v", c.a, c.b, got, c.same)
		}
		if got := sameNumber(json.Number(c.b), json.Number(c.a)); got != c.same {
			t.Errorf("sameNumber(%s, %s) = %v, want %v", c.b, c.a, got, c.same)
		}
	}
}

// Through the public API: setting 2^53+1 over a stored 2^53 is a change
// and writes a cookie; 1.0 over 1 too; an equal spelling is not.
func TestSetDetectsNumberChangesExactly(t *testing.T) {
	m, err := New(Config{Type: Base64})
	if err != nil {
		t.Fatal(err)
	}
	cookie := base64.URLEncoding.EncodeToString([]byte(`{"n":9007199254740992,"f":1.5e-07,"z":0}`))
	for _, c := range []struct {
		key   string
		value any
		want  bool
	}{
		{"n", json.Number("9007199254740993"), true},
		{"n", json.RawMessage("9007199254740993"), true},
		{"n", json.Number("9007199254740992"), false},
		{"n", 9007199254740992, false},
		{"n", json.Number("9007199254740992.0"), true},
		{"f", json.Number("1.5e-7"), false},
		{"f", json.Number("0.00000015"), false},
		{"f", 1.5e-7, false},
		{"f", json.Number("1.6e-7"), true},
		{"z", json.Number("-0"), true},
		{"z", 0, false},
	} {
		s := m.Load(context.Background(), cookie)
		if err := s.Set(c.key, c.value); err != nil {
			t.Fatal(err)
		}
		if got := s.Changed(); got != c.want {
			t.Errorf("Set(%q, %v) over %s: Changed() = %v, want %v", c.key, c.value, cookie, got, c.want)
		}
	}
}

// Set refuses a value that cannot fit in a cookie before it does any work
// on it, so a client-supplied string of digits costs nothing; a value
// that fits on its own but not in the session's cookie is refused by the
// session-size check. Either refusal wraps ErrNotSaved and ErrTooLarge,
// is reported, and changes nothing.
func TestSetRefusesValuesThatCannotFitACookie(t *testing.T) {
	var reported []error
	m, err := New(Config{Type: Base64, ErrorHandler: func(_ context.Context, err error) { reported = append(reported, err) }})
	if err != nil {
		t.Fatal(err)
	}
	cookie := base64.URLEncoding.EncodeToString([]byte(`{"n":1}`))
	refused := func(what string, s *Session, err error, early bool) {
		t.Helper()
		if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrNotSaved) {
			t.Errorf("Set of %s: %v, want ErrTooLarge and ErrNotSaved", what, err)
		}
		// The early refusal names the value's size; the session-size
		// check the Set-Cookie line's.
		if want := map[bool]string{true: "cannot fit in a cookie", false: "Set-Cookie line would have"}[early]; err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("Set of %s: %q, want it to say %q", what, err, want)
		}
		if len(reported) != 1 || reported[0] != err {
			t.Errorf("Set of %s: reported %v, want the one error returned", what, reported)
		}
		reported = nil
		if s.Changed() || s.GetString("n") != "" || string(mustRaw(t, s, "n")) != "1" {
			t.Errorf("Set of %s: a refused Set changed the session", what)
		}
	}
	huge := strings.Repeat("7", MaxCookieSize+1)
	for _, v := range []any{json.Number(huge), json.RawMessage(huge), huge, json.RawMessage("not json" + huge)} {
		s := m.Load(context.Background(), cookie)
		err := s.Set("n", v)
		refused(fmt.Sprintf("%T of %d bytes", v, MaxCookieSize+1), s, err, true)
	}
	// At the limit, the value passes the first check and is judged with
	// the rest of the session: 4096 digits do not fit in a cookie.
	s := m.Load(context.Background(), cookie)
	err = s.Set("n", json.Number(huge[:MaxCookieSize]))
	refused(fmt.Sprintf("%d digits", MaxCookieSize), s, err, false)
	// A number that fits is taken.
	s = m.Load(context.Background(), cookie)
	if err := s.Set("n", json.Number(huge[:2000])); err != nil || !s.Changed() {
		t.Errorf("Set of 2000 digits: %v, changed %v", err, s.Changed())
	}
	// The worst case is bounded: a 3 MB digit string took seconds before,
	// compared with a long number already in the session. The early check
	// refuses it before any comparison or encoding.
	long := base64.URLEncoding.EncodeToString([]byte(`{"n":` + strings.Repeat("9", 2999) + `}`))
	start := time.Now()
	for i := 0; i < 10; i++ {
		s := m.Load(context.Background(), long)
		if raw, ok := s.Raw("n"); !ok || len(raw) != 2999 {
			t.Fatalf("the session's long number did not load: %d bytes, %v", len(raw), s.Err())
		}
		if err := s.Set("n", json.Number(strings.Repeat("9", 3<<20))); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "cannot fit in a cookie") {
			t.Fatalf("Set of a 3 MB number: %v, want the early ErrTooLarge", err)
		}
	}
	reported = nil
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("10 Sets of a 3 MB number took %v", d)
	}
}

func mustRaw(t *testing.T, s *Session, key string) json.RawMessage {
	t.Helper()
	raw, ok := s.Raw(key)
	if !ok {
		t.Fatalf("no %q in the session", key)
	}
	return raw
}

// The worst case of Set's change check: a number as long as a cookie can
// carry, stored over one that differs only in its last digit. Set through
// the public API.
func BenchmarkSetLongNumberOverLongNumber(b *testing.B) {
	for _, n := range []int{4 << 10, 3 << 20} {
		b.Run(fmt.Sprintf("digits=%d", n), func(b *testing.B) {
			m, err := New(Config{Type: Base64})
			if err != nil {
				b.Fatal(err)
			}
			stored := strings.Repeat("7", min(n, 3000)-1) + "1"
			cookie := base64.URLEncoding.EncodeToString([]byte(`{"n":` + stored + `}`))
			x, y := strings.Repeat("7", n-1)+"1", strings.Repeat("7", n-1)+"2"
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s := m.Load(context.Background(), cookie)
				_ = s.Set("n", json.Number(x))
				_ = s.Set("n", json.Number(y))
			}
		})
	}
}

// FuzzSameNumber holds sameNumber to the big.Rat oracle on any two JSON
// numbers whose exponents the oracle can expand.
func FuzzSameNumber(f *testing.F) {
	for _, c := range [][2]string{
		{"9007199254740992", "9007199254740993"}, {"1", "1.0"}, {"-0", "0"}, {"1.5e-07", "0.00000015"},
		{"1e400", "10e399"}, {"123.4560", "1234.56e-1"}, {"0.0", "-0.0e5"}, {"1E+02", "100.0"},
	} {
		f.Add(c[0], c[1])
	}
	modest := func(s string) bool {
		if len(s) > 200 || !isJSONNumber([]byte(s)) {
			return false
		}
		if i := strings.IndexAny(s, "eE"); i >= 0 {
			e := strings.TrimLeft(s[i+1:], "+-")
			return len(strings.TrimLeft(e, "0")) <= 3
		}
		return true
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if !modest(a) || !modest(b) {
			return
		}
		if got, want := sameNumber(json.Number(a), json.Number(b)), oracleSameNumber(a, b); got != want {
			t.Fatalf("sameNumber(%s, %s) = %v, want %v", a, b, got, want)
		}
	})
}
