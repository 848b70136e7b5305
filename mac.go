package cookiesession

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
)

// A macKey is an HMAC-SHA256 key with a pool of states keyed with it, so
// that checking a cookie does not set up the two SHA-256 states and pads
// of hmac.New every time. Every comparison is hmac.Equal.
type macKey struct {
	key  []byte
	pool sync.Pool // of *macState
}

type macState struct {
	h   hash.Hash
	buf []byte // scratch copy of a string message
	sum [sha256.Size]byte
}

func newMACKey(key []byte) *macKey {
	k := &macKey{key: key}
	k.pool.New = func() any { return &macState{h: hmac.New(sha256.New, k.key)} }
	return k
}

// sum appends the HMAC-SHA256 of msg to dst.
func (k *macKey) sum(dst, msg []byte) []byte {
	st := k.pool.Get().(*macState)
	st.h.Reset()
	st.h.Write(msg)
	dst = st.h.Sum(dst)
	k.pool.Put(st)
	return dst
}

// equal reports, in constant time, whether mac is the HMAC-SHA256 of msg.
func (k *macKey) equal(msg, mac []byte) bool {
	st := k.pool.Get().(*macState)
	st.h.Reset()
	st.h.Write(msg)
	ok := hmac.Equal(st.h.Sum(st.sum[:0]), mac)
	k.pool.Put(st)
	return ok
}

// equalString is equal for a message held in a string.
func (k *macKey) equalString(msg string, mac []byte) bool {
	st := k.pool.Get().(*macState)
	st.buf = append(st.buf[:0], msg...)
	st.h.Reset()
	st.h.Write(st.buf)
	ok := hmac.Equal(st.h.Sum(st.sum[:0]), mac)
	if cap(st.buf) <= MaxCookieSize {
		k.pool.Put(st)
	}
	return ok
}

// sumInto writes the HMAC-SHA256 of msg into out. msg is copied into the
// state's scratch buffer first, so that a message on the caller's stack
// stays there (a slice given to a hash.Hash escapes).
func (k *macKey) sumInto(out *[sha256.Size]byte, msg []byte) {
	st := k.pool.Get().(*macState)
	st.buf = append(st.buf[:0], msg...)
	st.h.Reset()
	st.h.Write(st.buf)
	copy(out[:], st.h.Sum(st.sum[:0]))
	if cap(st.buf) <= MaxCookieSize {
		k.pool.Put(st)
	}
}
