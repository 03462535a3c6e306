package localenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// killGrace is how long reap lets processes exit on their own (kwokctl
// sends SIGKILL but does not wait) before it kills them itself.
const killGrace = 5 * time.Second

// readPIDs reads kwokctl's pid files: <dir>/<component>.pid.
func readPIDs(dir string) (map[string]int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]int{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading pid files: %w", err)
	}
	pids := make(map[string]int, len(entries))
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".pid")
		if !ok {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading pid file: %w", err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("pid file %s: %w", e.Name(), err)
		}
		pids[name] = pid
	}
	return pids, nil
}

// Running reports whether pid is a live (not zombie) process whose command
// line mentions marker. The marker (the cluster's Dir) guards against pid
// reuse.
func Running(pid int, marker string) bool {
	state, _, ok := procStat(pid)
	if !ok || state == 'Z' || state == 'X' {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && bytes.Contains(cmdline, []byte(marker))
}

// procStat returns the state and parent pid of pid from /proc/<pid>/stat.
func procStat(pid int) (state byte, ppid int, ok bool) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	// After the parenthesised command name: " <state> <ppid> ...".
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 2 || len(f[0]) != 1 {
		return 0, 0, false
	}
	ppid, err = strconv.Atoi(f[1])
	return f[0][0], ppid, err == nil
}

// gone reports whether pid has exited and, if it was our child, been
// reaped. A zombie child whose other threads are still exiting cannot be
// reaped yet, so it is not gone.
func gone(pid int, marker string) bool {
	collect(pid)
	if Running(pid, marker) {
		return false
	}
	state, ppid, ok := procStat(pid)
	return !ok || state != 'Z' || ppid != os.Getpid()
}

// reap waits until none of pids runs, killing survivors after killGrace and
// collecting the exit status of those that are our children (see
// becomeSubreaper), so no zombie is left either.
func reap(ctx context.Context, pids map[string]int, marker string) error {
	deadline := time.Now().Add(killGrace)
	killed := false
	var alive []string
	err := wait.PollUntilContextCancel(ctx, 50*time.Millisecond, true, func(context.Context) (bool, error) {
		alive = alive[:0]
		for name, pid := range pids {
			if !gone(pid, marker) {
				alive = append(alive, fmt.Sprintf("%s(%d)", name, pid))
				if !killed && time.Now().After(deadline) {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		if time.Now().After(deadline) {
			killed = true
		}
		return len(alive) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("processes still running %v: %w", alive, err)
	}
	return nil
}
