package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

// vectors are the cookies asgi-sessions 1.2.4 wrote (testdata/interop).
type vectors struct {
	Valid []struct {
		Type, Token string
		Secret      *string
		Values      json.RawMessage
	}
	Invalid []struct {
		Type, Token, Why string
		Secret           *string
	}
}

func readVectors(t *testing.T) vectors {
	t.Helper()
	data, err := os.ReadFile("../../testdata/interop/asgi-sessions-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Valid) == 0 || len(v.Invalid) == 0 {
		t.Fatal("no vectors")
	}
	return v
}

// jsonTokens renders a session's JSON text as the sequence of its tokens,
// top-level keys sorted: numbers as their exact text (never parsed),
// strings decoded (so "\u00fc" and "ü" are the same string, as the cookie
// and the vector file spell it differently). Two texts with the same tokens
// hold the same session, digit for digit.
func jsonTokens(t *testing.T, text []byte) string {
	t.Helper()
	var object map[string]json.RawMessage
	if err := json.Unmarshal(text, &object); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	keys := make([]string, 0, len(object))
	for k := range object {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, "key "+strconv.Quote(k))
		dec := json.NewDecoder(bytes.NewReader(object[k]))
		dec.UseNumber()
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", object[k], err)
			}
			switch v := tok.(type) {
			case json.Number:
				out = append(out, "number "+string(v))
			case string:
				out = append(out, "string "+strconv.Quote(v))
			default:
				out = append(out, fmt.Sprint(v))
			}
		}
	}
	return strings.Join(out, " ")
}

func vectorArgs(typ string, secret *string, token string) []string {
	a := []string{"decode", "-type", typ, "-max-age", "0"}
	if secret != nil {
		a = append(a, "-secret", *secret)
	}
	return append(a, token)
}

// Every cookie asgi-sessions wrote decodes to exactly its values: the
// printed text is compared with the vector's JSON text token by token,
// numbers as text (integers beyond 2^53 included, never parsed into a
// float64); every forged one is refused with exit 1.
func TestDecodeASGIVectors(t *testing.T) {
	v := readVectors(t)
	bigIntegers := 0
	for _, vec := range v.Valid {
		want := jsonTokens(t, vec.Values)
		if strings.Contains(want, "number 9007199254742945") {
			bigIntegers++
		}
		r := runCLI(vectorArgs(vec.Type, vec.Secret, vec.Token)...)
		if r.code != 0 || jsonTokens(t, []byte(r.stdout)) != want {
			t.Errorf("%s %.20s…: exit %d, printed %s, want %s\n%s", vec.Type, vec.Token, r.code, r.stdout, want, r.stderr)
		}
	}
	if bigIntegers == 0 {
		t.Error("no vector holds the integer 9007199254742945 (2^53+953): the exactness check checks nothing")
	}
	for _, vec := range v.Invalid {
		r := runCLI(vectorArgs(vec.Type, vec.Secret, vec.Token)...)
		if r.code != 1 || r.stdout != "" || !strings.HasPrefix(r.stderr, "cookiesession: ") {
			t.Errorf("%s (%s): exit %d, stdout %q, stderr %q", vec.Type, vec.Why, r.code, r.stdout, r.stderr)
		}
	}
}

