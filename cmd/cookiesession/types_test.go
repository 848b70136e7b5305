package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

// frameworkVectors are the cookies Starlette, Flask and Django wrote
// (testdata/interop/{starlette,flask,django}-vectors.json).
type frameworkVectors struct {
	Valid []struct {
		Type, Secret, Token string
		Values              json.RawMessage
		IssuedAt            int64 `json:"issued_at"`
	}
	Invalid []struct{ Type, Secret, Token, Why string }
}

// nodeVector is one cookie set iron-session or cookie-session wrote
// (testdata/interop/{iron-session,cookie-session}-vectors.json): the
// secret is a string, a list (keygrip: the first signs) or a map of
// password ids (iron: the highest id seals).
type nodeVector struct {
	Type       string
	Secret     json.RawMessage
	CookieName string `json:"cookie_name"`
	Cookies    map[string]string
	Values     json.RawMessage
	Why        string
}

type nodeVectors struct{ Valid, Invalid []nodeVector }

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile("../../testdata/interop/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// secretArgs turns a node vector's secret into -secret and
// -previous-secret flags, current key first.
func (v nodeVector) secretArgs(t *testing.T) []string {
	t.Helper()
	var one string
	if json.Unmarshal(v.Secret, &one) == nil {
		return []string{"-secret", one}
	}
	var list []string
	if json.Unmarshal(v.Secret, &list) == nil {
		args := []string{"-secret", list[0]}
		for _, s := range list[1:] {
			args = append(args, "-previous-secret", s)
		}
		return args
	}
	var byID map[string]string
	if err := json.Unmarshal(v.Secret, &byID); err != nil {
		t.Fatalf("secret %s: %v", v.Secret, err)
	}
	ids := make([]int, 0, len(byID))
	for id := range byID {
		n, err := strconv.Atoi(id)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(ids))) // the highest id seals
	var args []string
	for i, id := range ids {
		flag := "-previous-secret"
		if i == 0 {
			flag = "-secret"
		}
		args = append(args, flag, fmt.Sprintf("%d=%s", id, byID[strconv.Itoa(id)]))
	}
	return args
}

// header is the vector's cookies as a browser sends them, in name order
// (session, session.0, session.1, ..., session.sig).
func (v nodeVector) header() string {
	names := make([]string, 0, len(v.Cookies))
	for n := range v.Cookies {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + "=" + v.Cookies[n]
	}
	return strings.Join(parts, "; ")
}

// The cookies Starlette, Flask and Django made decode to exactly the
// framework's values (Flask's in its tagged form, as they stand in the
// cookie), as a TOKEN and in a Cookie header; the forged ones are refused
// with exit 1; -v states the signed timestamp; -unverified shows the
// payload of every valid cookie, compressed ones included.
func TestDecodeFrameworkVectors(t *testing.T) {
	tagged, compressed := 0, 0
	for _, typ := range []string{"starlette", "flask", "django"} {
		var v frameworkVectors
		readJSON(t, typ+"-vectors.json", &v)
		if len(v.Valid) == 0 || len(v.Invalid) == 0 {
			t.Fatalf("%s: no vectors", typ)
		}
		for _, vec := range v.Valid {
			want := jsonTokens(t, vec.Values)
			if strings.Contains(string(vec.Values), `" t":`) {
				tagged++
			}
			if strings.HasPrefix(vec.Token, ".") {
				compressed++
			}
			// -max-age 0: the vectors were made once and must not expire.
			base := []string{"decode", "-type", typ, "-secret", vec.Secret, "-max-age", "0"}
			for _, args := range [][]string{
				append(append([]string{}, base...), vec.Token),
				append(append([]string{}, base...), "-cookies", "other=1; session="+vec.Token),
				append(append([]string{}, base[:len(base)-2]...), "-unverified", vec.Token),
			} {
				r := runCLI(args...)
				if r.code != 0 || jsonTokens(t, []byte(r.stdout)) != want {
					t.Errorf("%s %.30s… %v: exit %d, printed %s, want %s\n%s", typ, vec.Token, args[6:], r.code, r.stdout, want, r.stderr)
				}
			}
			r := runCLI(append(append([]string{}, base...), "-v", vec.Token)...)
			written := fmt.Sprintf("written: %s (%s timestamp)", time.Unix(vec.IssuedAt, 0).UTC().Format(time.RFC3339), typ)
			if r.code != 0 || !strings.Contains(r.stderr, "key: the current secret\n") || !strings.Contains(r.stderr, written) {
				t.Errorf("%s -v: exit %d, stderr %q lacks the key or %q", typ, r.code, r.stderr, written)
			}
			// The same cookie read as the second key.
			r = runCLI("decode", "-v", "-type", typ, "-secret", "another-secret-of-32-characters!", "-previous-secret", vec.Secret, "-max-age", "0", vec.Token)
			if r.code != 0 || !strings.Contains(r.stderr, "key: -previous-secret #1\n") {
				t.Errorf("%s -v with the secret second: exit %d, stderr %q", typ, r.code, r.stderr)
			}
		}
		for _, vec := range v.Invalid {
			// The expired vectors are refused under the framework's
			// default lifetime, the others under any.
			r := runCLI("decode", "-type", typ, "-secret", vec.Secret, vec.Token)
			if r.code != 1 || r.stdout != "" || !strings.HasPrefix(r.stderr, "cookiesession: ") {
				t.Errorf("%s (%s): exit %d, stdout %q, stderr %q", typ, vec.Why, r.code, r.stdout, r.stderr)
			}
			if strings.HasPrefix(vec.Why, "expired") {
				if r := runCLI("decode", "-type", typ, "-secret", vec.Secret, "-max-age", "0", vec.Token); r.code != 0 {
					t.Errorf("%s (%s) with -max-age 0: exit %d %s", typ, vec.Why, r.code, r.stderr)
				}
				if !strings.Contains(r.stderr, "expired") {
					t.Errorf("%s (%s): the refusal does not say expired: %s", typ, vec.Why, r.stderr)
				}
			}
		}
	}
	if tagged == 0 || compressed == 0 {
		t.Errorf("vectors with Flask tags: %d, compressed: %d; each check needs some", tagged, compressed)
	}
}

