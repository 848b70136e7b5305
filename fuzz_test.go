package cookiesession

// Fuzz targets. Run one with, for example,
//
//	go test -run '^$' -fuzz '^FuzzDecodeJWT$' -fuzztime 30s .
//
// Without -fuzz, plain `go test` runs each target on its seeds: the tokens
// in testdata/interop (asgi-sessions' cookies, the Fernet specification's
// vectors, RFC 7515's example) and the inputs under testdata/fuzz, if any.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// fuzzNow is the clock of every fuzz target: the time the asgi-sessions
// vectors were made, so that their fernet tokens are fresh.
const fuzzNow = 1795674665

// interopTokens is what the fuzz targets take from testdata/interop.
type interopTokens struct {
	secrets map[Type][]string // distinct secrets per type, in file order
	tokens  map[Type][]string // valid and invalid tokens per type
	other   []string          // Fernet spec and RFC 7515 tokens
	values  []string          // the JSON objects asgi-sessions stored
}

func loadInteropTokens(tb testing.TB) interopTokens {
	tb.Helper()
	vectors := loadASGIVectors(tb)
	it := interopTokens{secrets: map[Type][]string{}, tokens: map[Type][]string{}}
	addSecret := func(typ Type, s *string) {
		if s == nil || *s == "" {
			return
		}
		for _, have := range it.secrets[typ] {
			if have == *s {
				return
			}
		}
		it.secrets[typ] = append(it.secrets[typ], *s)
	}
	for _, v := range vectors.Valid {
		addSecret(v.Type, v.Secret)
		it.tokens[v.Type] = append(it.tokens[v.Type], v.Token)
		it.values = append(it.values, string(v.Values))
	}
	for _, v := range vectors.Invalid {
		it.tokens[v.Type] = append(it.tokens[v.Type], v.Token)
	}
	for _, name := range []string{"generate.json", "verify.json", "invalid.json"} {
		var spec []struct {
			Token string `json:"token"`
		}
		readJSON(tb, "testdata/interop/fernet-spec/"+name, &spec)
		for _, s := range spec {
			it.other = append(it.other, s.Token)
		}
	}
	var rfc struct {
		Token string `json:"token"`
	}
	readJSON(tb, "testdata/interop/jwt-rfc7515-a1.json", &rfc)
	it.other = append(it.other, rfc.Token)
	if len(it.tokens[Base64]) == 0 || len(it.tokens[JWT]) == 0 || len(it.tokens[Fernet]) == 0 || len(it.values) == 0 {
		tb.Fatal("testdata/interop holds no tokens")
	}
	return it
}

// fuzzCodec returns the codec for typ keyed with every secret the vectors
// use for it, so that their valid tokens decode and the fuzzer reaches
// the code past the signature check.
func fuzzCodec(tb testing.TB, typ Type, secrets []string) Codec {
	tb.Helper()
	cfg := Config{Type: typ, Now: fixedClock(fuzzNow)}
	if len(secrets) > 0 {
		cfg.SecretKey, cfg.PreviousSecretKeys = secrets[0], secrets[1:]
		cfg.InsecureAllowPublicFernetKey = true // the vectors' secrets are short
	}
	c, err := NewCodec(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// refusal returns the sentinel a refused cookie's error wraps, or nil.
func refusal(err error) error {
	for _, s := range []error{ErrTooLarge, ErrMalformed, ErrSignature, ErrAlgorithm, ErrExpired, ErrNotYetValid} {
		if errors.Is(err, s) {
			return s
		}
	}
	return nil
}

// checkDecoded holds for every Decode result, whatever the input: a
// refusal wraps a sentinel and gives no values; an acceptance gives a
// session that re-encodes, of an input no longer than the size cap.
func checkDecoded(t *testing.T, token string, v Values, err error) {
	t.Helper()
	if err != nil {
		if v != nil {
			t.Fatalf("refused with %v but returned values %v", err, v)
		}
		if refusal(err) == nil {
			t.Fatalf("error %q wraps no refusal sentinel", err)
		}
		if len(token) > MaxCookieSize && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%d-byte value refused with %v, want ErrTooLarge first", len(token), err)
		}
		return
	}
	if v == nil {
		t.Fatal("accepted, but values are nil")
	}
	if len(token) > MaxCookieSize {
		t.Fatalf("accepted a %d-byte value", len(token))
	}
	if _, err := marshalValues(v); err != nil {
		t.Fatalf("accepted values do not re-encode: %v", err)
	}
}

// jwtAuthentic checks a jwt the way RFC 7515 says, independently of
// jwtCodec: three segments, a header naming HS256, and an HMAC-SHA256 of
// the signing input under one of the keys, in canonical base64url.
func jwtAuthentic(token string, secrets []string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return false
	}
	var h map[string]any
	if json.Unmarshal(header, &h) != nil || h["alg"] != "HS256" {
		return false
	}
	for _, s := range secrets {
		mac := hmac.New(sha256.New, []byte(s))
		io.WriteString(mac, parts[0]+"."+parts[1])
		if base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) == parts[2] {
			return true
		}
	}
	return false
}

