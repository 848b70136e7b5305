package iron

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"os"
	"testing"
)

// The PBKDF2-HMAC-SHA1 test vectors of RFC 6070.
func TestPBKDF2RFC6070(t *testing.T) {
	tests := []struct {
		password, salt string
		iterations     int
		keyLen         int
		want           string
	}{
		{"password", "salt", 1, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6"},
		{"password", "salt", 2, 20, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"},
		{"password", "salt", 4096, 20, "4b007901b765489abead49d926f721d065a429c1"},
		{"password", "salt", 16777216, 20, "eefe3d61cd4da4e4e9945b3d6ba2158c2634e984"},
		{"passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"},
		{"pass\x00word", "sa\x00lt", 4096, 16, "56fa6aa75548099dcc37d7f03425e0c3"},
	}
	for _, tt := range tests {
		if tt.iterations > 100000 && os.Getenv("COOKIESESSION_LONG_VECTORS") == "" {
			continue // 5 to 70 seconds (with -race); the 4096-iteration vectors take the same path
		}
		got := hex.EncodeToString(pbkdf2SHA1([]byte(tt.password), []byte(tt.salt), tt.iterations, tt.keyLen))
		if got != tt.want {
			t.Errorf("PBKDF2-HMAC-SHA1(%q, %q, %d, %d) = %s, want %s", tt.password, tt.salt, tt.iterations, tt.keyLen, got, tt.want)
		}
	}
}

// iron derives 32-byte keys with one iteration: two blocks of
// HMAC-SHA1, the second cut to 12 bytes. Each block is computed here
// directly from its definition, U_1 = HMAC-SHA1(P, S || INT(i)).
func TestPBKDF2TwoBlocks(t *testing.T) {
	password, salt := []byte("password"), []byte("salt")
	var want []byte
	for i := byte(1); i <= 2; i++ {
		m := hmac.New(sha1.New, password)
		m.Write(salt)
		m.Write([]byte{0, 0, 0, i})
		want = m.Sum(want)
	}
	got := pbkdf2SHA1(password, salt, 1, 32)
	if !bytes.Equal(got, want[:32]) {
		t.Fatalf("PBKDF2 of 32 bytes = %x, want %x", got, want[:32])
	}
}
