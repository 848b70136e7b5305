package django

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous"
)

const hostileSecret = "hostile-secret"

var t0 = time.Unix(1795761676, 0)

// signRaw signs payload + ":" + ts with the current key, whatever they
// are: tokens a key holder could make but Django never writes.
func signRaw(d *django, payload, ts string) string {
	value := payload + ":" + ts
	return value + ":" + base64.RawURLEncoding.EncodeToString(d.keys[0].Sum(nil, []byte(value)))
}

func zlibOf(data []byte) []byte {
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func enc(data []byte) string { return base64.RawURLEncoding.EncodeToString(data) }

func TestHostile(t *testing.T) {
	f, _ := NewDjango([]string{hostileSecret})
	d := f.(*django)
	valid, err := f.Seal([]byte(`{"a":1}`), t0, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Open(valid); err != nil {
		t.Fatal(err)
	}
	ts := encodeBase62(t0.Unix())
	obj := enc([]byte(`{"a":1}`))
	sig := valid[strings.LastIndexByte(valid, ':')+1:]
	// 32 bytes in 43 characters: the last carries 4 bits and 2 unused ones.
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	nonCanonical := valid[:len(valid)-1] + string(alpha[strings.IndexByte(alpha, sig[len(sig)-1])^1])
	z := zlibOf([]byte(`{"a":1}`))
	justOver := zlibOf(append(append([]byte(`{"a":"`), bytes.Repeat([]byte("x"), itsdangerous.MaxDecompressed)...), `"}`...))
	other, _ := NewDjango([]string{"other"})
	otherTok, _ := other.Seal([]byte(`{"a":1}`), t0, time.Time{})
	for _, c := range []struct {
		name, token string
		want        error
	}{
		{"empty", "", format.ErrMalformed},
		{"garbage", "%%%%", format.ErrMalformed},
		{"colons only", "::", format.ErrMalformed},
		{"itsdangerous separators", strings.ReplaceAll(valid, ":", "."), format.ErrMalformed},
		{"no timestamp", obj + ":" + sig, format.ErrSignature},
		{"signature non-canonical base64", nonCanonical, format.ErrMalformed},
		{"signature padded", valid + "=", format.ErrMalformed},
		{"signature truncated", valid[:len(valid)-1], format.ErrMalformed},
		{"line break", valid[:3] + "\n" + valid[3:], format.ErrMalformed},
		{"another secret", otherTok, format.ErrSignature},
		{"SHA-1 legacy signature", obj + ":" + ts + ":" + enc(legacySHA1(obj+":"+ts)), format.ErrMalformed},
		{"signed, timestamp empty", signRaw(d, obj, ""), format.ErrMalformed},
		{"signed, timestamp negative", signRaw(d, obj, "-1xWpe0"), format.ErrMalformed},
		{"signed, timestamp leading zero", signRaw(d, obj, "0"+ts), format.ErrMalformed},
		{"signed, timestamp huge", signRaw(d, obj, strings.Repeat("z", 40)), format.ErrMalformed},
		{"signed, timestamp year 10000", signRaw(d, obj, encodeBase62(maxTimestamp+1)), format.ErrMalformed},
		{"signed, timestamp not base62", signRaw(d, obj, "1xW_e0"), format.ErrMalformed},
		{"signed, payload a list", signRaw(d, enc([]byte(`[1]`)), ts), format.ErrMalformed},
		{"signed, payload null", signRaw(d, enc([]byte(`null`)), ts), format.ErrMalformed},
		{"signed, payload NaN", signRaw(d, enc([]byte(`{"a":NaN}`)), ts), format.ErrMalformed},
		{"signed, payload empty", signRaw(d, "", ts), format.ErrMalformed},
		{"signed, payload padded base64", signRaw(d, base64.URLEncoding.EncodeToString([]byte(`{"a":1}`)), ts), format.ErrMalformed},
		{"signed, payload standard alphabet", signRaw(d, base64.RawStdEncoding.EncodeToString([]byte(`{"a":"~~~~"}`)), ts), format.ErrMalformed},
		{"signed, extra colon in payload", signRaw(d, obj+":x", ts), format.ErrMalformed},
		{"signed, zip bomb (1 MiB of zeros)", signRaw(d, "."+enc(zlibOf(make([]byte, 1<<20))), ts), format.ErrTooLarge},
		{"signed, inflates just over the bound", signRaw(d, "."+enc(justOver), ts), format.ErrTooLarge},
		{"signed, zlib truncated", signRaw(d, "."+enc(z[:len(z)-2]), ts), format.ErrMalformed},
		{"signed, data after the zlib stream", signRaw(d, "."+enc(append(append([]byte{}, z...), 'x')), ts), format.ErrMalformed},
		{"signed, not zlib", signRaw(d, "."+obj, ts), format.ErrMalformed},
		{"too long", strings.Repeat("a", maxToken+1), format.ErrTooLarge},
	} {
		obj, meta, err := f.Open(c.token)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: Open = %s, %+v, %v; want %v", c.name, obj, meta, err, c.want)
		}
		if err != nil && (obj != nil || meta.Key != -1) {
			t.Errorf("%s: refused but returned %s, %+v", c.name, obj, meta)
		}
	}
}

// legacySHA1 is Django 3.2's legacy signature (salted_hmac with SHA-1),
// which Django 3.2 still accepted and Django 4 does not: it is refused
// here (its 27 characters are not a SHA-256 signature).
func legacySHA1(value string) []byte {
	h := sha1.Sum([]byte(Salt + "signer" + hostileSecret))
	m := hmac.New(sha1.New, h[:])
	m.Write([]byte(value))
	return m.Sum(nil)
}

func TestLatin1Payload(t *testing.T) {
	// Django reads its payload as Latin-1: a raw byte 0xe9 is "é". Django
	// writes only ASCII, so only a key holder makes this.
	f, _ := NewDjango([]string{hostileSecret})
	tok := signRaw(f.(*django), enc([]byte("{\"a\":\"caf\xe9\"}")), encodeBase62(t0.Unix()))
	obj, _, err := f.Open(tok)
	if err != nil || string(obj) != `{"a":"café"}` {
		t.Errorf("Open = %s, %v", obj, err)
	}
}

func TestTruncationsAndFlips(t *testing.T) {
	f, _ := NewDjango([]string{hostileSecret})
	for _, obj := range []string{`{"a":1}`, `{"long":"` + strings.Repeat("abcdefgh", 40) + `"}`} {
		tok, err := f.Seal([]byte(obj), t0, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(tok); i++ {
			if _, _, err := f.Open(tok[:i]); err == nil {
				t.Errorf("prefix %q opened", tok[:i])
			}
			for _, c := range []byte{'A', ':', '.', '_', '-', '0', 'z'} {
				if c == tok[i] {
					continue
				}
				if _, _, err := f.Open(tok[:i] + string(c) + tok[i+1:]); err == nil {
					t.Errorf("byte %d changed to %q: opened", i, c)
				}
			}
		}
	}
}

func TestFutureTimestampOpens(t *testing.T) {
	// Django accepts a timestamp in the future (it checks only age >
	// max_age); Open reports it and the root package decides.
	f, _ := NewDjango([]string{hostileSecret})
	future := t0.Add(1000 * time.Hour)
	tok, _ := f.Seal([]byte(`{}`), future, time.Time{})
	if _, meta, err := f.Open(tok); err != nil || !meta.Written.Equal(future) {
		t.Errorf("future: %+v, %v", meta, err)
	}
	for _, in := range []string{``, `[1]`, `{`, `{"a":1e999}`} {
		if tok, err := f.Seal([]byte(in), t0, time.Time{}); err == nil {
			t.Errorf("Seal(%s) = %s", in, tok)
		}
	}
	if _, err := f.Seal([]byte(`{}`), time.Unix(maxTimestamp+1, 0), time.Time{}); err == nil {
		t.Error("Seal after year 9999: no error")
	}
}