// fernetAuthentic checks a fernet token as the Fernet specification says,
// independently of fernetCodec: canonical padded base64url, version 0x80,
// and an HMAC-SHA256 of everything before it under one of the keys.
func fernetAuthentic(token string, secrets []string) bool {
	raw, err := base64.URLEncoding.DecodeString(token)
	if err != nil || base64.URLEncoding.EncodeToString(raw) != token || len(raw) < 1+8+16+16+32 || raw[0] != 0x80 {
		return false
	}
	for _, s := range secrets {
		key, err := fernetKeyFromSecret(s)
		if err != nil {
			continue
		}
		mac := hmac.New(sha256.New, key.signing)
		mac.Write(raw[:len(raw)-32])
		if hmac.Equal(mac.Sum(nil), raw[len(raw)-32:]) {
			return true
		}
	}
	return false
}

func FuzzDecodeBase64(f *testing.F) {
	it := loadInteropTokens(f)
	for _, tok := range it.tokens[Base64] {
		f.Add(tok)
	}
	for _, tok := range it.other {
		f.Add(tok)
	}
	for _, v := range it.values {
		f.Add(base64.URLEncoding.EncodeToString([]byte(v)))
	}
	f.Add(base64.URLEncoding.EncodeToString([]byte(`{"a":1,"a":2}`)))
	f.Add(base64.URLEncoding.EncodeToString([]byte(`[{}]`)))
	addLineBreakSeeds(f, base64.URLEncoding.EncodeToString([]byte(`{"user":"tom"}`)))
	c := fuzzCodec(f, Base64, nil)
	f.Fuzz(func(t *testing.T, token string) {
		v, err := c.Decode(token)
		checkDecoded(t, token, v, err)
		if err != nil {
			return
		}
		// Accepted: the token is the one canonical spelling of a JSON object.
		payload, err := base64.URLEncoding.DecodeString(token)
		if err != nil || base64.URLEncoding.EncodeToString(payload) != token {
			t.Fatalf("accepted %q, which is not canonical padded base64url", token)
		}
		if trimmed := bytes.TrimLeft(payload, " \t\r\n"); !json.Valid(payload) || trimmed[0] != '{' {
			t.Fatalf("accepted %q, whose payload %q is not a JSON object", token, payload)
		}
	})
}

func FuzzDecodeJWT(f *testing.F) {
	it := loadInteropTokens(f)
	for _, tok := range it.tokens[JWT] {
		f.Add(tok)
	}
	for _, tok := range it.other {
		f.Add(tok)
	}
	secrets := it.secrets[JWT]
	for _, v := range it.values {
		f.Add(signJWTWith(secrets[0], jwtHeaderEncoded, v))
	}
	for _, h := range []string{`{"alg":"none"}`, `{"alg":"HS512","typ":"JWT"}`, `{"alg":"HS256","crit":["x"]}`, `{"alg":"HS256","kid":"k"}`} {
		f.Add(signJWTWith(secrets[0], b64url.EncodeToString([]byte(h)), `{"user":"tom"}`))
	}
	f.Add(signJWTWith(secrets[0], jwtHeaderEncoded, `{"exp":"soon"}`))
	f.Add(signJWTWith(secrets[0], jwtHeaderEncoded, `{"nbf":9999999999}`))
	addLineBreakSeeds(f, signJWTWith(secrets[0], jwtHeaderEncoded, `{"user":"tom"}`))
	c := fuzzCodec(f, JWT, secrets)
	f.Fuzz(func(t *testing.T, token string) {
		v, err := c.Decode(token)
		checkDecoded(t, token, v, err)
		if err != nil {
			return
		}
		if !jwtAuthentic(token, secrets) {
			t.Fatalf("accepted %q, which no configured secret signed", token)
		}
		if _, ok := v["exp"]; ok {
			t.Fatal(`accepted values still hold the token's "exp"`)
		}
		if _, ok := v["nbf"]; ok {
			t.Fatal(`accepted values still hold the token's "nbf"`)
		}
		if strings.ContainsAny(token, "\r\n") {
			t.Fatalf("accepted %q, which has a line break: a token has one spelling", token)
		}
	})
}

