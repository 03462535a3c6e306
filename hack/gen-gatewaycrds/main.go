// Command gen-gatewaycrds copies the Gateway API CRDs lbsg installs and LBC's
// gateway.k8s.aws CRDs, byte for byte, from their Go modules into the
// packages that embed them:
//
//   - the Gateway API standard channel of sigs.k8s.io/gateway-api (the
//     version go.mod requires) into internal/apis/crds/gatewayapi;
//   - LBC's config/crd/gateway (the version hack/tools/lbc pins) into
//     internal/apis/crds (beside IngressClassParams) and the chart's crds/.
//
// Run by make generate (go:generate in internal/apis/crds). The tests of
// internal/apis/crds fail when a copy differs from its module.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/lbsg/lbsg/internal/lbcsource"
)

// GatewayAPIModule is the module of the Gateway API CRDs.
const GatewayAPIModule = "sigs.k8s.io/gateway-api"

// GatewayAPIFiles are the standard-channel CRDs lbsg installs: every kind
// LBC's gateway controllers watch (crddetect: Gateway, GatewayClass,
// HTTPRoute, GRPCRoute, TCPRoute, UDPRoute, TLSRoute, ReferenceGrant,
// ListenerSet). In v1.6 TCPRoute, UDPRoute and TLSRoute are in the standard
// channel at v1; the experimental channel is not needed.
var GatewayAPIFiles = []string{
	"gateway.networking.k8s.io_gatewayclasses.yaml",
	"gateway.networking.k8s.io_gateways.yaml",
	"gateway.networking.k8s.io_grpcroutes.yaml",
	"gateway.networking.k8s.io_httproutes.yaml",
	"gateway.networking.k8s.io_listenersets.yaml",
	"gateway.networking.k8s.io_referencegrants.yaml",
	"gateway.networking.k8s.io_tcproutes.yaml",
	"gateway.networking.k8s.io_tlsroutes.yaml",
	"gateway.networking.k8s.io_udproutes.yaml",
}

// LBCFiles are LBC's gateway.k8s.aws CRDs (config/crd/gateway).
var LBCFiles = []string{
	"gateway.k8s.aws_listenerruleconfigurations.yaml",
	"gateway.k8s.aws_loadbalancerconfigurations.yaml",
	"gateway.k8s.aws_targetgroupconfigurations.yaml",
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt) //nolint:forbidigo // a command's root context
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "gen-gatewaycrds:", err)
		os.Exit(1)
	}
}

// run is invoked from internal/apis/crds (go:generate).
func run(ctx context.Context) error {
	gw, err := moduleDir(GatewayAPIModule)
	if err != nil {
		return err
	}
	for _, f := range GatewayAPIFiles {
		if err := copyFile(filepath.Join(gw, "config", "crd", "standard", f), filepath.Join("gatewayapi", f)); err != nil {
			return err
		}
	}
	lbc, err := lbcsource.Download(ctx)
	if err != nil {
		return err
	}
	for _, f := range LBCFiles {
		src := filepath.Join(lbc, "config", "crd", "gateway", f)
		if err := copyFile(src, f); err != nil {
			return err
		}
		if err := copyFile(src, filepath.Join("..", "..", "..", "deploy", "helm", "lbsg", "crds", f)); err != nil {
			return err
		}
	}
	return nil
}

// moduleDir is the module cache directory of mod at go.mod's version.
func moduleDir(mod string) (string, error) {
	out, err := exec.Command("go", "list", "-m", "-json", mod).Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w", mod, err)
	}
	var m struct{ Dir string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		out, err = exec.Command("go", "mod", "download", "-json", mod).Output()
		if err != nil {
			return "", fmt.Errorf("go mod download %s: %w", mod, err)
		}
		if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
			return "", fmt.Errorf("no directory for %s: %s", mod, strings.TrimSpace(string(out)))
		}
	}
	return m.Dir, nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}