// The cookies iron-session and Express cookie-session set (whole, chunked,
// rotated) decode from a Cookie header to exactly their values; -v names
// the key that opened them; the forged ones are refused with exit 1.
func TestDecodeNodeVectors(t *testing.T) {
	chunked, rotated := 0, 0
	for _, typ := range []string{"iron-session", "cookie-session"} {
		var v nodeVectors
		readJSON(t, typ+"-vectors.json", &v)
		if len(v.Valid) == 0 || len(v.Invalid) == 0 {
			t.Fatalf("%s: no vectors", typ)
		}
		for _, vec := range v.Valid {
			want := jsonTokens(t, vec.Values)
			args := append([]string{"decode", "-v", "-type", typ, "-max-age", "0", "-name", vec.CookieName}, vec.secretArgs(t)...)
			r := runCLI(append(args, "-cookies", "theme=dark; "+vec.header())...)
			if r.code != 0 || jsonTokens(t, []byte(r.stdout)) != want {
				t.Errorf("%s %s: exit %d, printed %s, want %s\n%s", typ, vec.header()[:40], r.code, r.stdout, want, r.stderr)
				continue
			}
			if len(vec.Cookies) > 2 {
				chunked++
			}
			if vec.Why != "" { // a rotated key
				rotated++
				if !strings.Contains(r.stderr, "key: -previous-secret #1") {
					t.Errorf("%s (%s): -v says %q", typ, vec.Why, r.stderr)
				}
			} else if !strings.Contains(r.stderr, "key: the current secret") {
				t.Errorf("%s: -v says %q", typ, r.stderr)
			}
			if one, ok := vec.Cookies[vec.CookieName]; ok && typ == "iron-session" {
				// A whole seal decodes as a TOKEN too.
				r := runCLI(append(args[:len(args):len(args)], one)...)
				if r.code != 0 || jsonTokens(t, []byte(r.stdout)) != want {
					t.Errorf("iron-session TOKEN: exit %d, printed %s, want %s", r.code, r.stdout, want)
				}
			}
		}
		for _, vec := range v.Invalid {
			args := append([]string{"decode", "-type", typ, "-name", vec.CookieName}, vec.secretArgs(t)...)
			r := runCLI(append(args, "-cookies", vec.header())...)
			if r.code != 1 || r.stdout != "" {
				t.Errorf("%s (%s): exit %d, stdout %q, stderr %q", typ, vec.Why, r.code, r.stdout, r.stderr)
			}
		}
	}
	if chunked == 0 || rotated < 2 {
		t.Errorf("chunked vectors: %d, rotated: %d; the checks need a chunked one and a rotated one per type", chunked, rotated)
	}
}

