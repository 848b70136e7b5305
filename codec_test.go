package cookiesession

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
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
// deleted bytes, inserted bytes and line breaks, and other spellings of
// the spare bits of a base64 segment's last character. The clock is
// fixed and the values chosen so that every segment's last character has
// spare bits, so the result does not depend on when the test runs.
func TestSignedTokensRefuseEveryByteChange(t *testing.T) {
	for _, tc := range []struct {
		typ      Type
		values   Values
		segments []string // how the token splits into base64 segments
	}{
		// Payload {"exp":1801209600,"user":"tom"}, 31 bytes: 4 spare
		// bits; signature, 32 bytes: 2.
		{JWT, Values{"user": json.RawMessage(`"tom"`)}, nil},
		// 73 bytes: one byte in the last group, 4 spare bits.
		{Fernet, Values{"user": json.RawMessage(`"tom"`)}, nil},
	} {
		c := mustCodec(t, Config{Type: tc.typ, SecretKey: "tamper-secret-0123456789abcdefgh", Now: fixedClock(1_800_000_000)})
		token, err := c.Encode(tc.values)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Decode(token); err != nil {
			t.Fatal(err)
		}
		mutations := map[string]bool{}
		for i := 0; i < len(token); i++ {
			for _, mutated := range []string{
				token[:i] + string(token[i]^0x01) + token[i+1:],
				token[:i] + string(token[i]^0x20) + token[i+1:],
				token[:i] + token[i+1:],
				token[:i] + "A" + token[i:],
				token[:i] + "\n" + token[i:],
				token[:i] + "\r\n" + token[i:],
			} {
				mutations[mutated] = true
			}
		}
		spare := 0
		for _, v := range spareBitSpellings(t, tc.typ, token) {
			mutations[v] = true
			spare++
		}
		if spare == 0 {
			t.Fatalf("%s: %q has no segment with spare bits: the test would not catch a lax decoder", tc.typ, token)
		}
		delete(mutations, token)
		for mutated := range mutations {
			if v, err := c.Decode(mutated); err == nil {
				t.Errorf("%s: mutated token %q accepted as %s", tc.typ, mutated, valuesJSON(t, v))
			} else if !isRefusal(err) {
				t.Errorf("%s: %v wraps no refusal sentinel", tc.typ, err)
			}
		}
		if len(mutations) < 5*len(token) {
			t.Errorf("%s: only %d mutations tried", tc.typ, len(mutations))
		}
	}
}

// spareBitSpellings returns the other spellings of token's base64 segments
// that a decoder ignoring the spare low bits of a segment's last character
// would read as the same bytes.
func spareBitSpellings(t *testing.T, typ Type, token string) []string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var out []string
	end := 0
	for end < len(token) {
		next := strings.IndexByte(token[end:], '.')
		if typ != JWT || next < 0 {
			next = len(token) - end
		}
		seg := strings.TrimRight(token[end:end+next], "=")
		// n characters carry 6n bits, of which the whole bytes are data:
		// the low 6n mod 8 bits of the last character are spare.
		n := len(seg)
		spareBits := (n * 6) % 8
		if spareBits > 0 {
			last := strings.IndexByte(alphabet, seg[n-1])
			for flip := 1; flip < 1<<spareBits; flip++ {
				pos := end + n - 1
				out = append(out, token[:pos]+string(alphabet[last^flip])+token[pos+1:])
			}
		}
		end += next + 1
	}
	if len(out) == 0 {
		t.Logf("%s: no spare bits in %q", typ, token)
	}
	return out
}

