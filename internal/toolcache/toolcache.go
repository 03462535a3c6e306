package toolcache

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed" // the pinned go.mod and go.sum
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

//go:embed pins/go.mod.txt
var goMod []byte

//go:embed pins/go.sum.txt
var goSum []byte

// CacheEnv names the cache directory; default ~/.cache/lbsg/tools.
const CacheEnv = "LBSG_TOOLS_CACHE"

// tool is how one binary is built and asked for its version.
type tool struct {
	module      string // the module whose pinned version the tool has
	pkg         string
	versionArgs []string
	kube        bool // stamped with Kubernetes' version ldflags
}

var known = map[string]tool{
	"kube-apiserver":          {"k8s.io/kubernetes", "k8s.io/kubernetes/cmd/kube-apiserver", []string{"--version"}, true},
	"kube-controller-manager": {"k8s.io/kubernetes", "k8s.io/kubernetes/cmd/kube-controller-manager", []string{"--version"}, true},
	"kube-scheduler":          {"k8s.io/kubernetes", "k8s.io/kubernetes/cmd/kube-scheduler", []string{"--version"}, true},
	"kubectl":                 {"k8s.io/kubernetes", "k8s.io/kubernetes/cmd/kubectl", []string{"version", "--client"}, true},
	"etcd":                    {"go.etcd.io/etcd/server/v3", "go.etcd.io/etcd/server/v3", []string{"--version"}, false},
	"kwok":                    {"sigs.k8s.io/kwok", "sigs.k8s.io/kwok/cmd/kwok", []string{"--version"}, false},
	"kwokctl":                 {"sigs.k8s.io/kwok", "sigs.k8s.io/kwok/cmd/kwokctl", []string{"--version"}, false},
}

// Dir returns the cache directory: $LBSG_TOOLS_CACHE, else
// ~/.cache/lbsg/tools.
func Dir() (string, error) {
	if d := os.Getenv(CacheEnv); d != "" {
		return filepath.Abs(d)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the tools cache: %w (set %s)", err, CacheEnv)
	}
	return filepath.Join(home, ".cache", "lbsg", "tools"), nil
}

// Version returns the version the embedded pins give a tool.
func Version(name string) (string, error) {
	t, ok := known[name]
	if !ok {
		return "", fmt.Errorf("unknown tool %q", name)
	}
	if v := requiredVersion(goMod, t.module); v != "" {
		return v, nil
	}
	return "", fmt.Errorf("the pinned go.mod does not require %s", t.module)
}

// requiredVersion reads MODULE's version from a go.mod's require lines
// (single or in a block), as hack/tools/build.sh does.
func requiredVersion(gomod []byte, module string) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 3 && f[0] == "require" && f[1] == module:
			return f[2]
		case len(f) >= 2 && f[0] == module && strings.HasPrefix(f[1], "v"):
			return f[1]
		}
	}
	return ""
}

// Path returns where the cache keeps a tool at its pinned version.
func Path(name string) (string, error) {
	v, err := Version(name)
	if err != nil {
		return "", err
	}
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name+"-"+v, name), nil
}

// Missing returns the named tools whose pinned version is not in the cache.
func Missing(names ...string) ([]string, error) {
	var missing []string
	for _, n := range names {
		p, err := Path(n)
		if err != nil {
			return nil, err
		}
		if !executable(p) {
			missing = append(missing, n)
		}
	}
	return missing, nil
}

