package echosession_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/cookiesession/cookiesession"
	echosession "github.com/cookiesession/cookiesession/adapters/echo"
	"github.com/cookiesession/cookiesession/internal/pystr"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
	"github.com/labstack/echo/v4"
)

// seedApp is the seed's router example written for echo.
func seedApp(m *cookiesession.Manager) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.Use(echosession.Middleware(m))
	e.GET("/", func(c echo.Context) error {
		user := echosession.Session(c).GetString("user")
		if user == "" {
			user = "Anonymous"
		}
		return c.String(http.StatusOK, "Hello "+pystr.Title(user))
	})
	e.GET("/login/:user", func(c echo.Context) error {
		if err := echosession.Session(c).Set("user", c.Param("user")); err != nil {
			return err
		}
		return c.String(http.StatusOK, "Done")
	})
	e.GET("/logout", func(c echo.Context) error {
		echosession.Session(c).Delete("user")
		return c.String(http.StatusOK, "Done")
	})
	return e
}

func TestSeedLoginLogout(t *testing.T) {
	for _, typ := range sessiontest.Types {
		t.Run(string(typ), func(t *testing.T) {
			e := &sessiontest.ErrorLog{}
			srv := httptest.NewServer(seedApp(sessiontest.NewManager(t, typ, e)))
			defer srv.Close()
			sessiontest.Walk(t, sessiontest.NewClient(), srv.URL, sessiontest.SeedSteps)
			if l := e.Take(); len(l) != 0 {
				t.Errorf("reported %v", l)
			}
		})
	}
}

// A handler that changes the session and returns an error gets the error
// page from echo's HTTPErrorHandler, with the cookie.
func TestErrorReturnKeepsTheCookie(t *testing.T) {
	m := sessiontest.NewManager(t, cookiesession.Fernet, nil)
	e := echo.New()
	e.Use(echosession.Middleware(m))
	e.GET("/", func(c echo.Context) error {
		_ = echosession.Session(c).Set("attempts", 1)
		return echo.NewHTTPError(http.StatusForbidden, "no")
	})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	cookies := (&http.Response{Header: rec.Header()}).Cookies()
	if rec.Code != http.StatusForbidden || len(cookies) != 1 {
		t.Fatalf("status %d, cookies %v", rec.Code, cookies)
	}
	if got := m.Load(context.Background(), cookies[0].Value).Get("attempts"); got == nil || got.(interface{ String() string }).String() != "1" {
		t.Errorf("cookie holds attempts=%v", got)
	}
}

// Each way echo sends the headers first puts the cookie in them; a change
// after that is reported, not silently lost.
func TestCookieBeforeEveryWayOfSending(t *testing.T) {
	for name, send := range map[string]func(c echo.Context){
		"WriteHeader": func(c echo.Context) { c.Response().WriteHeader(http.StatusAccepted) },
		"Write":       func(c echo.Context) { _, _ = c.Response().Write([]byte("x")) },
		"Flush":       func(c echo.Context) { c.Response().Flush() },
		"NoContent":   func(c echo.Context) { _ = c.NoContent(http.StatusNoContent) },
		"JSON":        func(c echo.Context) { _ = c.JSON(http.StatusOK, map[string]int{"a": 1}) },
		"nothing":     func(c echo.Context) {},
	} {
		t.Run(name, func(t *testing.T) {
			errs := &sessiontest.ErrorLog{}
			m := sessiontest.NewManager(t, cookiesession.JWT, errs)
			e := echo.New()
			e.Use(echosession.Middleware(m))
			e.GET("/", func(c echo.Context) error {
				_ = echosession.Session(c).Set("user", "tom")
				send(c)
				_ = echosession.Session(c).Set("late", true)
				return nil
			})
			srv := httptest.NewServer(e)
			defer srv.Close()
			resp, _ := sessiontest.Get(t, srv.Client(), srv.URL+"/")
			c := resp.Cookies()
			if len(c) != 1 || c[0].Name != "session" {
				t.Fatalf("cookies %v, want the session", c)
			}
			s := m.Load(context.Background(), c[0].Value)
			if s.GetString("user") != "tom" {
				t.Errorf("cookie holds %v", s.Keys())
			}
			l := errs.Take()
			if name == "nothing" {
				if len(l) != 0 || s.Get("late") != true {
					t.Errorf("reported %v, keys %v", l, s.Keys())
				}
				return
			}
			if s.Get("late") != nil || len(l) != 1 || !errors.Is(l[0], cookiesession.ErrHeadersWritten) {
				t.Errorf("keys %v, reported %v: want the late change reported as ErrHeadersWritten", s.Keys(), l)
			}
		})
	}
}

