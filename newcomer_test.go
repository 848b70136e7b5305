package cookiesession_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/sessiontest"
)

// strongSecret is a secret New accepts for every type without a warning.
const strongSecret = sessiontest.Secret

// A change after the headers went out is refused by the method that makes
// it: Set, Delete and Clear return ErrHeadersWritten (and ErrNotSaved),
// change nothing, and the error is also reported, once.
func TestChangesAfterTheHeadersAreRefusedByTheMethod(t *testing.T) {
	for _, typ := range sessiontest.Types {
		t.Run(string(typ), func(t *testing.T) {
			log := &sessiontest.ErrorLog{}
			m, err := cookiesession.New(cookiesession.Config{Type: typ, SecretKey: strongSecret, ErrorHandler: log.Handle})
			if err != nil {
				t.Fatal(err)
			}
			var setErr, deleteErr, clearErr, sameErr error
			var after []string
			srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := cookiesession.FromRequest(r)
				if r.URL.Path == "/login" {
					if err := s.Set("user", "tom"); err != nil {
						t.Error(err)
					}
					return
				}
				w.Write([]byte("body first"))
				setErr = s.Set("user", "ann")
				sameErr = s.Set("user", "tom") // no change: nothing to refuse
				deleteErr = s.Delete("user")
				clearErr = s.Clear()
				after = s.Keys()
				_ = s.Delete("missing") // no change either
			})))
			defer srv.Close()
			client := sessiontest.NewClient()
			sessiontest.Get(t, client, srv.URL+"/login")
			resp, _ := sessiontest.Get(t, client, srv.URL+"/late")
			for name, err := range map[string]error{"Set": setErr, "Delete": deleteErr, "Clear": clearErr} {
				if !errors.Is(err, cookiesession.ErrHeadersWritten) || !errors.Is(err, cookiesession.ErrNotSaved) || errors.Is(err, cookiesession.ErrCookieRefused) {
					t.Errorf("%s after the body: %v, want ErrHeadersWritten and ErrNotSaved", name, err)
				}
			}
			if sameErr != nil {
				t.Errorf("Set of the value already held: %v", sameErr)
			}
			if len(after) != 1 || after[0] != "user" {
				t.Errorf("refused changes changed the session: keys %v", after)
			}
			if sc := resp.Header.Get("Set-Cookie"); sc != "" {
				t.Errorf("Set-Cookie after the body: %q", sc)
			}
			errs := log.Take()
			if len(errs) != 3 {
				t.Errorf("reported %d errors, want 3 (one per refused change): %v", len(errs), errs)
			}
			for _, err := range errs {
				if !errors.Is(err, cookiesession.ErrHeadersWritten) || !errors.Is(err, cookiesession.ErrNotSaved) {
					t.Errorf("reported %v", err)
				}
			}
		})
	}
}

// A hijacked connection cannot carry a cookie: a change after Hijack is
// refused by Set; one made before it is reported when the handler returns.
func TestChangesAroundAHijack(t *testing.T) {
	log := &sessiontest.ErrorLog{}
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.JWT, SecretKey: strongSecret, ErrorHandler: log.Handle})
	if err != nil {
		t.Fatal(err)
	}
	var afterErr error
	// The client reads the hijacked response before the handler returns,
	// and the middleware reports when it does: the test waits for that.
	returned := make(chan struct{}, 1)
	wait := func() {
		t.Helper()
		select {
		case <-returned:
		case <-time.After(5 * time.Second):
			t.Fatal("the handler did not return")
		}
	}
	inner := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := cookiesession.FromRequest(r)
		if r.URL.Path == "/before" {
			if err := s.Set("user", "tom"); err != nil {
				t.Error(err)
			}
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		if r.URL.Path == "/after" {
			afterErr = s.Set("user", "tom")
		}
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
		buf.Flush()
	}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r)
		returned <- struct{}{}
	}))
	defer srv.Close()
	client := sessiontest.NewClient()

	if resp, _ := sessiontest.Get(t, client, srv.URL+"/after"); resp.Header.Get("Set-Cookie") != "" {
		t.Error("a cookie on a hijacked connection")
	}
	wait()
	if !errors.Is(afterErr, cookiesession.ErrHeadersWritten) {
		t.Errorf("Set after Hijack: %v, want ErrHeadersWritten", afterErr)
	}
	if errs := log.Take(); len(errs) != 1 || !errors.Is(errs[0], cookiesession.ErrHeadersWritten) {
		t.Errorf("after Hijack: reported %v, want one ErrHeadersWritten", errs)
	}

	sessiontest.Get(t, client, srv.URL+"/before")
	wait()
	if errs := log.Take(); len(errs) != 1 || !errors.Is(errs[0], cookiesession.ErrHeadersWritten) || !errors.Is(errs[0], cookiesession.ErrNotSaved) {
		t.Errorf("before Hijack: reported %v, want one ErrHeadersWritten", errs)
	}
}

