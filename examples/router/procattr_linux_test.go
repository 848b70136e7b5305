package main

import (
	"os/exec"
	"syscall"
)

// dieWithTest makes the kernel kill a process the test starts (a
// redis-server, a replica) if the test process dies without its cleanups
// (a panic, a timeout), so that none is left behind.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
