package e2e

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lbsg/lbsg/internal/localenv"
	"github.com/lbsg/lbsg/internal/toolcache"
)

// TestInstalledBinaryStartsTheSandboxAnywhere copies the built binary into
// an empty directory outside the repository (as `go install` or a download
// would leave it) and starts `lbsg sandbox` there, with no KUBEBUILDER_ASSETS
// and no repository around: it finds the control-plane binaries in the
// per-machine tools cache and comes up, without building anything.
func TestInstalledBinaryStartsTheSandboxAnywhere(t *testing.T) {
	missing, err := toolcache.Missing(localenv.ClusterBinaries...)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		cache, _ := toolcache.Dir()
		if requireAssets() {
			t.Fatalf("the tools cache %s lacks %v (make tools)", cache, missing)
		}
		t.Skipf("the tools cache %s lacks %v (make tools)", cache, missing)
	}
	work := t.TempDir()
	if _, err := os.Stat(filepath.Join(work, "..", "go.mod")); err == nil {
		t.Fatalf("%s is inside a Go module", work)
	}
	bin := filepath.Join(work, "lbsg")
	copyFile(t, lbsgBinary(t), bin)

	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, localenv.AssetsEnv+"=") {
			env = append(env, kv)
		}
	}
	var out syncBuffer
	cmd := exec.Command(bin, "sandbox", "--dir", "state", "--aws-listen", "127.0.0.1:0", "--nodes", "1")
	cmd.Dir, cmd.Env = work, env
	cmd.Stdout, cmd.Stderr = &out, &out
	done, _ := runSandbox(t, cmd, &out)
	deadline := time.After(2 * time.Minute)
	for {
		if _, err := os.Stat(filepath.Join(work, "state", "ready")); err == nil {
			break
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("sandbox exited before ready (%v):\n%s", err, out.String())
		case <-deadline:
			t.Fatalf("sandbox not ready after 2 minutes:\n%s", out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	if strings.Contains(out.String(), "building") {
		t.Errorf("the sandbox built tools although the cache is warm:\n%s", out.String())
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = in.Close() }()
	o, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(o, in); err != nil {
		t.Fatal(err)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
}
