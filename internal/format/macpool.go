package format

import (
	"crypto/hmac"
	"hash"
	"sync"
)

// A MACKey is an HMAC key with a pool of HMAC states keyed with it, so
// that signing and checking a cookie does not set up a new HMAC (two hash
// states and the padded key) every time. It is safe for concurrent use.
type MACKey struct {
	pool sync.Pool // of hash.Hash, each hmac.New(h, key)
}

// NewMACKey returns a MACKey for HMAC with the hash h (sha1.New,
// sha256.New) and key.
func NewMACKey(h func() hash.Hash, key []byte) *MACKey {
	k := &MACKey{}
	key = append([]byte(nil), key...)
	k.pool.New = func() any { return hmac.New(h, key) }
	return k
}

// Sum appends the HMAC of data to dst and returns the result, as
// hash.Hash.Sum does.
func (k *MACKey) Sum(dst, data []byte) []byte {
	m := k.pool.Get().(hash.Hash)
	m.Reset()
	m.Write(data)
	dst = m.Sum(dst)
	k.pool.Put(m)
	return dst
}