// librarySecret returns a secret the type accepts, for cookies made by the
// library.
func librarySecret(typ cookiesession.Type) string {
	switch typ {
	case cookiesession.Base64:
		return ""
	case cookiesession.IronSession:
		return "3=" + secret + "-iron"
	}
	return secret
}

// serverCookies returns the cookies a server of cfg sets for values, as a
// Cookie header and as separate cookies.
func serverCookies(t *testing.T, cfg cookiesession.Config, values map[string]any) (string, []*http.Cookie) {
	t.Helper()
	m, err := cookiesession.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := m.LoadHeader(context.Background(), "")
	for k, v := range values {
		if err := s.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	cookies, err := m.SaveCookies(s)
	if err != nil || len(cookies) == 0 {
		t.Fatalf("%s: %d cookies, %v", cfg.Type, len(cookies), err)
	}
	parts := make([]string, len(cookies))
	for i, c := range cookies {
		parts[i] = c.Name + "=" + c.Value
	}
	return strings.Join(parts, "; "), cookies
}

// Cookies a Go server writes with the library, for every type and for
// chunks and compression, decode through the CLI to the values the server
// stored: from a Cookie header always, and as a TOKEN where the session is
// one cookie. A Cookie header whose chunk was tampered with is refused.
func TestDecodeLibraryCookies(t *testing.T) {
	small := map[string]any{"user": "tom", "n": 9007199254740993}
	// 7200 bytes in values of 1800: Set refuses any one value over 4096
	// bytes, whatever Config.MaxSize.
	big := map[string]any{"user": "tom"}
	for i := 0; i < 4; i++ {
		big[fmt.Sprint("blob", i)] = strings.Repeat(fmt.Sprint(i, "123456789abcdefghijklmnopqrstuvwxyz"), 50)
	}
	type tc struct {
		name   string
		cfg    cookiesession.Config
		values map[string]any
		flags  []string
		chunks bool
	}
	var cases []tc
	for _, typ := range []cookiesession.Type{cookiesession.Base64, cookiesession.JWT, cookiesession.Fernet, cookiesession.Starlette, cookiesession.Flask, cookiesession.Django, cookiesession.IronSession, cookiesession.CookieSession} {
		cases = append(cases, tc{name: string(typ), cfg: cookiesession.Config{Type: typ, SecretKey: librarySecret(typ)}, values: small})
	}
	cases = append(cases,
		tc{name: "iron-session, chunked", cfg: cookiesession.Config{Type: cookiesession.IronSession, SecretKey: librarySecret(cookiesession.IronSession)}, values: big, chunks: true},
		tc{name: "jwt, chunked", cfg: cookiesession.Config{Type: cookiesession.JWT, SecretKey: secret, MaxSize: 16384}, values: big, flags: []string{"-max-size", "16384"}, chunks: true},
		tc{name: "fernet, chunked", cfg: cookiesession.Config{Type: cookiesession.Fernet, SecretKey: secret, MaxSize: 16384}, values: big, flags: []string{"-max-size", "16384"}, chunks: true},
		tc{name: "base64, chunked", cfg: cookiesession.Config{Type: cookiesession.Base64, MaxSize: 16384}, values: big, flags: []string{"-max-size", "16384"}, chunks: true},
		tc{name: "jwt, compressed", cfg: cookiesession.Config{Type: cookiesession.JWT, SecretKey: secret, Compress: true}, values: big, flags: []string{"-compress"}},
		tc{name: "jwt, small under -max-size", cfg: cookiesession.Config{Type: cookiesession.JWT, SecretKey: secret, MaxSize: 8192}, values: small, flags: []string{"-max-size", "8192"}},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			header, cookies := serverCookies(t, c.cfg, c.values)
			wantJSON, err := json.Marshal(c.values)
			if err != nil {
				t.Fatal(err)
			}
			want := jsonTokens(t, wantJSON)
			args := append([]string{"decode", "-type", string(c.cfg.Type)}, c.flags...)
			if c.cfg.SecretKey != "" {
				args = append(args, "-secret", c.cfg.SecretKey)
			}
			got := runCLI(append(args[:len(args):len(args)], "-cookies", "a=1; "+header+"; b=2")...)
			shown := stripIat(t, got.stdout)
			if got.code != 0 || jsonTokens(t, []byte(shown)) != want {
				t.Fatalf("-cookies: exit %d, printed %s, want %s\n%s", got.code, got.stdout, want, got.stderr)
			}
			if (len(cookies) > 1) != (c.chunks || c.cfg.Type == cookiesession.CookieSession) {
				t.Fatalf("%d cookies: the case does not test what it says", len(cookies))
			}
			if len(cookies) == 1 {
				got := runCLI(append(args[:len(args):len(args)], cookies[0].Value)...)
				if got.code != 0 || jsonTokens(t, []byte(stripIat(t, got.stdout))) != want {
					t.Errorf("TOKEN: exit %d, printed %s\n%s", got.code, got.stdout, got.stderr)
				}
			}
			if len(cookies) > 1 {
				// Change one character of the last cookie: the whole is
				// refused.
				last := cookies[len(cookies)-1]
				v := []byte(last.Value)
				i := len(v) / 2
				if v[i] == 'A' {
					v[i] = 'B'
				} else {
					v[i] = 'A'
				}
				tampered := strings.Replace(header, last.Name+"="+last.Value, last.Name+"="+string(v), 1)
				got := runCLI(append(args[:len(args):len(args)], "-cookies", tampered)...)
				if got.code != 1 || got.stdout != "" {
					t.Errorf("tampered %s: exit %d, printed %s", last.Name, got.code, got.stdout)
				}
			}
		})
	}
}

