package gorilla

import (
	"bytes"
	"encoding/gob"
	"math"
	"math/big"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Types a gorilla application might keep in a session. register (the
// package's) leaves a type registered under another name by another test
// as it is.
type (
	gobPoint struct{ X, Y int }
	gobNode  struct {
		Val  int
		Next *gobNode
	}
	gobHolder struct {
		Name  string
		Any   interface{}
		Tags  []string
		Inner gobPoint
		Pts   []gobPoint
		Attrs map[string]int
	}
	gobText string // sent as a TextMarshaler
)

func (t gobText) MarshalText() ([]byte, error) { return []byte("t:" + string(t)), nil }
func (t *gobText) UnmarshalText(b []byte) error {
	*t = gobText(strings.TrimPrefix(string(b), "t:"))
	return nil
}

func registerGobCheckTypes() {
	register(gobPoint{})
	register(&gobNode{})
	register(gobHolder{})
	register(gobText(""))
	register(time.Time{})
	register(&big.Int{})
	register(netip.Addr{})
	register([]int{})
	register([]string{})
	register([3]int{})
	register([2][]string{})
	register(map[string][]int{})
	register(map[int]string{})
	register([]byte{})
	register(complex128(0))
	register(uint64(0))
	register(int8(0))
}

// gobSessions are sessions of every shape gob writes: the kinds the
// conversion takes, and those it refuses (structs, pointers, GobEncoder,
// BinaryMarshaler and TextMarshaler types, complex numbers), nested in
// maps, lists and structs.
func gobSessions() map[string]map[interface{}]interface{} {
	first := gobNode{Val: 1, Next: &gobNode{Val: 2, Next: &gobNode{Val: 3}}}
	return map[string]map[interface{}]interface{}{
		"empty":     {},
		"basics":    {"b": true, "i": -7, "u": uint64(math.MaxUint64), "i8": int8(-128), "f": 0.1, "s": "héllo", "bytes": []byte{0, 1, 255}, "nil": nil, "c": complex(1, -2)},
		"lists":     {"l": []interface{}{"a", 1, []interface{}{true, nil, map[string]interface{}{"k": []interface{}{}}}}, "ints": []int{1, 2, 3}, "strs": []string{}},
		"maps":      {"m": map[string]interface{}{"a": map[interface{}]interface{}{"b": 1, 2: "c"}}, "ik": map[int]string{1: "x", -1: "y"}, "ms": map[string][]int{"a": {1}, "b": nil}},
		"arrays":    {"a": [3]int{1, 2, 3}, "as": [2][]string{{"x"}, {}}},
		"struct":    {"p": gobPoint{X: 1, Y: -1}, "zero": gobPoint{}},
		"recursive": {"n": &first},
		"holder":    {"h": gobHolder{Name: "n", Any: "string in an interface", Tags: []string{"a"}, Inner: gobPoint{1, 2}, Pts: []gobPoint{{3, 4}, {}}, Attrs: map[string]int{"k": 1}}},
		"encoders":  {"t": time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC), "big": big.NewInt(-1 << 62), "ip": netip.MustParseAddr("2001:db8::1"), "text": gobText("x")},
		"in a list": {"l": []interface{}{gobPoint{5, 6}, time.Unix(0, 0).UTC(), gobText("y"), []interface{}{gobHolder{Any: 3}}}},
	}
}

func encodeGobSession(t testing.TB, m map[interface{}]interface{}) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(m); err != nil {
		t.Fatalf("gob: %v", err)
	}
	return buf.Bytes()
}

// The check accepts every session gob writes, and gob reads each back: it
// refuses nothing gob could decode. (It is also in the path of every
// cookie the other tests decode, FuzzDecodeGorillaSessions among them.)
func TestCheckGobAcceptsWhatGobWrites(t *testing.T) {
	registerGobCheckTypes()
	for name, m := range gobSessions() {
		b := encodeGobSession(t, m)
		if err := checkGob(b); err != nil {
			t.Errorf("%s: checkGob refused gob's own encoding: %v\n% x", name, err, b)
		}
		var back map[interface{}]interface{}
		if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&back); err != nil {
			t.Errorf("%s: gob cannot read it back: %v", name, err)
		}
	}
}

// A struct's interface field is the one place where gob may skip a value
// by its byte count instead of reading it. When the value sends a type
// definition of its own inside (here time.Time's, inside a list), the count
// stops at that definition, so skipping and reading would part ways: the
// check refuses that struct, which the conversion refuses anyway. A value
// whose types were all sent before it is read, in a struct or not, and so
// is the same list outside a struct.
func TestCheckGobStructHoldingANewType(t *testing.T) {
	registerGobCheckTypes()
	inStruct := encodeGobSession(t, map[interface{}]interface{}{"h": gobHolder{Any: []interface{}{time.Unix(0, 0).UTC()}}})
	if err := checkGob(inStruct); err == nil || !strings.Contains(err.Error(), "in a struct") {
		t.Errorf("struct holding a value with a type definition inside: got %v, want the byte count refused", err)
	}
	for name, m := range map[string]map[interface{}]interface{}{
		"types sent before": {"h": gobHolder{Any: []interface{}{gobPoint{1, 2}}}},
		"outside a struct":  {"h": []interface{}{[]interface{}{time.Unix(0, 0).UTC()}}},
	} {
		if err := checkGob(encodeGobSession(t, m)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Anything: the check never panics, and what it accepts gob decodes with
// bounded memory. A cookie holds at most 4096 bytes, so its gob data less.
func FuzzCheckGob(f *testing.F) {
	registerGobCheckTypes()
	for _, m := range gobSessions() {
		f.Add(encodeGobSession(f, m))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 || checkGob(data) != nil {
			return
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var m map[interface{}]interface{}
		_ = gob.NewDecoder(bytes.NewReader(data)).Decode(&m)
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
			t.Fatalf("gob allocated %d bytes for %d bytes of data the check accepted", grew, len(data))
		}
	})
}
