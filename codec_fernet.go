package cookiesession

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"
)

// b64fernet is the padded URL-safe base64 of Fernet tokens and keys,
// decoded strictly so that a token has exactly one accepted spelling.
var b64fernet = base64.URLEncoding.Strict()

// fernetCodec is the Fernet session type: the session's JSON encrypted and
// authenticated as a Fernet token, readable by asgi-sessions' SessionFernet
// (and by any Fernet implementation given the same key).
type fernetCodec struct {
	keys   []fernetKey // keys[0] encrypts; all are tried when reading
	maxAge time.Duration
	now    func() time.Time
	random io.Reader // IVs; crypto/rand outside of tests
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
	return &fernetCodec{keys: keys, maxAge: c.MaxAge, now: c.Now, random: rand.Reader}, nil
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

func (c *fernetCodec) Encode(v Values) (string, error) {
	payload, err := marshalValues(v)
	if err != nil {
		return "", err
	}
	var iv [16]byte
	if _, err := io.ReadFull(c.random, iv[:]); err != nil {
		return "", fmt.Errorf("cookiesession: fernet IV: %w", err)
	}
	return b64fernet.EncodeToString(fernetSeal(c.keys[0], payload, iv[:], c.now().Unix())), nil
}

// Decode authenticates the token, then checks its timestamp: one more than
// MaxClockSkew in the future is refused, and so, with a max age, is one
// older than the max age.
func (c *fernetCodec) Decode(value string) (Values, error) {
	if err := checkSize(value); err != nil {
		return nil, err
	}
	token, err := b64fernet.DecodeString(value)
	if err != nil {
		return nil, fmt.Errorf("%w: fernet base64: %v", ErrMalformed, err)
	}
	if b64fernet.EncodedLen(len(token)) != len(value) { // Go's decoder skips CR and LF
		return nil, fmt.Errorf("%w: fernet base64: line breaks in the token", ErrMalformed)
	}
	plaintext, ts, err := fernetOpen(c.keys, token)
	if err != nil {
		return nil, err
	}
	if err := c.checkTimestamp(ts); err != nil {
		return nil, err
	}
	return unmarshalValues(plaintext)
}

func (c *fernetCodec) checkTimestamp(ts int64) error {
	now := c.now().Unix()
	if ts > now+int64(MaxClockSkew/time.Second) {
		return fmt.Errorf("%w: fernet timestamp %d is %ds ahead of the clock", ErrNotYetValid, ts, ts-now)
	}
	if c.maxAge > 0 && now-ts > int64(c.maxAge/time.Second) {
		return fmt.Errorf("%w: fernet token made %ds ago, max age %v", ErrExpired, now-ts, c.maxAge)
	}
	return nil
}
