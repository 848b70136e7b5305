//go:build !linux

package bench

import "os/exec"

// dieWithParent: only Linux can tie the server's life to the process's.
func dieWithParent(*exec.Cmd) {}
