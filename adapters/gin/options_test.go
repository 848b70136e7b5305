package ginsession_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/cookiesession/cookiesession"
	ginsession "github.com/cookiesession/cookiesession/adapters/gin"
	"github.com/cookiesession/cookiesession/adapters/internal/adaptertest"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
	"github.com/gin-gonic/gin"
)

// flowsApp is the flows' app on gin, each route reaching its session
// through ginsession.Session.
func flowsApp(m *cookiesession.Manager) *gin.Engine {
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

func serveFlows(t *testing.T, m *cookiesession.Manager) string {
	srv := httptest.NewServer(flowsApp(m))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Sessions of several cookies (chunks, iron-session, cookie-session), flash
// messages and rolling re-issues through gin: every Set-Cookie line the
// core's middleware writes goes out through gin's writer.
func TestOptionFlows(t *testing.T) {
	adaptertest.Run(t, serveFlows)
}

// A handler that flushes first (server-sent events) still sends every
// chunk of a large session: all of them go in before gin sends the
// headers.
func TestChunksBeforeFlush(t *testing.T) {
	m := adaptertest.NewManager(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: sessiontest.Secret, MaxSize: cookiesession.HardMaxSize}, nil)
	r := gin.New()
	r.Use(ginsession.Middleware(m))
	r.GET("/", func(c *gin.Context) {
		if err := ginsession.Session(c).Set("blob", adaptertest.Pieces(adaptertest.Value(adaptertest.BigValue))); err != nil {
			c.String(http.StatusInternalServerError, "%s", err)
			return
		}
		c.Status(http.StatusAccepted)
		c.Writer.Flush()
		_, _ = c.Writer.WriteString("streamed")
	})
	srv := httptest.NewServer(r)
	defer srv.Close()
	resp, body := sessiontest.Get(t, &http.Client{}, srv.URL+"/")
	c := resp.Cookies()
	if resp.StatusCode != http.StatusAccepted || body != "streamed" || len(c) < 3 || !slices.Equal(adaptertest.Names(c), adaptertest.ChunkNames("session", len(c))) {
		t.Fatalf("%d %q, cookies %v", resp.StatusCode, body, adaptertest.Names(c))
	}
	s := m.LoadHeader(t.Context(), adaptertest.CookieHeader(c))
	if got, err := cookiesession.Get[[]string](s, "blob"); err != nil || len(got) != adaptertest.BigValue/1024 {
		t.Errorf("read back %d pieces, %v", len(got), err)
	}
}