// stripIat removes the "iat" member a jwt session carries (its creation
// time, written by the server), checking that it is there for jwt.
func stripIat(t *testing.T, out string) string {
	t.Helper()
	var v map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return out
	}
	delete(v, "iat")
	b, _ := json.Marshal(v)
	return string(b)
}

// encode writes what decode reads for every type: a single-cookie session
// as its bare value, a session of several cookies as name=value lines
// that, joined with "; ", are a Cookie header.
func TestEncodeEveryType(t *testing.T) {
	// 9000 bytes in values of 3000 (Set refuses any one value over 4096
	// bytes, whatever Config.MaxSize), of words that compress about 5
	// times: enough for one cookie, not so much that the reader's ratio
	// bound refuses it.
	words := strings.Fields("alpha beta gamma delta epsilon zeta eta theta")
	rng := rand.New(rand.NewSource(1))
	text := func() string {
		var b strings.Builder
		for b.Len() < 3000 {
			b.WriteString(words[rng.Intn(len(words))])
		}
		return b.String()[:3000]
	}
	big := `{"a":"` + text() + `","b":"` + text() + `","c":"` + text() + `","user":"tom"}`
	for _, tc := range []struct {
		typ   string
		flags []string
		json  string
		names []string // the cookies, or nil for a bare value
	}{
		{typ: "base64", json: `{"user":"tom"}`},
		{typ: "jwt", json: `{"user":"tom"}`},
		{typ: "fernet", json: `{"user":"tom"}`},
		{typ: "starlette", json: `{"user":"tom"}`},
		{typ: "flask", json: `{"pair":{" t":[1,"two"]},"user":"tom"}`},
		{typ: "django", json: `{"user":"tom"}`},
		{typ: "iron-session", json: `{"user":"tom"}`},
		{typ: "cookie-session", json: `{"user":"tom"}`, names: []string{"session", "session.sig"}},
		{typ: "cookie-session", json: `{}`, names: []string{"session", "session.sig"}},
		{typ: "iron-session", json: big, names: []string{"session.0", "session.1", "session.2", "session.3"}},
		{typ: "jwt", flags: []string{"-max-size", "16384"}, json: big, names: []string{"session", "session.1", "session.2", "session.3"}},
		{typ: "jwt", flags: []string{"-max-size", "16384", "-compress"}, json: big},
		{typ: "jwt", flags: []string{"-name", "sid"}, json: `{"user":"tom"}`},
		{typ: "cookie-session", flags: []string{"-name", "sid"}, json: `{"user":"tom"}`, names: []string{"sid", "sid.sig"}},
	} {
		name := tc.typ + " " + strings.Join(tc.flags, " ")
		t.Run(name, func(t *testing.T) {
			typ, _ := cookiesession.ParseType(tc.typ)
			common := append([]string{"-type", tc.typ}, tc.flags...)
			if s := librarySecret(typ); s != "" {
				common = append(common, "-secret", s)
			}
			enc := runCLI(append(append([]string{"encode"}, common...), tc.json)...)
			if enc.code != 0 {
				t.Fatalf("encode: exit %d %s", enc.code, enc.stderr)
			}
			lines := strings.Split(enc.stdout, "\n")
			var dec result
			if tc.names == nil {
				if len(lines) != 1 || strings.Contains(lines[0], "=") && typ != cookiesession.Base64 && typ != cookiesession.Fernet {
					t.Fatalf("want a bare value, got %q", enc.stdout)
				}
				dec = runCLI(append(append([]string{"decode"}, common...), enc.stdout)...)
			} else {
				var names []string
				for _, l := range lines {
					n, _, _ := strings.Cut(l, "=")
					names = append(names, n)
				}
				if strings.Join(names, " ") != strings.Join(tc.names, " ") {
					t.Fatalf("cookies %v, want %v", names, tc.names)
				}
				dec = runCLI(append(append([]string{"decode"}, common...), "-cookies", strings.Join(lines, "; "))...)
			}
			if dec.code != 0 || jsonTokens(t, []byte(stripIat(t, dec.stdout))) != jsonTokens(t, []byte(tc.json)) {
				t.Errorf("decode: exit %d, printed %s, want %s\n%s", dec.code, dec.stdout, tc.json, dec.stderr)
			}
		})
	}
}

