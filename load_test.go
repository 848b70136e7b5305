package cookiesession_test

// Load with faults, on 127.0.0.1: many clients, each with its own cookie
// jar, increment a counter in their own session while other clients
// disconnect mid-request, handlers panic, responses stream with Flush, and
// the server rotates its secret halfway. Nothing may be lost.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

type loadConfig struct {
	typ        cookiesession.Type
	clients    int // counting clients, each incrementing its counter...
	increments int // ...this many times, one request each
	faulty     int // goroutines of each kind of fault
}

type loadResult struct {
	requests     int64 // responses the counting clients got
	faultReqs    int64 // requests of the fault goroutines
	panics       int64 // handler panics recovered
	disconnects  int64 // requests abandoned by their client
	streams      int64 // increments answered by a streaming handler
	rotatedAfter int64 // increments done before the key rotation
	server5xx    int64 // 5xx written, not counting the recovered panics
}

// counter reads the session's "n" as an int.
func counter(s *cookiesession.Session) int {
	n, _ := s.Get("n").(json.Number)
	i, _ := strconv.Atoi(string(n))
	return i
}

// loadApp is the application under load.
func loadApp(w http.ResponseWriter, r *http.Request) {
	s := cookiesession.FromRequest(r)
	id := r.URL.Query().Get("id")
	switch r.URL.Path {
	case "/incr", "/stream":
		if owner := s.GetString("client"); s.Len() > 0 && owner != id {
			http.Error(w, fmt.Sprintf("cross-talk: client %s got the session of %s", id, owner), http.StatusConflict)
			return
		}
		n := counter(s) + 1
		if err := s.Set("client", id); err != nil {
			panic(err)
		}
		if err := s.Set("n", n); err != nil {
			panic(err)
		}
		if r.URL.Path == "/incr" {
			fmt.Fprint(w, n)
			return
		}
		// Stream: the cookie must go out with the first flush.
		fmt.Fprintf(w, "%d\n", n)
		for i := 0; i < 3; i++ {
			w.(http.Flusher).Flush()
			fmt.Fprintf(w, "chunk %d\n", i)
		}
	case "/peek":
		fmt.Fprintf(w, "%d %s", counter(s), strings.Join(s.Keys(), ","))
	case "/panic":
		_ = s.Set("poison", true)
		_ = s.Set("n", 1_000_000)
		panic("handler bug")
	case "/slow":
		_ = s.Set("n", 1_000_000)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		io.WriteString(w, "late")
	}
}

// statusCounter counts the 5xx responses that a recovered panic did not
// explain. It keeps Flush working for the streaming handler.
type statusCounter struct {
	http.ResponseWriter
	bad *atomic.Int64
}

