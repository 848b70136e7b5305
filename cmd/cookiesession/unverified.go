package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cookiesession/cookiesession"
)

// The label decode -unverified prints on stderr before the values.
const unverifiedLabel = "UNVERIFIED: signature not checked"

// decodeUnverified prints the session a jwt or base64 cookie holds without
// checking any signature or expiry, labelled as such on stderr. A payload
// that is not a session is refused (exit 1).
func (c *cli) decodeUnverified(typ cookiesession.Type, candidates []string) (string, error) {
	var values cookiesession.Values
	var err error
	switch typ {
	case cookiesession.Base64:
		// base64 sessions carry no signature: their decoding is the check.
		codec, cerr := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.Base64})
		if cerr != nil {
			return "", cerr
		}
		values, _, err = decodeFirst(codec.Decode, candidates)
	case cookiesession.JWT:
		values, _, err = decodeFirst(jwtClaimsUnverified, candidates)
	}
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

// b64url is the unpadded URL-safe base64 of JWS segments.
var b64url = base64.RawURLEncoding.Strict()

// jwtSegments splits a compact JWS into its decoded header and payload,
// checking only the structure: three segments, each of strict unpadded
// base64url (one spelling only: Go's decoder skips CR and LF, which the
// length check refuses), header and payload JSON objects. The signature is
// NOT checked. Errors wrap cookiesession.ErrMalformed or ErrTooLarge.
func jwtSegments(token string) (header, payload []byte, err error) {
	if len(token) > cookiesession.MaxCookieSize {
		return nil, nil, fmt.Errorf("%w: %d bytes, the limit is %d", cookiesession.ErrTooLarge, len(token), cookiesession.MaxCookieSize)
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
		if !isJSONObject(seg) {
			return nil, nil, fmt.Errorf("%w: the jwt %s is not a JSON object", cookiesession.ErrMalformed, name)
		}
		decoded[i] = seg
	}
	return decoded[0], decoded[1], nil
}

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
