package pyzlib

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"io"
	"testing"
)

// Outputs of CPython's zlib.compress (zlib 1.2.13), level 6.
var pythonZlib = []struct{ in, out string }{
	{``, `789c030000000001`},
	{`a`, `789c4b040000620062`},
}

func TestAsPythonZlib(t *testing.T) {
	for _, c := range pythonZlib {
		got := hex.EncodeToString(Compress([]byte(c.in)))
		if got != c.out {
			t.Errorf("Compress(%q)\n got %s\nwant %s", c.in, got, c.out)
		}
	}
}

func inflate(t testing.TB, z []byte) []byte {
	r, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(`{"cart":[{"sku":"Y5ubih","qty":1},{"sku":"yEd7P4","qty":4}],"big":9007199254741827}`))
	f.Add(bytes.Repeat([]byte("abc"), 300))
	f.Fuzz(func(t *testing.T, data []byte) {
		if got := inflate(t, Compress(data)); !bytes.Equal(got, data) {
			t.Fatalf("round trip of %q gave %q", data, got)
		}
	})
}
