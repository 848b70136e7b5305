package gorilla

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"

	"github.com/gorilla/securecookie"
)

// checkedGob is securecookie's gob serializer with a check in front of the
// decoding: gob data is walked, by the same grammar encoding/gob reads, and
// refused if a map, slice or array in it claims more entries than the bytes
// left could hold.
//
// encoding/gob before Go 1.27 makes a map with room for the count it reads,
// before reading any entry (golang/go#79539): a count of 2^33 in a
// 30-byte value makes the program ask for hundreds of gigabytes and die
// with "out of memory", which no recover catches. Only a value that passed
// the MAC reaches gob, so the bytes come from a holder of the hash key; the
// check keeps that holder, or a bug of theirs, from ending the process.
// Every entry of a map takes at least two bytes (a key and a value), every
// element of a slice or array at least one, so no count gob could decode
// is refused. Where gob may read a value or skip it depending on the
// receiving type (inside structs), the check refuses what it cannot follow
// both ways (see interfaceValue); the conversion refuses structs anyway.
type checkedGob struct{}

var _ securecookie.Serializer = checkedGob{}

// Serialize is securecookie.GobEncoder's; the codec never encodes.
func (checkedGob) Serialize(src interface{}) ([]byte, error) {
	return securecookie.GobEncoder{}.Serialize(src)
}

// Deserialize checks src (see checkedGob) and decodes it into dst as
// securecookie.GobEncoder does. A panic in encoding/gob is returned as an
// error: gob passes on the panics of reflect, such as a map key of a type
// that cannot be hashed ("hash of unhashable type").
func (checkedGob) Deserialize(src []byte, dst interface{}) (err error) {
	if err := checkGob(src); err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("gob: decoding panicked: %v", p)
		}
	}()
	return gob.NewDecoder(bytes.NewReader(src)).Decode(dst)
}

// The type ids gob predefines (encoding/gob's doc.go), and the first one a
// stream may define.
const (
	gobBool      = 1
	gobInt       = 2
	gobUint      = 3
	gobFloat     = 4
	gobBytes     = 5
	gobString    = 6
	gobComplex   = 7
	gobInterface = 8
	gobFirstUser = 64

	gobMaxTypeName = 1024 // gob refuses longer concrete type names
)

// gobKind is what a type defined in the stream (a wireType) is.
type gobKind uint8

const (
	gobArray gobKind = iota + 1
	gobSlice
	gobStruct
	gobMap
	gobEncoded // GobEncoder, BinaryMarshaler, TextMarshaler: sent as bytes
)

// gobType is a type the stream defined, as far as reading its values needs.
type gobType struct {
	kind   gobKind
	key    int64   // map
	elem   int64   // array, slice, map
	length int64   // array
	fields []int64 // struct: each field's type id, by field number
}

// gobChecker reads a gob stream as encoding/gob's Decoder does for one
// Decode call: msg is the message being read, rest the stream after it.
type gobChecker struct {
	msg   []byte
	rest  []byte
	types map[int64]*gobType
	loads int // messages read so far

	// inStruct counts the struct values being read. Below one, gob may
	// skip an interface value by its byte count instead of reading it
	// (a field the receiving struct lacks).
	inStruct int
}

var (
	errGobEOF      = errors.New("gob: unexpected end of data")
	errGobBadUint  = errors.New("gob: an unsigned integer of more than 8 bytes")
	errGobRange    = errors.New("gob: a struct field number out of range")
	errGobNotASize = errors.New("gob: a length longer than the data left")
)

// checkGob walks the first value of the gob stream src, as Decode reads
// it, and returns an error for what Decode would fail on or could not
// survive (see checkedGob). Decode reads nothing after that value.
func checkGob(src []byte) error {
	c := &gobChecker{rest: src, types: map[int64]*gobType{}}
	id, err := c.typeSequence(false)
	if err != nil {
		return err
	}
	return c.value(id)
}

// readUint decodes one gob unsigned integer from the front of b.
func readUint(b []byte) (uint64, []byte, error) {
	if len(b) == 0 {
		return 0, b, errGobEOF
	}
	first := b[0]
	b = b[1:]
	if first <= 0x7f {
		return uint64(first), b, nil
	}
	n := -int(int8(first))
	if n > 8 {
		return 0, b, errGobBadUint
	}
	if len(b) < n {
		return 0, b, errGobEOF
	}
	var x uint64
	for _, c := range b[:n] {
		x = x<<8 | uint64(c)
	}
	return x, b[n:], nil
}

func (c *gobChecker) uint() (uint64, error) {
	x, rest, err := readUint(c.msg)
	c.msg = rest
	return x, err
}

func (c *gobChecker) int() (int64, error) {
	x, err := c.uint()
	if x&1 != 0 {
		return ^int64(x >> 1), err
	}
	return int64(x >> 1), err
}

