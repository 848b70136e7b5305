package format_test

// The live check against the Python frameworks themselves: Starlette's
// SessionMiddleware (run as ASGI middleware), Flask's
// SecureCookieSessionInterface (through a Flask app's test client) and
// Django's signed_cookies SessionStore make cookies of random values with
// a random secret, which the Go formats open; the Go formats seal random
// values, which the frameworks load. Set COOKIESESSION_PYLIVE_SEED to
// replay a run; COOKIESESSION_PYTHON_FRAMEWORKS=required turns a missing
// framework into a failure instead of a skip.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/flasktag"
	"github.com/cookiesession/cookiesession/internal/format"
	"github.com/cookiesession/cookiesession/internal/format/django"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous"
	"github.com/cookiesession/cookiesession/internal/format/itsdangerous/pyjson"
)

// liveScript runs one framework's session code. stdin: {"secret", "make":
// [session JSON], "read": [cookie value]}; stdout: {"made": [cookie
// value], "read": [what the framework loaded], "version"}.
const liveScript = `
import asyncio, json, sys

def cookie_from(headers, name="session"):
    for h in headers:
        h = h.decode("latin-1") if isinstance(h, bytes) else h
        if h.startswith(name + "="):
            return h[len(name) + 1:].split(";", 1)[0]
    return None

def starlette(req):
    import starlette
    from starlette.middleware.sessions import SessionMiddleware
    todo = {}

    async def app(scope, receive, send):
        body = b"null"
        if todo["set"] is not None:
            scope["session"].update(json.loads(todo["set"]))
        else:
            body = json.dumps(scope["session"]).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    mw = SessionMiddleware(app, secret_key=req["secret"])

    def run(cookie, set_):
        todo["set"] = set_
        headers = [(b"cookie", ("session=" + cookie).encode())] if cookie else []
        scope = {"type": "http", "method": "GET", "path": "/", "headers": headers, "query_string": b""}
        out = {"headers": [], "body": b""}

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(msg):
            if msg["type"] == "http.response.start":
                out["headers"] = [v for k, v in msg["headers"] if k.lower() == b"set-cookie"]
            else:
                out["body"] += msg.get("body", b"")

        asyncio.run(mw(scope, receive, send))
        return out

    made = [cookie_from(run(None, v)["headers"]) for v in req["make"]]
    read = [json.loads(run(c, None)["body"]) for c in req["read"]]
    return made, read, "starlette " + starlette.__version__

def flask(req):
    import flask
    from importlib.metadata import version
    app = flask.Flask("live")
    app.secret_key = req["secret"]
    ser = app.session_interface.serializer

    @app.post("/set")
    def set_():
        flask.session.update(ser.loads(flask.request.get_data(as_text=True)))
        return "ok"

    @app.get("/get")
    def get():
        s = dict(flask.session)
        return json.dumps({"tagged": ser.dumps(s), "types": {k: type(v).__name__ for k, v in s.items()}})

    c = app.test_client(use_cookies=False)
    made = []
    for v in req["make"]:
        r = c.post("/set", data=v)
        made.append(cookie_from(r.headers.getlist("Set-Cookie")))
    read = []
    for ck in req["read"]:
        r = c.get("/get", headers={"Cookie": "session=" + ck})
        read.append(json.loads(r.get_data(as_text=True)))
    return made, read, "flask " + version("flask") + ", itsdangerous " + version("itsdangerous")

def django(req):
    import django
    from django.conf import settings
    settings.configure(SECRET_KEY=req["secret"], SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
                       INSTALLED_APPS=["django.contrib.sessions"], USE_TZ=True)
    django.setup()
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    made = []
    for v in req["make"]:
        s = SessionStore()
        s.update(json.loads(v))
        s.save()
        made.append(s.session_key)
    read = []
    for ck in req["read"]:
        s = SessionStore(session_key=ck)
        read.append(dict(s.items()))
    return made, read, "django " + django.get_version()

made, read, ver = {"starlette": starlette, "flask": flask, "django": django}[sys.argv[1]](json.load(sys.stdin))
json.dump({"made": made, "read": read, "version": ver}, sys.stdout)
`

const debianPython = "/usr/bin/python3"

