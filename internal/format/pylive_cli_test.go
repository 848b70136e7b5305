package format_test

// The live check against the Python frameworks one level up, as a user
// runs it: the cookiesession command and examples/router, built from this
// repository, with Starlette's SessionMiddleware, Flask's session interface
// and Django's signed_cookies store making and loading the cookies (the
// frameworks' code driven by liveScript, as in pylive_test.go). A random
// secret and random values per run; the seed is logged and
// COOKIESESSION_PYLIVE_SEED replays a run. Without the frameworks the test
// skips, saying why; COOKIESESSION_PYTHON_FRAMEWORKS=required makes that a
// failure.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/flasktag"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous/pyjson"
	"github.com/cookiesession/cookiesession/internal/livetest"
)

// userRunes are the characters of random user names: letters whose case
// Python's str.title and Go's unicode package map one to one, and the
// separators that start a new word. Not σ and Σ: str.title writes ς at
// the end of a word ("aσ".title() is "Aς"), which the router's greeting
// does not.
var userRunes = []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 '-.éÉöжЖ")

// user returns a random user name that starts with a letter.
func (g gen) user() string {
	n := 1 + g.r.Intn(14)
	b := []rune{userRunes[g.r.Intn(52)]}
	for i := 1; i < n; i++ {
		b = append(b, userRunes[g.r.Intn(len(userRunes))])
	}
	return string(b)
}

// pyTitles returns str.title of each name, computed by Python itself.
func pyTitles(t *testing.T, py string, names []string) []string {
	t.Helper()
	in, _ := json.Marshal(names)
	ctx, cancel := context.WithTimeout(context.Background(), livetest.ToolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", "import json, sys; json.dump([s.title() for s in json.load(sys.stdin)], sys.stdout)")
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s str.title: %v", py, err)
	}
	var titles []string
	if err := json.Unmarshal(out, &titles); err != nil || len(titles) != len(names) {
		t.Fatalf("str.title: %v: %s", err, out)
	}
	return titles
}

// withKey returns the JSON object obj with key set to value (compact, keys
// sorted).
func withKey(obj json.RawMessage, key string, value any) json.RawMessage {
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(obj, &m); err != nil {
		panic(err)
	}
	if value == nil {
		delete(m, key)
	} else {
		v, err := json.Marshal(value)
		if err != nil {
			panic(err)
		}
		m[key] = v
	}
	return sortedObject(m)
}

// userSession returns {"user": name}, as JSON.
func userSession(name string) string {
	return string(withKey(json.RawMessage(`{}`), "user", name))
}