func FuzzDecodeFernet(f *testing.F) {
	it := loadInteropTokens(f)
	for _, tok := range it.tokens[Fernet] {
		f.Add(tok)
	}
	for _, tok := range it.other {
		f.Add(tok)
	}
	secrets := it.secrets[Fernet]
	key, err := fernetKeyFromSecret(secrets[0])
	if err != nil {
		f.Fatal(err)
	}
	for i, v := range it.values {
		f.Add(sealFernet(key, []byte(v), fuzzNow-int64(i)))
	}
	f.Add(sealFernet(key, []byte(`{"a":1}`), fuzzNow+3600))
	f.Add(sealFernet(key, []byte(`not json`), fuzzNow))
	addLineBreakSeeds(f, sealFernet(key, []byte(`{"user":"tom"}`), fuzzNow))
	c := fuzzCodec(f, Fernet, secrets)
	f.Fuzz(func(t *testing.T, token string) {
		v, err := c.Decode(token)
		checkDecoded(t, token, v, err)
		if err == nil && !fernetAuthentic(token, secrets) {
			t.Fatalf("accepted %q, which no configured secret made", token)
		}
		if err == nil && strings.ContainsAny(token, "\r\n") {
			t.Fatalf("accepted %q, which has a line break: a token has one spelling", token)
		}
	})
}

// addLineBreakSeeds adds spellings of an authentic token with CR, LF or
// CRLF inserted at its start, middle and end: Go's base64 decoder skips
// them even in strict mode, so each codec must refuse them itself.
func addLineBreakSeeds(f *testing.F, token string) {
	for _, lb := range []string{"\n", "\r", "\r\n"} {
		for _, at := range []int{0, 1, len(token) / 2, len(token) - 1, len(token)} {
			f.Add(token[:at] + lb + token[at:])
		}
	}
}

// signJWTWith signs header.payload (header already encoded) with HS256.
func signJWTWith(secret, encodedHeader, payload string) string {
	input := encodedHeader + "." + b64url.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, []byte(secret))
	io.WriteString(mac, input)
	return input + "." + b64url.EncodeToString(mac.Sum(nil))
}

// sealFernet makes a fernet token with a fixed IV, so that seeds are the
// same in every fuzzing process.
func sealFernet(k fernetKey, plaintext []byte, ts int64) string {
	iv := bytes.Repeat([]byte{0x42}, 16)
	token, err := fernetSeal(k, plaintext, bytes.NewReader(iv), ts)
	if err != nil {
		panic(err) // unreachable: iv is 16 bytes
	}
	return b64fernet.EncodeToString(token)
}

// The forgery targets start from a token made with the key and apply the
// mutations the ops bytes describe: flip, set, insert or delete bytes of
// the text or of the decoded token, swap or repeat segments, change the
// algorithm or version. Any token other than the one the key made must be
// refused.

var forgeryHeaders = []string{
	`{"alg":"none","typ":"JWT"}`, `{"alg":"None"}`, `{"alg":"NONE"}`, `{"alg":"nOnE"}`,
	`{"alg":"HS384","typ":"JWT"}`, `{"alg":"HS512","typ":"JWT"}`, `{"alg":"RS256","typ":"JWT"}`,
	`{"alg":"ES256"}`, `{"alg":"hs256"}`, `{"alg":"HS256"}`, `{"typ":"JWT","alg":"HS256"}`,
	`{"alg":"HS256","typ":"JWT","kid":"../../../dev/null"}`, `{"alg":"HS256","jku":"http://127.0.0.1:1/k"}`,
	`{"alg":"HS256","typ":"JWT"} `, `{"alg":"HS256","alg":"none"}`, `{"alg":"none","alg":"HS256"}`,
}

