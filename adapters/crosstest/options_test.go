package crosstest

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	echosession "github.com/cookiesession/cookiesession/adapters/echo"
	fibersession "github.com/cookiesession/cookiesession/adapters/fiber"
	ginsession "github.com/cookiesession/cookiesession/adapters/gin"
	"github.com/cookiesession/cookiesession/adapters/internal/adaptertest"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v4"
)

// The flows' app (adaptertest.Routes) on every framework.

func chiFlows(m *cookiesession.Manager) http.Handler {
	r := chi.NewRouter()
	r.Use(m.Handler)
	for _, route := range adaptertest.Routes {
		r.Get(route.Path, adaptertest.HTTPHandler(route))
	}
	return r
}

func ginFlows(m *cookiesession.Manager) http.Handler {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(ginsession.Middleware(m))
	for _, route := range adaptertest.Routes {
		r.GET(route.Path, func(c *gin.Context) {
			rep := route.Handle(ginsession.Session(c), c.Query)
			if rep.Location != "" {
				c.Redirect(rep.Status, rep.Location)
				return
			}
			c.String(rep.Status, "%s", rep.Body)
		})
	}
	return r
}

func echoFlows(m *cookiesession.Manager) http.Handler {
	e := echo.New()
	e.Use(echosession.Middleware(m))
	for _, route := range adaptertest.Routes {
		e.GET(route.Path, func(c echo.Context) error {
			rep := route.Handle(echosession.Session(c), c.QueryParam)
			if rep.Location != "" {
				return c.Redirect(rep.Status, rep.Location)
			}
			return c.String(rep.Status, rep.Body)
		})
	}
	return e
}

func fiberFlows(m *cookiesession.Manager) *fiber.App {
	// Chunked sessions need more than fiber's default 4096 bytes of
	// request headers (see the fiber adapter's package doc).
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ReadBufferSize: cookiesession.HardMaxSize + 8192})
	app.Use(fibersession.Middleware(m))
	for _, route := range adaptertest.Routes {
		app.Get(route.Path, func(c *fiber.Ctx) error {
			query := func(key string) string { return strings.Clone(c.Query(key)) }
			rep := route.Handle(fibersession.Session(c), query)
			if rep.Location != "" {
				return c.Redirect(rep.Location, rep.Status)
			}
			return c.Status(rep.Status).SendString(rep.Body)
		})
	}
	return app
}

