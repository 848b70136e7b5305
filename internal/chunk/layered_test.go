package chunk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"math/rand"
	"strings"
	"testing"
)

// seal and open stand for a format: a payload and its HMAC-SHA256, as
// base64url, checked after reassembly over the whole value.
var testKey = []byte("a key for the layered chunk tests")

func seal(payload string) string {
	m := hmac.New(sha256.New, testKey)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func open(value string) (string, bool) {
	p, sig, ok := strings.Cut(value, ".")
	if !ok {
		return "", false
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return "", false
	}
	m := hmac.New(sha256.New, testKey)
	m.Write(payload)
	if !hmac.Equal(m.Sum(nil), mac) {
		return "", false
	}
	return string(payload), true
}

// TestLayeredNeverMixes runs hostile chunk sets through Join and then a
// MAC over the whole value, as the cookie layer will: in both forms, a
// request yields the payload of exactly one write or nothing, never a mix.
// In the Iron form, which has no digest, the MAC alone does it.
func TestLayeredNeverMixes(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	for _, form := range []Form{Native, Iron} {
		s := mustNew(t, "session", Options{Form: form, MaxSize: IronMaxSize - 6})
		p1, p2 := randomValue(rng, 7000), randomValue(rng, 7000)
		a, b := split(t, s, seal(p1)), split(t, s, seal(p2))
		if len(a) != 3 || len(b) != 3 {
			t.Fatalf("%s: %d and %d chunks", form, len(a), len(b))
		}
		sets := map[string][]Cookie{
			"whole write":           a,
			"mixed":                 {a[0], b[1], a[2]},
			"mixed head":            {b[0], a[1], a[2]},
			"reordered":             {a[0], {a[1].Name, a[2].Value}, {a[2].Name, a[1].Value}},
			"duplicated":            with(a, 2, a[1].Value),
			"missing":               without(a, 1),
			"truncated":             with(a, 2, a[2].Value[:len(a[2].Value)-1]),
			"extra chunk":           cat(a, []Cookie{{s.chunkName(3), a[2].Value}}),
			"another write first":   cat([]Cookie{b[1]}, a),
			"forged chunk":          with(a, 1, a[1].Value[:len(a[1].Value)-3]+"AAA"),
			"forged chunk, 2 heads": cat(b[:1], with(a, 1, a[1].Value[:len(a[1].Value)-3]+"AAA")),
		}
		for name, cs := range sets {
			values, _ := s.Join(cs)
			var opened []string
			for _, v := range values {
				if p, ok := open(v); ok {
					opened = append(opened, p)
				}
			}
			for _, p := range opened {
				if p != p1 && p != p2 {
					t.Errorf("%s/%s: a payload of no write was authenticated", form, name)
				}
			}
			first := ""
			if len(opened) > 0 {
				first = opened[0]
			}
			want := ""
			switch name {
			case "whole write", "extra chunk", "another write first":
				want = p1
			}
			if form == Iron && name == "extra chunk" {
				want = "" // iron reads a fourth chunk, which breaks the MAC
			}
			if first != want {
				t.Errorf("%s/%s: first authenticated payload is %.8q…, want %.8q…", form, name, first, want)
			}
		}
	}
}
