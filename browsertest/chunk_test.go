package browsertest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
)

// fillData returns n random letters, the same for the same n.
func fillData(n int) string {
	r := rand.New(rand.NewPCG(uint64(n), 11))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + r.IntN(26))
	}
	return string(b)
}

// digest is a short hash of s, for a page to show what it read.
func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// lastResponse keeps the Set-Cookie lines of a server's latest response
// and the length of its latest request's Cookie header.
type lastResponse struct {
	mu        sync.Mutex
	setCookie []string
	cookieLen int
}

func (l *lastResponse) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if r.URL.Path == "/favicon.ico" {
			return
		}
		l.mu.Lock()
		l.setCookie = append([]string(nil), w.Header().Values("Set-Cookie")...)
		l.cookieLen = len(r.Header.Get("Cookie"))
		l.mu.Unlock()
	})
}

// cookies returns the latest response's cookies: those it set (name ->
// value) and the names it expired.
func (l *lastResponse) cookies(t *testing.T) (set map[string]string, expired []string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	set = map[string]string{}
	for _, line := range l.setCookie {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatalf("Set-Cookie %q: %v", line, err)
		}
		if c.MaxAge < 0 {
			expired = append(expired, c.Name)
		} else {
			set[c.Name] = c.Value
		}
	}
	sort.Strings(expired)
	return set, expired
}

func (l *lastResponse) requestCookieLen() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cookieLen
}

// chunkApp stores n random letters under "fill" on GET /fill/{n}
// (answering "Stored n", or the error), and shows the length and digest of
// what it reads back on GET /fill. The letters are stored as a list of
// strings of at most 1 KB: Session.Set refuses any one string longer than
// MaxCookieSize, whatever MaxSize allows.
func chunkApp(m *cookiesession.Manager) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /fill/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscan(r.PathValue("n"), &n); err != nil || n < 0 {
			http.Error(w, "bad n", http.StatusBadRequest)
			return
		}
		data := fillData(n)
		var pieces []string
		for len(data) > 1024 {
			pieces, data = append(pieces, data[:1024]), data[1024:]
		}
		if err := cookiesession.FromRequest(r).Set("fill", append(pieces, data)); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "Stored %d", n)
	})
	mux.HandleFunc("GET /fill", func(w http.ResponseWriter, r *http.Request) {
		s := cookiesession.FromRequest(r)
		pieces, err := cookiesession.Get[[]string](s, "fill")
		if err == nil {
			err = s.Err()
		}
		v := strings.Join(pieces, "")
		fmt.Fprintf(w, "fill: %d %s (err %v)", len(v), digest(v), err)
	})
	return m.Handler(mux)
}

// siteCookies returns the cookies the browser holds for host, name ->
// value, failing on two of one name.
func siteCookies(t *testing.T, all []*network.Cookie, host string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range all {
		if c.Domain != host {
			continue
		}
		if _, dup := out[c.Name]; dup {
			t.Errorf("the browser holds two cookies named %s", c.Name)
		}
		out[c.Name] = c.Value
	}
	return out
}

