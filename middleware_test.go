package cookiesession_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
)

var allTypes = []cookiesession.Type{cookiesession.Base64, cookiesession.JWT, cookiesession.Fernet}

// kvApp is a small app over the session: /set?k=v, /get?k, /delete?k,
// /clear, and / which touches nothing.
func kvApp(w http.ResponseWriter, r *http.Request) {
	s := cookiesession.FromRequest(r)
	switch r.URL.Path {
	case "/set":
		for k, v := range r.URL.Query() {
			if err := s.Set(k, v[0]); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
		}
	case "/get":
		fmt.Fprint(w, s.GetString(r.URL.RawQuery))
	case "/delete":
		s.Delete(r.URL.RawQuery)
	case "/clear":
		s.Clear()
	}
}

type testServer struct {
	*httptest.Server
	client *http.Client
	log    *sessiontest.ErrorLog
}

func newServer(t *testing.T, cfg cookiesession.Config, app http.HandlerFunc) *testServer {
	t.Helper()
	log := &sessiontest.ErrorLog{}
	if cfg.ErrorHandler == nil {
		cfg.ErrorHandler = log.Handle
	}
	m, err := cookiesession.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler(app))
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := srv.Client()
	client.Jar = jar
	return &testServer{Server: srv, client: client, log: log}
}

// get fetches path, sending each of cookies as a Cookie header, and
// returns the body and the response.
func (s *testServer) get(t *testing.T, path string, cookies ...string) (string, *http.Response) {
	t.Helper()
	resp, body := sessiontest.Get(t, s.client, s.URL+path, cookies...)
	return body, resp
}

func TestRoundTripOverHTTP(t *testing.T) {
	for _, typ := range allTypes {
		t.Run(string(typ), func(t *testing.T) {
			srv := newServer(t, cookiesession.Config{Type: typ, SecretKey: sessiontest.Secret}, kvApp)
			_, resp := srv.get(t, "/set?user=tom&lang=go")
			if sc := resp.Header.Get("Set-Cookie"); !strings.HasPrefix(sc, "session=") || !strings.Contains(sc, "HttpOnly") {
				t.Fatalf("Set-Cookie %q", sc)
			}
			if body, resp := srv.get(t, "/get?user"); body != "tom" || resp.Header.Get("Set-Cookie") != "" {
				t.Errorf("read: %q, Set-Cookie %q", body, resp.Header.Get("Set-Cookie"))
			}
			if _, resp := srv.get(t, "/"); resp.Header.Get("Set-Cookie") != "" || resp.Header.Get("Vary") != "Cookie" {
				t.Errorf("untouched request: Set-Cookie %q, Vary %q; want no cookie, Vary: Cookie", resp.Header.Get("Set-Cookie"), resp.Header.Get("Vary"))
			}
			if _, resp := srv.get(t, "/set?user=tom"); resp.Header.Get("Set-Cookie") != "" {
				t.Error("setting the same value re-sent the cookie")
			}
			srv.get(t, "/delete?user")
			if body, _ := srv.get(t, "/get?lang"); body != "go" {
				t.Errorf("after delete, lang = %q", body)
			}
			_, resp = srv.get(t, "/clear")
			if sc := resp.Header.Get("Set-Cookie"); !strings.Contains(sc, "Max-Age=0") {
				t.Errorf("clearing the session should expire the cookie, got %q", sc)
			}
			if u, _ := srv.Server.URL, 0; len(srv.client.Jar.Cookies(mustURL(t, u))) != 0 {
				t.Error("the browser still holds a cookie after Clear")
			}
			if errs := srv.log.Take(); len(errs) != 0 {
				t.Errorf("errors reported: %v", errs)
			}
		})
	}
}

func TestEmptySessionWithoutCookieWritesNothing(t *testing.T) {
	srv := newServer(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: "k"}, func(w http.ResponseWriter, r *http.Request) {
		s := cookiesession.FromRequest(r)
		_ = s.Set("a", 1)
		s.Delete("a")
	})
	if _, resp := srv.get(t, "/"); resp.Header.Get("Set-Cookie") != "" {
		t.Errorf("Set-Cookie %q for a session that ends empty and had no cookie", resp.Header.Get("Set-Cookie"))
	}
}

