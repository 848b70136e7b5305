package bench

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	csredis "github.com/cookiesession/cookiesession/stores/redis"
	"github.com/gorilla/sessions"
)

// BenchmarkFeatures measures every feature of the round beside the
// baseline paths, in one run, so that their ratios can be read side by
// side:
//
//	go test -run '^$' -bench Features -benchmem -count 6
//
// Each op is one full request through the middleware, with a fresh copy of
// the request and a fresh recorder, exactly as [BenchmarkRequest] serves
// it. Before its loop every benchmark serves one request and checks the
// answer (status, the value read, the cookies set and, for a write, that
// the cookies written read back), and after it that the Manager reported
// no error: a broken path fails instead of looking fast. The groups:
//
//   - baseline: untouched, read and write of base64, jwt and fernet, the
//     scenarios of BenchmarkRequest (the same handlers, from Impls);
//   - rolling: a jwt or fernet read with Config.Rolling, of a cookie
//     written two days ago (MaxAge 14 days, so past MaxAge/10: every
//     request writes the cookie again), and of a fresh cookie (no re-issue);
//   - revocation-memory and revocation-redis: jwt untouched, read and
//     write with Config.Revocation holding 100,000 entries (50,000 session
//     ids, 49,999 users, and the fixture's user "tom" logged out everywhere
//     an hour before its session was made, which does not cover it):
//     NewMemoryRevocationList, and stores/redis on a redis-server the
//     benchmark starts on a free loopback port (skipped, with the reason,
//     without a redis-server binary). The Redis list that serves the
//     requests loaded the entries at start, as a replica of a fleet does;
//     another list wrote them. Each group also reads a jwt session through
//     a Manager without a list while the list is held
//     (jwt-without-revocation/read): a list of 100,000 entries makes the
//     heap larger, and with it each garbage collection, which a read with
//     the list pays too;
//   - big: sessions of 10 KB: 10,000 random lowercase letters (they
//     compress to about 60%) chunked (MaxSize 16384; jwt and fernet), and
//     compressed and chunked (jwt); a 10 KB shopping cart (JSON objects,
//     which compress well) compressed into one cookie (jwt); beside
//     gorilla/sessions' FilesystemStore (hash key, MaxLength(0): its
//     default MaxLength of 4096 refuses these sessions, as does its
//     CookieStore's, so no CookieStore benchmark can hold them; the files in
//     a temporary directory) with the same two sessions;
//   - formats: read and write of starlette, flask, django, iron-session and
//     cookie-session;
//   - migration: a jwt Manager with MigrateFrom Flask reading a Flask
//     cookie (and writing it again as a jwt on the same response), and
//     the same Manager reading its own jwt cookie.
//
// The fixture session is the baseline's: {"user":"tom","uid":12345,
// "roles":["admin","dev"]}, plus "fill" or "cart" for the big sessions. A
// read asks for "user"; a write sets "user" to "ann" (and checks that
// "uid" came from the cookie).
func BenchmarkFeatures(b *testing.B) {
	for _, g := range featureGroups {
		b.Run(g.name, func(b *testing.B) {
			grp := g.build(b)
			for _, c := range grp.cases {
				b.Run(c.name, c.bench)
			}
		})
	}
}

// TestFeatures checks once every path BenchmarkFeatures measures, then
// what only a test may do to the benchmarks' state: a revoked session is
// refused (so the lists are asked), a re-issue or migration is counted in
// Stats, and gorilla's stores refuse a 10 KB session with their default
// MaxLength. It logs the size of each session's cookies.
func TestFeatures(t *testing.T) {
	for _, g := range featureGroups {
		t.Run(g.name, func(t *testing.T) {
			grp := g.build(t)
			for _, c := range grp.cases {
				if err := c.serveOnce(); err != nil {
					t.Errorf("%s/%s: %v", g.name, c.name, err)
				}
				if c.errs != nil {
					if err := c.errs.err(); err != nil {
						t.Errorf("%s/%s: %v", g.name, c.name, err)
					}
				}
				if c.req != nil {
					t.Logf("%s: request Cookie header of %d bytes", c.name, len(c.req.Header.Get("Cookie")))
				}
			}
			if grp.confirm != nil {
				if err := grp.confirm(); err != nil {
					t.Error(err)
				}
			}
			for _, note := range grp.notes {
				t.Log(note)
			}
		})
	}
}

