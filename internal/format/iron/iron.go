// Package iron is the cookie format of iron-session 9 (the session library
// of Next.js apps): an iron seal (the @hapi/iron format, as iron-webcrypto
// writes it) with iron-session's "~2" suffix.
//
// # The seal
//
//	Fe26.2*<id>*<encryption salt>*<iv>*<ciphertext>*<expiration>*<hmac salt>*<hmac>~2
//
// The session's JSON is encrypted with AES-256-CBC (PKCS#7 padding) under
// the key PBKDF2-HMAC-SHA1(password, encryption salt, 1 iteration, 32
// bytes); the first six fields, joined by "*", are authenticated with
// HMAC-SHA256 under PBKDF2-HMAC-SHA1(password, hmac salt, 1, 32). Salts are
// 64 hex characters (32 random bytes) used as text; iv, ciphertext and hmac
// are unpadded base64url. The expiration is in milliseconds since the Unix
// epoch, empty for none (iron-session's ttl 0). The "~2" after the seal
// lies outside the MAC: iron-session ignores it, and so does [Format.Open].
//
// # Passwords and rotation
//
// Every seal names the id of the password it was made with. A [Format]
// holds a list of passwords with distinct ids: the first seals, and Open
// picks the password by the seal's id (an unknown id is
// [format.ErrSignature]). iron-session seals with the highest id of its
// password map; list that one first to write as it does. Passwords have at
// least 32 characters; a shorter one is an error from [New].
//
// # What Open checks, in order
//
// Size, structure, the version prefix, the password id and the expiration
// field's syntax; then the HMAC, compared with hmac.Equal; only then are
// the iv and ciphertext decoded, decrypted and the padding and JSON checked.
// Open judges no time: it reports the seal's expiration in Meta.Expires and
// the caller compares it with its clock, allowing [Skew] as iron does.
//
// Chunked sessions (iron-session's chunk option: the seal cut into cookies
// name.0, name.1, ...) are the cookie layer's business: Open takes the
// whole seal, the chunks concatenated.
package iron

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

const (
	// Prefix starts every seal: iron's MAC format version 2.
	Prefix = "Fe26.2"
	// Suffix is what iron-session 9 appends to a seal, outside its MAC.
	Suffix = "~2"
	// Skew is the clock skew iron allows when it checks an expiration: a
	// seal is expired once its expiration is Skew or more in the past.
	Skew = 60 * time.Second
	// MaxSize is the longest value Open accepts: four cookies of 4096
	// bytes, iron-session's most chunks. Longer values are
	// [format.ErrTooLarge] before any work is spent on them.
	MaxSize = 4 * 4096
)

const (
	keyLen   = 32 // AES-256 and HMAC-SHA256 keys
	saltLen  = 32 // random bytes of a salt, written as 64 hex characters
	ivLen    = aes.BlockSize
	macLen   = sha256.Size
	maxSalt  = 256 // longest salt Open accepts; iron writes 64 characters
	nFields  = 8
	idxID    = 1
	idxExp   = 5
	idxHSalt = 6
)

var b64 = base64.RawURLEncoding.Strict()

// Format reads and writes iron-session seals with a list of passwords. It
// implements format.Format and is safe for concurrent use.
type Format struct {
	passwords []Password
	secrets   [][]byte
}

// New returns the format for passwords: passwords[0] seals, and every one
// opens the seals that name its id. It is an error to give no password,
// two with one id, an id that is not a canonical decimal number (see
// [Password]), or a password shorter than [MinPasswordLength] characters
// or not valid UTF-8.
func New(passwords []Password) (*Format, error) {
	if len(passwords) == 0 {
		return nil, errors.New("iron: at least one password is required")
	}
	f := &Format{
		passwords: make([]Password, len(passwords)),
		secrets:   make([][]byte, len(passwords)),
	}
	seen := make(map[string]bool, len(passwords))
	for i, p := range passwords {
		if err := checkID(p.ID); err != nil {
			return nil, err
		}
		if seen[p.ID] {
			return nil, fmt.Errorf("iron: password id %s is given twice; give each password its own id (ID=PASSWORD)", p.ID)
		}
		seen[p.ID] = true
		if err := checkSecret(p); err != nil {
			return nil, err
		}
		f.passwords[i] = p
		f.secrets[i] = []byte(p.Secret)
	}
	return f, nil
}

