package localenv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

const janitorChildEnv = "LBSG_JANITOR_CHILD"

func TestControlPlaneOfAKilledTestProcessIsKilledByTheNextStart(t *testing.T) {
	if os.Getenv(janitorChildEnv) == "1" {
		runJanitorChild()
		return
	}
	skipWithoutAssets(t, EnvtestBinaries...)
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), janitorChildEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "ready\n" {
		_ = cmd.Process.Kill()
		t.Fatalf("child: %q", line)
	}
	pids := childrenOf(t, cmd.Process.Pid)
	if len(pids) != 2 {
		t.Fatalf("child runs %v, want etcd and kube-apiserver", pids)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	for _, pid := range pids {
		if !Running(pid, envtestMarker) {
			t.Fatalf("pid %d died with its parent; nothing to test", pid)
		}
	}

	killOrphans()
	err = wait.PollUntilContextTimeout(t.Context(), 50*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		for _, pid := range pids {
			collect(pid)
			if Running(pid, envtestMarker) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Errorf("orphans %v still running: %v", pids, err)
	}
}

// runJanitorChild starts an envtest and blocks until killed.
func runJanitorChild() {
	if _, err := StartEnvtest(EnvtestOptions{}); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	<-make(chan struct{})
}

// childrenOf returns the envtest processes whose parent is parent.
func childrenOf(t *testing.T, parent int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		if _, ppid, ok := procStat(pid); ok && ppid == parent && Running(pid, envtestMarker) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// skipWithoutAssets is testenv.SkipUnlessRequired, which this package's
// internal tests cannot import.
func skipWithoutAssets(t *testing.T, names ...string) {
	t.Helper()
	_, err := FindAssets("", names...)
	switch {
	case err == nil:
	case errors.Is(err, ErrAssetsMissing) && !RequireAssets():
		t.Skip(err)
	default:
		t.Fatal(err)
	}
}
