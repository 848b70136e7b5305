package node

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/livetest"
)

// nodeEnv finds node and the installed libraries, or skips (fails, with
// COOKIESESSION_NODE=required) saying why.
func nodeEnv(t *testing.T) (nodeBin, modules string) {
	t.Helper()
	unavailable := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("COOKIESESSION_NODE") == "required" {
			t.Fatalf("COOKIESESSION_NODE=required, but %s", msg)
		}
		t.Skipf("skipped: %s (see interop/node/doc.go)", msg)
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		unavailable("node is not installed")
	}
	modules = os.Getenv("COOKIESESSION_NODE_MODULES")
	if modules == "" {
		unavailable("COOKIESESSION_NODE_MODULES is not set (the node_modules of interop/node/package-lock.json, installed with npm ci)")
	}
	modules, err = filepath.Abs(modules)
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"iron-session", "cookie-session", "express"} {
		if _, err := os.Stat(filepath.Join(modules, pkg, "package.json")); err != nil {
			unavailable("%s is not installed in COOKIESESSION_NODE_MODULES=%s", pkg, modules)
		}
	}
	return nodeBin, modules
}

// seeded returns the run's random source, logging its seed.
func seeded(t *testing.T) *rand.Rand {
	t.Helper()
	seed := time.Now().UnixNano()
	if s := os.Getenv("COOKIESESSION_NODE_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("COOKIESESSION_NODE_SEED: %v", err)
		}
	}
	t.Logf("seed %d (COOKIESESSION_NODE_SEED=%d repeats this run)", seed, seed)
	return rand.New(rand.NewSource(seed))
}

// A server is one of the Node scripts, running.
type server struct {
	base   string
	client *http.Client
}

// startServer runs script (a file of this directory) with env, from a
// temporary directory whose node_modules links to the installed libraries,
// and waits for the port it prints. The process ends with the test.
func startServer(t *testing.T, script string, env ...string) *server {
	t.Helper()
	nodeBin, modules := nodeEnv(t)
	dir := t.TempDir()
	src, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, script), src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nodeBin, filepath.Join(dir, script))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	stderr := &livetest.Buffer{} // the process's stderr, for the test log
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() && stderr.String() != "" {
			t.Logf("%s stderr:\n%s", script, stderr)
		}
	})
	port := make(chan int, 1)
	go func() {
		var first struct{ Port int }
		line, err := bufio.NewReader(stdout).ReadBytes('\n')
		if err == nil && json.Unmarshal(line, &first) == nil {
			port <- first.Port
		}
		close(port)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case p, ok := <-port:
		if !ok || p == 0 {
			t.Fatalf("%s did not start: %s", script, stderr)
		}
		return &server{base: "http://127.0.0.1:" + strconv.Itoa(p), client: &http.Client{Timeout: 10 * time.Second}}
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not print its port within 20 s: %s", script, stderr)
	}
	return nil
}

// set posts values (a JSON object) to /<cfg>/set and returns the cookies
// the response sets, by name (a cookie set twice: the last).
func (s *server) set(t *testing.T, cfg string, values []byte) map[string]*http.Cookie {
	t.Helper()
	resp, err := s.client.Post(s.base+"/"+cfg+"/set", "application/json", bytes.NewReader(values))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /%s/set: %s: %s", cfg, resp.Status, body)
	}
	out := map[string]*http.Cookie{}
	for _, c := range resp.Cookies() {
		out[c.Name] = c
	}
	return out
}

// readReply is what the servers answer on /<cfg>/read.
type readReply struct {
	Values json.RawMessage `json:"values"`
	Error  *string         `json:"error"` // iron-server: why the cookie was not read
	IsNew  *bool           `json:"isNew"` // express-server: no session was read
	// Cookies the response set (cookie-session re-signs a cookie signed
	// with an older key).
	Cookies map[string]*http.Cookie `json:"-"`
}

