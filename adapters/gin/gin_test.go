package ginsession_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
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

// A request that never touches its session gets no cookie and no Vary.
func TestUntouchedSessionWritesNothing(t *testing.T) {
	m := sessiontest.NewManager(t, cookiesession.JWT, nil)
	r := gin.New()
	r.Use(ginsession.Middleware(m))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "static") })
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: "garbage"})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	if rec.Header().Get("Set-Cookie") != "" || rec.Header().Get("Vary") != "" || rec.Body.String() != "static" {
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
