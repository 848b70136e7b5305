package browsertest

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
)

// requestLog records the method and path of each request a server gets.
type requestLog struct {
	mu   sync.Mutex
	list []string
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/favicon.ico" {
			l.mu.Lock()
			l.list = append(l.list, r.Method+" "+r.URL.Path)
			l.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

func (l *requestLog) add(s string) {
	l.mu.Lock()
	l.list = append(l.list, s)
	l.mu.Unlock()
}

// take returns the requests recorded since the last call.
func (l *requestLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.list
	l.list = nil
	return out
}

// flashApp is the post/redirect/get flow: GET /login/{user} stores the
// user; GET /form shows a form whose POST to /flash adds its two fields as
// flashes (category info, then warning) and answers 303 See Other to /;
// GET / greets the user and shows
// the pending flashes, one <li> each, which reads (and so removes) them.
func flashApp(m *cookiesession.Manager) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><form method="post" action="/flash">`+
			`<input name="msg" value="Saved &#8212; caf&#233; ok"><input name="warn" value="Check the date">`+
			`<button id="send" type="submit">Send</button></form>`)
	})
	mux.HandleFunc("POST /flash", func(w http.ResponseWriter, r *http.Request) {
		s := cookiesession.FromRequest(r)
		for _, f := range [][2]string{{"info", "msg"}, {"warning", "warn"}} {
			if err := s.FlashCategory(f[0], r.PostFormValue(f[1])); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /login/{user}", func(w http.ResponseWriter, r *http.Request) {
		if err := cookiesession.FromRequest(r).Set("user", r.PathValue("user")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "Done")
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		s := cookiesession.FromRequest(r)
		var b strings.Builder
		fmt.Fprintf(&b, `<!doctype html><p id="home">Hello %s</p><ul id="flashes">`, html.EscapeString(s.GetString("user")))
		for _, f := range s.Flashes() {
			fmt.Fprintf(&b, "<li>%s: %s</li>", html.EscapeString(f.Category), html.EscapeString(f.Text()))
		}
		b.WriteString("</ul>")
		fmt.Fprint(w, b.String())
	})
	return m.Handler(mux)
}

// Flash messages added by a form's POST survive the 303 redirect the
// browser follows, are shown once, oldest first, on the page it lands on,
// are gone from the cookie the browser then holds, and a reload shows
// none; the rest of the
// session (the user) is kept throughout.
func TestFlashAcrossRedirectInChromium(t *testing.T) {
	ctx := newBrowser(t)
	const want = "info: Saved — café ok|warning: Check the date"
	for _, typ := range sessiontest.Types {
		t.Run(string(typ), func(t *testing.T) {
			clearCookies(t, ctx)
			rep := &sessiontest.ErrorLog{}
			m, err := cookiesession.New(cookiesession.Config{Type: typ, SecretKey: sessiontest.Secret, ErrorHandler: rep.Handle})
			if err != nil {
				t.Fatal(err)
			}
			reqs := &requestLog{}
			srv := httptest.NewServer(reqs.wrap(flashApp(m)))
			t.Cleanup(srv.Close)

			if got := page(t, ctx, srv.URL+"/login/tom"); got != "Done" {
				t.Fatalf("/login/tom: %q", got)
			}
			if got := page(t, ctx, srv.URL+"/form"); got != "Send" {
				t.Fatalf("/form: %q", got)
			}
			reqs.take()

			// Submit the form: the browser POSTs, gets the 303 and GETs /.
			sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			resp, err := chromedp.RunResponse(sctx, chromedp.Click(chromedp.CSS("#send")))
			cancel()
			if err != nil {
				t.Fatalf("submitting the form: %v", err)
			}
			if resp.Status != http.StatusOK || !strings.HasSuffix(resp.URL, "/") {
				t.Errorf("landed on %s with status %d, want %s/ with 200", resp.URL, resp.Status, srv.URL)
			}
			if got := reqs.take(); strings.Join(got, ", ") != "POST /flash, GET /" {
				t.Errorf("requests: %q, want POST /flash then GET /", got)
			}
			if got := script(t, ctx, `[...document.querySelectorAll("#flashes li")].map(li => li.textContent).join("|")`); got != want {
				t.Errorf("after the redirect the page shows flashes %q, want %q, once each, oldest first", got, want)
			}
			// The cookie the browser now holds: the user, no flash.
			c := browserCookie(t, ctx, srv.URL, "session")
			if c == nil {
				t.Fatal("the browser holds no session cookie after the flash was read")
			}
			held := m.Load(context.Background(), c.Value)
			if held.Err() != nil || held.GetString("user") != "tom" {
				t.Errorf("the browser's cookie reads as user %q (err %v), want tom", held.GetString("user"), held.Err())
			}
			if f := held.Flashes(); len(f) != 0 {
				t.Errorf("the browser's cookie still holds flashes %v after they were shown", f)
			}

			// Reload: the flash was read, so it is gone.
			rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err = chromedp.Do(rctx, chromedp.Reload())
			cancel()
			if err != nil {
				t.Fatalf("reload: %v", err)
			}
			if got := reqs.take(); strings.Join(got, ", ") != "GET /" {
				t.Errorf("reload requests: %q, want GET /", got)
			}
			if got := script(t, ctx, `document.getElementById("home").textContent + "/" + document.querySelectorAll("#flashes li").length`); got != "Hello tom/0" {
				t.Errorf("after a reload: %q, want the home page with no flash", got)
			}
			if l := rep.Take(); len(l) != 0 {
				t.Errorf("reported %v", l)
			}
		})
	}
}
