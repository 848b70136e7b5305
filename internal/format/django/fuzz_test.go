package django

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous/pyjson"
)

// FuzzDjango: Open of any string never panics and fails with a sentinel
// or returns a JSON object; the string signed with the real key (so the
// timestamp and payload decoders run behind a valid MAC) too; and any
// JSON object Seal accepts opens back to the same values.
func FuzzDjango(f *testing.F) {
	vf := loadVectors(f)
	for _, v := range append(vf.Valid, vf.Invalid...) {
		var b bytes.Buffer
		json.Compact(&b, v.Values)
		f.Add(v.Token, b.String())
	}
	f.Add("", `{"a":[1.5e300,-0,"\u0000\ud83d\ude00"]}`)
	fm, _ := NewDjango([]string{"sessions-secret"})
	d := fm.(*django)
	f.Fuzz(func(t *testing.T, token, object string) {
		check := func(what, tok string) {
			obj, meta, err := fm.Open(tok)
			if err != nil {
				if !errors.Is(err, format.ErrMalformed) && !errors.Is(err, format.ErrSignature) && !errors.Is(err, format.ErrTooLarge) {
					t.Fatalf("%s %q: error without a sentinel: %v", what, tok, err)
				}
				return
			}
			var m map[string]json.RawMessage
			if json.Unmarshal(obj, &m) != nil || m == nil || meta.Key != 0 {
				t.Fatalf("%s %q: opened to %s, %+v", what, tok, obj, meta)
			}
		}
		check("token", token)
		if i := strings.LastIndexByte(token, ':'); i >= 0 {
			check("signed", signRaw(d, token[:i], token[i+1:]))
		}
		tok, err := fm.Seal([]byte(object), t0, time.Time{})
		if err != nil {
			return
		}
		obj, meta, err := fm.Open(tok)
		if err != nil {
			t.Fatalf("Seal(%s) = %s does not open: %v", object, tok, err)
		}
		if ok, err := pyjson.Equal(obj, []byte(object)); !ok || err != nil {
			t.Fatalf("Seal(%s) opened to %s (%v)", object, obj, err)
		}
		if !meta.Written.Equal(t0) {
			t.Fatalf("Written %v", meta.Written)
		}
	})
}
