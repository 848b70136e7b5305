package cookiesession

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// testdata/interop is a copy of the project's shared interoperability data,
// which lives beside the repository as ../shared/interop (CI lays it there).
// The tests read the copy, so that the module's tests run anywhere; this
// test keeps the copy honest: every file byte for byte, none missing, none
// extra.
//
// Where ../shared/interop is absent the test skips, saying so, unless
// COOKIESESSION_SHARED=required (as .ci/run sets), where it fails.
// COOKIESESSION_SHARED_DIR names another location of the shared folder.
func TestSharedInteropCopyIsExact(t *testing.T) {
	shared := filepath.Join("..", "shared")
	if dir := os.Getenv("COOKIESESSION_SHARED_DIR"); dir != "" {
		shared = dir
	}
	original := filepath.Join(shared, "interop")
	if st, err := os.Stat(original); err != nil || !st.IsDir() {
		why := "no shared interop folder at " + original + " (it lies beside the repository in CI); " +
			"testdata/interop could not be compared with it"
		if os.Getenv("COOKIESESSION_SHARED") == "required" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	want := readTree(t, original)
	got := readTree(t, filepath.Join("testdata", "interop"))
	if len(want) == 0 {
		t.Fatalf("%s holds no files", original)
	}
	for _, name := range sortedNames(want) {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("testdata/interop/%s is missing (copy it from %s)", name, original)
		case !bytes.Equal(g, want[name]):
			t.Errorf("testdata/interop/%s differs from %s/%s (%d bytes here, %d there)", name, original, name, len(g), len(want[name]))
		}
	}
	for _, name := range sortedNames(got) {
		if _, ok := want[name]; !ok {
			t.Errorf("testdata/interop/%s is not in %s", name, original)
		}
	}
}

// readTree returns the contents of every regular file under root, by its
// slash-separated path relative to root.
func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s: %s is not a regular file", root, rel)
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