// read sends cookies (name=value pairs, in order) to /<cfg>/read.
func (s *server) read(t *testing.T, cfg string, cookies ...[2]string) readReply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.base+"/"+cfg+"/read", nil)
	if err != nil {
		t.Fatal(err)
	}
	var h []string
	for _, c := range cookies {
		h = append(h, c[0]+"="+c[1])
	}
	if len(h) > 0 {
		req.Header.Set("Cookie", strings.Join(h, "; "))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /%s/read: %s: %s", cfg, resp.Status, body)
	}
	var r readReply
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("GET /%s/read: %v: %s", cfg, err, body)
	}
	r.Cookies = map[string]*http.Cookie{}
	for _, c := range resp.Cookies() {
		r.Cookies[c.Name] = c
	}
	return r
}

// sameJSON reports whether two JSON texts hold the same values, numbers
// compared by their spelling.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	for _, p := range []struct {
		in  []byte
		out *any
	}{{a, &x}, {b, &y}} {
		d := json.NewDecoder(bytes.NewReader(p.in))
		d.UseNumber()
		if err := d.Decode(p.out); err != nil {
			t.Fatalf("decoding %s: %v", p.in, err)
		}
	}
	return reflect.DeepEqual(x, y)
}

// isEmptyObject reports whether a JSON text is {}.
func isEmptyObject(b []byte) bool {
	var m map[string]any
	return json.Unmarshal(b, &m) == nil && m != nil && len(m) == 0
}

// randomValues makes a session object as the root package hands it to a
// format: compact JSON, keys sorted, no HTML escaping. size is about the
// number of bytes of padding text to include (0 for none).
func randomValues(r *rand.Rand, size int) []byte {
	m := map[string]any{}
	n := 1 + r.Intn(6)
	for i := 0; i < n; i++ {
		m[randomKey(r)] = randomValue(r, 0)
	}
	if r.Intn(3) == 0 {
		m[strconv.Itoa(r.Intn(100))] = "an index-like key" // JavaScript orders these first
	}
	if size > 0 {
		m["fill"] = randomText(r, size, false)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func randomKey(r *rand.Rand) string {
	const letters = "abcdefghijklmnopqrstuvwxyz_"
	b := make([]byte, 2+r.Intn(8))
	for i := range b {
		b[i] = letters[r.Intn(len(letters))]
	}
	return "k" + string(b) // never a name cookie-session's Session object has
}

func randomValue(r *rand.Rand, depth int) any {
	kinds := 7
	if depth >= 2 {
		kinds = 5
	}
	switch r.Intn(kinds) {
	case 0:
		return randomText(r, r.Intn(24), true)
	case 1:
		return r.Int63n(1<<53) - 1<<52 // exact as a JavaScript number
	case 2:
		return float64(r.Int63n(2_000_000)-1_000_000) / 1000
	case 3:
		return r.Intn(2) == 0
	case 4:
		return nil
	case 5:
		a := make([]any, r.Intn(4))
		for i := range a {
			a[i] = randomValue(r, depth+1)
		}
		return a
	default:
		o := map[string]any{}
		for i := r.Intn(4); i > 0; i-- {
			o[randomKey(r)] = randomValue(r, depth+1)
		}
		return o
	}
}

// randomText: letters, and with special, characters that JSON and
// JavaScript spell in their own ways.
func randomText(r *rand.Rand, n int, special bool) string {
	pool := []string{"a", "b", "Z", "0", "7", " ", "-"}
	if special {
		pool = append(pool, "é", "Ж", "😀", "\u2028", "/", "<", ">", "&", `"`, `\`, "\n", "\t", "\x01", "\u007f")
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(pool[r.Intn(len(pool))])
	}
	return b.String()
}

// randomSecret makes a password of n characters, some of them non-ASCII.
func randomSecret(r *rand.Rand, n int) string {
	pool := []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_!#%éЖ")
	out := make([]rune, n)
	for i := range out {
		out[i] = pool[r.Intn(len(pool))]
	}
	return string(out)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
