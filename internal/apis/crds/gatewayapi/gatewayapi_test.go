package gatewayapi_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/lbsg/lbsg/internal/apis/crds/gatewayapi"
)

// The embedded CRDs are the gateway-api module's standard channel, byte for
// byte, at the version go.mod requires.
func TestEmbeddedCRDsAreTheModulesStandardChannel(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-json", "sigs.k8s.io/gateway-api").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	var m struct{ Dir, Version string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		t.Skipf("no module directory: %s", out)
	}
	names, _ := filepath.Glob("*.yaml")
	if len(names) == 0 {
		t.Fatal("no embedded CRDs")
	}
	for _, n := range names {
		want, err := os.ReadFile(filepath.Join(m.Dir, "config", "crd", "standard", n))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(n)
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s's standard channel: run make generate", n, m.Version)
		}
	}
}

func TestListHoldsEveryKindLBCsGatewayControllersNeed(t *testing.T) {
	list, err := gatewayapi.List()
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]string{}
	for _, crd := range list {
		for _, v := range crd.Spec.Versions {
			if v.Served && v.Name == "v1" {
				served[crd.Spec.Names.Kind] = v.Name
			}
		}
	}
	for _, kind := range []string{"Gateway", "GatewayClass", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute", "ReferenceGrant", "ListenerSet"} {
		if served[kind] != "v1" {
			t.Errorf("%s is not served at gateway.networking.k8s.io/v1", kind)
		}
	}
}