// A featureGroup is the cases of one group, built for one run.
type featureGroup struct {
	cases []featureCase
	// confirm makes the checks that change the group's state (revoking
	// the session, ...), after every case was checked. TestFeatures only.
	confirm func() error
	// notes are facts found while building the group, for TestFeatures'
	// log.
	notes []string
}

var featureGroups = []struct {
	name  string
	build func(testing.TB) featureGroup
}{
	{"baseline", featureBaseline},
	{"rolling", featureRolling},
	{"revocation-memory", featureRevocationMemory},
	{"revocation-redis", featureRevocationRedis},
	{"big", featureBig},
	{"formats", featureFormats},
	{"migration", featureMigration},
}

// A featureCase is one request served once per op.
type featureCase struct {
	name    string
	handler http.Handler  // middleware and handler
	req     *http.Request // copied for every request
	errs    *featureErrors
	// check judges one response's cookies; the status (200) and body
	// ("tom") are checked for every case.
	check func(res *http.Response) error
}

// bench is the benchmark of the case: one full request per op, as
// BenchmarkRequest serves it.
func (c featureCase) bench(b *testing.B) {
	if err := c.serveOnce(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := *c.req
		rec := httptest.NewRecorder()
		c.handler.ServeHTTP(rec, &req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	b.StopTimer()
	if c.errs != nil {
		if err := c.errs.err(); err != nil {
			b.Fatal(err)
		}
	}
}

// serveOnce serves one request and checks the answer.
func (c featureCase) serveOnce() error {
	req := *c.req
	rec := httptest.NewRecorder()
	c.handler.ServeHTTP(rec, &req)
	res := rec.Result()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || string(got) != "tom" {
		return fmt.Errorf("%s: status %d, body %q", c.name, res.StatusCode, got)
	}
	if c.check != nil {
		if err := c.check(res); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	return nil
}

// featureErrors counts the errors a Manager reports (Config.ErrorHandler):
// a benchmark whose Manager reported one measured a broken path.
type featureErrors struct {
	n     atomic.Int64
	mu    sync.Mutex
	first error
}

func (e *featureErrors) handle(_ context.Context, err error) {
	if e.n.Add(1) == 1 {
		e.mu.Lock()
		e.first = err
		e.mu.Unlock()
	}
}

// err returns nil, or the first error reported and how many were.
func (e *featureErrors) err() error {
	n := e.n.Load()
	if n == 0 {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return fmt.Errorf("the Manager reported %d errors, the first: %w", n, e.first)
}

// featureKV is one session value of a fixture, in the order it is set.
type featureKV struct {
	key   string
	value any
}

// featureFixture is the baseline's session: the values Impls' seed sets.
func featureFixture(more ...featureKV) []featureKV {
	return append([]featureKV{
		{"user", "tom"},
		{"uid", 12345},
		{"roles", []string{"admin", "dev"}},
	}, more...)
}

// featureManager returns a Manager of cfg whose errors are counted.
func featureManager(tb testing.TB, cfg cookiesession.Config) (*cookiesession.Manager, *featureErrors) {
	tb.Helper()
	errs := &featureErrors{}
	cfg.ErrorHandler = errs.handle
	if cfg.MaxAge == 0 {
		cfg.MaxAge = MaxAge
	}
	m, err := cookiesession.New(cfg)
	if err != nil {
		tb.Fatalf("%s: %v", cfg.Type, err)
	}
	return m, errs
}

// featureSeed returns the Cookie header of a request carrying the session
// of values, as m writes it (every cookie it sets).
func featureSeed(tb testing.TB, m *cookiesession.Manager, values []featureKV) string {
	tb.Helper()
	var setErr error
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := cookiesession.FromRequest(r)
		for _, kv := range values {
			if err := s.Set(kv.key, kv.value); err != nil && setErr == nil {
				setErr = fmt.Errorf("Set(%q): %w", kv.key, err)
			}
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if setErr != nil {
		tb.Fatal(setErr)
	}
	header := featureCookieHeader(rec.Result().Cookies())
	if header == "" {
		tb.Fatalf("%s: no cookie written; not saved: %v", m.CookieName(), m.Stats().NotSaved)
	}
	return header
}

// featureCookieHeader returns the Cookie header a browser sends back after
// receiving cookies: the live ones (expirations left out).
func featureCookieHeader(cookies []*http.Cookie) string {
	var parts []string
	for _, c := range cookies {
		if c.MaxAge >= 0 && c.Value != "" {
			parts = append(parts, c.Name+"="+c.Value)
		}
	}
	return strings.Join(parts, "; ")
}

// featureRequest returns a GET request carrying the Cookie header.
func featureRequest(header string) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	if header != "" {
		r.Header.Set("Cookie", header)
	}
	return r
}

// featureHandlers are the untouched, read and write scenarios of
// BenchmarkRequest for a cookiesession Manager, with the write checking
// that the session came from the cookie.
func featureHandlers(m *cookiesession.Manager) map[string]http.Handler {
	return map[string]http.Handler{
		Untouched: m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write(body)
		})),
		Read: m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := cookiesession.FromRequest(r)
			if user := s.GetString("user"); user != "tom" {
				http.Error(w, fmt.Sprintf("session lost: user=%q, %v", user, s.Err()), http.StatusInternalServerError)
				return
			}
			w.Write(body)
		})),
		Write: m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := cookiesession.FromRequest(r)
			if err := s.Set("user", "ann"); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			if s.Get("uid") == nil {
				http.Error(w, fmt.Sprintf("session lost: %v", s.Err()), http.StatusInternalServerError)
				return
			}
			w.Write(body)
		})),
	}
}

