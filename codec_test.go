package cookiesession

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

var allTypes = []Type{Base64, JWT, Fernet}

func testValues() Values {
	return Values{
		"user":  json.RawMessage(`"tom"`),
		"uid":   json.RawMessage(`9007199254740993`),
		"roles": json.RawMessage(`["admin","dev"]`),
		"name":  json.RawMessage(`"Jürgen <b>&</b> 😀"`),
	}
}

func mustCodec(t *testing.T, cfg Config) Codec {
	t.Helper()
	c, err := NewCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCodecRoundTrip(t *testing.T) {
	for _, typ := range allTypes {
		c := mustCodec(t, Config{Type: typ, SecretKey: "round-trip-secret"})
		token, err := c.Encode(testValues())
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decode(token)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if g, w := string(valuesJSON(t, got)), string(valuesJSON(t, testValues())); g != w {
			t.Errorf("%s: got %s, want %s", typ, g, w)
		}
	}
}

// The written JSON is what asgi-sessions writes: compact, UTF-8 as is, no
// HTML escaping.
func TestBase64TokenIsCompactUTF8JSON(t *testing.T) {
	token, err := mustCodec(t, Config{Type: Base64}).Encode(testValues())
	if err != nil {
		t.Fatal(err)
	}
	payload, err := b64fernet.DecodeString(token) // padded URL-safe base64
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"Jürgen <b>&</b> 😀","roles":["admin","dev"],"uid":9007199254740993,"user":"tom"}`
	if string(payload) != want {
		t.Errorf("payload %s, want %s", payload, want)
	}
}

func TestJWTHeaderIsPyJWTs(t *testing.T) {
	token, err := mustCodec(t, Config{Type: JWT, SecretKey: "k"}).Encode(Values{})
	if err != nil {
		t.Fatal(err)
	}
	header, _, _ := strings.Cut(token, ".")
	if raw, _ := b64url.DecodeString(header); string(raw) != jwtHeader {
		t.Errorf("header %s", raw)
	}
}

// Every single-byte change to a signed token is refused: flipped bits,
// deleted bytes, inserted bytes.
func TestSignedTokensRefuseEveryByteChange(t *testing.T) {
	for _, typ := range []Type{JWT, Fernet} {
		c := mustCodec(t, Config{Type: typ, SecretKey: "tamper-secret"})
		token, err := c.Encode(Values{"user": json.RawMessage(`"tom"`)})
		if err != nil {
			t.Fatal(err)
		}
		tried := 0
		for i := 0; i < len(token); i++ {
			for _, mutated := range []string{
				token[:i] + string(token[i]^0x01) + token[i+1:],
				token[:i] + string(token[i]^0x20) + token[i+1:],
				token[:i] + token[i+1:],
				token[:i] + "A" + token[i:],
			} {
				if mutated == token {
					continue
				}
				tried++
				if v, err := c.Decode(mutated); err == nil {
					t.Fatalf("%s: mutated token %q accepted as %s", typ, mutated, valuesJSON(t, v))
				} else if !isRefusal(err) {
					t.Fatalf("%s: %v wraps no refusal sentinel", typ, err)
				}
			}
		}
		if tried < 3*len(token) {
			t.Errorf("%s: only %d mutations tried", typ, tried)
		}
	}
}

func TestServerSideExpiry(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	for _, typ := range []Type{JWT, Fernet} {
		now := start
		clock := func() time.Time { return now }
		c := mustCodec(t, Config{Type: typ, SecretKey: "expiry-secret", MaxAge: time.Hour, Now: clock})
		token, err := c.Encode(Values{"user": json.RawMessage(`"tom"`)})
		if err != nil {
			t.Fatal(err)
		}
		now = start.Add(time.Hour - time.Second)
		if _, err := c.Decode(token); err != nil {
			t.Errorf("%s: refused before max age: %v", typ, err)
		}
		now = start.Add(time.Hour + time.Second)
		if _, err := c.Decode(token); !errors.Is(err, ErrExpired) {
			t.Errorf("%s: after max age: %v, want ErrExpired", typ, err)
		}
		// A server configured for browser-session cookies checks no expiry.
		lenient := mustCodec(t, Config{Type: typ, SecretKey: "expiry-secret", MaxAge: BrowserSession, Now: clock})
		if _, err := lenient.Decode(token); err != nil {
			t.Errorf("%s: BrowserSession refused an old token: %v", typ, err)
		}
		// A token from the future, beyond the clock skew, is refused.
		now = start.Add(-MaxClockSkew - time.Minute)
		if _, err := c.Decode(token); typ == Fernet && !errors.Is(err, ErrNotYetValid) {
			t.Errorf("%s: future token: %v, want ErrNotYetValid", typ, err)
		}
	}
}

// asgi-sessions writes no "exp": its jwt cookies stay readable whatever the
// max age, and this package's own carry exp, which is not a session value.
func TestJWTExpClaim(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	c := mustCodec(t, Config{Type: JWT, SecretKey: "k", Now: func() time.Time { return now }})
	token, _ := c.Encode(Values{"user": json.RawMessage(`"tom"`)})
	_, payload, _ := strings.Cut(token, ".")
	payload, _, _ = strings.Cut(payload, ".")
	raw, _ := b64url.DecodeString(payload)
	if want := `{"exp":1801209600,"user":"tom"}`; string(raw) != want {
		t.Errorf("payload %s, want %s", raw, want)
	}
	v, err := c.Decode(token)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v["exp"]; ok {
		t.Error("exp leaked into the session values")
	}
	for _, bad := range []string{`"tomorrow"`, `null`, `[1]`} {
		forged := signJWT(t, "k", `{"exp":`+bad+`}`)
		if _, err := c.Decode(forged); !errors.Is(err, ErrMalformed) {
			t.Errorf("exp %s: %v, want ErrMalformed", bad, err)
		}
	}
}

// signJWT signs a payload with HS256 and the usual header, as a holder of
// the key would.
func signJWT(t *testing.T, secret, payload string) string {
	t.Helper()
	c := &jwtCodec{keys: [][]byte{[]byte(secret)}}
	input := jwtHeaderEncoded + "." + b64url.EncodeToString([]byte(payload))
	token := []byte(input)
	sig := c.sign(token)
	return input + "." + b64url.EncodeToString(sig)
}

func TestKeyRotation(t *testing.T) {
	for _, typ := range []Type{JWT, Fernet} {
		old := mustCodec(t, Config{Type: typ, SecretKey: "old-secret"})
		token, err := old.Encode(Values{"user": json.RawMessage(`"tom"`)})
		if err != nil {
			t.Fatal(err)
		}
		rotated := mustCodec(t, Config{Type: typ, SecretKey: "new-secret", PreviousSecretKeys: []string{"older", "old-secret"}})
		if v, err := rotated.Decode(token); err != nil || string(v["user"]) != `"tom"` {
			t.Errorf("%s: rotated codec refused an old-key token: %v", typ, err)
		}
		fresh, err := rotated.Encode(Values{"user": json.RawMessage(`"tom"`)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := old.Decode(fresh); !errors.Is(err, ErrSignature) {
			t.Errorf("%s: new tokens must be made with the new key, old key read one: %v", typ, err)
		}
		if _, err := mustCodec(t, Config{Type: typ, SecretKey: "new-secret"}).Decode(token); !errors.Is(err, ErrSignature) {
			t.Errorf("%s: a dropped key still reads: %v", typ, err)
		}
	}
}

func TestFernetSecrets(t *testing.T) {
	for _, ok := range []string{"k", strings.Repeat("x", 32), "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="} {
		if _, err := NewCodec(Config{Type: Fernet, SecretKey: ok}); err != nil {
			t.Errorf("secret %q: %v", ok, err)
		}
	}
	for _, bad := range []string{strings.Repeat("x", 33), "pässwörd", strings.Repeat("%", 44)} {
		if _, err := NewCodec(Config{Type: Fernet, SecretKey: bad}); !errors.Is(err, ErrInvalidSecret) {
			t.Errorf("secret %q: %v, want ErrInvalidSecret", bad, err)
		}
	}
}

func TestOversizedCookiesAreRefusedBeforeDecoding(t *testing.T) {
	for _, typ := range allTypes {
		c := mustCodec(t, Config{Type: typ, SecretKey: "k"})
		for _, n := range []int{MaxCookieSize + 1, 100_000, 1 << 20} {
			if _, err := c.Decode(strings.Repeat("A", n)); !errors.Is(err, ErrTooLarge) {
				t.Errorf("%s, %d bytes: %v, want ErrTooLarge", typ, n, err)
			}
		}
	}
}

func TestJWTHeaders(t *testing.T) {
	c := mustCodec(t, Config{Type: JWT, SecretKey: "k"})
	for header, want := range map[string]error{
		`{"alg":"HS256"}`:                       nil,
		`{"typ":"JWT","alg":"HS256","kid":"1"}`: nil,
		`{"alg":"none","typ":"JWT"}`:            ErrAlgorithm,
		`{"alg":"hs256"}`:                       ErrAlgorithm,
		`{"alg":"HS512"}`:                       ErrAlgorithm,
		`{"alg":"RS256"}`:                       ErrAlgorithm,
		`{"typ":"JWT"}`:                         ErrAlgorithm,
		`{"alg":"HS256","crit":["b64"]}`:        ErrAlgorithm,
		`{"alg":"HS256","typ":"JWE"}`:           ErrMalformed,
		`["alg","HS256"]`:                       ErrMalformed,
	} {
		input := b64url.EncodeToString([]byte(header)) + "." + b64url.EncodeToString([]byte(`{"user":"tom"}`))
		token := input + "." + b64url.EncodeToString(c.(*jwtCodec).sign([]byte(input)))
		_, err := c.Decode(token)
		if want == nil && err != nil || want != nil && !errors.Is(err, want) {
			t.Errorf("header %s: %v, want %v", header, err, want)
		}
	}
}

func TestNewCodecErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want error
	}{
		{Config{}, ErrUnknownType},
		{Config{Type: "pickle"}, ErrUnknownType},
		{Config{Type: JWT}, ErrSecretRequired},
		{Config{Type: Fernet}, ErrSecretRequired},
		{Config{Type: JWT, SecretKey: "k", PreviousSecretKeys: []string{""}}, ErrInvalidSecret},
		{Config{Type: Fernet, SecretKey: "k", PreviousSecretKeys: []string{strings.Repeat("y", 40)}}, ErrInvalidSecret},
	} {
		if _, err := NewCodec(tc.cfg); !errors.Is(err, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.cfg, err, tc.want)
		}
	}
	if _, err := NewCodec(Config{Type: Base64}); err != nil {
		t.Errorf("base64 needs no secret: %v", err)
	}
}

// A MaxAge meant as "forever" does not overflow the expiry checks.
func TestHugeMaxAge(t *testing.T) {
	for _, typ := range []Type{JWT, Fernet} {
		c := mustCodec(t, Config{Type: typ, SecretKey: "k", MaxAge: time.Duration(math.MaxInt64)})
		token, err := c.Encode(Values{"user": json.RawMessage(`"tom"`)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Decode(token); err != nil {
			t.Errorf("%s: the server refused its own cookie: %v", typ, err)
		}
	}
}

// Header field names are matched exactly: "ALG" is not "alg".
func TestJWTHeaderNamesAreCaseSensitive(t *testing.T) {
	c := mustCodec(t, Config{Type: JWT, SecretKey: "k"}).(*jwtCodec)
	for _, header := range []string{`{"ALG":"HS256"}`, `{"Alg":"HS256","typ":"JWT"}`, `{"alg":"none","Alg":"HS256"}`} {
		input := b64url.EncodeToString([]byte(header)) + "." + b64url.EncodeToString([]byte(`{"user":"tom"}`))
		token := input + "." + b64url.EncodeToString(c.sign([]byte(input)))
		if v, err := c.Decode(token); !errors.Is(err, ErrAlgorithm) {
			t.Errorf("header %s: %v, %v; want ErrAlgorithm", header, v, err)
		}
	}
}
