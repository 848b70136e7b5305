package pyzlib

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/rand"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// TestAgainstPythonZlib compresses random inputs (random bytes, JSON-like
// text, short alphabets that make long matches and deep chains) with
// Compress and with CPython's zlib.compress, and compares the bytes. It
// skips without /usr/bin/python3 unless COOKIESESSION_PYTHON_FRAMEWORKS is
// "required"; COOKIESESSION_PYLIVE_SEED replays a run.
func TestAgainstPythonZlib(t *testing.T) {
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		if os.Getenv("COOKIESESSION_PYTHON_FRAMEWORKS") == "required" {
			t.Fatal(err)
		}
		t.Skip("SKIPPED: no " + py)
	}
	seed := time.Now().UnixNano()
	if s := os.Getenv("COOKIESESSION_PYLIVE_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	t.Logf("seed %d (COOKIESESSION_PYLIVE_SEED=%d replays this run)", seed, seed)
	r := rand.New(rand.NewSource(seed))
	var inputs [][]byte
	for i := 0; i < 1500; i++ {
		n := min(r.Intn(1<<uint(r.Intn(14)+1)), MaxInput)
		b := make([]byte, n)
		switch r.Intn(4) {
		case 0:
			r.Read(b)
		case 1:
			alpha := []byte(`{}[]":,abcdefgh0123456789 `)[:2+r.Intn(24)]
			for j := range b {
				b[j] = alpha[r.Intn(len(alpha))]
			}
		case 2:
			words := []string{`{"user":`, `"tom"`, `,"qty":`, `1`, `}`, `"sku"`, `[`, `]`, `"Y5ubih"`, `x`, `9007199254741827`}
			var buf bytes.Buffer
			for buf.Len() < n {
				buf.WriteString(words[r.Intn(len(words))])
			}
			b = buf.Bytes()[:n]
		default:
			for j := range b {
				b[j] = byte('a' + r.Intn(1+r.Intn(3)))
			}
		}
		inputs = append(inputs, b)
	}
	hexes := make([]string, len(inputs))
	for i, b := range inputs {
		hexes[i] = hex.EncodeToString(b)
	}
	in, _ := json.Marshal(hexes)
	cmd := exec.Command(py, "-c", `
import json, sys, zlib
print(json.dumps({"version": zlib.ZLIB_RUNTIME_VERSION, "out": [zlib.compress(bytes.fromhex(h)).hex() for h in json.load(sys.stdin)]}))`)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Version string
		Out     []string
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res.Out) != len(inputs) {
		t.Fatalf("%v: %d outputs", err, len(res.Out))
	}
	bad := 0
	for i, b := range inputs {
		if got := hex.EncodeToString(Compress(b)); got != res.Out[i] {
			bad++
			if bad <= 3 {
				t.Errorf("input %d (%d bytes, %q...):\n got %.80s\nwant %.80s", i, len(b), b[:min(len(b), 40)], got, res.Out[i])
			}
		}
	}
	t.Logf("zlib %s: %d of %d inputs compressed differently", res.Version, bad, len(inputs))
}
