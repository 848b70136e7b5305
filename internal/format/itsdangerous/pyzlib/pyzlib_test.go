package pyzlib

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"io"
	"strings"
	"testing"
)

// Outputs of CPython's zlib.compress (zlib 1.2.13), level 6: fixed
// Huffman blocks, dynamic ones (with the bit length tree) and a stored one.
var pythonZlib = []struct{ in, out string }{
	{``, `789c030000000001`},
	{`a`, `789c4b040000620062`},
	{`{"user":"tom","user2":"tom"}`, `789cab562a2d4e2d52b2522ac9cf55d201738ca0bc5a0083e208f9`},
	{strings.Repeat("abc", 54) + strings.Repeat("xyz", 50), `789c4b4c4a4e1cdca8a2b26a102200025e84eb`},
	{"\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f !\"#$%&'", `789c6360646266616563e7e0e4e2e6e1e5e3171014121611151397909492969195935750545256515553070029cc030d`},
	{`{"k0":"nZn","k1":"LXicaBAg8WY1jzIRlNQb0prFmbh7","k2":"-wy5yq1XoY1BaIMcAxYmfsB4Hb","k3":"QLXjjlAFbVV6q9rXxtNDFyuzX","k4":"9k1gnneGEYG1-LwiqD9jJBAciI05F"}`, `789c15cacd0e82200000e077e19c9b94567683194633373b18781357062aa5d5fc69bd7b70fb0edf17d42ed8019d6bb00035348c992c0b8caaed854335d37393a4c27df6a415f78d3d4b739c61f2a70eb20787b8a0a7128dbcbdbdb0771076accc4863a6548388c8b27517f46c7c2721993e33b3c13321a861a5f535daf3083af120bb3050478c4a495d9f80df1f9f352e22`},
	{hexString("a4abd4448c49562d828115d13a1fccea927f52b4d5459297f8b43e42da89238bc13626e43dcb38ddb082488927ec904fb42057443983e88585179d50551afe62"), `789c014000bfffa4abd4448c49562d828115d13a1fccea927f52b4d5459297f8b43e42da89238bc13626e43dcb38ddb082488927ec904fb42057443983e88585179d50551afe6212341f52`},
}

func hexString(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil {
		panic(err)
	}
	return string(b)
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

func TestLongInput(t *testing.T) {
	// Beyond MaxInput: compress/zlib's bytes, which still inflate back.
	data := []byte(strings.Repeat("0123456789abcdef", MaxInput/16+1))
	if got := inflate(t, Compress(data)); !bytes.Equal(got, data) {
		t.Fatal("long input does not round trip")
	}
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
