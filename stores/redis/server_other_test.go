//go:build !linux

package redis

import "os/exec"

// dieWithTest: only Linux can tie the server's life to the test's.
func dieWithTest(*exec.Cmd) {}