// The limits of every time check, at one second before, exactly at, and
// one second after, with a fixed clock: jwt "exp" (refused at or after
// it), a jwt "exp" further ahead than MaxAge plus the clock skew, jwt
// "nbf" (60 s allowance), fernet age (a token exactly MaxAge old is
// accepted, as the Fernet specification and Python's cryptography do),
// and a fernet timestamp ahead of the clock (60 s allowance).
func TestExpiryEdges(t *testing.T) {
	const t0 = 1_800_000_000
	maxAge := time.Hour
	now := time.Unix(t0, 0)
	clock := func() time.Time { return now }
	at := func(unix int64) { now = time.Unix(unix, 0) }
	jwtc := mustCodec(t, Config{Type: JWT, SecretKey: "edge-secret-0123456789abcdefghij", MaxAge: maxAge, Now: clock})
	fer := mustCodec(t, Config{Type: Fernet, SecretKey: "edge-secret-0123456789abcdefghij", MaxAge: maxAge, Now: clock})
	skew := int64(MaxClockSkew / time.Second)
	age := int64(maxAge / time.Second)
	if skew != 60 {
		t.Fatalf("MaxClockSkew is %v; the edges below assume 60 s", MaxClockSkew)
	}
	check := func(name string, c Codec, token string, readAt int64, want error) {
		t.Helper()
		at(readAt)
		_, err := c.Decode(token)
		if want == nil && err != nil || want != nil && !errors.Is(err, want) {
			t.Errorf("%s, read at %+d s: %v, want %v", name, readAt-t0, err, want)
		}
	}

	// jwt exp, as this codec writes it: exp = t0 + MaxAge.
	at(t0)
	token, err := jwtc.Encode(Values{"user": json.RawMessage(`"tom"`)})
	if err != nil {
		t.Fatal(err)
	}
	check("jwt exp", jwtc, token, t0+age-1, nil)
	check("jwt exp", jwtc, token, t0+age, ErrExpired)
	check("jwt exp", jwtc, token, t0+age+1, ErrExpired)

	// jwt exp ahead of the clock by MaxAge + skew, and one second more.
	for _, tc := range []struct {
		ahead int64
		want  error
	}{{age + skew - 1, nil}, {age + skew, nil}, {age + skew + 1, ErrExpired}} {
		token := signJWT(t, "edge-secret-0123456789abcdefghij", `{"exp":`+strconv.FormatInt(t0+tc.ahead, 10)+`}`)
		check(fmt.Sprintf("jwt exp %d s ahead", tc.ahead), jwtc, token, t0, tc.want)
	}

	// jwt nbf: accepted up to the clock skew ahead.
	for _, tc := range []struct {
		ahead int64
		want  error
	}{{-1, nil}, {0, nil}, {1, nil}, {skew - 1, nil}, {skew, nil}, {skew + 1, ErrNotYetValid}, {3600, ErrNotYetValid}} {
		token := signJWT(t, "edge-secret-0123456789abcdefghij", `{"user":"tom","nbf":`+strconv.FormatInt(t0+tc.ahead, 10)+`}`)
		check(fmt.Sprintf("jwt nbf %+d s", tc.ahead), jwtc, token, t0, tc.want)
	}

	// fernet age: made at t0.
	at(t0)
	token, err = fer.Encode(Values{"user": json.RawMessage(`"tom"`)})
	if err != nil {
		t.Fatal(err)
	}
	check("fernet age", fer, token, t0+age-1, nil)
	check("fernet age", fer, token, t0+age, nil)
	check("fernet age", fer, token, t0+age+1, ErrExpired)

	// fernet timestamp ahead of the clock.
	check("fernet future", fer, token, t0-skew+1, nil)
	check("fernet future", fer, token, t0-skew, nil)
	check("fernet future", fer, token, t0-skew-1, ErrNotYetValid)
}

