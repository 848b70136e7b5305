package cookiesession

// Hostile chunk sets (Config.MaxSize 16384) through the middleware and
// Manager.LoadHeader, and a load test whose sessions grow and shrink
// across the one-cookie boundary.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var chunkTypes = []Type{Base64, JWT, Fernet}

const chunkSecret = "chunk-secret-0123456789abcdefghi" // 32: a fernet secret too

func chunkConfig(typ Type) Config {
	cfg := Config{Type: typ, SecretKey: chunkSecret, MaxSize: HardMaxSize, Now: fixedClock(fmtNow)}
	if typ == Base64 {
		cfg.SecretKey = ""
	}
	return cfg
}

// chunkSet mints a session of about n bytes of random text and returns
// its cookies, which must be at least three chunks.
func chunkSet(t *testing.T, cfg Config, user string, n int) []*http.Cookie {
	t.Helper()
	cookies := mint(t, cfg, fmtNow-60, map[string]any{"user": user, "blob": randomText(n)})
	if len(cookies) < 3 || cookies[0].Name != "session" || cookies[1].Name != "session.1" || cookies[2].Name != "session.2" {
		names := []string{}
		for _, c := range cookies {
			names = append(names, c.Name)
		}
		t.Fatalf("%s: a session of %d bytes became cookies %v, want session, session.1, session.2, …", cfg.Type, n, names)
	}
	return cookies
}

func TestHostileChunkSets(t *testing.T) {
	for _, typ := range chunkTypes {
		cfg := chunkConfig(typ)
		a := chunkSet(t, cfg, "alice", 8000)
		b := chunkSet(t, cfg, "bob", 8000)
		count := len(a)
		first := a[0].Value // "!<N>.<digest>.<part>"
		hdr := strings.SplitN(first, ".", 3)
		if len(hdr) != 3 || hdr[0] != "!"+strconv.Itoa(count) {
			t.Fatalf("%s: first chunk %.40q…: want !%d.<digest>.<part>", typ, first, count)
		}
		digest := hdr[1]
		withCount := func(n string) string { return "!" + n + "." + digest + "." + hdr[2] }
		refused := []error{ErrMalformed, ErrSignature, ErrTooLarge}
		cases := []struct {
			name string
			h    string
		}{
			{"chunk 1 of another write", header(withValue(a, "session.1", func(string) string { return valueOf(b, "session.1") }))},
			{"first chunk of another write", header(withValue(a, "session", func(string) string { return valueOf(b, "session") }))},
			{"chunk 1 missing", header(without(a, "session.1"))},
			{"last chunk missing", header(without(a, a[count-1].Name))},
			{"chunks 1 and 2 swapped", header(withValue(withValue(a, "session.1", func(string) string { return valueOf(a, "session.2") }), "session.2", func(string) string { return valueOf(a, "session.1") }))},
			{"chunk 1 duplicated into chunk 2", header(withValue(a, "session.2", func(string) string { return valueOf(a, "session.1") }))},
			{"count one less", header(withValue(a, "session", func(string) string { return withCount(strconv.Itoa(count - 1)) }))},
			{"count one more, with a forged chunk", header(withValue(a, "session", func(string) string { return withCount(strconv.Itoa(count + 1)) })) +
				fmt.Sprintf("; session.%d=%s.%s", count, digest, "eyJ1c2VyIjoicm9vdCJ9")},
			{"too many chunks claimed (9)", header(withValue(a, "session", func(string) string { return withCount("9") }))},
			{"a count of 10000", header(withValue(a, "session", func(string) string { return withCount("10000") }))},
			{"a count of 10000 with 40 chunks sent", header(withValue(a, "session", func(string) string { return withCount("10000") })) + strings.Repeat("; session.7="+digest+".AAAA", 40)},
			{"a count with a leading zero", header(withValue(a, "session", func(string) string { return withCount("0" + strconv.Itoa(count)) }))},
			{"a negative count", header(withValue(a, "session", func(string) string { return withCount("-1") }))},
			{"chunk 1 tampered, its digest kept", header(withValue(a, "session.1", func(v string) string { return flipAt(v, len(v)/2) }))},
			{"digest changed in every chunk", strings.ReplaceAll(header(a), digest, "AAAAAAAA")},
		}
		srv := fmtServer(t, cfg)
		for _, tc := range cases {
			t.Run(string(typ)+"/"+tc.name, func(t *testing.T) {
				checkRefusedOverHTTP(t, srv, tc.h, refused)
				checkRefusedLoadHeader(t, cfg, tc.h, refused)
			})
		}

		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		// Chunks without the first cookie are no session: nothing says
		// how many to expect.
		if s := m.LoadHeader(context.Background(), header(without(a, "session"))); s.Len() != 0 || s.Err() != nil {
			t.Errorf("%s: chunks without the first: %d keys, err %v; want no session", typ, s.Len(), s.Err())
		}

		// Not hostile: the same chunks in another header order, and a
		// stale chunk beyond the count (left by a longer session), give
		// exactly session a.
		rev := []*http.Cookie{a[2], a[0], a[1]}
		rev = append(rev, a[3:]...)
		for name, h := range map[string]string{
			"reordered header":           header(rev),
			"stale chunk beyond count":   header(a) + fmt.Sprintf("; session.%d=%s", count, valueOf(b, "session.1")),
			"other cookies of the site":  "theme=dark; " + header(a) + "; session2=x",
			"chunk 1 twice, same value":  header(a) + "; session.1=" + valueOf(a, "session.1"),
			"the session of another app": header(a) + "; other.1=" + valueOf(b, "session.1"),
			// Two chunks of one index: the reader tries the reassemblies
			// (boundedly) and takes the one the digest and MAC accept,
			// never a mix.
			"chunk 1 twice, the first from another write": header(b[1:2]) + "; " + header(a),
		} {
			s := m.LoadHeader(context.Background(), h)
			if s.Err() != nil || s.GetString("user") != "alice" || len(s.GetString("blob")) != 8000 {
				t.Errorf("%s/%s: user %q, blob %d bytes, err %v; want alice's session", typ, name, s.GetString("user"), len(s.GetString("blob")), s.Err())
			}
		}
	}
}

