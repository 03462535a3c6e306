package cloud_test

import (
	"os/exec"
	"strings"
	"testing"
)

// sdkImporters are the packages that may import AWS SDK service packages
// outside internal/cloud: the SDK-signature interfaces, the emulator, and
// the harnesses that build emulator-backed clients and seed it.
var sdkImporters = []string{
	"github.com/lbsg/lbsg/internal/cloud/",
	"github.com/lbsg/lbsg/internal/awsapi",
	"github.com/lbsg/lbsg/internal/emulator",
	"github.com/lbsg/lbsg/internal/localenv",
	"github.com/lbsg/lbsg/internal/testenv",
	"github.com/lbsg/lbsg/internal/sandbox",
}

func allowed(pkg string) bool {
	for _, p := range sdkImporters {
		if pkg == strings.TrimSuffix(p, "/") || strings.HasPrefix(pkg, strings.TrimSuffix(p, "/")+"/") {
			return true
		}
	}
	return false
}

// TestOnlyCloudImportsSDKServices keeps internal/cloud the one AWS layer:
// no other non-test package imports github.com/aws/aws-sdk-go-v2/service/….
func TestOnlyCloudImportsSDKServices(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	out, err := exec.CommandContext(t.Context(), "go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "github.com/lbsg/lbsg/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var bad []string
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || allowed(fields[0]) {
			continue
		}
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, "github.com/aws/aws-sdk-go-v2/service/") {
				bad = append(bad, fields[0]+" imports "+imp)
			}
		}
	}
	if len(bad) > 0 {
		t.Errorf("AWS SDK service packages imported outside internal/cloud (use cloud/ec2, cloud/elbv2, cloud/state):\n%s", strings.Join(bad, "\n"))
	}
}