// left is how many bytes a value can still take: the message's and the
// stream's.
func (c *gobChecker) left() uint64 {
	return uint64(len(c.msg)) + uint64(len(c.rest))
}

// nextMessage makes the next count-delimited message of the stream the one
// being read.
func (c *gobChecker) nextMessage() error {
	n, rest, err := readUint(c.rest)
	if err != nil {
		return err
	}
	if n > uint64(len(rest)) {
		return errGobEOF
	}
	c.msg, c.rest = rest[:n], rest[n:]
	c.loads++
	return nil
}

// typeSequence reads type definitions up to a value's type id, as gob's
// decodeTypeSequence does, reading the next message when this one is done.
func (c *gobChecker) typeSequence(inInterface bool) (int64, error) {
	for {
		if len(c.msg) == 0 {
			if err := c.nextMessage(); err != nil {
				return 0, err
			}
		}
		var id int64
		if err := c.typeID(&id); err != nil { // negative: a definition of -id
			return 0, err
		}
		if id >= 0 {
			return id, nil
		}
		if err := c.defineType(-id); err != nil {
			return 0, err
		}
		if len(c.msg) > 0 {
			if !inInterface {
				return 0, errors.New("gob: extra data after a type definition")
			}
			if _, err := c.uint(); err != nil { // the count of what follows
				return 0, err
			}
		}
	}
}

// defineType reads a wireType: a struct of seven pointers to struct types,
// of which the encoder sets one. Their layouts (encoding/gob's doc.go):
//
//	ArrayT           CommonType, Elem typeId, Len int
//	SliceT           CommonType, Elem typeId
//	StructT          CommonType, Field []fieldType{Name string, Id typeId}
//	MapT             CommonType, Key typeId, Elem typeId
//	GobEncoderT, BinaryMarshalerT, TextMarshalerT: CommonType
func (c *gobChecker) defineType(id int64) error {
	if id < gobFirstUser || c.types[id] != nil {
		return errors.New("gob: duplicate type received")
	}
	t := &gobType{}
	kind := func(k gobKind, read ...func() error) func() error {
		return func() error {
			if t.kind != 0 {
				return errors.New("gob: a type defined as two kinds")
			}
			t.kind = k
			return c.record(read...)
		}
	}
	typeID := func(id *int64) func() error {
		return func() error { return c.typeID(id) }
	}
	arrayLength := func() error {
		var err error
		if t.length, err = c.int(); err == nil && t.length < 0 {
			err = errors.New("gob: an array of negative length")
		}
		return err
	}
	fieldList := func() error {
		n, err := c.uint()
		if err != nil {
			return err
		}
		if n > c.left() {
			return c.tooMany("struct field list", n)
		}
		t.fields = make([]int64, n)
		for i := range t.fields {
			if err := c.record(c.skip, typeID(&t.fields[i])); err != nil {
				return err
			}
		}
		return nil
	}
	encoded := kind(gobEncoded, c.commonType)
	err := c.record(
		kind(gobArray, c.commonType, typeID(&t.elem), arrayLength),
		kind(gobSlice, c.commonType, typeID(&t.elem)),
		kind(gobStruct, c.commonType, fieldList),
		kind(gobMap, c.commonType, typeID(&t.key), typeID(&t.elem)),
		encoded, encoded, encoded,
	)
	if err != nil {
		return err
	}
	if t.kind == 0 {
		return errors.New("gob: a type definition of no kind")
	}
	c.types[id] = t
	return nil
}

// commonType reads a CommonType struct: Name string, Id int.
func (c *gobChecker) commonType() error {
	return c.record(c.skip, func() error {
		_, err := c.int()
		return err
	})
}

// typeID reads a type id into id. gob's typeId is an int32: it would
// truncate a larger id, and could take a definition for a value's id or
// the reverse.
func (c *gobChecker) typeID(id *int64) error {
	var err error
	*id, err = c.int()
	if err == nil && *id != int64(int32(*id)) {
		err = fmt.Errorf("gob: type id %d out of range", *id)
	}
	return err
}

// record reads a struct value of one of gob's own types, whose field f is
// read by read[f].
func (c *gobChecker) record(read ...func() error) error {
	return c.fields(len(read), func(f int) error { return read[f]() })
}

// fields reads a struct value of n fields as gob's decodeStruct does: field
// number deltas, each followed by the field, up to a zero delta or the end
// of the message.
func (c *gobChecker) fields(n int, field func(int) error) error {
	num := -1
	for len(c.msg) > 0 {
		delta, err := c.uint()
		if err != nil {
			return err
		}
		if delta == 0 {
			return nil
		}
		if delta > uint64(n-1-num) {
			return errGobRange
		}
		num += int(delta)
		if err := field(num); err != nil {
			return err
		}
	}
	return nil
}

