package itsdangerous

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous/pyjson"
)

// vectorFile is the layout of testdata/{starlette,flask}-vectors.json,
// copies of the shared interop vectors made by the frameworks themselves.
type vectorFile struct {
	MadeAt  int64 `json:"made_at_unix"`
	Valid   []vector
	Invalid []vector
}

type vector struct {
	Secret   string
	Token    string
	Values   json.RawMessage
	IssuedAt int64 `json:"issued_at"`
	Why      string
}

func loadVectors(t testing.TB, name string) vectorFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Valid) == 0 || len(f.Invalid) == 0 {
		t.Fatalf("%s: no vectors", name)
	}
	return f
}

func compact(t testing.TB, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sameJSON(t testing.TB, got, want []byte) {
	t.Helper()
	ok, err := pyjson.Equal(got, want)
	if err != nil || !ok {
		t.Errorf("values differ (err %v)\n got %s\nwant %s", err, got, want)
	}
}

// wantSentinel maps the invalid vectors' reasons to the sentinel Open must
// wrap. The expired vectors open (Open judges no time): the root package
// refuses them from Meta.Written, see checkAge.
func wantSentinel(why string) error {
	switch {
	case strings.HasPrefix(why, "signature tampered"), strings.HasPrefix(why, "payload tampered"),
		strings.HasPrefix(why, "signed with another secret"):
		return format.ErrSignature
	case strings.HasPrefix(why, "expired"):
		return format.ErrExpired
	default: // truncated, empty, garbage, trailing byte
		return format.ErrMalformed
	}
}

// checkAge is the root package's rule (strict ">", as itsdangerous: a cookie
// exactly maxAge old is accepted; and itsdangerous refuses a negative age).
func checkAge(m format.Meta, now time.Time, maxAge time.Duration) error {
	age := now.Sub(m.Written)
	if age > maxAge || age < 0 {
		return format.ErrExpired
	}
	return nil
}

type framework struct {
	file   string
	new    func([]string) (format.Format, error)
	maxAge time.Duration
	// payload returns the JSON inside a token, decoded by hand (not by the
	// code under test).
	payload func(t testing.TB, token string) (json []byte, compressed bool)
	// zlib tells whether the format compresses (Flask does, Starlette not).
	zlib bool
}

var frameworks = []framework{
	{"starlette-vectors.json", NewStarlette, 14 * 24 * time.Hour, func(t testing.TB, token string) ([]byte, bool) {
		b, err := base64.StdEncoding.DecodeString(strings.Split(token, ".")[0])
		if err != nil {
			t.Fatal(err)
		}
		return b, false
	}, false},
	{"flask-vectors.json", NewFlask, 31 * 24 * time.Hour, func(t testing.TB, token string) ([]byte, bool) {
		p := token[:strings.LastIndexByte(token[:strings.LastIndexByte(token, '.')], '.')]
		compressed := strings.HasPrefix(p, ".")
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(p, "."))
		if err != nil {
			t.Fatal(err)
		}
		if compressed {
			b = unzlib(t, b)
		}
		return b, compressed
	}, true},
}

func TestVectorsOpen(t *testing.T) {
	for _, fw := range frameworks {
		vf := loadVectors(t, fw.file)
		for i, v := range vf.Valid {
			f, err := fw.new([]string{v.Secret})
			if err != nil {
				t.Fatal(err)
			}
			obj, meta, err := f.Open(v.Token)
			if err != nil {
				t.Errorf("%s valid[%d]: %v", fw.file, i, err)
				continue
			}
			sameJSON(t, obj, v.Values)
			if !meta.Written.Equal(time.Unix(v.IssuedAt, 0)) || meta.Key != 0 {
				t.Errorf("%s valid[%d]: meta %+v, want Written %d, Key 0", fw.file, i, meta, v.IssuedAt)
			}
			if err := checkAge(meta, time.Unix(vf.MadeAt, 0), fw.maxAge); err != nil {
				t.Errorf("%s valid[%d]: %v at made_at", fw.file, i, err)
			}
		}
		for i, v := range vf.Invalid {
			f, err := fw.new([]string{v.Secret})
			if err != nil {
				t.Fatal(err)
			}
			want := wantSentinel(v.Why)
			obj, meta, err := f.Open(v.Token)
			if want == format.ErrExpired {
				if err != nil {
					t.Errorf("%s invalid[%d] (%s): Open: %v", fw.file, i, v.Why, err)
				} else if err := checkAge(meta, time.Unix(vf.MadeAt, 0), fw.maxAge); !errors.Is(err, want) {
					t.Errorf("%s invalid[%d] (%s): written %v, not expired at made_at", fw.file, i, v.Why, meta.Written)
				}
				continue
			}
			if !errors.Is(err, want) {
				t.Errorf("%s invalid[%d] (%s): Open = %s, %v; want %v", fw.file, i, v.Why, obj, err, want)
			}
		}
	}
}

// timestampText returns the timestamp field of an itsdangerous token.
func timestampText(token string) string {
	parts := strings.Split(token, ".")
	return parts[len(parts)-2]
}

