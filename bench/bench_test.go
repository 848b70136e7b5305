package bench

import (
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
// one HMAC-SHA256 check with hmac.Equal, and json.Unmarshal into
// map[string]any. It checks no header and no claim.
func naiveJWT(token string, key []byte) (map[string]any, bool) {
	dot1 := strings.IndexByte(token, '.')
	dot2 := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.Strict().DecodeString(token[dot2+1:])
	if err != nil {
		return nil, false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(token[:dot2]))
	if !hmac.Equal(mac.Sum(nil), sig) {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.Strict().DecodeString(token[dot1+1 : dot2])
	if err != nil {
		return nil, false
	}
	var v map[string]any
	if json.Unmarshal(payload, &v) != nil {
		return nil, false
	}
	return v, true
}

// naiveFernet is the same floor for a Fernet token: strict base64, one
// HMAC-SHA256 check, AES-128-CBC decryption, unpadding, and json.Unmarshal
// into map[string]any. It checks no timestamp.
func naiveFernet(token string, signing, encryption []byte) (map[string]any, bool) {
	raw, err := base64.URLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) < 1+8+16+16+32 {
		return nil, false
	}
	signed, sum := raw[:len(raw)-32], raw[len(raw)-32:]
	mac := hmac.New(sha256.New, signing)
	mac.Write(signed)
	if !hmac.Equal(mac.Sum(nil), sum) {
		return nil, false
	}
	block, err := aes.NewCipher(encryption)
	if err != nil {
		return nil, false
	}
	body := make([]byte, len(signed)-25)
	cipher.NewCBCDecrypter(block, signed[9:25]).CryptBlocks(body, signed[25:])
	body = body[:len(body)-int(body[len(body)-1])]
	var v map[string]any
	if json.Unmarshal(body, &v) != nil {
		return nil, false
	}
	return v, true
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
	bench("jwt-naive", func() bool {
		v, ok := naiveJWT(jwtToken, []byte(JWTSecret))
		sink = v
		return ok && v["user"] == "tom"
	})
	bench("json-map-any", func() bool {
		var v map[string]any
		err := json.Unmarshal(payload, &v)
		sink = v
		return err == nil
	})
	bench("fernet-naive", func() bool {
		v, ok := naiveFernet(fernetToken, fernetKey[:16], fernetKey[16:])
		sink = v
		return ok && v["user"] == "tom"
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