// Checks of a response's cookies.

// featureNoCookie: a read that must not write.
func featureNoCookie(res *http.Response) error {
	if v := res.Header.Values("Set-Cookie"); len(v) != 0 {
		return fmt.Errorf("unexpected Set-Cookie %q", v)
	}
	return nil
}

// featureWrote checks that the response wrote between min and max live
// cookies, and that they read back through m as a session whose "user"
// is wantUser and which holds the keys of want with the same JSON length.
func featureWrote(m *cookiesession.Manager, min, max int, wantUser string, want []featureKV) func(*http.Response) error {
	return func(res *http.Response) error {
		live := 0
		for _, c := range res.Cookies() {
			if c.MaxAge >= 0 && c.Value != "" {
				live++
			}
		}
		if live < min || live > max {
			return fmt.Errorf("%d cookies written, want %d to %d: %q", live, min, max, res.Header.Values("Set-Cookie"))
		}
		s := m.LoadHeader(context.Background(), featureCookieHeader(res.Cookies()))
		if user := s.GetString("user"); user != wantUser {
			return fmt.Errorf("written cookie reads user=%q, want %q (%v)", user, wantUser, s.Err())
		}
		for _, kv := range want {
			raw, ok := s.Raw(kv.key)
			if !ok {
				return fmt.Errorf("written cookie lost %q", kv.key)
			}
			if s, ok := kv.value.(string); ok && len(raw) != len(s)+2 {
				return fmt.Errorf("written cookie holds %q of %d bytes, want %d", kv.key, len(raw)-2, len(s))
			}
		}
		return nil
	}
}

// featureScenarios returns the cases of the scenarios named, for m and the
// Cookie header, each checked by the check of the same index.
func featureScenarios(prefix string, m *cookiesession.Manager, errs *featureErrors, header string, scenarios []string, checks []func(*http.Response) error) []featureCase {
	handlers := featureHandlers(m)
	req := featureRequest(header)
	var out []featureCase
	for i, sc := range scenarios {
		out = append(out, featureCase{name: prefix + "/" + sc, handler: handlers[sc], req: req, errs: errs, check: checks[i]})
	}
	return out
}

// The groups.

// featureBaseline is BenchmarkRequest's base64, jwt and fernet cases,
// from Impls.
func featureBaseline(tb testing.TB) featureGroup {
	var g featureGroup
	for _, name := range []string{"base64", "jwt", "fernet"} {
		im, ok := ImplByName(name)
		if !ok {
			tb.Fatalf("no implementation %q in Impls", name)
		}
		req := im.Request()
		for _, sc := range Scenarios {
			wantCookie := sc == Write
			g.cases = append(g.cases, featureCase{
				name: name + "/" + sc, handler: im.Handler(sc), req: req,
				check: func(res *http.Response) error {
					set := strings.Join(res.Header.Values("Set-Cookie"), "\n")
					if wantCookie != strings.HasPrefix(set, CookieName+"=") {
						return fmt.Errorf("Set-Cookie %q", set)
					}
					return nil
				},
			})
		}
	}
	return g
}