// tamper changes one character of a cookie value's signature (its end).
func tamper(tok string) string {
	b := []byte(tok)
	i := len(b) - 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

type pyFramework struct {
	name, module string
	cookie       string // the framework's own cookie name, given to the router
	flask        bool
}

// TestLiveCLIAndRouterPython: for Starlette, Flask and Django, cookies the
// framework makes are decoded by `cookiesession decode` to the same values
// and read by examples/router (/ greets the user as str.title does; Flask's
// flashes show), a previous secret included; cookies made by
// `cookiesession encode` and by the router (/login/NAME, /flash/MSG, a
// rotated cookie written again) are loaded by the framework with the same
// values; cookies of another secret or tampered with are refused on both
// sides.
func TestLiveCLIAndRouterPython(t *testing.T) {
	frameworks := []pyFramework{
		{name: "starlette", module: "starlette", cookie: "session"},
		{name: "flask", module: "flask", cookie: "session", flask: true},
		{name: "django", module: "django", cookie: "sessionid"},
	}
	var tools *livetest.Tools
	binDir := t.TempDir()
	for _, fw := range frameworks {
		t.Run(fw.name, func(t *testing.T) {
			py := pythonFor(t, fw.module)
			if tools == nil {
				built := livetest.Build(t, binDir)
				tools = &built
			}
			liveCLIAndRouter(t, *tools, py, fw)
		})
	}
}

// flaskRead is what liveScript's Flask reader answers for one cookie.
type flaskRead struct {
	Tagged string            `json:"tagged"`
	Types  map[string]string `json:"types"`
}

// pyValues returns the session a framework loaded, as JSON in the form
// the CLI prints and encode takes (Flask: tagged).
func pyValues(t *testing.T, fw pyFramework, read json.RawMessage) []byte {
	t.Helper()
	if !fw.flask {
		return read
	}
	var got flaskRead
	if err := json.Unmarshal(read, &got); err != nil {
		t.Fatalf("flask read %s: %v", read, err)
	}
	return []byte(got.Tagged)
}

// cliCounts tallies one framework's run for the log.
type cliCounts struct {
	cliDecoded, routerGreeted, pyReadCLI, pyReadRouter, rotated, refused int
}

func liveCLIAndRouter(t *testing.T, tools livetest.Tools, py string, fw pyFramework) {
	g := gen{liveSeed(t)}
	secret, old := g.secret(), g.secret()
	typ := "-type=" + fw.name
	var c cliCounts

	// Sessions the framework makes: random values, Flask's tagged types and
	// flashes included, and sessions of a user.
	var objs []string // what each holds, in the form the CLI prints
	for i := 0; i < 10; i++ {
		if fw.flask {
			o, _ := g.flaskSession(0)
			objs = append(objs, string(o))
		} else {
			objs = append(objs, string(g.object(0, 5)))
		}
	}
	if fw.flask {
		objs = append(objs, `{" t":[1,2]}`) // wrapped in " di" by Flask
	}
	objs = append(objs, g.bigSessions()[1]) // compressed by Flask and Django
	firstUser := len(objs)
	var users []string
	for i := 0; i < 6; i++ {
		u := g.user()
		users = append(users, u)
		objs = append(objs, string(withKey(g.object(1, 3), "user", u)))
	}
	var flashMsgs []string
	if fw.flask {
		// A Flask session with a user and two flashes, which the router shows.
		flashMsgs = []string{g.user(), g.user()}
		fl, err := flasktag.AppendFlash(nil, flasktag.Flash{Message: flashMsgs[0]}, flasktag.Flash{Category: "error", Message: flashMsgs[1]})
		if err != nil {
			t.Fatal(err)
		}
		u := g.user()
		users = append(users, u)
		o := withKey(json.RawMessage(userSession(u)), flasktag.FlashesKey, fl)
		objs = append(objs, string(o))
	}
	madeInput := pyInputs(t, fw, objs)

	// Sessions made with the previous secret, which the router reads and
	// writes again with the current one.
	var oldObjs []string
	var oldUsers []string
	for i := 0; i < 3; i++ {
		u := g.user()
		oldUsers = append(oldUsers, u)
		oldObjs = append(oldObjs, string(withKey(g.object(1, 2), "user", u)))
	}
	oldRes := runFramework(t, py, fw.name, old, pyInputs(t, fw, oldObjs), []string{})

	// Sessions `cookiesession encode` makes (no reserved keys: encode
	// refuses Flask's _flashes).
	var encObjs, encToks []string
	for i := 0; i < 10; i++ {
		var o json.RawMessage
		if fw.flask {
			o, _ = g.flaskSession(0)
			o = withKey(o, flasktag.FlashesKey, nil)
		} else {
			o = g.object(0, 5)
		}
		// Session keys are never empty (Session.Set refuses "").
		if k := withKey(o, "", nil); !bytes.Equal(k, o) {
			o = withKey(k, "k", g.str(3))
		}
		encObjs = append(encObjs, string(o))
	}
	encObjs = append(encObjs, string(g.bigSessions()[1])) // compressed by flask and django
	for _, o := range encObjs {
		r := tools.RunCLI(t, "encode", typ, "-secret="+secret, o)
		if r.Code != 0 || r.Stdout == "" || strings.Contains(r.Stdout, "\n") {
			t.Fatalf("cookiesession encode %s: exit %d, %q, %s", o, r.Code, r.Stdout, r.Stderr)
		}
		encToks = append(encToks, r.Stdout)
	}
	if z := strings.HasPrefix(encToks[len(encToks)-1], "."); z != (fw.name != "starlette") {
		t.Errorf("%s: the CLI's cookie of a big session compressed: %v", fw.name, z)
	}
	forged := tools.RunCLI(t, "encode", typ, "-secret="+secret+"x", `{"user":"admin"}`)
	if forged.Code != 0 {
		t.Fatalf("encode: %+v", forged)
	}

	// The router: the framework's secret, the old one as a previous secret,
	// the framework's cookie name.
	router := tools.StartRouter(t, typ, "-secret="+secret, "-previous-secret="+old, "-cookie="+fw.cookie)
	cookieOf := func(tok string) string { return fw.cookie + "=" + tok }
	var routerUsers, routerToks []string
	for i := 0; i < 4; i++ {
		u := g.user()
		rr := router.Get(t, "/login/"+url.PathEscape(u), "")
		tok, ok := rr.Cookie(fw.cookie)
		if rr.Status != 200 || !ok {
			t.Fatalf("router /login/%s: %v, cookies %v", u, rr, rr.Cookies)
		}
		routerUsers = append(routerUsers, u)
		routerToks = append(routerToks, tok)
	}
	var routerFlash string // Flask: a session with a user and a flash, set by the router
	routerFlashMsg := g.user()
	if fw.flask {
		rr := router.Get(t, "/flash/"+url.PathEscape(routerFlashMsg), cookieOf(routerToks[0]))
		tok, ok := rr.Cookie(fw.cookie)
		if rr.Status != 303 || !ok {
			t.Fatalf("router /flash: %v", rr)
		}
		routerFlash = tok
	}
	titles := pyTitles(t, py, append(append(append([]string(nil), users...), oldUsers...), routerUsers...))
	wantTitle := map[string]string{}
	for i, u := range append(append(append([]string(nil), users...), oldUsers...), routerUsers...) {
		wantTitle[u] = titles[i]
	}

	// The router reads the sessions made with the previous secret, greets
	// their users and writes them again with the current secret.
	var reissued []string
	for i, tok := range oldRes.Made {
		rr := router.Get(t, "/", cookieOf(tok))
		if got, want := rr.Greeting(), "Hello "+wantTitle[oldUsers[i]]; got != want {
			t.Errorf("router read %s cookie made with the previous secret: %q, want %q", fw.name, got, want)
		}
		again, ok := rr.Cookie(fw.cookie)
		if !ok {
			t.Errorf("router did not write again a cookie of the previous secret: %v", rr.Cookies)
			continue
		}
		c.rotated++
		reissued = append(reissued, again)
	}

	// The framework makes its sessions and loads the CLI's, the router's and
	// the re-issued ones, and one of another secret.
	var read []string
	read = append(read, encToks...)
	read = append(read, routerToks...)
	if fw.flask {
		read = append(read, routerFlash)
	}
	read = append(read, reissued...)
	read = append(read, forged.Stdout)
	res := runFramework(t, py, fw.name, secret, madeInput, read)
	if z := strings.HasPrefix(res.Made[firstUser-1], "."); z != (fw.name != "starlette") {
		t.Errorf("%s: the framework's cookie of a big session compressed: %v", fw.name, z)
	}

	// Framework → CLI.
	for i, tok := range res.Made {
		r := tools.RunCLI(t, "decode", typ, "-secret="+secret, tok)
		if r.Code != 0 {
			t.Errorf("decode %s cookie %d (%s): exit %d: %s", fw.name, i, tok, r.Code, r.Stderr)
			continue
		}
		if sameValues(t, fmt.Sprintf("decode %s cookie %d", fw.name, i), []byte(r.Stdout), []byte(objs[i])) {
			c.cliDecoded++
		}
	}
	if r := tools.RunCLI(t, "decode", typ, "-secret="+secret+"x", res.Made[0]); r.Code != 1 || r.Stdout != "" {
		t.Errorf("decode of a %s cookie with another secret: exit %d, %q, want exit 1 and nothing printed", fw.name, r.Code, r.Stdout)
	} else {
		c.refused++
	}
	for i, tok := range oldRes.Made {
		if r := tools.RunCLI(t, "decode", typ, "-secret="+secret, tok); r.Code != 1 {
			t.Errorf("decode of a cookie of an old secret without -previous-secret: exit %d, %q", r.Code, r.Stdout)
		} else {
			c.refused++
		}
		r := tools.RunCLI(t, "decode", typ, "-secret="+secret, "-previous-secret="+old, tok)
		if r.Code != 0 || !sameValues(t, "decode with -previous-secret", []byte(r.Stdout), []byte(oldObjs[i])) {
			t.Errorf("decode -previous-secret: exit %d: %s", r.Code, r.Stderr)
		} else {
			c.cliDecoded++
		}
	}

	// Framework → router.
	for i := firstUser; i < len(objs); i++ {
		rr := router.Get(t, "/", cookieOf(res.Made[i]))
		want := []string{"Hello " + wantTitle[users[i-firstUser]]}
		if strings.Contains(objs[i], flasktag.FlashesKey) {
			want = append(want, "flash: "+flashMsgs[0], "flash: "+flashMsgs[1])
		}
		if got := rr.Lines(); rr.Status != 200 || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("router read %s cookie %d: %v, want %q", fw.name, i, rr, want)
			continue
		}
		c.routerGreeted++
	}
	if rr := router.Get(t, "/", cookieOf(tamper(res.Made[firstUser]))); rr.Greeting() != "Hello Anonymous" {
		t.Errorf("router read a tampered %s cookie: %v", fw.name, rr)
	} else {
		c.refused++
	}

	// CLI, router → framework.
	next := 0
	for i := range encToks {
		if sameValues(t, fmt.Sprintf("%s loaded the CLI's cookie %d", fw.name, i), pyValues(t, fw, res.Read[next]), wrapFlask(t, fw, encObjs[i])) {
			c.pyReadCLI++
		}
		next++
	}
	for i, u := range routerUsers {
		if sameValues(t, fmt.Sprintf("%s loaded the router's cookie %d", fw.name, i), pyValues(t, fw, res.Read[next]), []byte(userSession(u))) {
			c.pyReadRouter++
		}
		next++
	}
	if fw.flask {
		var got flaskRead
		if err := json.Unmarshal(res.Read[next], &got); err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(got.Tagged), &m); err != nil {
			t.Fatal(err)
		}
		fl, err := flasktag.Flashes(m[flasktag.FlashesKey])
		switch {
		case err != nil || got.Types[flasktag.FlashesKey] != "list" || len(fl) != 1 || fl[0].Category != "message" || fl[0].Message != routerFlashMsg:
			t.Errorf("flask loaded the router's flash as %s (types %v): %v %v", got.Tagged, got.Types, fl, err)
		case !jsonEqual(m["user"], mustMarshal(routerUsers[0])):
			t.Errorf("flask loaded the router's flash session with user %s", m["user"])
		default:
			c.pyReadRouter++
		}
		next++
	}
	for i := range reissued {
		if sameValues(t, fmt.Sprintf("%s loaded the router's re-issued cookie %d", fw.name, i), pyValues(t, fw, res.Read[next]), []byte(oldObjs[i])) {
			c.pyReadRouter++
		}
		next++
	}
	if got := pyValues(t, fw, res.Read[next]); string(got) != "{}" {
		t.Errorf("%s loaded a cookie of another secret: %s", fw.name, got)
	} else {
		c.refused++
	}
	t.Logf("%s (%s): %d framework cookies decoded by the CLI; %d greeted by the router; the framework loaded %d CLI and %d router cookies; %d rotated by the router; %d refusals checked",
		fw.name, res.Version, c.cliDecoded, c.routerGreeted, c.pyReadCLI, c.pyReadRouter, c.rotated, c.refused)
	routerCookies := len(routerUsers) + len(oldObjs)
	if fw.flask {
		routerCookies++
	}
	if c.cliDecoded != len(objs)+len(oldObjs) || c.routerGreeted != len(objs)-firstUser || c.pyReadCLI != len(encObjs) ||
		c.pyReadRouter != routerCookies || c.rotated != len(oldObjs) || c.refused != 2+len(oldObjs)+1 {
		t.Errorf("%s: not every check passed: %+v", fw.name, c)
	}
}

