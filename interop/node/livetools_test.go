package node

// Helpers of the live checks that go through the command line: the
// cookiesession command and examples/router, built from this repository
// and run as a user runs them, on 127.0.0.1 only, each call bounded in
// time and every process ended with its test.

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
	"testing"
	"time"
)

// toolTimeout bounds one run of the command, one build, one router start.
const toolTimeout = 2 * time.Minute

// repoRoot returns the repository's root: the directory of the core's go.mod,
// two levels up from interop/node.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "cookiesession")); err != nil {
		t.Fatalf("repository root not found at %s: %v", root, err)
	}
	return root
}

// liveTools are the built programs.
type liveTools struct {
	cli, router string
}

// buildTools builds the command and examples/router into dir. examples/router is built by its path from the root, or,
// should it be a module of its own, from its directory (both work in the
// repository's workspace).
func buildTools(t *testing.T, dir string) liveTools {
	t.Helper()
	// examples/router is a module of its own that needs Go 1.24 (it uses
	// stores/redis): the core's step on its oldest Go (1.22) cannot build
	// it. The other steps run these checks with the current Go.
	if version.Compare(runtime.Version(), "go1.24") < 0 && version.IsValid(runtime.Version()) {
		t.Skipf("examples/router needs Go 1.24 or later; this is %s (CI runs this check with the current Go in its other steps)", runtime.Version())
	}
	root := repoRoot(t)
	tools := liveTools{cli: filepath.Join(dir, "cookiesession"), router: filepath.Join(dir, "router")}
	build := func(out, workdir, pkg string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
		cmd.Dir = workdir
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s (in %s): %v\n%s", pkg, workdir, err, b)
		}
	}
	build(tools.cli, root, "./cmd/cookiesession")
	if _, err := os.Stat(filepath.Join(root, "examples", "router", "go.mod")); err == nil {
		build(tools.router, filepath.Join(root, "examples", "router"), ".")
	} else {
		build(tools.router, root, "./examples/router")
	}
	return tools
}

// cliResult is one run of the command.
type cliResult struct {
	stdout, stderr string
	code           int
}

// runCLI runs the command with args and no secret in its environment.
func (lt liveTools) runCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, lt.cli, args...)
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
	return cliResult{strings.TrimSuffix(stdout.String(), "\n"), stderr.String(), cmd.ProcessState.ExitCode()}
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

// routerProc is a running examples/router.
type routerProc struct {
	base   string
	client *http.Client
	log    *lockedBuffer
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

// startRouter runs examples/router with args on a free port of 127.0.0.1
// and waits until it answers. It is killed when the test ends; its log is
// shown if the test failed.
func (lt liveTools) startRouter(t *testing.T, args ...string) *routerProc {
	t.Helper()
attempts:
	for attempt := 0; ; attempt++ {
		addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
		log := &lockedBuffer{}
		cmd := exec.Command(lt.router, append([]string{"-addr", addr}, args...)...)
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
		r := &routerProc{
			base: "http://" + addr,
			client: &http.Client{
				Timeout:       10 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			},
			log: log,
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
			if resp, err := r.client.Get(r.base + "/"); err == nil {
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

// routerReply is one answer of the router.
type routerReply struct {
	status  int
	body    string
	cookies []*http.Cookie // as set by the response
}

// get asks the router for path, sending cookieHeader (if not empty) as
// the Cookie header.
func (r *routerProc) get(t *testing.T, path, cookieHeader string) routerReply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookieHeader != "" {
		req.Header.Set("Cookie", cookieHeader)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return routerReply{resp.StatusCode, string(body), resp.Cookies()}
}

// cookie returns the value the reply sets for the cookie name, and whether
// it sets one that is kept (not an expiration).
func (rr routerReply) cookie(name string) (string, bool) {
	for _, c := range rr.cookies {
		if c.Name == name && c.MaxAge >= 0 && c.Value != "" {
			return c.Value, true
		}
	}
	return "", false
}

// greeting returns the first line of an answer of the router's /.
func (rr routerReply) greeting() string {
	line, _, _ := strings.Cut(rr.body, "\n")
	return line
}

// lines returns an answer's lines.
func (rr routerReply) lines() []string {
	return strings.Split(strings.TrimSuffix(rr.body, "\n"), "\n")
}

func (rr routerReply) String() string {
	return fmt.Sprintf("%d %q", rr.status, rr.body)
}
