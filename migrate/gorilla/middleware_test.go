package gorilla_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/migrate/gorilla"
	"github.com/gorilla/sessions"
)

// newSecret is the new service's jwt secret.
const newSecret = "the new service's secret, 32 b.."

// gorillaMigration runs a jwt Manager that reads the gorilla cookie
// through Config.MigrateFrom; /read answers the user and uid, /logout
// clears the session.
func gorillaMigration(t *testing.T) (*cookiesession.Manager, *httptest.Server, func() []error) {
	t.Helper()
	codec, err := gorilla.NewCodec(cookieName, hashKey, blockKey)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var errs []error
	m, err := cookiesession.New(cookiesession.Config{
		Type: cookiesession.JWT, SecretKey: newSecret,
		MigrateFrom: []cookiesession.Migration{{Codec: codec, CookieName: cookieName}},
		ErrorHandler: func(_ context.Context, err error) {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := cookiesession.FromRequest(r)
		user := s.GetString("user")
		uid, _ := cookiesession.Get[int64](s, "uid")
		if r.URL.Path == "/logout" {
			if err := s.Clear(); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		if user != "" {
			io.WriteString(w, user+" "+strconv.FormatInt(uid, 10))
		}
	})))
	t.Cleanup(srv.Close)
	return m, srv, func() []error {
		mu.Lock()
		defer mu.Unlock()
		out := errs
		errs = nil
		return out
	}
}

// get fetches path and returns the body and the Set-Cookie lines by name.
func get(t *testing.T, c *http.Client, base, path string) (string, map[string]*http.Cookie) {
	t.Helper()
	resp, err := c.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, body)
	}
	set := map[string]*http.Cookie{}
	for _, ck := range resp.Cookies() {
		set[ck.Name] = ck
	}
	return string(body), set
}

// A cookie written by gorilla/sessions itself is read through
// Config.MigrateFrom by the middleware, re-issued as the Manager's jwt
// cookie on the same response, the gorilla cookie expired; the next request
// carries only the new cookie; a logout expires a gorilla cookie too.
func TestGorillaToJWTThroughTheMiddleware(t *testing.T) {
	store := sessions.NewCookieStore(hashKey, blockKey)
	value := gorillaCookie(t, store, map[interface{}]interface{}{"user": "tom", "uid": int64(9007199254740993)})
	m, srv, errs := gorillaMigration(t)
	u, _ := url.Parse(srv.URL)
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: value}})
	c := &http.Client{Jar: jar}

	body, set := get(t, c, srv.URL, "/read")
	if body != "tom 9007199254740993" {
		t.Fatalf("first request: %q, want the gorilla session's values (errors %v)", body, errs())
	}
	nc := set[cookiesession.DefaultCookieName]
	if nc == nil || nc.MaxAge <= 0 {
		t.Fatalf("no new session cookie: %v", set)
	}
	if old := set[cookieName]; old == nil || old.MaxAge >= 0 {
		t.Errorf("the gorilla cookie was not expired: %v", set)
	}
	plain, _ := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.JWT, SecretKey: newSecret})
	if v, err := plain.Decode(nc.Value); err != nil || string(v["user"]) != `"tom"` || string(v["uid"]) != "9007199254740993" {
		t.Errorf("the re-issued cookie: %v, %v", v, err)
	}
	st := m.Stats()
	if len(st.Migrated) != 1 || st.Migrated[0] != 1 || st.Reissued["migration"] != 1 || st.Written != 1 {
		t.Errorf("Stats: Migrated %v, Reissued %v, Written %d", st.Migrated, st.Reissued, st.Written)
	}

	if left := jar.Cookies(u); len(left) != 1 || left[0].Name != cookiesession.DefaultCookieName {
		t.Errorf("the jar holds %v, want only the new cookie", left)
	}
	body, set = get(t, c, srv.URL, "/read")
	if body != "tom 9007199254740993" || len(set) != 0 {
		t.Errorf("second request: %q, Set-Cookie %v", body, set)
	}
	if st := m.Stats(); st.DecodedByKey[0] != 1 || st.Migrated[0] != 1 {
		t.Errorf("second request: DecodedByKey %v, Migrated %v", st.DecodedByKey, st.Migrated)
	}

	jar2, _ := cookiejar.New(nil)
	jar2.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: value}})
	_, set = get(t, &http.Client{Jar: jar2}, srv.URL, "/logout")
	if old := set[cookieName]; old == nil || old.MaxAge >= 0 {
		t.Errorf("logout: the gorilla cookie was not expired: %v", set)
	}
	if left := jar2.Cookies(u); len(left) != 0 {
		t.Errorf("logout: the jar still holds %v", left)
	}
	if e := errs(); len(e) != 0 {
		t.Errorf("errors reported: %v", e)
	}
}

// A gorilla cookie holding a value JSON cannot carry, or one written under
// other keys, gives an empty session and a counted refusal, never a 5xx.
func TestGorillaRefusedThroughTheMiddleware(t *testing.T) {
	register(user{})
	m, srv, errs := gorillaMigration(t)
	u, _ := url.Parse(srv.URL)
	for name, value := range map[string]string{
		"a struct value": gorillaCookie(t, sessions.NewCookieStore(hashKey, blockKey), map[interface{}]interface{}{"user": "tom", "profile": user{}}),
		"other keys":     gorillaCookie(t, sessions.NewCookieStore(otherHash, otherBlock), map[interface{}]interface{}{"user": "tom"}),
		"garbage":        "not-a-gorilla-cookie",
	} {
		jar, _ := cookiejar.New(nil)
		jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: value}})
		body, set := get(t, &http.Client{Jar: jar}, srv.URL, "/read")
		if body != "" || len(set) != 0 {
			t.Errorf("%s: %q, Set-Cookie %v; want an empty session and nothing written", name, body, set)
		}
		e := errs()
		if len(e) != 1 || !errors.Is(e[0], cookiesession.ErrCookieRefused) {
			t.Errorf("%s: reported %v, want one refusal", name, e)
			continue
		}
		matched := false
		for _, s := range sentinels {
			matched = matched || errors.Is(e[0], s)
		}
		if !matched {
			t.Errorf("%s: %q wraps no sentinel", name, e[0])
		}
	}
	st := m.Stats()
	var refused uint64
	for _, n := range st.Refused {
		refused += n
	}
	if refused != 3 || st.Migrated[0] != 0 || st.Written != 0 {
		t.Errorf("Stats: Refused %v, Migrated %v, Written %d", st.Refused, st.Migrated, st.Written)
	}
}