// TestVectorsSeal: Seal with the vector's values (in its key order) and
// timestamp reproduces an uncompressed framework token byte for byte. A
// compressed framework token holds CPython's zlib stream and Seal writes
// compress/zlib's, so there the token Seal writes must hold the same JSON
// and timestamp, be compressed exactly when the frameworks' rule says so
// for its own stream, and open to the same values.
func TestVectorsSeal(t *testing.T) {
	exact, zv, zs := 0, 0, 0
	for _, fw := range frameworks {
		vf := loadVectors(t, fw.file)
		for i, v := range vf.Valid {
			f, err := fw.new([]string{v.Secret})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := f.Seal(compact(t, v.Values), time.Unix(v.IssuedAt, 0), time.Time{})
			if err != nil {
				t.Fatalf("%s valid[%d]: %v", fw.file, i, err)
			}
			wantJSON, wantZ := fw.payload(t, v.Token)
			gotJSON, gotZ := fw.payload(t, tok)
			if fw.zlib {
				z := zlib6(t, gotJSON)
				if rule := len(z) < len(gotJSON)-1; gotZ != rule {
					t.Errorf("%s valid[%d]: compressed %v; json %d bytes, zlib %d", fw.file, i, gotZ, len(gotJSON), len(z))
				}
			}
			switch {
			case !wantZ && tok != v.Token:
				t.Errorf("%s valid[%d]:\n got %s\nwant %s\npayload\n got %s (compressed %v)\nwant %s (compressed %v)", fw.file, i, tok, v.Token, gotJSON, gotZ, wantJSON, wantZ)
			case !wantZ:
				exact++
			default:
				zv++
				if gotZ {
					zs++
				}
				if !bytes.Equal(gotJSON, wantJSON) || timestampText(tok) != timestampText(v.Token) {
					t.Errorf("%s valid[%d]: compressed vector\n got %s at %s\nwant %s at %s", fw.file, i, gotJSON, timestampText(tok), wantJSON, timestampText(v.Token))
				}
			}
			obj, meta, err := f.Open(tok)
			if err != nil {
				t.Errorf("%s valid[%d]: Open(Seal): %v", fw.file, i, err)
				continue
			}
			sameJSON(t, obj, v.Values)
			if meta.Written.Unix() != v.IssuedAt {
				t.Errorf("%s valid[%d]: Written %v", fw.file, i, meta.Written)
			}
		}
	}
	if exact == 0 || zv == 0 || zs == 0 {
		t.Errorf("vectors cover too little: %d uncompressed, %d compressed (%d of those compressed by Seal too)", exact, zv, zs)
	}
	t.Logf("%d uncompressed tokens reproduced byte for byte; %d compressed tokens resealed to the same JSON and values, %d of them compressed by Seal too", exact, zv, zs)
}

func TestRotation(t *testing.T) {
	for _, fw := range frameworks {
		vf := loadVectors(t, fw.file)
		v := vf.Valid[0]
		f, err := fw.new([]string{"new-secret", "older-secret", v.Secret})
		if err != nil {
			t.Fatal(err)
		}
		_, meta, err := f.Open(v.Token)
		if err != nil || meta.Key != 2 {
			t.Errorf("%s: previous secret: meta %+v, err %v; want Key 2", fw.file, meta, err)
		}
		tok, err := f.Seal([]byte(`{"a":1}`), time.Unix(v.IssuedAt, 0), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if _, meta, err := f.Open(tok); err != nil || meta.Key != 0 {
			t.Errorf("%s: own token: meta %+v, err %v; want Key 0", fw.file, meta, err)
		}
		old, _ := fw.new([]string{v.Secret})
		if _, _, err := old.Open(tok); !errors.Is(err, format.ErrSignature) {
			t.Errorf("%s: a token of the new secret opened with the old one: %v", fw.file, err)
		}
		only, _ := fw.new([]string{"new-secret"})
		if _, _, err := only.Open(v.Token); !errors.Is(err, format.ErrSignature) {
			t.Errorf("%s: without the previous secret: %v, want ErrSignature", fw.file, err)
		}
	}
}

func TestConstructorsRefuseEmptySecrets(t *testing.T) {
	for _, fw := range frameworks {
		for _, secrets := range [][]string{nil, {}, {""}, {"ok", ""}} {
			if _, err := fw.new(secrets); !errors.Is(err, ErrNoSecret) {
				t.Errorf("%s %q: err %v, want ErrNoSecret", fw.file, secrets, err)
			}
		}
	}
}

// TestFlaskSessionWrap: a session whose only key is a tag name is sealed
// wrapped, as Flask's TagDict writes it, and opened unwrapped.
func TestFlaskSessionWrap(t *testing.T) {
	f, _ := NewFlask([]string{"sessions-secret"})
	tok, err := f.Seal([]byte(`{" t":[1,2]}`), t0, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if json, _ := frameworks[1].payload(t, tok); string(json) != `{" di":{" t__":[1,2]}}` {
		t.Errorf("payload %s", json)
	}
	obj, _, err := f.Open(tok)
	if err != nil || string(obj) != `{" t":[1,2]}` {
		t.Errorf("Open = %s, %v", obj, err)
	}
}

// TestFormatsDoNotCross: with the same secret, a Starlette token is not a
// Flask token nor the other way round (other salt and key derivation).
func TestFormatsDoNotCross(t *testing.T) {
	st, _ := NewStarlette([]string{"sessions-secret"})
	fl, _ := NewFlask([]string{"sessions-secret"})
	for _, c := range []struct {
		seal, open format.Format
	}{{st, fl}, {fl, st}} {
		tok, err := c.seal.Seal([]byte(`{"a":1}`), t0, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.open.Open(tok); !errors.Is(err, format.ErrSignature) {
			t.Errorf("%T token opened by %T: %v, want ErrSignature", c.seal, c.open, err)
		}
	}
}
