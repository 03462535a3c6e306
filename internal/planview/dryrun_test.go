package planview

import (
	"slices"
	"strings"
	"testing"
)

// TestPlanOfADryRunGatewaySaysTheControllerCreatesNothing: a Gateway with
// LBC's dry-run annotation and no finalizer is planned as usual, with the
// controller's DryRun warning; a provisioned one (finalizer) gets none.
func TestPlanOfADryRunGatewaySaysTheControllerCreatesNothing(t *testing.T) {
	gw := func(finalizers string) map[string]string {
		return map[string]string{"gw.yaml": `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: nlb}
spec: {controllerName: gateway.k8s.aws/nlb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: echo-gw
  namespace: shop
  annotations: {gateway.k8s.aws/dry-run: "true"}` + finalizers + `
spec:
  gatewayClassName: nlb
  listeners: [{name: tcp, protocol: TCP, port: 80}]
`}
	}
	for _, tt := range []struct {
		name, finalizers string
		warned           bool
	}{
		{name: "not provisioned", warned: true},
		{name: "provisioned", finalizers: "\n  finalizers: [gateway.k8s.aws/nlb]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := ReadPath(writeDir(t, gw(tt.finalizers)))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Compute(t.Context(), nil, objs, shopSettings())
			if err != nil {
				t.Fatal(err)
			}
			sp := stackByName(t, res, "gateway shop/echo-gw")
			warned := slices.ContainsFunc(sp.Warnings, func(w string) bool { return strings.HasPrefix(w, "DryRun: gateway.k8s.aws/dry-run is \"true\"") })
			if warned != tt.warned || !slices.ContainsFunc(lines(sp.Changes), func(l string) bool { return strings.HasPrefix(l, "+ CreateLoadBalancer") }) {
				t.Errorf("warnings %q, changes %q; want the DryRun warning %v and the plan", sp.Warnings, lines(sp.Changes), tt.warned)
			}
		})
	}
}
