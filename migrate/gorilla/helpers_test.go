package gorilla_test

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/migrate/gorilla"
	"github.com/gorilla/sessions"
)

// The name the gorilla application gives its session (the cookie name).
const cookieName = "app-session"

// Keys as an application would hold them: 32- and 64-byte hash keys, AES
// block keys of each size.
var (
	hashKey     = bytes.Repeat([]byte("H"), 64)
	blockKey    = bytes.Repeat([]byte("B"), 32)
	oldHashKey  = bytes.Repeat([]byte("h"), 32)
	oldBlockKey = bytes.Repeat([]byte("b"), 16)
	otherHash   = bytes.Repeat([]byte("X"), 64)
	otherBlock  = bytes.Repeat([]byte("Y"), 32)
)

// sentinels are the errors every refused cookie must wrap one of.
var sentinels = []error{
	cookiesession.ErrMalformed, cookiesession.ErrSignature, cookiesession.ErrAlgorithm,
	cookiesession.ErrExpired, cookiesession.ErrNotYetValid, cookiesession.ErrTooLarge,
}

// gorillaCookie saves values through store as a gorilla/sessions
// application does (session.Save on a response), and returns the value of
// the cookie gorilla wrote.
func gorillaCookie(t testing.TB, store *sessions.CookieStore, values map[interface{}]interface{}) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	rec := httptest.NewRecorder()
	s, err := store.Get(req, cookieName)
	if err != nil {
		t.Fatalf("gorilla store.Get: %v", err)
	}
	for k, v := range values {
		s.Values[k] = v
	}
	if err := s.Save(req, rec); err != nil {
		t.Fatalf("gorilla session.Save: %v", err)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == cookieName {
			return c.Value
		}
	}
	t.Fatalf("gorilla wrote no %q cookie: %v", cookieName, rec.Header())
	return ""
}

// gorillaReads reports whether gorilla/sessions itself reads value, the
// control for every refusal of the codec.
func gorillaReads(store *sessions.CookieStore, value string) bool {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: cookieName, Value: value})
	s, err := store.New(req, cookieName)
	return err == nil && !s.IsNew
}

// mustCodec is gorilla.NewCodec that fails the test on error.
func mustCodec(t testing.TB, keyPairs ...[]byte) cookiesession.Codec {
	t.Helper()
	c, err := gorilla.NewCodec(cookieName, keyPairs...)
	if err != nil {
		t.Fatalf("NewCodec: %v", err)
	}
	return c
}

// wantRefused checks a refusal: err wraps want (and only want of the
// sentinels) and no values came with it.
func wantRefused(t testing.TB, v cookiesession.Values, err, want error) {
	t.Helper()
	if err == nil {
		t.Fatalf("decoded %v, want an error wrapping %v", v, want)
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %q does not wrap %q", err, want)
	}
	for _, s := range sentinels {
		if s != want && errors.Is(err, s) {
			t.Fatalf("error %q wraps %q as well as %q", err, s, want)
		}
	}
	if v != nil {
		t.Fatalf("refused cookie came with values %v", v)
	}
}

func httptestRequest() *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// cookieFrom returns the value of the session cookie rec holds.
func cookieFrom(t testing.TB, rec *httptest.ResponseRecorder) string {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == cookieName {
			return c.Value
		}
	}
	t.Fatalf("no %q cookie in %v", cookieName, rec.Header())
	return ""
}

// register is gob.Register for the application's own types, once.
func register(v interface{}) {
	registerMu.Lock()
	defer registerMu.Unlock()
	name := fmt.Sprintf("%T", v)
	if !registered[name] {
		gob.Register(v)
		registered[name] = true
	}
}

var (
	registerMu sync.Mutex
	registered = map[string]bool{}
)
