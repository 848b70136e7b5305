package itsdangerous

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

const hostileSecret = "hostile-secret"

var t0 = time.Unix(1795761676, 0)

// signRaw signs value + "." + tsText with the signer's current key,
// whatever tsText is: tokens a key holder could make but no framework
// writes.
func signRaw(s *Signer, value, tsText string) string {
	signed := value + "." + tsText
	return signed + "." + base64.RawURLEncoding.EncodeToString(s.keys[0].Sum(nil, []byte(signed)))
}

func zlibOf(data []byte) []byte {
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func tsText(ts int64) string {
	return strings.Split(mustSign(&Signer{keys: []*format.MACKey{format.NewMACKey(sha1.New, []byte{1})}}, nil, ts), ".")[1]
}

func mustSign(s *Signer, value []byte, ts int64) string {
	tok, err := s.Sign(value, ts)
	if err != nil {
		panic(err)
	}
	return tok
}

type hostile struct {
	name  string
	token string
	want  error
}

// hostileTokens builds the table for one framework: f is the format with
// hostileSecret, s its signer, payload(json) the payload the framework
// writes for json (unsigned), valid a token it sealed.
func hostileTokens(s *Signer, payload func([]byte) string, valid string) []hostile {
	ts := tsText(t0.Unix())
	bomb := "." + base64.RawURLEncoding.EncodeToString(zlibOf(make([]byte, 1<<20)))
	justOver := "." + base64.RawURLEncoding.EncodeToString(zlibOf(append(append([]byte(`{"a":"`), bytes.Repeat([]byte("x"), MaxDecompressed)...), `"}`...)))
	z := zlibOf([]byte(`{"a":1}`))
	sig := valid[strings.LastIndexByte(valid, '.')+1:]
	// The signature's last character carries 4 bits of the MAC and 2
	// unused bits: another character with the same 4 bits decodes to the
	// same MAC in Python (lenient) and is refused here (strict).
	last := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", sig[len(sig)-1])
	nonCanonical := valid[:len(valid)-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[last^1])
	// A valid token whose signature has "-" or "_", for the test of the
	// standard alphabet ("+", "/"), which is not base64url.
	withDash := valid
	for i := 0; !strings.ContainsAny(withDash[strings.LastIndexByte(withDash, '.')+1:], "-_"); i++ {
		withDash = mustSign(s, []byte(payload([]byte(fmt.Sprintf(`{"a":%d}`, i)))), t0.Unix())
	}
	dashSig := withDash[strings.LastIndexByte(withDash, '.')+1:]
	return []hostile{
		{"signature standard alphabet", withDash[:len(withDash)-len(dashSig)] + strings.NewReplacer("-", "+", "_", "/").Replace(dashSig), format.ErrMalformed},
		{"empty", "", format.ErrMalformed},
		{"garbage", "%%%%", format.ErrMalformed},
		{"dots only", "..", format.ErrMalformed},
		{"no timestamp", payload([]byte(`{"a":1}`)) + "." + sig, format.ErrSignature},
		{"separators ':'", strings.ReplaceAll(valid, ".", ":"), format.ErrMalformed},
		{"separators ','", strings.ReplaceAll(valid, ".", ","), format.ErrMalformed},
		{"signature non-canonical base64", nonCanonical, format.ErrMalformed},
		{"signature padded", valid + "=", format.ErrMalformed},
		{"line break in signature", valid[:len(valid)-5] + "\n" + valid[len(valid)-5:], format.ErrMalformed},
		{"line break in payload", valid[:4] + "\r\n" + valid[4:], format.ErrMalformed},
		{"signature twice", valid + "." + sig, format.ErrSignature},
		{"another secret's signature", mustSign(&Signer{keys: []*format.MACKey{format.NewMACKey(sha1.New, []byte("k"))}}, []byte(payload([]byte(`{"a":1}`))), t0.Unix()), format.ErrSignature},
		{"signed, timestamp empty", signRaw(s, payload([]byte(`{"a":1}`)), ""), format.ErrMalformed},
		{"signed, timestamp leading zero byte", signRaw(s, payload([]byte(`{"a":1}`)), base64.RawURLEncoding.EncodeToString([]byte{0, 1, 2, 3, 4})), format.ErrMalformed},
		{"signed, timestamp 9 bytes", signRaw(s, payload([]byte(`{"a":1}`)), base64.RawURLEncoding.EncodeToString([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9})), format.ErrMalformed},
		{"signed, timestamp 2^64-1", signRaw(s, payload([]byte(`{"a":1}`)), base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, 8))), format.ErrMalformed},
		{"signed, timestamp year 10000", signRaw(s, payload([]byte(`{"a":1}`)), base64.RawURLEncoding.EncodeToString([]byte{0x3a, 0xff, 0xf4, 0x41, 0x80})), format.ErrMalformed},
		{"signed, timestamp not base64", signRaw(s, payload([]byte(`{"a":1}`)), "a*b"), format.ErrMalformed},
		// The last base64 character of {"a":1} carries 2 bits and 4 unused
		// ones: "fR" decodes like "fQ" in a lenient decoder.
		{"signed, payload non-canonical base64", signRaw(s, strings.Replace(payload([]byte(`{"a":1}`)), "fQ", "fR", 1), ts), format.ErrMalformed},
		{"signed, payload a list", signRaw(s, payload([]byte(`[1]`)), ts), format.ErrMalformed},
		{"signed, payload a string", signRaw(s, payload([]byte(`"x"`)), ts), format.ErrMalformed},
		{"signed, payload null", signRaw(s, payload([]byte(`null`)), ts), format.ErrMalformed},
		{"signed, payload NaN", signRaw(s, payload([]byte(`{"a":NaN}`)), ts), format.ErrMalformed},
		{"signed, payload not UTF-8", signRaw(s, payload([]byte("{\"a\":\"\xff\"}")), ts), format.ErrMalformed},
		{"signed, payload two objects", signRaw(s, payload([]byte(`{}{}`)), ts), format.ErrMalformed},
		{"signed, payload not JSON", signRaw(s, payload([]byte(`{a:1}`)), ts), format.ErrMalformed},
		{"signed, payload empty", signRaw(s, "", ts), format.ErrMalformed},
		{"signed, payload bad base64", signRaw(s, "e*J9", ts), format.ErrMalformed},
		{"signed, zip bomb (1 MiB of zeros)", signRaw(s, bomb, ts), format.ErrTooLarge},
		{"signed, inflates just over the bound", signRaw(s, justOver, ts), format.ErrTooLarge},
		{"signed, zlib truncated", signRaw(s, "."+base64.RawURLEncoding.EncodeToString(z[:len(z)-3]), ts), format.ErrMalformed},
		{"signed, zlib bad checksum", signRaw(s, "."+base64.RawURLEncoding.EncodeToString(append(append([]byte{}, z[:len(z)-1]...), z[len(z)-1]^1)), ts), format.ErrMalformed},
		{"signed, data after the zlib stream", signRaw(s, "."+base64.RawURLEncoding.EncodeToString(append(append([]byte{}, z...), 0)), ts), format.ErrMalformed},
		{"signed, not zlib", signRaw(s, "."+base64.RawURLEncoding.EncodeToString([]byte(`{"a":1}`)), ts), format.ErrMalformed},
		{"too long", strings.Repeat("a", maxToken+1), format.ErrTooLarge},
	}
}

