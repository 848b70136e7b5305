// Package examples_test checks that each example stands on its own: a user
// copies one directory out of the repository, adds a go.mod requiring the
// core module, and it builds, vets and passes its tests, with nothing else
// of this repository (no internal package) and nothing from the network.
// An example with dependencies beyond the core is a module of its own,
// with its go.mod, and checks the same of a copy of itself in its own
// tests (TestStandaloneCopy), which run on the Go its go.mod asks for:
// this package runs on the core's oldest Go too.
package examples_test

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// examples are the directories a user may copy out, adding a go.mod that
// requires the core module.
var examples = []string{"hello"}

// ownModules are the examples that are modules of their own (a go.mod
// with their other dependencies), each checked by a test of its own
// module, in the file named here.
var ownModules = map[string]string{"router": "standalone_test.go"}

func TestExamplesBuildOutsideTheRepository(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command on copies of the examples")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if mod, err := os.ReadFile(filepath.Join(root, "go.mod")); err != nil || !strings.HasPrefix(string(mod), "module github.com/cookiesession/cookiesession\n") {
		t.Fatalf("%s is not the core module's root: %v", root, err)
	}
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, filepath.Join(root, "examples", name), dir)
			goMod := fmt.Sprintf("module example.com/%s\n\ngo 1.22\n\nrequire github.com/cookiesession/cookiesession v0.0.0\n\nreplace github.com/cookiesession/cookiesession => %s\n", name, root)
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(goMod), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{
				{"build", "./..."},
				{"vet", "./..."},
				{"test", "-count=1", "./..."},
			} {
				cmd := exec.Command("go", args...)
				cmd.Dir = dir
				// Outside any workspace, resolving modules from go.mod alone,
				// and with no module proxy: the example needs nothing but the
				// core module.
				cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("go %s in a copy of examples/%s: %v\n%s", strings.Join(args, " "), name, err, out)
				}
			}
		})
	}
}

// Every directory under examples/ (other than testdata) is one of the
// examples checked above, or a module of its own whose tests copy it out
// (TestStandaloneCopy), so a new one cannot skip the check.
func TestEveryExampleIsChecked(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]bool{}
	for _, name := range examples {
		checked[name] = true
		if _, err := os.Stat(filepath.Join(name, "go.mod")); err == nil {
			t.Errorf("examples/%s has a go.mod of its own: list it in ownModules, with its copy test", name)
		}
	}
	for name, test := range ownModules {
		checked[name] = true
		if _, err := os.Stat(filepath.Join(name, "go.mod")); err != nil {
			t.Errorf("examples/%s is listed as a module of its own, but: %v", name, err)
		}
		src, err := os.ReadFile(filepath.Join(name, test))
		if err != nil || !strings.Contains(string(src), "\nfunc TestStandaloneCopy(t *testing.T) {\n") {
			t.Errorf("examples/%s/%s has no TestStandaloneCopy (%v)", name, test, err)
		}
	}
	for _, e := range entries {
		if e.IsDir() && e.Name() != "testdata" && !checked[e.Name()] {
			t.Errorf("examples/%s is not in the list of examples checked for copying out", e.Name())
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
