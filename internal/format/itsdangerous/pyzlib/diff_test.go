package pyzlib

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/rand"
	"os"
	"os/exec"
	"testing"
)

func TestDiffPython(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var inputs [][]byte
	for i := 0; i < 3000; i++ {
		n := r.Intn(1 << uint(r.Intn(14)+1))
		if n > MaxInput {
			n = MaxInput
		}
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
	in, _ := json.Marshal(func() []string {
		var s []string
		for _, b := range inputs {
			s = append(s, hex.EncodeToString(b))
		}
		return s
	}())
	cmd := exec.Command("/usr/bin/python3", "-c", `
import json, sys, zlib
print(json.dumps([zlib.compress(bytes.fromhex(h)).hex() for h in json.load(sys.stdin)]))`)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	json.Unmarshal(out, &want)
	bad := 0
	for i, b := range inputs {
		if got := hex.EncodeToString(Compress(b)); got != want[i] {
			bad++
			if bad < 5 {
				t.Errorf("input %d (%d bytes %q...): differs\n got %s\nwant %s", i, len(b), b[:min(len(b), 40)], got[:min(len(got), 80)], want[i][:min(len(want[i]), 80)])
			}
		}
	}
	t.Logf("%d of %d differ", bad, len(inputs))
}
