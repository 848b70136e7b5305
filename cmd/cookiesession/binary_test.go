package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The built command, as a user runs it: the exit status of the process,
// its streams, the environment variable, and nothing printed twice (the
// flag package's own messages go nowhere).
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := filepath.Join(t.TempDir(), "cookiesession")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := func(env []string, args ...string) (int, string, string) {
		c := exec.Command(bin, args...)
		c.Env = append(os.Environ(), env...)
		var out, errOut bytes.Buffer
		c.Stdout, c.Stderr = &out, &errOut
		err := c.Run()
		code := 0
		if exit, ok := err.(*exec.ExitError); ok {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, strings.TrimSpace(out.String()), errOut.String()
	}

	code, _, stderr := cmd(nil, "encode", "-type", "jwtt", "{}")
	if code != 2 || strings.Count(stderr, "jwtt") != 1 || strings.Count(stderr, "usage:") != 1 {
		t.Errorf("-type jwtt: exit %d, stderr:\n%s", code, stderr)
	}
	code, _, stderr = cmd(nil, "decode", "-type", "jwt", "-bogus", "x")
	if code != 2 || strings.Count(stderr, "-bogus") != 1 || strings.Count(stderr, "usage:") != 1 {
		t.Errorf("-bogus: exit %d, stderr:\n%s", code, stderr)
	}
	env := []string{secretEnv + "=" + secret}
	code, token, stderr := cmd(env, "encode", "-type", "fernet", `{"user":"tom"}`)
	if code != 0 || stderr != "" {
		t.Fatalf("encode: exit %d, %s", code, stderr)
	}
	if code, out, stderr := cmd(env, "decode", "-type", "fernet", token); code != 0 || out != `{"user":"tom"}` {
		t.Errorf("decode: exit %d, %q, %s", code, out, stderr)
	}
	if code, _, _ := cmd([]string{secretEnv + "="}, "decode", "-type", "fernet", token); code != 2 {
		t.Errorf("decode, empty %s: exit %d, want 2", secretEnv, code)
	}
	if code, out, stderr := cmd(env, "decode", "-type", "fernet", token+"x"); code != 1 || out != "" || stderr == "" {
		t.Errorf("decode of a bad token: exit %d, %q, %q", code, out, stderr)
	}
	if code, out, _ := cmd(nil, "-h"); code != 0 || !strings.Contains(out, "Exit status:") {
		t.Errorf("-h: exit %d", code)
	}
}
