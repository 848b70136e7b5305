package gorilla_test

import (
	"bytes"
	"encoding/gob"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/gorilla/securecookie"
)

// encodeGobUint is gob's encoding of an unsigned integer.
func encodeGobUint(x uint64) []byte {
	if x < 0x80 {
		return []byte{byte(x)}
	}
	var be []byte
	for ; x > 0; x >>= 8 {
		be = append([]byte{byte(x)}, be...)
	}
	return append([]byte{byte(-int8(len(be)))}, be...)
}

// withLastCount returns the gob stream b, whose last byte is the zero
// count of an empty map or slice, with that count set to n (and the last
// message's length mended).
func withLastCount(t *testing.T, b []byte, n uint64) []byte {
	t.Helper()
	last := 0 // where the last message's length starts
	for i := 0; i < len(b); {
		last = i
		if b[i] >= 0x80 {
			t.Fatalf("message length of more than one byte at %d: % x", i, b)
		}
		i += 1 + int(b[i])
	}
	if b[len(b)-1] != 0 {
		t.Fatalf("the stream does not end with a zero count: % x", b)
	}
	count := encodeGobUint(n)
	msg := append(append([]byte{}, b[last+1:len(b)-1]...), count...)
	out := append(append([]byte{}, b[:last]...), encodeGobUint(uint64(len(msg)))...)
	return append(out, msg...)
}

func gobSession(t *testing.T, m map[interface{}]interface{}) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An authentic cookie whose gob data claims a map of 2^33 entries in a few
// bytes is refused with ErrMalformed. encoding/gob before Go 1.27 makes a
// map with room for the count it reads (golang/go#79539): without the
// check, this test dies with "fatal error: runtime: out of memory" (as
// FuzzDecodeAuthentic once did), which no recover catches. Counts the
// remaining bytes cannot hold are refused at every depth, for slices too;
// gob would fail on them later anyway.
func TestRefusesCountsBeyondTheData(t *testing.T) {
	huge := uint64(1) << 33
	tests := map[string]struct {
		payload []byte
		want    string
	}{
		"session map of 2^33":        {withLastCount(t, gobSession(t, map[interface{}]interface{}{}), huge), "map of 8589934592 entries"},
		"nested map of 2^33":         {withLastCount(t, gobSession(t, map[interface{}]interface{}{"m": map[string]interface{}{}}), huge), "map of 8589934592 entries"},
		"map in a list of 2^62":      {withLastCount(t, gobSession(t, map[interface{}]interface{}{"l": []interface{}{map[interface{}]interface{}{}}}), 1<<62), "map of 4611686018427387904 entries"},
		"session map of 2^20":        {withLastCount(t, gobSession(t, map[interface{}]interface{}{}), 1<<20), "map of 1048576 entries"},
		"map one entry beyond bytes": {withLastCount(t, gobSession(t, map[interface{}]interface{}{}), 1), "map of 1 entries, with 0 bytes left"},
		"slice of 2^40":              {withLastCount(t, gobSession(t, map[interface{}]interface{}{"l": []interface{}{}}), 1<<40), "slice of 1099511627776 entries"},
	}
	signer := securecookie.New(hashKey, nil).SetSerializer(securecookie.NopEncoder{})
	codec := mustCodec(t, hashKey)
	for name, tt := range tests {
		value, err := signer.Encode(cookieName, tt.payload)
		if err != nil {
			t.Fatal(err)
		}
		got, err := codec.Decode(value)
		wantRefused(t, got, err, cookiesession.ErrMalformed)
		if err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %q does not say %q", name, err, tt.want)
		}
	}
}
