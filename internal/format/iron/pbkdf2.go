package iron

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
)

// pbkdf2SHA1 is PBKDF2 (RFC 8018, section 5.2) with HMAC-SHA1 as its
// pseudorandom function: the key derivation of iron, which calls it with
// one iteration and a 32-byte key. It is written here on crypto/hmac
// because crypto/pbkdf2 needs Go 1.24 and the core module supports 1.22;
// its tests run the vectors of RFC 6070.
func pbkdf2SHA1(password, salt []byte, iterations, keyLen int) []byte {
	prf := hmac.New(sha1.New, password)
	hLen := prf.Size()
	blocks := (keyLen + hLen - 1) / hLen
	var counter [4]byte
	u := make([]byte, 0, hLen)
	t := make([]byte, hLen)
	dk := make([]byte, 0, blocks*hLen)
	for block := 1; block <= blocks; block++ {
		// U_1 = PRF(P, S || INT(i))
		prf.Reset()
		prf.Write(salt)
		binary.BigEndian.PutUint32(counter[:], uint32(block))
		prf.Write(counter[:])
		u = prf.Sum(u[:0])
		copy(t, u)
		// U_j = PRF(P, U_{j-1}); T_i = U_1 xor ... xor U_c
		for j := 2; j <= iterations; j++ {
			prf.Reset()
			prf.Write(u)
			u = prf.Sum(u[:0])
			for k := range t {
				t[k] ^= u[k]
			}
		}
		dk = append(dk, t...)
	}
	return dk[:keyLen]
}
