package crosscheck

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
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

// The clock of every test here: tokens are made and checked at fixed
// times, so that no result depends on when the test runs.
var now = time.Unix(1_800_000_000, 0)

func fixedNow() time.Time { return now }

// golangJWTParser is golang-jwt configured as cookiesession's jwt codec
// reads tokens: HS256 only, strict base64 (one spelling per token), exact
// JSON numbers, the same clock, no leeway on exp; leeway is the allowance
// for nbf (cookiesession allows MaxClockSkew there and none on exp, so the
// two claims need two parsers).
func golangJWTParser(leeway time.Duration, opts ...jwt.ParserOption) *jwt.Parser {
	return jwt.NewParser(append([]jwt.ParserOption{
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithJSONNumber(), jwt.WithStrictDecoding(),
		jwt.WithTimeFunc(fixedNow), jwt.WithLeeway(leeway),
	}, opts...)...)
}

func keyFunc(secret []byte) jwt.Keyfunc {
	return func(*jwt.Token) (any, error) { return secret, nil }
}

func jwtCodec(t *testing.T, secret string, clock func() time.Time) cookiesession.Codec {
	t.Helper()
	c, err := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.JWT, SecretKey: secret, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Tokens cookiesession writes, golang-jwt reads to the same values (and a
// valid exp); tokens golang-jwt writes, cookiesession reads to the same
// values.
func TestJWTAgainstGolangJWT(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	secret := "crosscheck-jwt-secret"
	ours := jwtCodec(t, secret, fixedNow)
	parser := golangJWTParser(0, jwt.WithExpirationRequired())
	for i := 0; i < rounds; i++ {
		want := randomValues(rng)

		// cookiesession writes, golang-jwt reads (and finds a valid exp).
		token, err := ours.Encode(toValues(t, want))
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := parser.Parse(token, keyFunc([]byte(secret)))
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

// Tokens that both must refuse, made by golang-jwt (other HMAC algorithms,
// alg none, other keys, exp passed, nbf ahead) and by cookiesession (another
// secret, a clock long past): cookiesession refuses each with the sentinel
// the case names, and golang-jwt, configured as cookiesession reads, refuses
// each with its own error for the same reason.
func TestJWTRefusalsAgreeWithGolangJWT(t *testing.T) {
	secret := []byte("crosscheck-jwt-secret")
	ours := jwtCodec(t, string(secret), fixedNow)
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		t.Helper()
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ourToken := func(secret string, clock time.Time) string {
		t.Helper()
		s, err := jwtCodec(t, secret, func() time.Time { return clock }).Encode(cookiesession.Values{"user": []byte(`"root"`)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	claims := jwt.MapClaims{"user": "root"}
	cases := []struct {
		name   string
		token  string
		ours   error // the sentinel cookiesession refuses with
		theirs error // golang-jwt's error
		leeway time.Duration
	}{
		{"golang-jwt HS384", sign(jwt.SigningMethodHS384, secret, claims), cookiesession.ErrAlgorithm, jwt.ErrTokenSignatureInvalid, 0},
		{"golang-jwt HS512", sign(jwt.SigningMethodHS512, secret, claims), cookiesession.ErrAlgorithm, jwt.ErrTokenSignatureInvalid, 0},
		{"golang-jwt none", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims), cookiesession.ErrAlgorithm, jwt.ErrTokenSignatureInvalid, 0},
		{"golang-jwt another key", sign(jwt.SigningMethodHS256, []byte("guess"), claims), cookiesession.ErrSignature, jwt.ErrTokenSignatureInvalid, 0},
		{"golang-jwt empty key", sign(jwt.SigningMethodHS256, []byte{}, claims), cookiesession.ErrSignature, jwt.ErrTokenSignatureInvalid, 0},
		{"golang-jwt exp 1 s ago", sign(jwt.SigningMethodHS256, secret, jwt.MapClaims{"user": "root", "exp": now.Unix() - 1}), cookiesession.ErrExpired, jwt.ErrTokenExpired, 0},
		{"golang-jwt exp now", sign(jwt.SigningMethodHS256, secret, jwt.MapClaims{"user": "root", "exp": now.Unix()}), cookiesession.ErrExpired, jwt.ErrTokenExpired, 0},
		{"golang-jwt nbf skew + 1 s ahead", sign(jwt.SigningMethodHS256, secret, jwt.MapClaims{"user": "root", "nbf": now.Add(cookiesession.MaxClockSkew).Unix() + 1}), cookiesession.ErrNotYetValid, jwt.ErrTokenNotValidYet, cookiesession.MaxClockSkew},
		{"cookiesession another secret", ourToken("another-secret", now), cookiesession.ErrSignature, jwt.ErrTokenSignatureInvalid, 0},
		{"cookiesession expired", ourToken(string(secret), now.Add(-15*24*time.Hour)), cookiesession.ErrExpired, jwt.ErrTokenExpired, 0},
	}
	for _, c := range cases {
		v, ourErr := ours.Decode(c.token)
		if !errors.Is(ourErr, c.ours) {
			t.Errorf("%s: cookiesession gave %v, %v; want %v", c.name, v, ourErr, c.ours)
		}
		parsed, theirErr := golangJWTParser(c.leeway).Parse(c.token, keyFunc(secret))
		if !errors.Is(theirErr, c.theirs) {
			t.Errorf("%s: golang-jwt gave %v; want %v", c.name, theirErr, c.theirs)
		}
		if theirErr == nil || parsed.Valid {
			t.Errorf("%s: golang-jwt accepted it", c.name)
		}
	}
}

// At the limits of exp and nbf, cookiesession and golang-jwt take the same
// decision, second by second: exp must lie ahead of the clock; nbf may lie
// up to MaxClockSkew ahead.
func TestJWTTimeLimitsAgreeWithGolangJWT(t *testing.T) {
	secret := []byte("crosscheck-jwt-secret")
	ours := jwtCodec(t, string(secret), fixedNow)
	skew := cookiesession.MaxClockSkew
	for _, c := range []struct {
		claim  string
		at     int64
		leeway time.Duration
		accept bool
	}{
		{"exp", now.Unix() - 1, 0, false},
		{"exp", now.Unix(), 0, false},
		{"exp", now.Unix() + 1, 0, true},
		{"nbf", now.Add(skew).Unix() - 1, skew, true},
		{"nbf", now.Add(skew).Unix(), skew, true},
		{"nbf", now.Add(skew).Unix() + 1, skew, false},
	} {
		token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"user": "tom", c.claim: c.at}).SignedString(secret)
		if err != nil {
			t.Fatal(err)
		}
		_, ourErr := ours.Decode(token)
		_, theirErr := golangJWTParser(c.leeway).Parse(token, keyFunc(secret))
		if (ourErr == nil) != c.accept || (theirErr == nil) != c.accept {
			t.Errorf("%s = now%+ds: cookiesession %v, golang-jwt %v; want accepted = %v", c.claim, c.at-now.Unix(), ourErr, theirErr, c.accept)
		}
	}
}

// Every one-byte change of a token cookiesession wrote is refused by both
// sides: golang-jwt, reading strictly, and cookiesession, with a refusal
// sentinel. Besides a random change per token, each token is respelled
// without changing its bytes (the lowest spare bit of the last character
// of the payload and of the signature, where they have spare bits): strict
// base64 on both sides refuses those too.
func TestJWTMutationsRefusedByBoth(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	secret := []byte("crosscheck-jwt-secret")
	ours := jwtCodec(t, string(secret), fixedNow)
	parser := golangJWTParser(0)
	respelled := 0
	for i := 0; i < rounds; i++ {
		token, err := ours.Encode(toValues(t, randomValues(rng)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parser.Parse(token, keyFunc(secret)); err != nil {
			t.Fatalf("golang-jwt refused the unchanged token: %v", err)
		}
		random := []byte(token)
		pos := rng.Intn(len(random))
		random[pos] ^= byte(1 + rng.Intn(255))
		mutations := [][]byte{random}
		dot2 := strings.LastIndexByte(token, '.')
		for _, end := range []int{dot2, len(token)} { // the payload's and the signature's last character
			start := strings.LastIndexByte(token[:end], '.') + 1
			if (end-start)%4 == 0 {
				continue // no spare bits
			}
			m := []byte(token)
			m[end-1] = b64urlAlphabet[strings.IndexByte(b64urlAlphabet, m[end-1])^1]
			mutations = append(mutations, m)
			respelled++
		}
		for _, mutated := range mutations {
			v, ourErr := ours.Decode(string(mutated))
			if !isRefusal(ourErr) {
				t.Errorf("%s changed to %s: cookiesession gave %v, %v", token, mutated, v, ourErr)
			}
			if _, theirErr := parser.Parse(string(mutated), keyFunc(secret)); theirErr == nil {
				t.Errorf("%s changed to %s: golang-jwt accepted it", token, mutated)
			}
		}
	}
	if respelled < rounds {
		t.Errorf("only %d respelled tokens (every signature has spare bits)", respelled)
	}
}

const b64urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func isRefusal(err error) bool {
	for _, s := range []error{cookiesession.ErrMalformed, cookiesession.ErrSignature, cookiesession.ErrAlgorithm,
		cookiesession.ErrExpired, cookiesession.ErrNotYetValid, cookiesession.ErrTooLarge} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func TestFernetAgainstFernetGo(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	spellingOnly := 0
	for _, secret := range []string{"k", "sessions-secret", strings.Repeat("z", 32), fernetKeyString(rng)} {
		ours, err := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.Fernet, SecretKey: secret, InsecureAllowPublicFernetKey: true})
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

			// Both refuse the same mutations. The one exception is a
			// change of spelling only: fernet-go decodes base64 leniently
			// (spare bits of the last character, line breaks), so a
			// changed character that decodes to the very same token bytes
			// is accepted there, while cookiesession decodes strictly and
			// refuses it as malformed (a token has one spelling).
			pos := rng.Intn(len(theirs))
			mutated := append([]byte(nil), theirs...)
			mutated[pos] ^= byte(1 + rng.Intn(255))
			_, ourErr := ours.Decode(string(mutated))
			theirPlain := fernet.VerifyAndDecrypt(mutated, time.Hour, []*fernet.Key{key})
			if sameTokenBytes(theirs, mutated) {
				spellingOnly++
				if !errors.Is(ourErr, cookiesession.ErrMalformed) {
					t.Errorf("respelled token %q: cookiesession gave %v, want ErrMalformed", mutated, ourErr)
				}
				if theirPlain == nil {
					t.Errorf("respelled token %q: fernet-go refused it (the bytes are unchanged)", mutated)
				}
				continue
			}
			if !isRefusal(ourErr) {
				t.Errorf("byte %d of %s changed: cookiesession gave %v", pos, theirs, ourErr)
			}
			if theirPlain != nil {
				t.Errorf("byte %d of %s changed: fernet-go accepted %q", pos, theirs, mutated)
			}
		}
	}
	t.Logf("%d of %d mutations changed the spelling only", spellingOnly, rounds)
}

// sameTokenBytes reports whether b decodes, as fernet-go decodes it
// (lenient base64, errors ignored), to the same bytes as a.
func sameTokenBytes(a, b []byte) bool {
	decode := func(s []byte) []byte {
		out := make([]byte, base64.URLEncoding.DecodedLen(len(s)))
		n, _ := base64.URLEncoding.Decode(out, s)
		return out[:n]
	}
	return bytes.Equal(decode(a), decode(b))
}

// Tokens both must refuse: another key, too old for the time-to-live, made
// too far ahead of the clock. fernet-go checks with the wall clock, so
// these tokens are dated relative to it.
func TestFernetRefusalsAgreeWithFernetGo(t *testing.T) {
	secret := "sessions-secret"
	key := fernetGoKey(t, secret)
	const ttl = time.Hour
	ours, err := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.Fernet, SecretKey: secret, InsecureAllowPublicFernetKey: true, MaxAge: ttl})
	if err != nil {
		t.Fatal(err)
	}
	madeAt := func(secret string, at time.Time) string {
		t.Helper()
		c, err := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.Fernet, SecretKey: secret, InsecureAllowPublicFernetKey: true, Now: func() time.Time { return at }})
		if err != nil {
			t.Fatal(err)
		}
		s, err := c.Encode(cookiesession.Values{"user": []byte(`"root"`)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	other, err := fernet.EncryptAndSign([]byte(`{"user":"root"}`), fernetGoKey(t, "another-secret"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, token string
		ours        error
	}{
		{"fernet-go, another key", string(other), cookiesession.ErrSignature},
		{"cookiesession, another key", madeAt("another-secret", time.Now()), cookiesession.ErrSignature},
		{"made 2 ttl ago", madeAt(secret, time.Now().Add(-2*ttl)), cookiesession.ErrExpired},
		{"made 10 min ahead", madeAt(secret, time.Now().Add(10*time.Minute)), cookiesession.ErrNotYetValid},
	} {
		if _, err := ours.Decode(c.token); !errors.Is(err, c.ours) {
			t.Errorf("%s: cookiesession gave %v, want %v", c.name, err, c.ours)
		}
		if plain := fernet.VerifyAndDecrypt([]byte(c.token), ttl, []*fernet.Key{key}); plain != nil {
			t.Errorf("%s: fernet-go accepted it as %s", c.name, plain)
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

// The one place the two sides differ on purpose: fernet-go decodes base64
// leniently, so a token respelled without changing its bytes (another
// value in the spare bits of the last character before the padding, a line
// break) is accepted there; cookiesession decodes strictly, so that a token
// has exactly one spelling, and refuses it as malformed.
func TestFernetRespellingsFernetGoAccepts(t *testing.T) {
	secret := "sessions-secret"
	key := fernetGoKey(t, secret)
	ours, err := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.Fernet, SecretKey: secret, InsecureAllowPublicFernetKey: true})
	if err != nil {
		t.Fatal(err)
	}
	respelled := 0
	for n := 0; n < 3; n++ { // payloads of 1, 2 and 3 blocks: every length mod 3
		token, err := fernet.EncryptAndSign([]byte(`{"user":"`+strings.Repeat("x", 16*n)+`"}`), key)
		if err != nil {
			t.Fatal(err)
		}
		variants := [][]byte{append(append(append([]byte(nil), token[:20]...), '\n'), token[20:]...)}
		if pad := bytes.IndexByte(token, '='); pad > 0 {
			last := append([]byte(nil), token...)
			last[pad-1] = b64urlAlphabet[strings.IndexByte(b64urlAlphabet, last[pad-1])^1] // the lowest spare bit
			variants = append(variants, last)
		}
		for _, v := range variants {
			if !sameTokenBytes(token, v) {
				t.Fatalf("%q is not a respelling of %q", v, token)
			}
			respelled++
			if plain := fernet.VerifyAndDecrypt(v, time.Hour, []*fernet.Key{key}); plain == nil {
				t.Errorf("fernet-go refused the respelled token %q", v)
			}
			if _, err := ours.Decode(string(v)); !errors.Is(err, cookiesession.ErrMalformed) {
				t.Errorf("respelled token %q: cookiesession gave %v, want ErrMalformed", v, err)
			}
		}
	}
	if respelled < 4 {
		t.Errorf("only %d respellings made; every token length should give at least one", respelled)
	}
}
