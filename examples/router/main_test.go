package main

import (
	"net/http/httptest"
	"testing"

	"github.com/cookiesession/cookiesession/internal/sessiontest"
)

// The seed's test of its router example: login, greet, logout, greet,
// through a real server and a client with a cookie jar.
func TestSeedLoginLogout(t *testing.T) {
	for _, typ := range sessiontest.Types {
		t.Run(string(typ), func(t *testing.T) {
			errs := &sessiontest.ErrorLog{}
			srv := httptest.NewServer(sessiontest.NewManager(t, typ, errs).Handler(routes()))
			defer srv.Close()
			sessiontest.Walk(t, sessiontest.NewClient(), srv.URL, sessiontest.SeedSteps)
			if l := errs.Take(); len(l) != 0 {
				t.Errorf("reported %v", l)
			}
		})
	}
}