func executable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// Linked returns a directory of symlinks to the cached tools (for envtest
// and kwokctl, which want one directory), making it when needed. It is
// inside the cache and named after the pins, so binaries built at different
// pins do not share it. The tools must be in the cache (see Missing).
func Linked(names ...string) (string, error) {
	if missing, err := Missing(names...); err != nil {
		return "", err
	} else if len(missing) > 0 {
		return "", fmt.Errorf("tools cache lacks %v", missing)
	}
	cache, err := Dir()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(goMod)
	dir := filepath.Join(cache, "bin-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for _, n := range names {
		target, _ := Path(n) // checked by Missing
		link := filepath.Join(dir, n)
		if cur, err := os.Readlink(link); err == nil && cur == target {
			continue
		}
		tmp := link + ".tmp"
		_ = os.Remove(tmp)
		if err := os.Symlink(target, tmp); err != nil {
			return "", err
		}
		if err := os.Rename(tmp, link); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// ErrNoGo means a tool must be built and the go command is not installed.
var ErrNoGo = errors.New("the go command is needed to build the control-plane tools from the Go module proxy (https://go.dev/dl)")

// Build compiles the named tools that are missing from the cache, printing
// progress (which tool, how long) to out. It holds the cache's lock, the one
// hack/tools/build.sh takes, while it builds. A cold build of every cluster
// tool takes about 16 minutes on 2 cores.
func Build(ctx context.Context, out io.Writer, names ...string) error {
	missing, err := Missing(names...)
	if err != nil || len(missing) == 0 {
		return err
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return ErrNoGo
	}
	cache, err := Dir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	unlock, err := lock(ctx, filepath.Join(cache, ".lock"), out)
	if err != nil {
		return err
	}
	defer unlock()
	// Another builder may have finished while we waited for the lock.
	if missing, err = Missing(names...); err != nil || len(missing) == 0 {
		return err
	}
	mod, err := os.MkdirTemp("", "lbsg-tools-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(mod) }()
	for name, b := range map[string][]byte{"go.mod": goMod, "go.sum": goSum} {
		if err := os.WriteFile(filepath.Join(mod, name), b, 0o644); err != nil {
			return err
		}
	}
	logf(out, "tools: building %d missing tool(s) into %s: %s (about 16 minutes on 2 cores when nothing is cached)\n",
		len(missing), cache, strings.Join(missing, ", "))
	for i, n := range missing {
		if err := buildOne(ctx, out, goBin, mod, n, i+1, len(missing)); err != nil {
			return err
		}
	}
	return nil
}

func buildOne(ctx context.Context, out io.Writer, goBin, mod, name string, i, n int) error {
	t := known[name]
	v, _ := Version(name) // known: Missing checked it
	dst, _ := Path(name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	ldflags := "-s -w"
	if t.kube {
		ldflags += kubeLDFlags(v)
	}
	start := time.Now()
	logf(out, "tools: [%d/%d] building %s %s\n", i, n, name, v)
	cmd := exec.CommandContext(ctx, goBin, "build", "-ldflags", ldflags, "-o", dst+".tmp", t.pkg)
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			logf(out, "tools: [%d/%d] building %s: %s so far\n", i, n, name, time.Since(start).Round(time.Second))
			continue
		case err := <-done:
			if err != nil {
				return fmt.Errorf("building %s %s: %w\n%s", name, v, err, stderr.String())
			}
		}
		break
	}
	if !reportsVersion(dst+".tmp", t.versionArgs, v) {
		_ = os.Remove(dst + ".tmp")
		return fmt.Errorf("the %s just built does not report version %s", name, v)
	}
	if err := os.Rename(dst+".tmp", dst); err != nil {
		return err
	}
	logf(out, "tools: [%d/%d] built %s in %s\n", i, n, name, time.Since(start).Round(time.Second))
	return nil
}

func logf(out io.Writer, format string, args ...any) { _, _ = fmt.Fprintf(out, format, args...) }

// kubeLDFlags stamps Kubernetes binaries with their version (without it
// they report v0.0.0-master and kwokctl picks the wrong component flags).
func kubeLDFlags(v string) string {
	major, minor, _ := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	minor, _, _ = strings.Cut(minor, ".")
	var b strings.Builder
	for _, p := range []string{"k8s.io/component-base/version", "k8s.io/client-go/pkg/version"} {
		_, _ = fmt.Fprintf(&b, " -X %[1]s.gitVersion=%[2]s -X %[1]s.gitMajor=%[3]s -X %[1]s.gitMinor=%[4]s"+
			" -X %[1]s.gitTreeState=clean -X %[1]s.buildDate=1970-01-01T00:00:00Z", p, v, major, minor)
	}
	return b.String()
}

// reportsVersion runs BIN ARGS and looks for version v as a whole number,
// with or without its leading v.
func reportsVersion(bin string, args []string, v string) bool {
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		return false
	}
	re := regexp.MustCompile(`(^|[^0-9.])v?` + regexp.QuoteMeta(strings.TrimPrefix(v, "v")) + `([^0-9.]|$)`)
	return re.Match(out)
}

// lock takes the cache's exclusive lock, saying so when another builder
// holds it.
func lock(ctx context.Context, path string, out io.Writer) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		logf(out, "tools: waiting for another build of the tools cache (%s)\n", path)
		for {
			select {
			case <-ctx.Done():
				_ = f.Close()
				return nil, ctx.Err()
			case <-time.After(time.Second):
			}
			if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
				break
			}
		}
	}
	return func() { _ = f.Close() }, nil
}