func TestBadCookiesGiveAnEmptySessionAndALogRecord(t *testing.T) {
	valid := map[cookiesession.Type]string{}
	for _, typ := range allTypes {
		c, err := cookiesession.NewCodec(cookiesession.Config{Type: typ, SecretKey: "other-secret-0123456789abcdefghi"})
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if valid[typ], err = c.Encode(cookiesession.Values{"user": []byte(`"root"`)}); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
	}
	bad := []string{"%%%%", "not-a-jwt", "bm90IGpzb24gYXQgYWxs", "WyJhIiwibGlzdCJd", "bnVsbA==",
		strings.Repeat("A", 5000), `"quoted"`, "gAAAAAAAAAAAAAAAAAAAAAAAAA", "a.b.c"}
	for _, typ := range allTypes {
		t.Run(string(typ), func(t *testing.T) {
			var logs bytes.Buffer
			var mu sync.Mutex
			m, err := cookiesession.New(cookiesession.Config{Type: typ, SecretKey: sessiontest.Secret,
				Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(m.Handler(http.HandlerFunc(kvApp)))
			defer srv.Close()
			cases := bad
			if typ != cookiesession.Base64 {
				cases = append(cases, valid[typ]) // made with another secret
			}
			for _, value := range cases {
				req, _ := http.NewRequest("GET", srv.URL+"/get?user", nil)
				req.Header.Set("Cookie", "session="+value)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || len(body) != 0 {
					t.Errorf("cookie %.40q: status %d, body %q", value, resp.StatusCode, body)
				}
			}
			mu.Lock()
			records := strings.Count(logs.String(), "session cookie refused")
			text := logs.String()
			mu.Unlock()
			if records != len(cases) {
				t.Errorf("%d log records for %d bad cookies:\n%s", records, len(cases), text)
			}
			if !strings.Contains(text, "level=WARN") || !strings.Contains(text, "cookie=session") {
				t.Errorf("log records lack level or cookie name:\n%s", text)
			}
		})
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Of several cookies with the session's name, the one that decodes wins,
// so a cookie planted by a sibling subdomain cannot hide the real one.
func TestSeveralCookiesOfTheSameName(t *testing.T) {
	srv := newServer(t, cookiesession.Config{Type: cookiesession.Fernet, SecretKey: sessiontest.Secret}, kvApp)
	_, resp := srv.get(t, "/set?user=tom")
	real := resp.Cookies()[0].Value
	srv.client.Jar = nil
	body, _ := srv.get(t, "/get?user", "session=planted; other=1; session="+real)
	if body != "tom" {
		t.Errorf("got %q, want tom", body)
	}
	if errs := srv.log.Take(); len(errs) != 0 {
		t.Errorf("a planted cookie beside a valid one is not worth a report: %v", errs)
	}
}

func TestExpiryThroughTheMiddleware(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.JWT, cookiesession.Fernet} {
		var mu sync.Mutex
		now := time.Unix(1_800_000_000, 0)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		srv := newServer(t, cookiesession.Config{Type: typ, SecretKey: sessiontest.Secret, MaxAge: time.Hour, Now: clock}, kvApp)
		_, resp := srv.get(t, "/set?user=tom")
		if sc := resp.Header.Get("Set-Cookie"); !strings.Contains(sc, "Max-Age=3600") {
			t.Errorf("%s: Set-Cookie %q", typ, sc)
		}
		token := resp.Cookies()[0].Value
		srv.client.Jar = nil // a client that ignores Max-Age and keeps sending the cookie
		mu.Lock()
		now = now.Add(time.Hour + time.Minute)
		mu.Unlock()
		if body, _ := srv.get(t, "/get?user", "session="+token); body != "" {
			t.Errorf("%s: expired cookie still read as %q", typ, body)
		}
		if errs := srv.log.Take(); len(errs) != 1 || !errors.Is(errs[0], cookiesession.ErrExpired) {
			t.Errorf("%s: reported %v, want one ErrExpired", typ, errs)
		}
	}
}

// A handler that flushes before writing its body (server-sent events, a
// streamed page) still gets its cookie: it goes out with the headers.
func TestCookieIsWrittenBeforeTheHeadersWhicheverWayTheyGo(t *testing.T) {
	writers := map[string]func(w http.ResponseWriter){
		"Write":       func(w http.ResponseWriter) { w.Write([]byte("body")) },
		"WriteHeader": func(w http.ResponseWriter) { w.WriteHeader(201) },
		"Flush":       func(w http.ResponseWriter) { w.(http.Flusher).Flush(); w.Write([]byte("event: x\n\n")) },
		"Controller":  func(w http.ResponseWriter) { http.NewResponseController(w).Flush() },
		"ReadFrom":    func(w http.ResponseWriter) { io.Copy(w, strings.NewReader("copied")) },
		"EarlyHints":  func(w http.ResponseWriter) { w.WriteHeader(http.StatusEarlyHints); w.WriteHeader(200) },
		"Nothing":     func(w http.ResponseWriter) {},
	}
	for name, write := range writers {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: "k"}, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/get" {
					kvApp(w, r)
					return
				}
				if err := cookiesession.FromRequest(r).Set("user", "tom"); err != nil {
					t.Error(err)
				}
				write(w)
			})
			_, resp := srv.get(t, "/")
			if !strings.HasPrefix(resp.Header.Get("Set-Cookie"), "session=") {
				t.Errorf("no session cookie; headers %v", resp.Header)
			}
			if body, _ := srv.get(t, "/get?user"); body != "tom" {
				t.Errorf("session not kept: %q", body)
			}
		})
	}
}