// mutate applies ops to token. raw decodes the token to bytes and encode
// turns bytes back into a token, for mutations below the text encoding;
// segments splits the text into its parts for swaps.
func mutate(token string, ops []byte, raw func(string) ([]byte, bool), encode func([]byte) string, sep string) string {
	for len(ops) >= 4 {
		kind, pos, arg := ops[0]%10, int(binary.BigEndian.Uint16(ops[1:3])), ops[3]
		ops = ops[4:]
		b := []byte(token)
		if kind >= 5 && kind <= 7 {
			var ok bool
			if b, ok = raw(token); !ok {
				continue
			}
		}
		switch kind {
		case 0, 5: // flip one bit
			if len(b) > 0 {
				b[pos%len(b)] ^= 1 << (arg % 8)
			}
		case 1, 6: // set one byte
			if len(b) > 0 {
				b[pos%len(b)] = arg
			}
		case 2, 7: // insert one byte
			p := pos % (len(b) + 1)
			b = append(b[:p], append([]byte{arg}, b[p:]...)...)
		case 3: // delete one byte
			if len(b) > 0 {
				p := pos % len(b)
				b = append(b[:p], b[p+1:]...)
			}
		case 4: // truncate
			b = b[:pos%(len(b)+1)]
		case 8: // swap two segments, or repeat one in place of another
			parts := strings.Split(token, sep)
			if len(parts) > 1 {
				i, j := pos%len(parts), int(arg)%len(parts)
				if arg&0x80 != 0 {
					parts[i] = parts[j]
				} else {
					parts[i], parts[j] = parts[j], parts[i]
				}
			}
			b = []byte(strings.Join(parts, sep))
		case 9: // change the algorithm (jwt) or the version byte (fernet)
			if sep == "." {
				parts := strings.Split(token, ".")
				parts[0] = b64url.EncodeToString([]byte(forgeryHeaders[int(arg)%len(forgeryHeaders)]))
				b = []byte(strings.Join(parts, "."))
			} else if rb, ok := raw(token); ok && len(rb) > 0 {
				rb[0] = arg
				b = []byte(encode(rb))
			}
		}
		if kind >= 5 && kind <= 7 {
			token = encode(b)
		} else {
			token = string(b)
		}
	}
	return token
}

// boundedForgery keeps each forgery input's work small: sessions that fit
// in a cookie, and at most 64 mutations. Without the bound the fuzzer grows
// inputs whose mutations (each re-encoding the whole token) take seconds,
// and a run can end in "context deadline exceeded" on one slow input.
func boundedForgery(data, ops []byte) bool {
	return len(data) <= 2048 && len(ops) <= 4*64
}

