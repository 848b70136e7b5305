package cookiesession

import (
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

// A codec from a spec vector: the standard 44-character key is used as the
// key itself.
func specCodec(t *testing.T, v fernetSpecVector) *fernetCodec {
	cfg := Config{Type: Fernet, SecretKey: v.Secret, Now: specClock(t, v.Now)}
	if v.TTL > 0 {
		cfg.MaxAge = time.Duration(v.TTL) * time.Second
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	c, err := newFernetCodec(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFernetSpecGenerate(t *testing.T) {
	for _, v := range loadFernetSpec(t, "generate.json") {
		iv := make([]byte, len(v.IVInts))
		for i, b := range v.IVInts {
			iv[i] = byte(b)
		}
		c := specCodec(t, v)
		token := b64fernet.EncodeToString(fernetSeal(c.keys[0], []byte(v.Src), iv, c.now().Unix()))
		if token != v.Token {
			t.Errorf("generate: got %s, want %s", token, v.Token)
		}
	}
}

func TestFernetSpecVerify(t *testing.T) {
	for _, v := range loadFernetSpec(t, "verify.json") {
		c := specCodec(t, v)
		raw, err := b64fernet.DecodeString(v.Token)
		if err != nil {
			t.Fatal(err)
		}
		plain, ts, err := fernetOpen(c.keys, raw)
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		if err := c.checkTimestamp(ts); err != nil {
			t.Errorf("verify: timestamp: %v", err)
		}
		if string(plain) != v.Src {
			t.Errorf("verify: got %q, want %q", plain, v.Src)
		}
	}
}

func TestFernetSpecInvalid(t *testing.T) {
	for _, v := range loadFernetSpec(t, "invalid.json") {
		c := specCodec(t, v)
		err := func() error {
			raw, err := b64fernet.DecodeString(v.Token)
			if err != nil {
				return ErrMalformed
			}
			_, ts, err := fernetOpen(c.keys, raw)
			if err != nil {
				return err
			}
			return c.checkTimestamp(ts)
		}()
		if err == nil {
			t.Errorf("invalid %q: accepted", v.Desc)
		} else if !isRefusal(err) {
			t.Errorf("invalid %q: %v wraps no refusal sentinel", v.Desc, err)
		}
	}
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