func TestHostileFlask(t *testing.T) {
	f, _ := NewFlask([]string{hostileSecret})
	s := f.(*flask).signer
	valid, err := f.Seal([]byte(`{"a":1}`), t0, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Open(valid); err != nil {
		t.Fatal(err)
	}
	payload := func(json []byte) string { return base64.RawURLEncoding.EncodeToString(json) }
	runHostile(t, f, hostileTokens(s, payload, valid))
}

func TestHostileStarlette(t *testing.T) {
	f, _ := NewStarlette([]string{hostileSecret})
	s := f.(*starlette).signer
	valid, err := f.Seal([]byte(`{"a":1}`), t0, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	payload := func(json []byte) string { return base64.StdEncoding.EncodeToString(json) }
	table := hostileTokens(s, payload, valid)
	// Starlette never compresses: a "." payload is not base64.
	for i := range table {
		if strings.Contains(table[i].name, "zlib") || strings.Contains(table[i].name, "bomb") || strings.Contains(table[i].name, "bound") {
			table[i].want = format.ErrMalformed
		}
	}
	table = append(table,
		hostile{"signed, payload unpadded", signRaw(s, base64.RawStdEncoding.EncodeToString([]byte(`{"a":1}`)), tsText(t0.Unix())), format.ErrMalformed},
		hostile{"signed, payload URL alphabet", signRaw(s, base64.URLEncoding.EncodeToString([]byte(`{"a":"~~~~"}`)), tsText(t0.Unix())), format.ErrMalformed},
	)
	runHostile(t, f, table)
}

func runHostile(t *testing.T, f format.Format, table []hostile) {
	t.Helper()
	for _, c := range table {
		obj, meta, err := f.Open(c.token)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: Open = %s, %+v, %v; want %v", c.name, obj, meta, err, c.want)
		}
		if err != nil && (obj != nil || meta.Key != -1) {
			t.Errorf("%s: refused but returned %s, %+v", c.name, obj, meta)
		}
	}
}

// TestTruncations: every proper prefix of a valid token, and the token with
// any one character changed, is refused.
func TestTruncationsAndFlips(t *testing.T) {
	for _, mk := range []func([]string) (format.Format, error){NewStarlette, NewFlask} {
		f, _ := mk([]string{hostileSecret})
		long := `{"long":"` + strings.Repeat("abcdefgh", 40) + `"}` // compressed by Flask
		for _, obj := range []string{`{"a":1}`, long} {
			tok, err := f.Seal([]byte(obj), t0, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < len(tok); i++ {
				if _, _, err := f.Open(tok[:i]); err == nil {
					t.Errorf("prefix %q opened", tok[:i])
				}
				for _, c := range []byte{'A', '.', '_', '-', '0', 'z'} {
					if c == tok[i] {
						continue
					}
					changed := tok[:i] + string(c) + tok[i+1:]
					if _, _, err := f.Open(changed); err == nil {
						t.Errorf("%q (byte %d changed) opened", changed, i)
					}
				}
			}
		}
	}
}

// TestFutureTimestampOpens: Open judges no time; a token dated in the
// future opens and reports when it says it was written (itsdangerous
// itself refuses any negative age as expired: the root package decides).
func TestFutureTimestampOpens(t *testing.T) {
	f, _ := NewFlask([]string{hostileSecret})
	future := t0.Add(1000 * time.Hour)
	tok, _ := f.Seal([]byte(`{"a":1}`), future, time.Time{})
	if _, meta, err := f.Open(tok); err != nil || !meta.Written.Equal(future) {
		t.Errorf("future token: %+v, %v", meta, err)
	}
	for _, ts := range []time.Time{time.Unix(0, 0), time.Unix(-5, 0), time.Unix(maxTimestamp+1, 0)} {
		if _, err := f.Seal([]byte(`{}`), ts, time.Time{}); err == nil {
			t.Errorf("Seal at %v: no error", ts)
		}
	}
}

func TestSealRefuses(t *testing.T) {
	for _, mk := range []func([]string) (format.Format, error){NewStarlette, NewFlask} {
		f, _ := mk([]string{hostileSecret})
		for _, in := range []string{``, `[1]`, `"x"`, `{`, `{"a":1e400}`} {
			if tok, err := f.Seal([]byte(in), t0, time.Time{}); err == nil {
				t.Errorf("Seal(%s) = %s", in, tok)
			}
		}
	}
}