func TestServerSideExpiry(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	for _, typ := range []Type{JWT, Fernet} {
		now := start
		clock := func() time.Time { return now }
		c := mustCodec(t, Config{Type: typ, SecretKey: "expiry-secret-0123456789abcdefgh", MaxAge: time.Hour, Now: clock})
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
		lenient := mustCodec(t, Config{Type: typ, SecretKey: "expiry-secret-0123456789abcdefgh", MaxAge: BrowserSession, Now: clock})
		if _, err := lenient.Decode(token); err != nil {
			t.Errorf("%s: BrowserSession refused an old token: %v", typ, err)
		}
		// A token from the future, beyond the clock skew, is refused:
		// fernet's timestamp is ahead of the clock (ErrNotYetValid); a
		// jwt's exp then lies more than MaxAge + MaxClockSkew ahead, which
		// is what a token written under a larger MaxAge looks like
		// (ErrExpired).
		now = start.Add(-MaxClockSkew - time.Minute)
		_, err = c.Decode(token)
		switch typ {
		case JWT:
			if !errors.Is(err, ErrExpired) || !strings.Contains(fmt.Sprint(err), "exp lies further ahead than MaxAge") {
				t.Errorf("%s: future token: %v, want ErrExpired saying the exp lies further ahead than MaxAge allows", typ, err)
			}
		default:
			if !errors.Is(err, ErrNotYetValid) {
				t.Errorf("%s: future token: %v, want ErrNotYetValid", typ, err)
			}
		}
	}
	// A jwt whose nbf lies ahead of the clock, beyond the skew, is not
	// valid yet.
	c := mustCodec(t, Config{Type: JWT, SecretKey: "expiry-secret-0123456789abcdefgh", MaxAge: time.Hour, Now: func() time.Time { return start }})
	future := signJWT(t, "expiry-secret-0123456789abcdefgh", `{"user":"tom","nbf":`+strconv.FormatInt(start.Add(MaxClockSkew+time.Minute).Unix(), 10)+`}`)
	if _, err := c.Decode(future); !errors.Is(err, ErrNotYetValid) {
		t.Errorf("jwt nbf in the future: %v, want ErrNotYetValid", err)
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
	if want := `{"exp":1801209600.000,"user":"tom"}`; string(raw) != want { // exp to the millisecond, always three decimals
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
		old := mustCodec(t, Config{Type: typ, SecretKey: "old-secret-0123456789abcdefghijk"})
		token, err := old.Encode(Values{"user": json.RawMessage(`"tom"`)})
		if err != nil {
			t.Fatal(err)
		}
		rotated := mustCodec(t, Config{Type: typ, SecretKey: "new-secret-0123456789abcdefghijk", PreviousSecretKeys: []string{"older-secret-0123456789abcdefghi", "old-secret-0123456789abcdefghijk"}})
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
		if _, err := mustCodec(t, Config{Type: typ, SecretKey: "new-secret-0123456789abcdefghijk"}).Decode(token); !errors.Is(err, ErrSignature) {
			t.Errorf("%s: a dropped key still reads: %v", typ, err)
		}
	}
}

func TestFernetSecrets(t *testing.T) {
	for _, ok := range []string{strings.Repeat("x", 17), strings.Repeat("x", 32), "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="} {
		if _, err := NewCodec(Config{Type: Fernet, SecretKey: ok}); err != nil {
			t.Errorf("secret %q: %v", ok, err)
		}
	}
	// 16 characters or fewer leave the whole encryption key public: refused
	// unless the configuration says so.
	for _, public := range []string{"k", strings.Repeat("x", 16)} {
		if _, err := NewCodec(Config{Type: Fernet, SecretKey: public}); !errors.Is(err, ErrInvalidSecret) {
			t.Errorf("secret %q: %v, want ErrInvalidSecret", public, err)
		}
		if _, err := NewCodec(Config{Type: Fernet, SecretKey: public, InsecureAllowPublicFernetKey: true}); err != nil {
			t.Errorf("secret %q with InsecureAllowPublicFernetKey: %v", public, err)
		}
	}
	for _, bad := range []string{strings.Repeat("x", 33), "pässwörd", strings.Repeat("%", 44)} {
		if _, err := NewCodec(Config{Type: Fernet, SecretKey: bad, InsecureAllowPublicFernetKey: true}); !errors.Is(err, ErrInvalidSecret) {
			t.Errorf("secret %q: %v, want ErrInvalidSecret", bad, err)
		}
	}
}

func TestOversizedCookiesAreRefusedBeforeDecoding(t *testing.T) {
	for _, typ := range allTypes {
		c := mustCodec(t, Config{Type: typ, SecretKey: testSecret})
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
		{Config{Type: Fernet, SecretKey: testSecret, PreviousSecretKeys: []string{strings.Repeat("y", 40)}}, ErrInvalidSecret},
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
		c := mustCodec(t, Config{Type: typ, SecretKey: testSecret, MaxAge: time.Duration(math.MaxInt64)})
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

// jwt sessions keep "exp" and "nbf" for the token: Encode refuses values
// holding them (as Session.Set does) rather than overwrite or sign them,
// whatever the MaxAge; Decode checks and removes both.
func TestJWTEncodeRefusesReservedClaims(t *testing.T) {
	for _, maxAge := range []time.Duration{0, time.Hour, BrowserSession} {
		c := mustCodec(t, Config{Type: JWT, SecretKey: "k", MaxAge: maxAge, Now: fixedClock(1_800_000_000)})
		for _, key := range []string{"exp", "nbf"} {
			token, err := c.Encode(Values{"user": json.RawMessage(`"tom"`), key: json.RawMessage(`1`)})
			if !errors.Is(err, ErrReservedKey) || token != "" {
				t.Errorf("MaxAge %v: Encode with %q: %q, %v; want ErrReservedKey", maxAge, key, token, err)
			}
		}
		if _, err := c.Encode(Values{"user": json.RawMessage(`"tom"`), "expires": json.RawMessage(`1`)}); err != nil {
			t.Errorf("MaxAge %v: a key that is not a claim: %v", maxAge, err)
		}
	}
	// Other types store them as values.
	for _, typ := range []Type{Base64, Fernet} {
		c := mustCodec(t, Config{Type: typ, SecretKey: testSecret})
		token, err := c.Encode(Values{"exp": json.RawMessage(`1`), "nbf": json.RawMessage(`2`)})
		if err != nil {
			t.Fatal(err)
		}
		if v, err := c.Decode(token); err != nil || string(v["exp"]) != "1" || string(v["nbf"]) != "2" {
			t.Errorf("%s: %s, %v", typ, valuesJSON(t, v), err)
		}
	}
	// A token made elsewhere with a past nbf is read without it, so that
	// the session can be written again.
	c := mustCodec(t, Config{Type: JWT, SecretKey: "k", Now: fixedClock(1_800_000_000)})
	v, err := c.Decode(signJWT(t, "k", `{"user":"tom","nbf":1700000000}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v["nbf"]; ok || string(v["user"]) != `"tom"` {
		t.Errorf("decoded %s: nbf should be gone, user kept", valuesJSON(t, v))
	}
	if _, err := c.Encode(v); err != nil {
		t.Errorf("re-encoding a decoded session: %v", err)
	}
}
