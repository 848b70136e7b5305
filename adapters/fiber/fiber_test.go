package fibersession_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	fibersession "github.com/cookiesession/cookiesession/adapters/fiber"
	"github.com/cookiesession/cookiesession/internal/pystr"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
	"github.com/gofiber/fiber/v2"
)

func newApp(m *cookiesession.Manager) *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(fibersession.Middleware(m))
	return app
}

// seedApp is the seed's router example written for fiber.
func seedApp(m *cookiesession.Manager) *fiber.App {
	app := newApp(m)
	app.Get("/", func(c *fiber.Ctx) error {
		user := fibersession.Session(c).GetString("user")
		if user == "" {
			user = "Anonymous"
		}
		return c.SendString("Hello " + pystr.Title(user))
	})
	app.Get("/login/:user", func(c *fiber.Ctx) error {
		if err := fibersession.Session(c).Set("user", c.Params("user")); err != nil {
			return err
		}
		return c.SendString("Done")
	})
	app.Get("/logout", func(c *fiber.Ctx) error {
		fibersession.Session(c).Delete("user")
		return c.SendString("Done")
	})
	return app
}

// serve runs app on a loopback listener until the test ends and returns
// its base URL.
func serve(t *testing.T, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	t.Cleanup(func() {
		if err := app.Shutdown(); err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return "http://" + ln.Addr().String()
}

func TestSeedLoginLogout(t *testing.T) {
	for _, typ := range sessiontest.Types {
		t.Run(string(typ), func(t *testing.T) {
			e := &sessiontest.ErrorLog{}
			url := serve(t, seedApp(sessiontest.NewManager(t, typ, e)))
			for i, resp := range sessiontest.Walk(t, sessiontest.NewClient(), url, sessiontest.SeedSteps) {
				if resp.Header.Get("Vary") != "Cookie" {
					t.Errorf("GET %s: Vary %q", sessiontest.SeedSteps[i].Path, resp.Header.Get("Vary"))
				}
			}
			if l := e.Take(); len(l) != 0 {
				t.Errorf("reported %v", l)
			}
		})
	}
}

// The Set-Cookie line is the one the net/http middleware writes for the
// same session, byte for byte.
func TestSetCookieLineMatchesNetHTTP(t *testing.T) {
	m := sessiontest.NewManager(t, cookiesession.Base64, nil)
	app := seedApp(m)
	resp, err := app.Test(httptest.NewRequest("GET", "/login/tom", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = cookiesession.FromRequest(r).Set("user", "tom")
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	got, want := resp.Header.Values("Set-Cookie"), rec.Header().Values("Set-Cookie")
	if len(got) != 1 || len(want) != 1 || got[0] != want[0] {
		t.Errorf("fiber: %q\nnet/http: %q", got, want)
	}
	if g, w := resp.Header.Get("Cache-Control"), rec.Header().Get("Cache-Control"); g != w {
		t.Errorf("Cache-Control: fiber %q, net/http %q", g, w)
	}
}

// A handler that changes the session and returns an error gets fiber's
// error response, with the cookie.
func TestErrorReturnKeepsTheCookie(t *testing.T) {
	m := sessiontest.NewManager(t, cookiesession.Fernet, nil)
	app := newApp(m)
	app.Get("/", func(c *fiber.Ctx) error {
		_ = fibersession.Session(c).Set("attempts", 1)
		return fiber.NewError(fiber.StatusForbidden, "no")
	})
	url := serve(t, app)
	resp, body := sessiontest.Get(t, sessiontest.NewClient(), url+"/")
	c := resp.Cookies()
	if resp.StatusCode != fiber.StatusForbidden || body != "no" || len(c) != 1 {
		t.Fatalf("%d %q, cookies %v", resp.StatusCode, body, c)
	}
	if n, err := cookiesession.Get[int](m.Load(context.Background(), c[0].Value), "attempts"); err != nil || n != 1 {
		t.Errorf("attempts = %v, %v", n, err)
	}
}

// A streaming handler gets the cookie for what it changed before
// returning; what the stream writer changes after the chain has returned
// is not saved (documented in the package doc). fasthttp runs the stream
// writer in a goroutine of its own from the moment SetBodyStreamWriter is
// called, so the writer here waits for the chain, middleware included, to
// return: without that wait its change may or may not beat the
// middleware's save.
func TestStreamingHandler(t *testing.T) {
	for _, how := range []string{"SetBodyStreamWriter", "SendStream"} {
		t.Run(how, func(t *testing.T) {
			e := &sessiontest.ErrorLog{}
			m := sessiontest.NewManager(t, cookiesession.JWT, e)
			returned := make(chan struct{})
			app := fiber.New(fiber.Config{DisableStartupMessage: true})
			app.Use(func(c *fiber.Ctx) error {
				err := c.Next() // the session middleware has saved
				close(returned)
				return err
			})
			app.Use(fibersession.Middleware(m))
			app.Get("/", func(c *fiber.Ctx) error {
				s := fibersession.Session(c)
				_ = s.Set("user", "tom")
				if how == "SendStream" {
					return c.SendStream(strings.NewReader("streamed"))
				}
				c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
					<-returned
					for _, chunk := range []string{"chunk1 ", "chunk2"} {
						_, _ = w.WriteString(chunk)
						_ = w.Flush()
					}
					_ = s.Set("late", true) // after the headers: lost
				})
				return nil
			})
			url := serve(t, app)
			resp, body := sessiontest.Get(t, sessiontest.NewClient(), url+"/")
			want := "chunk1 chunk2"
			if how == "SendStream" {
				want = "streamed"
			}
			c := resp.Cookies()
			if body != want || len(c) != 1 {
				t.Fatalf("body %q, cookies %v", body, c)
			}
			s := m.Load(context.Background(), c[0].Value)
			if s.GetString("user") != "tom" || s.Get("late") != nil {
				t.Errorf("cookie holds %v", s.Keys())
			}
			if l := e.Take(); len(l) != 0 {
				t.Errorf("reported %v", l)
			}
		})
	}
}

// Several cookies of the session's name: the first that decodes wins, as
// with the net/http middleware; if none decodes, the first one's error is
// reported and the session is empty.
func TestSeveralCookiesOfTheName(t *testing.T) {
	e := &sessiontest.ErrorLog{}
	m := sessiontest.NewManager(t, cookiesession.JWT, e)
	good, err := m.Codec().Encode(cookiesession.Values{"user": []byte(`"tom"`)})
	if err != nil {
		t.Fatal(err)
	}
	url := serve(t, seedApp(m))
	client := &http.Client{}
	_, body := sessiontest.Get(t, client, url+"/", "session=planted; session="+good)
	if body != "Hello Tom" {
		t.Errorf("planted cookie first: %q", body)
	}
	if l := e.Take(); len(l) != 0 {
		t.Errorf("reported %v", l)
	}
	_, body = sessiontest.Get(t, client, url+"/", "session=planted; session=also.bad.one")
	if body != "Hello Anonymous" {
		t.Errorf("two bad cookies: %q", body)
	}
	if l := e.Take(); len(l) != 1 || !errors.Is(l[0], cookiesession.ErrMalformed) {
		t.Errorf("reported %v, want one ErrMalformed", l)
	}
}

// A request that never touches its session gets no cookie, even with a
// bad cookie, which is then never decoded; it still says Vary: Cookie.
func TestUntouchedSessionWritesNothing(t *testing.T) {
	e := &sessiontest.ErrorLog{}
	app := newApp(sessiontest.NewManager(t, cookiesession.JWT, e))
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("static") })
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Cookie", "session=garbage")
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Set-Cookie") != "" || !slices.Equal(resp.Header.Values("Vary"), []string{"Cookie"}) {
		t.Errorf("headers %v", resp.Header)
	}
	if l := e.Take(); len(l) != 0 {
		t.Errorf("reported %v", l)
	}
}