func TestChangeAfterTheHeadersIsReported(t *testing.T) {
	srv := newServer(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: "k"}, func(w http.ResponseWriter, r *http.Request) {
		s := cookiesession.FromRequest(r)
		_ = s.Get("user")
		w.Write([]byte("too late"))
		_ = s.Set("user", "tom")
	})
	if _, resp := srv.get(t, "/"); resp.Header.Get("Set-Cookie") != "" {
		t.Error("a cookie appeared after the headers were sent")
	}
	if errs := srv.log.Take(); len(errs) != 1 || !errors.Is(errs[0], cookiesession.ErrHeadersWritten) {
		t.Errorf("reported %v, want one ErrHeadersWritten", errs)
	}
}

func TestTooLargeSessionIsNotSentAndTheOldOneStays(t *testing.T) {
	srv := newServer(t, cookiesession.Config{Type: cookiesession.Fernet, SecretKey: sessiontest.Secret}, kvApp)
	srv.get(t, "/set?user=tom")
	// Set refuses the value (kvApp answers 500 with Set's error).
	_, resp := srv.get(t, "/set?big="+strings.Repeat("x", 4000))
	if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("Set-Cookie") != "" {
		t.Errorf("status %d, Set-Cookie of %d bytes; want 500 and no cookie", resp.StatusCode, len(resp.Header.Get("Set-Cookie")))
	}
	if errs := srv.log.Take(); len(errs) != 1 || !errors.Is(errs[0], cookiesession.ErrTooLarge) || !errors.Is(errs[0], cookiesession.ErrNotSaved) {
		t.Errorf("reported %v, want one error wrapping ErrTooLarge and ErrNotSaved", errs)
	}
	if body, _ := srv.get(t, "/get?user"); body != "tom" {
		t.Errorf("the previous session was lost: %q", body)
	}
}

