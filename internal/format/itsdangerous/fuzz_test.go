package itsdangerous

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous/pyjson"
)

func fuzzSeeds(f *testing.F, file string) {
	vf := loadVectors(f, file)
	for _, v := range append(vf.Valid, vf.Invalid...) {
		f.Add(v.Token, string(compact(f, v.Values)))
	}
	f.Add("", `{}`)
	f.Add(".eJyrVkpUsjKsBQAKkAKx.awkmDA.x", `{"a":[1.5e300,-0,"\u0000\ud83d\ude00"]}`)
}

// fuzzFormat checks, for one format: Open of any string never panics and
// either fails with a sentinel or returns a JSON object; the same string
// signed with the real key (so the payload and timestamp decoders run
// behind a valid MAC) behaves the same; and any JSON object Seal accepts
// opens back to the same values.
func fuzzFormat(t *testing.T, f format.Format, s *Signer, token, object string) {
	sentinels := []error{format.ErrMalformed, format.ErrSignature, format.ErrTooLarge}
	check := func(what, tok string) {
		obj, meta, err := f.Open(tok)
		if err != nil {
			for _, s := range sentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("%s %q: error without a sentinel: %v", what, tok, err)
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(obj, &m) != nil || m == nil || meta.Key != 0 {
			t.Fatalf("%s %q: opened to %s, %+v", what, tok, obj, meta)
		}
	}
	check("token", token)
	if i := strings.LastIndexByte(token, '.'); i >= 0 {
		check("signed", signRaw(s, token[:i], token[i+1:]))
	}
	tok, err := f.Seal([]byte(object), t0, time.Time{})
	if err != nil {
		return
	}
	obj, meta, err := f.Open(tok)
	if err != nil {
		t.Fatalf("Seal(%s) = %s does not open: %v", object, tok, err)
	}
	if ok, err := pyjson.Equal(obj, []byte(object)); !ok || err != nil {
		t.Fatalf("Seal(%s) opened to %s (%v)", object, obj, err)
	}
	if !meta.Written.Equal(t0) || meta.Key != 0 {
		t.Fatalf("Seal(%s): meta %+v", object, meta)
	}
}

func FuzzStarlette(f *testing.F) {
	fuzzSeeds(f, "starlette-vectors.json")
	st, _ := NewStarlette([]string{"sessions-secret"})
	f.Fuzz(func(t *testing.T, token, object string) {
		fuzzFormat(t, st, st.(*starlette).signer, token, object)
	})
}

func FuzzFlask(f *testing.F) {
	fuzzSeeds(f, "flask-vectors.json")
	fl, _ := NewFlask([]string{"sessions-secret"})
	f.Fuzz(func(t *testing.T, token, object string) {
		fuzzFormat(t, fl, fl.(*flask).signer, token, object)
	})
}