// minus returns the names in a and not in b, sorted.
func minus(a, b map[string]string) []string {
	var out []string
	for name := range a {
		if _, ok := b[name]; !ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func names(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Sessions of 3, 6 and 10 KB (jwt, MaxSize 16384) in chunk cookies go
// through Chromium: the browser keeps exactly the cookies the server set,
// sends them all back, and the server reads back the very data it stored.
// Going from 10 back to 6 KB, the response expires the chunk no longer
// needed and the browser drops it; shrinking from 10 KB to 100 bytes
// expires every chunk in the same response, and the browser's cookie store
// then holds one cookie, the session's. With Compress the same holds, in
// fewer bytes.
func TestChunkedSessionInChromium(t *testing.T) {
	ctx := newBrowser(t)
	total := map[string]int{} // "variant/size" -> bytes of name=value in the browser
	for _, compress := range []bool{false, true} {
		variant := "plain"
		if compress {
			variant = "compressed"
		}
		t.Run(variant, func(t *testing.T) {
			clearCookies(t, ctx)
			rep := &sessiontest.ErrorLog{}
			m, err := cookiesession.New(cookiesession.Config{
				Type: cookiesession.JWT, SecretKey: sessiontest.Secret,
				MaxSize: cookiesession.HardMaxSize, Compress: compress, ErrorHandler: rep.Handle,
			})
			if err != nil {
				t.Fatal(err)
			}
			last := &lastResponse{}
			srv := httptest.NewServer(last.wrap(chunkApp(m)))
			t.Cleanup(srv.Close)
			const host = "127.0.0.1"

			// 3, 6 and 10 KB, then 6 and 10 again: stored, sent back, read;
			// each response expires the chunks the previous one set and
			// this one does not.
			var before map[string]string
			for _, size := range []int{3 << 10, 6 << 10, 10 << 10, 6 << 10, 10 << 10} {
				if got := page(t, ctx, fmt.Sprintf("%s/fill/%d", srv.URL, size)); got != fmt.Sprintf("Stored %d", size) {
					t.Fatalf("/fill/%d: %q", size, got)
				}
				set, expired := last.cookies(t)
				if want := strings.Join(minus(before, set), ","); strings.Join(expired, ",") != want {
					t.Errorf("%d bytes after %d cookies: the response expired %v, want [%s]", size, len(before), expired, want)
				}
				held := siteCookies(t, storedCookies(t, ctx), host)
				if strings.Join(names(held), ",") != strings.Join(names(set), ",") {
					t.Errorf("%d bytes: the browser holds %v, the server set %v", size, names(held), names(set))
				}
				bytes := 0
				for name, v := range set {
					if held[name] != v {
						t.Errorf("%d bytes: the browser's %s differs from the one set", size, name)
					}
					bytes += len(name) + 1 + len(v)
				}
				total[fmt.Sprintf("%s/%d", variant, size)] = bytes
				if want, got := fmt.Sprintf("fill: %d %s (err <nil>)", size, digest(fillData(size))), page(t, ctx, srv.URL+"/fill"); got != want {
					t.Errorf("reading back %d bytes: %q, want %q", size, got, want)
				}
				t.Logf("%s %5d bytes: %d cookies %v, %d bytes of name=value, Cookie header %d bytes",
					variant, size, len(set), names(set), bytes, last.requestCookieLen())
				if !compress && size >= 6<<10 && len(set) < 2 {
					t.Errorf("%d bytes took %d cookie: the test does not exercise chunks", size, len(set))
				}
				before = set
			}
			if len(before) < 2 {
				t.Fatalf("the 10 KB session took %d cookie: nothing to shrink from", len(before))
			}

			// Shrink to 100 bytes: one cookie; the response expires every
			// chunk, and the browser drops them.
			if got := page(t, ctx, srv.URL+"/fill/100"); got != "Stored 100" {
				t.Fatalf("/fill/100: %q", got)
			}
			set, expired := last.cookies(t)
			wantExpired := minus(before, set)
			if strings.Join(expired, ",") != strings.Join(wantExpired, ",") || len(set) != 1 {
				t.Errorf("shrinking: the response set %v and expired %v, want session set and %v expired", names(set), expired, wantExpired)
			}
			all := storedCookies(t, ctx)
			if len(all) != 1 || all[0].Name != "session" || all[0].Value != set["session"] {
				var got []string
				for _, c := range all {
					got = append(got, c.Domain+" "+c.Name)
				}
				t.Errorf("after shrinking, the browser's cookie store holds %v, want only the new session cookie", got)
			}
			if want, got := fmt.Sprintf("fill: 100 %s (err <nil>)", digest(fillData(100))), page(t, ctx, srv.URL+"/fill"); got != want {
				t.Errorf("reading back 100 bytes: %q, want %q", got, want)
			}
			if l := rep.Take(); len(l) != 0 {
				t.Errorf("reported %v", l)
			}
		})
	}
	if total["compressed/10240"] == 0 || total["compressed/10240"] >= total["plain/10240"] {
		t.Errorf("10 KB: %d bytes compressed, %d plain: compression did not shorten the cookies", total["compressed/10240"], total["plain/10240"])
	}
}
