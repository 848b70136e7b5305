package envelope

import (
	"math/rand"
	"testing"
)

// A 10 KB session (a CSRF token, a user, a cart, recent pages), compressed
// and expanded.

func BenchmarkPack10K(b *testing.B) {
	e := mustNew(b, Options{})
	object := session(rand.New(rand.NewSource(1)), 10<<10)
	b.SetBytes(int64(len(object)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := e.Pack(object)
		if err != nil || p[0] != Marker {
			b.Fatal("not compressed", err)
		}
	}
}

func BenchmarkUnpack10K(b *testing.B) {
	e := mustNew(b, Options{})
	object := session(rand.New(rand.NewSource(1)), 10<<10)
	packed, err := e.Pack(object)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(packed)), "packed-bytes")
	b.SetBytes(int64(len(object)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Unpack(packed); err != nil {
			b.Fatal(err)
		}
	}
}