// pythonFor returns a Python that imports module: for Flask the machine's
// python3 first (Flask 3), else Debian's; for the others Debian's.
func pythonFor(t *testing.T, module string) string {
	t.Helper()
	candidates := []string{debianPython}
	if module == "flask" {
		if p, err := exec.LookPath("python3"); err == nil {
			candidates = []string{p, debianPython}
		}
	}
	for _, py := range candidates {
		if exec.Command(py, "-c", "import "+module).Run() == nil {
			return py
		}
	}
	msg := fmt.Sprintf("%s is not importable by %s (Debian: apt-get install python3-%s)", module, strings.Join(candidates, " or "), module)
	if os.Getenv("COOKIESESSION_PYTHON_FRAMEWORKS") == "required" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED: " + msg)
	return ""
}

type liveResult struct {
	Made    []string          `json:"made"`
	Read    []json.RawMessage `json:"read"`
	Version string            `json:"version"`
}

func runPython(t *testing.T, py, framework, secret string, make []string, read []string) liveResult {
	t.Helper()
	script := filepath.Join(t.TempDir(), "live.py")
	if err := os.WriteFile(script, []byte(liveScript), 0o600); err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(map[string]any{"secret": secret, "make": make, "read": read})
	cmd := exec.Command(py, script, framework)
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
		t.Fatalf("%s: %d cookies made, %d read", framework, len(r.Made), len(r.Read))
	}
	t.Logf("%s (%s)", r.Version, py)
	return r
}

func liveSeed(t *testing.T) *rand.Rand {
	seed := time.Now().UnixNano()
	if s := os.Getenv("COOKIESESSION_PYLIVE_SEED"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("COOKIESESSION_PYLIVE_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d (COOKIESESSION_PYLIVE_SEED=%d replays this run)", seed, seed)
	return rand.New(rand.NewSource(seed))
}

// gen makes random session values: the characters and numbers where the
// Python and Go spellings differ.
type gen struct{ r *rand.Rand }

var runePool = []rune("abcXYZ019 _-.~\"\\/<>&'\x00\x01\x1f\x7f\u00e9\u00ff\u0416\u2028\u20ac\uffff\U0001F600\U00010000\t\n\r")

func (g gen) str(max int) string {
	n := g.r.Intn(max + 1)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteRune(runePool[g.r.Intn(len(runePool))])
	}
	return b.String()
}

func (g gen) secret() string {
	b := make([]byte, 8+g.r.Intn(40))
	g.r.Read(b)
	s := base64.RawURLEncoding.EncodeToString(b)
	if g.r.Intn(3) == 0 {
		s += "ключ-é"
	}
	return s
}

// number returns a JSON number literal: ints of every size (beyond 2^53
// and int64 too) and floats whose Python repr takes each form.
func (g gen) number() json.RawMessage {
	switch g.r.Intn(6) {
	case 0:
		return json.RawMessage(strconv.FormatInt(g.r.Int63()-g.r.Int63(), 10))
	case 1:
		return json.RawMessage(strconv.FormatInt(1<<53+g.r.Int63n(1<<20), 10))
	case 2:
		return json.RawMessage("-" + strconv.FormatUint(1<<63+uint64(g.r.Int63()), 10) + "7")
	case 3:
		f := g.r.NormFloat64() * math.Pow(10, float64(g.r.Intn(50)-25))
		return json.RawMessage(strconv.FormatFloat(f, 'g', -1, 64))
	case 4:
		return json.RawMessage([]string{"0.1", "1e16", "1e15", "1e-5", "0.0001", "-0.0", "2.5", "1E2", "123456789.125", "1e22", "5e-324"}[g.r.Intn(11)])
	default:
		return json.RawMessage(strconv.Itoa(g.r.Intn(1000)))
	}
}

// value returns a random plain JSON value.
func (g gen) value(depth int) json.RawMessage {
	k := g.r.Intn(8)
	if depth > 2 && k >= 6 {
		k = 0
	}
	switch k {
	case 0, 1:
		b, _ := json.Marshal(g.str(12))
		return b
	case 2, 3:
		return g.number()
	case 4:
		return json.RawMessage([]string{"true", "false", "null"}[g.r.Intn(3)])
	case 5:
		items := make([]string, g.r.Intn(4))
		for i := range items {
			items[i] = string(g.value(depth + 1))
		}
		return json.RawMessage("[" + strings.Join(items, ",") + "]")
	default:
		return g.object(depth+1, 4)
	}
}