// Each type's command lines and their exit codes: 0 done, 1 the cookie is
// refused, 2 the command line is wrong.
func TestTypeInvocations(t *testing.T) {
	iron := librarySecret(cookiesession.IronSession)
	ironHeader, _ := serverCookies(t, cookiesession.Config{Type: cookiesession.IronSession, SecretKey: iron}, map[string]any{"user": "tom"})
	csHeader, csCookies := serverCookies(t, cookiesession.Config{Type: cookiesession.CookieSession, SecretKey: secret}, map[string]any{"user": "tom"})
	flaskHeader, flaskCookies := serverCookies(t, cookiesession.Config{Type: cookiesession.Flask, SecretKey: secret}, map[string]any{"user": "tom"})
	const tom = `{"user":"tom"}`
	many := map[string]any{"user": "tom"}
	for i := 0; i < 3; i++ {
		many[fmt.Sprint("k", i)] = strings.Repeat(fmt.Sprint(i), 2000)
	}
	compressed, _ := serverCookies(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: secret, Compress: true}, many)
	compressedToken := strings.TrimPrefix(compressed, "session=")
	if payload := strings.Split(compressedToken, ".")[1]; !strings.HasPrefix(payload, "f") { // '~' in base64url
		t.Fatalf("the jwt payload is not compressed: %.20s", payload)
	}
	chunked, chunks := serverCookies(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: secret, MaxSize: 8192}, map[string]any{"user": "tom", "a": strings.Repeat("a", 2500), "b": strings.Repeat("b", 2500)})
	if len(chunks) < 2 {
		t.Fatal("not chunked")
	}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		errHas []string
	}{
		{"iron -cookies", []string{"decode", "-type", "iron-session", "-secret", iron, "-cookies", ironHeader}, 0, tom, nil},
		{"iron, the password as a plain secret has id 1", []string{"decode", "-type", "iron-session", "-secret", strings.TrimPrefix(iron, "3="), "-cookies", ironHeader}, 1, "", []string{"refused"}},
		{"iron, the password as a previous secret", []string{"decode", "-type", "iron-session", "-secret", "4=" + secret + "-other", "-previous-secret", iron, "-cookies", ironHeader}, 0, tom, nil},
		{"iron, short password", []string{"decode", "-type", "iron-session", "-secret", "short", "-cookies", ironHeader}, 2, "", []string{"32"}},
		{"iron -unverified", []string{"decode", "-type", "iron-session", "-unverified", "-cookies", ironHeader}, 2, "", []string{"encrypted"}},
		{"iron, no secret", []string{"decode", "-type", "iron-session", "-cookies", ironHeader}, 2, "", []string{"need a secret"}},
		{"iron, -max-size", []string{"encode", "-type", "iron-session", "-secret", iron, "-max-size", "8192", tom}, 2, "", nil},
		{"cookie-session -cookies", []string{"decode", "-type", "cookie-session", "-secret", secret, "-cookies", csHeader}, 0, tom, nil},
		{"cookie-session TOKEN", []string{"decode", "-type", "cookie-session", "-secret", secret, csCookies[0].Value}, 2, "", []string{"-cookies", "session.sig"}},
		{"cookie-session without .sig", []string{"decode", "-type", "cookie-session", "-secret", secret, "-cookies", "session=" + csCookies[0].Value}, 1, "", []string{"signature"}},
		{"cookie-session, .sig only", []string{"decode", "-type", "cookie-session", "-secret", secret, "-cookies", "session.sig=" + csCookies[1].Value}, 1, "", []string{"no cookie named"}},
		{"cookie-session, wrong key", []string{"decode", "-type", "cookie-session", "-secret", oldSecret, "-cookies", csHeader}, 1, "", []string{"signature"}},
		{"cookie-session -unverified", []string{"decode", "-type", "cookie-session", "-unverified", "-cookies", "session=" + csCookies[0].Value}, 0, tom, []string{unverifiedLabel}},
		{"cookie-session -unverified TOKEN", []string{"decode", "-type", "cookie-session", "-unverified", csCookies[0].Value}, 0, tom, []string{unverifiedLabel}},
		{"flask -cookies", []string{"decode", "-type", "flask", "-secret", secret, "-cookies", flaskHeader}, 0, tom, nil},
		{"flask, a forged cookie of the name first", []string{"decode", "-v", "-type", "flask", "-secret", secret, "-cookies", "session=" + flaskCookies[0].Value + "x; " + flaskHeader}, 0, tom, []string{"cookie: #2 of the 2 values"}},
		{"cookie-session, a forged value cookie first", []string{"decode", "-v", "-type", "cookie-session", "-secret", secret, "-cookies", "session=eyJ1c2VyIjoicm9vdCJ9; " + csHeader}, 0, tom, []string{"cookie: #2 of the 2 values"}},
		{"iron, a whole seal wins over chunks", []string{"decode", "-type", "iron-session", "-secret", iron, "-cookies", "session.0=Fe26.2*junk; " + ironHeader}, 0, tom, nil},
		{"flask TOKEN", []string{"decode", "-type", "FLASK", "-secret", secret, flaskCookies[0].Value}, 0, tom, nil},
		{"flask, wrong secret", []string{"decode", "-type", "flask", "-secret", oldSecret, flaskCookies[0].Value}, 1, "", []string{"signature"}},
		{"flask, garbage", []string{"decode", "-type", "flask", "-secret", secret, "garbage"}, 1, "", []string{"malformed"}},
		{"flask -unverified garbage", []string{"decode", "-type", "flask", "-unverified", "a.b.c"}, 1, "", []string{"malformed"}},
		{"django -unverified, two parts", []string{"decode", "-type", "django", "-unverified", "a:b"}, 1, "", []string{"PAYLOAD:TIMESTAMP:SIGNATURE"}},
		{"starlette -unverified, not base64", []string{"decode", "-type", "starlette", "-unverified", "!!.a.b"}, 1, "", []string{"not base64"}},
		{"jwt -unverified, compressed", []string{"decode", "-type", "jwt", "-unverified", compressedToken}, 0, "", []string{unverifiedLabel}},
		{"jwt -unverified -cookies, chunked", []string{"decode", "-type", "jwt", "-unverified", "-max-size", "8192", "-cookies", chunked}, 0, "", []string{unverifiedLabel}},
		{"jwt -cookies, chunked, without -max-size", []string{"decode", "-type", "jwt", "-secret", secret, "-cookies", chunked}, 1, "", []string{"malformed"}},
		{"flask -max-size", []string{"encode", "-type", "flask", "-secret", secret, "-max-size", "8192", tom}, 2, "", nil},
		{"-max-size too small", []string{"encode", "-type", "jwt", "-secret", secret, "-max-size", "100", tom}, 2, "", []string{"MaxSize"}},
		{"-max-size too large", []string{"decode", "-type", "jwt", "-secret", secret, "-max-size", "99999", "x"}, 2, "", []string{"MaxSize"}},
		{"-compress fernet", []string{"encode", "-type", "fernet", "-secret", secret, "-compress", tom}, 2, "", nil},
		{"-compress base64", []string{"encode", "-type", "base64", "-compress", tom}, 0, "eyJ1c2VyIjoidG9tIn0=", nil},
		{"-max-age not a number", []string{"decode", "-type", "jwt", "-secret", secret, "-max-age", "ten", "x"}, 2, "", []string{"-max-age"}},
		{"django, no cookie of the name", []string{"decode", "-type", "django", "-secret", secret, "-cookies", "other=1"}, 1, "", []string{`no cookie named "session"`, `"other"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", r.code, tc.code, r.stdout, r.stderr)
			}
			if tc.code == 0 && tc.stdout == "" && !strings.Contains(r.stdout, `"user":"tom"`) {
				t.Errorf("stdout %q lacks the user", r.stdout)
			}
			if tc.stdout != "" && r.stdout != tc.stdout {
				t.Errorf("stdout %q, want %q", r.stdout, tc.stdout)
			}
			for _, s := range tc.errHas {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q: %s", s, r.stderr)
				}
			}
		})
	}
}

// -v: a jwt session states its creation (iat) and expiry (exp); an iron
// seal its expiration; a cookie-session cookie no date at all; Flask
// sessions expire 31 days after they were written by default.
func TestVerboseEveryType(t *testing.T) {
	made := time.Unix(1.9e9, 0)
	now := func() time.Time { return made }
	jwtHeader, _ := serverCookies(t, cookiesession.Config{Type: cookiesession.JWT, SecretKey: secret, Now: now}, map[string]any{"user": "tom"})
	ironHeader, _ := serverCookies(t, cookiesession.Config{Type: cookiesession.IronSession, SecretKey: librarySecret(cookiesession.IronSession), Now: now, MaxAge: time.Hour}, map[string]any{"user": "tom"})
	csHeader, _ := serverCookies(t, cookiesession.Config{Type: cookiesession.CookieSession, SecretKey: secret}, map[string]any{"user": "tom"})
	// Flask's cookie is read with the default lifetime: written an hour ago.
	flaskMade := time.Now().Add(-time.Hour).Truncate(time.Second)
	flaskHeader, _ := serverCookies(t, cookiesession.Config{Type: cookiesession.Flask, SecretKey: secret, Now: func() time.Time { return flaskMade }}, map[string]any{"user": "tom"})
	at := func(d time.Duration) string { return made.Add(d).UTC().Format(time.RFC3339) }
	flaskAt := func(d time.Duration) string { return flaskMade.Add(d).UTC().Format(time.RFC3339) }
	for _, tc := range []struct {
		name         string
		args         []string
		errHas       []string
		errNot       []string
		printedHasAt string
	}{
		{"jwt", []string{"-type", "jwt", "-secret", secret, "-max-age", "0", "-cookies", jwtHeader},
			[]string{"key: the current secret\n", "created: " + at(0) + " (iat claim)", "expires: " + at(cookiesession.DefaultMaxAge) + " (exp claim; not checked with -max-age 0)"}, nil, `"iat":1900000000`},
		{"iron", []string{"-type", "iron-session", "-secret", librarySecret(cookiesession.IronSession), "-max-age", "0", "-cookies", ironHeader},
			[]string{"key: the current secret (iron password id 3)", "expires: " + at(time.Hour) + " (the seal's expiration; not checked with -max-age 0)"}, []string{"created:"}, ""},
		{"cookie-session", []string{"-type", "cookie-session", "-secret", "x-" + secret, "-previous-secret", secret, "-cookies", csHeader},
			[]string{"key: -previous-secret #1\n", "expires: not stated"}, []string{"written:", "created:"}, ""},
		{"flask", []string{"-type", "flask", "-secret", secret, "-cookies", flaskHeader},
			[]string{"key: the current secret\n", "written: " + flaskAt(0) + " (flask timestamp)", "expires: " + flaskAt(cookiesession.DefaultFlaskMaxAge) + " (written + -max-age)"}, []string{"created:"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(append([]string{"decode", "-v"}, tc.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d %s", r.code, r.stderr)
			}
			for _, s := range tc.errHas {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			for _, s := range tc.errNot {
				if strings.Contains(r.stderr, s) {
					t.Errorf("stderr has %q:\n%s", s, r.stderr)
				}
			}
			if tc.printedHasAt != "" && !strings.Contains(r.stdout, tc.printedHasAt) {
				t.Errorf("stdout %s lacks %s", r.stdout, tc.printedHasAt)
			}
		})
	}
}
