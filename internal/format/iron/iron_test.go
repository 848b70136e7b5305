package iron

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

const (
	pw1 = "password-one-of-at-least-32-chars!!"
	pw2 = "password-two-of-at-least-32-chars!!"
)

func mustNew(t testing.TB, ps ...Password) *Format {
	t.Helper()
	f, err := New(ps)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSealOpenRoundTrip(t *testing.T) {
	f := mustNew(t, Password{"2", pw2}, Password{"1", pw1})
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	objects := []string{
		`{}`,
		`{"user":"tom"}`,
		`{"name":"Jürgen Ж 😀","n":9007199254740993,"f":0.1,"nested":{"a":[1,true,null]}}`,
		`{"exactly16bytes!":1}`, // a length that needs a whole block of padding
		`{"html":"<script>&\"x\"</script>","sep":"\u2028"}`,
	}
	for _, obj := range objects {
		for _, expires := range []time.Time{{}, now.Add(14 * 24 * time.Hour), now.Add(1500 * time.Microsecond)} {
			seal, err := f.Seal([]byte(obj), now, expires)
			if err != nil {
				t.Fatalf("Seal(%s): %v", obj, err)
			}
			got, meta, err := f.Open(seal)
			if err != nil {
				t.Fatalf("Open(Seal(%s)): %v", obj, err)
			}
			if string(got) != obj {
				t.Errorf("round trip of %s gave %s", obj, got)
			}
			if meta.Key != 0 {
				t.Errorf("Meta.Key = %d, want 0 (the first password seals)", meta.Key)
			}
			if want := expires.Truncate(time.Millisecond); !meta.Expires.Equal(want) {
				t.Errorf("Meta.Expires = %v, want %v (expires to the millisecond)", meta.Expires, want)
			}
			if !meta.Written.IsZero() {
				t.Errorf("Meta.Written = %v; an iron seal carries no writing time", meta.Written)
			}
		}
	}
}

var sealShape = regexp.MustCompile(`^Fe26\.2\*2\*[0-9a-f]{64}\*[A-Za-z0-9_-]{22}\*[A-Za-z0-9_-]+\*(|[1-9][0-9]*)\*[0-9a-f]{64}\*[A-Za-z0-9_-]{43}~2$`)

func TestSealShape(t *testing.T) {
	f := mustNew(t, Password{"2", pw2}, Password{"1", pw1})
	now := time.UnixMilli(1795763584522)
	a, err := f.Seal([]byte(`{"a":1}`), now, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !sealShape.MatchString(a) {
		t.Errorf("seal %q does not have iron-session's shape", a)
	}
	if exp := strings.Split(a, "*")[5]; exp != "1795767184522" {
		t.Errorf("expiration field %q, want 1795767184522 (ms)", exp)
	}
	b, err := f.Seal([]byte(`{"a":1}`), now, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !sealShape.MatchString(b) || strings.Split(b, "*")[5] != "" {
		t.Errorf("seal without expiry %q: want an empty expiration field", b)
	}
	c, _ := f.Seal([]byte(`{"a":1}`), now, time.Time{})
	if b == c {
		t.Error("two seals of one object are equal: salts and iv must be random")
	}
}

func TestRotation(t *testing.T) {
	old := mustNew(t, Password{"1", pw1})
	both := mustNew(t, Password{"2", pw2}, Password{"1", pw1})
	newOnly := mustNew(t, Password{"2", pw2})
	seal, err := old.Seal([]byte(`{"u":1}`), time.Now(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, meta, err := both.Open(seal); err != nil || meta.Key != 1 {
		t.Errorf("old seal with [2, 1]: Key %d, err %v; want Key 1", meta.Key, err)
	}
	if _, _, err := newOnly.Open(seal); !errors.Is(err, format.ErrSignature) {
		t.Errorf("old seal with [2]: err %v, want ErrSignature", err)
	}
	// A password listed with the wrong id: the seal names id 1, and the
	// reader's id 1 is another password.
	wrong := mustNew(t, Password{"1", pw2})
	if _, _, err := wrong.Open(seal); !errors.Is(err, format.ErrSignature) {
		t.Errorf("another password under id 1: err %v, want ErrSignature", err)
	}
}

func TestNewErrors(t *testing.T) {
	long := strings.Repeat("x", 32)
	tests := []struct {
		name string
		ps   []Password
	}{
		{"no password", nil},
		{"31 characters", []Password{{"1", long[:31]}}},
		{"31 characters, non-ASCII counted once each", []Password{{"1", strings.Repeat("é", 31)}}},
		{"invalid UTF-8", []Password{{"1", long + "\xff"}}},
		{"empty id", []Password{{"", long}}},
		{"id not decimal", []Password{{"a", long}}},
		{"negative id", []Password{{"-1", long}}},
		{"leading zero", []Password{{"01", long}}},
		{"16 digits", []Password{{"1234567890123456", long}}},
		{"duplicate id", []Password{{"1", long}, {"1", long + "y"}}},
	}
	for _, tt := range tests {
		if f, err := New(tt.ps); err == nil || f != nil {
			t.Errorf("%s: New = %v, %v; want an error", tt.name, f, err)
		}
	}
	ok := [][]Password{
		{{"1", long}},
		{{"0", long}},
		{{"123456789012345", long}},
		{{"1", strings.Repeat("😀", 16)}}, // 32 UTF-16 code units, as JavaScript counts
		{{"1", long}, {"2", long}},       // the first seals, whatever its id
	}
	for _, ps := range ok {
		if _, err := New(ps); err != nil {
			t.Errorf("New(%v): %v", ps, err)
		}
	}
	if s := (Password{"1", long}).String(); strings.Contains(s, long) {
		t.Errorf("Password.String() = %q shows the secret", s)
	}
}

func TestParsePassword(t *testing.T) {
	tests := []struct {
		in       string
		id, pass string
		bad      bool
	}{
		{in: "plain-password", id: "1", pass: "plain-password"},
		{in: "2=second", id: "2", pass: "second"},
		{in: "10=a=b", id: "10", pass: "a=b"},
		{in: "0=zero", id: "0", pass: "zero"},
		{in: "=x", id: "1", pass: "=x"},     // no id before "=": a plain password
		{in: "a1=x", id: "1", pass: "a1=x"}, // not digits
		{in: "1x=y", id: "1", pass: "1x=y"},
		{in: "01=x", bad: true},
		{in: "1234567890123456=x", bad: true},
		{in: "3=", bad: true},
		{in: "", bad: true},
	}
	for _, tt := range tests {
		p, err := ParsePassword(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ParsePassword(%q) = %+v, want an error", tt.in, p)
			}
			continue
		}
		if err != nil || p.ID != tt.id || p.Secret != tt.pass {
			t.Errorf("ParsePassword(%q) = %+v, %v; want id %q password %q", tt.in, p, err, tt.id, tt.pass)
		}
	}
}

func TestSealErrors(t *testing.T) {
	f := mustNew(t, Password{"1", pw1})
	now := time.Now()
	for _, obj := range []string{``, `[]`, `"s"`, `null`, `{"a":`, `{} {}`} {
		if s, err := f.Seal([]byte(obj), now, time.Time{}); err == nil {
			t.Errorf("Seal(%q) = %q, want an error", obj, s)
		}
	}
	if _, err := f.Seal([]byte(`{}`), now, time.UnixMilli(0)); err == nil {
		t.Error("Seal with expiry at the epoch: want an error")
	}
	big := `{"a":"` + strings.Repeat("x", MaxSize) + `"}`
	if _, err := f.Seal([]byte(big), now, time.Time{}); !errors.Is(err, format.ErrTooLarge) {
		t.Errorf("Seal of a huge object: %v, want ErrTooLarge", err)
	}
}

// rawSeal builds a seal from chosen fields with a correct MAC under
// secret, so that the checks after the MAC can be reached.
func rawSeal(secret, id, encSalt, iv, ct, exp, macSalt string) string {
	base := strings.Join([]string{Prefix, id, encSalt, iv, ct, exp}, "*")
	m := hmac.New(sha256.New, pbkdf2SHA1([]byte(secret), []byte(macSalt), 1, keyLen))
	m.Write([]byte(base))
	return base + "*" + macSalt + "*" + b64.EncodeToString(m.Sum(nil)) + Suffix
}

// encryptRaw encrypts plain (already padded or not) as a seal would.
func encryptRaw(secret, encSalt string, iv, plain []byte) string {
	block, _ := aes.NewCipher(pbkdf2SHA1([]byte(secret), []byte(encSalt), 1, keyLen))
	out := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, plain)
	return b64.EncodeToString(out)
}

func pkcs7(b []byte) []byte {
	n := aes.BlockSize - len(b)%aes.BlockSize
	return append(append([]byte(nil), b...), []byte(strings.Repeat(string(rune(n)), n))...)
}

// Hostile seals: each is refused with the sentinel it names, and none
// panics or returns an object.
func TestOpenHostile(t *testing.T) {
	f := mustNew(t, Password{"2", pw2}, Password{"1", pw1})
	good, err := f.Seal([]byte(`{"user":"tom"}`), time.Now(), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Split(strings.TrimSuffix(good, Suffix), "*")
	with := func(i int, v string) string {
		c := append([]string(nil), fields...)
		c[i] = v
		return strings.Join(c, "*") + Suffix
	}
	flip := func(s string) string { // change one character of a base64url or hex text
		b := []byte(s)
		if b[1] == 'A' {
			b[1] = 'B'
		} else {
			b[1] = 'A'
		}
		return string(b)
	}
	salt := strings.Repeat("ab", 32)
	iv := make([]byte, 16)
	ivText := b64.EncodeToString(iv)
	objCT := encryptRaw(pw2, salt, iv, pkcs7([]byte(`{"a":1}`)))

	tests := []struct {
		name  string
		value string
		want  error
	}{
		{"empty", "", format.ErrMalformed},
		{"garbage", "garbage", format.ErrMalformed},
		{"too large", good + strings.Repeat("A", MaxSize), format.ErrTooLarge},
		{"seven fields", strings.Join(fields[:7], "*"), format.ErrMalformed},
		{"nine fields", good[:len(good)-2] + "*x", format.ErrMalformed},
		{"other iron version", with(0, "Fe26.1"), format.ErrAlgorithm},
		{"not iron", with(0, "Fe27.2"), format.ErrMalformed},
		{"unknown password id", with(1, "3"), format.ErrSignature},
		{"empty password id", with(1, ""), format.ErrSignature},
		{"password id with a leading zero", with(1, "02"), format.ErrSignature},
		{"another configured id", with(1, "1"), format.ErrSignature},
		{"expiration extended", with(5, "99999999999999"), format.ErrSignature},
		{"expiration removed", with(5, ""), format.ErrSignature},
		{"expiration with a leading zero", with(5, "0"+fields[5]), format.ErrMalformed},
		{"expiration signed", with(5, "+"+fields[5]), format.ErrMalformed},
		{"negative expiration", with(5, "-"+fields[5]), format.ErrMalformed},
		{"expiration not a number", with(5, "soon"), format.ErrMalformed},
		{"expiration overflows", with(5, "99999999999999999999"), format.ErrMalformed},
		{"empty encryption salt", with(2, ""), format.ErrMalformed},
		{"empty hmac salt", with(6, ""), format.ErrMalformed},
		{"huge salt", with(6, strings.Repeat("a", maxSalt+1)), format.ErrMalformed},
		{"encryption salt changed", with(2, flip(fields[2])), format.ErrSignature},
		{"iv changed", with(3, flip(fields[3])), format.ErrSignature},
		{"ciphertext changed", with(4, flip(fields[4])), format.ErrSignature},
		{"hmac salt changed", with(6, flip(fields[6])), format.ErrSignature},
		{"hmac changed", with(7, flip(fields[7])), format.ErrSignature},
		{"hmac truncated", with(7, fields[7][:42]), format.ErrSignature},
		{"hmac padded", with(7, fields[7]+"="), format.ErrSignature},
		{"hmac not base64url", with(7, "+"+fields[7][1:]), format.ErrSignature},
		{"hmac empty", with(7, ""), format.ErrSignature},
		// A bad MAC is reported before the ciphertext is looked at.
		{"bad ciphertext and bad hmac", with(4, "!!!"), format.ErrSignature},
		// Authentic seals (right MAC) with bad content.
		{"authentic, iv of 15 bytes", rawSeal(pw2, "2", salt, b64.EncodeToString(iv[:15]), objCT, "", salt), format.ErrMalformed},
		{"authentic, iv not base64url", rawSeal(pw2, "2", salt, "!"+ivText[1:], objCT, "", salt), format.ErrMalformed},
		{"authentic, ciphertext not base64url", rawSeal(pw2, "2", salt, ivText, "!!!!", "", salt), format.ErrMalformed},
		{"authentic, empty ciphertext", rawSeal(pw2, "2", salt, ivText, "", "", salt), format.ErrMalformed},
		{"authentic, ciphertext of 15 bytes", rawSeal(pw2, "2", salt, ivText, b64.EncodeToString(make([]byte, 15)), "", salt), format.ErrMalformed},
		{"authentic, padding 0", rawSeal(pw2, "2", salt, ivText, encryptRaw(pw2, salt, iv, []byte(`{"a":1}xxxxxxxx`+"\x00")), "", salt), format.ErrMalformed},
		{"authentic, padding 17", rawSeal(pw2, "2", salt, ivText, encryptRaw(pw2, salt, iv, []byte(`{"a":1}xxxxxxxx`+"\x11")), "", salt), format.ErrMalformed},
		{"authentic, padding inconsistent", rawSeal(pw2, "2", salt, ivText, encryptRaw(pw2, salt, iv, []byte(`{"a":1}xxxxxx`+"\x01\x03\x03")), "", salt), format.ErrMalformed},
		// Cut by its last byte alone, this would leave a valid object.
		{"authentic, padding bytes not all 16", rawSeal(pw2, "2", salt, ivText, encryptRaw(pw2, salt, iv, []byte(`{"abcdefghij":1}`+strings.Repeat(" ", 15)+"\x10")), "", salt), format.ErrMalformed},
		{"authentic, an array", rawSeal(pw2, "2", salt, ivText, encryptRaw(pw2, salt, iv, pkcs7([]byte(`[1,2]`))), "", salt), format.ErrMalformed},
		{"authentic, null", rawSeal(pw2, "2", salt, ivText, encryptRaw(pw2, salt, iv, pkcs7([]byte(`null`))), "", salt), format.ErrMalformed},
		{"authentic, broken JSON", rawSeal(pw2, "2", salt, ivText, encryptRaw(pw2, salt, iv, pkcs7([]byte(`{"a":`))), "", salt), format.ErrMalformed},
		{"authentic, two values", rawSeal(pw2, "2", salt, ivText, encryptRaw(pw2, salt, iv, pkcs7([]byte(`{}{}`))), "", salt), format.ErrMalformed},
		{"authentic under id 1 with id 2's password", rawSeal(pw2, "1", salt, ivText, objCT, "", salt), format.ErrSignature},
	}
	for _, tt := range tests {
		object, meta, err := f.Open(tt.value)
		if !errors.Is(err, tt.want) || object != nil || meta != (format.Meta{}) {
			t.Errorf("%s: Open = %q, %+v, %v; want %v", tt.name, object, meta, err, tt.want)
		}
	}

	// The hand-made seal itself opens: the table's seals differ from a
	// good one only in what each case names.
	okSeal := rawSeal(pw2, "2", salt, ivText, objCT, "", salt)
	if obj, _, err := f.Open(okSeal); err != nil || string(obj) != `{"a":1}` {
		t.Fatalf("hand-made seal: %q, %v", obj, err)
	}
}

// What iron-session ignores after the seal: its "~2" suffix, any other
// "~" suffix, or none.
func TestOpenSuffix(t *testing.T) {
	f := mustNew(t, Password{"1", pw1})
	seal, err := f.Seal([]byte(`{"a":1}`), time.Now(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	bare := strings.TrimSuffix(seal, Suffix)
	for _, v := range []string{seal, bare, bare + "~", bare + "~3", bare + "~2~2*x"} {
		if obj, _, err := f.Open(v); err != nil || string(obj) != `{"a":1}` {
			t.Errorf("Open(seal + %q) = %q, %v", strings.TrimPrefix(v, bare), obj, err)
		}
	}
}