// object returns a random JSON object with sorted keys (as the root
// package and Flask write them).
func (g gen) object(depth, max int) json.RawMessage {
	m := map[string]json.RawMessage{}
	for i, n := 0, 1+g.r.Intn(max); i < n; i++ {
		m[g.str(8)] = g.value(depth)
	}
	return sortedObject(m)
}

func sortedObject(m map[string]json.RawMessage) json.RawMessage {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(m[k])
	}
	b.WriteByte('}')
	var c bytes.Buffer
	if err := json.Compact(&c, b.Bytes()); err != nil {
		panic(err)
	}
	return c.Bytes()
}

func sameValues(t *testing.T, what string, got, want []byte) bool {
	t.Helper()
	if ok, err := pyjson.Equal(got, want); err != nil || !ok {
		t.Errorf("%s: values differ (%v)\n got %s\nwant %s", what, err, got, want)
		return false
	}
	return true
}

// bigSessions returns sessions long and repetitive enough that Flask,
// Django and the Go formats all compress them: a long repeated string, a
// cart of many similar items, many similar keys, and a random string
// (escapes and all) said forty times.
func (g gen) bigSessions() []string {
	cart := make([]string, 30)
	for i := range cart {
		cart[i] = fmt.Sprintf(`{"price":"%d.99","qty":%d,"sku":"SKU-%04d"}`, i%7, 1+i%3, i)
	}
	prefs := map[string]json.RawMessage{}
	for i := 0; i < 40; i++ {
		prefs[fmt.Sprintf("pref_%03d", i)] = json.RawMessage([]string{`"on"`, `"off"`, `true`}[i%3])
	}
	user, _ := json.Marshal(g.str(8))
	echo, _ := json.Marshal(strings.Repeat("x"+g.str(12), 40))
	return []string{
		`{"long":"` + strings.Repeat("abc", 200) + `","n":[1,2,3]}`,
		`{"cart":[` + strings.Join(cart, ",") + `],"user":` + string(user) + `}`,
		string(sortedObject(prefs)),
		string(sortedObject(map[string]json.RawMessage{"echo": echo, "n": g.number()})),
	}
}

// compressedToken tells whether a Flask or Django cookie value holds a
// zlib-compressed payload ("." first); a Starlette value never does.
func compressedToken(tok string) bool { return strings.HasPrefix(tok, ".") }

// liveCounts tallies one framework's live run for the checks and the log.
type liveCounts struct {
	made, madeZ   int // framework cookies opened by Go; of them compressed
	exact         int // uncompressed framework cookies resealed byte for byte
	resealedZ     int // compressed framework cookies resealed to the same values
	goRead, goZ   int // Go cookies loaded by the framework with the same values; of them compressed
	bigCompressed int // big sessions whose Go cookie is compressed
}

// checkReseal seals the values a framework cookie tok opened to (obj,
// meta), dated as tok was. An uncompressed framework cookie must come back
// byte for byte. A compressed one holds CPython's zlib stream and Seal
// writes compress/zlib's, so the cookie Seal writes must open, under the
// same key, to the same values and date instead.
func checkReseal(t *testing.T, what string, f format.Format, tok string, obj []byte, meta format.Meta, c *liveCounts) {
	t.Helper()
	again, err := f.Seal(obj, meta.Written, time.Time{})
	if err != nil {
		t.Errorf("%s: Seal of its values: %v", what, err)
		return
	}
	if !compressedToken(tok) {
		if again != tok {
			t.Errorf("%s: Seal of its values\n got %s\nwant %s", what, again, tok)
			return
		}
		c.exact++
		return
	}
	back, m, err := f.Open(again)
	if err != nil {
		t.Errorf("%s: resealed cookie %s does not open: %v", what, again, err)
		return
	}
	if !m.Written.Equal(meta.Written) || m.Key != meta.Key {
		t.Errorf("%s: resealed cookie meta %+v, want %+v", what, m, meta)
	}
	if ok, err := pyjson.Equal(back, obj); err != nil || !ok {
		t.Errorf("%s: resealed cookie opens to %s (%v), want %s", what, back, err, obj)
		return
	}
	c.resealedZ++
}

