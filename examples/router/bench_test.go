package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

// benchEntries and benchUsers are how many revoked sessions and users the
// lists of BenchmarkRead hold: a list that has seen a busy day of logouts.
const (
	benchEntries = 10000
	benchUsers   = 1000
)

// BenchmarkRead is the `read` request (a logged-in session's index page,
// through the middleware) with revocation off, with the in-process list
// (-revocation) and with the list shared through Redis (-redis, a real
// redis-server), each list holding benchEntries revoked sessions and
// benchUsers revoked users: revocation=<list> gives each one's ns/op and
// allocations. <list>-vs-off measures the cost of the list against no
// list in the same run and on the same machine load: it serves the read
// alternately without and with the list, in blocks of 256, and reports
// the ratio of their times as x-off (the target for Redis: at most 1.3),
// and each side's time per request as ns-off/op and ns-list/op.
func BenchmarkRead(b *testing.B) {
	rs := startRedis(b)
	redisList, release, err := revocationList(false, rs.Addr())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(release)
	memoryList := cookiesession.NewMemoryRevocationList()
	fill(b, redisList, memoryList)

	lists := []struct {
		name string
		list cookiesession.RevocationList
	}{{"off", nil}, {"memory", memoryList}, {"redis", redisList}}
	for _, typ := range []cookiesession.Type{cookiesession.JWT, cookiesession.Fernet} {
		serve := map[string]func(){}
		for _, l := range lists {
			serve[l.name] = readRequest(b, typ, l.name, l.list)
		}
		for _, l := range lists {
			f := serve[l.name]
			b.Run(fmt.Sprintf("%s/revocation=%s", typ, l.name), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					f()
				}
			})
		}
		for _, l := range lists[1:] {
			off, with := serve["off"], serve[l.name]
			b.Run(fmt.Sprintf("%s/%s-vs-off", typ, l.name), func(b *testing.B) {
				var tOff, tWith time.Duration
				for done := 0; done < b.N; {
					n := min(256, b.N-done)
					t0 := time.Now()
					for i := 0; i < n; i++ {
						off()
					}
					t1 := time.Now()
					for i := 0; i < n; i++ {
						with()
					}
					tOff, tWith = tOff+t1.Sub(t0), tWith+time.Since(t1)
					done += n
				}
				b.ReportMetric(float64(tWith)/float64(tOff), "x-off")
				b.ReportMetric(float64(tOff.Nanoseconds())/float64(b.N), "ns-off/op")
				b.ReportMetric(float64(tWith.Nanoseconds())/float64(b.N), "ns-list/op")
			})
		}
	}
}

// readRequest returns a function that serves one read request of a
// logged-in session of type typ, with list as Config.Revocation (nil: off),
// after checking once that the request greets the user and writes no
// cookie.
func readRequest(b *testing.B, typ cookiesession.Type, name string, list cookiesession.RevocationList) func() {
	b.Helper()
	sessions, err := cookiesession.New(cookiesession.Config{Type: typ, SecretKey: demoSecret, Revocation: list})
	if err != nil {
		b.Fatal(err)
	}
	h := sessions.Handler(routes(sessions))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Cookie", benchLogin(b, h))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.String() != "Hello Tom\n" || len(rec.Result().Cookies()) != 0 {
		b.Fatalf("%s/%s: %d %q %v", typ, name, rec.Code, rec.Body, rec.Result().Cookies())
	}
	return func() {
		r := *req
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, &r)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s/%s: status %d", typ, name, rec.Code)
		}
	}
}

// benchLogin logs tom in through h and returns the session cookie.
func benchLogin(b *testing.B, h http.Handler) string {
	b.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login/tom", nil))
	for _, c := range rec.Result().Cookies() {
		if c.Name == "session" && c.Value != "" {
			return c.Name + "=" + c.Value
		}
	}
	b.Fatalf("no session cookie at login: %d %q", rec.Code, rec.Body)
	return ""
}

// fill revokes the same benchEntries sessions and benchUsers users in
// every list.
func fill(b *testing.B, lists ...cookiesession.RevocationList) {
	b.Helper()
	ctx := context.Background()
	now := time.Now()
	expires := now.Add(time.Hour)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < benchEntries+benchUsers; i += 16 {
				for _, l := range lists {
					var err error
					if i < benchEntries {
						err = l.RevokeSession(ctx, fmt.Sprintf("revoked-session-%06d", i), expires)
					} else {
						err = l.RevokeUser(ctx, fmt.Sprintf("revoked-user-%04d", i), now, expires)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}
