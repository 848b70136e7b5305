package cookiesession

import (
	"encoding/json"
	"fmt"
)

// Values are a session's contents: each key with its value as raw JSON.
// Keeping values raw until they are asked for makes reading a session
// cheap and keeps every number exactly as it was written (2^53+1 stays
// 2^53+1), as asgi-sessions and other JSON readers expect.
type Values map[string]json.RawMessage

// A Codec turns a session's values into a cookie value and back. The
// built-in codecs come from [NewCodec]; a custom one can implement another
// format.
//
// Decode must not trust its input: any value it cannot authenticate and
// parse gives a nil Values and an error wrapping one of [ErrMalformed],
// [ErrSignature], [ErrAlgorithm], [ErrExpired], [ErrNotYetValid] or
// [ErrTooLarge]. Encode fails only on values that are not valid JSON or on
// a failing random source.
type Codec interface {
	Encode(v Values) (string, error)
	Decode(value string) (Values, error)
}

// NewCodec returns the codec for c.Type, keyed with c.SecretKey and
// c.PreviousSecretKeys and checking expiry with c.MaxAge and c.Now. It is
// what [New] uses, exposed for tools that read or write session cookies
// outside an HTTP handler (such as cmd/cookiesession), and it refuses the
// same configurations as New, with the same errors (a fernet secret of 16
// characters or fewer included, unless c.InsecureAllowPublicFernetKey is
// set). It logs no warnings.
func NewCodec(c Config) (Codec, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	return newCodec(&c)
}

// newCodec builds the codec for a Config that already has its defaults.
func newCodec(c *Config) (Codec, error) {
	switch c.Type {
	case Base64:
		return base64Codec{}, nil
	case JWT:
		return newJWTCodec(c)
	case Fernet:
		if c.SecretKey != "" && fernetPublicKeyBytes(c.SecretKey) == 16 && !c.InsecureAllowPublicFernetKey {
			return nil, fmt.Errorf("%w: a fernet secret of %d characters leaves the whole encryption key public (the asgi-sessions derivation pads it with '='): anyone could decrypt the cookies; use 32 random characters (cookiesession keygen -type fernet), or set Config.InsecureAllowPublicFernetKey to share sessions with an app that uses this secret", ErrInvalidSecret, len(c.SecretKey))
		}
		return newFernetCodec(c)
	case "":
		return nil, fmt.Errorf("%w: Config.Type is required (base64, jwt or fernet)", ErrUnknownType)
	}
	return nil, fmt.Errorf("%w %q: want base64, jwt or fernet", ErrUnknownType, string(c.Type))
}

// secrets returns the configured secret keys, current first.
func (c *Config) secrets() ([]string, error) {
	if c.SecretKey == "" {
		return nil, fmt.Errorf("%w for session type %s", ErrSecretRequired, c.Type)
	}
	all := make([]string, 0, 1+len(c.PreviousSecretKeys))
	all = append(all, c.SecretKey)
	for i, k := range c.PreviousSecretKeys {
		if k == "" {
			return nil, fmt.Errorf("%w: PreviousSecretKeys[%d] is empty", ErrInvalidSecret, i)
		}
		all = append(all, k)
	}
	return all, nil
}

// checkSize refuses a cookie value too long to have come from this package,
// before any decoding work is spent on it.
func checkSize(value string) error {
	if len(value) > MaxCookieSize {
		return fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(value), MaxCookieSize)
	}
	return nil
}
