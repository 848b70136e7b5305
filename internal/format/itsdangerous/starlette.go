package itsdangerous

import (
	"encoding/base64"
	"fmt"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous/pyjson"
)

// StarletteSalt is the salt of Starlette's signer: itsdangerous' default,
// as SessionMiddleware builds TimestampSigner(secret_key) without one.
const StarletteSalt = "itsdangerous.Signer"

var stdB64 = base64.StdEncoding.Strict()

type starlette struct {
	signer *Signer
}

// NewStarlette returns the cookie format of Starlette's SessionMiddleware
// (the session of Starlette and FastAPI apps) for the given secrets: the
// first signs, all are tried when opening (Starlette itself takes one
// secret; previous secrets let a Go service rotate). The value is
//
//	base64(json.dumps(session)) "." timestamp "." signature
//
// with the standard base64 alphabet with padding, json.dumps' default
// spelling (", " and ": " separators, \u escapes; Seal re-spells the
// compact JSON it is given so), an itsdangerous TimestampSigner with the
// salt "itsdangerous.Signer", key derivation django-concat
// (SHA1(salt + "signer" + secret)) and HMAC-SHA1. Starlette's default max
// age is 14 days, checked by the caller against Meta.Written. An empty
// secret list or secret is ErrNoSecret.
func NewStarlette(secrets []string) (format.Format, error) {
	s, err := NewSigner(secrets, StarletteSalt, DjangoConcat)
	if err != nil {
		return nil, err
	}
	return &starlette{signer: s}, nil
}

// Seal signs object dated now; expires is not used (the format carries no
// expiry).
func (f *starlette) Seal(object []byte, now, expires time.Time) (string, error) {
	py, err := pyjson.Dumps(object, pyjson.Default)
	if err != nil {
		return "", fmt.Errorf("starlette: %w", err)
	}
	if len(py) == 0 || py[0] != '{' {
		return "", fmt.Errorf("starlette: %w: not a JSON object", format.ErrMalformed)
	}
	payload := make([]byte, stdB64.EncodedLen(len(py)))
	stdB64.Encode(payload, py)
	return f.signer.Sign(payload, now.Unix())
}

// Open checks the signature first, then decodes the timestamp and the
// payload, which must be strict padded standard base64 of a UTF-8 JSON
// object. Meta.Written is the signed timestamp; Meta.Key the index of the
// secret that matched.
func (f *starlette) Open(value string) ([]byte, format.Meta, error) {
	payload, ts, key, err := f.signer.Unsign(value)
	if err != nil {
		return nil, format.Meta{Key: -1}, fmt.Errorf("starlette: %w", err)
	}
	data := make([]byte, stdB64.DecodedLen(len(payload)))
	n, err := stdB64.Decode(data, payload)
	if err != nil {
		return nil, format.Meta{Key: -1}, fmt.Errorf("starlette: %w: payload: %v", format.ErrMalformed, err)
	}
	obj, err := JSONObject(data[:n])
	if err != nil {
		return nil, format.Meta{Key: -1}, fmt.Errorf("starlette: %w", err)
	}
	return obj, format.Meta{Key: key, Written: unixTime(ts)}, nil
}
