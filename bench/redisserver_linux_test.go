package bench

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the redis-server if the benchmark
// process dies without its cleanups (a panic, a timeout).
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
