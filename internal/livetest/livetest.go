// Package livetest holds the helpers of the live checks that go through
// the command line: the cookiesession command and examples/router, built
// from this repository and run as a user runs them, on 127.0.0.1 only,
// each call bounded in time and every process ended with its test. The
// live checks of the Python frameworks (internal/format) and of the Node
// libraries (interop/node) share them.
package livetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/version"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ToolTimeout bounds one run of the command, one build, one router start.
const ToolTimeout = 2 * time.Minute

// repoRoot returns the repository's root: the nearest directory above the
// test's own that holds cmd/cookiesession.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "cmd", "cookiesession")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("repository root (the directory holding cmd/cookiesession) not found above the test's directory")
		}
		dir = parent
	}
}

// Tools are the built programs.
type Tools struct {
	CLI, Router string
}

// Build builds the command and examples/router into dir. examples/router
// is built by its path from the root, or, should it be a module of its
// own, from its directory (both work in the repository's workspace).
func Build(t *testing.T, dir string) Tools {
	t.Helper()
	// examples/router is a module of its own that needs Go 1.24 (it uses
	// stores/redis): the core's step on its oldest Go (1.22) cannot build
	// it. The other steps run these checks with the current Go.
	if version.Compare(runtime.Version(), "go1.24") < 0 && version.IsValid(runtime.Version()) {
		t.Skipf("examples/router needs Go 1.24 or later; this is %s (CI runs this check with the current Go in its other steps)", runtime.Version())
	}
	root := repoRoot(t)
	tools := Tools{CLI: filepath.Join(dir, "cookiesession"), Router: filepath.Join(dir, "router")}
	build := func(out, workdir, pkg string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
		cmd.Dir = workdir
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s (in %s): %v\n%s", pkg, workdir, err, b)
		}
	}
	build(tools.CLI, root, "./cmd/cookiesession")
	if _, err := os.Stat(filepath.Join(root, "examples", "router", "go.mod")); err == nil {
		build(tools.Router, filepath.Join(root, "examples", "router"), ".")
	} else {
		build(tools.Router, root, "./examples/router")
	}
	return tools
}

// Result is one run of the command.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// RunCLI runs the command with args and no secret in its environment.
func (lt Tools) RunCLI(t *testing.T, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ToolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, lt.CLI, args...)
	cmd.Env = withoutSecret(os.Environ())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
	case err != nil:
		t.Fatalf("cookiesession %s: %v", strings.Join(args, " "), err)
	}
	return Result{strings.TrimSuffix(stdout.String(), "\n"), stderr.String(), cmd.ProcessState.ExitCode()}
}

func withoutSecret(env []string) []string {
	out := env[:0:0]
	for _, e := range env {
		if !strings.HasPrefix(e, "COOKIESESSION_SECRET=") {
			out = append(out, e)
		}
	}
	return out
}

// Router is a running examples/router.
type Router struct {
	Base   string
	Client *http.Client
	Log    *Buffer
}

// Buffer is a bytes.Buffer that a process and the test share.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freePort returns a port of 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StartRouter runs examples/router with args on a free port of 127.0.0.1
// and waits until it answers. It is killed when the test ends; its log is
// shown if the test failed.
func (lt Tools) StartRouter(t *testing.T, args ...string) *Router {
	t.Helper()
attempts:
	for attempt := 0; ; attempt++ {
		addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
		log := &Buffer{}
		cmd := exec.Command(lt.Router, append([]string{"-addr", addr}, args...)...)
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			cmd.Process.Kill()
			<-exited
			if t.Failed() {
				t.Logf("router %s log:\n%s", strings.Join(redact(args), " "), log)
			}
		})
		r := &Router{
			Base: "http://" + addr,
			Client: &http.Client{
				Timeout:       10 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			},
			Log: log,
		}
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			select {
			case <-exited:
				if attempt < 3 && strings.Contains(log.String(), "address already in use") {
					continue attempts
				}
				t.Fatalf("router %s exited: %s", strings.Join(redact(args), " "), log)
			default:
			}
			if resp, err := r.Client.Get(r.Base + "/"); err == nil {
				resp.Body.Close()
				return r
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("router did not answer within 20 s: %s", log)
	}
}

// redact hides the values of secret flags in a router command line shown
// in the log.
func redact(args []string) []string {
	out := append([]string(nil), args...)
	for i, a := range out {
		if name, _, ok := strings.Cut(a, "="); ok && strings.Contains(name, "secret") {
			out[i] = name + "=REDACTED"
		} else if i > 0 && strings.Contains(out[i-1], "secret") && !strings.Contains(out[i-1], "=") {
			out[i] = "REDACTED"
		}
	}
	return out
}

// Reply is one answer of the router.
type Reply struct {
	Status  int
	Body    string
	Cookies []*http.Cookie // as set by the response
}

// Get asks the router for path, sending cookieHeader (if not empty) as
// the Cookie header.
func (r *Router) Get(t *testing.T, path, cookieHeader string) Reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.Base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookieHeader != "" {
		req.Header.Set("Cookie", cookieHeader)
	}
	resp, err := r.Client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return Reply{resp.StatusCode, string(body), resp.Cookies()}
}

// Cookie returns the value the reply sets for the cookie name, and whether
// it sets one that is kept (not an expiration).
func (rr Reply) Cookie(name string) (string, bool) {
	for _, c := range rr.Cookies {
		if c.Name == name && c.MaxAge >= 0 && c.Value != "" {
			return c.Value, true
		}
	}
	return "", false
}

// Greeting returns the first line of an answer of the router's /.
func (rr Reply) Greeting() string {
	line, _, _ := strings.Cut(rr.Body, "\n")
	return line
}

// Lines returns an answer's lines.
func (rr Reply) Lines() []string {
	return strings.Split(strings.TrimSuffix(rr.Body, "\n"), "\n")
}

func (rr Reply) String() string {
	return fmt.Sprintf("%d %q", rr.Status, rr.Body)
}
