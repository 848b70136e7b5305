package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/envelope"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous"
	"github.com/cookiesession/cookiesession/internal/format/keygrip"
)

// The label decode -unverified prints on stderr before the values.
const unverifiedLabel = "UNVERIFIED: signature not checked"

// maxUnverified bounds the cookie value decode -unverified reads: more
// than the largest session of several cookies (Config.MaxSize at most
// 16 KiB).
const maxUnverified = 32 << 10

// unverifiedDecoders read a session type's payload without its secret.
// Fernet and iron-session cookies are encrypted: they have none.
var unverifiedDecoders = map[cookiesession.Type]func(string) (cookiesession.Values, error){
	cookiesession.JWT:           jwtClaimsUnverified,
	cookiesession.Starlette:     starletteUnverified,
	cookiesession.Flask:         flaskUnverified,
	cookiesession.Django:        djangoUnverified,
	cookiesession.CookieSession: cookieSessionUnverified,
}

// decodeUnverified prints the session a cookie holds without checking any
// signature or expiry, labelled as such on stderr. input is a cookie value
// or, when fromHeader, a whole Cookie header whose session cookies are
// picked (and chunks joined) as decode does. A payload that is not a
// session is refused (exit 1); fernet and iron-session are a usage error
// (exit 2): their cookies are encrypted.
func (c *cli) decodeUnverified(cfg cookiesession.Config, input string, fromHeader bool) (string, error) {
	decode, ok := unverifiedDecoders[cfg.Type]
	switch {
	case cfg.Type == cookiesession.Fernet || cfg.Type == cookiesession.IronSession:
		return "", usagef("%s cookies are encrypted: -unverified cannot show them; decode them with the secret", cfg.Type)
	case cfg.Type == cookiesession.Base64:
		// base64 sessions carry no signature: their decoding is the check.
		codec, err := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.Base64, MaxSize: cfg.MaxSize})
		if err != nil {
			return "", usagef("%w", err)
		}
		decode = codec.Decode
	case !ok: // unreachable: every type is listed
		return "", usagef("-unverified does not know the type %s", cfg.Type)
	}
	candidates := []string{input}
	if fromHeader {
		var err error
		if candidates, err = logicalValues(cfg, input); len(candidates) == 0 {
			if err != nil {
				return "", err
			}
			_, names := sessionCookies(input, cfg.CookieName)
			return "", fmt.Errorf("no cookie named %q with a value in -cookies (names there: %s)", cfg.CookieName, quoteAll(names))
		}
	}
	// The longest value a server of this configuration reads.
	limit := max(cookiesession.MaxCookieSize, cfg.MaxSize)
	if cfg.Type == cookiesession.CookieSession {
		limit += len(".") + 27 // the logical value's ".SIGNATURE"
	}
	bounded := func(value string) (cookiesession.Values, error) {
		if len(value) > limit {
			return nil, fmt.Errorf("%w: %d bytes, the limit is %d", cookiesession.ErrTooLarge, len(value), limit)
		}
		return decode(value)
	}
	values, _, err := decodeFirst(bounded, candidates)
	if err != nil {
		return "", err
	}
	out, err := formatValues(values)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(c.stderr, "cookiesession: %s (nor expiry): anyone could have written these values\n", unverifiedLabel)
	return out, nil
}

// tooLarge refuses a value longer than maxUnverified.
func tooLarge(value string) error {
	if len(value) > maxUnverified {
		return fmt.Errorf("%w: %d bytes, the limit is %d", cookiesession.ErrTooLarge, len(value), maxUnverified)
	}
	return nil
}

// objectValues returns data as session values if it is one JSON object in
// valid UTF-8, else an error wrapping ErrMalformed that names what.
func objectValues(data []byte, what string) (cookiesession.Values, error) {
	if !isJSONObject(data) {
		return nil, fmt.Errorf("%w: the %s is not a JSON object", cookiesession.ErrMalformed, what)
	}
	var values cookiesession.Values
	if err := json.Unmarshal(data, &values); err != nil { // unreachable: checked
		return nil, fmt.Errorf("%w: the %s: %v", cookiesession.ErrMalformed, what, err)
	}
	return values, nil
}

// itsdangerousPayload returns the payload of an itsdangerous token
// (PAYLOAD.TIMESTAMP.SIGNATURE, as Starlette and Flask write it) without
// checking the signature.
func itsdangerousPayload(token, typ string) (string, error) {
	if err := tooLarge(token); err != nil {
		return "", err
	}
	i := strings.LastIndexByte(token, '.')
	j := -1
	if i > 0 {
		j = strings.LastIndexByte(token[:i], '.')
	}
	if j < 0 {
		return "", fmt.Errorf("%w: a %s cookie is PAYLOAD.TIMESTAMP.SIGNATURE", cookiesession.ErrMalformed, typ)
	}
	return token[:j], nil
}

// starletteUnverified returns a Starlette session without checking its
// signature: the payload is standard padded base64 of the JSON object.
func starletteUnverified(token string) (cookiesession.Values, error) {
	payload, err := itsdangerousPayload(token, "starlette")
	if err != nil {
		return nil, err
	}
	data, err := base64.StdEncoding.Strict().DecodeString(payload)
	if err != nil || strings.ContainsAny(payload, "\r\n") {
		return nil, fmt.Errorf("%w: the starlette payload is not base64", cookiesession.ErrMalformed)
	}
	return objectValues(data, "starlette payload")
}

