package cookiesession

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

type fernetSpecVector struct {
	Token  string `json:"token"`
	Now    string `json:"now"`
	IVInts []int  `json:"iv"`
	Src    string `json:"src"`
	Secret string `json:"secret"`
	TTL    int    `json:"ttl_sec"`
	Desc   string `json:"desc"`
}

func loadFernetSpec(t *testing.T, name string) []fernetSpecVector {
	var vs []fernetSpecVector
	readJSON(t, "testdata/interop/fernet-spec/"+name, &vs)
	if len(vs) == 0 {
		t.Fatalf("%s has no vectors", name)
	}
	return vs
}

func specClock(t *testing.T, now string) func() time.Time {
	at, err := time.Parse(time.RFC3339, now)
	if err != nil {
		t.Fatal(err)
	}
	return func() time.Time { return at }
}

// specCodec is the public codec for a spec vector: the standard
// 44-character key used as the key itself, the vector's clock, and its
// time-to-live as MaxAge (the default when the vector gives none). shift
// moves the clock.
func specCodec(t *testing.T, v fernetSpecVector, shift time.Duration) Codec {
	t.Helper()
	now := specClock(t, v.Now)
	cfg := Config{Type: Fernet, SecretKey: v.Secret, Now: func() time.Time { return now().Add(shift) }}
	if v.TTL > 0 {
		cfg.MaxAge = time.Duration(v.TTL) * time.Second
	}
	c, err := NewCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// specTimestamp reads the creation time a Fernet token states (bytes 1 to
// 8 of the decoded token, big endian), for tests that move the clock
// around it.
func specTimestamp(t *testing.T, token string) time.Time {
	t.Helper()
	raw, err := base64.URLEncoding.DecodeString(token)
	if err != nil || len(raw) < 9 {
		t.Fatalf("token %s: %v", token, err)
	}
	return time.Unix(int64(binary.BigEndian.Uint64(raw[1:9])), 0)
}

// The spec's tokens are sealed from their source text, IV and time: the
// sealing primitive must give them byte for byte. (The public Encode takes
// a JSON object and draws a random IV, so it cannot be held to these.)
func TestFernetSpecGenerate(t *testing.T) {
	for _, v := range loadFernetSpec(t, "generate.json") {
		iv := make([]byte, len(v.IVInts))
		for i, b := range v.IVInts {
			iv[i] = byte(b)
		}
		c := specCodec(t, v, 0).(*fernetCodec)
		raw, err := fernetSeal(c.keys[0], []byte(v.Src), bytes.NewReader(iv), specClock(t, v.Now)().Unix())
		if err != nil {
			t.Fatal(err)
		}
		token := b64fernet.EncodeToString(raw)
		if token != v.Token {
			t.Errorf("generate: got %s, want %s", token, v.Token)
		}
	}
}

// The spec's valid tokens, through the public codec. Their plaintext
// ("hello") is not a JSON object, so a session codec must refuse it as
// ErrMalformed, and only after the MAC, the padding and the timestamp have
// passed: the same codec one second past the time-to-live says ErrExpired,
// which it can only reach once the MAC and the padding are good, and a
// flipped MAC byte gives ErrSignature.
func TestFernetSpecVerify(t *testing.T) {
	for _, v := range loadFernetSpec(t, "verify.json") {
		if v.TTL <= 0 {
			t.Fatalf("verify vector without ttl_sec: %+v", v)
		}
		ts := specTimestamp(t, v.Token)
		ttl := time.Duration(v.TTL) * time.Second
		now := specClock(t, v.Now)()
		for _, at := range []struct {
			name  string
			shift time.Duration
			want  error
		}{
			{"at the vector's clock", 0, ErrMalformed},
			{"exactly ttl old", ts.Add(ttl).Sub(now), ErrMalformed},
			{"ttl + 1 s old", ts.Add(ttl + time.Second).Sub(now), ErrExpired},
			{"made MaxClockSkew ahead", ts.Add(-MaxClockSkew).Sub(now), ErrMalformed},
			{"made MaxClockSkew + 1 s ahead", ts.Add(-MaxClockSkew - time.Second).Sub(now), ErrNotYetValid},
		} {
			values, err := specCodec(t, v, at.shift).Decode(v.Token)
			if !errors.Is(err, at.want) {
				t.Errorf("verify %s: Decode gave %v, %v; want %v", at.name, values, err, at.want)
			} else if also := otherRefusals(err, at.want); len(also) > 0 {
				t.Errorf("verify %s: %v also wraps %v", at.name, err, also)
			}
		}
		raw, err := base64.URLEncoding.DecodeString(v.Token)
		if err != nil {
			t.Fatal(err)
		}
		raw[len(raw)-1] ^= 1
		if _, err := specCodec(t, v, 0).Decode(base64.URLEncoding.EncodeToString(raw)); !errors.Is(err, ErrSignature) {
			t.Errorf("verify with a flipped MAC bit: %v, want ErrSignature", err)
		}
	}
}

// fernetSpecRefusal is the sentinel each invalid vector of the spec must
// be refused with, by its description.
var fernetSpecRefusal = map[string]error{
	"incorrect mac":  ErrSignature,
	"too short":      ErrMalformed,
	"invalid base64": ErrMalformed,
	"payload size not multiple of block size": ErrMalformed,
	"payload padding error":                   ErrMalformed, // authentic, badly padded
	"far-future TS (unacceptable clock skew)": ErrNotYetValid,
	"expired TTL":                         ErrExpired,
	"incorrect IV (causes padding error)": ErrMalformed, // authentic, badly padded once decrypted
}

// Every invalid vector of the spec, through the public codec with the
// vector's clock and time-to-live, is refused with the sentinel its
// description implies, and with no other.
func TestFernetSpecInvalid(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range loadFernetSpec(t, "invalid.json") {
		want, ok := fernetSpecRefusal[v.Desc]
		if !ok {
			t.Errorf("invalid %q: no expected refusal for this description; add it to fernetSpecRefusal", v.Desc)
			continue
		}
		seen[v.Desc] = true
		values, err := specCodec(t, v, 0).Decode(v.Token)
		if err == nil {
			t.Errorf("invalid %q: accepted as %v", v.Desc, values)
			continue
		}
		if !errors.Is(err, want) {
			t.Errorf("invalid %q: %v, want %v", v.Desc, err, want)
		} else if also := otherRefusals(err, want); len(also) > 0 {
			t.Errorf("invalid %q: %v also wraps %v", v.Desc, err, also)
		}
	}
	for desc := range fernetSpecRefusal {
		if !seen[desc] {
			t.Errorf("no invalid vector %q in the spec file", desc)
		}
	}
}

// otherRefusals returns the refusal sentinels err wraps besides want: a
// refusal names one reason.
func otherRefusals(err, want error) []error {
	var also []error
	for _, other := range []error{ErrMalformed, ErrSignature, ErrAlgorithm, ErrExpired, ErrNotYetValid, ErrTooLarge} {
		if other != want && errors.Is(err, other) {
			also = append(also, other)
		}
	}
	return also
}

func TestRFC7515HS256Example(t *testing.T) {
	var a1 struct {
		Key     string `json:"key_base64url"`
		Token   string `json:"token"`
		Payload map[string]any
	}
	readJSON(t, "testdata/interop/jwt-rfc7515-a1.json", &a1)
	key, err := b64url.DecodeString(a1.Key)
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Unix(1300819380, 0)
	codecAt := func(now time.Time) Codec {
		c, err := NewCodec(Config{Type: JWT, SecretKey: string(key), Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	v, err := codecAt(exp.Add(-time.Hour)).Decode(a1.Token)
	if err != nil {
		t.Fatalf("before exp: %v", err)
	}
	if string(v["iss"]) != `"joe"` || string(v["http://example.com/is_root"]) != "true" {
		t.Errorf("claims: %s", valuesJSON(t, v))
	}
	if _, ok := v["exp"]; ok {
		t.Error("exp is the token's, not a session value")
	}

	for _, now := range []time.Time{exp, time.Now()} {
		if _, err := codecAt(now).Decode(a1.Token); !errors.Is(err, ErrExpired) {
			t.Errorf("at %v: err %v, want ErrExpired", now, err)
		}
	}

	tampered := []byte(a1.Token)
	tampered[len(tampered)-2] ^= 1
	if _, err := codecAt(exp.Add(-time.Hour)).Decode(string(tampered)); !errors.Is(err, ErrSignature) {
		t.Errorf("tampered: %v, want ErrSignature", err)
	}
}
