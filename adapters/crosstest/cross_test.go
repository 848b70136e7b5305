package crosstest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cookiesession/cookiesession"
	echosession "github.com/cookiesession/cookiesession/adapters/echo"
	fibersession "github.com/cookiesession/cookiesession/adapters/fiber"
	ginsession "github.com/cookiesession/cookiesession/adapters/gin"
	"github.com/cookiesession/cookiesession/internal/pystr"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v4"
)

// The app of every framework stores the user and a cart on /login/{user},
// greets on /, and shows the cart's total (read with cookiesession.Get) on
// /cart.
type cart struct {
	Items []string `json:"items"`
	Total int64    `json:"total"`
}

func greet(s *cookiesession.Session) string {
	user := s.GetString("user")
	if user == "" {
		user = "Anonymous"
	}
	return "Hello " + pystr.Title(user)
}

func login(s *cookiesession.Session, user string) error {
	if err := s.Set("user", user); err != nil {
		return err
	}
	return s.Set("cart", cart{Items: []string{"ü", "pear"}, Total: 1<<53 + 1})
}

func showCart(s *cookiesession.Session) string {
	c, err := cookiesession.Get[cart](s, "cart")
	if err != nil {
		return err.Error()
	}
	return fmt.Sprint(c.Items, c.Total)
}

func netHTTPApp(m *cookiesession.Manager) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, greet(cookiesession.FromRequest(r)))
	})
	mux.HandleFunc("GET /cart", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, showCart(cookiesession.FromRequest(r)))
	})
	mux.HandleFunc("GET /login/{user}", func(w http.ResponseWriter, r *http.Request) {
		if err := login(cookiesession.FromRequest(r), r.PathValue("user")); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, "Done")
	})
	return m.Handler(mux)
}

func chiApp(m *cookiesession.Manager) http.Handler {
	r := chi.NewRouter()
	r.Use(m.Handler)
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, greet(cookiesession.FromRequest(r)))
	})
	r.Get("/cart", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, showCart(cookiesession.FromRequest(r)))
	})
	r.Get("/login/{user}", func(w http.ResponseWriter, r *http.Request) {
		if err := login(cookiesession.FromRequest(r), chi.URLParam(r, "user")); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, "Done")
	})
	return r
}

func ginApp(m *cookiesession.Manager) http.Handler {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(ginsession.Middleware(m))
	r.GET("/", func(c *gin.Context) { c.String(200, greet(ginsession.Session(c))) })
	r.GET("/cart", func(c *gin.Context) { c.String(200, showCart(ginsession.Session(c))) })
	r.GET("/login/:user", func(c *gin.Context) {
		if err := login(ginsession.Session(c), c.Param("user")); err != nil {
			c.String(500, err.Error())
			return
		}
		c.String(200, "Done")
	})
	return r
}

func echoApp(m *cookiesession.Manager) http.Handler {
	e := echo.New()
	e.Use(echosession.Middleware(m))
	e.GET("/", func(c echo.Context) error { return c.String(200, greet(echosession.Session(c))) })
	e.GET("/cart", func(c echo.Context) error { return c.String(200, showCart(echosession.Session(c))) })
	e.GET("/login/:user", func(c echo.Context) error {
		if err := login(echosession.Session(c), c.Param("user")); err != nil {
			return err
		}
		return c.String(200, "Done")
	})
	return e
}

func fiberApp(m *cookiesession.Manager) *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(fibersession.Middleware(m))
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString(greet(fibersession.Session(c))) })
	app.Get("/cart", func(c *fiber.Ctx) error { return c.SendString(showCart(fibersession.Session(c))) })
	app.Get("/login/:user", func(c *fiber.Ctx) error {
		if err := login(fibersession.Session(c), c.Params("user")); err != nil {
			return err
		}
		return c.SendString("Done")
	})
	return app
}