// checkCompression: Starlette never compresses; for Flask and Django every
// big session's Go cookie is compressed, and so is every big session's
// framework cookie, so the live run covers compressed cookies both ways.
func checkCompression(t *testing.T, framework string, zlib bool, nBig int, c liveCounts) {
	t.Helper()
	if !zlib {
		if c.madeZ != 0 || c.goZ != 0 {
			t.Errorf("%s: %d framework and %d Go cookies compressed, want none", framework, c.madeZ, c.goZ)
		}
		return
	}
	if nBig == 0 || c.bigCompressed != nBig || c.goZ < nBig {
		t.Errorf("%s: %d of %d big sessions' Go cookies compressed (%d Go cookies compressed in all)", framework, c.bigCompressed, nBig, c.goZ)
	}
	if c.madeZ < nBig || c.resealedZ != c.madeZ {
		t.Errorf("%s: %d framework cookies compressed, %d of them resealed to the same values; want at least %d, all", framework, c.madeZ, c.resealedZ, nBig)
	}
}

func (c liveCounts) String() string {
	return fmt.Sprintf("%d cookies opened (%d compressed); %d uncompressed resealed byte for byte, %d compressed resealed to the same values; %d Go cookies (%d compressed) loaded with the same values",
		c.made, c.madeZ, c.exact, c.resealedZ, c.goRead, c.goZ)
}

// liveRoundTrips runs both directions for one framework whose values are
// plain JSON (Starlette, Django).
func liveRoundTrips(t *testing.T, framework, module string, newFormat func([]string) (format.Format, error), zlib bool) {
	py := pythonFor(t, module)
	g := gen{liveSeed(t)}
	secret := g.secret()
	f, err := newFormat([]string{secret})
	if err != nil {
		t.Fatal(err)
	}
	rotated, _ := newFormat([]string{g.secret(), secret})
	other, _ := newFormat([]string{secret + "x"})
	var objs []string
	for i := 0; i < 25; i++ {
		objs = append(objs, string(g.object(0, 6)))
	}
	firstBig := len(objs)
	objs = append(objs, g.bigSessions()...)
	now := time.Now()
	var goTokens []string
	var c liveCounts
	for i, o := range objs {
		tok, err := f.Seal([]byte(o), now, time.Time{})
		if err != nil {
			t.Fatalf("Seal(%s): %v", o, err)
		}
		goTokens = append(goTokens, tok)
		if compressedToken(tok) {
			c.goZ++
			if i >= firstBig {
				c.bigCompressed++
			}
		}
	}
	forged, _ := other.Seal([]byte(`{"admin":true}`), now, time.Time{})
	res := runPython(t, py, framework, secret, objs, append(goTokens, forged))
	for i, tok := range res.Made {
		what := fmt.Sprintf("%s cookie %d", framework, i)
		obj, meta, err := f.Open(tok)
		if err != nil {
			t.Errorf("%s (%s): %v\nvalues %s", what, tok, err, objs[i])
			continue
		}
		c.made++
		if compressedToken(tok) {
			c.madeZ++
		}
		sameValues(t, what, obj, []byte(objs[i]))
		if meta.Key != 0 || meta.Written.Before(now.Add(-time.Minute)) || meta.Written.After(time.Now().Add(time.Second)) {
			t.Errorf("%s: meta %+v (now %v)", what, meta, now)
		}
		if _, m, err := rotated.Open(tok); err != nil || m.Key != 1 {
			t.Errorf("%s under a previous secret: %+v, %v", what, m, err)
		}
		checkReseal(t, what, f, tok, obj, meta, &c)
	}
	for i := range goTokens {
		if sameValues(t, fmt.Sprintf("%s read Go cookie %d", framework, i), res.Read[i], []byte(objs[i])) {
			c.goRead++
		}
	}
	if s := string(res.Read[len(goTokens)]); s != "{}" {
		t.Errorf("%s loaded a cookie of another secret: %s", framework, s)
	}
	checkCompression(t, framework, zlib, len(objs)-firstBig, c)
	t.Logf("%s: %v", framework, c)
}

func TestLiveStarlette(t *testing.T) {
	liveRoundTrips(t, "starlette", "starlette", itsdangerous.NewStarlette, false)
}