// Middleware registered before the session's sees the final status and
// its Before hooks run; a request that never touches its session gets no
// cookie, and Vary: Cookie all the same.
func TestOuterMiddlewareAndUntouchedSession(t *testing.T) {
	m := sessiontest.NewManager(t, cookiesession.JWT, nil)
	e := echo.New()
	var status int
	var hookRan bool
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Before(func() { hookRan = true })
			err := next(c)
			status = c.Response().Status
			return err
		}
	})
	e.Use(echosession.Middleware(m))
	e.GET("/", func(c echo.Context) error { return c.String(http.StatusTeapot, "static") })
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: "garbage"})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusTeapot || status != http.StatusTeapot || !hookRan {
		t.Errorf("status %d, seen by outer middleware %d, Before hook ran %v", rec.Code, status, hookRan)
	}
	if rec.Header().Get("Set-Cookie") != "" || !slices.Equal(rec.Header().Values("Vary"), []string{"Cookie"}) {
		t.Errorf("headers %v", rec.Header())
	}
}

func TestSessionThroughRequestIsTheSame(t *testing.T) {
	m := sessiontest.NewManager(t, cookiesession.Base64, nil)
	e := echo.New()
	e.Use(echosession.Middleware(m))
	var same bool
	e.GET("/", func(c echo.Context) error {
		same = echosession.Session(c) == cookiesession.FromRequest(c.Request())
		return c.String(http.StatusOK, echosession.Session(c).GetString("user"))
	})
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: "eyJ1c2VyIjoidG9tIn0="})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if !same || rec.Body.String() != "tom" {
		t.Errorf("same %v, body %q", same, rec.Body)
	}
}

func TestSessionWithoutMiddlewarePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	e := echo.New()
	echosession.Session(e.NewContext(httptest.NewRequest("GET", "/", nil), httptest.NewRecorder()))
}

// An outer middleware (a logger, a metrics counter) sees the status echo
// sends, 200, for a handler that returns without writing.
func TestOuterMiddlewareSeesStatusOK(t *testing.T) {
	e := echo.New()
	var seen int
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			seen = c.Response().Status
			return err
		}
	})
	e.Use(echosession.Middleware(sessiontest.NewManager(t, cookiesession.JWT, nil)))
	e.GET("/", func(c echo.Context) error { return nil })
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if seen != http.StatusOK || rec.Code != http.StatusOK {
		t.Errorf("outer middleware saw %d, response %d", seen, rec.Code)
	}
}

// Every response says Vary: Cookie, whether the handler reads the session
// before echo sends the headers, first reads it after a Write or a Flush,
// or never; an app's own Vary is kept and Cookie is never named twice.
// With a new cookie, Cache-Control: no-cache="Set-Cookie" is added unless
// the app set its own.
func TestVaryCookieOnEveryResponse(t *testing.T) {
	m := sessiontest.NewManager(t, cookiesession.JWT, nil)
	token, err := m.Codec().Encode(cookiesession.Values{"user": []byte(`"tom"`)})
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.HideBanner = true
	e.Use(echosession.Middleware(m))
	user := func(c echo.Context) string { return echosession.Session(c).GetString("user") }
	e.GET("/static", func(c echo.Context) error { return c.String(http.StatusOK, "static") })
	e.GET("/read", func(c echo.Context) error { return c.String(http.StatusOK, user(c)) })
	e.GET("/after-write", func(c echo.Context) error {
		c.Response().WriteHeader(http.StatusOK)
		_, _ = c.Response().Write([]byte("hello "))
		_, err := c.Response().Write([]byte(user(c)))
		return err
	})
	e.GET("/after-flush", func(c echo.Context) error {
		c.Response().WriteHeader(http.StatusOK)
		c.Response().Flush()
		_, err := c.Response().Write([]byte("hello " + user(c)))
		return err
	})
	e.GET("/app-vary", func(c echo.Context) error {
		c.Response().Header().Set("Vary", "Accept-Encoding")
		return c.String(http.StatusOK, user(c))
	})
	e.GET("/app-vary-cookie", func(c echo.Context) error {
		c.Response().Header().Set("Vary", "Origin, cookie")
		return c.String(http.StatusOK, user(c))
	})
	e.GET("/set", func(c echo.Context) error {
		_ = echosession.Session(c).Set("n", 1)
		return c.String(http.StatusOK, user(c))
	})
	e.GET("/set-own-cache", func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "private, max-age=60")
		_ = echosession.Session(c).Set("n", 1)
		return c.String(http.StatusOK, user(c))
	})
	srv := httptest.NewServer(e)
	defer srv.Close()
	for _, tc := range []struct {
		path, body string
		vary       []string
		cache      []string
	}{
		{"/static", "static", []string{"Cookie"}, nil},
		{"/read", "tom", []string{"Cookie"}, nil},
		{"/after-write", "hello tom", []string{"Cookie"}, nil},
		{"/after-flush", "hello tom", []string{"Cookie"}, nil},
		{"/app-vary", "tom", []string{"Accept-Encoding", "Cookie"}, nil},
		{"/app-vary-cookie", "tom", []string{"Origin, cookie"}, nil},
		{"/set", "tom", []string{"Cookie"}, []string{`no-cache="Set-Cookie"`}},
		{"/set-own-cache", "tom", []string{"Cookie"}, []string{"private, max-age=60"}},
	} {
		resp, body := sessiontest.Get(t, &http.Client{}, srv.URL+tc.path, "session="+token)
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
