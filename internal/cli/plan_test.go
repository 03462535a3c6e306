package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestPlanAndAuditUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{name: "plan without -f is a usage error", args: []string{"plan"}, want: "-f FILE|DIR is required"},
		{name: "plan with an unknown output format is a usage error", args: []string{"plan", "-f", "x", "-o", "yaml"}, want: `-o "yaml": want text or json`},
		{name: "audit --fix needs an explicit cluster name", args: []string{"audit", "--fix"}, want: "--fix needs an explicit --cluster-name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

func TestOfflinePlanOfADirectory(t *testing.T) {
	dir := t.TempDir()
	svc := `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  type: LoadBalancer
  loadBalancerClass: service.k8s.aws/nlb
  ports: [{port: 443, nodePort: 30443, protocol: TCP}]
`
	node := `{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "spec": {"providerID": "aws:///us-west-2a/i-1"}}`
	for name, body := range map[string]string{"svc.yaml": svc, "node.json": node, "notes.txt": "not a manifest"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := runCmd(t, "plan", "-f", dir, "--cluster-name", "prod")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Plan for cluster prod against nothing", "service shop/api (NLB k8s-shop-api-",
		"+ RegisterTargets     targets of k8s-shop-api-", "i-1:30443", "target security group sg-<node>", "Plan: 7 to create"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestOfflinePlanOfAnIngressOfTheChartsClass(t *testing.T) {
	dir := t.TempDir()
	manifests := `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 30090, protocol: TCP}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations: {alb.ingress.kubernetes.io/scheme: internet-facing}
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: web, port: {number: 80}}}
---
apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {providerID: "aws:///us-west-2a/i-1"}
`
	if err := os.WriteFile(filepath.Join(dir, "app.yaml"), []byte(manifests), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCmd(t, "plan", "-f", dir, "--cluster-name", "prod", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Stacks []struct {
			Stack, LoadBalancer, LoadBalancerType, Error string
			Changes                                      []struct{ Op, Action, Resource, Detail string }
		}
		TargetSecurityGroups []struct{ GroupID string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(res.Stacks) != 1 || res.Stacks[0].Stack != "ingress group shop/web" || res.Stacks[0].LoadBalancerType != "application" || res.Stacks[0].Error != "" {
		t.Fatalf("stacks: %+v", res.Stacks)
	}
	var listeners []string
	for _, c := range res.Stacks[0].Changes {
		if c.Action == "CreateListener" {
			listeners = append(listeners, c.Resource)
		}
	}
	if !slices.Equal(listeners, []string{"listener 80/HTTP"}) {
		t.Errorf("listeners %q, want the default HTTP 80", listeners)
	}
	if len(res.TargetSecurityGroups) != 1 || res.TargetSecurityGroups[0].GroupID != "sg-<node>" {
		t.Errorf("target SGs: %+v", res.TargetSecurityGroups)
	}
}

func TestOfflinePlanOfGatewaysWithAnHTTPRouteAndATCPRoute(t *testing.T) {
	dir := t.TempDir()
	manifests := `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: aws-nlb}
spec: {controllerName: gateway.k8s.aws/nlb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: aws-alb}
spec: {controllerName: gateway.k8s.aws/alb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: echo-gw}
spec:
  gatewayClassName: aws-nlb
  listeners: [{name: tcp, protocol: TCP, port: 9000}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web-gw}
spec:
  gatewayClassName: aws-alb
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: echo}
spec:
  parentRefs: [{name: echo-gw}]
  rules: [{backendRefs: [{name: echo, port: 9000}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  parentRefs: [{name: web-gw}]
  rules:
  - matches: [{path: {type: Exact, value: /hello}}]
    backendRefs: [{name: web, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: mirror}
spec:
  parentRefs: [{name: web-gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /old}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: web, port: 80}}}]
    backendRefs: [{name: web, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  type: NodePort
  ports: [{port: 9000, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 30080, protocol: TCP}]
---
apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {providerID: "aws:///us-west-2a/i-1"}
`
	if err := os.WriteFile(filepath.Join(dir, "gateways.yaml"), []byte(manifests), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCmd(t, "plan", "-f", dir, "--cluster-name", "prod")
	if code != 1 || !strings.Contains(stderr, "1 failed to build") {
		t.Errorf("exit %d, stderr %q; want 1 for the refused HTTPRoute", code, stderr)
	}
	for _, want := range []string{
		"gateway default/echo-gw (NLB k8s-default-echogw-",
		"+ CreateListener      listener 9000/TCP: default forward to default/echo-gw:default-echo:TCPRoute-default-echo:9000 (weight 1)",
		"instance ipv4 (default/echo-gw:default-echo:TCPRoute-default-echo:9000)",
		"? <nodePort>: the NodePort the apiserver allocates to port 9000/TCP of service default/echo when it is applied",
		"gateway default/web-gw (ALB k8s-default-webgw-",
		"+ CreateListener      listener 80/HTTP: default fixed-response 404 text/plain",
		"+ CreateRule          rule 1 of listener 80/HTTP: path-pattern=/hello → forward to default/web-gw:default-web:HTTPRoute-default-web:80 (weight 1)",
		"  ! error: httproute default/mirror: Gateway default/web-gw: lbsg does not support rule 0: filter RequestMirror: the route is not applied\n",
		"target security group sg-<node>",
		"Plan: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "path-pattern=/old") {
		t.Errorf("the refused HTTPRoute's rules are planned:\n%s", out)
	}
}