// featureRolling: reads with Config.Rolling, of a cookie past MaxAge/10
// (re-issued on every request) and of a fresh one.
func featureRolling(tb testing.TB) featureGroup {
	var g featureGroup
	written := time.Now().Add(-2 * 24 * time.Hour) // MaxAge/10 is 1.4 days
	for _, c := range []struct {
		name   string
		typ    cookiesession.Type
		secret string
	}{{"jwt", cookiesession.JWT, JWTSecret}, {"fernet", cookiesession.Fernet, FernetSecret}} {
		cfg := cookiesession.Config{Type: c.typ, SecretKey: c.secret, Rolling: true}
		old := cfg
		old.Now = func() time.Time { return written }
		seeder, _ := featureManager(tb, old)
		m, errs := featureManager(tb, cfg)
		fixture := featureFixture()
		aged := featureSeed(tb, seeder, fixture)
		fresh := featureSeed(tb, m, fixture)
		read := featureHandlers(m)[Read]
		g.cases = append(g.cases,
			featureCase{name: c.name + "/read-reissue", handler: read, req: featureRequest(aged), errs: errs,
				check: featureWrote(m, 1, 1, "tom", fixture)},
			featureCase{name: c.name + "/read-fresh", handler: read, req: featureRequest(fresh), errs: errs,
				check: featureNoCookie},
		)
		name := c.name
		prev := g.confirm
		g.confirm = func() error {
			if prev != nil {
				if err := prev(); err != nil {
					return err
				}
			}
			if n := m.Stats().Reissued["rolling"]; n == 0 {
				return fmt.Errorf("rolling/%s: Stats counts no rolling re-issue", name)
			}
			return nil
		}
	}
	return g
}

// featureRevocationEntries is how many entries the revocation lists hold.
const featureRevocationEntries = 100000

// featureFillList revokes 50,000 session ids and 49,999 users until
// expires, and "tom" (the fixture's user) for sessions created an hour
// ago or earlier, through revoke (concurrently when workers > 1).
func featureFillList(tb testing.TB, workers int, revokeSession func(id string) error, revokeUser func(user string, before time.Time) error) {
	tb.Helper()
	const sessions = featureRevocationEntries / 2
	hourAgo := time.Now().Add(-time.Hour)
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= featureRevocationEntries {
					return
				}
				var err error
				switch {
				case i < sessions:
					err = revokeSession(fmt.Sprintf("%032x", i))
				case i == featureRevocationEntries-1:
					err = revokeUser("tom", hourAgo)
				default:
					err = revokeUser(fmt.Sprintf("user-%d", i), hourAgo)
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		tb.Fatal(firstErr)
	}
}

// featureRevocation returns the untouched, read and write cases of a jwt
// Manager on list, and a confirm that revokes the session through revoke
// and checks that the next read refuses it within a second.
func featureRevocation(tb testing.TB, list cookiesession.RevocationList, revoke func(id string) error) featureGroup {
	m, errs := featureManager(tb, cookiesession.Config{Type: cookiesession.JWT, SecretKey: JWTSecret, Revocation: list})
	fixture := featureFixture()
	header := featureSeed(tb, m, fixture)
	g := featureGroup{cases: featureScenarios("jwt", m, errs, header,
		[]string{Untouched, Read, Write},
		[]func(*http.Response) error{featureNoCookie, featureNoCookie, featureWrote(m, 1, 1, "ann", fixture[1:])})}
	read := g.cases[1]
	// The same read without a list, in the same process state (the list's
	// entries on the heap): what the list's check itself costs, apart from
	// what holding the list costs the garbage collector.
	plain, plainErrs := featureManager(tb, cookiesession.Config{Type: cookiesession.JWT, SecretKey: JWTSecret})
	g.cases = append(g.cases, featureScenarios("jwt-without-revocation", plain, plainErrs, featureSeed(tb, plain, fixture),
		[]string{Read}, []func(*http.Response) error{featureNoCookie})...)
	g.confirm = func() error {
		id := m.LoadHeader(context.Background(), header).ID()
		if len(id) < 22 {
			return fmt.Errorf("session id %q: want 128 bits", id)
		}
		if err := revoke(id); err != nil {
			return err
		}
		for deadline := time.Now().Add(time.Second); ; time.Sleep(5 * time.Millisecond) {
			err := read.serveOnce()
			if err != nil && strings.Contains(err.Error(), "session lost") {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("a revoked session still reads a second later: %v", err)
			}
		}
		if !errors.Is(errs.err(), cookiesession.ErrRevoked) || m.Stats().Refused["revoked"] == 0 {
			return fmt.Errorf("revoked session: error %v, Stats.Refused %v", errs.err(), m.Stats().Refused)
		}
		return nil
	}
	return g
}

