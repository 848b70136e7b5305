package cookiesession

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession/internal/envelope"
	"github.com/cookiesession/cookiesession/internal/format"
)

// b64fernet is the padded URL-safe base64 of Fernet tokens and keys,
// decoded strictly so that a token has exactly one accepted spelling.
var b64fernet = base64.URLEncoding.Strict()

// fernetCodec is the Fernet session type: the session's JSON encrypted and
// authenticated as a Fernet token, readable by asgi-sessions' SessionFernet
// (and by any Fernet implementation given the same key).
type fernetCodec struct {
	keys    []fernetKey // keys[0] encrypts; all are tried when reading
	maxAge  time.Duration
	now     func() time.Time
	random  io.Reader          // IVs; crypto/rand outside of tests
	env     *envelope.Envelope // compression, when Config.Compress
	maxSize int                // the longest token read
}

func newFernetCodec(c *Config) (*fernetCodec, error) {
	secrets, err := c.secrets()
	if err != nil {
		return nil, err
	}
	keys := make([]fernetKey, len(secrets))
	for i, s := range secrets {
		if keys[i], err = fernetKeyFromSecret(s); err != nil {
			return nil, err
		}
	}
	return &fernetCodec{keys: keys, maxAge: c.MaxAge, now: c.Now, random: rand.Reader, env: c.envelope(), maxSize: c.maxValueSize()}, nil
}

// fernetKeyFromSecret turns a configured secret into a key:
//   - a standard Fernet key (44 characters of padded URL-safe base64 that
//     decode to 32 bytes) is used as it is;
//   - a secret of 1 to 32 ASCII characters is padded with '=' to 32 bytes,
//     which are the key, as asgi-sessions does;
//   - anything else is refused: asgi-sessions cannot use it either, and a
//     silent derivation would make cookies only this package can read.
func fernetKeyFromSecret(secret string) (fernetKey, error) {
	if len(secret) == b64fernet.EncodedLen(32) {
		if raw, err := b64fernet.DecodeString(secret); err == nil {
			return newFernetKey(raw)
		}
	}
	if len(secret) > 32 {
		return fernetKey{}, fmt.Errorf("%w: a fernet secret is at most 32 ASCII characters or a 44-character Fernet key, this one has %d bytes", ErrInvalidSecret, len(secret))
	}
	for i := 0; i < len(secret); i++ {
		if secret[i] >= 0x80 {
			return fernetKey{}, fmt.Errorf("%w: a fernet secret of up to 32 characters must be ASCII", ErrInvalidSecret)
		}
	}
	return newFernetKey([]byte(secret + strings.Repeat("=", 32-len(secret))))
}

// fernetPublicKeyBytes returns how many of the 16 encryption-key bytes
// that fernetKeyFromSecret makes from secret are '=' padding, known to
// everyone: 16 for a secret of up to 16 characters (anyone can decrypt the
// cookies, though not forge them), none for 32 characters or a standard key.
func fernetPublicKeyBytes(secret string) int {
	if len(secret) >= 32 {
		return 0
	}
	return min(16, 32-len(secret))
}

func (c *fernetCodec) Encode(v Values) (string, error) { return c.sealValues(v, nil, c.now(), false) }

// seal writes a Session's values, valid JSON already, with the reserved
// members extra, dated now.
func (c *fernetCodec) seal(v Values, extra []member, now time.Time) (string, error) {
	return c.sealValues(v, extra, now, true)
}

// sealValues is Encode and seal.
func (c *fernetCodec) sealValues(v Values, extra []member, now time.Time, trusted bool) (string, error) {
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
	token, err := fernetSeal(c.keys[0], payload, c.random, now.Unix())
	if err != nil {
		return "", err
	}
	var textBuf [1024]byte
	text := textBuf[:0]
	if n := b64fernet.EncodedLen(len(token)); n > len(textBuf) {
		text = make([]byte, 0, n)
	}
	return string(b64fernet.AppendEncode(text, token)), nil
}

// Decode authenticates the token, then judges its timestamp (see
// judgeDates): one more than MaxClockSkew in the future is refused, and
// so, with a max age, is one older than the max age.
func (c *fernetCodec) Decode(value string) (Values, error) {
	v, meta, err := c.open(value)
	if err != nil {
		return nil, preferDateError(meta, err, c.maxAge, c.now())
	}
	if _, err := judgeDates(meta, time.Time{}, c.maxAge, c.now(), deriveNone); err != nil {
		return nil, err
	}
	return v, nil
}

// open authenticates and decrypts the token and reports its timestamp as
// meta.Written, for the caller to judge.
func (c *fernetCodec) open(value string) (Values, format.Meta, error) {
	object, meta, err := c.openObject(value)
	if err != nil {
		return nil, meta, err
	}
	return c.values(object, meta)
}

// openObject authenticates and decrypts the token into its JSON object,
// validated, and reports its timestamp as meta.Written.
func (c *fernetCodec) openObject(value string) ([]byte, format.Meta, error) {
	meta := format.Meta{}
	if len(value) > c.maxSize {
		return nil, meta, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(value), c.maxSize)
	}
	token, err := b64fernet.DecodeString(value)
	if err != nil {
		return nil, meta, fmt.Errorf("%w: fernet base64: %v", ErrMalformed, err)
	}
	if b64fernet.EncodedLen(len(token)) != len(value) { // Go's decoder skips CR and LF
		return nil, meta, fmt.Errorf("%w: fernet base64: line breaks in the token", ErrMalformed)
	}
	plaintext, ts, key, err := fernetOpen(c.keys, token)
	if err != nil {
		return nil, meta, err
	}
	meta.Key, meta.Written = key, dateOf(float64(ts))
	if plaintext, err = unpack(plaintext); err != nil {
		return nil, meta, err
	}
	object, err := validObject(plaintext)
	return object, meta, err
}

// values splits an object that openObject returned into the session's
// values.
func (c *fernetCodec) values(object []byte, meta format.Meta) (Values, format.Meta, error) {
	return splitObject(object), meta, nil
}

// claims returns meta: a fernet token's only date is its timestamp.
func (c *fernetCodec) claims(meta format.Meta, _, _ rawMember) (format.Meta, error) {
	return meta, nil
}
