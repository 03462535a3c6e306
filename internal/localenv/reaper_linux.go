package localenv

import (
	"sync"
	"syscall"
)

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER from <linux/prctl.h>.
const prSetChildSubreaper = 36

var subreaperOnce sync.Once

// becomeSubreaper makes this process the reaper of its orphaned
// descendants. kwokctl starts the components detached and exits, so without
// this they are re-parented to PID 1 and linger as zombies after Stop until
// PID 1 gets round to reaping them; with it, reap collects them at once.
func becomeSubreaper() {
	subreaperOnce.Do(func() {
		_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	})
}

// collect reaps pid if it is a dead child of this process; otherwise it
// does nothing.
func collect(pid int) {
	var ws syscall.WaitStatus
	_, _ = syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
}
