package cookiesession

// Migration pairs through the middleware with a cookie jar: a cookie made
// by the other framework (testdata/interop vectors, read at a fixed clock
// just after they were made) is read, re-issued in the Manager's own
// format on the same response, its cookie expired when its name differs,
// and a logout expires it too.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
)

// migrationVector is a valid vector of typ whose values are {"user":"tom"}
// and whose secret New accepts: its token, secret and time.
func migrationVector(t *testing.T, file string, typ Type) (token, secret string, at int64) {
	t.Helper()
	data, err := os.ReadFile("testdata/interop/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		MadeAt int64 `json:"made_at_unix"`
		Valid  []struct {
			Type     string         `json:"type"`
			Secret   *string        `json:"secret"`
			Token    string         `json:"token"`
			Values   map[string]any `json:"values"`
			IssuedAt int64          `json:"issued_at"`
			FernetTS int64          `json:"fernet_timestamp"`
		} `json:"valid"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	for _, v := range f.Valid {
		if v.Type != string(typ) || v.Secret == nil || !reflect.DeepEqual(v.Values, map[string]any{"user": "tom"}) {
			continue
		}
		if _, err := New(Config{Type: typ, SecretKey: *v.Secret}); err != nil {
			continue // a short fernet secret: New wants the opt-in
		}
		at = f.MadeAt
		if v.IssuedAt > 0 {
			at = v.IssuedAt
		}
		if v.FernetTS > 0 {
			at = v.FernetTS
		}
		return v.Token, *v.Secret, at
	}
	t.Fatalf("%s: no valid %s vector of {\"user\":\"tom\"}", file, typ)
	return
}

type migrationPair struct {
	name    string
	from    Type
	file    string
	oldName string // the cookie name the old framework uses
	to      Type
}

var migrationPairs = []migrationPair{
	{"asgi-sessions fernet to jwt", Fernet, "asgi-sessions-vectors.json", "asgi", JWT},
	{"Flask to jwt", Flask, "flask-vectors.json", "flask", JWT},
	{"Starlette to fernet (same cookie name)", Starlette, "starlette-vectors.json", "session", Fernet},
	{"Django to jwt", Django, "django-vectors.json", "sessionid", JWT},
}

// migrationServer runs a Manager of the pair's new type reading the old
// format; /read answers the user, /logout clears the session.
func migrationServer(t *testing.T, p migrationPair, secret string, at int64) (*Manager, *httptest.Server, *[]error) {
	t.Helper()
	var errs []error
	cfg := Config{
		Type: p.to, SecretKey: chunkSecret, Now: fixedClock(at + 60),
		ErrorHandler: func(_ context.Context, err error) { errs = append(errs, err) },
		MigrateFrom:  []Migration{{Type: p.from, SecretKey: secret, CookieName: p.oldName}},
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := FromRequest(r)
		user := s.GetString("user")
		if r.URL.Path == "/logout" {
			if err := s.Clear(); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		io.WriteString(w, user)
	})))
	t.Cleanup(srv.Close)
	return m, srv, &errs
}

// jarGet fetches path with c and returns the body and the Set-Cookie
// lines by cookie name.
func jarGet(t *testing.T, c *http.Client, base, path string) (string, map[string]*http.Cookie) {
	t.Helper()
	resp, err := c.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, body)
	}
	set := map[string]*http.Cookie{}
	for _, ck := range resp.Cookies() {
		if set[ck.Name] != nil {
			t.Errorf("GET %s: two Set-Cookie lines for %q", path, ck.Name)
		}
		set[ck.Name] = ck
	}
	return string(body), set
}

func TestMigrationPairsThroughTheMiddleware(t *testing.T) {
	for _, p := range migrationPairs {
		t.Run(p.name, func(t *testing.T) {
			token, secret, at := migrationVector(t, p.file, p.from)
			m, srv, errs := migrationServer(t, p, secret, at)
			u, _ := url.Parse(srv.URL)
			jar, _ := cookiejar.New(nil)
			jar.SetCookies(u, []*http.Cookie{{Name: p.oldName, Value: token}})
			c := &http.Client{Jar: jar}

			// The old cookie is read and re-issued in the new format.
			body, set := jarGet(t, c, srv.URL, "/read")
			if body != "tom" {
				t.Fatalf("first request: user %q, want tom (errors %v)", body, *errs)
			}
			nc := set[DefaultCookieName]
			if nc == nil || nc.MaxAge <= 0 {
				t.Fatalf("first request: no new %q cookie: %v", DefaultCookieName, set)
			}
			plain, err := New(Config{Type: p.to, SecretKey: chunkSecret, Now: fixedClock(at + 60)})
			if err != nil {
				t.Fatal(err)
			}
			if s := plain.LoadHeader(context.Background(), "session="+nc.Value); s.GetString("user") != "tom" || s.Err() != nil {
				t.Fatalf("the re-issued cookie is not a %s session of tom: %v, %v", p.to, s.Keys(), s.Err())
			}
			if p.oldName != DefaultCookieName {
				if old := set[p.oldName]; old == nil || old.MaxAge >= 0 {
					t.Errorf("the old cookie %q was not expired: %v", p.oldName, old)
				}
			} else if len(set) != 1 {
				t.Errorf("same cookie name: Set-Cookie %v, want the one new cookie", set)
			}
			st := m.Stats()
			if len(st.Migrated) != 1 || st.Migrated[0] != 1 || st.Reissued["migration"] != 1 || st.Written != 1 {
				t.Errorf("after the migration: Migrated %v, Reissued %v, Written %d; want 1, migration 1, 1", st.Migrated, st.Reissued, st.Written)
			}

			// The next request carries only the new cookie: read as the
			// Manager's own, nothing written.
			names := []string{}
			for _, ck := range jar.Cookies(u) {
				names = append(names, ck.Name)
			}
			if fmt.Sprint(names) != "[session]" {
				t.Errorf("the jar holds %v, want [session]", names)
			}
			body, set = jarGet(t, c, srv.URL, "/read")
			if body != "tom" || len(set) != 0 {
				t.Errorf("second request: user %q, Set-Cookie %v; want tom and none", body, set)
			}
			st = m.Stats()
			if st.DecodedByKey[0] != 1 || st.Migrated[0] != 1 || st.Reissued["migration"] != 1 {
				t.Errorf("after the second request: DecodedByKey %v, Migrated %v", st.DecodedByKey, st.Migrated)
			}

			// Logout on a request that carries only the old cookie
			// expires it.
			jar2, _ := cookiejar.New(nil)
			jar2.SetCookies(u, []*http.Cookie{{Name: p.oldName, Value: token}})
			c2 := &http.Client{Jar: jar2}
			body, set = jarGet(t, c2, srv.URL, "/logout")
			if body != "tom" {
				t.Errorf("logout: user %q, want tom", body)
			}
			if old := set[p.oldName]; old == nil || old.MaxAge >= 0 {
				t.Errorf("logout: the migration cookie %q was not expired: %v", p.oldName, set)
			}
			if left := jar2.Cookies(u); len(left) != 0 {
				t.Errorf("logout: the jar still holds %v", left)
			}
			if len(*errs) != 0 {
				t.Errorf("errors reported: %v", *errs)
			}
		})
	}
}

// An old cookie beside a new one: the new one wins, the old one is not
// re-read, and a refused old cookie is reported like any refused cookie.
func TestMigrationOwnCookieWinsAndForgedOldIsRefused(t *testing.T) {
	p := migrationPairs[1] // Flask to jwt
	token, secret, at := migrationVector(t, p.file, p.from)
	m, srv, errs := migrationServer(t, p, secret, at)
	u, _ := url.Parse(srv.URL)

	own := mint(t, Config{Type: JWT, SecretKey: chunkSecret}, at+30, map[string]any{"user": "ann"})
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, []*http.Cookie{{Name: p.oldName, Value: token}, own[0]})
	body, _ := jarGet(t, &http.Client{Jar: jar}, srv.URL, "/read")
	if body != "ann" || m.Stats().Migrated[0] != 0 {
		t.Errorf("own and old cookie: user %q, Migrated %v; want ann, 0", body, m.Stats().Migrated)
	}

	jar2, _ := cookiejar.New(nil)
	jar2.SetCookies(u, []*http.Cookie{{Name: p.oldName, Value: flipAt(token, len(token)/3)}})
	body, set := jarGet(t, &http.Client{Jar: jar2}, srv.URL, "/read")
	if body != "" || len(set) != 0 {
		t.Errorf("forged old cookie: user %q, Set-Cookie %v", body, set)
	}
	if len(*errs) != 1 || !errorsIs((*errs)[0], ErrCookieRefused, ErrSignature) {
		t.Errorf("forged old cookie: reported %v, want one refusal wrapping ErrSignature", *errs)
	}
	if st := m.Stats(); st.Refused["signature"] != 1 || st.Migrated[0] != 0 {
		t.Errorf("forged old cookie: Refused %v, Migrated %v", st.Refused, st.Migrated)
	}
}

// errorsIs reports whether err wraps every one of targets.
func errorsIs(err error, targets ...error) bool {
	for _, t := range targets {
		if !errors.Is(err, t) {
			return false
		}
	}
	return true
}

// A migration source of the Manager's own cookie name (the default): a
// forged cookie of that format is refused for its signature, not called
// malformed by the Manager's own codec.
func TestMigrationSameNameForgedIsASignatureRefusal(t *testing.T) {
	p := migrationPairs[2] // Starlette to fernet, both "session"
	token, secret, at := migrationVector(t, p.file, p.from)
	m, srv, errs := migrationServer(t, p, secret, at)
	u, _ := url.Parse(srv.URL)
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, []*http.Cookie{{Name: p.oldName, Value: flipAt(token, len(token)/3)}})
	body, set := jarGet(t, &http.Client{Jar: jar}, srv.URL, "/read")
	if body != "" || len(set) != 0 {
		t.Errorf("user %q, Set-Cookie %v; want an empty session and nothing written", body, set)
	}
	if len(*errs) != 1 || !errorsIs((*errs)[0], ErrCookieRefused, ErrSignature) {
		t.Errorf("reported %v, want one refusal wrapping ErrSignature", *errs)
	}
	if st := m.Stats(); st.Refused["signature"] != 1 || st.Migrated[0] != 0 {
		t.Errorf("Refused %v, Migrated %v", st.Refused, st.Migrated)
	}
}

// A fernet session holding app keys named "exp" and "nbf" migrates into
// jwt: those keys are dropped (the token's own claims take the names) and
// logged, and the session is written as a jwt. Kept, they made every save
// fail, and the user stayed on the fernet cookie for good.
func TestMigrationIntoJWTDropsClaimKeys(t *testing.T) {
	secret := "0123456789abcdef0123456789abcdef"
	old, err := NewCodec(Config{Type: Fernet, SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	token, err := old.Encode(Values{"user": json.RawMessage(`"tom"`), "exp": json.RawMessage(`5`), "nbf": json.RawMessage(`"x"`)})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	var reported []error
	m, err := New(Config{Type: JWT, SecretKey: secret,
		MigrateFrom:  []Migration{{Type: Fernet, SecretKey: secret}},
		Logger:       slog.New(slog.NewTextHandler(&logs, nil)),
		ErrorHandler: func(_ context.Context, err error) { reported = append(reported, err) }})
	if err != nil {
		t.Fatal(err)
	}
	s := m.LoadHeader(context.Background(), "session="+token)
	if got := s.GetString("user"); got != "tom" || s.Err() != nil {
		t.Fatalf("user %q, err %v", got, s.Err())
	}
	if _, ok := s.Raw("exp"); ok {
		t.Error("the migrated exp is visible")
	}
	cookies, err := m.SaveCookies(s)
	if err != nil || len(cookies) != 1 || len(reported) > 0 {
		t.Fatalf("save: %v, %d cookies, reported %v", err, len(cookies), reported)
	}
	v, err := m.Codec().Decode(cookies[0].Value)
	if err != nil || string(v["user"]) != `"tom"` {
		t.Fatalf("the jwt written: %v, %v", v, err)
	}
	for _, key := range []string{"exp", "nbf"} {
		if !strings.Contains(logs.String(), "key="+key) {
			t.Errorf("no log record of the dropped %q: %s", key, logs.String())
		}
	}
}
