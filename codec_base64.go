package cookiesession

import (
	"encoding/base64"
	"fmt"
)

// base64Codec is the Base64 session type: padded URL-safe base64 of the
// session's JSON, exactly as asgi-sessions' Session writes it. It has no
// secret, no signature and no expiry.
type base64Codec struct{}

func (base64Codec) Encode(v Values) (string, error) {
	payload, err := marshalValues(v)
	if err != nil {
		return "", err
	}
	return base64.URLEncoding.EncodeToString(payload), nil
}

func (base64Codec) Decode(value string) (Values, error) {
	if err := checkSize(value); err != nil {
		return nil, err
	}
	payload, err := base64.URLEncoding.Strict().DecodeString(value)
	if err != nil {
		return nil, fmt.Errorf("%w: base64: %v", ErrMalformed, err)
	}
	if base64.URLEncoding.EncodedLen(len(payload)) != len(value) { // Go's decoder skips CR and LF
		return nil, fmt.Errorf("%w: base64: line breaks in the value", ErrMalformed)
	}
	return unmarshalValues(payload)
}