// servers starts every framework's app, each with its own Manager made
// from the same Config, on loopback, and returns their base URLs.
func servers(t *testing.T, cfg cookiesession.Config) map[string]string {
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
		"net/http": netHTTPApp, "chi": chiApp, "gin": ginApp, "echo": echoApp,
	} {
		srv := httptest.NewServer(app(manager()))
		t.Cleanup(srv.Close)
		urls[name] = srv.URL
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := fiberApp(manager())
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

func get(t *testing.T, url string, cookie *http.Cookie) (*http.Response, string) {
	t.Helper()
	if cookie == nil {
		return sessiontest.Get(t, http.DefaultClient, url)
	}
	return sessiontest.Get(t, http.DefaultClient, url, cookie.Name+"="+cookie.Value)
}

func TestCookieFromOneFrameworkReadByAll(t *testing.T) {
	for _, typ := range sessiontest.Types {
		t.Run(string(typ), func(t *testing.T) {
			urls := servers(t, cookiesession.Config{Type: typ, SecretKey: sessiontest.Secret, CookieName: "sid"})
			var lines []string
			for writer, wurl := range urls {
				resp, body := get(t, wurl+"/login/tom", nil)
				var cookie *http.Cookie
				for _, c := range resp.Cookies() {
					if c.Name == "sid" {
						cookie = c
					}
				}
				if body != "Done" || cookie == nil {
					t.Fatalf("%s: login gave %q, cookies %v", writer, body, resp.Cookies())
				}
				lines = append(lines, resp.Header.Get("Set-Cookie"))
				for reader, rurl := range urls {
					if _, body := get(t, rurl+"/", cookie); body != "Hello Tom" {
						t.Errorf("written by %s, read by %s: %q", writer, reader, body)
					}
					if _, body := get(t, rurl+"/cart", cookie); body != "[ü pear] 9007199254740993" {
						t.Errorf("written by %s, read by %s: cart %q", writer, reader, body)
					}
				}
			}
			// The attributes match too (the value differs for jwt and
			// fernet: it carries a time and, for fernet, a random IV).
			attrs := func(line string) string {
				c, err := http.ParseSetCookie(line)
				if err != nil {
					t.Fatal(err)
				}
				c.Value, c.Raw = "", ""
				return c.String()
			}
			for _, l := range lines[1:] {
				if attrs(l) != attrs(lines[0]) {
					t.Errorf("Set-Cookie attributes differ:\n%s\n%s", l, lines[0])
				}
			}
		})
	}
}

// A forged cookie is refused the same way everywhere: an anonymous session.
func TestForgedCookieRefusedByAll(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.JWT, cookiesession.Fernet} {
		t.Run(string(typ), func(t *testing.T) {
			// A cookie made with another secret.
			other, err := cookiesession.New(cookiesession.Config{Type: typ, SecretKey: "OTHER-SECRET-0123456789abcdefghi"})
			if err != nil {
				t.Fatal(err)
			}
			value, err := other.Codec().Encode(cookiesession.Values{"user": []byte(`"admin"`)})
			if err != nil {
				t.Fatal(err)
			}
			var refused atomic.Int32
			cfg := cookiesession.Config{Type: typ, SecretKey: sessiontest.Secret}
			cfg.ErrorHandler = func(context.Context, error) { refused.Add(1) }
			urls := map[string]string{}
			for name, app := range map[string]func(*cookiesession.Manager) http.Handler{"net/http": netHTTPApp, "gin": ginApp, "echo": echoApp} {
				m, _ := cookiesession.New(cfg)
				srv := httptest.NewServer(app(m))
				defer srv.Close()
				urls[name] = srv.URL
			}
			m, _ := cookiesession.New(cfg)
			fapp := fiberApp(m)
			for name, url := range urls {
				if _, body := get(t, url+"/", &http.Cookie{Name: "session", Value: value}); body != "Hello Anonymous" {
					t.Errorf("%s: %q", name, body)
				}
			}
			req := httptest.NewRequest("GET", "/", nil)
			req.AddCookie(&http.Cookie{Name: "session", Value: value})
			resp, err := fapp.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != "Hello Anonymous" {
				t.Errorf("fiber: %q", body)
			}
			if n := refused.Load(); n != 4 {
				t.Errorf("%d refusals reported, want 4", n)
			}
		})
	}
}
