package main

import (
	"net/http"
	"strings"
	"testing"
)

// -max-size 16384 -compress: /fill/6000 stores 6000 random letters over
// several cookies, /fill reads them back; shrinking to one cookie
// expires the chunks no longer needed. Without -max-size the same session
// is too large for one cookie: 400, and the session stays as it was.
func TestFill(t *testing.T) {
	for _, args := range [][]string{
		{"-type", "jwt", "-max-size", "16384", "-compress"},
		{"-type", "jwt", "-max-size", "16384"},
		{"-type", "base64", "-max-size", "16384", "-compress"},
		{"-type", "fernet", "-max-size", "16384"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			srv := start(t, nil, append(args, "-secret", testSecret)...)
			b := newBrowser(t)
			expect(t, "/fill before", b.get(srv.url, "/fill"), http.StatusOK, "fill: 0\n")
			r := b.get(srv.url, "/fill/6000")
			expect(t, "/fill/6000", r, http.StatusOK, "Stored 6000\n")
			if len(r.setCookie) < 2 {
				t.Errorf("/fill/6000 set %d cookies, want chunks", len(r.setCookie))
			}
			expect(t, "/fill", b.get(srv.url, "/fill"), http.StatusOK, "fill: 6000\n")
			b.get(srv.url, "/login/tom")
			expect(t, "/ with a big session", b.get(srv.url, "/"), http.StatusOK, "Hello Tom\n")
			expect(t, "/fill after login", b.get(srv.url, "/fill"), http.StatusOK, "fill: 6000\n")

			r = b.get(srv.url, "/fill/100")
			expect(t, "/fill/100", r, http.StatusOK, "Stored 100\n")
			if n := strings.Count(strings.Join(r.setCookie, "\n"), "Max-Age=0"); n == 0 {
				t.Errorf("shrinking to one cookie expired no chunk: %q", r.setCookie)
			}
			if h := b.cookieHeader(srv.url); h == "" || strings.Contains(h, "; ") {
				t.Errorf("the browser sends %q after shrinking, want one cookie", h)
			}
			expect(t, "/fill after shrinking", b.get(srv.url, "/fill"), http.StatusOK, "fill: 100\n")
			if errs := srv.errors(); len(errs) != 0 {
				t.Errorf("reported %v", errs)
			}
		})
	}
	t.Run("one cookie", func(t *testing.T) {
		srv := start(t, nil, "-secret", testSecret)
		b := newBrowser(t)
		expect(t, "/fill/100", b.get(srv.url, "/fill/100"), http.StatusOK, "Stored 100\n")
		r := b.get(srv.url, "/fill/6000")
		if r.status != http.StatusBadRequest || len(r.setCookie) != 0 {
			t.Errorf("/fill/6000 in one cookie: %d %q, Set-Cookie %q; want 400 and no cookie", r.status, r.body, r.setCookie)
		}
		expect(t, "/fill after the refusal", b.get(srv.url, "/fill"), http.StatusOK, "fill: 100\n")
		if n := debugVarsOf(t, srv).NotSaved["too_large"]; n != 1 {
			t.Errorf("not_saved.too_large = %d, want 1", n)
		}
	})
	// Over -max-size nothing is lost either: no cookie is set, the client
	// keeps its session, and not_saved.too_large counts it. (The answer's
	// status is not checked: with -max-size or -compress, Set cannot tell
	// the size before the session is encoded, when the response goes out.)
	t.Run("over -max-size", func(t *testing.T) {
		srv := start(t, nil, "-secret", testSecret, "-max-size", "8192")
		b := newBrowser(t)
		expect(t, "/fill/4000", b.get(srv.url, "/fill/4000"), http.StatusOK, "Stored 4000\n")
		if r := b.get(srv.url, "/fill/9000"); len(r.setCookie) != 0 {
			t.Errorf("/fill/9000 over -max-size 8192: Set-Cookie %q", r.setCookie)
		}
		expect(t, "/fill after the refusal", b.get(srv.url, "/fill"), http.StatusOK, "fill: 4000\n")
		if n := debugVarsOf(t, srv).NotSaved["too_large"]; n != 1 {
			t.Errorf("not_saved.too_large = %d, want 1", n)
		}
	})
	t.Run("bad n", func(t *testing.T) {
		srv := start(t, nil, "-secret", testSecret)
		for _, n := range []string{"-1", "x", "65537", "99999999999999999999"} {
			if r := getWith(t, srv.url, "/fill/"+n, ""); r.status != http.StatusBadRequest || !strings.Contains(r.body, "from 0 to 65536") {
				t.Errorf("/fill/%s: %d %q, want 400 saying what n may be", n, r.status, r.body)
			}
		}
	})
}

// Letters are random, so that compression cannot make a big session
// small, and letters only.
func TestRandomLetters(t *testing.T) {
	a, b := randomLetters(64), randomLetters(64)
	if len(a) != 64 || a == b || strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		t.Errorf("randomLetters(64) = %q, then %q", a, b)
	}
	if randomLetters(0) != "" {
		t.Error("randomLetters(0) is not empty")
	}
}
