package chunk

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"

	"github.com/cookiesession/cookiesession/internal/format"
)

// Split returns the cookies that carry value, in the order to write them:
// one cookie <name>=value when it fits in CookieBytes (and, in the Native
// form, does not start with '!'), else the chunks of the Scheme's form.
// Each returned cookie's name=value takes at most CookieBytes, and all of
// them together at most MaxSize bytes of Cookie header.
//
// Errors: an empty value, or one with a byte that is not an RFC 6265
// cookie-octet, wraps [format.ErrMalformed] (formats never produce either;
// an emptied session is expired, not split); a value that would pass
// MaxSize, or need more than MaxChunks cookies, wraps [format.ErrTooLarge].
// On error nothing is to be written, so the browser keeps its last good
// session.
func (s *Scheme) Split(value string) ([]Cookie, error) {
	if value == "" {
		return nil, fmt.Errorf("chunk: %w: empty value (expire the cookies instead)", format.ErrMalformed)
	}
	if i := cookieSafe(value); i >= 0 {
		return nil, fmt.Errorf("chunk: %w: byte %#x at %d is not allowed in a cookie value", format.ErrMalformed, value[i], i)
	}
	if len(s.name)+1+len(value) <= s.cookieBytes && (s.form == Iron || value[0] != '!') {
		return []Cookie{{Name: s.name, Value: value}}, nil
	}
	if s.form == Iron {
		return s.splitIron(value)
	}
	return s.splitNative(value)
}

// splitNative cuts value into the smallest number of Native chunks.
func (s *Scheme) splitNative(value string) ([]Cookie, error) {
	n := 1
	for ; n <= s.maxChunks; n++ {
		room := 0
		for i := 0; i < n; i++ {
			room += s.cookieBytes - s.pieceOverhead(n, i)
		}
		if room >= len(value) {
			break
		}
	}
	if n > s.maxChunks {
		return nil, fmt.Errorf("chunk: %w: a value of %d bytes needs more than %d cookies (MaxSize %d)", format.ErrTooLarge, len(value), s.maxChunks, s.maxSize)
	}
	digest := digestOf(value)
	out := make([]Cookie, n)
	rest, total := value, 2*(n-1)
	for i := 0; i < n; i++ {
		size := min(len(rest), s.cookieBytes-s.pieceOverhead(n, i))
		piece := rest[:size]
		rest = rest[size:]
		if i == 0 {
			out[i] = Cookie{Name: s.name, Value: "!" + strconv.Itoa(n) + "." + digest + "." + piece}
		} else {
			out[i] = Cookie{Name: s.chunkName(i), Value: digest + "." + piece}
		}
		total += len(out[i].Name) + 1 + len(out[i].Value)
	}
	if total > s.maxSize {
		return nil, fmt.Errorf("chunk: %w: the value's %d cookies take %d bytes of Cookie header, MaxSize is %d", format.ErrTooLarge, n, total, s.maxSize)
	}
	return out, nil
}

// pieceOverhead returns the bytes of name=value of Native chunk i of n that
// are not the piece.
func (s *Scheme) pieceOverhead(n, i int) int {
	if i == 0 {
		return len(s.name) + 1 + 1 + len(strconv.Itoa(n)) + 1 + digestLen + 1
	}
	return len(s.name) + 1 + len(strconv.Itoa(i)) + 1 + digestLen + 1
}

// splitIron cuts value as iron-session does: <name>.0, <name>.1, … each
// filled to CookieBytes, at most IronMaxChunks.
func (s *Scheme) splitIron(value string) ([]Cookie, error) {
	budget := s.cookieBytes - (len(s.name) + 1 + 1 + 1) // "<name>.<i>=", i < 10
	n := (len(value) + budget - 1) / budget
	if n > IronMaxChunks {
		return nil, fmt.Errorf("chunk: %w: a value of %d bytes needs %d cookies, iron-session reads at most %d", format.ErrTooLarge, len(value), n, IronMaxChunks)
	}
	out := make([]Cookie, n)
	total := 2 * (n - 1)
	for i := range out {
		size := min(len(value), budget)
		out[i] = Cookie{Name: s.chunkName(i), Value: value[:size]}
		value = value[size:]
		total += len(out[i].Name) + 1 + len(out[i].Value)
	}
	if total > s.maxSize {
		return nil, fmt.Errorf("chunk: %w: the value's %d cookies take %d bytes of Cookie header, MaxSize is %d", format.ErrTooLarge, n, total, s.maxSize)
	}
	return out, nil
}

// digestOf returns the Native digest of value: its SHA-256 cut to 6 bytes,
// as 8 characters of unpadded base64url.
func digestOf(value string) string {
	sum := sha256.Sum256([]byte(value))
	return base64.RawURLEncoding.EncodeToString(sum[:6])
}