// featureRevocationMemory: Config.Revocation on an in-memory list of
// 100,000 entries.
func featureRevocationMemory(tb testing.TB) featureGroup {
	ctx := context.Background()
	list := cookiesession.NewMemoryRevocationList()
	expires := time.Now().Add(MaxAge)
	featureFillList(tb, 1,
		func(id string) error { return list.RevokeSession(ctx, id, expires) },
		func(user string, before time.Time) error { return list.RevokeUser(ctx, user, before, expires) })
	if n := list.Len(); n != featureRevocationEntries {
		tb.Fatalf("the list holds %d entries, want %d", n, featureRevocationEntries)
	}
	return featureRevocation(tb, list, func(id string) error { return list.RevokeSession(ctx, id, expires) })
}

// featureRevocationRedis: Config.Revocation on stores/redis, a real
// redis-server holding 100,000 entries written by one list and loaded by
// the list that serves the requests. The writing list is closed before the
// benchmarks, so that this process holds one view of the list, as a server
// of a fleet does; the test's revocation goes through a third list.
func featureRevocationRedis(tb testing.TB) featureGroup {
	srv := startRedis(tb)
	newList := func() *csredis.List {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		l, err := csredis.New(ctx, srv.client(tb), csredis.Options{})
		if err != nil {
			tb.Fatal(err)
		}
		return l
	}
	writer := newList()
	expires := time.Now().Add(MaxAge)
	start := time.Now()
	featureFillList(tb, 16,
		func(id string) error { return writer.RevokeSession(context.Background(), id, expires) },
		func(user string, before time.Time) error {
			return writer.RevokeUser(context.Background(), user, before, expires)
		})
	filled := time.Since(start)
	if err := writer.Close(); err != nil {
		tb.Fatal(err)
	}
	start = time.Now()
	reader := newList()
	loaded := time.Since(start)
	tb.Cleanup(func() { _ = reader.Close() })
	if n := reader.Stats().Entries; n != featureRevocationEntries {
		tb.Fatalf("the Redis list loaded %d entries, want %d", n, featureRevocationEntries)
	}
	g := featureRevocation(tb, reader, func(id string) error {
		other := newList()
		defer other.Close()
		return other.RevokeSession(context.Background(), id, expires)
	})
	g.notes = append(g.notes, fmt.Sprintf("Redis: %d revocations written in %v, loaded by a new list in %v",
		featureRevocationEntries, filled.Round(time.Millisecond), loaded.Round(time.Millisecond)))
	return g
}

// featureCartItem is one line of the 10 KB shopping cart.
type featureCartItem struct {
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	Qty        int    `json:"qty"`
	PriceCents int    `json:"price_cents"`
}

func init() {
	gob.Register([]featureCartItem(nil)) // gorilla's stores encode with gob
}

// featureBigSize is the size of the big sessions' large value.
const featureBigSize = 10000

// featureRandomFill returns featureBigSize random lowercase letters, the
// same on every run.
func featureRandomFill() string {
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, featureBigSize)
	for i := range b {
		b[i] = byte('a' + rng.IntN(26))
	}
	return string(b)
}

// featureCart returns a cart whose JSON takes at least featureBigSize
// bytes.
func featureCart() []featureCartItem {
	var cart []featureCartItem
	for size := 2; size < featureBigSize; {
		i := len(cart)
		item := featureCartItem{
			SKU:        fmt.Sprintf("SKU-%06d", 100000+i*37),
			Name:       fmt.Sprintf("Item %d, size %c", i, "SML"[i%3]),
			Qty:        1 + i%4,
			PriceCents: 199 + i*113%5000,
		}
		cart = append(cart, item)
		size += len(fmt.Sprintf(`{"sku":%q,"name":%q,"qty":%d,"price_cents":%d},`, item.SKU, item.Name, item.Qty, item.PriceCents))
	}
	return cart
}

