package format

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"hash"
	"strings"
	"sync"
	"testing"
)

// A pooled state gives the HMAC a fresh one gives, whatever the pool hands
// out (a state used before, by other goroutines too, or a new one after a
// long message), Equal and EqualString accept exactly that HMAC, and the
// key is the MACKey's own copy.
func TestMACKeyIsHMAC(t *testing.T) {
	for _, h := range []func() hash.Hash{sha1.New, sha256.New} {
		key := []byte("a key of some length")
		k := NewMACKey(h, key)
		key[0] = 'X' // the caller's slice changes later
		want := func(data []byte) []byte {
			m := hmac.New(h, []byte("a key of some length"))
			m.Write(data)
			return m.Sum(nil)
		}
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 200; i++ {
					// Short messages, and every tenth longer than a
					// pooled scratch buffer keeps.
					data := []byte("session=" + strings.Repeat(string(rune('a'+i%26)), 1+i%10/9*maxPooledMessage))
					mac := want(data)
					if got := k.Sum([]byte("prefix"), data); string(got) != "prefix"+string(mac) {
						t.Errorf("Sum(%.20q) = %x", data, got)
						return
					}
					if !k.Equal(data, mac) || !k.EqualString(string(data), mac) {
						t.Errorf("Equal/EqualString(%.20q) refuse its HMAC", data)
						return
					}
					mac[i%len(mac)] ^= 1
					if k.Equal(data, mac) || k.EqualString(string(data), mac) {
						t.Errorf("Equal/EqualString(%.20q) accept a changed HMAC", data)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
}
