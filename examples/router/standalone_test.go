package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// This example stands on its own, as every example does (the core
// module's examples/selfcontained_test.go checks the others): a user
// copies this directory out of the repository, with its go.mod, renames
// the module and points the replace lines at the released modules (here:
// at this repository), and it builds, vets and passes its tests, with
// nothing else of this repository (no internal package: the module is
// renamed, so the go command would refuse one), outside any workspace,
// and with nothing fetched from the network (its go.sum is complete). The
// copy's tests that need a redis-server, and this one, are left out: they
// run here.
func TestStandaloneCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command on a copy of the example")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if mod, err := os.ReadFile(filepath.Join(root, "go.mod")); err != nil || !strings.HasPrefix(string(mod), "module github.com/cookiesession/cookiesession\n") {
		t.Fatalf("%s is not the core module's root: %v", root, err)
	}
	dir := t.TempDir()
	copyDir(t, ".", dir)
	env := append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly", "GOPROXY=off")
	for _, args := range [][]string{
		{"mod", "edit", "-module", "example.com/router",
			"-replace", "github.com/cookiesession/cookiesession=" + root,
			"-replace", "github.com/cookiesession/cookiesession/stores/redis=" + filepath.Join(root, "stores", "redis")},
		{"build", "./..."},
		{"vet", "./..."},
		{"test", "-count=1", "-skip", "^(TestStandaloneCopy|TestFleet|TestRedis)", "./..."},
	} {
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in a copy of examples/router: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// copyDir copies the files under src into dst, as a user copying the
// directory would.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
