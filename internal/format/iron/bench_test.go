package iron

import (
	"testing"
	"time"
)

var benchObject = []byte(`{"user":"GHML2IfH","uid":607736,"admin":false,"cart":[{"sku":"Rklrzy","qty":6},{"sku":"iMKA2Z","qty":7}]}`)

func BenchmarkSeal(b *testing.B) {
	f := mustNew(b, Password{"1", pw1})
	now := time.Now()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := f.Seal(benchObject, now, now.Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	f := mustNew(b, Password{"1", pw1})
	seal, err := f.Seal(benchObject, time.Now(), time.Now().Add(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := f.Open(seal); err != nil {
			b.Fatal(err)
		}
	}
}

// Concurrent use: run with -race.
func TestConcurrent(t *testing.T) {
	f := mustNew(t, Password{"2", pw2}, Password{"1", pw1})
	done := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 50; i++ {
				s, err := f.Seal(benchObject, time.Now(), time.Time{})
				if err == nil {
					_, _, err = f.Open(s)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