// flaskUnverified returns a Flask session, in Flask's tagged JSON, without
// checking its signature: unpadded base64url, zlib-compressed when it
// starts with '.', inflated to at most itsdangerous.MaxDecompressed bytes.
func flaskUnverified(token string) (cookiesession.Values, error) {
	payload, err := itsdangerousPayload(token, "flask")
	if err != nil {
		return nil, err
	}
	return urlSafeObject(payload, "flask")
}

// djangoUnverified returns a Django session without checking its
// signature: PAYLOAD:TIMESTAMP:SIGNATURE, the payload as Flask's.
func djangoUnverified(token string) (cookiesession.Values, error) {
	if err := tooLarge(token); err != nil {
		return nil, err
	}
	parts := strings.Split(token, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: a django cookie is PAYLOAD:TIMESTAMP:SIGNATURE", cookiesession.ErrMalformed)
	}
	return urlSafeObject(parts[0], "django")
}

// urlSafeObject decodes an itsdangerous URL-safe payload (the '.' prefix
// marking zlib, inflation bounded) into session values.
func urlSafeObject(payload, typ string) (cookiesession.Values, error) {
	if strings.ContainsAny(payload, "\r\n") {
		return nil, fmt.Errorf("%w: line break in the %s payload", cookiesession.ErrMalformed, typ)
	}
	data, err := itsdangerous.DecodeURLSafe([]byte(payload))
	if err != nil {
		return nil, fmt.Errorf("the %s payload: %w", typ, err)
	}
	return objectValues(data, typ+" payload")
}

// cookieSessionUnverified returns the JSON object of a cookie-session
// value cookie (standard padded base64), without checking its .sig
// cookie. value may be the logical value "VALUE.SIGNATURE" that decode
// -cookies assembles.
func cookieSessionUnverified(value string) (cookiesession.Values, error) {
	if err := tooLarge(value); err != nil {
		return nil, err
	}
	if v, _, ok := keygrip.Split(value); ok {
		value = v
	}
	data, err := base64.StdEncoding.Strict().DecodeString(value)
	if err != nil || strings.ContainsAny(value, "\r\n") {
		return nil, fmt.Errorf("%w: the cookie-session value is not base64", cookiesession.ErrMalformed)
	}
	return objectValues(data, "cookie-session value")
}

// b64url is the unpadded URL-safe base64 of JWS segments.
var b64url = base64.RawURLEncoding.Strict()

// jwtSegments splits a compact JWS into its decoded header and payload,
// checking only the structure: three segments, each of strict unpadded
// base64url (one spelling only: Go's decoder skips CR and LF, which the
// length check refuses), header and payload JSON objects. The signature is
// NOT checked. Errors wrap cookiesession.ErrMalformed or ErrTooLarge.
func jwtSegments(token string) (header, payload []byte, err error) {
	if err := tooLarge(token); err != nil {
		return nil, nil, err
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, fmt.Errorf("%w: a jwt has 3 segments separated by '.', this value has %d", cookiesession.ErrMalformed, len(parts))
	}
	decoded := make([][]byte, 2)
	for i, name := range []string{"header", "payload"} {
		seg, err := b64url.DecodeString(parts[i])
		if err != nil || b64url.EncodedLen(len(seg)) != len(parts[i]) {
			return nil, nil, fmt.Errorf("%w: the jwt %s is not base64url", cookiesession.ErrMalformed, name)
		}
		if i == 1 && len(seg) > 0 && seg[0] == envelope.Marker {
			// A compressed payload (Config.Compress), expanded within
			// the library's default bounds.
			if seg, err = unpacker.Unpack(seg); err != nil {
				return nil, nil, fmt.Errorf("the jwt payload: %w", err)
			}
		}
		if !isJSONObject(seg) {
			return nil, nil, fmt.Errorf("%w: the jwt %s is not a JSON object", cookiesession.ErrMalformed, name)
		}
		decoded[i] = seg
	}
	return decoded[0], decoded[1], nil
}

// unpacker expands compressed payloads within the library's default
// bounds.
var unpacker = func() *envelope.Envelope {
	e, err := envelope.New(envelope.Options{})
	if err != nil {
		panic(err) // unreachable: the defaults are valid
	}
	return e
}()

// jwtClaimsUnverified returns a jwt's claims (the session, with exp, nbf
// and any other claim it holds) without checking its signature.
func jwtClaimsUnverified(token string) (cookiesession.Values, error) {
	_, payload, err := jwtSegments(token)
	if err != nil {
		return nil, err
	}
	var claims cookiesession.Values
	if err := json.Unmarshal(payload, &claims); err != nil { // unreachable: checked
		return nil, fmt.Errorf("%w: the jwt payload: %v", cookiesession.ErrMalformed, err)
	}
	return claims, nil
}

// isJSONObject reports whether data is one valid JSON object in UTF-8.
func isJSONObject(data []byte) bool {
	trimmed := bytes.TrimSpace(data)
	return utf8.Valid(data) && json.Valid(data) && len(trimmed) > 0 && trimmed[0] == '{'
}
