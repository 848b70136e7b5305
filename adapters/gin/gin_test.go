package ginsession_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	ginsession "github.com/cookiesession/cookiesession/adapters/gin"
	"github.com/cookiesession/cookiesession/internal/pystr"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
	"github.com/gin-gonic/gin"
)

func init() { gin.SetMode(gin.TestMode) }

// seedApp is the seed's router example written for gin.
func seedApp(m *cookiesession.Manager) *gin.Engine {
	r := gin.New()
	r.Use(ginsession.Middleware(m))
	r.GET("/", func(c *gin.Context) {
		user := ginsession.Session(c).GetString("user")
		if user == "" {
			user = "Anonymous"
		}
		c.String(http.StatusOK, "Hello %s", pystr.Title(user))
	})
	r.GET("/login/:user", func(c *gin.Context) {
		if err := ginsession.Session(c).Set("user", c.Param("user")); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "Done")
	})
	r.GET("/logout", func(c *gin.Context) {
		ginsession.Session(c).Delete("user")
		c.String(http.StatusOK, "Done")
	})
	return r
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

// gin's c.Status only records the status: the session may change after it,
// and the cookie still goes out with the headers.
func TestStatusBeforeSetKeepsTheCookie(t *testing.T) {
	e := &sessiontest.ErrorLog{}
	m := sessiontest.NewManager(t, cookiesession.JWT, e)
	r := gin.New()
	r.Use(ginsession.Middleware(m))
	r.GET("/", func(c *gin.Context) {
		c.Status(http.StatusCreated)
		_ = ginsession.Session(c).Set("user", "tom")
		c.String(http.StatusCreated, "made")
	})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusCreated || !strings.HasPrefix(rec.Header().Get("Set-Cookie"), "session=") {
		t.Errorf("status %d, Set-Cookie %q", rec.Code, rec.Header().Get("Set-Cookie"))
	}
	if l := e.Take(); len(l) != 0 {
		t.Errorf("reported %v", l)
	}
}

// Each way gin sends the headers first puts the cookie in them; a change
// after that is reported, not silently lost.
func TestCookieBeforeEveryWayOfSending(t *testing.T) {
	for name, send := range map[string]func(c *gin.Context){
		"Write":           func(c *gin.Context) { _, _ = c.Writer.Write([]byte("x")) },
		"WriteString":     func(c *gin.Context) { _, _ = c.Writer.WriteString("x") },
		"WriteHeaderNow":  func(c *gin.Context) { c.Writer.WriteHeaderNow() },
		"Flush":           func(c *gin.Context) { c.Writer.Flush() },
		"AbortWithStatus": func(c *gin.Context) { c.AbortWithStatus(http.StatusTeapot) },
		"SSEvent":         func(c *gin.Context) { c.SSEvent("message", "hi"); c.Writer.Flush() },
		"nothing":         func(c *gin.Context) {},
	} {
		t.Run(name, func(t *testing.T) {
			e := &sessiontest.ErrorLog{}
			m := sessiontest.NewManager(t, cookiesession.Fernet, e)
			r := gin.New()
			r.Use(ginsession.Middleware(m))
			r.GET("/", func(c *gin.Context) {
				_ = ginsession.Session(c).Set("user", "tom")
				send(c)
				_ = ginsession.Session(c).Set("late", true)
			})
			srv := httptest.NewServer(r)
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
			l := e.Take()
			if name == "nothing" {
				// Nothing was sent before the handler returned: both changes are saved.
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

// A request that never touches its session gets no cookie (its bad cookie
// is never decoded); it still says Vary: Cookie.
func TestUntouchedSessionWritesNothing(t *testing.T) {
	m := sessiontest.NewManager(t, cookiesession.JWT, nil)
	r := gin.New()
	r.Use(ginsession.Middleware(m))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "static") })
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: "garbage"})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	if rec.Header().Get("Set-Cookie") != "" || !slices.Equal(rec.Header().Values("Vary"), []string{"Cookie"}) || rec.Body.String() != "static" {
		t.Errorf("headers %v body %q", rec.Header(), rec.Body)
	}
}

