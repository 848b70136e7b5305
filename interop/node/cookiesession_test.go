package node

import (
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/format/keygrip"
)

func newKeygrip(t *testing.T, name string, keys ...string) *keygrip.Format {
	t.Helper()
	f, err := keygrip.New(name, keys)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestCookieSessionLive: Express 4 with cookie-session 2 and
// internal/format/keygrip, both directions, with one key, rotated keys and
// another cookie name.
func TestCookieSessionLive(t *testing.T) {
	r := seeded(t)
	one := randomSecret(r, 16+r.Intn(24))
	cur, old := randomSecret(r, 16+r.Intn(24)), randomSecret(r, 16+r.Intn(24))
	srv := startServer(t, "express-server.mjs", "COOKIE_SESSION_CONFIGS="+mustJSON(map[string]any{
		"one":     map[string]any{"keys": []string{one}},
		"rotated": map[string]any{"keys": []string{cur, old}},
		"named":   map[string]any{"keys": []string{one}, "cookieName": "sid"},
	}))
	goOne := newKeygrip(t, "session", one)
	goRotated := newKeygrip(t, "session", cur, old)
	goOld := newKeygrip(t, "session", old)
	goNamed := newKeygrip(t, "sid", one)

	t.Run("node to go", func(t *testing.T) {
		for round := 0; round < 5; round++ {
			for _, tc := range []struct {
				cfg string
				f   *keygrip.Format
			}{{"one", goOne}, {"rotated", goRotated}, {"named", goNamed}} {
				values := randomValues(r, 0)
				cookies := srv.set(t, tc.cfg, values)
				name := tc.f.Name()
				value, sig := cookies[name], cookies[name+keygrip.SignatureSuffix]
				if value == nil || sig == nil {
					t.Fatalf("%s: cookie-session set %v, want %s and %s%s", tc.cfg, cookies, name, name, keygrip.SignatureSuffix)
				}
				logical := keygrip.Join(value.Value, sig.Value)
				object, meta, err := tc.f.Open(logical)
				if err != nil {
					t.Fatalf("%s: Open: %v", tc.cfg, err)
				}
				if !sameJSON(t, object, values) || meta.Key != 0 {
					t.Errorf("%s: Go read %s (key %d), cookie-session stored %s", tc.cfg, object, meta.Key, values)
				}
				// Given the same values, Go writes the very cookies
				// cookie-session wrote.
				sealed, err := tc.f.Seal(values, time.Now(), time.Time{})
				if err != nil {
					t.Fatal(err)
				}
				if sealed != logical {
					js, _ := base64.StdEncoding.DecodeString(value.Value)
					t.Errorf("%s: Go sealed %s\ncookie-session %s\n(JSON.stringify: %s; Go values: %s)", tc.cfg, sealed, logical, js, values)
				}
				if tc.cfg == "rotated" {
					if _, _, err := goOld.Open(logical); !errors.Is(err, format.ErrSignature) {
						t.Errorf("a cookie signed with the current key opened with the old key only: %v", err)
					}
				}
			}
		}
	})

	t.Run("go to node", func(t *testing.T) {
		for round := 0; round < 5; round++ {
			for _, tc := range []struct {
				cfg string
				f   *keygrip.Format
			}{{"one", goOne}, {"rotated", goRotated}, {"named", goNamed}} {
				values := randomValues(r, 0)
				sealed, err := tc.f.Seal(values, time.Now(), time.Time{})
				if err != nil {
					t.Fatal(err)
				}
				value, sig, _ := keygrip.Split(sealed)
				name := tc.f.Name()
				got := srv.read(t, tc.cfg, [2]string{name, value}, [2]string{name + keygrip.SignatureSuffix, sig})
				if got.IsNew == nil || *got.IsNew || !sameJSON(t, got.Values, values) {
					t.Errorf("%s: cookie-session read %s (new: %v), Go sealed %s", tc.cfg, got.Values, got.IsNew, values)
				}
			}
		}
	})

	t.Run("go to node, previous key", func(t *testing.T) {
		values := randomValues(r, 0)
		sealed, err := goOld.Seal(values, time.Now(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		value, sig, _ := keygrip.Split(sealed)
		got := srv.read(t, "rotated", [2]string{"session", value}, [2]string{"session.sig", sig})
		if got.IsNew == nil || *got.IsNew || !sameJSON(t, got.Values, values) {
			t.Fatalf("cookie-session with keys [current, old] read %s from a cookie signed with old", got.Values)
		}
		// cookies re-signs a value signed with an older key.
		resigned := got.Cookies["session.sig"]
		if resigned == nil {
			t.Fatalf("cookie-session did not re-sign the cookie: %v", got.Cookies)
		}
		_, meta, err := goRotated.Open(keygrip.Join(value, resigned.Value))
		if err != nil || meta.Key != 0 {
			t.Errorf("the re-signed cookie: Key %d, %v; want the current key", meta.Key, err)
		}
	})

	t.Run("go to node, refused", func(t *testing.T) {
		values := randomValues(r, 0)
		sealed, err := goOne.Seal(values, time.Now(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		value, sig, _ := keygrip.Split(sealed)
		stranger := newKeygrip(t, "session", randomSecret(r, 20))
		foreign, err := stranger.Seal(values, time.Now(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		_, foreignSig, _ := keygrip.Split(foreign)
		forged := base64.StdEncoding.EncodeToString([]byte(`{"user":"root","admin":true}`))
		for _, tc := range []struct {
			name    string
			cookies [][2]string
		}{
			{"no signature cookie", [][2]string{{"session", value}}},
			{"value swapped, old signature", [][2]string{{"session", forged}, {"session.sig", sig}}},
			{"signature from another key", [][2]string{{"session", value}, {"session.sig", foreignSig}}},
			{"signature for another cookie name", [][2]string{{"sid", value}, {"sid.sig", sig}}},
		} {
			cfg := "one"
			if tc.cookies[0][0] == "sid" {
				cfg = "named"
			}
			got := srv.read(t, cfg, tc.cookies...)
			if got.IsNew == nil || !*got.IsNew || !isEmptyObject(got.Values) {
				t.Errorf("%s: cookie-session read %s, want a new empty session", tc.name, got.Values)
			}
		}
	})
}