// featureBig: 10 KB sessions, chunked, compressed and both, beside
// gorilla/sessions' FilesystemStore.
func featureBig(tb testing.TB) featureGroup {
	var g featureGroup
	fill := featureFixture(featureKV{"fill", featureRandomFill()})
	cart := featureFixture(featureKV{"cart", featureCart()})
	for _, c := range []struct {
		name     string
		cfg      cookiesession.Config
		values   []featureKV
		min, max int // cookies the session takes
	}{
		{"chunked/jwt/10k-random", cookiesession.Config{Type: cookiesession.JWT, SecretKey: JWTSecret, MaxSize: 16384}, fill, 3, 5},
		{"chunked/fernet/10k-random", cookiesession.Config{Type: cookiesession.Fernet, SecretKey: FernetSecret, MaxSize: 16384}, fill, 3, 5},
		{"compressed/jwt/10k-cart", cookiesession.Config{Type: cookiesession.JWT, SecretKey: JWTSecret, Compress: true}, cart, 1, 1},
		{"chunked-compressed/jwt/10k-random", cookiesession.Config{Type: cookiesession.JWT, SecretKey: JWTSecret, MaxSize: 16384, Compress: true}, fill, 2, 3},
	} {
		m, errs := featureManager(tb, c.cfg)
		header := featureSeed(tb, m, c.values)
		g.cases = append(g.cases, featureScenarios(c.name, m, errs, header, []string{Read, Write},
			[]func(*http.Response) error{featureNoCookie, featureWrote(m, c.min, c.max, "ann", c.values[1:])})...)
		g.notes = append(g.notes, fmt.Sprintf("%s: %d cookies, %d bytes of Cookie header",
			c.name, strings.Count(header, ";")+1, len(header)))
	}
	dir := tb.TempDir()
	for _, c := range []struct {
		name   string
		values []featureKV
	}{{"10k-random", fill}, {"10k-cart", cart}} {
		store := sessions.NewFilesystemStore(dir, []byte(featureGorillaHashKey))
		store.MaxLength(0) // the default, 4096, refuses these sessions
		g.cases = append(g.cases, featureGorilla(tb, "gorilla-filesystem/"+c.name, store, c.values)...)
	}
	g.confirm = func() error { return featureGorillaRefuses(dir, fill) }
	return g
}

// featureGorillaHashKey authenticates gorilla's cookies and files.
const featureGorillaHashKey = "bench-gorilla-hash-key-0123456789"

// featureGorilla returns the read and write cases of a gorilla store
// holding values, with the handlers of gorillaImpl.
func featureGorilla(tb testing.TB, name string, store sessions.Store, values []featureKV) []featureCase {
	tb.Helper()
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/", nil)
	s, _ := store.New(r, CookieName)
	for _, kv := range values {
		s.Values[kv.key] = kv.value
	}
	if err := s.Save(r, rec); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	req := featureRequest(featureCookieHeader(rec.Result().Cookies()))
	get := func(w http.ResponseWriter, r *http.Request) *sessions.Session {
		s, err := store.Get(r, CookieName)
		if err != nil || s.IsNew {
			http.Error(w, fmt.Sprintf("session lost: %v", err), http.StatusInternalServerError)
			return nil
		}
		return s
	}
	read := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := get(w, r); s != nil {
			if user, _ := s.Values["user"].(string); user != "tom" {
				http.Error(w, "session lost: user="+user, http.StatusInternalServerError)
				return
			}
			w.Write(body)
		}
	})
	write := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := get(w, r); s != nil {
			s.Values["user"] = "ann"
			if err := s.Save(r, w); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Write(body)
		}
	})
	last := values[len(values)-1]
	wrote := func(res *http.Response) error {
		if len(res.Cookies()) != 1 {
			return fmt.Errorf("Set-Cookie %q", res.Header.Values("Set-Cookie"))
		}
		r := featureRequest(featureCookieHeader(res.Cookies()))
		s, err := store.Get(r, CookieName)
		if err != nil || s.Values["user"] != "ann" || s.Values[last.key] == nil {
			return fmt.Errorf("written session reads back as %v, %v", s.Values["user"], err)
		}
		return nil
	}
	return []featureCase{
		{name: name + "/read", handler: read, req: req, check: featureNoCookie},
		{name: name + "/write", handler: write, req: req, check: wrote},
	}
}