// pyInputs returns the sessions in the form liveScript's make takes: JSON
// text; for Flask the whole session tagged as Flask's serializer loads it.
func pyInputs(t *testing.T, fw pyFramework, objs []string) []string {
	t.Helper()
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = string(wrapFlask(t, fw, o))
	}
	return out
}

func wrapFlask(t *testing.T, fw pyFramework, obj string) []byte {
	t.Helper()
	if !fw.flask {
		return []byte(obj)
	}
	w, err := flasktag.WrapSession([]byte(obj))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(a []byte, b string) bool {
	ok, err := pyjson.Equal(a, []byte(b))
	return err == nil && ok
}

func mustMarshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// runFramework runs liveScript for one framework as runPython does, within
// livetest.ToolTimeout.
func runFramework(t *testing.T, py, framework, secret string, make, read []string) liveResult {
	t.Helper()
	script := filepath.Join(t.TempDir(), "live.py")
	if err := os.WriteFile(script, []byte(liveScript), 0o600); err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(map[string]any{"secret": secret, "make": make, "read": read})
	ctx, cancel := context.WithTimeout(context.Background(), livetest.ToolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, script, framework)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", py, framework, err, stderr.String())
	}
	var r liveResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%s: %v\n%s", framework, err, out)
	}
	if len(r.Made) != len(make) || len(r.Read) != len(read) {
		t.Fatalf("%s: %d cookies made, %d read; want %d and %d", framework, len(r.Made), len(r.Read), len(make), len(read))
	}
	t.Logf("%s (%s)", r.Version, py)
	return r
}
