package crosscheck

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/fernet/fernet-go"
	"github.com/golang-jwt/jwt/v5"
)

const rounds = 300

// randomValues makes a session of random JSON values: strings with
// non-ASCII and HTML characters, integers beyond 2^53, floats, nesting.
func randomValues(rng *rand.Rand) map[string]any {
	alphabet := []rune("abcXYZ019 <>&\"'\\/\u00e9\u0416\U0001F600\n\t")
	str := func() string {
		r := make([]rune, rng.Intn(12))
		for i := range r {
			r[i] = alphabet[rng.Intn(len(alphabet))]
		}
		return string(r)
	}
	v := map[string]any{}
	for i := rng.Intn(6); i >= 0; i-- {
		switch rng.Intn(6) {
		case 0:
			v[str()] = str()
		case 1:
			v[str()] = json.Number(fmt.Sprint(1<<53 + rng.Int63n(1<<40)))
		case 2:
			v[str()] = json.Number(fmt.Sprint(rng.NormFloat64() * 1e6))
		case 3:
			v[str()] = []any{true, false, nil, str()}
		case 4:
			v[str()] = map[string]any{"k": str(), "n": json.Number("-12")}
		default:
			v[str()] = nil
		}
	}
	delete(v, "exp") // exp belongs to the token
	return v
}

func toValues(t *testing.T, m map[string]any) cookiesession.Values {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var v cookiesession.Values
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// canonical decodes JSON-ish data with exact numbers, for comparison.
func canonical(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	if m, ok := out.(map[string]any); ok {
		delete(m, "exp")
	}
	return out
}

func TestJWTAgainstGolangJWT(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	secret := "crosscheck-jwt-secret"
	ours, err := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.JWT, SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	keyFunc := func(*jwt.Token) (any, error) { return []byte(secret), nil }
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithJSONNumber(), jwt.WithExpirationRequired())
	for i := 0; i < rounds; i++ {
		want := randomValues(rng)

		// cookiesession writes, golang-jwt reads (and finds a valid exp).
		token, err := ours.Encode(toValues(t, want))
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := parser.Parse(token, keyFunc)
		if err != nil {
			t.Fatalf("golang-jwt refused %s: %v", token, err)
		}
		if g, w := canonical(t, parsed.Claims), canonical(t, want); !reflect.DeepEqual(g, w) {
			t.Fatalf("golang-jwt read %v, want %v", g, w)
		}

		// golang-jwt writes, cookiesession reads.
		theirs, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(want)).SignedString([]byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ours.Decode(theirs)
		if err != nil {
			t.Fatalf("cookiesession refused golang-jwt's %s: %v", theirs, err)
		}
		if g, w := canonical(t, got), canonical(t, want); !reflect.DeepEqual(g, w) {
			t.Fatalf("cookiesession read %v, want %v", g, w)
		}
	}
}

// Tokens golang-jwt can make but cookiesession must refuse: other HMAC
// algorithms, alg none, another key, an expired exp.
func TestJWTRefusalsAgreeWithGolangJWT(t *testing.T) {
	secret := []byte("crosscheck-jwt-secret")
	ours, _ := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.JWT, SecretKey: string(secret)})
	claims := jwt.MapClaims{"user": "root"}
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for name, token := range map[string]string{
		"HS384":       sign(jwt.SigningMethodHS384, secret, claims),
		"HS512":       sign(jwt.SigningMethodHS512, secret, claims),
		"none":        sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims),
		"another key": sign(jwt.SigningMethodHS256, []byte("guess"), claims),
		"empty key":   sign(jwt.SigningMethodHS256, []byte{}, claims),
		"expired":     sign(jwt.SigningMethodHS256, secret, jwt.MapClaims{"user": "root", "exp": time.Now().Add(-time.Minute).Unix()}),
	} {
		if v, err := ours.Decode(token); err == nil {
			t.Errorf("%s: accepted as %v", name, v)
		}
	}
}

func TestFernetAgainstFernetGo(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, secret := range []string{"k", "sessions-secret", strings.Repeat("z", 32), fernetKeyString(rng)} {
		ours, err := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.Fernet, SecretKey: secret})
		if err != nil {
			t.Fatal(err)
		}
		key := fernetGoKey(t, secret)
		for i := 0; i < rounds/4; i++ {
			want := randomValues(rng)

			token, err := ours.Encode(toValues(t, want))
			if err != nil {
				t.Fatal(err)
			}
			plain := fernet.VerifyAndDecrypt([]byte(token), time.Hour, []*fernet.Key{key})
			if plain == nil {
				t.Fatalf("fernet-go refused %s (secret %q)", token, secret)
			}
			var got any
			dec := json.NewDecoder(strings.NewReader(string(plain)))
			dec.UseNumber()
			if err := dec.Decode(&got); err != nil {
				t.Fatal(err)
			}
			if g, w := canonical(t, got), canonical(t, want); !reflect.DeepEqual(g, w) {
				t.Fatalf("fernet-go read %v, want %v", g, w)
			}

			payload, _ := json.Marshal(want)
			theirs, err := fernet.EncryptAndSign(payload, key)
			if err != nil {
				t.Fatal(err)
			}
			values, err := ours.Decode(string(theirs))
			if err != nil {
				t.Fatalf("cookiesession refused fernet-go's %s: %v", theirs, err)
			}
			if g, w := canonical(t, values), canonical(t, want); !reflect.DeepEqual(g, w) {
				t.Fatalf("cookiesession read %v, want %v", g, w)
			}

			// Both refuse the same mutations.
			pos := rng.Intn(len(theirs))
			mutated := append([]byte(nil), theirs...)
			mutated[pos] ^= byte(1 + rng.Intn(255))
			_, ourErr := ours.Decode(string(mutated))
			theirPlain := fernet.VerifyAndDecrypt(mutated, time.Hour, []*fernet.Key{key})
			if ourErr == nil {
				t.Fatalf("mutated token accepted (fernet-go: %v)", theirPlain != nil)
			}
		}
	}
}

// fernetGoKey is the key fernet-go gets for a secret, as asgi-sessions makes
// it: a short secret padded with '=' to 32 bytes, or a standard key.
func fernetGoKey(t *testing.T, secret string) *fernet.Key {
	t.Helper()
	if len(secret) == 44 {
		k, err := fernet.DecodeKey(secret)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	padded := secret + strings.Repeat("=", 32-len(secret))
	k, err := fernet.DecodeKey(base64.URLEncoding.EncodeToString([]byte(padded)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func fernetKeyString(rng *rand.Rand) string {
	raw := make([]byte, 32)
	rng.Read(raw)
	return base64.URLEncoding.EncodeToString(raw)
}
