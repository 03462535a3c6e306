package localenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// freeRange returns a leaser over n consecutive ports that are free now,
// with its lease files in a fresh directory.
func freeRange(t *testing.T, n int) portLeaser {
	t.Helper()
	for lo := portLow + 1000*(os.Getpid()%10); lo+n <= portHigh; lo += n {
		free := true
		for p := lo; p < lo+n && free; p++ {
			free = portFree(p)
		}
		if free {
			return portLeaser{dir: t.TempDir(), lo: lo, hi: lo + n - 1}
		}
	}
	t.Fatalf("no %d consecutive free ports", n)
	return portLeaser{}
}

func TestLeaseGivesDistinctFreePortsNamingTheOwner(t *testing.T) {
	l := freeRange(t, 8)
	owner := t.TempDir()
	ports, err := l.lease(owner, "a", clusterPortCount)
	if err != nil {
		t.Fatal(err)
	}
	if len(ports) != clusterPortCount || len(slices.Compact(slices.Sorted(slices.Values(ports)))) != clusterPortCount {
		t.Fatalf("ports %v, want %d distinct", ports, clusterPortCount)
	}
	for _, p := range ports {
		if p < l.lo || p > l.hi {
			t.Errorf("port %d outside %d-%d", p, l.lo, l.hi)
		}
		b, err := os.ReadFile(l.path(p))
		if err != nil || string(b) != leaseOwner(owner, "a") {
			t.Errorf("lease of %d: %q, %v", p, b, err)
		}
	}
}

func TestLeaseSkipsWhatIsTaken(t *testing.T) {
	for _, tt := range []struct {
		name  string
		taken func(t *testing.T, l portLeaser, p int) // makes port p unavailable
		skip  bool
	}{
		{"a port another live cluster leases", func(t *testing.T, l portLeaser, p int) {
			writeLease(t, l, p, leaseOwner(t.TempDir(), "other"))
		}, true},
		{"a port something listens on", func(t *testing.T, l portLeaser, p int) {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = ln.Close() })
		}, true},
		{"a port whose owner's directory is gone", func(t *testing.T, l portLeaser, p int) {
			writeLease(t, l, p, leaseOwner(filepath.Join(t.TempDir(), "removed"), "old"))
		}, false},
		{"a port the same cluster leased before", func(t *testing.T, l portLeaser, p int) {
			writeLease(t, l, p, leaseOwner(l.dir, "me"))
		}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := freeRange(t, 3)
			tt.taken(t, l, l.lo+1)
			n := 3 // all of them, the taken one included
			if tt.skip {
				n = 2 // the two others
			}
			ports, err := l.lease(l.dir, "me", n)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(ports, l.lo+1); got == tt.skip {
				t.Errorf("leased %v; port %d taken: %v", ports, l.lo+1, tt.skip)
			}
		})
	}
	t.Run("too few free ports is an error that leases nothing", func(t *testing.T) {
		l := freeRange(t, 3)
		writeLease(t, l, l.lo, leaseOwner(t.TempDir(), "other"))
		if ports, err := l.lease(l.dir, "me", 3); err == nil {
			t.Fatalf("leased %v of 2 free ports", ports)
		}
		for _, p := range []int{l.lo + 1, l.lo + 2} {
			if _, err := os.Stat(l.path(p)); err == nil {
				t.Errorf("port %d still leased after the failure", p)
			}
		}
	})
}

func writeLease(t *testing.T, l portLeaser, p int, owner string) {
	t.Helper()
	if err := os.WriteFile(l.path(p), []byte(owner), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReleaseDropsOnlyTheOwnersLeases(t *testing.T) {
	l := freeRange(t, 4)
	mine, theirs := t.TempDir(), t.TempDir()
	a, err := l.lease(mine, "a", 2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.lease(theirs, "b", 2)
	if err != nil {
		t.Fatal(err)
	}
	l.release(nil, leaseOwner(mine, "a"))
	for _, p := range a {
		if _, err := os.Stat(l.path(p)); err == nil {
			t.Errorf("released port %d still leased", p)
		}
	}
	for _, p := range b {
		if _, err := os.Stat(l.path(p)); err != nil {
			t.Errorf("another cluster's port %d lost its lease: %v", p, err)
		}
	}
}

// Leasers racing in goroutines and in separate processes never share a
// port, though every one starts from a random point of the same small range.
func TestConcurrentLeasesNeverShareAPort(t *testing.T) {
	const leasers, each = 6, 3
	l := freeRange(t, leasers*each)
	var (
		mu  sync.Mutex
		got = map[int]string{}
		wg  sync.WaitGroup
	)
	record := func(who string, ports []int) {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range ports {
			if other, dup := got[p]; dup {
				t.Errorf("port %d leased to %s and %s", p, other, who)
			}
			got[p] = who
		}
	}
	for i := range leasers {
		wg.Go(func() {
			who := fmt.Sprintf("leaser %d", i)
			var ports []int
			var err error
			if i%2 == 0 {
				ports, err = l.lease(t.TempDir(), who, each)
			} else {
				ports, err = leaseInChild(t, l, each)
			}
			if err != nil {
				t.Errorf("%s: %v", who, err)
				return
			}
			record(who, ports)
		})
	}
	wg.Wait()
	if len(got) != leasers*each {
		t.Errorf("%d ports leased, want %d", len(got), leasers*each)
	}
}

// leaseInChild runs TestLeaseHelperProcess in a new process of the test
// binary, which leases n ports from l and prints them.
func leaseInChild(t *testing.T, l portLeaser, n int) ([]int, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestLeaseHelperProcess$")
	cmd.Env = append(os.Environ(), "LBSG_LEASE_HELPER="+fmt.Sprintf("%s:%d:%d:%s:%d", l.dir, l.lo, l.hi, t.TempDir(), n))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("helper: %w\n%s", err, out)
	}
	_, list, ok := strings.Cut(string(out), "LEASED ")
	if !ok {
		return nil, fmt.Errorf("helper printed no ports:\n%s", out)
	}
	list, _, _ = strings.Cut(list, "\n")
	var ports []int
	for _, f := range strings.Fields(list) {
		p, err := strconv.Atoi(f)
		if err != nil {
			return nil, err
		}
		ports = append(ports, p)
	}
	return ports, nil
}

func TestLeaseHelperProcess(t *testing.T) {
	spec := os.Getenv("LBSG_LEASE_HELPER")
	if spec == "" {
		t.Skip("run by TestConcurrentLeasesNeverShareAPort")
	}
	f := strings.Split(spec, ":")
	lo, _ := strconv.Atoi(f[1])
	hi, _ := strconv.Atoi(f[2])
	n, _ := strconv.Atoi(f[4])
	ports, err := portLeaser{dir: f[0], lo: lo, hi: hi}.lease(f[3], "child", n)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("LEASED", strings.Trim(fmt.Sprint(ports), "[]"))
}