// Every reported error says its side: a refused cookie wraps
// ErrCookieRefused, a session that could not be saved ErrNotSaved, never
// both; a cookie refused for its size and a session too large to send
// both wrap ErrTooLarge and are told apart by the side.
func TestReportedErrorsSayTheirSide(t *testing.T) {
	log := &sessiontest.ErrorLog{}
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Fernet, SecretKey: strongSecret, ErrorHandler: log.Handle})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Load(context.Background(), strings.Repeat("A", cookiesession.MaxCookieSize+1))
	if err := s.Err(); !errors.Is(err, cookiesession.ErrCookieRefused) || !errors.Is(err, cookiesession.ErrTooLarge) || errors.Is(err, cookiesession.ErrNotSaved) {
		t.Errorf("Session.Err of an oversized cookie: %v", err)
	}
	if err := s.Set("big", strings.Repeat("x", 4000)); !errors.Is(err, cookiesession.ErrNotSaved) || !errors.Is(err, cookiesession.ErrTooLarge) || errors.Is(err, cookiesession.ErrCookieRefused) {
		t.Errorf("Set too large: %v", err)
	}
	errs := log.Take()
	if len(errs) != 2 {
		t.Fatalf("reported %v, want 2 errors", errs)
	}
	if !errors.Is(errs[0], cookiesession.ErrCookieRefused) || errors.Is(errs[0], cookiesession.ErrNotSaved) || !errors.Is(errs[0], cookiesession.ErrTooLarge) {
		t.Errorf("refused cookie reported as %v", errs[0])
	}
	if !errors.Is(errs[1], cookiesession.ErrNotSaved) || errors.Is(errs[1], cookiesession.ErrCookieRefused) || !errors.Is(errs[1], cookiesession.ErrTooLarge) {
		t.Errorf("session too large reported as %v", errs[1])
	}
	// The side adds no words: the message is what went wrong.
	if msg := errs[0].Error(); strings.Count(msg, "refused") != 1 {
		t.Errorf("message %q", msg)
	}
}

// The default log record of a request carries its method and path (the
// path escaped, so a client cannot break the line); Load/Save sessions,
// which have no request, log without them.
func TestLogRecordsCarryTheRequest(t *testing.T) {
	var logs bytes.Buffer
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.JWT, SecretKey: strongSecret,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = cookiesession.FromRequest(r).Get("user")
	}))
	req := httptest.NewRequest("POST", "/cart/a%0Ab%20c?q=1", nil)
	req.Header.Set("Cookie", "session=garbage")
	h.ServeHTTP(httptest.NewRecorder(), req)
	line := logs.String()
	for _, want := range []string{"level=WARN", `msg="session cookie refused"`, "method=POST", "path=/cart/a%0Ab%20c", "cookie=session", "type=jwt", "cookiesession: malformed cookie"} {
		if !strings.Contains(line, want) {
			t.Errorf("log record lacks %q: %s", want, line)
		}
	}
	if strings.Count(line, "\n") != 1 {
		t.Errorf("the path broke the log record's line: %q", line)
	}

	logs.Reset()
	s := m.Load(context.Background(), "garbage")
	_ = s.Len()
	if line := logs.String(); !strings.Contains(line, "session cookie refused") || strings.Contains(line, "method=") || strings.Contains(line, "path=") {
		t.Errorf("Load's record: %s", line)
	}
}