func TestLiveDjango(t *testing.T) {
	liveRoundTrips(t, "django", "django", django.NewDjango, true)
}

// flaskSession returns a random Flask session: plain values, and one of
// each tagged type made by flasktag.Tag from the Go value, with the Go
// value each should decode back to. With notes > 0 it also holds a string
// said notes times under "notes", which makes it compress.
func (g gen) flaskSession(notes int) (json.RawMessage, map[string]any) {
	var u flasktag.UUID
	g.r.Read(u[:])
	raw := make([]byte, g.r.Intn(20))
	g.r.Read(raw)
	goValues := map[string]any{
		"when":   time.Unix(g.r.Int63n(4102444800), 0).UTC(),
		"raw":    raw,
		"pair":   flasktag.Tuple{json.Number(string(g.number())), g.str(6)},
		"id":     u,
		"markup": flasktag.Markup("<b>" + g.str(6) + "</b>"),
		"odd":    map[string]any{" t": g.str(4)},
	}
	m := map[string]json.RawMessage{}
	for k, v := range goValues {
		tagged, err := flasktag.Tag(v)
		if err != nil {
			panic(err)
		}
		m[k] = tagged
	}
	flashes, err := flasktag.AppendFlash(nil, flasktag.Flash{Message: g.str(10)}, flasktag.Flash{Category: "error", Message: g.str(10)})
	if err != nil {
		panic(err)
	}
	m[flasktag.FlashesKey] = flashes
	for i, n := 0, g.r.Intn(5); i < n; i++ {
		m["k"+g.str(6)] = g.value(1)
	}
	if notes > 0 {
		m["notes"], _ = json.Marshal(strings.Repeat("note "+g.str(10), notes))
	}
	return sortedObject(m), goValues
}

// TestLiveFlask: Flask loads what the Go format seals (and gets a
// datetime, bytes, a tuple, a UUID, Markup and a dict back for the Go
// values), and the Go format opens what Flask writes, whose tagged values
// flasktag.Untag turns into those Go values again.
func TestLiveFlask(t *testing.T) {
	py := pythonFor(t, "flask")
	g := gen{liveSeed(t)}
	secret := g.secret()
	f, err := itsdangerous.NewFlask([]string{secret})
	if err != nil {
		t.Fatal(err)
	}
	rotated, _ := itsdangerous.NewFlask([]string{g.secret(), secret})
	other, _ := itsdangerous.NewFlask([]string{secret + "x"})
	var objs []string
	var goValues []map[string]any
	for i := 0; i < 20; i++ {
		o, v := g.flaskSession(0)
		objs = append(objs, string(o))
		goValues = append(goValues, v)
	}
	for i := 0; i < 5; i++ { // plain sessions, mostly not compressed
		objs = append(objs, string(g.object(0, 3)))
		goValues = append(goValues, nil)
	}
	// A session whose only key is a tag name (Flask wraps it in " di").
	objs = append(objs, `{" t":[1,2]}`)
	goValues = append(goValues, nil)
	// Sessions that compress: plain ones and one with every tagged type.
	firstBig := len(objs)
	for _, o := range g.bigSessions() {
		objs = append(objs, o)
		goValues = append(goValues, nil)
	}
	o, v := g.flaskSession(30)
	objs = append(objs, string(o))
	goValues = append(goValues, v)
	now := time.Now()
	var goTokens []string
	var c liveCounts
	for i, o := range objs {
		tok, err := f.Seal([]byte(o), now, time.Time{})
		if err != nil {
			t.Fatalf("Seal(%s): %v", o, err)
		}
		goTokens = append(goTokens, tok)
		if compressedToken(tok) {
			c.goZ++
			if i >= firstBig {
				c.bigCompressed++
			}
		}
	}
	forged, _ := other.Seal([]byte(`{"admin":true}`), now, time.Time{})
	// What Flask's serializer loads and dumps is the whole session tagged:
	// a session whose only key is a tag name stands wrapped in " di".
	var wrapped []string
	for _, o := range objs {
		w, err := flasktag.WrapSession([]byte(o))
		if err != nil {
			t.Fatal(err)
		}
		wrapped = append(wrapped, string(w))
	}
	res := runPython(t, py, "flask", secret, wrapped, append(goTokens, forged))
	wantTypes := map[string]string{"when": "datetime", "raw": "bytes", "pair": "tuple", "id": "UUID", "markup": "Markup", "odd": "dict", "_flashes": "list"}
	for i, tok := range res.Made {
		what := fmt.Sprintf("flask cookie %d", i)
		obj, meta, err := f.Open(tok)
		if err != nil {
			t.Errorf("%s (%s): %v\nvalues %s", what, tok, err, objs[i])
			continue
		}
		c.made++
		if compressedToken(tok) {
			c.madeZ++
		}
		sameValues(t, what, obj, []byte(objs[i]))
		if meta.Key != 0 || meta.Written.Before(now.Add(-time.Minute)) || meta.Written.After(time.Now().Add(time.Second)) {
			t.Errorf("%s: meta %+v", what, meta)
		}
		if _, m, err := rotated.Open(tok); err != nil || m.Key != 1 {
			t.Errorf("%s under a previous secret: %+v, %v", what, m, err)
		}
		checkReseal(t, what, f, tok, obj, meta, &c)
		if goValues[i] != nil {
			checkUntagged(t, i, obj, goValues[i])
		}
	}
	for i := range goTokens {
		var got struct {
			Tagged string            `json:"tagged"`
			Types  map[string]string `json:"types"`
		}
		if err := json.Unmarshal(res.Read[i], &got); err != nil {
			t.Fatal(err)
		}
		ok := sameValues(t, fmt.Sprintf("flask read Go cookie %d", i), []byte(got.Tagged), []byte(wrapped[i]))
		if goValues[i] != nil {
			for k, want := range wantTypes {
				if got.Types[k] != want {
					t.Errorf("flask read Go cookie %d: %q is a Python %s, want %s", i, k, got.Types[k], want)
					ok = false
				}
			}
		}
		if ok {
			c.goRead++
		}
	}
	if s := string(res.Read[len(goTokens)]); !strings.Contains(s, `"tagged": "{}"`) {
		t.Errorf("flask loaded a cookie of another secret: %s", s)
	}
	checkCompression(t, "flask", true, len(objs)-firstBig, c)
	t.Logf("flask: %v", c)
}

