package echosession_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/cookiesession/cookiesession"
	echosession "github.com/cookiesession/cookiesession/adapters/echo"
	"github.com/cookiesession/cookiesession/adapters/internal/adaptertest"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
	"github.com/labstack/echo/v4"
)

// flowsApp is the flows' app on echo, each route reaching its session
// through echosession.Session.
func flowsApp(m *cookiesession.Manager) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
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

func serveFlows(t *testing.T, m *cookiesession.Manager) string {
	srv := httptest.NewServer(flowsApp(m))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Sessions of several cookies (chunks, iron-session, cookie-session), flash
// messages and rolling re-issues through echo: every Set-Cookie line the
// core's middleware writes goes out through echo's response.
func TestOptionFlows(t *testing.T) {
	adaptertest.Run(t, serveFlows)
}

// A handler that stores a large session and returns an error gets echo's
// error page with every chunk cookie.
func TestChunksOnTheErrorPage(t *testing.T) {
	m := adaptertest.NewManager(t, cookiesession.Config{Type: cookiesession.Fernet, SecretKey: sessiontest.Secret, MaxSize: cookiesession.HardMaxSize}, nil)
	e := echo.New()
	e.Use(echosession.Middleware(m))
	e.GET("/", func(c echo.Context) error {
		if err := echosession.Session(c).Set("blob", adaptertest.Pieces(adaptertest.Value(adaptertest.BigValue))); err != nil {
			return err
		}
		return echo.NewHTTPError(http.StatusConflict, "try again")
	})
	srv := httptest.NewServer(e)
	defer srv.Close()
	resp, _ := sessiontest.Get(t, &http.Client{}, srv.URL+"/")
	c := resp.Cookies()
	if resp.StatusCode != http.StatusConflict || len(c) < 3 || !slices.Equal(adaptertest.Names(c), adaptertest.ChunkNames("session", len(c))) {
		t.Fatalf("%d, cookies %v", resp.StatusCode, adaptertest.Names(c))
	}
	s := m.LoadHeader(t.Context(), adaptertest.CookieHeader(c))
	if got, err := cookiesession.Get[[]string](s, "blob"); err != nil || len(got) != adaptertest.BigValue/1024 {
		t.Errorf("read back %d pieces, %v", len(got), err)
	}
}
