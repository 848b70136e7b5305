package iron

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

// FuzzOpen feeds Open arbitrary values, seeded with the iron-session
// vectors and Go-made seals: it never panics, every error wraps a
// sentinel of internal/format, and whatever opens is a JSON object that
// seals and opens again to the same bytes.
func FuzzOpen(f *testing.F) {
	valid, invalid := loadVectors(f)
	for _, v := range append(valid, invalid...) {
		f.Add(v.seal())
	}
	ps := []Password{{"2", pw2}, {"1", pw1}}
	fm := mustNew(f, ps...)
	for _, obj := range []string{`{}`, `{"user":"tom","n":[1,2,{"x":null}]}`} {
		s, err := fm.Seal([]byte(obj), time.Now(), time.Now().Add(time.Hour))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(s)
		f.Add(strings.TrimSuffix(s, Suffix))
	}
	f.Add("Fe26.2*1*a*b*c**d*e")
	f.Add("Fe26.2********")
	// The fuzzer cannot forge an HMAC, so it also gets readers keyed
	// with the vectors' passwords: the hand-made seals of the hostile
	// tests reach the checks after the MAC.
	vf := mustNew(f, Password{"1", "20ybe1FHrGUfPcCO-BDwdUAWtJw1khONix"})
	salt := strings.Repeat("ab", 32)
	iv := make([]byte, 16)
	f.Fuzz(func(t *testing.T, value string) {
		// The fuzzer cannot forge an HMAC: also open authentic seals whose
		// ciphertext is the input itself (reaching the padding checks) and
		// whose plaintext is the input (reaching the JSON checks).
		seals := []string{
			value,
			rawSeal(pw2, "2", salt, b64.EncodeToString(iv), b64.EncodeToString([]byte(value)), "", salt),
			rawSeal(pw2, "2", salt, b64.EncodeToString(iv), encryptRaw(pw2, salt, iv, pkcs7([]byte(value))), "", salt),
		}
		for i, r := range []*Format{fm, vf, fm, fm} {
			value := seals[max(0, i-1)]
			object, meta, err := r.Open(value)
			if err != nil {
				if object != nil {
					t.Fatalf("Open(%q) returned %q with error %v", value, object, err)
				}
				if !isSentinel(err) {
					t.Fatalf("Open(%q): error %v wraps no sentinel", value, err)
				}
				continue
			}
			if !isObject(object) {
				t.Fatalf("Open(%q) = %q, not a JSON object", value, object)
			}
			if meta.Key < 0 || meta.Key >= len(r.passwords) {
				t.Fatalf("Meta.Key = %d", meta.Key)
			}
			again, err := r.Seal(object, time.Now(), meta.Expires)
			if err != nil {
				t.Fatalf("Seal of an opened object: %v", err)
			}
			back, _, err := r.Open(again)
			if err != nil || string(back) != string(object) {
				t.Fatalf("re-seal of %q: %q, %v", object, back, err)
			}
		}
	})
}

func isSentinel(err error) bool {
	for _, s := range []error{format.ErrMalformed, format.ErrSignature, format.ErrAlgorithm, format.ErrExpired, format.ErrNotYetValid, format.ErrTooLarge} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
