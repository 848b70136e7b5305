package bench

// A prototype, for the record of what a core change would buy: a read-only
// request that asks for one value could find it by scanning the validated
// JSON object instead of splitting the whole object into a map first (the
// map and its key string are two to three allocations, about 430 bytes,
// on every read). The core's Format layer already returns the object's
// bytes, so a Session could keep them and build the map only when a
// handler writes, deletes or lists the keys. Nothing here is used by the
// core; BENCHMARKS.md reports the figures.

import (
	"bytes"
	"encoding/json"
	"testing"
)

// lookupMember returns the raw value of key in a JSON object that
// json.Valid has accepted, scanning its top-level members; keys are
// compared as written (a key with escapes would need unquoting, which a
// core version would do as splitObject does). A key given twice keeps its
// last value, as in Python's json module and in the core's split.
func lookupMember(data []byte, key string) (json.RawMessage, bool) {
	var found json.RawMessage
	ok := false
	i := 1
	for i < len(data) && data[i] != '}' {
		for data[i] == ',' || data[i] == ' ' {
			i++
		}
		start := i
		i = skipJSONString(data, i)
		k := data[start+1 : i-1]
		i++ // ':'
		start = i
		i = skipJSONValue(data, i)
		if string(k) == key {
			found, ok = data[start:i:i], true
		}
	}
	return found, ok
}

func TestLookupMember(t *testing.T) {
	f := newFloorFixture(t)
	members := splitMembers(f.jwtPayload)
	for k, want := range members {
		got, ok := lookupMember(f.jwtPayload, k)
		if !ok || !bytes.Equal(got, want) {
			t.Errorf("lookupMember(%q) = %s, %v; want %s", k, got, ok, want)
		}
	}
	if _, ok := lookupMember(f.jwtPayload, "nobody"); ok {
		t.Error("found a key that is not there")
	}
	if got, _ := lookupMember([]byte(`{"a":1,"b":{"a":2},"a":3}`), "a"); string(got) != "3" {
		t.Errorf("repeated key: got %s, want the last value 3", got)
	}
}

// BenchmarkReadOne reads the fixture's "user" from the decoded jwt
// payload: validated, then split into a map (what the core does), or
// validated, then found by a scan (the prototype).
func BenchmarkReadOne(b *testing.B) {
	f := newFloorFixture(b)
	b.Run("valid-split-get", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if !json.Valid(f.jwtPayload) {
				b.Fatal("invalid")
			}
			v := splitMembers(f.jwtPayload)
			if string(v["user"]) != `"tom"` {
				b.Fatal("user lost")
			}
		}
	})
	b.Run("valid-scan", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if !json.Valid(f.jwtPayload) {
				b.Fatal("invalid")
			}
			if v, ok := lookupMember(f.jwtPayload, "user"); !ok || string(v) != `"tom"` {
				b.Fatal("user lost")
			}
		}
	})
}