// The session is the same object through gin's context and through the
// request's context, and a forged cookie gives an empty session with the
// reason in Err.
func TestSessionThroughRequestAndForgedCookie(t *testing.T) {
	e := &sessiontest.ErrorLog{}
	m := sessiontest.NewManager(t, cookiesession.JWT, e)
	r := gin.New()
	r.Use(ginsession.Middleware(m))
	var same bool
	var err error
	r.GET("/", func(c *gin.Context) {
		s := ginsession.Session(c)
		same = s == cookiesession.FromRequest(c.Request)
		err = s.Err()
		c.String(http.StatusOK, "%d", s.Len())
	})
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: "eyJhbGciOiJub25lIn0.eyJ1c2VyIjoiYWRtaW4ifQ."})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	if !same || rec.Body.String() != "0" || err == nil {
		t.Errorf("same %v, body %q, Err %v", same, rec.Body, err)
	}
	if l := e.Take(); len(l) != 1 || !errors.Is(l[0], cookiesession.ErrAlgorithm) && !errors.Is(l[0], cookiesession.ErrMalformed) {
		t.Errorf("reported %v", l)
	}
}

func TestSessionWithoutMiddlewarePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("GET", "/", nil)
	ginsession.Session(c)
}

// A handler that panics saves nothing, although gin's Recovery writes the
// 500 through the session's writer.
func TestPanickingHandlerSavesNothing(t *testing.T) {
	r := gin.New()
	r.Use(gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, _ any) { c.AbortWithStatus(http.StatusInternalServerError) }))
	r.Use(ginsession.Middleware(sessiontest.NewManager(t, cookiesession.Base64, nil)))
	r.GET("/", func(c *gin.Context) {
		_ = ginsession.Session(c).Set("paid", true)
		panic("handler bug")
	})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Set-Cookie") != "" {
		t.Errorf("status %d, Set-Cookie %q", rec.Code, rec.Header().Get("Set-Cookie"))
	}
}

// Every response says Vary: Cookie, whether the handler reads the session
// before gin sends the headers, first reads it after a Write or a Flush,
// or never; an app's own Vary is kept and Cookie is never named twice.
// With a new cookie, Cache-Control: no-cache="Set-Cookie" is added unless
// the app set its own.
func TestVaryCookieOnEveryResponse(t *testing.T) {
	m := sessiontest.NewManager(t, cookiesession.JWT, nil)
	token, err := m.Codec().Encode(cookiesession.Values{"user": []byte(`"tom"`)})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	r.Use(ginsession.Middleware(m))
	user := func(c *gin.Context) string { return ginsession.Session(c).GetString("user") }
	r.GET("/static", func(c *gin.Context) { c.String(http.StatusOK, "static") })
	r.GET("/read", func(c *gin.Context) { c.String(http.StatusOK, user(c)) })
	r.GET("/after-write", func(c *gin.Context) {
		c.String(http.StatusOK, "hello ")
		c.Writer.WriteString(user(c))
	})
	r.GET("/after-flush", func(c *gin.Context) {
		c.Status(http.StatusOK)
		c.Writer.WriteHeaderNow()
		c.Writer.Flush()
		c.Writer.WriteString("hello " + user(c))
	})
	r.GET("/app-vary", func(c *gin.Context) {
		c.Header("Vary", "Accept-Encoding")
		c.String(http.StatusOK, user(c))
	})
	r.GET("/app-vary-cookie", func(c *gin.Context) {
		c.Header("Vary", "Origin, cookie")
		c.String(http.StatusOK, user(c))
	})
	r.GET("/set", func(c *gin.Context) {
		_ = ginsession.Session(c).Set("n", 1)
		c.String(http.StatusOK, user(c))
	})
	r.GET("/set-own-cache", func(c *gin.Context) {
		c.Header("Cache-Control", "private, max-age=60")
		_ = ginsession.Session(c).Set("n", 1)
		c.String(http.StatusOK, user(c))
	})
	srv := httptest.NewServer(r)
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