// A change that would make the session too large for a cookie is refused
// by Set (ErrNotSaved and ErrTooLarge), reported once, and no cookie is
// sent; the response itself goes through.
func TestTooLargeSession(t *testing.T) {
	e := &sessiontest.ErrorLog{}
	app := newApp(sessiontest.NewManager(t, cookiesession.Base64, e))
	app.Get("/", func(c *fiber.Ctx) error {
		// Under the limit on one value, over it for the cookie.
		err := fibersession.Session(c).Set("blob", strings.Repeat("x", 4000))
		if !errors.Is(err, cookiesession.ErrTooLarge) || !errors.Is(err, cookiesession.ErrNotSaved) {
			t.Errorf("Set: %v, want ErrTooLarge and ErrNotSaved", err)
		}
		return c.SendString("ok")
	})
	resp, err := app.Test(httptest.NewRequest("GET", "/", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Set-Cookie") != "" {
		t.Errorf("%d, Set-Cookie %q", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
	if l := e.Take(); len(l) != 1 || !errors.Is(l[0], cookiesession.ErrTooLarge) || !errors.Is(l[0], cookiesession.ErrNotSaved) {
		t.Errorf("reported %v, want one error wrapping ErrTooLarge and ErrNotSaved", l)
	}
}

func TestSessionWithoutMiddlewarePanics(t *testing.T) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	var panicked bool
	app.Get("/", func(c *fiber.Ctx) error {
		defer func() { panicked = recover() != nil }()
		fibersession.Session(c)
		return nil
	})
	resp, err := app.Test(httptest.NewRequest("GET", "/", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !panicked {
		t.Error("no panic")
	}
}

// Every response says Vary: Cookie, whether the handler reads the session,
// reads it only from a stream writer (after the headers), or not at all;
// an app's own Vary is kept and Cookie is never named twice. With a new
// cookie, Cache-Control: no-cache="Set-Cookie" is added unless the app set
// its own.
func TestVaryCookieOnEveryResponse(t *testing.T) {
	m := sessiontest.NewManager(t, cookiesession.JWT, nil)
	token, err := m.Codec().Encode(cookiesession.Values{"user": []byte(`"tom"`)})
	if err != nil {
		t.Fatal(err)
	}
	app := newApp(m)
	app.Get("/static", func(c *fiber.Ctx) error { return c.SendString("static") })
	app.Get("/read", func(c *fiber.Ctx) error { return c.SendString(fibersession.Session(c).GetString("user")) })
	app.Get("/stream", func(c *fiber.Ctx) error {
		s := fibersession.Session(c)
		c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
			_, _ = w.WriteString("hello ")
			_ = w.Flush()
			_, _ = w.WriteString(s.GetString("user")) // first read, after the headers
		})
		return nil
	})
	app.Get("/app-vary", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderVary, "Accept-Encoding")
		return c.SendString(fibersession.Session(c).GetString("user"))
	})
	app.Get("/app-vary-cookie", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderVary, "Origin, cookie")
		return c.SendString(fibersession.Session(c).GetString("user"))
	})
	app.Get("/set", func(c *fiber.Ctx) error {
		_ = fibersession.Session(c).Set("n", 1)
		return c.SendString("tom")
	})
	app.Get("/set-own-cache", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "private, max-age=60")
		_ = fibersession.Session(c).Set("n", 1)
		return c.SendString("tom")
	})
	url := serve(t, app)
	for _, tc := range []struct {
		path, body string
		vary       []string
		cache      []string
	}{
		{"/static", "static", []string{"Cookie"}, nil},
		{"/read", "tom", []string{"Cookie"}, nil},
		{"/stream", "hello tom", []string{"Cookie"}, nil},
		{"/app-vary", "tom", []string{"Accept-Encoding", "Cookie"}, nil},
		{"/app-vary-cookie", "tom", []string{"Origin, cookie"}, nil},
		{"/set", "tom", []string{"Cookie"}, []string{`no-cache="Set-Cookie"`}},
		{"/set-own-cache", "tom", []string{"Cookie"}, []string{"private, max-age=60"}},
	} {
		resp, body := sessiontest.Get(t, &http.Client{}, url+tc.path, "session="+token)
		if body != tc.body {
			t.Errorf("GET %s: body %q, want %q", tc.path, body, tc.body)
		}
		if got := resp.Header.Values("Vary"); !slices.Equal(got, tc.vary) {
			t.Errorf("GET %s: Vary %q, want %q", tc.path, got, tc.vary)
		}
		if got := resp.Header.Values("Cache-Control"); !slices.Equal(got, tc.cache) {
			t.Errorf("GET %s: Cache-Control %q, want %q", tc.path, got, tc.cache)
		}
	}
}
