package fibersession_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	fibersession "github.com/cookiesession/cookiesession/adapters/fiber"
	"github.com/cookiesession/cookiesession/adapters/internal/adaptertest"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
	"github.com/gofiber/fiber/v2"
)

// bigHeaders is a fiber.Config.ReadBufferSize that holds a Cookie header
// of cookiesession.HardMaxSize and the request's other headers.
const bigHeaders = cookiesession.HardMaxSize + 8192

// flowsApp is the flows' app on fiber, each route reaching its session
// through fibersession.Session.
func flowsApp(m *cookiesession.Manager, cfg fiber.Config) *fiber.App {
	cfg.DisableStartupMessage = true
	app := fiber.New(cfg)
	app.Use(fibersession.Middleware(m))
	for _, route := range adaptertest.Routes {
		app.Get(route.Path, func(c *fiber.Ctx) error {
			// fiber's strings point into buffers it reuses: copy them.
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

func serveFlows(t *testing.T, m *cookiesession.Manager) string {
	return serve(t, flowsApp(m, fiber.Config{ReadBufferSize: bigHeaders}))
}

// Sessions of several cookies (chunks, iron-session, cookie-session), flash
// messages and rolling re-issues through fiber, on a real listener: every
// cookie of Manager.SaveCookies becomes a Set-Cookie line.
func TestOptionFlows(t *testing.T) {
	adaptertest.Run(t, serveFlows)
}

// The Set-Cookie lines for sessions of several cookies are those the
// net/http middleware writes for the same request, byte for byte, in the
// same order: chunks, a shrink that expires them, cookie-session's pair,
// and clearing it.
func TestSetCookieLinesMatchNetHTTP(t *testing.T) {
	big := "/set?key=blob&list=1&len=" + strconv.Itoa(adaptertest.BigValue)
	for _, tc := range []struct {
		name   string
		cfg    cookiesession.Config
		path   string
		cookie string // the request's Cookie header, from the response to this path
		min    int    // Set-Cookie lines at least
	}{
		{"chunks", cookiesession.Config{Type: cookiesession.Base64, MaxSize: cookiesession.HardMaxSize}, big, "", 3},
		{"shrink", cookiesession.Config{Type: cookiesession.Base64, MaxSize: cookiesession.HardMaxSize}, "/set?key=blob&len=3", big, 3},
		{"clear chunks", cookiesession.Config{Type: cookiesession.Base64, MaxSize: cookiesession.HardMaxSize}, "/clear", big, 3},
		{"cookie-session", cookiesession.Config{Type: cookiesession.CookieSession, SecretKey: sessiontest.Secret}, "/set?key=user&len=8", "", 2},
		{"clear cookie-session", cookiesession.Config{Type: cookiesession.CookieSession, SecretKey: sessiontest.Secret}, "/clear", "/set?key=user&len=8", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := adaptertest.NewManager(t, tc.cfg, nil)
			app := flowsApp(m, fiber.Config{ReadBufferSize: bigHeaders})
			std := adaptertest.Mux(m)
			cookie := ""
			if tc.cookie != "" {
				rec := httptest.NewRecorder()
				std.ServeHTTP(rec, httptest.NewRequest("GET", tc.cookie, nil))
				cookie = adaptertest.CookieHeader(rec.Result().Cookies())
			}
			req := httptest.NewRequest("GET", tc.path, nil)
			req.Header.Set("Cookie", cookie)
			resp, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			rec := httptest.NewRecorder()
			req = httptest.NewRequest("GET", tc.path, nil)
			req.Header.Set("Cookie", cookie)
			std.ServeHTTP(rec, req)
			got, want := resp.Header.Values("Set-Cookie"), rec.Header().Values("Set-Cookie")
			if len(want) < tc.min || !slices.Equal(got, want) {
				t.Errorf("fiber: %d lines %q\nnet/http: %d lines %q", len(got), got, len(want), want)
			}
			for _, h := range []string{"Vary", "Cache-Control"} {
				if g, w := resp.Header.Values(h), rec.Header().Values(h); !slices.Equal(g, w) {
					t.Errorf("%s: fiber %q, net/http %q", h, g, w)
				}
			}
		})
	}
}

// A session's cookies split over several Cookie header lines (as HTTP/2
// clients and some proxies send them) are read as one header.
func TestSeveralCookieHeaderLines(t *testing.T) {
	m := adaptertest.NewManager(t, cookiesession.Config{Type: cookiesession.CookieSession, SecretKey: sessiontest.Secret}, nil)
	s := m.LoadHeader(context.Background(), "")
	if err := s.Set("user", "tom"); err != nil {
		t.Fatal(err)
	}
	cookies, err := m.SaveCookies(s)
	if err != nil || len(cookies) != 2 {
		t.Fatalf("SaveCookies: %v, %v", cookies, err)
	}
	base := serve(t, flowsApp(m, fiber.Config{}))
	_, body := sessiontest.Get(t, &http.Client{}, base+"/get?key=user",
		"other=1; "+cookies[0].Name+"="+cookies[0].Value, cookies[1].Name+"="+cookies[1].Value+"; last=2")
	if body != "tom" {
		t.Errorf("read %q, want tom", body)
	}
}

// fiber's default ReadBufferSize (4096) holds no chunked session: fasthttp
// answers 431 before any handler runs. The package doc says to raise it;
// with it raised, the same request reads the session.
func TestChunkedSessionNeedsReadBufferSize(t *testing.T) {
	m := adaptertest.NewManager(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, MaxSize: cookiesession.HardMaxSize}, nil)
	rec := httptest.NewRecorder()
	adaptertest.Mux(m).ServeHTTP(rec, httptest.NewRequest("GET", "/set?key=blob&list=1&len="+strconv.Itoa(adaptertest.BigValue), nil))
	cookie := adaptertest.CookieHeader(rec.Result().Cookies())
	if len(cookie) < 3*cookiesession.MaxCookieSize {
		t.Fatalf("a Cookie header of %d bytes", len(cookie))
	}
	for _, tc := range []struct {
		cfg    fiber.Config
		status int
		body   string
	}{
		{fiber.Config{}, http.StatusRequestHeaderFieldsTooLarge, ""},
		{fiber.Config{ReadBufferSize: bigHeaders}, http.StatusOK, adaptertest.Value(adaptertest.BigValue)},
	} {
		base := serve(t, flowsApp(m, tc.cfg))
		resp, body := sessiontest.Get(t, &http.Client{}, base+"/get?key=blob", cookie)
		if resp.StatusCode != tc.status || (tc.body != "" && body != tc.body) {
			t.Errorf("ReadBufferSize %d: %d, %d bytes of body", tc.cfg.ReadBufferSize, resp.StatusCode, len(body))
		}
	}
}

// A session read from a Config.MigrateFrom cookie is written again in the
// Manager's own format on the same response, and the old cookie expired:
// two Set-Cookie lines, as the net/http middleware writes them.
func TestMigrationRetiresTheOldCookie(t *testing.T) {
	old := adaptertest.NewManager(t, cookiesession.Config{Type: cookiesession.Base64, CookieName: "legacy"}, nil)
	s := old.LoadHeader(context.Background(), "")
	if err := s.Set("user", adaptertest.Value(8)); err != nil {
		t.Fatal(err)
	}
	legacy, err := old.SaveCookies(s)
	if err != nil || len(legacy) != 1 {
		t.Fatalf("SaveCookies: %v, %v", legacy, err)
	}
	m := adaptertest.NewManager(t, cookiesession.Config{
		Type: cookiesession.JWT, SecretKey: sessiontest.Secret,
		MigrateFrom: []cookiesession.Migration{{Type: cookiesession.Base64, CookieName: "legacy"}},
	}, nil)
	base := serve(t, flowsApp(m, fiber.Config{}))
	resp, body := sessiontest.Get(t, &http.Client{}, base+"/get?key=user", "legacy="+legacy[0].Value)
	live, expired := adaptertest.Split(resp.Cookies())
	if body != adaptertest.Value(8) || !slices.Equal(live, []string{"session"}) || !slices.Equal(expired, []string{"legacy"}) {
		t.Fatalf("read %q; wrote %v, expired %v", body, live, expired)
	}
	if _, body := sessiontest.Get(t, &http.Client{}, base+"/get?key=user", adaptertest.CookieHeader(resp.Cookies())); body != adaptertest.Value(8) {
		t.Errorf("the migrated cookie reads %q", body)
	}
	if n := m.Stats().Reissued["migration"]; n != 1 {
		t.Errorf("Stats: %d migrations re-issued, want 1", n)
	}
}

// A Partitioned session's cookies keep the attribute under fiber (Go 1.23
// and later, where http.Cookie carries it).
func TestPartitionedUnderFiber(t *testing.T) {
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.JWT, SecretKey: sessiontest.Secret,
		Secure: true, SameSite: http.SameSiteNoneMode, Partitioned: true})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	app.Use(fibersession.Middleware(m))
	app.Get("/", func(c *fiber.Ctx) error {
		if err := fibersession.Session(c).Set("user", "tom"); err != nil {
			return err
		}
		return c.SendString("ok")
	})
	resp, err := app.Test(httptest.NewRequest("GET", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	sets := resp.Header.Values("Set-Cookie")
	if len(sets) != 1 || strings.Count(sets[0], "Partitioned") != 1 {
		t.Fatalf("Set-Cookie %q: want Partitioned once", sets)
	}
}