// checkForgery makes a token of the session data with c, applies the
// mutation program ops to it, and fails unless the result is refused, or is
// the untouched token and accepted.
func checkForgery(t *testing.T, c Codec, data, ops []byte, raw func(string) ([]byte, bool), encode func([]byte) string, sep string) {
	t.Helper()
	if !boundedForgery(data, ops) {
		return
	}
	token, err := c.Encode(sessionValues(data))
	if err != nil {
		t.Fatalf("encoding %q: %v", data, err)
	}
	forged := mutate(token, ops, raw, encode, sep)
	v, err := c.Decode(forged)
	checkDecoded(t, forged, v, err)
	if forged == token {
		if err != nil && len(token) <= MaxCookieSize {
			t.Fatalf("the unmutated token is refused: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("forged token accepted:\n made   %q\n forged %q\n values %v", token, forged, v)
	}
}

// forgerySeeds are mutation programs for f.Add: one of each kind, at the
// start, the middle and the end of a token.
func forgerySeeds() [][]byte {
	var seeds [][]byte
	for kind := byte(0); kind < 10; kind++ {
		for _, pos := range []uint16{0, 40, 0xffff} {
			seeds = append(seeds, []byte{kind, byte(pos >> 8), byte(pos), 0x5a})
		}
	}
	seeds = append(seeds, []byte{8, 0, 0, 1, 8, 0, 1, 2}, []byte{9, 0, 0, 0}, []byte{9, 0, 0, 4}, []byte{9, 0, 0, 15})
	return seeds
}

// sessionValues makes a session from fuzz data: the data itself if it is
// a JSON object, else an object holding it as a string.
func sessionValues(data []byte) Values {
	var v Values
	if json.Unmarshal(data, &v) != nil || v == nil {
		s, _ := json.Marshal(string(data))
		v = Values{"data": s}
	}
	return v
}

func FuzzForgeJWT(f *testing.F) {
	it := loadInteropTokens(f)
	for i, v := range it.values {
		for j, ops := range forgerySeeds() {
			if (i+j)%3 == 0 {
				f.Add([]byte(v), ops)
			}
		}
	}
	secret := "forgery-target-secret-0123456789"
	c, err := NewCodec(Config{Type: JWT, SecretKey: secret, Now: fixedClock(fuzzNow)})
	if err != nil {
		f.Fatal(err)
	}
	raw := func(tok string) ([]byte, bool) { return []byte(tok), true }
	f.Fuzz(func(t *testing.T, data, ops []byte) {
		checkForgery(t, c, data, ops, raw, func(b []byte) string { return string(b) }, ".")
	})
}

func FuzzForgeFernet(f *testing.F) {
	it := loadInteropTokens(f)
	for i, v := range it.values {
		for j, ops := range forgerySeeds() {
			if (i+j)%3 == 0 {
				f.Add([]byte(v), ops)
			}
		}
	}
	// A token with a newline in it decodes, under Go's base64, to the
	// bytes of the token without it.
	f.Add([]byte(`{"a":1}`), []byte{2, 0, 8, '\n'})
	c, err := NewCodec(Config{Type: Fernet, SecretKey: "forgery-target-secret", Now: fixedClock(fuzzNow)})
	if err != nil {
		f.Fatal(err)
	}
	raw := func(tok string) ([]byte, bool) {
		b, err := base64.URLEncoding.DecodeString(tok)
		return b, err == nil
	}
	encode := base64.URLEncoding.EncodeToString
	f.Fuzz(func(t *testing.T, data, ops []byte) {
		// A fernet token has no text segments: "swap segments" swaps
		// single characters of it.
		checkForgery(t, c, data, ops, raw, encode, "")
	})
}

// FuzzRoundTrip: any JSON value under any key, set through a Session,
// saved into a cookie by the Manager and read back by a fresh Session,
// comes back as exactly its compact JSON text, for all three types; or
// the cookie would be too large and the Manager says so.
func FuzzRoundTrip(f *testing.F) {
	it := loadInteropTokens(f)
	for _, v := range it.values {
		var obj map[string]json.RawMessage
		if json.Unmarshal([]byte(v), &obj) == nil {
			for k, raw := range obj {
				f.Add(k, []byte(raw))
			}
		}
		f.Add("v", []byte(v))
	}
	f.Add("n", []byte(`9007199254740993`))
	f.Add("f", []byte(`1.5e-07`))
	f.Add("s", []byte(`"a;b, c\"d\r\n\u0000 <>&\u2028"`))
	f.Add("ключ 😀", []byte(`[null,true,false,{},[],{"x":[1,{"y":"z"}]}]`))
	f.Add("x", []byte(`{"a":1,"a":2}`))
	f.Add("big", []byte(`"`+strings.Repeat("x", 4000)+`"`))
	f.Add("bad", []byte(`{"a":`))

	var managers []*Manager
	for _, typ := range allTypes {
		m, err := New(Config{Type: typ, SecretKey: "round-trip-secret", Now: fixedClock(fuzzNow),
			ErrorHandler: func(context.Context, error) {}})
		if err != nil {
			f.Fatal(err)
		}
		managers = append(managers, m)
	}
	f.Fuzz(func(t *testing.T, key string, value []byte) {
		var want bytes.Buffer
		valid := json.Valid(value) && json.Compact(&want, value) == nil
		// The key as encoding/json writes it (invalid UTF-8 becomes U+FFFD).
		var wantKey string
		if k, err := json.Marshal(key); err != nil || json.Unmarshal(k, &wantKey) != nil {
			t.Fatalf("key %q: %v", key, err)
		}
		for _, m := range managers {
			typ := m.cfg.Type
			if typ == JWT && (wantKey == "exp" || wantKey == "nbf") {
				continue // registered jwt claims: see TestJWTReservedClaimNames
			}
			s := m.Load(context.Background(), "")
			err := s.Set(key, json.RawMessage(value))
			if key == "" {
				// The empty key is refused, whatever the value.
				if !errors.Is(err, ErrInvalidKey) || s.Changed() || s.Len() != 0 {
					t.Fatalf("%s: the empty key: Set gave %v, changed %v", typ, err, s.Changed())
				}
				continue
			}
			if !valid || !utf8.Valid(value) {
				// Invalid JSON, and raw JSON holding invalid UTF-8 (which
				// no other reader of the cookie could read), are refused.
				if err == nil || s.Changed() || s.Len() != 0 {
					t.Fatalf("%s: invalid JSON %q: Set gave %v, changed %v", typ, value, err, s.Changed())
				}
				continue
			}
			if errors.Is(err, ErrTooLarge) {
				// Refused by Set: not saved, nothing changed, and the
				// token alone must be near the limit.
				if !errors.Is(err, ErrNotSaved) || s.Changed() || s.Len() != 0 {
					t.Fatalf("%s: Set refused %q with %v, changed %v", typ, key, err, s.Changed())
				}
				tok, encErr := m.Codec().Encode(Values{key: json.RawMessage(want.Bytes())})
				if encErr != nil || len(tok)+len(m.cfg.CookieName)+1 <= MaxCookieSize-100 {
					t.Fatalf("%s: Set said too large for a %d-byte token (%v)", typ, len(tok), encErr)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: Set(%q, %s): %v", typ, key, value, err)
			}
			cookie, err := m.Save(s)
			if err != nil {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("%s: Save: %v", typ, err)
				}
				// Too large: the token alone must be near the limit.
				tok, encErr := m.Codec().Encode(s.values)
				if encErr != nil || len(tok)+len(m.cfg.CookieName)+1 <= MaxCookieSize-100 {
					t.Fatalf("%s: Save said too large for a %d-byte token (%v)", typ, len(tok), encErr)
				}
				continue
			}
			if cookie == nil || !cookieSafe(cookie.Value) {
				t.Fatalf("%s: cookie %v is not cookie-safe", typ, cookie)
			}
			back := m.Load(context.Background(), cookie.Value)
			if err := back.Err(); err != nil {
				t.Fatalf("%s: own cookie refused: %v", typ, err)
			}
			keys := back.Keys()
			if len(keys) != 1 || keys[0] != wantKey {
				t.Fatalf("%s: keys %q, want [%q]", typ, keys, wantKey)
			}
			raw, _ := back.Raw(wantKey)
			if !bytes.Equal(raw, want.Bytes()) {
				t.Fatalf("%s: value %q came back as %q", typ, want.Bytes(), raw)
			}
		}
	})
}

// cookieSafe reports whether v consists of cookie-octets only (RFC 6265
// section 4.1.1): no controls, whitespace, DQUOTE, comma, semicolon or
// backslash, nothing outside ASCII.
func cookieSafe(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

// FuzzMiddlewareCookie sends arbitrary Cookie headers through the
// middleware of each type, in process and over HTTP on 127.0.0.1, to a
// handler that reads the session and then stores the header in it.
func FuzzMiddlewareCookie(f *testing.F) {
	it := loadInteropTokens(f)
	for _, typ := range allTypes {
		for _, tok := range it.tokens[typ] {
			f.Add("session=" + tok)
			f.Add(`other=1; session="` + tok + `"; session=x`)
		}
	}
	f.Add("session=; session=%%%; session=a,b; session=a b")
	f.Add(`session="a;b"; session="\r\n"`)
	f.Add(strings.Repeat("session=x;", 100))

	secrets := map[Type][]string{JWT: {"middleware-fuzz-secret"}, Fernet: {"middleware-fuzz-secret"}}
	var (
		mu       sync.Mutex
		reported []error
	)
	handlers := map[Type]http.Handler{}
	for _, typ := range allTypes {
		cfg := Config{Type: typ, Now: fixedClock(fuzzNow), ErrorHandler: func(_ context.Context, err error) {
			mu.Lock()
			reported = append(reported, err)
			mu.Unlock()
		}}
		if s := secrets[typ]; len(s) > 0 {
			cfg.SecretKey = s[0]
		}
		m, err := New(cfg)
		if err != nil {
			f.Fatal(err)
		}
		// Seed authentic tokens of this server too.
		tok, _ := m.Codec().Encode(Values{"user": json.RawMessage(`"tom"`)})
		f.Add("session=" + tok)
		f.Add("session=bad; session=" + tok)
		handlers[typ] = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := FromRequest(r)
			n := s.Len()
			if err := refusal(s.Err()); err != nil {
				w.Header().Set("X-Refused", err.Error())
			}
			_ = s.Set("echo", strings.Join(r.Header["Cookie"], "\n"))
			w.Header().Set("X-Len", string(rune('0'+min(n, 9))))
		}))
	}
	mux := http.NewServeMux()
	for typ, h := range handlers {
		mux.Handle("/"+string(typ), h)
	}
	srv := httptest.NewServer(mux)
	f.Cleanup(srv.Close)
	client := srv.Client()

	take := func() []error {
		mu.Lock()
		defer mu.Unlock()
		r := reported
		reported = nil
		return r
	}
	check := func(t *testing.T, typ Type, header string, code int, h http.Header, m *Manager) {
		t.Helper()
		// The echo of a long header (control characters take six bytes
		// each in JSON) cannot fit a cookie: Set refuses it, and reports
		// that, beside the cookie's refusal if there was one.
		var errs []error
		for _, err := range take() {
			if errors.Is(err, ErrNotSaved) && errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrCookieRefused) {
				continue
			}
			errs = append(errs, err)
		}
		if code >= 500 {
			t.Fatalf("%s: status %d for Cookie %q", typ, code, header)
		}
		refused := h.Get("X-Refused") != ""
		if refused != (len(errs) == 1) || len(errs) > 1 {
			t.Fatalf("%s: Cookie %q: refused %v, errors reported %v", typ, header, refused, errs)
		}
		for _, err := range errs {
			if !errors.Is(err, ErrCookieRefused) || refusal(err) == nil {
				t.Fatalf("%s: reported error %v is not a refusal wrapping its sentinel", typ, err)
			}
		}
		if typ != Base64 && h.Get("X-Len") != "0" && !headerHasAuthentic(header, typ, secrets[typ]) {
			t.Fatalf("%s: Cookie %q gave a session of %s keys, but holds no token the key made", typ, header, h.Get("X-Len"))
		}
		lines := h.Values("Set-Cookie")
		if len(lines) > 1 {
			t.Fatalf("%s: %d Set-Cookie lines", typ, len(lines))
		}
		if len(lines) == 0 {
			return // too large to send: the echo of a long header
		}
		cookies := (&http.Response{Header: http.Header{"Set-Cookie": lines}}).Cookies()
		if len(cookies) != 1 || cookies[0].Name != "session" || !cookieSafe(cookies[0].Value) ||
			strings.ContainsAny(lines[0], "\r\n") || strings.Count(lines[0], ";") != 4 {
			t.Fatalf("%s: Set-Cookie %q is not one safe cookie with its four attributes", typ, lines[0])
		}
		if _, err := m.Codec().Decode(cookies[0].Value); err != nil {
			t.Fatalf("%s: written cookie does not decode: %v", typ, err)
		}
	}
	managers := map[Type]*Manager{}
	for _, typ := range allTypes {
		cfg := Config{Type: typ, Now: fixedClock(fuzzNow)}
		if s := secrets[typ]; len(s) > 0 {
			cfg.SecretKey = s[0]
		}
		managers[typ], _ = New(cfg)
	}

	f.Fuzz(func(t *testing.T, header string) {
		for _, typ := range allTypes {
			req := httptest.NewRequest("GET", "/"+string(typ), nil)
			req.Header["Cookie"] = []string{header}
			rec := httptest.NewRecorder()
			handlers[typ].ServeHTTP(rec, req)
			check(t, typ, header, rec.Code, rec.Header(), managers[typ])

			if !validHeaderValue(header) || len(header) > 64<<10 {
				continue
			}
			req, err := http.NewRequest("GET", srv.URL+"/"+string(typ), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Cookie", header)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			check(t, typ, header, resp.StatusCode, resp.Header, managers[typ])
		}
	})
}

