package format

import (
	"crypto/hmac"
	"hash"
	"sync"
)

// A MACKey is an HMAC key with a pool of states keyed with it, so that
// signing and checking a cookie does not set up the two hash states and
// pads of hmac.New every time. Every comparison is hmac.Equal. It is safe
// for concurrent use.
type MACKey struct {
	pool sync.Pool // of *macState
}

type macState struct {
	h   hash.Hash
	buf []byte   // scratch copy of a message, so that the caller's stays where it is
	sum [64]byte // room for the sum of any hash up to SHA-512
}

// maxPooledMessage is the largest scratch buffer a state keeps when it goes
// back to the pool (the size of one cookie); a longer message is hashed all
// the same, by a state that is then dropped.
const maxPooledMessage = 4096

// NewMACKey returns a MACKey for HMAC with the hash h (sha1.New,
// sha256.New) and a copy of key.
func NewMACKey(h func() hash.Hash, key []byte) *MACKey {
	k := &MACKey{}
	key = append([]byte(nil), key...)
	k.pool.New = func() any { return &macState{h: hmac.New(h, key)} }
	return k
}

// sumState returns a state holding the HMAC of msg, copied into the
// state's scratch buffer first: a slice given to a hash.Hash escapes, and
// msg may be on the caller's stack or in a string. The caller gives the
// state back with done.
func sumState[M string | []byte](k *MACKey, msg M) *macState {
	st := k.pool.Get().(*macState)
	st.buf = append(st.buf[:0], msg...)
	st.h.Reset()
	st.h.Write(st.buf)
	return st
}

func (k *MACKey) done(st *macState) {
	if cap(st.buf) <= maxPooledMessage {
		k.pool.Put(st)
	}
}

// Sum appends the HMAC of msg to dst and returns the result, as
// hash.Hash.Sum does. msg does not escape.
func (k *MACKey) Sum(dst, msg []byte) []byte {
	st := sumState(k, msg)
	dst = append(dst, st.h.Sum(st.sum[:0])...)
	k.done(st)
	return dst
}

// Equal reports, in constant time (hmac.Equal), whether mac is the HMAC
// of msg. msg is hashed where it is, without a copy, and so escapes: for a
// message on the heap already (a decoded token), the common case.
func (k *MACKey) Equal(msg, mac []byte) bool {
	st := k.pool.Get().(*macState)
	st.h.Reset()
	st.h.Write(msg)
	ok := hmac.Equal(st.h.Sum(st.sum[:0]), mac)
	k.pool.Put(st)
	return ok
}

// EqualString is Equal for a message held in a string, without a copy of
// it on the heap.
func (k *MACKey) EqualString(msg string, mac []byte) bool {
	st := sumState(k, msg)
	ok := hmac.Equal(st.h.Sum(st.sum[:0]), mac)
	k.done(st)
	return ok
}
