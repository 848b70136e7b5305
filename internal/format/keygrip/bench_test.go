package keygrip

import (
	"testing"
	"time"
)

var benchObject = []byte(`{"admin":false,"cart":[{"qty":6,"sku":"Rklrzy"},{"qty":7,"sku":"iMKA2Z"}],"uid":607736,"user":"GHML2IfH"}`)

func BenchmarkSeal(b *testing.B) {
	f := mustNew(b, "session", "EJK1DDaSRNWXF2ZAuUB-aHc0")
	now := time.Now()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := f.Seal(benchObject, now, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	f := mustNew(b, "session", "EJK1DDaSRNWXF2ZAuUB-aHc0")
	v, err := f.Seal(benchObject, time.Now(), time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := f.Open(v); err != nil {
			b.Fatal(err)
		}
	}
}

// Concurrent use of the pooled HMAC states: run with -race.
func TestConcurrent(t *testing.T) {
	f := mustNew(t, "session", "k1", "k0")
	old := mustNew(t, "session", "k0")
	done := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func(g int) {
			w := f
			if g%2 == 1 {
				w = old
			}
			for i := 0; i < 200; i++ {
				s, err := w.Seal(benchObject, time.Now(), time.Time{})
				if err == nil {
					_, _, err = f.Open(s)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