// skipBytes reads a string or []byte: a length, then that many bytes of
// this message. It returns the length.
func (c *gobChecker) skipBytes() (uint64, error) {
	n, err := c.uint()
	if err != nil {
		return 0, err
	}
	if n > uint64(len(c.msg)) {
		return 0, errGobNotASize
	}
	c.msg = c.msg[n:]
	return n, nil
}

// skip reads a string or []byte, and forgets it.
func (c *gobChecker) skip() error {
	_, err := c.skipBytes()
	return err
}

func (c *gobChecker) tooMany(what string, n uint64) error {
	return fmt.Errorf("gob: a %s of %d entries, with %d bytes left", what, n, c.left())
}

// value reads a value of type id as gob's decodeValue does: a struct as
// its fields, anything else as a singleton (a zero, then the value).
func (c *gobChecker) value(id int64) error {
	if t := c.types[id]; t != nil && t.kind == gobStruct {
		return c.structValue(t)
	}
	zero, err := c.uint()
	if err != nil {
		return err
	}
	if zero != 0 {
		return errors.New("gob: a non-zero delta for a singleton")
	}
	return c.field(id)
}

func (c *gobChecker) structValue(t *gobType) error {
	c.inStruct++
	defer func() { c.inStruct-- }()
	return c.fields(len(t.fields), func(f int) error { return c.field(t.fields[f]) })
}

// field reads one value of type id inside a value.
func (c *gobChecker) field(id int64) error {
	switch id {
	case gobBool, gobInt, gobUint, gobFloat:
		_, err := c.uint()
		return err
	case gobComplex:
		if _, err := c.uint(); err != nil {
			return err
		}
		_, err := c.uint()
		return err
	case gobBytes, gobString:
		return c.skip()
	case gobInterface:
		return c.interfaceValue()
	}
	t := c.types[id]
	if t == nil {
		return fmt.Errorf("gob: type id %d is not defined", id)
	}
	switch t.kind {
	case gobArray:
		n, err := c.uint()
		if err != nil {
			return err
		}
		if n != uint64(t.length) {
			return errors.New("gob: an array of another length than its type's")
		}
		return c.elements("array", n, t.elem)
	case gobSlice:
		n, err := c.uint()
		if err != nil {
			return err
		}
		return c.elements("slice", n, t.elem)
	case gobMap:
		n, err := c.uint()
		if err != nil {
			return err
		}
		if n > c.left()/2 {
			return c.tooMany("map", n)
		}
		for ; n > 0; n-- {
			if err := c.field(t.key); err != nil {
				return err
			}
			if err := c.field(t.elem); err != nil {
				return err
			}
		}
		return nil
	case gobStruct:
		return c.structValue(t)
	}
	return c.skip() // gobEncoded
}

func (c *gobChecker) elements(what string, n uint64, elem int64) error {
	if n > c.left() {
		return c.tooMany(what, n)
	}
	for ; n > 0; n-- {
		if err := c.field(elem); err != nil {
			return err
		}
	}
	return nil
}

// interfaceValue reads an interface value: the concrete type's name (empty
// for nil), type definitions, the type id, the value's byte count, and the
// value.
//
// Inside a struct, the count must be what the value takes: gob skips the
// value by its count where the receiving struct has no such field, and
// reads it otherwise, and both ways must end at the same byte for the
// check to see what gob reads next. (When the value sends a type
// definition of its own inside, the count stops at that definition, so a
// struct holding such a value is refused here, as is one holding a nil
// interface value; the conversion refuses structs anyway.) Elsewhere gob
// always reads the value, and the count is not used.
func (c *gobChecker) interfaceValue() error {
	n, err := c.skipBytes() // the name
	if err != nil {
		return err
	}
	if n == 0 {
		// gob's ignoreInterface does not look at the name's length: for
		// a nil value in a field the receiving struct lacks, it still
		// reads a type id and a byte count and drops that many bytes,
		// where the decoding path reads nothing more. Which path gob
		// takes depends on the receiving type, which the check cannot
		// know.
		if c.inStruct > 0 {
			return errors.New("gob: a nil interface value in a struct")
		}
		return nil
	}
	if n > gobMaxTypeName {
		return fmt.Errorf("gob: a type name of %d bytes", n)
	}
	id, err := c.typeSequence(true)
	if err != nil {
		return err
	}
	size, err := c.uint()
	if err != nil {
		return err
	}
	before, loads := len(c.msg), c.loads
	if err := c.value(id); err != nil {
		return err
	}
	if c.inStruct > 0 && (c.loads != loads || uint64(before-len(c.msg)) != size) {
		return errors.New("gob: an interface value in a struct whose byte count is not its length")
	}
	return nil
}
