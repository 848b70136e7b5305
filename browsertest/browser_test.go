package browsertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/pystr"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
)

// chromium returns the browser's path, or skips (fails, where the browser
// is required) when there is none. The rule is the one .ci/run follows:
// $CHROMIUM when set, else the first name of the file chromium-names found
// on PATH.
func chromium(t *testing.T) string {
	t.Helper()
	required := os.Getenv("COOKIESESSION_BROWSER") == "required"
	if p := os.Getenv("CHROMIUM"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			t.Fatalf("CHROMIUM=%s: %v", p, err) // set but wrong: a mistake, never a skip
		}
		return path
	}
	names, err := chromiumNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	why := "no Chromium on this machine (looked for $CHROMIUM, then " + strings.Join(names, ", ") + " on PATH); " +
		".ci/run installs Debian's chromium"
	if required {
		t.Fatal(why)
	}
	t.Skip(why)
	return ""
}

// chromiumNames reads the executable names to look for, in order, from
// the file chromium-names ('#' starts a comment line).
func chromiumNames() ([]string, error) {
	data, err := os.ReadFile("chromium-names")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			names = append(names, line)
		}
	}
	if len(names) == 0 {
		return nil, errors.New("chromium-names lists no browser")
	}
	return names, nil
}

// newBrowser starts headless Chromium with a fresh profile, for the test,
// with the extra flags given (for instance trustCert's).
func newBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		// Close the browser through the protocol first, so that it ends its
		// own child processes, rather than only killing the main one.
		_ = chromedp.Cancel(ctx)
		cancel()
		cancelAlloc()
	})
	// Start the browser now, without a deadline: the browser lives as long
	// as the context of its first action.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// page opens url in the browser and returns the text of its body.
func page(t *testing.T, ctx context.Context, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return strings.TrimSpace(text)
}

// script runs JavaScript in the page.
func script(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// browserCookie returns the cookie of that name the browser holds for url,
// as the browser itself stores it (DevTools protocol), or nil.
func browserCookie(t *testing.T, ctx context.Context, url, name string) *network.Cookie {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// storedCookies returns every cookie the browser holds, for every site and
// partition, as the browser stores them (DevTools protocol,
// Storage.getCookies).
func storedCookies(t *testing.T, ctx context.Context) []*network.Cookie {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := chromedp.CallBrowser(ctx, storage.GetCookies, storage.GetCookiesParams{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Cookies
}

// clearCookies makes the browser drop every cookie it holds.
func clearCookies(t *testing.T, ctx context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.CallBrowser(ctx, storage.ClearCookies, storage.ClearCookiesParams{}); err != nil {
		t.Fatal(err)
	}
}

var (
	buildOnce sync.Once
	routerBin string
	buildErr  error
)

// startRouter builds examples/router once and runs it on host (a loopback
// address of its own, so that each server has its own cookies) until the
// test ends. It returns the base URL.
func startRouter(t *testing.T, host string, typ cookiesession.Type) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "browsertest")
		if err != nil {
			buildErr = err
			return
		}
		routerBin = filepath.Join(dir, "router")
		// examples/router is a module of its own: build it in its folder,
		// where go.work, or its go.mod with GOWORK=off, resolves it.
		cmd := exec.Command("go", "build", "-o", routerBin, ".")
		cmd.Dir = filepath.Join("..", "examples", "router")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build examples/router: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	addr := freeAddr(t, host)
	cmd := exec.Command(routerBin, "-addr", addr, "-type", string(typ), "-secret", sessiontest.Secret)
	cmd.Stderr = &testWriter{t: t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(url + "/")
		if err == nil {
			resp.Body.Close()
			return url
		}
		if time.Now().After(deadline) {
			t.Fatalf("examples/router did not answer on %s: %v", addr, err)
		}
	}
}

func freeAddr(t *testing.T, host string) string {
	t.Helper()
	ln, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// testWriter sends a subprocess's log lines to the test's log.
type testWriter struct {
	mu sync.Mutex
	t  *testing.T
}

func (w *testWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.t.Logf("router: %s", strings.TrimSpace(string(b)))
	return len(b), nil
}

var types = []cookiesession.Type{cookiesession.Base64, cookiesession.JWT, cookiesession.Fernet}

// The seed's flow in a real browser against examples/router: the browser
// keeps the cookie, a page's script cannot see it (HttpOnly), and logging
// out makes the browser drop it.
func TestRouterExampleInChromium(t *testing.T) {
	ctx := newBrowser(t)
	for i, typ := range types {
		t.Run(string(typ), func(t *testing.T) {
			url := startRouter(t, fmt.Sprintf("127.0.0.%d", i+1), typ)
			if got := page(t, ctx, url+"/"); got != "Hello Anonymous" {
				t.Errorf("/ before login: %q", got)
			}
			if got := page(t, ctx, url+"/login/tom"); got != "Done" {
				t.Errorf("/login/tom: %q", got)
			}
			c := browserCookie(t, ctx, url, "session")
			if c == nil {
				t.Fatal("the browser holds no session cookie after /login/tom")
			}
			if !c.HTTPOnly || c.SameSite != network.CookieSameSiteLax || c.Path != "/" || c.Session {
				t.Errorf("stored cookie: HttpOnly %v, SameSite %q, Path %q, session-only %v", c.HTTPOnly, c.SameSite, c.Path, c.Session)
			}
			if got := page(t, ctx, url+"/"); got != "Hello Tom" {
				t.Errorf("/ after login: %q", got)
			}
			if got := script(t, ctx, `document.cookie`); strings.Contains(got, "session") {
				t.Errorf("document.cookie shows the session: %q", got)
			}
			if got := page(t, ctx, url+"/logout"); got != "Done" {
				t.Errorf("/logout: %q", got)
			}
			if c := browserCookie(t, ctx, url, "session"); c != nil {
				t.Errorf("the browser still holds %s=%s after /logout", c.Name, c.Value)
			}
			if got := page(t, ctx, url+"/"); got != "Hello Anonymous" {
				t.Errorf("/ after logout: %q", got)
			}
		})
	}
}

// sizeApp is the router example plus /fill/{n}, which stores n bytes in the
// session (answering "Done", or "Refused" when Set refuses them), and /visible, which sets an ordinary script-visible cookie.
func sizeApp(m *cookiesession.Manager) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		s := cookiesession.FromRequest(r)
		user := s.GetString("user")
		if user == "" {
			user = "Anonymous"
		}
		fmt.Fprintf(w, "Hello %s, %d bytes", pystr.Title(user), len(s.GetString("blob")))
	})
	mux.HandleFunc("GET /login/{user}", func(w http.ResponseWriter, r *http.Request) {
		_ = cookiesession.FromRequest(r).Set("user", r.PathValue("user"))
		fmt.Fprint(w, "Done")
	})
	mux.HandleFunc("GET /fill/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		if err := cookiesession.FromRequest(r).Set("blob", strings.Repeat("x", n)); err != nil {
			fmt.Fprint(w, "Refused")
			return
		}
		fmt.Fprint(w, "Done")
	})
	mux.HandleFunc("GET /visible", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "visible", Value: "yes", Path: "/"})
		fmt.Fprint(w, "Done")
	})
	return m.Handler(mux)
}