// checkUntagged: the tagged values of a Flask-made session decode, through
// flasktag.Untag and encoding/json, into the Go values they were made from.
func checkUntagged(t *testing.T, i int, obj []byte, want map[string]any) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(obj, &m); err != nil {
		t.Fatal(err)
	}
	untag := func(k string, into any) {
		plain, err := flasktag.Untag(m[k])
		if err == nil {
			err = json.Unmarshal(plain, into)
		}
		if err != nil {
			t.Errorf("flask cookie %d: %q: %v", i, k, err)
		}
	}
	var when time.Time
	untag("when", &when)
	if !when.Equal(want["when"].(time.Time)) {
		t.Errorf("flask cookie %d: when %v, want %v", i, when, want["when"])
	}
	var raw []byte
	untag("raw", &raw)
	if !bytes.Equal(raw, want["raw"].([]byte)) {
		t.Errorf("flask cookie %d: raw %x, want %x", i, raw, want["raw"])
	}
	var id flasktag.UUID
	untag("id", &id)
	if id != want["id"].(flasktag.UUID) {
		t.Errorf("flask cookie %d: id %v, want %v", i, id, want["id"])
	}
	var markup string
	untag("markup", &markup)
	if markup != string(want["markup"].(flasktag.Markup)) {
		t.Errorf("flask cookie %d: markup %q", i, markup)
	}
	var odd map[string]string
	untag("odd", &odd)
	if len(odd) != 1 || odd[" t"] != want["odd"].(map[string]any)[" t"] {
		t.Errorf("flask cookie %d: odd %v", i, odd)
	}
	var pair []json.RawMessage
	untag("pair", &pair)
	if len(pair) != 2 {
		t.Errorf("flask cookie %d: pair %s", i, pair)
	}
	fl, err := flasktag.Flashes(m[flasktag.FlashesKey])
	if err != nil || len(fl) != 2 || fl[0].Category != "message" || fl[1].Category != "error" {
		t.Errorf("flask cookie %d: flashes %v, %v", i, fl, err)
	}
}
