package node

// The live check against the Node libraries one level up, as a user runs
// it: the cookiesession command and examples/router, built from this
// repository, with iron-server.mjs (iron-session 9) and express-server.mjs
// (Express 4 with cookie-session 2). Random passwords, keys and values per
// run (the seed is logged; COOKIESESSION_NODE_SEED repeats a run).

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/livetest"
)

// cookieJar holds the cookies one client keeps, by name, as a browser
// would for one site.
type cookieJar map[string]string

// apply stores what a response sets: a cookie expired (Max-Age 0 or an
// Expires in the past) or emptied is removed.
func (j cookieJar) apply(cookies []*http.Cookie) {
	now := time.Now()
	for _, c := range cookies {
		if c.MaxAge < 0 || c.Value == "" || (!c.Expires.IsZero() && c.Expires.Before(now)) {
			delete(j, c.Name)
			continue
		}
		j[c.Name] = c.Value
	}
}

// fromMap returns the jar of the cookies a Node server's response set.
func fromMap(set map[string]*http.Cookie) cookieJar {
	j := cookieJar{}
	for _, c := range set {
		j.apply([]*http.Cookie{c})
	}
	return j
}

// names returns the jar's cookie names, sorted (chunks in order).
func (j cookieJar) names() []string {
	names := make([]string, 0, len(j))
	for n := range j {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// header returns the Cookie header a browser would send.
func (j cookieJar) header() string {
	var parts []string
	for _, n := range j.names() {
		parts = append(parts, n+"="+j[n])
	}
	return strings.Join(parts, "; ")
}

// pairs returns the cookies as server.read takes them.
func (j cookieJar) pairs() [][2]string {
	var out [][2]string
	for _, n := range j.names() {
		out = append(out, [2]string{n, j[n]})
	}
	return out
}

// chunked reports whether the jar holds the session as chunks <name>.0, ...
func (j cookieJar) chunks(name string) int {
	n := 0
	for k := range j {
		if strings.HasPrefix(k, name+".") {
			if _, err := strconv.Atoi(k[len(name)+1:]); err == nil {
				n++
			}
		}
	}
	return n
}

// randomUser returns a user name: ASCII letters, digits, and the
// characters that start a new word for str.title.
func randomUser(r *rand.Rand) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	const more = letters + "0123456789 '-."
	b := []byte{letters[r.Intn(len(letters))]}
	for i, n := 1, 1+r.Intn(14); i < n; i++ {
		b = append(b, more[r.Intn(len(more))])
	}
	return string(b)
}

// pyTitle is Python's str.title for ASCII text: a letter after a letter is
// lower-cased, any other letter upper-cased ("o'neil-smith 3rd" becomes
// "O'Neil-Smith 3Rd").
func pyTitle(s string) string {
	b := []byte(s)
	prevLetter := false
	for i, c := range b {
		isLetter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if isLetter {
			if prevLetter {
				b[i] = bytes.ToLower([]byte{c})[0]
			} else {
				b[i] = bytes.ToUpper([]byte{c})[0]
			}
		}
		prevLetter = isLetter
	}
	return string(b)
}

// userValues returns random session values with "user" set to user, and
// with fill letters under "fill" if fill > 0, as compact JSON.
func userValues(r *rand.Rand, user string, fill int) []byte {
	var m map[string]any
	if err := json.Unmarshal(randomValues(r, 0), &m); err != nil {
		panic(err)
	}
	m["user"] = user
	if fill > 0 {
		const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		b := make([]byte, fill)
		for i := range b {
			b[i] = letters[r.Intn(len(letters))]
		}
		m["fill"] = string(b)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// nodeCase is one Node library against the CLI and the router.
type nodeCase struct {
	typ     string // the cookiesession type
	script  string
	envName string // the variable naming the script's configurations
	// config returns a configuration of the script reading and writing
	// with the given secrets, the first one writing (chunk: also set
	// iron-session's chunk option).
	config func(chunk bool, secrets ...secret) map[string]any
}

// secret is one key: an iron-session password with its id, or a
// cookie-session key (id empty).
type secret struct{ id, value string }

// flag returns the key as the CLI and the router take it.
func (s secret) flag() string {
	if s.id == "" {
		return s.value
	}
	return s.id + "=" + s.value
}

var nodeCases = []nodeCase{
	{
		typ: "iron-session", script: "iron-server.mjs", envName: "IRON_CONFIGS",
		config: func(chunk bool, secrets ...secret) map[string]any {
			var password any
			if len(secrets) == 1 && secrets[0].id == "" {
				password = secrets[0].value // a string password: id 1
			} else {
				m := map[string]string{}
				for _, s := range secrets {
					m[s.id] = s.value
				}
				password = m // the highest id seals
			}
			c := map[string]any{"password": password}
			if chunk {
				c["chunk"] = true
			}
			return c
		},
	},
	{
		typ: "cookie-session", script: "express-server.mjs", envName: "COOKIE_SESSION_CONFIGS",
		config: func(chunk bool, secrets ...secret) map[string]any {
			var keys []string
			for _, s := range secrets {
				keys = append(keys, s.value)
			}
			return map[string]any{"keys": keys}
		},
	},
}

// TestLiveCLIAndRouterNode: iron-session and Express cookie-session servers
// read cookies set by examples/router (a login, a chunked iron session of
// 6000 letters, a session the router wrote again after reading it with a
// previous secret) and by `cookiesession encode`; the router reads theirs
// (/ greets the user as str.title does, /fill counts a chunked session's
// letters, a previous secret is read, a foreign one is not), and
// `cookiesession decode -cookies` reads the Node servers' Set-Cookie lines.
func TestLiveCLIAndRouterNode(t *testing.T) {
	nodeEnv(t)
	tools := livetest.Build(t, t.TempDir())
	for _, nc := range nodeCases {
		t.Run(nc.typ, func(t *testing.T) { liveNode(t, tools, nc) })
	}
}

// nodeCounts tallies a run for the log.
type nodeCounts struct {
	nodeReadRouter, nodeReadCLI, routerReadNode, cliReadNode, chunked, rotated, refused int
}

func liveNode(t *testing.T, tools livetest.Tools, nc nodeCase) {
	r := seeded(t)
	iron := nc.typ == "iron-session"
	var cur, old, other, plain secret
	if iron {
		// Password ids as iron-session's map takes them: the current one the
		// highest.
		oldID := 1 + r.Intn(5)
		cur = secret{strconv.Itoa(oldID + 1 + r.Intn(20)), randomSecret(r, 32+r.Intn(20))}
		old = secret{strconv.Itoa(oldID), randomSecret(r, 32+r.Intn(20))}
		other = secret{cur.id, randomSecret(r, 32+r.Intn(20))}
		plain = secret{"", randomSecret(r, 32+r.Intn(20))}
	} else {
		cur, old, other, plain = secret{"", randomSecret(r, 16+r.Intn(24))}, secret{"", randomSecret(r, 16+r.Intn(24))},
			secret{"", randomSecret(r, 16+r.Intn(24))}, secret{"", randomSecret(r, 16+r.Intn(24))}
	}
	srv := startServer(t, nc.script, nc.envName+"="+mustJSON(map[string]any{
		"cur":   nc.config(false, cur),
		"both":  nc.config(true, cur, old), // reads both, writes with cur
		"old":   nc.config(false, old),
		"chunk": nc.config(true, cur),
		"other": nc.config(false, other),
		"plain": nc.config(false, plain),
	}))
	typ := "-type=" + nc.typ
	router := tools.StartRouter(t, typ, "-secret="+cur.flag(), "-previous-secret="+old.flag())
	plainRouter := tools.StartRouter(t, typ, "-secret="+plain.flag())
	const name = "session"
	// A large session: 6000 letters take iron-session's chunks; a
	// cookie-session cookie is one cookie of at most 4096 bytes.
	fill := 6000
	if !iron {
		fill = 2500
	}
	fillPath, fillAnswer := "/fill/"+strconv.Itoa(fill), "fill: "+strconv.Itoa(fill)+"\n"
	var c nodeCounts

	// nodeReads checks that the Node configuration cfg reads the cookies of
	// jar as want (a JSON object).
	nodeReads := func(what, cfg string, jar cookieJar, want []byte) bool {
		t.Helper()
		got := srv.read(t, cfg, jar.pairs()...)
		if got.Error != nil || (got.IsNew != nil && *got.IsNew) || !sameJSON(t, got.Values, want) {
			t.Errorf("%s: %s (%s) read %s (error %v), want %s", what, nc.typ, cfg, got.Values, deref(got.Error), want)
			return false
		}
		return true
	}
	// greets checks that the router answers / for jar with Hello <user>
	// (Hello Anonymous for user ""), counting the sessions read.
	greets := func(what string, rt *livetest.Router, jar cookieJar, user string) livetest.Reply {
		t.Helper()
		rr := rt.Get(t, "/", jar.header())
		want := "Hello Anonymous"
		if user != "" {
			want = "Hello " + pyTitle(user)
		}
		switch {
		case rr.Status != 200 || rr.Greeting() != want:
			t.Errorf("%s: router answered %v, want %q", what, rr, want)
		case user != "":
			c.routerReadNode++
		}
		return rr
	}
	// decodes checks that cookiesession decode -cookies reads jar as want.
	decodes := func(what string, jar cookieJar, want []byte, secrets ...string) bool {
		t.Helper()
		args := append([]string{"decode", typ}, secrets...)
		res := tools.RunCLI(t, append(args, "-cookies", jar.header())...)
		if res.Code != 0 || !sameJSON(t, []byte(res.Stdout), want) {
			t.Errorf("%s: decode -cookies: exit %d, %s (%s), want %s", what, res.Code, res.Stdout, res.Stderr, want)
			return false
		}
		return true
	}

	// Router → Node: a login, read by the configuration of the router's
	// secrets and by the one of its current secret only.
	for i := 0; i < 4; i++ {
		u := randomUser(r)
		rr := router.Get(t, "/login/"+url.PathEscape(u), "")
		jar := cookieJar{}
		jar.apply(rr.Cookies)
		if rr.Status != 200 || len(jar) == 0 {
			t.Fatalf("router /login: %v, cookies %v", rr, rr.Cookies)
		}
		want := []byte(mustJSON(map[string]string{"user": u}))
		if nodeReads("router login", "both", jar, want) && nodeReads("router login", "cur", jar, want) {
			c.nodeReadRouter++
		}
		if !isEmptyObject(srv.read(t, "other", jar.pairs()...).Values) {
			t.Errorf("router login read by %s with another key", nc.typ)
		} else {
			c.refused++
		}
	}
	// A plain iron-session password (id 1) or a single key.
	{
		u := randomUser(r)
		jar := cookieJar{}
		jar.apply(plainRouter.Get(t, "/login/"+url.PathEscape(u), "").Cookies)
		if nodeReads("router with a plain secret", "plain", jar, []byte(mustJSON(map[string]string{"user": u}))) {
			c.nodeReadRouter++
		}
	}

	// Router → Node, a large session: /fill/N (iron-session: chunks).
	{
		u := randomUser(r)
		jar := cookieJar{}
		jar.apply(router.Get(t, "/login/"+url.PathEscape(u), "").Cookies)
		rr := router.Get(t, fillPath, jar.header())
		jar.apply(rr.Cookies)
		if rr.Status != 200 {
			t.Fatalf("router %s: %v", fillPath, rr)
		}
		if iron {
			if n := jar.chunks(name); n < 2 || jar[name] != "" {
				t.Errorf("router's session of 6000 letters: cookies %v, want chunks %s.0, %s.1, ... and no %s", jar.names(), name, name, name)
			} else {
				c.chunked++
			}
		}
		if rr := router.Get(t, "/fill", jar.header()); rr.Body != fillAnswer {
			t.Errorf("router /fill: %v", rr)
		}
		got := srv.read(t, "both", jar.pairs()...)
		var m struct {
			User string `json:"user"`
			Fill string `json:"fill"`
		}
		if err := json.Unmarshal(got.Values, &m); err != nil || m.User != u || len(m.Fill) != fill || got.Error != nil {
			t.Errorf("%s read the router's session of %d letters (cookies %v) as user %q and %d letters (%v, %s)", nc.typ, fill, jar.names(), m.User, len(m.Fill), err, deref(got.Error))
		} else {
			c.nodeReadRouter++
		}
		// Shrunk to one cookie: the router expires the chunks it no longer
		// needs, and the Node library reads the one cookie.
		rr = router.Get(t, "/fill/10", jar.header())
		jar.apply(rr.Cookies)
		if n := jar.chunks(name); rr.Status != 200 || n != 0 || jar[name] == "" {
			t.Errorf("router /fill/10 after %s: cookies left %v (set %v)", fillPath, jar.names(), rr.Cookies)
		}
		got = srv.read(t, "both", jar.pairs()...)
		if err := json.Unmarshal(got.Values, &m); err != nil || m.User != u || len(m.Fill) != 10 || got.Error != nil {
			t.Errorf("%s read the router's shrunk session (cookies %v) as user %q and %d letters (%v, %s)", nc.typ, jar.names(), m.User, len(m.Fill), err, deref(got.Error))
		} else {
			c.nodeReadRouter++
		}
	}

	// CLI → Node: cookiesession encode.
	for i := 0; i < 3; i++ {
		values := userValues(r, randomUser(r), 0)
		res := tools.RunCLI(t, "encode", typ, "-secret="+cur.flag(), string(values))
		if res.Code != 0 {
			t.Fatalf("encode %s: exit %d: %s", values, res.Code, res.Stderr)
		}
		jar := cookieJar{}
		if iron {
			jar[name] = res.Stdout // one cookie: its bare value
		} else {
			for _, line := range strings.Split(res.Stdout, "\n") {
				n, v, _ := strings.Cut(line, "=")
				jar[n] = v
			}
		}
		if nodeReads("encode", "both", jar, values) {
			c.nodeReadCLI++
		}
	}

	// Node → router and CLI: sessions the Node library sets, read by the
	// router and by decode -cookies from the Set-Cookie lines.
	for i := 0; i < 4; i++ {
		u := randomUser(r)
		values := userValues(r, u, 0)
		jar := fromMap(srv.set(t, "cur", values))
		greets("node session", router, jar, u)
		if decodes("node session", jar, values, "-secret="+cur.flag()) {
			c.cliReadNode++
		}
	}
	{
		u := randomUser(r)
		values := userValues(r, u, 0)
		jar := fromMap(srv.set(t, "plain", values))
		greets("node session, plain secret", plainRouter, jar, u)
		if decodes("node session, plain secret", jar, values, "-secret="+plain.flag()) {
			c.cliReadNode++
		}
	}
	// A large Node session (iron-session: chunks).
	{
		u := randomUser(r)
		values := userValues(r, u, fill)
		jar := fromMap(srv.set(t, "chunk", values))
		if iron {
			if n := jar.chunks(name); n < 2 {
				t.Errorf("iron-session's session of 6000 letters: cookies %v, want chunks", jar.names())
			} else {
				c.chunked++
			}
		}
		greets("node large session", router, jar, u)
		if rr := router.Get(t, "/fill", jar.header()); rr.Body != fillAnswer {
			t.Errorf("router /fill of a large %s session: %v", nc.typ, rr)
		}
		if decodes("node large session", jar, values, "-secret="+cur.flag()) {
			c.cliReadNode++
		}
	}
	// Rotation: a Node session of the old key is read by the router (a
	// previous secret) and written again with the current one, which the
	// Node configuration of the current key alone reads.
	for i := 0; i < 3; i++ {
		u := randomUser(r)
		values := userValues(r, u, 0)
		jar := fromMap(srv.set(t, "old", values))
		rr := greets("node session of the previous key", router, jar, u)
		again := cookieJar{}
		for k, v := range jar {
			again[k] = v
		}
		again.apply(rr.Cookies)
		if again.header() == jar.header() {
			t.Errorf("router did not write again a session of its previous secret (set %v)", rr.Cookies)
			continue
		}
		if iron {
			if id := strings.Split(again[name], "*")[1]; id != cur.id {
				t.Errorf("router wrote the rotated session with password id %s, want %s", id, cur.id)
			}
		}
		if nodeReads("router's rotated session", "cur", again, values) {
			c.rotated++
		}
		if decodes("node session of the previous key", jar, values, "-secret="+cur.flag(), "-previous-secret="+old.flag()) {
			c.cliReadNode++
		}
		if res := tools.RunCLI(t, "decode", typ, "-secret="+cur.flag(), "-cookies", jar.header()); res.Code != 1 || res.Stdout != "" {
			t.Errorf("decode of a session of an old key without -previous-secret: exit %d, %q", res.Code, res.Stdout)
		} else {
			c.refused++
		}
	}
	// Refusals: another key, and a tampered cookie.
	{
		values := userValues(r, randomUser(r), 0)
		jar := fromMap(srv.set(t, "other", values))
		if rr := greets("node session of another key", router, jar, ""); rr.Greeting() == "Hello Anonymous" {
			c.refused++
		}
		if res := tools.RunCLI(t, "decode", typ, "-secret="+cur.flag(), "-previous-secret="+old.flag(), "-cookies", jar.header()); res.Code != 1 || res.Stdout != "" {
			t.Errorf("decode of a session of another key: exit %d, %q", res.Code, res.Stdout)
		} else {
			c.refused++
		}
		// The signature changed, and the signed data changed under an
		// intact signature.
		jar = fromMap(srv.set(t, "cur", userValues(r, randomUser(r), 0)))
		for _, tampered := range tamperings(t, iron, jar) {
			if rr := greets("tampered node session: "+tampered.what, router, tampered.jar, ""); rr.Greeting() == "Hello Anonymous" {
				c.refused++
			}
			if res := tools.RunCLI(t, "decode", typ, "-secret="+cur.flag(), "-cookies", tampered.jar.header()); res.Code != 1 || res.Stdout != "" {
				t.Errorf("decode of a tampered session (%s): exit %d, %q", tampered.what, res.Code, res.Stdout)
			} else {
				c.refused++
			}
		}
	}

	t.Logf("%s: the Node library read %d router and %d CLI sessions; the router read %d and decode -cookies %d Node sessions; %d chunked sessions; %d rotated by the router; %d refusals checked",
		nc.typ, c.nodeReadRouter, c.nodeReadCLI, c.routerReadNode, c.cliReadNode, c.chunked, c.rotated, c.refused)
	wantChunked := 0
	if iron {
		wantChunked = 2
	}
	if c.nodeReadRouter != 7 || c.nodeReadCLI != 3 || c.cliReadNode != 9 || c.chunked != wantChunked ||
		c.routerReadNode != 9 || c.rotated != 3 || c.refused != 13 {
		t.Errorf("not every check passed: %+v", c)
	}
}

// tampered is a session cookie changed by a client.
type tampered struct {
	what string
	jar  cookieJar
}

// tamperings returns two changed copies of jar, a session of one cookie
// (iron-session) or of a value and its .sig (cookie-session): one whose
// signature (iron's HMAC, the .sig) has one character changed, one whose
// signed data (iron's ciphertext, the value) has.
func tamperings(t *testing.T, iron bool, jar cookieJar) []tampered {
	t.Helper()
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	clone := func(name, value string) cookieJar {
		j := cookieJar{}
		for k, v := range jar {
			j[k] = v
		}
		j[name] = value
		return j
	}
	if iron {
		// Fe26.2*id*salt*iv*ciphertext*expiration*hmacSalt*hmac~2
		seal := jar["session"]
		fields := strings.Split(seal, "*")
		if len(fields) != 8 {
			t.Fatalf("iron seal %q: %d fields", seal, len(fields))
		}
		macAt := len(seal) - len(fields[7])
		dataAt := len(strings.Join(fields[:4], "*")) + 1
		return []tampered{
			{"hmac", clone("session", flip(seal, macAt))},
			{"ciphertext", clone("session", flip(seal, dataAt))},
		}
	}
	return []tampered{
		{".sig", clone("session.sig", flip(jar["session.sig"], 0))},
		{"value", clone("session", flip(jar["session"], 0))},
	}
}