// flowServers starts the flows' app on every framework, each with its own
// Manager made from cfg, on loopback, and returns their base URLs by
// framework name. The test fails if any Manager reports an error.
func flowServers(t *testing.T, cfg cookiesession.Config) map[string]string {
	t.Helper()
	var mu sync.Mutex
	var reported []error
	cfg.ErrorHandler = func(_ context.Context, err error) {
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if len(reported) != 0 {
			t.Errorf("reported %v", reported)
		}
	})
	manager := func() *cookiesession.Manager {
		m, err := cookiesession.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	urls := map[string]string{}
	for name, app := range map[string]func(*cookiesession.Manager) http.Handler{
		"net/http": adaptertest.Mux, "chi": chiFlows, "gin": ginFlows, "echo": echoFlows,
	} {
		srv := httptest.NewServer(app(manager()))
		t.Cleanup(srv.Close)
		urls[name] = srv.URL
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := fiberFlows(manager())
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	t.Cleanup(func() {
		if err := app.Shutdown(); err != nil {
			t.Error(err)
		}
		<-done
	})
	urls["fiber"] = "http://" + ln.Addr().String()
	return urls
}

// names returns the keys of urls, sorted, so that runs are repeatable.
func names(urls map[string]string) []string {
	out := make([]string, 0, len(urls))
	for name := range urls {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// fetch gets path under base with the given Cookie header ("" for none),
// checks status 200 and returns the response and its body.
func fetch(t *testing.T, base, path, cookie string) (*http.Response, string) {
	t.Helper()
	var resp *http.Response
	var body string
	if cookie == "" {
		resp, body = sessiontest.Get(t, http.DefaultClient, base+path)
	} else {
		resp, body = sessiontest.Get(t, http.DefaultClient, base+path, cookie)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s%s: %d %q", base, path, resp.StatusCode, body)
	}
	return resp, body
}

// A session of several cookies written through any framework is read
// whole by every other; each of them, shrinking it, expires exactly the
// chunks it no longer needs.
func TestSessionOfSeveralCookiesReadByAll(t *testing.T) {
	big := strconv.Itoa(adaptertest.BigValue)
	for _, tc := range []struct {
		name   string
		cfg    cookiesession.Config
		write  string // the path that writes the session
		key    string // the key it writes
		length int    // the length of the value
		min    int    // the cookies the session takes at least
		shrink bool   // check that a shrink expires the chunks
	}{
		{"jwt chunks", cookiesession.Config{Type: cookiesession.JWT, MaxSize: cookiesession.HardMaxSize}, "/set?key=blob&list=1&len=" + big, "blob", adaptertest.BigValue, 3, true},
		{"fernet chunks", cookiesession.Config{Type: cookiesession.Fernet, MaxSize: cookiesession.HardMaxSize}, "/set?key=blob&list=1&len=" + big, "blob", adaptertest.BigValue, 3, true},
		{"base64 chunks compressed", cookiesession.Config{Type: cookiesession.Base64, MaxSize: cookiesession.DefaultMaxSize, Compress: true}, "/set?key=blob&list=1&len=5000", "blob", 5000, 2, true},
		{"iron-session chunks", cookiesession.Config{Type: cookiesession.IronSession}, "/set?key=blob&list=1&len=6000", "blob", 6000, 2, true},
		{"iron-session", cookiesession.Config{Type: cookiesession.IronSession}, "/set?key=user&len=8", "user", 8, 1, false},
		{"cookie-session", cookiesession.Config{Type: cookiesession.CookieSession}, "/set?key=user&len=8", "user", 8, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.SecretKey = sessiontest.Secret
			urls := flowServers(t, tc.cfg)
			want := adaptertest.Value(tc.length)
			for _, writer := range names(urls) {
				resp, _ := fetch(t, urls[writer], tc.write, "")
				written := resp.Cookies()
				if len(written) < tc.min {
					t.Fatalf("%s wrote %v, want at least %d cookies", writer, adaptertest.Names(written), tc.min)
				}
				cookie := adaptertest.CookieHeader(written)
				for _, reader := range names(urls) {
					if _, body := fetch(t, urls[reader], "/get?key="+tc.key, cookie); body != want {
						t.Errorf("written by %s, read by %s: %d bytes, want %d", writer, reader, len(body), len(want))
					}
					if !tc.shrink {
						continue
					}
					resp, _ := fetch(t, urls[reader], "/set?key="+tc.key+"&len=5", cookie)
					live, expired := adaptertest.Split(resp.Cookies())
					var wantExpired []string
					for _, c := range adaptertest.Names(written) {
						if !slices.Contains(live, c) {
							wantExpired = append(wantExpired, c)
						}
					}
					if len(live) != 1 || !slices.Equal(expired, wantExpired) {
						t.Errorf("written by %s, shrunk by %s: wrote %v, expired %v; want one cookie and %v expired", writer, reader, live, expired, wantExpired)
					}
					if _, body := fetch(t, urls[writer], "/get?key="+tc.key, adaptertest.CookieHeader(resp.Cookies())); body != adaptertest.Value(5) {
						t.Errorf("shrunk by %s, read by %s: %q", reader, writer, body)
					}
				}
			}
		})
	}
}

// A flash message left through any framework is shown, once, by every
// other, which then expires the emptied session.
func TestFlashReadByAll(t *testing.T) {
	urls := flowServers(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: sessiontest.Secret})
	for _, writer := range names(urls) {
		resp, _ := fetch(t, urls[writer], "/flash?msg=from+"+writer+"&stay=1", "")
		cookie := adaptertest.CookieHeader(resp.Cookies())
		for _, reader := range names(urls) {
			resp, body := fetch(t, urls[reader], "/flashes", cookie)
			if body != "from "+writer {
				t.Errorf("flashed by %s, read by %s: %q", writer, reader, body)
			}
			if live, expired := adaptertest.Split(resp.Cookies()); len(live) != 0 || !slices.Equal(expired, []string{"session"}) {
				t.Errorf("flashed by %s, read by %s: wrote %v, expired %v", writer, reader, live, expired)
			}
		}
	}
}

// A rolling session written through any framework is re-issued by every
// other once a tenth of MaxAge has passed, and the re-issued cookie is
// read by the first without being re-issued again.
func TestRollingReissueReadByAll(t *testing.T) {
	clock := adaptertest.NewClock(time.Now())
	urls := flowServers(t, cookiesession.Config{Type: cookiesession.Fernet, SecretKey: sessiontest.Secret, Rolling: true, Now: clock.Now})
	for _, writer := range names(urls) {
		resp, _ := fetch(t, urls[writer], "/set?key=user&len=8", "")
		cookie := adaptertest.CookieHeader(resp.Cookies())
		clock.Add(2 * 24 * time.Hour) // past MaxAge/10
		for _, reader := range names(urls) {
			resp, body := fetch(t, urls[reader], "/get?key=user", cookie)
			c := resp.Cookies()
			if body != adaptertest.Value(8) || len(c) != 1 || c[0].MaxAge <= 0 {
				t.Errorf("written by %s, read by %s two days later: %q, cookies %v", writer, reader, body, c)
				continue
			}
			resp, body = fetch(t, urls[writer], "/get?key=user", adaptertest.CookieHeader(c))
			if body != adaptertest.Value(8) || len(resp.Cookies()) != 0 {
				t.Errorf("re-issued by %s, read by %s: %q, cookies %v", reader, writer, body, resp.Cookies())
			}
		}
	}
}