// validHeaderValue is what net/http's client accepts as a header value:
// no control characters but horizontal tab.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// headerHasAuthentic reports whether some cookie named "session" in the
// header, quoted or not, is a token one of the secrets made.
func headerHasAuthentic(header string, typ Type, secrets []string) bool {
	for _, part := range strings.Split(header, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || name != "session" {
			continue
		}
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		if typ == JWT && jwtAuthentic(value, secrets) || typ == Fernet && fernetAuthentic(value, secrets) {
			return true
		}
	}
	return false
}

// Registered jwt claims are not session keys: "exp" is the token's expiry,
// written by the codec and hidden from the session; "nbf" is checked, so an
// app value under it could make every later cookie refused. Set refuses
// both in jwt sessions, and changes nothing; the other types store them.
func TestJWTReservedClaimNames(t *testing.T) {
	for _, typ := range allTypes {
		m, err := New(Config{Type: typ, SecretKey: testSecret, Now: fixedClock(fuzzNow), ErrorHandler: func(context.Context, error) {}})
		if err != nil {
			t.Fatal(err)
		}
		s := m.Load(context.Background(), "")
		must(t, s.Set("user", "tom"))
		for _, key := range []string{"exp", "nbf"} {
			err := s.Set(key, "app data")
			if typ == JWT && !errors.Is(err, ErrReservedKey) {
				t.Errorf("jwt: Set(%q) = %v, want ErrReservedKey", key, err)
			}
			if typ != JWT && err != nil {
				t.Errorf("%s: Set(%q) = %v", typ, key, err)
			}
		}
		c, err := m.Save(s)
		if err != nil {
			t.Fatal(err)
		}
		back := m.Load(context.Background(), c.Value)
		want := []string{"exp", "nbf", "user"}
		if typ == JWT {
			want = []string{"user"}
		}
		if back.Err() != nil || !slices.Equal(back.Keys(), want) {
			t.Errorf("%s: read back %v (%v), want %v", typ, back.Keys(), back.Err(), want)
		}
	}
}

