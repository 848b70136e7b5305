package gorilla

import (
	"bytes"
	"encoding/gob"
	"testing"

	"github.com/gorilla/securecookie"
)

// The cost of the gob check beside the decode it guards, on a gorilla
// session of the size the bench module's fixture has (a user, an id and a
// list of roles), signed and encrypted as a CookieStore with a block key
// writes it:
//
//	go test -run '^$' -bench . -benchmem -count 6
//
// BenchmarkDecode is the codec's whole Decode (MAC, AES, the check, gob,
// the conversion to JSON); BenchmarkCheckGob the check alone, and
// BenchmarkGobDecode what encoding/gob does alone, on the same bytes.
func benchSession(b *testing.B) (cookie string, payload []byte) {
	hash, block := bytes.Repeat([]byte("H"), 64), bytes.Repeat([]byte("B"), 32)
	session := map[interface{}]interface{}{"user": "tom", "uid": 12345, "roles": []interface{}{"admin", "dev"}}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(session); err != nil {
		b.Fatal(err)
	}
	cookie, err := securecookie.New(hash, block).Encode("session", session)
	if err != nil {
		b.Fatal(err)
	}
	return cookie, buf.Bytes()
}

func BenchmarkDecode(b *testing.B) {
	cookie, _ := benchSession(b)
	codec, err := NewCodec("session", bytes.Repeat([]byte("H"), 64), bytes.Repeat([]byte("B"), 32))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := codec.Decode(cookie); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckGob(b *testing.B) {
	_, payload := benchSession(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := checkGob(payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGobDecode(b *testing.B) {
	_, payload := benchSession(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var m map[interface{}]interface{}
		if err := gob.NewDecoder(bytes.NewReader(payload)).Decode(&m); err != nil {
			b.Fatal(err)
		}
	}
}
