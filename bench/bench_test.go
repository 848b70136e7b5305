package bench

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	fernetgo "github.com/fernet/fernet-go"
	"github.com/golang-jwt/jwt/v5"
)

// TestImpls checks that every implementation reads its own cookie and
// writes a new one exactly when the scenario changes the session, so that
// no benchmark measures a broken path.
func TestImpls(t *testing.T) {
	for _, im := range Impls {
		if err := im.Check(); err != nil {
			t.Error(err)
		}
	}
}

// BenchmarkRequest serves one full request per op through each
// implementation's middleware and handler. Every op gets a fresh copy of
// the request and a fresh recorder: reusing one *http.Request would let
// gorilla/sessions find the session it decoded before in the request's
// context and look many times faster than it is.
func BenchmarkRequest(b *testing.B) {
	for _, im := range Impls {
		base := im.Request()
		for _, sc := range Scenarios {
			h := im.Handler(sc)
			b.Run(im.Name+"/"+sc, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					req := *base
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, &req)
					if rec.Code != 200 {
						b.Fatalf("status %d: %s", rec.Code, rec.Body)
					}
				}
			})
		}
	}
}

var sink any

// jwtToken and fernetToken are the cookies cookiesession writes for the
// fixture values; the floors and libraries decode the same tokens.
func tokens(tb testing.TB) (jwtToken, fernetToken string) {
	j, _ := ImplByName("jwt")
	f, _ := ImplByName("fernet")
	jwtToken, fernetToken = j.CookieValue(), f.CookieValue()
	if jwtToken == "" || fernetToken == "" {
		tb.Fatal("no cookie")
	}
	return jwtToken, fernetToken
}

// naiveJWT is the floor the issue names for reading a jwt: strict base64,
// one HMAC-SHA256 check with hmac.Equal, then the payload handed to parse
// (json.Unmarshal into map[string]any for the full floor, into
// map[string]json.RawMessage for the split floor). It checks no header and
// no claim.
func naiveJWT[M any](token string, key []byte, parse func([]byte) (M, bool)) (M, bool) {
	var zero M
	dot1 := strings.IndexByte(token, '.')
	dot2 := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.Strict().DecodeString(token[dot2+1:])
	if err != nil {
		return zero, false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(token[:dot2]))
	if !hmac.Equal(mac.Sum(nil), sig) {
		return zero, false
	}
	payload, err := base64.RawURLEncoding.Strict().DecodeString(token[dot1+1 : dot2])
	if err != nil {
		return zero, false
	}
	return parse(payload)
}

// naiveFernet is the same floor for a Fernet token: strict base64, one
// HMAC-SHA256 check, AES-128-CBC decryption, unpadding, then parse. It
// checks no timestamp.
func naiveFernet[M any](token string, signing, encryption []byte, parse func([]byte) (M, bool)) (M, bool) {
	var zero M
	raw, err := base64.URLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) < 1+8+16+16+32 {
		return zero, false
	}
	signed, sum := raw[:len(raw)-32], raw[len(raw)-32:]
	mac := hmac.New(sha256.New, signing)
	mac.Write(signed)
	if !hmac.Equal(mac.Sum(nil), sum) {
		return zero, false
	}
	block, err := aes.NewCipher(encryption)
	if err != nil {
		return zero, false
	}
	body := make([]byte, len(signed)-25)
	cipher.NewCBCDecrypter(block, signed[9:25]).CryptBlocks(body, signed[25:])
	body = body[:len(body)-int(body[len(body)-1])]
	return parse(body)
}

// parseAll parses every value, as a reader that wants them all does: the
// full floor.
func parseAll(data []byte) (map[string]any, bool) {
	var v map[string]any
	return v, json.Unmarshal(data, &v) == nil
}

// parseSplit validates the object and splits it into its members, each
// value kept as raw JSON: what cookiesession's Decode does, the naive way.
func parseSplit(data []byte) (map[string]json.RawMessage, bool) {
	var v map[string]json.RawMessage
	return v, json.Unmarshal(data, &v) == nil
}