// A session over MaxSize is refused by Set and the client keeps its last
// good chunks; a session that shrinks expires its chunks in the same
// response.
func TestChunksShrinkAndOverflow(t *testing.T) {
	for _, typ := range chunkTypes {
		cfg := chunkConfig(typ)
		cfg.Now = nil
		var notSaved atomic.Int64
		cfg.ErrorHandler = func(_ context.Context, err error) {
			if errors.Is(err, ErrNotSaved) && errors.Is(err, ErrTooLarge) {
				notSaved.Add(1)
			}
		}
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := FromRequest(r)
			n, _ := strconv.Atoi(r.URL.Query().Get("n"))
			if err := s.Set("blob", randomText(n)); err != nil {
				w.WriteHeader(http.StatusRequestEntityTooLarge)
			}
			fmt.Fprint(w, len(s.GetString("blob")))
		})))
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		u, _ := url.Parse(srv.URL)
		get := func(n int) (int, []string) {
			resp, err := c.Get(fmt.Sprintf("%s/?n=%d", srv.URL, n))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			var names []string
			for _, ck := range jar.Cookies(u) {
				names = append(names, ck.Name)
			}
			return resp.StatusCode, names
		}
		if code, names := get(10000); code != 200 || len(names) < 3 {
			t.Fatalf("%s: 10 KB: status %d, cookies %v", typ, code, names)
		}
		if code, names := get(100); code != 200 || len(names) != 1 || names[0] != "session" {
			t.Errorf("%s: shrunk to 100 bytes: status %d, cookies %v; want only session", typ, code, names)
		}
		get(10000)
		before := fmt.Sprint(jar.Cookies(u))
		if code, _ := get(20000); code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: 20 KB: status %d, want the Set refused", typ, code)
		}
		if after := fmt.Sprint(jar.Cookies(u)); after != before {
			t.Errorf("%s: a refused session changed the client's cookies", typ)
		}
		if notSaved.Load() != 1 || m.Stats().NotSaved["too_large"] != 1 {
			t.Errorf("%s: the refused Set: reported %d, Stats.NotSaved %v; want 1", typ, notSaved.Load(), m.Stats().NotSaved)
		}
		srv.Close()
	}
}

