package localenv

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Port leases. Left to itself, kwokctl picks each component's port by
// probing downward from 32767 for one nothing listens on yet, so two clusters
// created at the same time on one machine pick the same ports, and the
// second etcd or apiserver fails with "address already in use". Start
// instead leases the ports in a machine-wide directory and hands them to
// kwokctl.
//
// A lease is a file named after the port, holding the Config.Dir and name of
// the cluster that owns it. A port is leased under an exclusive flock of its
// file, and only when it is free to bind and its file names no live owner
// (an owner is live while its Dir exists), so two processes can never lease
// the same port. Leases outlive the process: a stopped cluster keeps its
// ports for its next Start. Delete drops them; a Dir removed without Delete
// (a test's temporary directory) leaves stale leases that the next search
// reclaims.

// Lease range: below Linux's ephemeral range (32768–60999), so ports the
// kernel hands to clients or to listeners on :0 never take a leased one.
const (
	portLow  = 20000
	portHigh = 32767
)

// portLeaser leases ports in [lo, hi] through the files in dir.
type portLeaser struct {
	dir    string
	lo, hi int
}

// machinePorts is the machine-wide leaser every Start uses.
var machinePorts = portLeaser{dir: filepath.Join(os.TempDir(), "lbsg-ports"), lo: portLow, hi: portHigh}

// errPortBusy marks a port that cannot be leased now.
var errPortBusy = errors.New("port busy")

// lease leases n distinct ports to the cluster named name under dir.
func (l portLeaser) lease(dir, name string, n int) ([]int, error) {
	if err := os.MkdirAll(l.dir, 0o777); err != nil {
		return nil, fmt.Errorf("port leases: %w", err)
	}
	_ = os.Chmod(l.dir, 0o777|os.ModeSticky) // best effort: shared by every user of the machine
	owner := leaseOwner(dir, name)
	span := l.hi - l.lo + 1
	start := rand.IntN(span) // processes starting at once rarely probe the same ports
	var out []int
	for i := 0; i < span && len(out) < n; i++ {
		p := l.lo + (start+i)%span
		err := l.try(p, owner)
		switch {
		case err == nil:
			out = append(out, p)
		case !errors.Is(err, errPortBusy):
			l.release(out, owner)
			return nil, err
		}
	}
	if len(out) < n {
		l.release(out, owner)
		return nil, fmt.Errorf("port leases: only %d of %d ports in %d-%d are free", len(out), n, l.lo, l.hi)
	}
	return out, nil
}

// try leases port p to owner, or returns errPortBusy.
func (l portLeaser) try(p int, owner string) error {
	f, err := os.OpenFile(l.path(p), os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return errPortBusy // another user's lease we cannot open: theirs
	}
	defer f.Close()
	if err := lockFile(f); err != nil {
		return errPortBusy // being leased right now
	}
	defer unlockFile(f)
	if !samePath(f, l.path(p)) {
		return errPortBusy // released and unlinked while we waited: its name is a new file now
	}
	_ = f.Chmod(0o666)
	held, err := readLease(f)
	if err != nil {
		return errPortBusy
	}
	if held != "" && held != owner && leaseLive(held) {
		return errPortBusy
	}
	if !portFree(p) {
		return errPortBusy
	}
	if err := f.Truncate(0); err != nil {
		return fmt.Errorf("port leases: %w", err)
	}
	if _, err := f.WriteAt([]byte(owner), 0); err != nil {
		return fmt.Errorf("port leases: %w", err)
	}
	return nil
}

// release drops owner's leases on ports (all of them when ports is nil).
func (l portLeaser) release(ports []int, owner string) {
	if ports == nil {
		entries, err := os.ReadDir(l.dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			if p, err := strconv.Atoi(e.Name()); err == nil {
				ports = append(ports, p)
			}
		}
	}
	for _, p := range ports {
		f, err := os.OpenFile(l.path(p), os.O_RDWR, 0)
		if err != nil {
			continue
		}
		if lockFile(f) == nil {
			if held, err := readLease(f); err == nil && held == owner {
				_ = f.Truncate(0) // a racing leaser that opened the file sees it free
				_ = os.Remove(l.path(p))
			}
			unlockFile(f)
		}
		_ = f.Close()
	}
}

// samePath reports whether f is still the file at path.
func samePath(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

func (l portLeaser) path(p int) string { return filepath.Join(l.dir, strconv.Itoa(p)) }

func readLease(f *os.File) (string, error) {
	if _, err := f.Seek(0, 0); err != nil {
		return "", err
	}
	var b strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
	}
	return b.String(), sc.Err()
}

// leaseOwner is a lease's content: the owner's Config.Dir and name.
func leaseOwner(dir, name string) string { return dir + "\n" + name + "\n" }

// leaseLive reports whether a lease's owner (its first line, a Config.Dir)
// still exists.
func leaseLive(owner string) bool {
	dir, _, _ := strings.Cut(owner, "\n")
	_, err := os.Stat(dir)
	return err == nil
}

// portFree reports whether nothing listens on p, on loopback or on any
// address (as kwokctl checks).
func portFree(p int) bool {
	for _, host := range []string{"127.0.0.1", ""} {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(p)))
		if err != nil {
			return false
		}
		_ = ln.Close()
	}
	return true
}

// clusterPorts are the ports of one cluster's components.
type clusterPorts struct {
	KubeApiserver, Etcd, EtcdPeer, KwokController, KubeControllerManager, KubeScheduler int
}

func newClusterPorts(p []int) clusterPorts {
	return clusterPorts{KubeApiserver: p[0], Etcd: p[1], EtcdPeer: p[2], KwokController: p[3],
		KubeControllerManager: p[4], KubeScheduler: p[5]}
}

const clusterPortCount = 6

// kwokctlConfig is a kwokctl configuration document setting every port
// kwokctl would otherwise choose (etcd's peer port has no flag).
func (p clusterPorts) kwokctlConfig() string {
	return fmt.Sprintf(`apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  kubeApiserverPort: %d
  etcdPort: %d
  etcdPeerPort: %d
  kwokControllerPort: %d
  kubeControllerManagerPort: %d
  kubeSchedulerPort: %d
`, p.KubeApiserver, p.Etcd, p.EtcdPeer, p.KwokController, p.KubeControllerManager, p.KubeScheduler)
}