func (w statusCounter) WriteHeader(code int) {
	if code >= 500 && w.Header().Get("X-Recovered") == "" {
		w.bad.Add(1)
	}
	w.ResponseWriter.WriteHeader(code)
}
func (w statusCounter) Flush()                      { w.ResponseWriter.(http.Flusher).Flush() }
func (w statusCounter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type keyGen struct {
	n int
	h http.Handler
}

func runLoad(t *testing.T, lc loadConfig) loadResult {
	t.Helper()
	var res loadResult
	oldKey, newKey := "load-old-secret-7c1d", "load-new-secret-93fa"
	var reported atomic.Int64
	var firstReport atomic.Value
	report := func(_ context.Context, err error) {
		reported.Add(1)
		firstReport.CompareAndSwap(nil, err.Error())
	}
	mustNew := func(cfg cookiesession.Config) *cookiesession.Manager {
		m, err := cookiesession.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	app := http.HandlerFunc(loadApp)
	oldM := mustNew(cookiesession.Config{Type: lc.typ, SecretKey: oldKey, ErrorHandler: report})
	newM := mustNew(cookiesession.Config{Type: lc.typ, SecretKey: newKey, PreviousSecretKeys: []string{oldKey}, ErrorHandler: report})
	oldOnly, _ := cookiesession.NewCodec(cookiesession.Config{Type: lc.typ, SecretKey: oldKey})
	newOnly, _ := cookiesession.NewCodec(cookiesession.Config{Type: lc.typ, SecretKey: newKey})

	var current atomic.Pointer[keyGen]
	current.Store(&keyGen{1, oldM.Handler(app)})
	var server5xx, panics atomic.Int64
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w = statusCounter{w, &server5xx}
		defer func() {
			if v := recover(); v != nil {
				panics.Add(1)
				for k := range w.Header() {
					delete(w.Header(), k)
				}
				w.Header().Set("X-Recovered", "1")
				http.Error(w, fmt.Sprint("recovered: ", v), http.StatusInternalServerError)
			}
		}()
		gen := current.Load()
		w.Header().Set("X-Key-Gen", strconv.Itoa(gen.n))
		gen.h.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(root)
	defer srv.Close()
	if host, _, _ := net.SplitHostPort(srv.Listener.Addr().String()); host != "127.0.0.1" {
		t.Fatalf("test server on %s, want 127.0.0.1", host)
	}
	base, _ := url.Parse(srv.URL)
	transport := &http.Transport{MaxIdleConnsPerHost: lc.clients + 8, DisableCompression: true}
	defer transport.CloseIdleConnections()

	total := int64(lc.clients * lc.increments)
	var done atomic.Int64
	rotated := make(chan struct{})
	var failures sync.Map // client id -> first failure
	fail := func(id string, format string, args ...any) {
		failures.LoadOrStore(id, fmt.Sprintf(format, args...))
	}

	// ---- the counting clients ----
	var wg sync.WaitGroup
	for c := 0; c < lc.clients; c++ {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			jar, _ := cookiejar.New(nil)
			client := &http.Client{Transport: transport, Jar: jar, Timeout: 30 * time.Second}
			sawNew := false
			for i := 1; i <= lc.increments; i++ {
				if i == lc.increments { // every client writes at least once after the rotation
					select {
					case <-rotated:
					case <-time.After(2 * time.Minute):
						fail(id, "no key rotation: other clients stopped short of half the increments")
						return
					}
				}
				path := "/incr"
				if i%10 == 0 {
					path = "/stream"
				}
				resp, err := client.Get(srv.URL + path + "?id=" + id)
				if err != nil {
					fail(id, "increment %d: %v", i, err)
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				atomic.AddInt64(&res.requests, 1)
				if path == "/stream" {
					atomic.AddInt64(&res.streams, 1)
				}
				first, _, _ := strings.Cut(string(body), "\n")
				if err != nil || resp.StatusCode != 200 || first != strconv.Itoa(i) {
					fail(id, "increment %d: status %d, body %q, %v (a lost update)", i, resp.StatusCode, body, err)
					return
				}
				// Which key made the new cookie: the generation that served it.
				cookies := resp.Cookies()
				if len(cookies) != 1 {
					fail(id, "increment %d: %d cookies set", i, len(cookies))
					return
				}
				want, other := oldOnly, newOnly
				if resp.Header.Get("X-Key-Gen") == "2" {
					want, other, sawNew = newOnly, oldOnly, true
				} else if sawNew {
					fail(id, "increment %d: served with the old key after the new one", i)
					return
				}
				if _, err := want.Decode(cookies[0].Value); err != nil {
					fail(id, "increment %d: cookie not made with generation %s's key: %v", i, resp.Header.Get("X-Key-Gen"), err)
					return
				}
				if lc.typ != cookiesession.Base64 {
					if _, err := other.Decode(cookies[0].Value); !errors.Is(err, cookiesession.ErrSignature) {
						fail(id, "increment %d: the other key reads the cookie: %v", i, err)
						return
					}
				}
				if done.Add(1) == total/2 {
					res.rotatedAfter = total / 2
					current.Store(&keyGen{2, newM.Handler(app)}) // new key first, old one second
					close(rotated)
				}
			}
			// The cookie the browser ends with: new key only, counter exact.
			jarCookies := jar.Cookies(base)
			if len(jarCookies) != 1 {
				fail(id, "jar holds %d cookies", len(jarCookies))
				return
			}
			v, err := newOnly.Decode(jarCookies[0].Value)
			if err != nil {
				fail(id, "final cookie not made with the new key: %v", err)
				return
			}
			if string(v["n"]) != strconv.Itoa(lc.increments) || string(v["client"]) != strconv.Quote(id) {
				fail(id, "final session %s", v)
			}
		}(fmt.Sprintf("c%03d", c))
	}

	// ---- faults, until the counting clients are done ----
	stop := make(chan struct{})
	var faults sync.WaitGroup
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	addr := srv.Listener.Addr().String()
	for f := 0; f < lc.faulty; f++ {
		faults.Add(3)
		// Clients that give up while the handler is still running.
		go func(f int) {
			defer faults.Done()
			jar, _ := cookiejar.New(nil)
			client := &http.Client{Transport: transport, Jar: jar}
			for !stopped() {
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Millisecond)
				req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/slow?id=slow", nil)
				resp, err := client.Do(req)
				cancel()
				atomic.AddInt64(&res.faultReqs, 1)
				if err == nil {
					resp.Body.Close()
					fail("slow", "a request cancelled after 15ms completed: %d", resp.StatusCode)
					return
				}
				atomic.AddInt64(&res.disconnects, 1)
			}
		}(f)
		// Connections cut mid-request: half a header, or a whole request
		// whose answer nobody reads.
		go func(f int) {
			defer faults.Done()
			for i := 0; !stopped(); i++ {
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					fail("cut", "dial: %v", err)
					return
				}
				req := "GET /incr?id=cut HTTP/1.1\r\nHost: x\r\n\r\n"
				if i%2 == 0 {
					req = "GET /incr?id=cut HTTP/1.1\r\nHost: x\r\nCookie: session=ab"
				}
				io.WriteString(conn, req)
				conn.Close()
				atomic.AddInt64(&res.faultReqs, 1)
				atomic.AddInt64(&res.disconnects, 1)
				time.Sleep(time.Millisecond)
			}
		}(f)
		// Handlers that panic: the recovered request's session changes are
		// not sent, and the next request on the same connection sees the
		// session as it was.
		go func(f int) {
			defer faults.Done()
			id := fmt.Sprintf("p%d", f)
			jar, _ := cookiejar.New(nil)
			tr := &http.Transport{MaxConnsPerHost: 1}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second}
			get := func(path string) (*http.Response, string, bool) {
				reused := false
				trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }}
				req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", srv.URL+path+"?id="+id, nil)
				resp, err := client.Do(req)
				if err != nil {
					fail(id, "%s: %v", path, err)
					return nil, "", false
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				atomic.AddInt64(&res.faultReqs, 1)
				return resp, string(body), reused
			}
			n := 0
			for !stopped() {
				resp, body, _ := get("/incr")
				if resp == nil || body != strconv.Itoa(n+1) {
					fail(id, "incr: %q, want %d", body, n+1)
					return
				}
				n++
				resp, _, _ = get("/panic")
				if resp == nil || resp.StatusCode != 500 || resp.Header.Get("X-Recovered") != "1" || len(resp.Header.Values("Set-Cookie")) != 0 {
					fail(id, "panic: %v", resp)
					return
				}
				resp, body, reused := get("/peek")
				if resp == nil || body != fmt.Sprintf("%d client,n", n) || !reused {
					fail(id, "after the panic, on the same connection (%v): %q, want %d client,n", reused, body, n)
					return
				}
			}
		}(f)
	}

	wg.Wait()
	close(stop)
	faults.Wait()
	failures.Range(func(k, v any) bool {
		t.Errorf("client %s: %s", k, v)
		return true
	})
	res.panics = panics.Load()
	res.server5xx = server5xx.Load()
	if res.requests != total {
		t.Errorf("%d responses to %d increments", res.requests, total)
	}
	if res.server5xx != 0 {
		t.Errorf("%d unexpected 5xx responses", res.server5xx)
	}
	if n := reported.Load(); n != 0 {
		t.Errorf("%d errors reported, first: %v", n, firstReport.Load())
	}
	if lc.faulty > 0 && (res.panics == 0 || res.disconnects == 0) {
		t.Errorf("faults did not happen: %d panics, %d disconnects", res.panics, res.disconnects)
	}
	return res
}

