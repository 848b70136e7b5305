package cookiesession

import (
	"encoding/base64"
	"fmt"
	"time"

	"github.com/cookiesession/cookiesession/internal/envelope"
	"github.com/cookiesession/cookiesession/internal/format"
)

// base64Codec is the Base64 session type: padded URL-safe base64 of the
// session's JSON, exactly as asgi-sessions' Session writes it. It has no
// secret, no signature and no expiry.
type base64Codec struct {
	env     *envelope.Envelope // compression, when Config.Compress
	maxSize int                // the longest value read; 0 means MaxCookieSize
}

func (c base64Codec) Encode(v Values) (string, error) { return c.seal(v, time.Time{}) }

// seal is Encode; a base64 cookie carries no date.
func (c base64Codec) seal(v Values, _ time.Time) (string, error) {
	payload, err := marshalValues(v)
	if err != nil {
		return "", err
	}
	if c.env != nil {
		if payload, err = c.env.Pack(payload); err != nil {
			return "", err
		}
	}
	return base64.URLEncoding.EncodeToString(payload), nil
}

func (c base64Codec) Decode(value string) (Values, error) {
	v, _, err := c.open(value)
	return v, err
}

// open decodes the value. Nothing is authenticated: Meta.Key is -1.
func (c base64Codec) open(value string) (Values, format.Meta, error) {
	object, meta, err := c.openObject(value)
	if err != nil {
		return nil, meta, err
	}
	return c.values(object, meta)
}

// openObject decodes the value into its JSON object, validated.
func (c base64Codec) openObject(value string) ([]byte, format.Meta, error) {
	meta := format.Meta{Key: -1}
	limit := c.maxSize
	if limit == 0 {
		limit = MaxCookieSize
	}
	if len(value) > limit {
		return nil, meta, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(value), limit)
	}
	payload, err := base64.URLEncoding.Strict().DecodeString(value)
	if err != nil {
		return nil, meta, fmt.Errorf("%w: base64: %v", ErrMalformed, err)
	}
	if base64.URLEncoding.EncodedLen(len(payload)) != len(value) { // Go's decoder skips CR and LF
		return nil, meta, fmt.Errorf("%w: base64: line breaks in the value", ErrMalformed)
	}
	if payload, err = unpack(payload); err != nil {
		return nil, meta, err
	}
	object, err := validObject(payload)
	return object, meta, err
}

// values splits an object that openObject returned into the session's
// values.
func (c base64Codec) values(object []byte, meta format.Meta) (Values, format.Meta, error) {
	return splitObject(object), meta, nil
}

// claims returns meta: a base64 cookie has no claims of its own.
func (c base64Codec) claims(meta format.Meta, _, _ rawMember) (format.Meta, error) {
	return meta, nil
}
