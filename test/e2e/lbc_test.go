package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lbsg/lbsg/internal/localenv"
	"github.com/lbsg/lbsg/internal/sandbox"
)

// TestSandboxRunsLBCAsTheOracle runs `lbsg sandbox --controller lbc --demo`:
// the unmodified AWS Load Balancer Controller v3.6.2 (hack/tools/lbc)
// provisions the demo's NLB, ALB and Gateways against the emulator, logs no AWS
// error, and gets no answer AWS would not give (an unknown action or parameter, a
// validation error).
func TestSandboxRunsLBCAsTheOracle(t *testing.T) {
	work := userDir(t, append(slices.Clone(localenv.ClusterBinaries), "lbc")...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KUBECONFIG=") {
			env = append(env, kv)
		}
	}
	dir := filepath.Join(work, ".lbsg-sandbox")
	stop := startSandbox(t, work, env, dir, "--controller", "lbc")
	// Judge LBC once it is quiet (no AWS call for 2 s) and before it is
	// stopped: a reconcile cut short by the stop logs "context canceled".
	endpoint := sandboxEndpoint(t, dir)
	calls := emulatorCalls(t, endpoint)
	for quiet := time.Now(); time.Since(quiet) < 2*time.Second; {
		time.Sleep(200 * time.Millisecond) //nolint:forbidigo // polling the emulator for quiet
		if now := emulatorCalls(t, endpoint); now.Total != calls.Total {
			calls, quiet = now, time.Now()
		}
	}
	log, err := os.ReadFile(filepath.Join(dir, "lbc.log"))
	if err != nil {
		t.Fatal(err)
	}
	stop()
	// AWS errors only: a Kubernetes conflict on a busy machine is LBC's to
	// retry, not the emulator's doing.
	for _, l := range strings.Split(string(log), "\n") {
		if strings.Contains(l, `"level":"error"`) && strings.Contains(l, "operation error") {
			t.Errorf("LBC logged an AWS error: %s", l)
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
	creates := 0 // answered ones: a throttled call is retried
	for action, a := range calls.Actions {
		if strings.HasSuffix(action, ":CreateLoadBalancer") {
			creates += a.Calls
			for _, n := range a.Errors {
				creates -= n
			}
		}
		if len(a.Errors) > 0 {
			t.Logf("%s: %d calls, errors %v", action, a.Calls, a.Errors)
		}
	}
	// Five, one per load balancer: LBC's for the demo's NLB Service, ALB
	// Ingress, NLB Gateway and ALB Gateway, and the demo's own for the NLB
	// in front of its Terraform-style target group.
	if creates != 5 {
		t.Errorf("%d CreateLoadBalancer calls answered, want 5: LBC's for the demo's NLB, ALB and two Gateways, and the demo's for %s", creates, sandbox.DemoTerraformNLB)
	}
}
