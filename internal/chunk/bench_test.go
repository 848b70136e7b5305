package chunk

import (
	"math/rand"
	"testing"
)

// A 10 KB value over three cookies, written and read back.

func BenchmarkSplit10K(b *testing.B) {
	s := mustNew(b, "session", Options{MaxSize: HardMaxSize})
	value := randomValue(rand.New(rand.NewSource(7)), 10<<10)
	b.SetBytes(int64(len(value)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := s.Split(value); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJoin10K(b *testing.B) {
	s := mustNew(b, "session", Options{MaxSize: HardMaxSize})
	value := randomValue(rand.New(rand.NewSource(7)), 10<<10)
	cs, err := s.Split(value)
	if err != nil {
		b.Fatal(err)
	}
	request := append([]Cookie{{"theme", "dark"}, {"_ga", "GA1.2.3"}}, cs...)
	b.SetBytes(int64(len(value)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := s.Join(request)
		if err != nil || len(got) != 1 {
			b.Fatal(err)
		}
	}
}

func BenchmarkJoinIron10K(b *testing.B) {
	s := mustNew(b, "session", Options{Form: Iron})
	value := randomValue(rand.New(rand.NewSource(7)), 10<<10)
	cs, err := s.Split(value)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(value)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		got, err := s.Join(cs)
		if err != nil || len(got) != 1 {
			b.Fatal(err)
		}
	}
}
