package localenv

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// A test binary that dies without cleaning up (go test -timeout, a panic
// in another goroutine, SIGKILL) orphans the control planes it started.
// Each start therefore records the processes it owns in a file named after
// the owning process, and each start first kills the processes of owners
// that are gone.

// record lists processes started on behalf of Owner. Marker must appear in
// each process's command line (it guards against pid reuse).
type record struct {
	Owner  int    `json:"owner"`
	Marker string `json:"marker"`
	PIDs   []int  `json:"pids"`
}

func janitorDir() string { return filepath.Join(os.TempDir(), "lbsg-localenv") }

// track records pids as owned by this process and returns a function that
// forgets them (call it once they are stopped).
func track(marker string, pids []int) (forget func()) {
	dir := janitorDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return func() {}
	}
	b, _ := json.Marshal(record{Owner: os.Getpid(), Marker: marker, PIDs: pids})
	f, err := os.CreateTemp(dir, strconv.Itoa(os.Getpid())+"-*.json")
	if err != nil {
		return func() {}
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr != nil || cerr != nil {
		_ = os.Remove(f.Name())
		return func() {}
	}
	return func() { _ = os.Remove(f.Name()) }
}

// killOrphans kills the processes recorded by owners that no longer run.
func killOrphans() {
	files, _ := filepath.Glob(filepath.Join(janitorDir(), "*.json"))
	for _, name := range files {
		owner, err := strconv.Atoi(strings.SplitN(filepath.Base(name), "-", 2)[0])
		if err != nil || owner == os.Getpid() || alive(owner) {
			continue // ours, or its owner still runs
		}
		b, err := os.ReadFile(name)
		var r record
		if err != nil || json.Unmarshal(b, &r) != nil {
			continue
		}
		for _, pid := range r.PIDs {
			if Running(pid, r.Marker) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		_ = os.Remove(name)
	}
}

// alive reports whether a process with this pid exists (EPERM: it exists
// but belongs to another user).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// childrenMatching returns the pids of this process's children whose
// command line contains marker.
func childrenMatching(marker string) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if _, ppid, ok := procStat(pid); ok && ppid == os.Getpid() && Running(pid, marker) {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}