// waitGoroutines waits until no more goroutines run than at baseline.
func waitGoroutines(t *testing.T, baseline int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= baseline {
			return n
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines, %d before the load:\n%s", n, baseline, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func heapAfterGC() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// 64 clients × 500 increments, with faults and a key rotation halfway.
func TestLoadNoLostUpdates(t *testing.T) {
	lc := loadConfig{typ: cookiesession.Fernet, clients: 64, increments: 500, faulty: 2}
	if testing.Short() {
		lc.increments = 100
	}
	baseline := runtime.NumGoroutine()
	start := time.Now()
	res := runLoad(t, lc)
	elapsed := time.Since(start)
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	after := waitGoroutines(t, baseline)
	t.Logf("%s: %d clients × %d increments: %d requests (%d streamed) in %v, key rotated after %d; "+
		"faults: %d requests, %d disconnects, %d panics recovered; unexpected 5xx: %d; goroutines %d → %d",
		lc.typ, lc.clients, lc.increments, res.requests, res.streams, elapsed.Round(time.Millisecond), res.rotatedAfter,
		res.faultReqs, res.disconnects, res.panics, res.server5xx, baseline, after)
}

// Repeated runs do not grow the heap or leave goroutines behind.
func TestLoadRepeatedRunsDoNotGrow(t *testing.T) {
	lc := loadConfig{typ: cookiesession.JWT, clients: 16, increments: 60, faulty: 1}
	baseline := runtime.NumGoroutine()
	var heaps []uint64
	for run := 0; run < 6; run++ {
		runLoad(t, lc)
		waitGoroutines(t, baseline)
		heaps = append(heaps, heapAfterGC())
	}
	// The first run warms up pools and caches; from the second on, the
	// heap must stay flat (it moves by about 30 KB between runs): a leak
	// of 70 bytes per request would pass the 256 KB allowed over the four
	// runs compared (3,840 requests).
	if grown := int64(heaps[len(heaps)-1]) - int64(heaps[1]); grown > 256<<10 {
		t.Errorf("heap grew by %d bytes from run 2 to run %d: %v", grown, len(heaps), heaps)
	}
	t.Logf("heap after each of %d runs of %d requests: %v", len(heaps), lc.clients*lc.increments, heaps)
}
