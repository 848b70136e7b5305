package node

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/format/iron"
)

func newIron(t *testing.T, ps ...iron.Password) *iron.Format {
	t.Helper()
	f, err := iron.New(ps)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestIronSessionLive: iron-session 9 on node:http and internal/format/iron,
// both directions, with a string password, a password map (rotation), ttl
// 0, a chunked session, expiry and tampering.
func TestIronSessionLive(t *testing.T) {
	r := seeded(t)
	single := iron.Password{ID: "1", Secret: randomSecret(r, 32+r.Intn(20))}
	old := iron.Password{ID: "1", Secret: randomSecret(r, 32+r.Intn(20))}
	cur := iron.Password{ID: "2", Secret: randomSecret(r, 32+r.Intn(20))}
	passwordMap := map[string]string{old.ID: old.Secret, cur.ID: cur.Secret}
	srv := startServer(t, "iron-server.mjs", "IRON_CONFIGS="+mustJSON(map[string]any{
		"single":  map[string]any{"password": single.Secret},
		"rotated": map[string]any{"password": passwordMap},
		"nottl":   map[string]any{"password": single.Secret, "ttl": 0},
		"chunked": map[string]any{"password": passwordMap, "chunk": true},
	}))
	goSingle := newIron(t, single)
	goRotated := newIron(t, cur, old) // iron-session's current (highest id) first
	goOld := newIron(t, old)

	t.Run("node to go", func(t *testing.T) {
		for round := 0; round < 4; round++ {
			for _, tc := range []struct {
				cfg      string
				f        *iron.Format
				ttl      time.Duration
				sealedID string
			}{
				{"single", goSingle, 14 * 24 * time.Hour, "1"},
				{"rotated", goRotated, 14 * 24 * time.Hour, "2"},
				{"nottl", goSingle, 0, "1"},
			} {
				values := randomValues(r, 0)
				before := time.Now()
				cookies := srv.set(t, tc.cfg, values)
				c := cookies["session"]
				if c == nil {
					t.Fatalf("%s: iron-session set no session cookie (got %v)", tc.cfg, cookies)
				}
				if id := strings.Split(c.Value, "*")[1]; id != tc.sealedID {
					t.Errorf("%s: iron-session sealed with password id %s, want %s", tc.cfg, id, tc.sealedID)
				}
				object, meta, err := tc.f.Open(c.Value)
				if err != nil {
					t.Fatalf("%s: Open(%s): %v", tc.cfg, c.Value, err)
				}
				if !sameJSON(t, object, values) {
					t.Errorf("%s: Go read %s, iron-session stored %s", tc.cfg, object, values)
				}
				if meta.Key != 0 {
					t.Errorf("%s: Meta.Key = %d, want 0", tc.cfg, meta.Key)
				}
				if tc.ttl == 0 {
					if !meta.Expires.IsZero() {
						t.Errorf("%s: ttl 0 gave Meta.Expires %v, want none", tc.cfg, meta.Expires)
					}
				} else if lo, hi := before.Add(tc.ttl-time.Second), time.Now().Add(tc.ttl+time.Second); meta.Expires.Before(lo) || meta.Expires.After(hi) {
					t.Errorf("%s: Meta.Expires %v, want between %v and %v", tc.cfg, meta.Expires, lo, hi)
				}
				if tc.cfg == "rotated" {
					if _, _, err := goOld.Open(c.Value); !errors.Is(err, format.ErrSignature) {
						t.Errorf("a seal of id 2 opened without password id 2: %v", err)
					}
				}
			}
		}
	})

	t.Run("node to go, chunked", func(t *testing.T) {
		values := randomValues(r, 7000+r.Intn(2000))
		cookies := srv.set(t, "chunked", values)
		if c := cookies["session"]; c != nil && c.MaxAge >= 0 {
			t.Fatalf("a whole session cookie beside the chunks: %.60s", c.Value)
		}
		var chunks []string
		for i := 0; i < 4; i++ {
			c := cookies["session."+strconv.Itoa(i)]
			if c == nil {
				break
			}
			chunks = append(chunks, c.Value)
		}
		if len(chunks) < 2 {
			t.Fatalf("iron-session wrote %d chunks for %d bytes of JSON, want at least 2 (cookies: %d)", len(chunks), len(values), len(cookies))
		}
		t.Logf("%d bytes of JSON: %d chunks", len(values), len(chunks))
		object, meta, err := goRotated.Open(strings.Join(chunks, ""))
		if err != nil || !sameJSON(t, object, values) || meta.Key != 0 {
			t.Fatalf("chunks concatenated: Open = %.80s, %+v, %v", object, meta, err)
		}
		reordered := append([]string{chunks[1], chunks[0]}, chunks[2:]...)
		if _, _, err := goRotated.Open(strings.Join(reordered, "")); err == nil {
			t.Error("reordered chunks opened")
		}
		if _, _, err := goRotated.Open(strings.Join(chunks[:len(chunks)-1], "")); err == nil {
			t.Error("chunks without the last opened")
		}
	})

	t.Run("go to node", func(t *testing.T) {
		now := time.Now()
		for round := 0; round < 4; round++ {
			for _, tc := range []struct {
				name, cfg string
				f         *iron.Format
				expires   time.Time
			}{
				{"string password", "single", goSingle, now.Add(time.Hour)},
				{"no expiration", "single", goSingle, time.Time{}},
				{"current password of a map", "rotated", goRotated, now.Add(14 * 24 * time.Hour)},
				{"previous password of a map", "rotated", goOld, now.Add(time.Hour)},
				{"expired 30 s ago, within iron's skew", "single", goSingle, now.Add(-30 * time.Second)},
			} {
				values := randomValues(r, 0)
				seal, err := tc.f.Seal(values, now, tc.expires)
				if err != nil {
					t.Fatal(err)
				}
				got := srv.read(t, tc.cfg, [2]string{"session", seal})
				if got.Error != nil || !sameJSON(t, got.Values, values) {
					t.Errorf("%s: iron-session read %s (error %v), Go sealed %s", tc.name, got.Values, deref(got.Error), values)
				}
			}
		}
	})

	t.Run("go to node, chunked", func(t *testing.T) {
		values := randomValues(r, 7000+r.Intn(2000))
		seal, err := goRotated.Seal(values, time.Now(), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var cookies [][2]string
		for i := 0; len(seal) > 0; i++ {
			n := min(len(seal), 3800)
			cookies = append(cookies, [2]string{"session." + strconv.Itoa(i), seal[:n]})
			seal = seal[n:]
		}
		if len(cookies) < 2 {
			t.Fatalf("%d chunks", len(cookies))
		}
		got := srv.read(t, "chunked", cookies...)
		if got.Error != nil || !sameJSON(t, got.Values, values) {
			t.Errorf("iron-session read %.80s (error %v) from %d chunks", got.Values, deref(got.Error), len(cookies))
		}
		cookies[0][1], cookies[1][1] = cookies[1][1], cookies[0][1]
		if got := srv.read(t, "chunked", cookies...); got.Error == nil || !isEmptyObject(got.Values) {
			t.Errorf("iron-session read reordered chunks: %.80s", got.Values)
		}
	})

	t.Run("go to node, refused", func(t *testing.T) {
		now := time.Now()
		values := randomValues(r, 0)
		expired, err := goSingle.Seal(values, now, now.Add(-2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		stranger := newIron(t, iron.Password{ID: "7", Secret: single.Secret})
		unknownID, err := stranger.Seal(values, now, now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		good, err := goSingle.Seal(values, now, now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		fields := strings.Split(good, "*")
		fields[5] = strconv.FormatInt(now.Add(48*time.Hour).UnixMilli(), 10) // extended expiration
		for _, tc := range []struct{ name, seal, kind string }{
			{"expired two hours ago", expired, "expired"},
			{"password id unknown to the reader", unknownID, "unknown-password"},
			{"expiration extended", strings.Join(fields, "*"), "invalid"},
		} {
			got := srv.read(t, "single", [2]string{"session", tc.seal})
			if got.Error == nil || !strings.HasPrefix(*got.Error, tc.kind) || !isEmptyObject(got.Values) {
				t.Errorf("%s: iron-session read %s (error %v), want an empty session and a %q error", tc.name, got.Values, deref(got.Error), tc.kind)
			}
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return "none"
	}
	return *s
}
