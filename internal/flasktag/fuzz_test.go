package flasktag

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/cookiesession/cookiesession/internal/format"
)

// FuzzUntag: Untag never panics, fails only with ErrMalformed, and gives
// JSON; Tag of what encoding/json decodes from it never fails.
func FuzzUntag(f *testing.F) {
	for _, v := range taggedVectorSeeds() {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := Untag(json.RawMessage(in))
		if err != nil {
			if !errors.Is(err, format.ErrMalformed) {
				t.Fatalf("Untag(%q): %v", in, err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("Untag(%q) = %q: not JSON", in, out)
		}
		// Numbers as json.Number, as the session reads them: 1E700 is
		// valid JSON that no float64 holds.
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		if _, err := Tag(v); err != nil {
			t.Fatalf("Tag(%v): %v", v, err)
		}
		if _, err := Flashes(json.RawMessage(in)); err != nil && !errors.Is(err, format.ErrMalformed) {
			t.Fatalf("Flashes(%q): %v", in, err)
		}
	})
}

func taggedVectorSeeds() []string {
	return []string{
		`{"pair":{" t":[1,"two"]},"raw":{" b":"AP9ieXRlcw=="},"when":{" d":"Fri, 27 Nov 2026 08:30:00 GMT"},"id":{" u":"f6c46637d4fe8ca7f254002928554bd2"},"odd":{" di":{" t__":"not a tuple"}},"_flashes":[{" t":["message","Saved"]},{" t":["error","Bad NON"]}]}`,
		`[{" t":["message","Saved"]}]`,
		`{" di":{" di__":{" m":"x"}}}`,
	}
}
