// Package flasktag reads and writes Flask's tagged JSON (flask.json.tag,
// the TaggedJSONSerializer of Flask's cookie sessions) at the level of one
// session value.
//
// Flask stores Python values JSON cannot hold as one-key objects whose key
// is a tag:
//
//	{" t": [...]}        tuple
//	{" b": "base64"}     bytes (standard base64 with padding)
//	{" d": "HTTP date"}  datetime ("Fri, 27 Nov 2026 08:30:00 GMT")
//	{" u": "hex"}        UUID (32 hex digits)
//	{" m": "html"}       Markup
//	{" di": {"k__": v}}  a dict whose only key k is itself a tag name
//
// Untag turns a tagged value into plain JSON that encoding/json decodes to
// the documented Go values; Tag writes a Go value as Flask writes the
// Python value it maps to. A tag this package does not know passes through
// untouched both ways.
package flasktag

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"reflect"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

// Tag names of Flask's TaggedJSONSerializer.
const (
	TagTuple    = " t"
	TagBytes    = " b"
	TagDateTime = " d"
	TagUUID     = " u"
	TagMarkup   = " m"
	TagDict     = " di"
)

// IsTag reports whether key is one of Flask's registered tag names.
func IsTag(key string) bool {
	switch key {
	case TagTuple, TagBytes, TagDateTime, TagUUID, TagMarkup, TagDict:
		return true
	}
	return false
}

// Tuple is a Python tuple: Tag writes it as {" t": [...]}. Untag gives a
// tuple back as a plain JSON array, which decodes into a Tuple, a []any or
// any slice type.
type Tuple []any

// UUID is a Python uuid.UUID: Tag writes it as {" u": "<32 hex digits>"}.
// Untag gives a UUID back as the canonical string
// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", which decodes into a UUID (it
// implements encoding.TextUnmarshaler) or a string.
type UUID [16]byte

// String returns u in the canonical hyphenated lowercase form.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// MarshalText writes the canonical form.
func (u UUID) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

// UnmarshalText reads a UUID as Python's uuid.UUID(hex) does: 32 hex
// digits, with or without hyphens, braces or a "urn:uuid:" prefix.
func (u *UUID) UnmarshalText(text []byte) error {
	v, err := ParseUUID(string(text))
	if err != nil {
		return err
	}
	*u = v
	return nil
}

// ParseUUID parses s as Python's uuid.UUID(s) does: it drops "urn:",
// "uuid:", braces and hyphens, and requires 32 hex digits.
func ParseUUID(s string) (UUID, error) {
	h := strings.ReplaceAll(s, "urn:", "")
	h = strings.ReplaceAll(h, "uuid:", "")
	h = strings.Trim(h, "{}")
	h = strings.ReplaceAll(h, "-", "")
	var u UUID
	if len(h) != 32 {
		return u, fmt.Errorf("flasktag: %w: badly formed UUID %q", format.ErrMalformed, s)
	}
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, fmt.Errorf("flasktag: %w: badly formed UUID %q", format.ErrMalformed, s)
	}
	return u, nil
}

// Markup is markupsafe.Markup, HTML that Jinja does not escape again: Tag
// writes it as {" m": "..."}. Untag gives it back as a plain string.
type Markup string

var errTag = errors.New("flasktag: badly formed tagged value")

// Untag returns raw, a tagged JSON value as it stands in a Flask session,
// as plain JSON, converting nested values first (as Flask's _untag_scan
// does):
//
//   - " t" tuple: the array;
//   - " b" bytes: the standard base64 string (decodes into []byte);
//   - " d" datetime: an RFC 3339 string in UTC (decodes into time.Time);
//     a date Flask cannot parse becomes null, as Flask makes it None;
//   - " u" UUID: the canonical hyphenated string (decodes into UUID);
//   - " m" Markup: the string;
//   - " di": the object with "__" stripped from its key.
//
// An object with more than one key, or whose key is not a tag Flask
// registers, is left as it is (its values converted). Numbers keep their
// exact digits. A malformed value of a known tag (bad base64, a bad UUID,
// a " t" that is not an array) is an error wrapping format.ErrMalformed,
// the cookie Flask itself would refuse.
func Untag(raw json.RawMessage) (json.RawMessage, error) {
	v, err := decode(raw)
	if err != nil {
		return nil, err
	}
	v, err = untag(v)
	if err != nil {
		return nil, err
	}
	return encode(v)
}

func decode(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("flasktag: %w: %v", format.ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("flasktag: %w: data after the JSON value", format.ErrMalformed)
	}
	return v, nil
}