// Every response through the middleware says "Vary: Cookie", whether the
// handler reads the session before the headers, only after them (after a
// Write or a Flush), or not at all: a cache must not hand one user's page
// to another. An app's own Vary is kept, and Cookie is never named twice.
func TestVaryCookieOnEveryResponse(t *testing.T) {
	for _, tc := range []struct {
		name string
		app  func(w http.ResponseWriter, s *cookiesession.Session)
		want []string
	}{
		{"untouched", func(w http.ResponseWriter, s *cookiesession.Session) { io.WriteString(w, "static") }, []string{"Cookie"}},
		{"returns without writing", func(w http.ResponseWriter, s *cookiesession.Session) {}, []string{"Cookie"}},
		{"read before the headers", func(w http.ResponseWriter, s *cookiesession.Session) {
			io.WriteString(w, s.GetString("user"))
		}, []string{"Cookie"}},
		{"first read after a Write", func(w http.ResponseWriter, s *cookiesession.Session) {
			io.WriteString(w, "hello ")
			io.WriteString(w, s.GetString("user"))
		}, []string{"Cookie"}},
		{"first read after a Flush", func(w http.ResponseWriter, s *cookiesession.Session) {
			w.(http.Flusher).Flush()
			io.WriteString(w, s.GetString("user"))
		}, []string{"Cookie"}},
		{"first read after WriteHeader", func(w http.ResponseWriter, s *cookiesession.Session) {
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, s.GetString("user"))
		}, []string{"Cookie"}},
		{"set", func(w http.ResponseWriter, s *cookiesession.Session) { _ = s.Set("n", 1) }, []string{"Cookie"}},
		{"app's Vary kept", func(w http.ResponseWriter, s *cookiesession.Session) {
			w.Header().Set("Vary", "Accept-Encoding")
			io.WriteString(w, s.GetString("user"))
		}, []string{"Accept-Encoding", "Cookie"}},
		{"app already varies on cookie", func(w http.ResponseWriter, s *cookiesession.Session) {
			w.Header().Add("Vary", "Origin, cookie")
			_ = s.Set("n", 1)
		}, []string{"Origin, cookie"}},
		{"app varies on everything", func(w http.ResponseWriter, s *cookiesession.Session) {
			w.Header().Set("Vary", "*")
		}, []string{"*"}},
		{"app's Vary added after a read", func(w http.ResponseWriter, s *cookiesession.Session) {
			_ = s.GetString("user")
			w.Header().Add("Vary", "Accept-Language")
		}, []string{"Accept-Language", "Cookie"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, cookiesession.Config{Type: cookiesession.Base64}, func(w http.ResponseWriter, r *http.Request) {
				tc.app(w, cookiesession.FromRequest(r))
			})
			_, resp := srv.get(t, "/", "session="+base64URL(`{"user":"tom"}`))
			if got := resp.Header.Values("Vary"); !slices.Equal(got, tc.want) {
				t.Errorf("Vary %q, want %q", got, tc.want)
			}
			if errs := srv.log.Take(); len(errs) != 0 {
				t.Errorf("reported %v", errs)
			}
		})
	}
}

// With a new cookie, shared caches are told not to store it
// (Cache-Control: no-cache="Set-Cookie"), unless the app chose its own
// Cache-Control, which is kept as the only one.
func TestCacheControlWithACookie(t *testing.T) {
	for _, tc := range []struct {
		name string
		app  func(w http.ResponseWriter)
		want []string
	}{
		{"app sets none", func(w http.ResponseWriter) {}, []string{`no-cache="Set-Cookie"`}},
		{"app sets its own", func(w http.ResponseWriter) { w.Header().Set("Cache-Control", "private, max-age=60") }, []string{"private, max-age=60"}},
		{"app sets no-store", func(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }, []string{"no-store"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, cookiesession.Config{Type: cookiesession.Base64}, func(w http.ResponseWriter, r *http.Request) {
				tc.app(w)
				_ = cookiesession.FromRequest(r).Set("user", "tom")
				io.WriteString(w, "ok")
			})
			_, resp := srv.get(t, "/")
			if resp.Header.Get("Set-Cookie") == "" {
				t.Fatal("no cookie")
			}
			if got := resp.Header.Values("Cache-Control"); !slices.Equal(got, tc.want) {
				t.Errorf("Cache-Control %q, want %q", got, tc.want)
			}
		})
	}
	// Without a cookie, nothing is added.
	srv := newServer(t, cookiesession.Config{Type: cookiesession.Base64}, func(w http.ResponseWriter, r *http.Request) {
		_ = cookiesession.FromRequest(r).GetString("user")
	})
	if _, resp := srv.get(t, "/"); len(resp.Header.Values("Cache-Control")) != 0 {
		t.Errorf("Cache-Control %q without a cookie", resp.Header.Values("Cache-Control"))
	}
}

func base64URL(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }

// The connection is the handler's after a Hijack: a change to the session
// made before or after it is not saved (no header goes out) and is
// reported as ErrHeadersWritten.
func TestChangeAroundAHijackIsReported(t *testing.T) {
	for _, when := range []string{"before", "after"} {
		t.Run(when, func(t *testing.T) {
			srv := newServer(t, cookiesession.Config{Type: cookiesession.Base64}, func(w http.ResponseWriter, r *http.Request) {
				s := cookiesession.FromRequest(r)
				if when == "before" {
					_ = s.Set("user", "tom")
				}
				conn, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					t.Errorf("Hijack: %v", err)
					return
				}
				defer conn.Close()
				if when == "after" {
					_ = s.Set("user", "tom")
				}
				buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
				buf.Flush()
			})
			body, resp := srv.get(t, "/")
			if body != "hijacked" || resp.Header.Get("Set-Cookie") != "" {
				t.Errorf("body %q, Set-Cookie %q", body, resp.Header.Get("Set-Cookie"))
			}
			// The handler has returned when the error is reported; the
			// client may have read the response before that.
			var errs []error
			for deadline := time.Now().Add(5 * time.Second); len(errs) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				errs = srv.log.Take()
			}
			if len(errs) != 1 || !errors.Is(errs[0], cookiesession.ErrHeadersWritten) {
				t.Errorf("reported %v, want one ErrHeadersWritten", errs)
			}
		})
	}
}

func TestHijackAndResponseControllerPassThrough(t *testing.T) {
	srv := newServer(t, cookiesession.Config{Type: cookiesession.Base64}, func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetWriteDeadline through the wrapper: %v", err)
		}
		conn, buf, err := rc.Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		buf.Flush()
	})
	if body, _ := srv.get(t, "/"); body != "hijacked" {
		t.Errorf("body %q", body)
	}
}

func TestFromRequestWithoutMiddleware(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if _, ok := cookiesession.FromContext(r.Context()); ok {
		t.Error("FromContext found a session that was never added")
	}
	defer func() {
		if recover() == nil {
			t.Error("FromRequest did not panic without the middleware")
		}
	}()
	cookiesession.FromRequest(r)
}

func TestNewRefusesMisconfiguration(t *testing.T) {
	for _, tc := range []struct {
		cfg  cookiesession.Config
		want error
	}{
		{cookiesession.Config{}, cookiesession.ErrUnknownType},
		{cookiesession.Config{Type: "jwtt"}, cookiesession.ErrUnknownType},
		{cookiesession.Config{Type: cookiesession.JWT}, cookiesession.ErrSecretRequired},
		{cookiesession.Config{Type: cookiesession.Fernet, SecretKey: strings.Repeat("s", 40)}, cookiesession.ErrInvalidSecret},
		{cookiesession.Config{Type: cookiesession.Base64, CookieName: "bad name"}, cookiesession.ErrInvalidConfig},
		{cookiesession.Config{Type: cookiesession.Base64, Domain: "bad domain;"}, cookiesession.ErrInvalidConfig},
		{cookiesession.Config{Type: cookiesession.Base64, Path: "/a;b"}, cookiesession.ErrInvalidConfig},
		{cookiesession.Config{Type: cookiesession.Base64, Path: "app"}, cookiesession.ErrInvalidConfig},
		{cookiesession.Config{Type: cookiesession.Base64, MaxAge: time.Millisecond}, cookiesession.ErrInvalidConfig},
		{cookiesession.Config{Type: cookiesession.Base64, SameSite: http.SameSiteNoneMode}, cookiesession.ErrInvalidConfig},
	} {
		if _, err := cookiesession.New(tc.cfg); !errors.Is(err, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.cfg, err, tc.want)
		}
	}
}

func TestTypeParsing(t *testing.T) {
	for in, want := range map[string]cookiesession.Type{"jwt": cookiesession.JWT, "Fernet": cookiesession.Fernet, " base64 ": cookiesession.Base64} {
		var got cookiesession.Type
		if err := got.Set(in); err != nil || got != want {
			t.Errorf("Set(%q) = %q, %v", in, got, err)
		}
	}
	var typ cookiesession.Type
	if err := typ.UnmarshalText([]byte("pickle")); !errors.Is(err, cookiesession.ErrUnknownType) {
		t.Errorf("pickle: %v", err)
	}
}

