package naming_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/lbsg/lbsg/internal/naming"
)

// Gateway names pin LBC's formulas (pkg/gateway/model), computed here
// from their definition: k8s-<cut8(ns)>-<cut8(name)>-<first 10 hex of
// sha256 over the parts>.
func TestGatewayNamesAreLBCs(t *testing.T) {
	h := func(parts ...string) string {
		s := sha256.New()
		for _, p := range parts {
			s.Write([]byte(p))
		}
		return hex.EncodeToString(s.Sum(nil))[:10]
	}
	if got, want := naming.GatewayLBName("c1", "my-namespace", "my-gateway", "uid-1", "internal"), "k8s-mynamesp-mygatewa-"+h("c1", "uid-1", "internal"); got != want {
		t.Errorf("naming.GatewayLBName = %s, want %s", got, want)
	}
	if got, want := naming.GatewayManagedSGName("c1", "ns", "gw", "uid-1"), "k8s-ns-gw-"+h("c1", "gw", "ns", "uid-1"); got != want {
		t.Errorf("naming.GatewayManagedSGName = %s, want %s", got, want)
	}
	tg := naming.GatewayTargetGroup{GatewayNamespace: "infra", GatewayName: "gw", RouteNamespace: "app", RouteName: "echo-route",
		RouteKind: "TCPRoute", ServiceNamespace: "app", ServiceName: "echo", IdentifierPort: "http", TargetPort: 31080, TargetType: "instance", Protocol: "TCP"}
	if got, want := naming.GatewayTargetGroupName("c1", tg), "k8s-app-echorout-"+h("c1", "infra", "gw", "app", "echo-route", "TCPRoute", "app", "echo", "31080", "instance", "TCP"); got != want {
		t.Errorf("instance naming.GatewayTargetGroupName = %s, want %s", got, want)
	}
	tg.TargetType = "ip"
	if got, want := naming.GatewayTargetGroupName("c1", tg), "k8s-app-echorout-"+h("c1", "infra", "gw", "app", "echo-route", "TCPRoute", "app", "echo", "http", "ip", "TCP"); got != want {
		t.Errorf("ip naming.GatewayTargetGroupName = %s, want %s", got, want)
	}
	if got, want := naming.GatewayTargetGroupResourceID(tg), "infra/gw:app-echo-route:TCPRoute-app-echo:http"; got != want {
		t.Errorf("naming.GatewayTargetGroupResourceID = %s, want %s", got, want)
	}
	st, ok := naming.ParseKey(naming.GatewayNLBStack("infra", "gw").Key())
	if !ok || st != naming.GatewayNLBStack("infra", "gw") || st.Finalizer() != "gateway.k8s.aws/nlb" || st.StackTagKey() != "gateway.k8s.aws.nlb/stack" {
		t.Errorf("gateway stack round trip: %+v %v", st, ok)
	}
	sg := naming.ClassifySecurityGroup(naming.ManagedSGTags("c1", naming.GatewayNLBStack("infra", "gw"), nil), "c1")
	if sg.Role != naming.SGManagedFrontend || sg.Kind != naming.KindGatewayNLB || sg.StackID != "infra/gw" {
		t.Errorf("gateway managed SG ownership %+v", sg)
	}
}