func encode(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("flasktag: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func untag(v any) (any, error) {
	switch x := v.(type) {
	case []any:
		for i := range x {
			u, err := untag(x[i])
			if err != nil {
				return nil, err
			}
			x[i] = u
		}
		return x, nil
	case map[string]any:
		for k, e := range x {
			u, err := untag(e)
			if err != nil {
				return nil, err
			}
			x[k] = u
		}
		if len(x) != 1 {
			return x, nil
		}
		for k, e := range x {
			return untagOne(k, e, x)
		}
	}
	return v, nil
}

// untagOne converts the one-key object {key: value} (value already
// converted) if key is a tag.
func untagOne(key string, value any, obj map[string]any) (any, error) {
	switch key {
	case TagTuple:
		if _, ok := value.([]any); !ok {
			return nil, fmt.Errorf("%w: %w: %q of %T", errTag, format.ErrMalformed, key, value)
		}
		return value, nil
	case TagBytes:
		s, ok := value.(string)
		if !ok {
			return nil, fmt.Errorf("%w: %w: %q of %T", errTag, format.ErrMalformed, key, value)
		}
		b, err := decodeBase64(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %w: %q: %v", errTag, format.ErrMalformed, key, err)
		}
		return base64.StdEncoding.EncodeToString(b), nil
	case TagDateTime:
		s, ok := value.(string)
		if !ok {
			return nil, nil
		}
		t, err := mail.ParseDate(s)
		if err != nil {
			return nil, nil // werkzeug's parse_date gives None
		}
		return t.UTC().Format(time.RFC3339), nil
	case TagUUID:
		s, ok := value.(string)
		if !ok {
			return nil, fmt.Errorf("%w: %w: %q of %T", errTag, format.ErrMalformed, key, value)
		}
		u, err := ParseUUID(s)
		if err != nil {
			return nil, err
		}
		return u.String(), nil
	case TagMarkup:
		return value, nil
	case TagDict:
		m, ok := value.(map[string]any)
		if !ok || len(m) != 1 {
			return nil, fmt.Errorf("%w: %w: %q needs an object of one key", errTag, format.ErrMalformed, key)
		}
		for k, e := range m {
			return map[string]any{trimTagKey(k): e}, nil
		}
	}
	return obj, nil
}

// trimTagKey drops the last two characters, as TagDict.to_python does
// (key[:-2]); Flask writes them as "__".
func trimTagKey(k string) string {
	r := []rune(k)
	if len(r) < 2 {
		return ""
	}
	return string(r[:len(r)-2])
}

// decodeBase64 reads standard base64 with padding as Flask writes it (and
// the canonical unpadded form too).
func decodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.Strict().DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.Strict().DecodeString(s)
}

// Tag returns v as the tagged JSON Flask's TaggedJSONSerializer writes for
// the Python value v maps to:
//
//   - time.Time: {" d": HTTP date in UTC}, whole seconds (Flask's
//     http_date drops the fraction);
//   - []byte: {" b": standard base64};
//   - Tuple: {" t": [...]}; UUID: {" u": hex}; Markup: {" m": s};
//   - a map: an object whose values are tagged in turn; an object whose
//     only key is a tag name becomes {" di": {"<key>__": value}};
//   - a slice or array (other than []byte): an array, items tagged;
//   - json.RawMessage: taken as plain JSON (a one-key object with a tag
//     name as key is escaped with " di", like any map);
//   - pointers and interfaces: what they point to (nil: null);
//   - anything else (strings, numbers, bools, structs, types with their own
//     MarshalJSON): as encoding/json writes it, then objects whose only key
//     is a tag name escaped with " di". Inside a struct, fields are written
//     as encoding/json writes them: a time.Time field becomes an RFC 3339
//     string, not a Flask datetime (put such values in maps, or set them on
//     their own).
//
// The output is compact JSON with object keys sorted (struct fields too),
// as Flask's JSON provider writes them; "<", ">" and "&" are not escaped. Errors are encoding/json's.
func Tag(v any) (json.RawMessage, error) {
	t, err := tagValue(reflect.ValueOf(v))
	if err != nil {
		return nil, err
	}
	return encode(t)
}

var (
	timeType   = reflect.TypeOf(time.Time{})
	rawType    = reflect.TypeOf(json.RawMessage(nil))
	numberType = reflect.TypeOf(json.Number(""))
	tupleType  = reflect.TypeOf(Tuple(nil))
	uuidType   = reflect.TypeOf(UUID{})
	markupType = reflect.TypeOf(Markup(""))
	marshaler  = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textMarsh  = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
)

