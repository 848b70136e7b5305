package cookiesession

import (
	"errors"
	"fmt"
	"reflect"
)

// ErrNoValue is returned by [Get] for a key the session does not hold.
var ErrNoValue = errors.New("cookiesession: no value for key")

// Get decodes the value stored under key into a T, with encoding/json: any
// type the value's JSON fits, structs included, so handlers need no type
// assertions. Numbers decode exactly into integer types (a number that does
// not fit, or has a fraction, is an error); into an interface they come
// back as [json.Number], as from [Session.Get].
//
// A missing key gives the zero T and an error wrapping [ErrNoValue]; a value
// that does not fit T gives the zero T and the json error (such as a
// *json.UnmarshalTypeError). A JSON null decodes as encoding/json decodes
// it: the zero value for most types.
func Get[T any](s *Session, key string) (T, error) {
	var v T
	raw, ok := s.Raw(key)
	if !ok {
		return v, fmt.Errorf("%w %q", ErrNoValue, key)
	}
	if err := decodeExact(raw, &v); err != nil {
		var zero T
		return zero, fmt.Errorf("cookiesession: value of %q does not fit %v: %w", key, reflect.TypeFor[T](), err)
	}
	return v, nil
}

// GetOr is like [Get] but returns fallback when the key is missing or its
// value does not fit T.
func GetOr[T any](s *Session, key string, fallback T) T {
	v, err := Get[T](s, key)
	if err != nil {
		return fallback
	}
	return v
}