// Custom attributes reach the browser.
func TestCookieAttributes(t *testing.T) {
	srv := newServer(t, cookiesession.Config{Type: cookiesession.Base64, CookieName: "sid", Path: "/app",
		Domain: "example.com", Secure: true, SameSite: http.SameSiteStrictMode, DisableHTTPOnly: true,
		MaxAge: cookiesession.BrowserSession}, kvApp)
	_, resp := srv.get(t, "/set?a=1")
	want := "sid=eyJhIjoiMSJ9; Path=/app; Domain=example.com; Secure; SameSite=Strict"
	if got := resp.Header.Get("Set-Cookie"); got != want {
		t.Errorf("Set-Cookie\n got %s\nwant %s", got, want)
	}
	if got := resp.Header.Get("Cache-Control"); got != `no-cache="Set-Cookie"` {
		t.Errorf("Cache-Control %q", got)
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// A handler that panics saves nothing, even if a recovery middleware
// outside writes the error response through the session's writer (as gin's
// and echo's do).
func TestPanickingHandlerSavesNothing(t *testing.T) {
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		t.Fatal(err)
	}
	var inner http.ResponseWriter
	handler := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner = w
		_ = cookiesession.FromRequest(r).Set("paid", true)
		panic("handler bug")
	}))
	recovery := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if recover() != nil {
				http.Error(inner, "internal error", http.StatusInternalServerError)
			}
		}()
		handler.ServeHTTP(w, r)
	})
	rec := httptest.NewRecorder()
	recovery.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 || rec.Header().Get("Set-Cookie") != "" {
		t.Errorf("status %d, Set-Cookie %q: a panicking handler's session was saved", rec.Code, rec.Header().Get("Set-Cookie"))
	}
}

// Flush on a writer that cannot flush sends nothing, so the session may
// still change and its cookie still goes out.
func TestFlushWithoutFlusherKeepsTheSessionOpen(t *testing.T) {
	srv := newServer(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: "k"}, func(w http.ResponseWriter, r *http.Request) {
		if err := http.NewResponseController(w).Flush(); !errors.Is(err, http.ErrNotSupported) {
			t.Errorf("Flush: %v, want ErrNotSupported", err)
		}
		w.(http.Flusher).Flush()
		_ = cookiesession.FromRequest(r).Set("user", "tom")
	})
	// The middleware runs on a writer that hides its Flush.
	srv.Config.Handler = hideFlush(srv.Config.Handler)
	_, resp := srv.get(t, "/")
	if !strings.HasPrefix(resp.Header.Get("Set-Cookie"), "session=") {
		t.Errorf("no cookie after a Flush that could not flush: %v", resp.Header)
	}
	if errs := srv.log.Take(); len(errs) != 0 {
		t.Errorf("reported %v", errs)
	}
}

type writerWithoutFlush struct{ w http.ResponseWriter }

func (w writerWithoutFlush) Header() http.Header         { return w.w.Header() }
func (w writerWithoutFlush) Write(b []byte) (int, error) { return w.w.Write(b) }
func (w writerWithoutFlush) WriteHeader(code int)        { w.w.WriteHeader(code) }

func hideFlush(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(writerWithoutFlush{w}, r)
	})
}

// allocWriter is a ResponseWriter that keeps its header map between runs.
type allocWriter struct{ h http.Header }

func (w *allocWriter) Header() http.Header         { return w.h }
func (w *allocWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *allocWriter) WriteHeader(int)             {}

// The middleware's cost on a request that never touches its session is
// one allocation (the per-request state), Vary included.
func TestUntouchedRequestAllocatesOnce(t *testing.T) {
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(nil) }))
	w := &allocWriter{h: http.Header{"Content-Type": {"text/plain"}}}
	r := httptest.NewRequest("GET", "/", nil)
	allocs := testing.AllocsPerRun(100, func() {
		delete(w.h, "Vary")
		h.ServeHTTP(w, r)
	})
	if got := w.h.Values("Vary"); !slices.Equal(got, []string{"Cookie"}) {
		t.Errorf("Vary %q", got)
	}
	if allocs > 1 {
		t.Errorf("%v allocations per untouched request, want 1", allocs)
	}
}
