package gorilla

import (
	"bytes"
	"encoding/gob"
	"encoding/hex"
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

// Two streams on which the check and gob once parted ways, each in a
// session holding a gobPoint whose wire type has fields gobPoint lacks, so
// that gob skips them. After the skip gob read, in what the check had taken
// for a string's bytes, a second entry: a map claiming 2^33 entries.
//   - A nil interface value in a skipped field: gob's ignoreInterface reads
//     a type id and a byte count after the empty name, where the decoding
//     path (and the check) read nothing more.
//   - A type id beyond int32 (gob's typeId): gob truncates it and took a
//     definition for a value's type id.
//
// Without the check's rules for them, gob asks for hundreds of gigabytes
// on each stream and the test process dies.
func TestCheckGobKeepsInStepWithGob(t *testing.T) {
	registerGobCheckTypes()
	streams := map[string]struct{ hex, want string }{
		"nil interface in a skipped field": {
			"09ff810402100110000025ff8303020501015a011000010150010400010151010400010152010c000101580104000000ffa0ff82000206737472696e670c0300016b3f6769746875622e636f6d2f636f6f6b696573657373696f6e2f636f6f6b696573657373696f6e2f6d6967726174652f676f72696c6c612e676f62506f696e74ff843f0100020201360006737472696e670c0400026b321d6d61705b696e74657266616365207b7d5d696e74657266616365207b7dff820800fb020000000001020006737472696e670c0400026b3300",
			"nil interface value in a struct",
		},
		"type id beyond int32": {
			"09ff810402100110000013ff8303020201015a0110000101580104000000ffb7ff82000206737472696e670c0300016b3f6769746875622e636f6d2f636f6f6b696573657373696f6e2f636f6f6b696573657373696f6e2f6d6967726174652f676f72696c6c612e676f62506f696e74ff84560106737472696e67fb01000000810501013870710006737472696e670c0400026b321d6d61705b696e74657266616365207b7d5d696e74657266616365207b7dff820800fb0200000000000000000c0300017601020006737472696e670c0400026b3300",
			"out of range",
		},
	}
	for name, s := range streams {
		b, err := hex.DecodeString(s.hex)
		if err != nil {
			t.Fatal(err)
		}
		var m map[interface{}]interface{}
		err = checkedGob{}.Deserialize(b, &m)
		if err == nil || !strings.Contains(err.Error(), s.want) {
			t.Errorf("%s: got %v (%d values), want an error saying %q", name, err, len(m), s.want)
		}
	}
}

// gob passes on reflect's panics: a map key holding a map panics with
// "hash of unhashable type". Deserialize returns it as an error, so the
// cookie is refused like any other that is not a session.
func TestGobPanicIsAnError(t *testing.T) {
	registerGobCheckTypes()
	stream := []byte("\r\x7f\x04\x01\x02\xff0\x00\x01\x10\x01\x10\x00\x00Z\xff\x80\x00\x03\x06string\f0\x00\x0200\x0emap[int]string\xff\x89\x04\x01\x02\xff0\x00\x01\x04\x01\f\x00\x000\xff\x8a0\x00\x020\x0100\x010\x10map[string][]int\xff\x8b\x04\x01\x02\xff0\x00\x01\f\x01\xff\x82\x00\x007\xff\x81\x02\x01\x02\xff0\x00\x01\x04\x00\x000\xff\x8c0\x00\x02\x010\x00\x010\x010\x06string\f0\x00\x010\x00\x06000000\f0\x00\x03000000000000000000000000000")
	if err := checkGob(stream); err != nil {
		t.Fatalf("the check refuses the stream (%v): the test no longer reaches gob", err)
	}
	var m map[interface{}]interface{}
	err := checkedGob{}.Deserialize(stream, &m)
	if err == nil || !strings.Contains(err.Error(), "unhashable") {
		t.Errorf("got %v, want the panic as an error", err)
	}
}

// Anything: the check never panics, and what it accepts gob decodes with
// bounded memory, without a panic (Deserialize returns gob's as an error). A cookie holds at most 4096 bytes, so its gob data less.
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
		_ = checkedGob{}.Deserialize(data, &m)
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
			t.Fatalf("gob allocated %d bytes for %d bytes of data the check accepted", grew, len(data))
		}
	})
}
