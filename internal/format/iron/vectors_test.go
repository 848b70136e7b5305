package iron

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

// vector is one entry of testdata/iron-session-vectors.json: cookies set
// by iron-session 9.0.1 through getIronSession on a Node HTTP server.
type vector struct {
	Secret     json.RawMessage   `json:"secret"` // a password, or an object id → password
	CookieName string            `json:"cookie_name"`
	Cookies    map[string]string `json:"cookies"`
	Chunked    bool              `json:"chunked"`
	Values     json.RawMessage   `json:"values"`
	MadeAtMS   int64             `json:"made_at_ms"`
	Why        string            `json:"why"`
}

func loadVectors(t testing.TB) (valid, invalid []vector) {
	t.Helper()
	data, err := os.ReadFile("testdata/iron-session-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Valid   []vector `json:"valid"`
		Invalid []vector `json:"invalid"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Valid) == 0 || len(file.Invalid) == 0 {
		t.Fatal("no vectors")
	}
	return file.Valid, file.Invalid
}

// passwords turns a vector's secret into the password list iron-session
// would use: a string is id 1; a map is ordered highest id first, the one
// iron-session seals with.
func (v vector) passwords(t testing.TB) []Password {
	t.Helper()
	var s string
	if json.Unmarshal(v.Secret, &s) == nil {
		return []Password{{ID: "1", Secret: s}}
	}
	var m map[string]string
	if err := json.Unmarshal(v.Secret, &m); err != nil {
		t.Fatalf("secret %s: %v", v.Secret, err)
	}
	var ps []Password
	for id, secret := range m {
		ps = append(ps, Password{ID: id, Secret: secret})
	}
	sort.Slice(ps, func(i, j int) bool {
		a, _ := strconv.Atoi(ps[i].ID)
		b, _ := strconv.Atoi(ps[j].ID)
		return a > b
	})
	return ps
}

// seal is the vector's seal as iron-session reads it: the whole cookie,
// or else the chunks name.0, name.1, ... concatenated up to the first gap.
func (v vector) seal() string {
	if whole, ok := v.Cookies[v.CookieName]; ok {
		return whole
	}
	var b strings.Builder
	for i := 0; i < 4; i++ {
		part, ok := v.Cookies[v.CookieName+"."+strconv.Itoa(i)]
		if !ok {
			break
		}
		b.WriteString(part)
	}
	return b.String()
}

// sameJSON reports whether two JSON texts hold the same values, numbers
// compared by their text.
func sameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	for _, p := range []struct {
		in  []byte
		out *any
	}{{a, &x}, {b, &y}} {
		d := json.NewDecoder(strings.NewReader(string(p.in)))
		d.UseNumber()
		if err := d.Decode(p.out); err != nil {
			t.Fatalf("decoding %s: %v", p.in, err)
		}
	}
	return reflect.DeepEqual(x, y)
}

func TestVectorsValid(t *testing.T) {
	valid, _ := loadVectors(t)
	chunked := 0
	for i, v := range valid {
		ps := v.passwords(t)
		f, err := New(ps)
		if err != nil {
			t.Fatalf("valid[%d]: New: %v", i, err)
		}
		seal := v.seal()
		if v.Chunked {
			chunked++
			if _, whole := v.Cookies[v.CookieName]; whole || len(v.Cookies) < 2 {
				t.Fatalf("valid[%d]: a chunked vector should have chunk cookies only, has %d cookies", i, len(v.Cookies))
			}
		}
		object, meta, err := f.Open(seal)
		if err != nil {
			t.Errorf("valid[%d] (%s): Open: %v", i, v.Why, err)
			continue
		}
		if !sameJSON(t, object, v.Values) {
			t.Errorf("valid[%d]: Open = %s, want %s", i, object, v.Values)
		}
		id := strings.Split(seal, "*")[1]
		if ps[meta.Key].ID != id {
			t.Errorf("valid[%d]: Meta.Key = %d (id %s), the seal names id %s", i, meta.Key, ps[meta.Key].ID, id)
		}
		// iron-session's default ttl is 14 days from the moment of sealing.
		want := time.UnixMilli(v.MadeAtMS).Add(14 * 24 * time.Hour)
		if d := meta.Expires.Sub(want); d < -time.Second || d > time.Second {
			t.Errorf("valid[%d]: Meta.Expires = %v, want about %v", i, meta.Expires, want)
		}
		// Each seal opens with its own password and no other.
		if len(ps) > 1 {
			others := make([]Password, 0, len(ps)-1)
			for _, p := range ps {
				if p.ID != id {
					others = append(others, p)
				}
			}
			g, err := New(others)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := g.Open(seal); !errors.Is(err, format.ErrSignature) {
				t.Errorf("valid[%d] without password id %s: err = %v, want ErrSignature", i, id, err)
			}
		}
	}
	if chunked == 0 {
		t.Error("no chunked vector was tested")
	}
}

// The rotated vector: sealed under id 1 while the reader's current id is 2.
func TestVectorRotatedKey(t *testing.T) {
	valid, _ := loadVectors(t)
	n := 0
	for _, v := range valid {
		if !strings.Contains(v.Why, "current id is 2") {
			continue
		}
		n++
		f, err := New(v.passwords(t))
		if err != nil {
			t.Fatal(err)
		}
		_, meta, err := f.Open(v.seal())
		if err != nil || meta.Key != 1 {
			t.Errorf("rotated vector: Key %d, err %v; want Key 1 (id 1, the previous password)", meta.Key, err)
		}
	}
	if n == 0 {
		t.Fatal("no rotated vector")
	}
}

func TestVectorsInvalid(t *testing.T) {
	valid, invalid := loadVectors(t)
	var madeAt int64
	for _, v := range valid {
		madeAt = max(madeAt, v.MadeAtMS)
	}
	now := time.UnixMilli(madeAt) // when the vectors were made
	wantErr := map[string]error{
		"hmac tampered":                       format.ErrSignature,
		"ciphertext tampered":                 format.ErrSignature,
		"sealed under another password":       format.ErrSignature,
		"password id 1 unknown to the reader": format.ErrSignature,
		"truncated":                           format.ErrMalformed,
		"wrong version prefix":                format.ErrAlgorithm,
		"garbage":                             format.ErrMalformed,
	}
	expired := 0
	for i, v := range invalid {
		f, err := New(v.passwords(t))
		if err != nil {
			t.Fatalf("invalid[%d]: New: %v", i, err)
		}
		object, meta, err := f.Open(v.seal())
		if strings.HasPrefix(v.Why, "expired") {
			// Authentic, but past its expiration by more than iron's skew:
			// the caller refuses it by comparing Meta.Expires.
			expired++
			if err != nil {
				t.Errorf("invalid[%d] (%s): Open: %v; an expired seal is authentic, the caller judges time", i, v.Why, err)
				continue
			}
			if meta.Expires.IsZero() || !meta.Expires.Add(Skew).Before(now) {
				t.Errorf("invalid[%d] (%s): Meta.Expires = %v, want more than %v before %v", i, v.Why, meta.Expires, Skew, now)
			}
			if !isObject(object) {
				t.Errorf("invalid[%d]: %s", i, object)
			}
			continue
		}
		want, ok := wantErr[v.Why]
		if !ok {
			t.Errorf("invalid[%d]: no expected error for %q", i, v.Why)
			continue
		}
		if !errors.Is(err, want) || object != nil {
			t.Errorf("invalid[%d] (%s): Open = %q, %v; want %v", i, v.Why, object, err, want)
		}
	}
	if expired == 0 {
		t.Error("no expired vector was tested")
	}
}