// Load on 127.0.0.1: clients, each with its own cookie jar, increment a
// counter while their session's size swings between one cookie and
// several. No update is lost, no response is a 5xx, and after every
// response the client holds exactly the cookies its session needs.
func TestLoadAcrossTheOneCookieBoundary(t *testing.T) {
	clients, steps := 16, 60
	if testing.Short() {
		steps = 10
	}
	for _, typ := range chunkTypes {
		cfg := chunkConfig(typ)
		cfg.Now = nil
		var reported atomic.Int64
		cfg.ErrorHandler = func(context.Context, error) { reported.Add(1) }
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var fivexx atomic.Int64
		srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := FromRequest(r)
			id := r.URL.Query().Get("id")
			size, _ := strconv.Atoi(r.URL.Query().Get("size"))
			if s.Len() > 0 && s.GetString("client") != id {
				http.Error(w, "cross-talk", http.StatusConflict)
				return
			}
			n := counter(s) + 1
			for _, err := range []error{s.Set("client", id), s.Set("n", n), s.Set("pad", randomText(size))} {
				if err != nil {
					fivexx.Add(1)
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
			}
			fmt.Fprint(w, n)
		})))
		client := &http.Client{Timeout: 20 * time.Second}
		u, _ := url.Parse(srv.URL)
		var wg sync.WaitGroup
		var lost, bad, stale, multi atomic.Int64
		deadline := time.Now().Add(2 * time.Minute)
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				jar, _ := cookiejar.New(nil)
				cl := *client
				cl.Jar = jar
				for i := 1; i <= steps && time.Now().Before(deadline); i++ {
					// Sizes: small, around the boundary, large, back down.
					size := []int{50, 2500, 2900, 3100, 9000, 200, 6000, 10000, 2800, 0}[(i+c)%10]
					resp, err := cl.Get(fmt.Sprintf("%s/?id=c%d&size=%d", srv.URL, c, size))
					if err != nil {
						bad.Add(1)
						return
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode >= 500 {
						fivexx.Add(1)
					}
					if resp.StatusCode != 200 || string(body) != strconv.Itoa(i) {
						lost.Add(1)
						return
					}
					names := jar.Cookies(u)
					if len(names) > 1 {
						multi.Add(1)
					}
					if size <= 2500 && len(names) != 1 {
						stale.Add(1) // a session of one cookie must leave no chunk behind
					}
				}
			}(c)
		}
		wg.Wait()
		srv.Close()
		t.Logf("%s: %d clients × %d steps: %d responses in several cookies, %d errors reported", typ, clients, steps, multi.Load(), reported.Load())
		if lost.Load() != 0 || bad.Load() != 0 || fivexx.Load() != 0 || stale.Load() != 0 || reported.Load() != 0 {
			t.Errorf("%s: lost updates %d, transport errors %d, 5xx %d, stale chunks left %d, errors reported %d",
				typ, lost.Load(), bad.Load(), fivexx.Load(), stale.Load(), reported.Load())
		}
		if multi.Load() == 0 {
			t.Errorf("%s: no session took several cookies", typ)
		}
	}
}

// counter reads the session's "n" as an int.
func counter(s *Session) int {
	n, _ := s.Get("n").(json.Number)
	i, _ := strconv.Atoi(string(n))
	return i
}