// decode reads cookies made under fernet secrets of 16 characters or fewer
// (asgi-sessions apps use them) and says that their encryption key is
// public.
func TestDecodeShortFernetSecrets(t *testing.T) {
	v := readVectors(t)
	n := 0
	for _, vec := range v.Valid {
		if vec.Type != "fernet" || len(*vec.Secret) > 16 {
			continue
		}
		n++
		r := runCLI(vectorArgs(vec.Type, vec.Secret, vec.Token)...)
		if r.code != 0 || jsonTokens(t, []byte(r.stdout)) != jsonTokens(t, vec.Values) {
			t.Errorf("secret %q: exit %d %q %s", *vec.Secret, r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stderr, "encryption key is public") {
			t.Errorf("secret %q: stderr %q does not say the encryption key is public", *vec.Secret, r.stderr)
		}
	}
	if n == 0 {
		t.Fatal("no vector with a short fernet secret")
	}
	// And as a -previous-secret.
	for _, vec := range v.Valid {
		if vec.Type == "fernet" && *vec.Secret == "k" {
			r := runCLI("decode", "-type", "fernet", "-max-age", "0", "-secret", secret, "-previous-secret", "k", "-v", vec.Token)
			if r.code != 0 || !strings.Contains(r.stderr, "-previous-secret #1 has 1 characters, so its encryption key is public") || !strings.Contains(r.stderr, "key: -previous-secret #1") {
				t.Errorf("as -previous-secret: exit %d %s", r.code, r.stderr)
			}
			break
		}
	}
	// At the boundary: 16 characters leave the whole key public, 17 all
	// but one byte of it.
	for _, tc := range []struct{ secret, note string }{
		{"0123456789abcdef", "has 16 characters, so its encryption key is public"},
		{"0123456789abcdefg", "has 17 characters: 15 of the 16 bytes of its encryption key are public"},
	} {
		// The same key as a standard Fernet key, which New accepts: the
		// secret padded with '=' to 32 bytes, in base64url.
		padded := tc.secret + strings.Repeat("=", 32-len(tc.secret))
		standard := base64.URLEncoding.EncodeToString([]byte(padded))
		token := mustToken(t, cookiesession.Config{Type: cookiesession.Fernet, SecretKey: standard}, cookiesession.Values{})
		if r := runCLI("decode", "-type", "fernet", "-secret", tc.secret, token); r.code != 0 || !strings.Contains(r.stderr, tc.note) {
			t.Errorf("%d characters: exit %d, stderr %q", len(tc.secret), r.code, r.stderr)
		}
	}
	// A 32-character secret gets no such note.
	tok := runCLI("encode", "-type", "fernet", "-secret", secret, "{}")
	if r := runCLI("decode", "-type", "fernet", "-secret", secret, tok.stdout); r.code != 0 || r.stderr != "" {
		t.Errorf("a 32-character secret: exit %d, stderr %q", r.code, r.stderr)
	}
}

// decode -cookies picks and tries the session's cookies exactly as the
// middleware does: for each Cookie header, the CLI prints the values the
// middleware's handler sees, or fails where the middleware refuses.
func TestDecodeCookiesAsTheMiddleware(t *testing.T) {
	cfg := cookiesession.Config{Type: cookiesession.JWT, SecretKey: secret}
	a := mustToken(t, cfg, cookiesession.Values{"user": []byte(`"a"`)})
	b := mustToken(t, cfg, cookiesession.Values{"user": []byte(`"b"`)})
	bad := a[:len(a)-2] + "xx"
	headers := []string{
		"session=" + a,
		"session=" + a + "; session=" + b,
		"session=" + bad + "; session=" + b,
		"session=; session=" + b,
		"session=" + bad + "; session=" + bad + "; session=" + bad + "; session=" + b,                      // the fourth
		"session=" + bad + "; session=" + bad + "; session=" + bad + "; session=" + bad + "; session=" + b, // the fifth: not tried
		"session=\"" + a + "\"",
		"other=" + a + "; session=" + b,
		" session = " + a,
		"session=" + a + ";session=" + b,
		"session=" + bad,
		"x; session=" + b + "; y",
		"SESSION=" + a + "; session=" + b,
		"session=" + bad + "; session=; session=" + b,
	}
	mw := cfg
	mw.ErrorHandler = func(context.Context, error) {} // Session.Err tells
	sessions, err := cookiesession.New(mw)
	if err != nil {
		t.Fatal(err)
	}
	var seen string
	app := sessions.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := cookiesession.FromRequest(r)
		if err := s.Err(); err != nil {
			seen = "refused"
			return
		}
		values := cookiesession.Values{}
		for _, k := range s.Keys() {
			values[k], _ = s.Raw(k)
		}
		seen, _ = formatValues(values)
		if seen == "{}" { // no cookie of the name: these tests have no empty session
			seen = "absent"
		}
	}))
	for _, h := range headers {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Cookie", h)
		app.ServeHTTP(httptest.NewRecorder(), req)
		r := runCLI("decode", "-type", "jwt", "-secret", secret, "-cookies", h)
		got := r.stdout
		switch {
		case r.code == 1 && strings.Contains(r.stderr, "no cookie named"):
			got = "absent"
		case r.code == 1:
			got = "refused"
		}
		if got != seen {
			t.Errorf("Cookie: %s\nthe CLI: %s (exit %d, %s)\nthe middleware: %s", h, got, r.code, strings.TrimSpace(r.stderr), seen)
		}
	}
}