// FuzzLoadHeaderFormats sends arbitrary Cookie headers to Managers of the
// framework formats and of chunked jwt sessions through LoadHeader: no
// panic, and every refusal is an empty session with an error wrapping
// ErrCookieRefused and a sentinel, its text free of control characters.
// A header holding a cookie the seeds' secret sealed may be accepted.
func FuzzLoadHeaderFormats(f *testing.F) {
	type target struct {
		cfg  Config
		seed []*http.Cookie
	}
	var targets []target
	t := f
	for _, typ := range frameworkTypes {
		cfg := fmtConfig(typ, chunkSecret)
		targets = append(targets, target{cfg, mint(t, cfg, fmtNow-60, map[string]any{"user": "tom"})})
	}
	big := map[string]any{"user": "tom", "blob": strings.Repeat("abcdefghij", 900)}
	iron := fmtConfig(IronSession, chunkSecret)
	targets = append(targets, target{iron, mint(t, iron, fmtNow-60, big)})
	jwtChunks := chunkConfig(JWT)
	targets = append(targets, target{jwtChunks, mint(t, jwtChunks, fmtNow-60, big)})
	managers := make([]*Manager, len(targets))
	for i, tg := range targets {
		tg.cfg.ErrorHandler = func(context.Context, error) {}
		m, err := New(tg.cfg)
		if err != nil {
			f.Fatal(err)
		}
		managers[i] = m
		h := header(tg.seed)
		f.Add(uint8(i), h)
		f.Add(uint8(i), h[:len(h)/2])
		f.Add(uint8(i), strings.Replace(h, "; ", ";", -1)+"; "+h)
	}
	f.Fuzz(func(t *testing.T, which uint8, h string) {
		m := managers[int(which)%len(managers)]
		s := m.LoadHeader(context.Background(), h)
		n := s.Len()
		err := s.Err()
		if err == nil {
			return
		}
		if n != 0 {
			t.Errorf("refused (%v) but %d keys", err, n)
		}
		if !errors.Is(err, ErrCookieRefused) || refusal(err) == nil {
			t.Errorf("refusal %q wraps no sentinel", err)
		}
		if hasControl(err.Error()) {
			t.Errorf("refusal %q: a control character", err)
		}
	})
}
