package gorilla

import (
	"encoding"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession"
)

func init() {
	// The containers a gorilla session commonly holds, registered under
	// gob's default names (as gorilla/sessions registers []interface{}), so
	// that they decode in this program too.
	register([]interface{}{})
	register(map[string]interface{}{})
	register(map[interface{}]interface{}{})
}

// register is gob.Register, ignoring the panic it raises when the program
// registered the type under another name already: gob then decodes the
// type under that name, and nothing is lost.
func register(v interface{}) {
	defer func() { _ = recover() }()
	gob.Register(v)
}

// convertError is a value that has no exact JSON form, with the path to it.
type convertError struct {
	path []string // outermost first once complete; built innermost first
	msg  string
}

func (e *convertError) Error() string {
	var b strings.Builder
	for i := len(e.path) - 1; i >= 0; i-- {
		b.WriteString(e.path[i])
	}
	return b.String() + ": " + e.msg
}

// at adds the step seg (`["key"]`, `[3]`) in front of the error's path.
func (e *convertError) at(seg string) *convertError {
	e.path = append(e.path, seg)
	return e
}

func unsupported(format string, args ...interface{}) *convertError {
	return &convertError{msg: fmt.Sprintf(format, args...)}
}

// convertSession turns a gob-decoded gorilla session into Values, exactly,
// or gives an error wrapping cookiesession.ErrMalformed and nil Values.
func convertSession(m map[interface{}]interface{}) (cookiesession.Values, error) {
	out := make(cookiesession.Values, len(m))
	for k, v := range m {
		key, cerr := stringKey(reflect.ValueOf(k))
		if cerr != nil {
			return nil, fmt.Errorf("%w: gorilla session key: %s", cookiesession.ErrMalformed, cerr.msg)
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("%w: gorilla session key %q appears twice (as keys of different string types)", cookiesession.ErrMalformed, key)
		}
		raw, cerr := appendValue(nil, reflect.ValueOf(v))
		if cerr != nil {
			cerr.at(fmt.Sprintf("%q", key))
			return nil, fmt.Errorf("%w: gorilla session value %s", cookiesession.ErrMalformed, cerr)
		}
		out[key] = json.RawMessage(raw)
	}
	return out, nil
}

// stringKey returns the string a map key holds: a string (or a named
// string type), possibly inside an interface, that is valid UTF-8.
func stringKey(k reflect.Value) (string, *convertError) {
	for k.IsValid() && k.Kind() == reflect.Interface {
		if k.IsNil() {
			break
		}
		k = k.Elem()
	}
	if !k.IsValid() || (k.Kind() == reflect.Interface && k.IsNil()) {
		return "", unsupported("a nil key (only string keys convert to JSON)")
	}
	if k.Kind() != reflect.String {
		return "", unsupported("a key of type %s (only string keys convert to JSON)", k.Type())
	}
	if hasOwnForm(k.Type()) {
		return "", unsupported("a key of type %s, which has a text form of its own", k.Type())
	}
	s := k.String()
	if !utf8.ValidString(s) {
		return "", unsupported("the key %q is not valid UTF-8", s)
	}
	return s, nil
}

var (
	jsonMarshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textMarshaler = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

// hasOwnForm reports whether t (or *t) marshals itself, so that its JSON by
// encoding/json would not be the one its kind gives.
func hasOwnForm(t reflect.Type) bool {
	if t.Implements(jsonMarshaler) || t.Implements(textMarshaler) {
		return true
	}
	if t.Kind() != reflect.Pointer {
		p := reflect.PointerTo(t)
		return p.Implements(jsonMarshaler) || p.Implements(textMarshaler)
	}
	return false
}

// appendValue appends the JSON form of v to b (see the package doc for
// what converts), or gives the reason it has none.
func appendValue(b []byte, v reflect.Value) ([]byte, *convertError) {
	if !v.IsValid() {
		return append(b, "null"...), nil
	}
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		return appendValue(b, v.Elem())
	}
	t := v.Type()
	if hasOwnForm(t) {
		return nil, unsupported("type %s is not converted (it has a JSON or text form of its own)", t)
	}
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) {
			return nil, unsupported("the string %q is not valid UTF-8", s)
		}
		return appendString(b, s), nil
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(b, v.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return appendFloat(b, v)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !hasOwnForm(t.Elem()) {
			return appendString(b, base64.StdEncoding.EncodeToString(v.Bytes())), nil
		}
		return appendArray(b, v)
	case reflect.Array:
		return appendArray(b, v)
	case reflect.Map:
		return appendObject(b, v)
	}
	return nil, unsupported("type %s has no exact JSON form", t)
}

// appendString appends s as a JSON string, escaped as encoding/json
// escapes it.
func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // cannot fail for a string
	return append(b, q...)
}

// appendFloat appends a finite float as encoding/json writes it: float32
// with the shortest form that reads back as the same float32.
func appendFloat(b []byte, v reflect.Value) ([]byte, *convertError) {
	f := v.Float()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, unsupported("the float %v has no JSON form", f)
	}
	var q []byte
	if v.Kind() == reflect.Float32 {
		q, _ = json.Marshal(float32(f)) // finite: cannot fail
	} else {
		q, _ = json.Marshal(f)
	}
	return append(b, q...), nil
}

func appendArray(b []byte, v reflect.Value) ([]byte, *convertError) {
	b = append(b, '[')
	for i := 0; i < v.Len(); i++ {
		if i > 0 {
			b = append(b, ',')
		}
		var cerr *convertError
		b, cerr = appendValue(b, v.Index(i))
		if cerr != nil {
			return nil, cerr.at("[" + strconv.Itoa(i) + "]")
		}
	}
	return append(b, ']'), nil
}

// appendObject appends a map with string keys as a JSON object, its keys
// sorted (as encoding/json sorts them).
func appendObject(b []byte, v reflect.Value) ([]byte, *convertError) {
	type entry struct {
		key string
		val reflect.Value
	}
	entries := make([]entry, 0, v.Len())
	seen := make(map[string]bool, v.Len())
	iter := v.MapRange()
	for iter.Next() {
		key, cerr := stringKey(iter.Key())
		if cerr != nil {
			return nil, cerr
		}
		if seen[key] {
			return nil, unsupported("the key %q appears twice (as keys of different string types)", key)
		}
		seen[key] = true
		entries = append(entries, entry{key, iter.Value()})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	b = append(b, '{')
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, e.key)
		b = append(b, ':')
		var cerr *convertError
		b, cerr = appendValue(b, e.val)
		if cerr != nil {
			return nil, cerr.at(fmt.Sprintf("[%q]", e.key))
		}
	}
	return append(b, '}'), nil
}
