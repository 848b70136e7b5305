package bench

// A prototype, for the record of what a core change would buy: the jwt
// Encode as the core could write it. Against the core's jwtCodec.Encode it
// (1) trusts the values, which the Session validated when they were set or
// decoded, instead of validating each one again (json.Valid for every value
// that is not a plain string or number); (2) writes "exp" into the object
// while appending it, instead of cloning the values map to add it; (3)
// sorts the keys in a stack array; (4) writes the object into a stack
// buffer when it fits. It allocates the token and its string only. Nothing
// here is used by the core; BENCHMARKS.md reports the figures.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"hash"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

type protoJWT struct {
	pool sync.Pool // of *protoMAC
}

// protoMAC is an HMAC-SHA256 state keyed with the secret, with room for
// its sum (a sum on the stack would escape through the hash.Hash call).
type protoMAC struct {
	h   hash.Hash
	sum [sha256.Size]byte
}

func newProtoJWT(key []byte) *protoJWT {
	p := &protoJWT{}
	p.pool.New = func() any { return &protoMAC{h: hmac.New(sha256.New, key)} }
	return p
}

// appendMember appends "key":raw, with a comma unless it is the first.
func appendMember(dst []byte, first bool, key string, raw []byte) []byte {
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, key...)
	dst = append(dst, '"', ':')
	return append(dst, raw...)
}

// encode returns the token for v (whose keys are printable ASCII and whose
// values are compact JSON, as the Session keeps them) with "exp" added.
func (p *protoJWT) encode(v map[string]json.RawMessage, exp int64) string {
	var keyBuf [16]string
	keys := keyBuf[:0]
	n := len(`{,"exp":}`) + 24
	for k, raw := range v {
		keys = append(keys, k)
		n += len(k) + 4 + len(raw)
	}
	slices.Sort(keys)
	var objBuf [512]byte
	obj := objBuf[:0]
	if n > len(objBuf) {
		obj = make([]byte, 0, n)
	}
	var expBuf [24]byte
	expText := append(strconv.AppendInt(expBuf[:0], exp, 10), ".000"...) // the codec writes exp to the millisecond
	obj = append(obj, '{')
	first, wroteExp := true, false
	for _, k := range keys {
		if !wroteExp && k > "exp" {
			obj = appendMember(obj, first, "exp", expText)
			first, wroteExp = false, true
		}
		obj = appendMember(obj, first, k, v[k])
		first = false
	}
	if !wroteExp {
		obj = appendMember(obj, first, "exp", expText)
	}
	obj = append(obj, '}')

	tok := make([]byte, 0, len(jwtHeaderEncoded)+1+b64url.EncodedLen(len(obj))+1+b64url.EncodedLen(sha256.Size))
	tok = append(tok, jwtHeaderEncoded+"."...)
	tok = b64url.AppendEncode(tok, obj)
	m := p.pool.Get().(*protoMAC)
	m.h.Reset()
	m.h.Write(tok)
	sig := m.h.Sum(m.sum[:0])
	tok = append(tok, '.')
	tok = b64url.AppendEncode(tok, sig)
	p.pool.Put(m)
	return string(tok)
}

// TestProtoJWT checks that the prototype writes the core's tokens byte for
// byte, with "exp" placed first, in the middle and last in key order.
func TestProtoJWT(t *testing.T) {
	now := time.Unix(1_795_000_000, 0)
	codec, err := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.JWT, SecretKey: JWTSecret,
		MaxAge: MaxAge, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	p := newProtoJWT([]byte(JWTSecret))
	for _, v := range []cookiesession.Values{
		{"user": json.RawMessage(`"tom"`), "uid": json.RawMessage(`12345`), "roles": json.RawMessage(`["admin","dev"]`)},
		{"a": json.RawMessage(`1`)},
		{"zz": json.RawMessage(`{"x":[1,2]}`), "b": json.RawMessage(`null`)},
		{},
	} {
		want, err := codec.Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.encode(v, now.Add(MaxAge).Unix()); got != want {
			t.Errorf("values %v:\n got %s\nwant %s", v, got, want)
		}
	}
}

// BenchmarkEncodeProto measures the prototype on the fixture values, to
// be read beside Encode/cookiesession-jwt and the jwt encode floor.
func BenchmarkEncodeProto(b *testing.B) {
	values := map[string]json.RawMessage{
		"user":  json.RawMessage(`"tom"`),
		"uid":   json.RawMessage(`12345`),
		"roles": json.RawMessage(`["admin","dev"]`),
	}
	p := newProtoJWT([]byte(JWTSecret))
	b.Run("jwt", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sinkString = p.encode(values, time.Now().Add(MaxAge).Unix())
		}
	})
}