// Seal encrypts object (a JSON object) with the first password and
// returns the seal with iron-session's "~2" suffix. expires is written as
// the seal's expiration in milliseconds; zero writes none (iron-session's
// ttl 0), and a time at or before the Unix epoch is an error. now is not
// used: a seal states only its expiration. Seal fails on an object that
// is not a JSON object, on a failing random source, and with
// [format.ErrTooLarge] on a seal longer than [MaxSize].
func (f *Format) Seal(object []byte, now, expires time.Time) (string, error) {
	if !isObject(object) {
		return "", errors.New("iron: the session is not a JSON object")
	}
	exp := ""
	if !expires.IsZero() {
		ms := expires.UnixMilli()
		if ms <= 0 {
			return "", fmt.Errorf("iron: expiry %v is not after the Unix epoch", expires)
		}
		exp = strconv.FormatInt(ms, 10)
	}
	var random [2*saltLen + ivLen]byte
	if _, err := rand.Read(random[:]); err != nil {
		return "", fmt.Errorf("iron: random source: %w", err)
	}
	encSalt := hex.EncodeToString(random[:saltLen])
	macSalt := hex.EncodeToString(random[saltLen : 2*saltLen])
	iv := random[2*saltLen:]

	secret := f.secrets[0]
	block, err := aes.NewCipher(pbkdf2SHA1(secret, []byte(encSalt), 1, keyLen))
	if err != nil {
		return "", fmt.Errorf("iron: %w", err) // unreachable: the key has 32 bytes
	}
	pad := aes.BlockSize - len(object)%aes.BlockSize
	ct := make([]byte, len(object)+pad)
	copy(ct, object)
	for i := len(object); i < len(ct); i++ {
		ct[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, ct)

	n := len(Prefix) + 1 + len(f.passwords[0].ID) + 1 + len(encSalt) + 1 +
		b64.EncodedLen(ivLen) + 1 + b64.EncodedLen(len(ct)) + 1 + len(exp) +
		1 + len(macSalt) + 1 + b64.EncodedLen(macLen) + len(Suffix)
	if n > MaxSize {
		return "", fmt.Errorf("%w: the seal would have %d bytes, iron-session reads at most %d", format.ErrTooLarge, n, MaxSize)
	}
	seal := make([]byte, 0, n)
	seal = append(seal, Prefix...)
	seal = append(seal, '*')
	seal = append(seal, f.passwords[0].ID...)
	seal = append(seal, '*')
	seal = append(seal, encSalt...)
	seal = append(seal, '*')
	seal = b64.AppendEncode(seal, iv)
	seal = append(seal, '*')
	seal = b64.AppendEncode(seal, ct)
	seal = append(seal, '*')
	seal = append(seal, exp...)
	mac := hmac.New(sha256.New, pbkdf2SHA1(secret, []byte(macSalt), 1, keyLen))
	mac.Write(seal)
	var sum [macLen]byte
	seal = append(seal, '*')
	seal = append(seal, macSalt...)
	seal = append(seal, '*')
	seal = b64.AppendEncode(seal, mac.Sum(sum[:0]))
	seal = append(seal, Suffix...)
	return string(seal), nil
}

// Open authenticates and decrypts a seal, with or without a "~" suffix,
// and returns the JSON object inside. Meta.Key is the index of the
// password used; Meta.Expires is the seal's expiration (zero if it has
// none), not judged here. Errors wrap [format.ErrTooLarge] (longer than
// [MaxSize]), [format.ErrMalformed] (not a seal, a bad expiration field,
// or, once authenticated, a bad iv, ciphertext, padding or JSON),
// [format.ErrAlgorithm] (another iron MAC version than Fe26.2) or
// [format.ErrSignature] (a password id not configured, or a MAC that does
// not match).
func (f *Format) Open(value string) ([]byte, format.Meta, error) {
	if len(value) > MaxSize {
		return nil, format.Meta{}, fmt.Errorf("%w: %d bytes, an iron seal has at most %d", format.ErrTooLarge, len(value), MaxSize)
	}
	// iron-session strips everything from the first "~": a version marker
	// outside the MAC that selects nothing.
	if i := strings.IndexByte(value, '~'); i >= 0 {
		value = value[:i]
	}
	var fields [nFields]string
	if strings.Count(value, "*") != nFields-1 {
		return nil, format.Meta{}, fmt.Errorf("%w: an iron seal has %d fields separated by \"*\"", format.ErrMalformed, nFields)
	}
	rest := value
	for i := 0; i < nFields-1; i++ {
		j := strings.IndexByte(rest, '*')
		fields[i], rest = rest[:j], rest[j+1:]
	}
	fields[nFields-1] = rest
	macBase := value[:len(value)-len(fields[6])-len(fields[7])-2]

	if fields[0] != Prefix {
		if strings.HasPrefix(fields[0], "Fe26.") {
			return nil, format.Meta{}, fmt.Errorf("%w: iron seal version %q, only %s is accepted", format.ErrAlgorithm, fields[0], Prefix)
		}
		return nil, format.Meta{}, fmt.Errorf("%w: not an iron seal (no %s prefix)", format.ErrMalformed, Prefix)
	}
	key := f.lookup(fields[idxID])
	if key < 0 {
		return nil, format.Meta{}, fmt.Errorf("%w: no configured iron password has the seal's id %.20q", format.ErrSignature, fields[idxID])
	}
	var meta format.Meta
	meta.Key = key
	if exp := fields[idxExp]; exp != "" {
		// iron accepts /^[1-9]\d*$/ only.
		ms, err := strconv.ParseInt(exp, 10, 64)
		if !allDigits(exp) || exp[0] == '0' || err != nil {
			return nil, format.Meta{}, fmt.Errorf("%w: iron seal expiration %.20q is not a positive number of milliseconds", format.ErrMalformed, exp)
		}
		meta.Expires = time.UnixMilli(ms)
	}
	encSalt, macSalt := fields[2], fields[idxHSalt]
	if encSalt == "" || macSalt == "" || len(encSalt) > maxSalt || len(macSalt) > maxSalt {
		return nil, format.Meta{}, fmt.Errorf("%w: iron seal salts must have 1 to %d characters", format.ErrMalformed, maxSalt)
	}
	var got [macLen]byte
	if b64.EncodedLen(macLen) != len(fields[7]) {
		return nil, format.Meta{}, fmt.Errorf("%w: the iron seal's hmac is not a base64url HMAC-SHA256", format.ErrSignature)
	}
	if _, err := b64.Decode(got[:], []byte(fields[7])); err != nil {
		return nil, format.Meta{}, fmt.Errorf("%w: the iron seal's hmac: %v", format.ErrSignature, err)
	}
	secret := f.secrets[key]
	mac := hmac.New(sha256.New, pbkdf2SHA1(secret, []byte(macSalt), 1, keyLen))
	mac.Write([]byte(macBase))
	var want [macLen]byte
	if !hmac.Equal(mac.Sum(want[:0]), got[:]) {
		return nil, format.Meta{}, fmt.Errorf("%w: iron seal hmac does not match the password of id %s", format.ErrSignature, f.passwords[key].ID)
	}

	// Authentic from here on.
	var iv [ivLen]byte
	if b64.EncodedLen(ivLen) != len(fields[3]) {
		return nil, format.Meta{}, fmt.Errorf("%w: the iron seal's iv is not 16 bytes of base64url", format.ErrMalformed)
	}
	if _, err := b64.Decode(iv[:], []byte(fields[3])); err != nil {
		return nil, format.Meta{}, fmt.Errorf("%w: the iron seal's iv: %v", format.ErrMalformed, err)
	}
	ct, err := b64.DecodeString(fields[4])
	if err != nil {
		return nil, format.Meta{}, fmt.Errorf("%w: the iron seal's ciphertext: %v", format.ErrMalformed, err)
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, format.Meta{}, fmt.Errorf("%w: the iron seal's ciphertext is not whole AES blocks", format.ErrMalformed)
	}
	block, err := aes.NewCipher(pbkdf2SHA1(secret, []byte(encSalt), 1, keyLen))
	if err != nil {
		return nil, format.Meta{}, fmt.Errorf("iron: %w", err) // unreachable: the key has 32 bytes
	}
	cipher.NewCBCDecrypter(block, iv[:]).CryptBlocks(ct, ct)
	pad := int(ct[len(ct)-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, format.Meta{}, fmt.Errorf("%w: bad padding in the iron seal", format.ErrMalformed)
	}
	for _, b := range ct[len(ct)-pad:] {
		if int(b) != pad {
			return nil, format.Meta{}, fmt.Errorf("%w: bad padding in the iron seal", format.ErrMalformed)
		}
	}
	object := ct[:len(ct)-pad]
	if !isObject(object) {
		return nil, format.Meta{}, fmt.Errorf("%w: the iron seal does not hold a JSON object", format.ErrMalformed)
	}
	return object, meta, nil
}

// lookup returns the index of the password with id, or -1.
func (f *Format) lookup(id string) int {
	for i, p := range f.passwords {
		if p.ID == id {
			return i
		}
	}
	return -1
}

// isObject reports whether b is one valid JSON value that is an object.
func isObject(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && json.Valid(b)
}

var _ format.Format = (*Format)(nil)