// featureGorillaRefuses checks that gorilla's stores with their default
// MaxLength (4096) refuse the 10 KB session: the FilesystemStore (its file)
// and the CookieStore (its cookie).
func featureGorillaRefuses(dir string, values []featureKV) error {
	for name, store := range map[string]sessions.Store{
		"FilesystemStore": sessions.NewFilesystemStore(dir, []byte(featureGorillaHashKey)),
		"CookieStore":     sessions.NewCookieStore([]byte(featureGorillaHashKey)),
	} {
		r := httptest.NewRequest("GET", "/", nil)
		s, _ := store.New(r, CookieName)
		for _, kv := range values {
			s.Values[kv.key] = kv.value
		}
		err := s.Save(r, httptest.NewRecorder())
		if err == nil || !strings.Contains(err.Error(), "too long") {
			return fmt.Errorf("gorilla's %s with its default MaxLength saved a 10 KB session: %v", name, err)
		}
	}
	return nil
}

// featureFormatSecret is the secret of the framework formats (iron-session
// wants 32 characters at least).
const featureFormatSecret = "bench-format-secret-0123456789abcdef"

// featureFormats: read and write of each framework format.
func featureFormats(tb testing.TB) featureGroup {
	var g featureGroup
	types := []cookiesession.Type{cookiesession.Starlette, cookiesession.Flask, cookiesession.Django, cookiesession.IronSession, cookiesession.CookieSession}
	for _, typ := range types {
		m, errs := featureManager(tb, cookiesession.Config{Type: typ, SecretKey: featureFormatSecret})
		fixture := featureFixture()
		header := featureSeed(tb, m, fixture)
		cookies := 1
		if typ == cookiesession.CookieSession {
			cookies = 2 // <name> and <name>.sig
		}
		g.cases = append(g.cases, featureScenarios(string(typ), m, errs, header, []string{Read, Write},
			[]func(*http.Response) error{featureNoCookie, featureWrote(m, cookies, cookies, "ann", fixture[1:])})...)
	}
	return g
}

// featureFlaskSecret is the Flask app's SECRET_KEY of the migration.
const featureFlaskSecret = "bench-flask-secret-key"

// featureMigration: a jwt Manager reading a Flask cookie (MigrateFrom) and
// its own. The jwt cookie has a name of its own, "gosession": the Flask
// app's stays "session" (Flask's default), and the migrating response
// writes the one and expires the other.
func featureMigration(tb testing.TB) featureGroup {
	const name = "gosession"
	flask, _ := featureManager(tb, cookiesession.Config{Type: cookiesession.Flask, SecretKey: featureFlaskSecret})
	m, errs := featureManager(tb, cookiesession.Config{
		Type: cookiesession.JWT, SecretKey: JWTSecret, CookieName: name,
		MigrateFrom: []cookiesession.Migration{{Type: cookiesession.Flask, SecretKey: featureFlaskSecret, CookieName: CookieName}},
	})
	jwtOnly, _ := featureManager(tb, cookiesession.Config{Type: cookiesession.JWT, SecretKey: JWTSecret, CookieName: name})
	fixture := featureFixture()
	read := featureHandlers(m)[Read]
	wrote := featureWrote(jwtOnly, 1, 1, "tom", fixture[1:])
	g := featureGroup{cases: []featureCase{
		{name: "flask-to-jwt/read", handler: read, req: featureRequest(featureSeed(tb, flask, fixture)), errs: errs,
			check: func(res *http.Response) error {
				expired := false
				for _, c := range res.Cookies() {
					expired = expired || c.Name == CookieName && c.MaxAge < 0
				}
				if !expired {
					return fmt.Errorf("the Flask cookie is not expired: %q", res.Header.Values("Set-Cookie"))
				}
				return wrote(res)
			}},
		{name: "jwt-cookie/read", handler: read, req: featureRequest(featureSeed(tb, m, fixture)), errs: errs,
			check: featureNoCookie},
	}}
	g.confirm = func() error {
		st := m.Stats()
		if len(st.Migrated) != 1 || st.Migrated[0] == 0 || st.Reissued["migration"] == 0 {
			return fmt.Errorf("migration not counted: Migrated %v, Reissued %v", st.Migrated, st.Reissued)
		}
		return nil
	}
	return g
}