// tagValue returns the tagged form of v as a tree of map[string]any,
// []any, json.Number, string, bool and nil.
func tagValue(v reflect.Value) (any, error) {
	if !v.IsValid() {
		return nil, nil
	}
	switch v.Type() {
	case timeType:
		t := v.Interface().(time.Time)
		return map[string]any{TagDateTime: t.UTC().Format(http.TimeFormat)}, nil
	case rawType:
		g, err := decode(v.Bytes())
		if err != nil {
			return nil, err
		}
		return escape(g), nil
	case numberType:
		return v.Interface(), nil
	case tupleType:
		items, err := tagList(v)
		if err != nil {
			return nil, err
		}
		return map[string]any{TagTuple: items}, nil
	case uuidType:
		u := v.Interface().(UUID)
		return map[string]any{TagUUID: hex.EncodeToString(u[:])}, nil
	case markupType:
		return map[string]any{TagMarkup: v.String()}, nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, nil
		}
		if v.Kind() == reflect.Pointer && !special(v.Type().Elem()) &&
			(v.Type().Implements(marshaler) || v.Type().Implements(textMarsh)) {
			return viaJSON(v)
		}
		return tagValue(v.Elem())
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 && !v.Type().Implements(marshaler) {
			return map[string]any{TagBytes: base64.StdEncoding.EncodeToString(v.Bytes())}, nil
		}
		if v.IsNil() && !v.Type().Implements(marshaler) {
			return nil, nil
		}
		fallthrough
	case reflect.Array:
		if v.Type().Implements(marshaler) || v.Type().Implements(textMarsh) {
			return viaJSON(v)
		}
		return tagList(v)
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String || v.Type().Implements(marshaler) || v.Type().Implements(textMarsh) {
			return viaJSON(v)
		}
		if v.IsNil() {
			return nil, nil
		}
		m := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			t, err := tagValue(it.Value())
			if err != nil {
				return nil, err
			}
			m[it.Key().String()] = t
		}
		return escapeDict(m), nil
	}
	return viaJSON(v)
}

// special reports whether t is a type Tag writes in its own way.
func special(t reflect.Type) bool {
	switch t {
	case timeType, rawType, numberType, tupleType, uuidType, markupType:
		return true
	}
	return false
}

func tagList(v reflect.Value) ([]any, error) {
	items := make([]any, v.Len())
	for i := range items {
		t, err := tagValue(v.Index(i))
		if err != nil {
			return nil, err
		}
		items[i] = t
	}
	return items, nil
}

// viaJSON marshals v with encoding/json and escapes the objects of the
// result.
func viaJSON(v reflect.Value) (any, error) {
	raw, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, fmt.Errorf("flasktag: %w", err)
	}
	g, err := decode(raw)
	if err != nil {
		return nil, err
	}
	return escape(g), nil
}

// escape applies Flask's TagDict to every object of the plain JSON tree g.
func escape(g any) any {
	switch x := g.(type) {
	case []any:
		for i := range x {
			x[i] = escape(x[i])
		}
	case map[string]any:
		for k, e := range x {
			x[k] = escape(e)
		}
		return escapeDict(x)
	}
	return g
}

// escapeDict wraps a one-key object whose key is a tag name, as TagDict
// does; its value is already tagged.
func escapeDict(m map[string]any) any {
	if len(m) == 1 {
		for k, e := range m {
			if IsTag(k) {
				return map[string]any{TagDict: map[string]any{k + "__": e}}
			}
		}
	}
	return m
}

// WrapSession applies TagDict to a whole session object: a session whose
// only key is a tag name is written {" di": {"<key>__": value}}; any other
// object is returned as it is. The object's values are already tagged.
func WrapSession(object []byte) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(object, &m); err != nil {
		return nil, fmt.Errorf("flasktag: %w: session: %v", format.ErrMalformed, err)
	}
	if m == nil {
		return nil, fmt.Errorf("flasktag: %w: session is not a JSON object", format.ErrMalformed)
	}
	if len(m) != 1 {
		return object, nil
	}
	for k, v := range m {
		if IsTag(k) {
			return json.Marshal(map[string]map[string]json.RawMessage{TagDict: {k + "__": v}})
		}
	}
	return object, nil
}

// UnwrapSession reverses WrapSession: a session object {" di": {"k__": v}}
// becomes {"k": v}; any other object is returned as it is. A session
// object that is a tagged value of another kind (Flask would load a tuple
// or bytes as the session, which no Flask app writes) is format.ErrMalformed.
func UnwrapSession(object []byte) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(object, &m); err != nil || m == nil {
		return nil, fmt.Errorf("flasktag: %w: session is not a JSON object", format.ErrMalformed)
	}
	if len(m) != 1 {
		return object, nil
	}
	for k, v := range m {
		switch {
		case k == TagDict:
			var inner map[string]json.RawMessage
			if err := json.Unmarshal(v, &inner); err != nil || len(inner) != 1 {
				return nil, fmt.Errorf("flasktag: %w: session %q needs an object of one key", format.ErrMalformed, k)
			}
			for ik, iv := range inner {
				return json.Marshal(map[string]json.RawMessage{trimTagKey(ik): iv})
			}
		case IsTag(k):
			return nil, fmt.Errorf("flasktag: %w: session is a tagged %q value, not a dict", format.ErrMalformed, k)
		}
	}
	return object, nil
}
