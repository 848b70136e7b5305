package itsdangerous

import (
	"fmt"
	"time"

	"github.com/cookiesession/cookiesession/internal/flasktag"
	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous/pyjson"
)

// FlaskSalt is the salt of Flask's SecureCookieSessionInterface.
const FlaskSalt = "cookie-session"

type flask struct {
	signer *Signer
}

// NewFlask returns the cookie format of Flask's default
// SecureCookieSessionInterface for the given secrets: the first is
// SECRET_KEY and signs, the others play SECRET_KEY_FALLBACKS (tried when
// opening, never used to sign). The value is an itsdangerous
// URLSafeTimedSerializer token with the salt "cookie-session", key
// derivation hmac (HMAC-SHA1(secret, salt)) and HMAC-SHA1:
//
//	["."] base64url(zlib?(json)) "." timestamp "." signature
//
// The JSON is Flask's tagged JSON (see internal/flasktag), compact ("," and
// ":" separators) with \u escapes; Seal re-spells the object so, keeps its
// key order, and compresses it when that is shorter. Opening inflates at
// most MaxDecompressed bytes. A session whose only key is a tag name (" t",
// " di", ...) is wrapped as Flask's TagDict does ({" di": {"<key>__": v}})
// by Seal and unwrapped by Open, so the object Seal takes and Open returns
// always has the session's own keys, with tagged values. Flask's default
// lifetime is 31 days, checked by the caller against Meta.Written. An empty
// secret list or secret is ErrNoSecret.
func NewFlask(secrets []string) (format.Format, error) {
	s, err := NewSigner(secrets, FlaskSalt, HMAC)
	if err != nil {
		return nil, err
	}
	return &flask{signer: s}, nil
}

// Seal signs object dated now; expires is not used.
func (f *flask) Seal(object []byte, now, expires time.Time) (string, error) {
	wrapped, err := flasktag.WrapSession(object)
	if err != nil {
		return "", fmt.Errorf("flask: %w", err)
	}
	py, err := pyjson.Dumps(wrapped, pyjson.Compact)
	if err != nil {
		return "", fmt.Errorf("flask: %w", err)
	}
	payload, err := EncodeURLSafe(py)
	if err != nil {
		return "", fmt.Errorf("flask: %w", err)
	}
	return f.signer.Sign(payload, now.Unix())
}

// Open checks the signature first, then decodes the timestamp and the
// payload (bounded inflation), which must be a UTF-8 JSON object; it
// returns the object in compact form, tags as they stand. Meta.Written is
// the signed timestamp; Meta.Key the index of the secret that matched.
func (f *flask) Open(value string) ([]byte, format.Meta, error) {
	payload, ts, key, err := f.signer.Unsign(value)
	if err != nil {
		return nil, format.Meta{Key: -1}, fmt.Errorf("flask: %w", err)
	}
	data, err := DecodeURLSafe(payload)
	if err != nil {
		return nil, format.Meta{Key: -1}, fmt.Errorf("flask: %w", err)
	}
	obj, err := JSONObject(data)
	if err == nil {
		obj, err = flasktag.UnwrapSession(obj)
	}
	if err != nil {
		return nil, format.Meta{Key: -1}, fmt.Errorf("flask: %w", err)
	}
	return obj, format.Meta{Key: key, Written: unixTime(ts)}, nil
}
