package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

// graphEmulator serves a default-seed emulator on loopback, with the node
// SG open on ssh to the Internet, and returns lbsg's AWS flags for it.
func graphEmulator(t *testing.T) []string {
	t.Helper()
	srv, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	addr, _, err := srv.Listen(ctx, "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEMULATOR")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	env := &emutest.Env{EC2: awsec2.NewFromConfig(emutest.Config(srv))}
	seed := env.Seeded(t)
	if _, err := env.EC2.AuthorizeSecurityGroupIngress(ctx, &awsec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(seed.NodeSG), IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"),
			FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}); err != nil {
		t.Fatal(err)
	}
	return []string{"--cluster-name=" + DefaultCLICluster, "--aws-region=us-west-2", "--aws-endpoint=" + endpointURL(addr)}
}

func TestGraphWritesDOTAndSVGFiles(t *testing.T) {
	flags := graphEmulator(t)
	dir := t.TempDir()
	for _, name := range []string{"r.dot", "r.svg"} {
		path := filepath.Join(dir, name)
		var stdout, stderr bytes.Buffer
		if code := Run(t.Context(), append([]string{"graph", "-o", path}, flags...), &stdout, &stderr); code != 0 {
			t.Fatalf("graph -o %s: exit %d: %s", name, code, stderr.String())
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := `"src:0.0.0.0/0" -> "sg-`
		if strings.HasSuffix(name, ".svg") {
			want = "<svg "
		}
		if !strings.Contains(string(b), want) || !strings.Contains(string(b), "sandbox-node") {
			t.Errorf("%s lacks %q or the node SG:\n%s", name, want, b)
		}
		if !strings.Contains(stderr.String(), "written to "+path) {
			t.Errorf("stderr %q does not say where the graph went", stderr.String())
		}
	}
}

func TestGraphToStdoutIsDOT(t *testing.T) {
	flags := graphEmulator(t)
	var stdout, stderr bytes.Buffer
	if code := Run(t.Context(), append([]string{"graph", "-o", "-"}, flags...), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "digraph reachability {") || !strings.Contains(stdout.String(), `[label="tcp 22"]`) {
		t.Fatalf("stdout:\n%s", stdout.String())
	}
}

func TestGraphRejectsUnknownFormats(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Run(t.Context(), []string{"graph", "-o", "r.png", "--cluster-name=x"}, &stdout, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), ".svg or .dot") {
		t.Fatalf("stderr %q", stderr.String())
	}
}
