package chisession_test

import (
	"net/http/httptest"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/adapters/internal/adaptertest"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// serveFlows runs the flows' app on chi: the core's middleware in Use, a
// route group around the routes.
func serveFlows(t *testing.T, m *cookiesession.Manager) string {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Use(m.Handler)
	r.Group(func(r chi.Router) {
		for _, route := range adaptertest.Routes {
			r.Get(route.Path, adaptertest.HTTPHandler(route))
		}
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL
}

// Sessions of several cookies (chunks, iron-session, cookie-session), flash
// messages and rolling re-issues through chi, which runs the core's
// middleware as it is.
func TestOptionFlows(t *testing.T) {
	adaptertest.Run(t, serveFlows)
}