// Logout clears a refused cookie: Clear or Delete on a session whose
// request carried a cookie of its name that was refused expires it, so the
// browser stops sending it, and later requests report nothing.
func TestClearingExpiresARefusedCookie(t *testing.T) {
	for _, how := range []string{"clear", "delete"} {
		for _, typ := range sessiontest.Types {
			t.Run(how+"/"+string(typ), func(t *testing.T) {
				log := &sessiontest.ErrorLog{}
				m, err := cookiesession.New(cookiesession.Config{Type: typ, SecretKey: strongSecret, ErrorHandler: log.Handle})
				if err != nil {
					t.Fatal(err)
				}
				srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					s := cookiesession.FromRequest(r)
					var err error
					switch r.URL.Path {
					case "/logout":
						if how == "clear" {
							err = s.Clear()
						} else {
							err = s.Delete("user")
						}
					default:
						_ = s.GetString("user")
					}
					if err != nil {
						t.Error(err)
					}
				})))
				defer srv.Close()
				client := sessiontest.NewClient()
				u, err := url.Parse(srv.URL)
				if err != nil {
					t.Fatal(err)
				}
				client.Jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: "bm90LWEtc2Vzc2lvbg"}})

				sessiontest.Get(t, client, srv.URL+"/")
				if errs := log.Take(); len(errs) != 1 || !errors.Is(errs[0], cookiesession.ErrCookieRefused) {
					t.Fatalf("the bad cookie: reported %v", errs)
				}
				resp, _ := sessiontest.Get(t, client, srv.URL+"/logout")
				if sc := resp.Header.Get("Set-Cookie"); !strings.HasPrefix(sc, "session=;") || !strings.Contains(sc, "Max-Age=0") {
					t.Errorf("logout with a refused cookie: Set-Cookie %q, want it expired", sc)
				}
				log.Take()
				if c := client.Jar.Cookies(u); len(c) != 0 {
					t.Errorf("the browser still holds %v", c)
				}
				sessiontest.Get(t, client, srv.URL+"/")
				if errs := log.Take(); len(errs) != 0 {
					t.Errorf("after logout: reported %v", errs)
				}
				// No cookie: logging out again writes nothing.
				if resp, _ := sessiontest.Get(t, client, srv.URL+"/logout"); resp.Header.Get("Set-Cookie") != "" {
					t.Errorf("logout without a cookie: Set-Cookie %q", resp.Header.Get("Set-Cookie"))
				}
			})
		}
	}
}

// The same rule for a cookie that holds an empty session, and for the
// Load/Save API.
func TestClearingExpiresAnEmptyCookie(t *testing.T) {
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Load(context.Background(), "e30=") // {}
	if err := s.Clear(); err != nil {
		t.Fatal(err)
	}
	if c, err := m.Save(s); err != nil || c == nil || c.MaxAge >= 0 {
		t.Errorf("Save after clearing an empty cookie: %v, %v; want one expiring it", c, err)
	}
	s = m.Load(context.Background(), "")
	if err := s.Clear(); err != nil {
		t.Fatal(err)
	}
	if c, err := m.Save(s); err != nil || c != nil {
		t.Errorf("Save after clearing without a cookie: %v, %v; want none", c, err)
	}
}

// Lowering MaxAge makes jwt tokens written under the larger one look
// dated ahead: they are refused as expired, with words that say why.
func TestLoweredMaxAgeEndsJWTSessionsWithAClearError(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	long, err := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.JWT, SecretKey: strongSecret, MaxAge: 30 * 24 * time.Hour, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	token, err := long.Encode(cookiesession.Values{"user": []byte(`"tom"`)})
	if err != nil {
		t.Fatal(err)
	}
	short, err := cookiesession.NewCodec(cookiesession.Config{Type: cookiesession.JWT, SecretKey: strongSecret, MaxAge: 7 * 24 * time.Hour, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	_, err = short.Decode(token)
	if !errors.Is(err, cookiesession.ErrExpired) || errors.Is(err, cookiesession.ErrNotYetValid) {
		t.Fatalf("a token of the larger MaxAge: %v, want ErrExpired", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "further ahead than MaxAge") || strings.Contains(msg, "not valid yet") {
		t.Errorf("message %q", msg)
	}
}

// Smaller rules of the configuration and of Set.
func TestConfigAndKeyRules(t *testing.T) {
	for _, spelled := range []string{"JWT", " Jwt ", "jwt"} {
		m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Type(spelled), SecretKey: strongSecret})
		if err != nil {
			t.Errorf("Type %q: %v", spelled, err)
			continue
		}
		s := m.Load(context.Background(), "")
		if err := s.Set("exp", 1); !errors.Is(err, cookiesession.ErrReservedKey) {
			t.Errorf("Type %q is not handled as jwt: Set(exp) = %v", spelled, err)
		}
	}
	if _, err := cookiesession.New(cookiesession.Config{Type: "jwtt", SecretKey: strongSecret}); !errors.Is(err, cookiesession.ErrUnknownType) {
		t.Errorf("Type jwtt: %v", err)
	}
	for path, ok := range map[string]bool{"app": false, "app/": false, "/app": true, "/": true, "": true} {
		_, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64, Path: path})
		if ok != (err == nil) || (err != nil && !errors.Is(err, cookiesession.ErrInvalidConfig)) {
			t.Errorf("Path %q: %v", path, err)
		}
	}
	m, err := cookiesession.New(cookiesession.Config{Type: cookiesession.Base64})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Load(context.Background(), "")
	if err := s.Set("", "x"); !errors.Is(err, cookiesession.ErrInvalidKey) {
		t.Errorf("Set with the empty key: %v, want ErrInvalidKey", err)
	}
	if s.Len() != 0 || s.Changed() {
		t.Error("a refused key changed the session")
	}
}
