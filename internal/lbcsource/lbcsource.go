// Package lbcsource finds the source of the AWS Load Balancer Controller
// release lbsg replaces, for tests that compare lbsg's tables (annotations,
// flags, feature gates) with LBC's own: the module is fetched through the
// Go module proxy into the module cache, never vendored or committed.
//
// Imports only the standard library and testing.
package lbcsource

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"
)

// Module is the LBC release lbsg's tables describe.
const Module = "sigs.k8s.io/aws-load-balancer-controller/v3@v3.6.2"

// Dir returns the directory of LBC's module source, downloading it when
// the module cache lacks it. Without the proxy the test is skipped, or
// fails when LBSG_REQUIRE_ASSETS=1 (make test).
func Dir(tb testing.TB) string {
	tb.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", Module)
	cmd.Dir = tb.TempDir() // outside lbsg's module: no go.mod to touch
	out, err := cmd.Output()
	var m struct{ Dir, Error string }
	if err == nil {
		err = json.Unmarshal(out, &m)
	}
	if err != nil || m.Dir == "" {
		if os.Getenv("LBSG_REQUIRE_ASSETS") == "1" {
			tb.Fatalf("go mod download %s: %v %s", Module, err, m.Error)
		}
		tb.Skipf("go mod download %s: %v %s", Module, err, m.Error)
	}
	return m.Dir
}