// largestFit returns the largest n for which a session {"user":"tom",
// "blob":"x"*n} still fits in a cookie, asking the Manager itself.
func largestFit(t *testing.T, cfg cookiesession.Config) int {
	t.Helper()
	cfg.ErrorHandler = func(context.Context, error) {}
	m, err := cookiesession.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fits := func(n int) bool {
		s := m.Load(context.Background(), "")
		if s.Set("user", "tom") != nil || s.Set("blob", strings.Repeat("x", n)) != nil {
			return false
		}
		c, err := m.Save(s)
		return err == nil && c != nil
	}
	lo, hi := 0, cookiesession.MaxCookieSize // fits(lo), !fits(hi)
	if !fits(lo) || fits(hi) {
		t.Fatal("size probe out of range")
	}
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; fits(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// A session just under the size limit survives in the browser; a change
// that would take it over is refused by Set, not sent, reported (ErrNotSaved
// and ErrTooLarge), and the browser keeps the cookie it had, so the session
// reads as before.
func TestCookieSizeLimitInChromium(t *testing.T) {
	ctx := newBrowser(t)
	for i, typ := range types {
		t.Run(string(typ), func(t *testing.T) {
			rep := &sessiontest.ErrorLog{}
			cfg := cookiesession.Config{Type: typ, SecretKey: sessiontest.Secret}
			n := largestFit(t, cfg)
			cfg.ErrorHandler = rep.Handle
			m, err := cookiesession.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", i+4))
			if err != nil {
				t.Fatal(err)
			}
			srv := &http.Server{Handler: sizeApp(m), ReadHeaderTimeout: 10 * time.Second}
			go func() { _ = srv.Serve(ln) }()
			t.Cleanup(func() { _ = srv.Close() })
			url := "http://" + ln.Addr().String()

			// document.cookie does show an ordinary cookie: the HttpOnly
			// check below is not vacuous.
			page(t, ctx, url+"/visible")
			page(t, ctx, url+"/login/tom")
			if got := script(t, ctx, `document.cookie`); got != "visible=yes" {
				t.Errorf("document.cookie = %q, want only the visible cookie", got)
			}

			// Just under the limit: stored, sent back, read.
			if got := page(t, ctx, fmt.Sprintf("%s/fill/%d", url, n)); got != "Done" {
				t.Fatalf("/fill/%d: %q", n, got)
			}
			before := browserCookie(t, ctx, url, "session")
			if before == nil {
				t.Fatalf("the browser dropped a session of %d bytes", n)
			}
			t.Logf("%s: largest session blob %d bytes, cookie name+value %d bytes", typ, n, len(before.Name)+len(before.Value))
			if size := len(before.Name) + len(before.Value); size < cookiesession.MaxCookieSize-200 {
				t.Errorf("cookie name+value %d bytes: the probe did not get near the limit", size)
			}
			if want := fmt.Sprintf("Hello Tom, %d bytes", n); page(t, ctx, url+"/") != want {
				t.Errorf("after /fill/%d: want %q", n, want)
			}
			if l := rep.Take(); len(l) != 0 {
				t.Errorf("reported %v", l)
			}

			// One byte more: refused, not sent, reported, the browser keeps
			// the old one.
			if got := page(t, ctx, fmt.Sprintf("%s/fill/%d", url, n+1)); got != "Refused" {
				t.Fatalf("/fill/%d: %q, want Refused", n+1, got)
			}
			if l := rep.Take(); len(l) != 1 || !errors.Is(l[0], cookiesession.ErrTooLarge) || !errors.Is(l[0], cookiesession.ErrNotSaved) {
				t.Errorf("reported %v, want one error wrapping ErrTooLarge and ErrNotSaved", l)
			}
			after := browserCookie(t, ctx, url, "session")
			if after == nil || after.Value != before.Value {
				t.Errorf("the browser's cookie changed after a session too large to send")
			}
			if want := fmt.Sprintf("Hello Tom, %d bytes", n); page(t, ctx, url+"/") != want {
				t.Errorf("after /fill/%d: want %q", n+1, want)
			}
		})
	}
}
