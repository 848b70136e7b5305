package gorilla_test

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/gorilla/sessions"
)

// Types of a gorilla application, registered with gob as it would.
type user struct {
	Name string
	ID   int
}

// profile is registered as a pointer, as gorilla's documentation shows.
type profile struct{ Bio string }

type level int

func (l level) MarshalText() ([]byte, error) { return []byte(fmt.Sprintf("level-%d", int(l))), nil }

type ownJSON string

func (o ownJSON) MarshalJSON() ([]byte, error) { return []byte(`{"own":true}`), nil }

type name string

// Any value JSON cannot carry exactly refuses the whole cookie with
// ErrMalformed and no values, though gorilla itself reads it; the values
// beside it that would convert are not returned either.
func TestRefusesUnsupportedTypes(t *testing.T) {
	register(time.Time{})
	register(user{})
	register(&profile{})
	register(level(0))
	register(ownJSON(""))
	register(name(""))
	register(map[int]string{})
	register(map[string]complex128{})

	tests := map[string]map[interface{}]interface{}{
		"time.Time":             {"at": time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		"registered struct":     {"user": user{Name: "tom", ID: 1}},
		"pointer to struct":     {"profile": &profile{Bio: "hi"}},
		"struct in a list":      {"list": []interface{}{"a", user{Name: "tom"}}},
		"time in a nested map":  {"m": map[string]interface{}{"a": map[interface{}]interface{}{"at": time.Unix(0, 0).UTC()}}},
		"complex128":            {"c": complex(1, 2)},
		"complex64":             {"c": complex64(complex(1, 2))},
		"complex in a map":      {"m": map[string]complex128{"c": 1}},
		"NaN":                   {"f": math.NaN()},
		"+Inf":                  {"f": math.Inf(1)},
		"-Inf":                  {"f": math.Inf(-1)},
		"float32 NaN":           {"f": float32(math.NaN())},
		"NaN in a list":         {"l": []float64{1, math.NaN()}},
		"int key":               {1: "one"},
		"bool key":              {true: "yes"},
		"int key nested":        {"m": map[interface{}]interface{}{"a": 1, 2: "b"}},
		"map[int]string":        {"m": map[int]string{1: "a"}},
		"invalid UTF-8 string":  {"s": "a\xffb"},
		"invalid UTF-8 key":     {"k\xff": "v"},
		"invalid UTF-8 strings": {"l": []string{"ok", "\xc3"}},
		"text marshaler":        {"level": level(2)},
		"json marshaler":        {"own": ownJSON("x")},
		"same key twice":        {"k": 1, name("k"): 2},
		"same key twice nested": {"m": map[interface{}]interface{}{"k": 1, name("k"): 2}},
	}
	for _, keys := range [][][]byte{{hashKey}, {hashKey, blockKey}} {
		store := sessions.NewCookieStore(keys...)
		codec := mustCodec(t, keys...)
		for name, bad := range tests {
			values := map[interface{}]interface{}{"user_id": 7, "name": "tom"}
			for k, v := range bad {
				values[k] = v
			}
			cookie := gorillaCookie(t, store, values)
			if !gorillaReads(store, cookie) {
				t.Fatalf("%s: gorilla cannot read its own cookie; the test is wrong", name)
			}
			got, err := codec.Decode(cookie)
			if err == nil {
				t.Errorf("%s: decoded %v", name, got)
				continue
			}
			wantRefused(t, got, err, cookiesession.ErrMalformed)
		}
	}
}

// The error names the value it could not convert.
func TestUnsupportedErrorNamesTheValue(t *testing.T) {
	register(time.Time{})
	store := sessions.NewCookieStore(hashKey)
	cookie := gorillaCookie(t, store, map[interface{}]interface{}{
		"cart": map[string]interface{}{"items": []interface{}{"a", time.Unix(0, 0)}},
	})
	_, err := mustCodec(t, hashKey).Decode(cookie)
	if err == nil || !strings.Contains(err.Error(), `"cart"["items"][1]`) || !strings.Contains(err.Error(), "time.Time") {
		t.Fatalf("error %v does not name \"cart\"[\"items\"][1] and time.Time", err)
	}
}

// A struct the gorilla application registered that this program has not:
// the cookie is written by another process, as the application's is.
func TestRefusesTypeUnregisteredHere(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a writer process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GORILLA_TEST_WRITER=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("writer process: %v", err)
	}
	var cookie string
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "cookie="); ok {
			cookie = v
		}
	}
	if cookie == "" {
		t.Fatalf("writer printed no cookie: %q", out)
	}
	got, err := mustCodec(t, hashKey, blockKey).Decode(cookie)
	wantRefused(t, got, err, cookiesession.ErrMalformed)
	if !strings.Contains(err.Error(), "example.com/app.Account") {
		t.Errorf("error %q does not name the unregistered type", err)
	}
	// ErrMalformed, not ErrSignature: the keys authenticated the cookie,
	// and gob refused it for the type.
}
