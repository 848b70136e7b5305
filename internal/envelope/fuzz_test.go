package envelope

import (
	"bytes"
	"compress/flate"
	"errors"
	"math/rand"
	"testing"

	"github.com/cookiesession/cookiesession/internal/format"
)

// FuzzUnpack feeds arbitrary payloads to Unpack: it never panics, passes a
// payload without the marker through untouched, never returns more than
// min(MaxSize, MaxRatio × payload length) bytes or anything but an object,
// and wraps a sentinel in every error.
func FuzzUnpack(f *testing.F) {
	e := mustNew(f, Options{MaxSize: MinMaxSize, MaxRatio: 16})
	rng := rand.New(rand.NewSource(1))
	f.Add(deflate(f, session(rng, 2000), flate.BestCompression))
	f.Add(deflate(f, session(rng, 5000), flate.BestSpeed))
	f.Add(deflate(f, append(append([]byte(`{"a":"`), make([]byte, 100000)...), '"', '}'), flate.BestCompression))
	f.Add(deflate(f, []byte(`{}`), flate.NoCompression))
	f.Add([]byte(`{"a":1}`))
	f.Add([]byte("~"))
	f.Fuzz(func(t *testing.T, payload []byte) {
		got, err := e.Unpack(payload)
		if err != nil {
			if !errors.Is(err, format.ErrMalformed) && !errors.Is(err, format.ErrTooLarge) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			if got != nil {
				t.Fatal("a value beside the error")
			}
			return
		}
		if len(payload) == 0 || payload[0] != Marker {
			if !bytes.Equal(got, payload) {
				t.Fatal("a payload without the marker was changed")
			}
			return
		}
		if len(got) > e.maxSize || len(got) > e.maxRatio*len(payload) {
			t.Fatalf("%d bytes from %d", len(got), len(payload))
		}
		if got[0] != '{' {
			t.Fatalf("expanded to %q…, not an object", got[:1])
		}
	})
}

// FuzzPackUnpack: whatever Pack makes of an object, Unpack gives back.
func FuzzPackUnpack(f *testing.F) {
	e := mustNew(f, Options{MaxSize: MinMaxSize, MaxRatio: 16})
	rng := rand.New(rand.NewSource(2))
	f.Add(session(rng, 3000))
	f.Add([]byte(`{"a":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, object []byte) {
		packed, err := e.Pack(object)
		if err != nil {
			if len(object) > 0 && object[0] == '{' {
				t.Fatalf("Pack refused an object: %v", err)
			}
			return
		}
		if len(packed) > len(object) {
			t.Fatalf("packed to %d bytes from %d", len(packed), len(object))
		}
		got, err := e.Unpack(packed)
		if err != nil || !bytes.Equal(got, object) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
