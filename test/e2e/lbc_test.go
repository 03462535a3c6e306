package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/localenv"
)

// TestSandboxRunsLBCAsTheOracle runs `lbsg sandbox --controller lbc --demo`:
// the unmodified AWS Load Balancer Controller v3.6.2 (hack/tools/lbc)
// provisions the demo's NLB and ALB against the emulator, logs no error,
// and gets no answer AWS would not give (an unknown action or parameter, a
// validation error).
func TestSandboxRunsLBCAsTheOracle(t *testing.T) {
	assets, err := localenv.FindAssets("", append(slices.Clone(localenv.ClusterBinaries), "lbc")...)
	if err != nil {
		if requireAssets() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	work := t.TempDir()
	bin := filepath.Join(work, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(lbsgBinary(t), filepath.Join(bin, "lbsg")); err != nil {
		t.Fatal(err)
	}
	for _, b := range append(slices.Clone(localenv.ClusterBinaries), "lbc") {
		if err := os.Symlink(filepath.Join(assets, b), filepath.Join(bin, b)); err != nil {
			t.Fatal(err)
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KUBECONFIG=") {
			env = append(env, kv)
		}
	}
	dir := filepath.Join(work, ".lbsg-sandbox")
	stop := startSandbox(t, work, env, dir, "--controller", "lbc")
	calls := emulatorCalls(t, sandboxEndpoint(t, dir))
	stop()
	log, err := os.ReadFile(filepath.Join(dir, "lbc.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(log), "\n") {
		if strings.Contains(l, `"level":"error"`) {
			t.Errorf("LBC logged an error: %s", l)
		}
	}
	for action, a := range calls.Actions {
		for code, n := range a.Errors {
			switch code {
			case "InvalidAction", "UnknownParameter", "ValidationError", "UnsupportedOperation", "InternalError":
				t.Errorf("LBC's %s got %s %d times", action, code, n)
			}
		}
	}
	creates := 0
	for action, a := range calls.Actions {
		if strings.HasSuffix(action, ":CreateLoadBalancer") {
			creates += a.Calls
		}
		if len(a.Errors) > 0 {
			t.Logf("%s: %d calls, errors %v", action, a.Calls, a.Errors)
		}
	}
	if creates != 2 {
		t.Errorf("LBC made %d CreateLoadBalancer calls for the demo's NLB and ALB, want 2", creates)
	}
}