// sessionCookies is the one reader of a Cookie header.
func TestSessionCookies(t *testing.T) {
	for _, tc := range []struct {
		header        string
		values, names string
	}{
		{"", "", ""},
		{"session=a", "a", "session"},
		{"a=1; b=2", "", "a b"},
		{"session=a; session=b", "a b", "session session"},
		{` session="a" ;session=b;`, "a b", "session session"},
		{"session=; session=b", "b", "session session"},
		{"noequals; session=a=b", "a=b", "session"},
		{"Cookie: session=a", "a", "session"},
		{"cookie:session=a", "a", "session"},
		{"Session=a", "", "Session"},
	} {
		values, names := sessionCookies(tc.header, "session")
		if got := strings.Join(values, " "); got != tc.values {
			t.Errorf("%q: values %q, want %q", tc.header, got, tc.values)
		}
		if got := strings.Join(names, " "); got != tc.names {
			t.Errorf("%q: names %q, want %q", tc.header, got, tc.names)
		}
	}
}

// -v says when a jwt expires, from its exp claim, and that an asgi-sessions
// jwt (no exp) never expires on the server.
func TestVerboseDates(t *testing.T) {
	enc := runCLI("encode", "-type", "jwt", "-secret", secret, "-max-age", "3600", "{}")
	claims, err := jwtClaimsUnverified(enc.stdout)
	if err != nil {
		t.Fatal(err)
	}
	exp, ok := unixTime(json.Number(claims["exp"])) // to the millisecond
	if !ok {
		t.Fatalf("exp claim %s", claims["exp"])
	}
	r := runCLI("decode", "-v", "-type", "jwt", "-secret", secret, enc.stdout)
	if want := fmt.Sprintf("expires: %s (exp claim)", exp); r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q lacks %q", r.stderr, want)
	}
	// A fernet token states when it was written; -max-age adds the expiry
	// (the expected dates are what Python's datetime.fromtimestamp says).
	written := time.Unix(1e9, 0)
	token := mustToken(t, cookiesession.Config{Type: cookiesession.Fernet, SecretKey: secret, Now: func() time.Time { return written }}, cookiesession.Values{})
	r = runCLI("decode", "-v", "-type", "fernet", "-secret", secret, "-max-age", "0", token)
	if want := "written: 2001-09-09T01:46:40Z (fernet timestamp)\n"; r.code != 0 || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "expires") {
		t.Errorf("fernet, -max-age 0: stderr %q, want %q and no expiry", r.stderr, want)
	}
	r = runCLI("decode", "-v", "-type", "fernet", "-secret", secret, "-max-age", "9223372036", token)
	if want := "expires: 2293-12-19T01:33:56Z (written + -max-age)\n"; r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("fernet: stderr %q, want %q", r.stderr, want)
	}
	v := readVectors(t)
	for _, vec := range v.Valid {
		if vec.Type == "jwt" {
			r := runCLI("decode", "-v", "-type", "jwt", "-secret", *vec.Secret, vec.Token)
			if r.code != 0 || !strings.Contains(r.stderr, "expires: never on the server (no exp claim") {
				t.Errorf("an asgi-sessions jwt: exit %d %s", r.code, r.stderr)
			}
			break
		}
	}
}
