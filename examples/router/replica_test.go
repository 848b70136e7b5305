package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// What the fleet tests share: the example built once, replicas of it run
// as processes on loopback ports, and an HTTP client that speaks to them
// with cookies it handles itself (a cookie jar would share one cookie
// between the replicas of 127.0.0.1, since cookies ignore ports; here each
// request names the cookie it replays).

// fleetSecret is the -secret every replica of a fleet shares.
const fleetSecret = "fleet-test-secret-0123456789abcd"

// tmpDir holds the test binary's built example; TestMain removes it.
var tmpDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "router-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmpDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var build struct {
	once sync.Once
	bin  string
	err  error
}

// routerBinary builds this example once per test binary (the go command
// resolves its modules as for any build here: go.work, or go.mod with
// GOWORK=off).
func routerBinary(tb testing.TB) string {
	tb.Helper()
	build.once.Do(func() {
		bin := filepath.Join(tmpDir, "router")
		out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			build.err = fmt.Errorf("go build examples/router: %v\n%s", err, out)
			return
		}
		build.bin = bin
	})
	if build.err != nil {
		tb.Fatal(build.err)
	}
	return build.bin
}

// syncBuffer is a bytes.Buffer safe for a process's output and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// replica is one process of the example.
type replica struct {
	name string
	url  string
	cmd  *exec.Cmd
	log  *syncBuffer
}

// startReplica runs the example on a free loopback port with args added
// to -addr, and waits until it answers; the test's cleanup stops it.
func startReplica(tb testing.TB, name string, args ...string) *replica {
	tb.Helper()
	bin := routerBinary(tb)
	addr := "127.0.0.1:" + strconv.Itoa(freePort(tb))
	r := &replica{name: name, url: "http://" + addr, log: &syncBuffer{}}
	r.cmd = exec.Command(bin, append([]string{"-addr", addr}, args...)...)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	dieWithTest(r.cmd)
	if err := r.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(exited) }()
	tb.Cleanup(func() {
		_ = r.cmd.Process.Kill()
		<-exited
		if tb.Failed() {
			tb.Logf("%s (%s) log:\n%s", r.name, addr, tail(r.log.String(), 3000))
		}
	})
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		select {
		case <-exited:
			tb.Fatalf("%s exited at start: %s", name, r.log.String())
		default:
		}
		resp, err := client.Get(r.url + "/")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s did not answer on %s within 20 s: %v\n%s", name, addr, err, r.log.String())
		}
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// answer is what a replica said to one request.
type answer struct {
	status int
	line   string // the body's first line
	cookie string // the session cookie set ("name=value"), "" if none
	clears bool   // a Set-Cookie expires the session cookie
}

// fleetClient sends requests to replicas and counts them.
type fleetClient struct {
	http                *http.Client
	requests, server5xx atomic.Int64
}

func newFleetClient(tb testing.TB) *fleetClient {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	tb.Cleanup(tr.CloseIdleConnections)
	return &fleetClient{http: &http.Client{
		Transport: tr,
		Timeout:   15 * time.Second, // longer than a logout waiting for Redis (revocationPatience)
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// get sends GET path to r with the Cookie header cookie ("" for none).
func (c *fleetClient) get(r *replica, path, cookie string) (answer, error) {
	req, err := http.NewRequest(http.MethodGet, r.url+path, nil)
	if err != nil {
		return answer{}, err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	c.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("%s GET %s: %w", r.name, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, fmt.Errorf("%s GET %s: %w", r.name, path, err)
	}
	if resp.StatusCode >= 500 {
		c.server5xx.Add(1)
	}
	a := answer{status: resp.StatusCode}
	a.line, _, _ = strings.Cut(string(body), "\n")
	for _, ck := range resp.Cookies() {
		if ck.Name != "session" {
			continue
		}
		if ck.MaxAge < 0 || ck.Value == "" {
			a.clears = true
		} else {
			a.cookie = ck.Name + "=" + ck.Value
		}
	}
	return a, nil
}