// BenchmarkFloor measures the cost floors of reading a session, on the
// tokens cookiesession writes for the fixture values.
func BenchmarkFloor(b *testing.B) {
	jwtToken, fernetToken := tokens(b)
	fernetKey := []byte(FernetSecret)
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(jwtToken, ".")[1])
	bench := func(name string, f func() bool) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			if !f() {
				b.Fatal("floor failed")
			}
			for i := 0; i < b.N; i++ {
				f()
			}
		})
	}
	// The full floors parse every value into map[string]any: compare them
	// with Decode/cookiesession-*-read-all. The split floors validate and
	// split, as cookiesession's Decode does: compare them with
	// Decode/cookiesession-*.
	bench("jwt-naive", func() bool {
		v, ok := naiveJWT(jwtToken, []byte(JWTSecret), parseAll)
		sink = v
		return ok && v["user"] == "tom"
	})
	bench("jwt-naive-split", func() bool {
		v, ok := naiveJWT(jwtToken, []byte(JWTSecret), parseSplit)
		sink = v
		return ok && string(v["user"]) == `"tom"`
	})
	bench("json-map-any", func() bool {
		var v map[string]any
		err := json.Unmarshal(payload, &v)
		sink = v
		return err == nil
	})
	bench("json-map-raw", func() bool {
		var v map[string]json.RawMessage
		err := json.Unmarshal(payload, &v)
		sink = v
		return err == nil
	})
	bench("fernet-naive", func() bool {
		v, ok := naiveFernet(fernetToken, fernetKey[:16], fernetKey[16:], parseAll)
		sink = v
		return ok && v["user"] == "tom"
	})
	bench("fernet-naive-split", func() bool {
		v, ok := naiveFernet(fernetToken, fernetKey[:16], fernetKey[16:], parseSplit)
		sink = v
		return ok && string(v["user"]) == `"tom"`
	})
}

// BenchmarkDecode measures cookiesession's codecs on their own, and the
// libraries they were checked against (golang-jwt/jwt/v5, fernet/fernet-go)
// on the same tokens, each followed by what it takes to reach the value.
func BenchmarkDecode(b *testing.B) {
	jwtToken, fernetToken := tokens(b)
	b64, _ := ImplByName("base64")
	b64Token := b64.CookieValue()
	codec := func(cfg cookiesession.Config) cookiesession.Codec {
		cfg.MaxAge = MaxAge
		c, err := cookiesession.NewCodec(cfg)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	bench := func(name string, f func() bool) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			if !f() {
				b.Fatal("decode failed")
			}
			for i := 0; i < b.N; i++ {
				f()
			}
		})
	}
	for _, c := range []struct {
		name, token string
		cfg         cookiesession.Config
	}{
		{"cookiesession-base64", b64Token, cookiesession.Config{Type: cookiesession.Base64}},
		{"cookiesession-jwt", jwtToken, cookiesession.Config{Type: cookiesession.JWT, SecretKey: JWTSecret}},
		{"cookiesession-fernet", fernetToken, cookiesession.Config{Type: cookiesession.Fernet, SecretKey: FernetSecret}},
	} {
		codec, token := codec(c.cfg), c.token
		bench(c.name, func() bool {
			v, err := codec.Decode(token)
			sink = v
			return err == nil && string(v["user"]) == `"tom"`
		})
	}
	// read-all: the cookie read through a Session and every value asked
	// for with Get, as a handler that wants them all does; the like of the
	// full floors, which parse every value.
	for _, c := range []struct {
		name, token string
		cfg         cookiesession.Config
	}{
		{"cookiesession-jwt-read-all", jwtToken, cookiesession.Config{Type: cookiesession.JWT, SecretKey: JWTSecret}},
		{"cookiesession-fernet-read-all", fernetToken, cookiesession.Config{Type: cookiesession.Fernet, SecretKey: FernetSecret}},
	} {
		c.cfg.MaxAge = MaxAge
		m, err := cookiesession.New(c.cfg)
		if err != nil {
			b.Fatal(err)
		}
		token := c.token
		ctx := context.Background()
		bench(c.name, func() bool {
			s := m.Load(ctx, token)
			keys := s.Keys()
			values := make([]any, len(keys))
			for i, k := range keys {
				values[i] = s.Get(k)
			}
			sink = values
			return s.Err() == nil && len(keys) == 3 && values[2] == "tom"
		})
	}
	jwtKey := []byte(JWTSecret)
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired())
	bench("golang-jwt", func() bool {
		tok, err := parser.Parse(jwtToken, func(*jwt.Token) (any, error) { return jwtKey, nil })
		if err != nil {
			return false
		}
		sink = tok
		return tok.Claims.(jwt.MapClaims)["user"] == "tom"
	})
	fk := fernetgo.Key{}
	copy(fk[:], FernetSecret)
	keys := []*fernetgo.Key{&fk}
	bench("fernet-go", func() bool {
		msg := fernetgo.VerifyAndDecrypt([]byte(fernetToken), MaxAge, keys)
		var v map[string]any
		if json.Unmarshal(msg, &v) != nil {
			return false
		}
		sink = v
		return v["user"] == "tom"
	})
}
