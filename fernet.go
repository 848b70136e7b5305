package cookiesession

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/cookiesession/cookiesession/internal/format"
)

// Fernet tokens, as the Fernet specification defines them:
//
//	version (0x80) | timestamp (8 bytes, big endian) | IV (16) | ciphertext | HMAC (32)
//
// The ciphertext is AES-128-CBC with PKCS#7 padding under the key's
// encryption half; the HMAC-SHA256 under its signing half covers everything
// before it.
const (
	fernetVersion  = 0x80
	fernetHeader   = 1 + 8 + aes.BlockSize
	fernetOverhead = fernetHeader + sha256.Size
)

// fernetKey is a 32-byte Fernet key split into its halves.
type fernetKey struct {
	signing    []byte         // first 16 bytes
	encryption []byte         // last 16 bytes
	mac        *format.MACKey // signing, with a pool of HMAC states
	block      cipher.Block   // AES-128 under encryption
}

func newFernetKey(raw []byte) (fernetKey, error) {
	if len(raw) != 32 {
		return fernetKey{}, fmt.Errorf("%w: a fernet key is 32 bytes, not %d", ErrInvalidSecret, len(raw))
	}
	block, err := aes.NewCipher(raw[16:32])
	if err != nil { // unreachable: the half is 16 bytes
		return fernetKey{}, err
	}
	signing := raw[:16:16]
	return fernetKey{signing: signing, encryption: raw[16:32:32], mac: format.NewMACKey(sha256.New, signing), block: block}, nil
}

// fernetSeal returns the raw (not yet base64-encoded) token for plaintext,
// made at Unix time ts with an IV of 16 bytes read from random.
func fernetSeal(k fernetKey, plaintext []byte, random io.Reader, ts int64) ([]byte, error) {
	padding := aes.BlockSize - len(plaintext)%aes.BlockSize
	n := fernetHeader + len(plaintext) + padding
	token := make([]byte, n, n+sha256.Size)
	token[0] = fernetVersion
	binary.BigEndian.PutUint64(token[1:9], uint64(ts))
	iv := token[9:fernetHeader]
	if _, err := io.ReadFull(random, iv); err != nil {
		return nil, fmt.Errorf("cookiesession: fernet IV: %w", err)
	}
	body := token[fernetHeader:]
	copy(body, plaintext)
	for i := len(plaintext); i < len(body); i++ {
		body[i] = byte(padding)
	}
	cipher.NewCBCEncrypter(k.block, iv).CryptBlocks(body, body)
	return k.mac.Sum(token, token), nil
}

// errFernetPadding is the padding failure of an authentic token (which only
// a holder of the key can make).
var errFernetPadding = errors.New("bad padding")

// fernetOpen authenticates a raw token with each key in turn and returns
// its plaintext, timestamp and the index of the key that authenticated it. It checks the structure and the MAC; the
// caller judges the timestamp. The ciphertext is decrypted in place: the
// plaintext is a slice of token, whose contents are overwritten.
func fernetOpen(keys []fernetKey, token []byte) (plaintext []byte, ts int64, key int, err error) {
	if len(token) < fernetOverhead+aes.BlockSize || (len(token)-fernetOverhead)%aes.BlockSize != 0 {
		return nil, 0, 0, fmt.Errorf("%w: fernet token of %d bytes", ErrMalformed, len(token))
	}
	if token[0] != fernetVersion {
		return nil, 0, 0, fmt.Errorf("%w: fernet version byte 0x%02x", ErrMalformed, token[0])
	}
	signed, sum := token[:len(token)-sha256.Size], token[len(token)-sha256.Size:]
	index := fernetFindKey(keys, signed, sum)
	if index < 0 {
		return nil, 0, 0, fmt.Errorf("%w: fernet token not made with any configured secret", ErrSignature)
	}
	ts = int64(min(binary.BigEndian.Uint64(token[1:9]), 1<<63-1)) // unsigned: beyond int64 is the far future
	iv := token[9:fernetHeader]
	body := signed[fernetHeader:] // decrypted in place: token is the caller's own copy
	cipher.NewCBCDecrypter(keys[index].block, iv).CryptBlocks(body, body)
	padding := int(body[len(body)-1])
	if padding == 0 || padding > aes.BlockSize {
		return nil, 0, 0, fmt.Errorf("%w: fernet: %w", ErrMalformed, errFernetPadding)
	}
	for _, b := range body[len(body)-padding:] {
		if int(b) != padding {
			return nil, 0, 0, fmt.Errorf("%w: fernet: %w", ErrMalformed, errFernetPadding)
		}
	}
	return body[:len(body)-padding], ts, index, nil
}

// fernetFindKey returns the index of the key whose MAC sum is, or -1.
func fernetFindKey(keys []fernetKey, signed, sum []byte) int {
	for i, k := range keys {
		if k.mac.Equal(signed, sum) { // hmac.Equal
			return i
		}
	}
	return -1
}
