package redis

import (
	"os/exec"
	"syscall"
)

// dieWithTest makes the kernel kill the redis-server if the test process
// dies without its cleanups (a panic, a timeout), so none is left behind.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
