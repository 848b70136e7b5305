package cookiesession

import (
	"bytes"
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

func (c base64Codec) Encode(v Values) (string, error) { return c.sealValues(v, nil, false) }

// seal writes a Session's values, valid JSON already, with the reserved
// members extra; a base64 cookie carries no date.
func (c base64Codec) seal(v Values, extra []member, _ time.Time) (string, error) {
	return c.sealValues(v, extra, true)
}

// sealValues is Encode and seal: the JSON and its base64 are written on
// the stack when they fit, so that the value costs one allocation.
func (c base64Codec) sealValues(v Values, extra []member, trusted bool) (string, error) {
	var objectBuf [512]byte
	payload, err := appendObject(objectBuf[:0], v, extra, trusted)
	if err != nil {
		return "", err
	}
	if c.env != nil {
		// A copy, so that the object's buffer stays on the stack.
		if payload, err = c.env.Pack(bytes.Clone(payload)); err != nil {
			return "", err
		}
	}
	var textBuf [1024]byte
	text := textBuf[:0]
	if n := base64.URLEncoding.EncodedLen(len(payload)); n > len(textBuf) {
		text = make([]byte, 0, n)
	}
	return string(base64.URLEncoding.AppendEncode(text, payload)), nil
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
