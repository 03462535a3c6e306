package lbcsource

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/lbsg/lbsg/internal/toolcache"
)

// Path is LBC's module path; the version is hack/tools/lbc's pin.
const Path = "sigs.k8s.io/aws-load-balancer-controller/v3"

// Module returns LBC's module path at the pinned version (path@version).
func Module() (string, error) {
	v, err := toolcache.Version("lbc")
	if err != nil {
		return "", err
	}
	return Path + "@" + v, nil
}

// Download returns the directory of LBC's module source, fetching it
// through the Go module proxy when the module cache lacks it (needs go).
func Download(ctx context.Context) (string, error) {
	mod, err := Module()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", mod)
	cmd.Dir = os.TempDir() // outside any module: no go.mod to touch
	out, err := cmd.Output()
	var m struct{ Dir, Error string }
	if err == nil {
		err = json.Unmarshal(out, &m)
	}
	if err != nil || m.Dir == "" {
		return "", fmt.Errorf("go mod download %s: %v %s", mod, err, m.Error)
	}
	return m.Dir, nil
}

// Dir is Download for tests: without the proxy the test is skipped, or
// fails when LBSG_REQUIRE_ASSETS=1 (make test).
func Dir(tb testing.TB) string {
	tb.Helper()
	dir, err := Download(tb.Context())
	if err != nil {
		if os.Getenv("LBSG_REQUIRE_ASSETS") == "1" {
			tb.Fatal(err)
		}
		tb.Skip(err)
	}
	return dir
}
