package itsdangerous

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"io"
	"math/rand"
	"strings"
	"testing"
)

// zlib6 is compress/zlib at level 6 written out in the test, the stream
// EncodeURLSafe must use.
func zlib6(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := zlib.NewWriterLevel(&b, 6)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// unzlib inflates data with compress/zlib directly (not Inflate).
func unzlib(t testing.TB, data []byte) []byte {
	t.Helper()
	r, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// boundaryInputs returns JSON objects whose level-6 zlib stream is
// exactly len(json)-d bytes long, for d = 0, 1, 2 and 3, found by a
// seeded search over strings that mix repeats and random letters.
func boundaryInputs(t testing.TB) map[int][]byte {
	t.Helper()
	r := rand.New(rand.NewSource(1))
	found := map[int][]byte{}
	for try := 0; try < 20000 && len(found) < 4; try++ {
		var s strings.Builder
		for n := 10 + r.Intn(120); s.Len() < n; {
			if r.Intn(3) == 0 {
				s.WriteString(strings.Repeat("ab", 1+r.Intn(4)))
			} else {
				s.WriteByte(byte('a' + r.Intn(26)))
			}
		}
		json := []byte(`{"k":"` + s.String() + `"}`)
		d := len(json) - len(zlib6(t, json))
		if d >= 0 && d <= 3 && found[d] == nil {
			found[d] = json
		}
	}
	if len(found) < 4 {
		t.Fatalf("boundary search found only %d of 4 cases", len(found))
	}
	return found
}

// TestEncodeURLSafeRule: the compressed form is used exactly when it is
// shorter than len(json)-1, as itsdangerous' dump_payload and Django's
// sign_object decide (len(compressed) < len(json) - 1), and then it is
// "." + base64url of compress/zlib's level-6 stream; otherwise the token is
// base64url of the JSON itself. Both decode back with DecodeURLSafe.
func TestEncodeURLSafeRule(t *testing.T) {
	inputs := boundaryInputs(t)
	inputs[-1] = []byte(`{"a":1}`)                                     // zlib is longer
	inputs[100] = []byte(`{"k":"` + strings.Repeat("xyz", 200) + `"}`) // far shorter
	for d, json := range inputs {
		z := zlib6(t, json)
		d = len(json) - len(z)
		got, err := EncodeURLSafe(json)
		if err != nil {
			t.Fatalf("EncodeURLSafe(%s): %v", json, err)
		}
		var want string
		if len(z) < len(json)-1 {
			want = "." + base64.RawURLEncoding.EncodeToString(z)
		} else {
			want = base64.RawURLEncoding.EncodeToString(json)
		}
		if string(got) != want {
			t.Errorf("len(json)-len(zlib) = %d: EncodeURLSafe(%s)\n got %s\nwant %s", d, json, got, want)
		}
		if compressed := strings.HasPrefix(string(got), "."); compressed != (d >= 2) {
			t.Errorf("len(json)-len(zlib) = %d: compressed %v", d, compressed)
		}
		if compressed := strings.HasPrefix(string(got), "."); compressed {
			raw, err := base64.RawURLEncoding.DecodeString(string(got[1:]))
			if err != nil {
				t.Fatal(err)
			}
			if back := unzlib(t, raw); !bytes.Equal(back, json) {
				t.Errorf("compressed payload inflates to %s, want %s", back, json)
			}
		}
		back, err := DecodeURLSafe(got)
		if err != nil || !bytes.Equal(back, json) {
			t.Errorf("DecodeURLSafe(EncodeURLSafe(%s)) = %s, %v", json, back, err)
		}
	}
}
