package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
)

// The example's flow, for every session type, through a real server and a
// client with a cookie jar, as a browser would.
func TestHelloFlow(t *testing.T) {
	for _, typ := range []cookiesession.Type{cookiesession.Base64, cookiesession.JWT, cookiesession.Fernet} {
		t.Run(string(typ), func(t *testing.T) {
			var reported []error
			sessions, err := cookiesession.New(cookiesession.Config{
				Type:         typ,
				SecretKey:    demoSecret,
				ErrorHandler: func(_ context.Context, err error) { reported = append(reported, err) },
			})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(sessions.Handler(http.HandlerFunc(hello)))
			defer srv.Close()
			jar, _ := cookiejar.New(nil)
			client := &http.Client{
				Jar:           jar,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			}
			get := func(path string) (int, string, http.Header) {
				resp, err := client.Get(srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(body), resp.Header
			}
			if _, body, _ := get("/"); body != "Hello Anonymous" {
				t.Errorf("GET / = %q", body)
			}
			code, body, h := get("/?tom")
			if code != http.StatusTemporaryRedirect || h.Get("Location") != "/" || body != "Hello Tom" {
				t.Errorf("GET /?tom = %d %q Location %q", code, body, h.Get("Location"))
			}
			for _, attr := range []string{"HttpOnly", "Path=/", "SameSite=Lax", "Max-Age=1209600"} {
				if !strings.Contains(h.Get("Set-Cookie"), attr) {
					t.Errorf("cookie %q lacks %s", h.Get("Set-Cookie"), attr)
				}
			}
			if _, body, h := get("/"); body != "Hello Tom" || h.Get("Set-Cookie") != "" {
				t.Errorf("GET / = %q, Set-Cookie %q", body, h.Get("Set-Cookie"))
			}
			if len(reported) != 0 {
				t.Errorf("reported %v", reported)
			}
		})
	}
}

// A value Set refuses for its size is the client's doing: 400. Any other
// error is a 500 that shows nothing of the error.
func TestSessionError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
	}{
		{fmt.Errorf("set: %w", cookiesession.ErrTooLarge), http.StatusBadRequest},
		{errors.New("secret detail"), http.StatusInternalServerError},
	} {
		rec := httptest.NewRecorder()
		sessionError(rec, tc.err)
		if rec.Code != tc.code || strings.Contains(rec.Body.String(), "secret detail") {
			t.Errorf("%v: %d %q", tc.err, rec.Code, rec.Body.String())
		}
	}
}

// The demo secret is a full-strength fernet secret: exactly 32 characters.
func TestDemoSecret(t *testing.T) {
	if len(demoSecret) != 32 {
		t.Errorf("the demo secret has %d characters, want 32", len(demoSecret))
	}
}

// Expected values are what CPython 3's str.title returns.
func TestTitle(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "",
		"anonymous":        "Anonymous",
		"tom":              "Tom",
		"TOM":              "Tom",
		"tom smith":        "Tom Smith",
		"o'neil-smith 3rd": "O'Neil-Smith 3Rd",
		"jürgen ж":         "Jürgen Ж",
		"x_y.z":            "X_Y.Z",
		"%20tom":           "%20Tom",
		"ǆemal":            "ǅemal",
		"ǅx":               "ǅx", // a titlecase letter is cased
		"ʼn":               "ʼN", // a letter need not be cased
	} {
		if got := title(in); got != want {
			t.Errorf("title(%q) = %q, want %q", in, got, want)
		}
	}
}
