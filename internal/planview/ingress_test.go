package planview

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/ingressclass"
)

// shopManifests: an NLB Service, and an IngressGroup "shop" of two
// Ingresses (plus one with a broken annotation, and one of a class not in
// the input) through an IngressClass
// whose IngressClassParams set the group, the scheme and the inbound CIDRs.
var shopManifests = map[string]string{
	"services.yaml": `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  type: LoadBalancer
  loadBalancerClass: service.k8s.aws/nlb
  ports: [{port: 443, nodePort: 30443, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 30081, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 30090, protocol: TCP}]
`,
	"class.yaml": `apiVersion: elbv2.k8s.aws/v1beta1
kind: IngressClassParams
metadata: {name: shop}
spec:
  group: {name: shop}
  scheme: internet-facing
  inboundCIDRs: [203.0.113.0/24]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: shop}
spec:
  controller: ingress.k8s.aws/alb
  parameters: {apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: shop}
`,
	"ingresses.yaml": `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: cart, namespace: shop}
spec:
  ingressClassName: shop
  rules:
  - http:
      paths:
      - {path: /cart, pathType: Prefix, backend: {service: {name: cart, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80}, {"HTTP": 8080}]'
spec:
  ingressClassName: shop
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: broken
  namespace: shop
  annotations: {alb.ingress.kubernetes.io/listen-ports: "not json"}
spec:
  ingressClassName: shop
  defaultBackend: {service: {name: web, port: {number: 80}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: other, namespace: shop}
spec:
  ingressClassName: nginx
  defaultBackend: {service: {name: web, port: {number: 80}}}
`,
	"nodes.json": `{"apiVersion": "v1", "kind": "List", "items": [
  {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "spec": {"providerID": "aws:///us-west-2a/i-1"}},
  {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n2"}, "spec": {"providerID": "aws:///us-west-2b/i-2"}}]}`,
}

func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func shopSettings() Settings {
	return Settings{Defaults: defaults(), Class: ingressclass.Config{IngressClass: "alb"}}
}

// stackByName finds a stack plan by its heading ("ingress group shop").
func stackByName(t *testing.T, r Result, name string) StackPlan {
	t.Helper()
	for _, sp := range r.Stacks {
		if sp.Stack == name {
			return sp
		}
	}
	t.Fatalf("no stack %q in %+v", name, r.Stacks)
	return StackPlan{}
}

func lines(ch []Change) []string {
	var out []string
	for _, c := range ch {
		out = append(out, c.String())
	}
	return out
}

func TestOfflinePlanOfAnIngressGroupBesideAService(t *testing.T) {
	objs, err := ReadPath(writeDir(t, shopManifests))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs.Ingresses) != 4 || len(objs.IngressClasses) != 1 || len(objs.IngressClassParams) != 1 || len(objs.Nodes) != 2 {
		t.Fatalf("decoded %d ingresses, %d classes, %d params, %d nodes", len(objs.Ingresses), len(objs.IngressClasses), len(objs.IngressClassParams), len(objs.Nodes))
	}
	res, err := Compute(t.Context(), nil, objs, shopSettings())
	if err != nil {
		t.Fatal(err)
	}
	var js bytes.Buffer
	if err := RenderJSON(&js, res); err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if got := len(back.Stacks); got != 2 {
		t.Fatalf("planned %d stacks, want the Service and the group: %+v", got, back.Stacks)
	}
	svc := stackByName(t, back, "service shop/api")
	alb := stackByName(t, back, "ingress group shop")
	nodeSG := map[string][]string{}
	for _, ts := range back.TargetSGs {
		nodeSG[ts.GroupID] = lines(ts.Changes)
	}
	backend := `← sg-<backend> "elbv2.k8s.aws/targetGroupBinding=shared,elbv2.k8s.aws/cluster=demo"`
	for _, tt := range []struct {
		name string
		ok   bool
		got  any
	}{
		{name: "the Service is still an NLB", ok: svc.LoadBalancerType == "network" && strings.HasPrefix(svc.LoadBalancer, "k8s-shop-api-"), got: svc},
		{name: "the group is one ALB named after it", ok: alb.LoadBalancerType == "application" && strings.HasPrefix(alb.LoadBalancer, "k8s-shop-") &&
			!strings.HasPrefix(alb.LoadBalancer, "k8s-shop-api"), got: alb.LoadBalancer},
		{name: "the ALB is internet-facing in public subnets, with the managed and backend SGs",
			ok:  slices.Contains(lines(alb.Changes), "+ CreateLoadBalancer load balancer "+alb.LoadBalancer+": application internet-facing ipv4 subnets [<public-subnet-a> <public-subnet-b>] security groups [<new managed SG> sg-<backend>]"),
			got: lines(alb.Changes)},
		{name: "one listener per port of either member",
			ok: slices.Contains(lines(alb.Changes), "+ CreateListener listener 80/HTTP: default fixed-response 404 text/plain") &&
				slices.Contains(lines(alb.Changes), "+ CreateListener listener 8080/HTTP: default fixed-response 404 text/plain"),
			got: lines(alb.Changes)},
		{name: "each member's paths become rules, in group order",
			ok: slices.Contains(lines(alb.Changes), "+ CreateRule rule 1 of listener 80/HTTP: path-pattern=/cart,/cart/* → forward to shop/cart-cart:80") &&
				slices.Contains(lines(alb.Changes), "+ CreateRule rule 2 of listener 80/HTTP: path-pattern=/* → forward to shop/web-web:80"),
			got: lines(alb.Changes)},
		{name: "the managed SG admits the params' CIDR on each listener port",
			ok: slices.Contains(lines(alb.Changes), "+ AuthorizeIngress ingress of <new managed SG>: tcp 80 ← 203.0.113.0/24") &&
				slices.Contains(lines(alb.Changes), "+ AuthorizeIngress ingress of <new managed SG>: tcp 8080 ← 203.0.113.0/24") &&
				!strings.Contains(strings.Join(lines(alb.Changes), "\n"), "0.0.0.0/0"),
			got: lines(alb.Changes)},
		{name: "the member with a broken annotation is left out as failed to build",
			ok:  len(alb.Failed) == 1 && strings.HasPrefix(alb.Failed[0], "ingress shop/broken left out of the group: ") && back.Summary.Errors == 1,
			got: alb.Failed},
		{name: "the node SG gets the backend SG's rules for every node port, the ALB's and the NLB's",
			ok: slices.Equal(nodeSG[PlaceholderNodeSG], []string{
				"+ AuthorizeIngress sg-<node>: tcp 30081 " + backend,
				"+ AuthorizeIngress sg-<node>: tcp 30090 " + backend,
				"+ AuthorizeIngress sg-<node>: tcp 30443 " + backend,
			}), got: nodeSG},
		{name: "the ALB's target groups register every node on its node port",
			ok:  slices.ContainsFunc(lines(alb.Changes), func(s string) bool { return strings.HasSuffix(s, ": i-1:30081 i-2:30081") }),
			got: lines(alb.Changes)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Errorf("got %v", tt.got)
			}
		})
	}

	var text bytes.Buffer
	if err := RenderText(&text, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"ingress group shop (ALB " + alb.LoadBalancer + ")\n",
		"  ! error: ingress shop/broken left out of the group: ",
		"  + CreateRule          rule 1 of listener 80/HTTP: path-pattern=/cart,/cart/* → forward to shop/cart-cart:80\n",
		"service shop/api (NLB k8s-shop-api-",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text plan lacks %q:\n%s", want, text.String())
		}
	}
	if !slices.Equal(back.Notes, []string{`ingress shop/other not planned: invalid ingress class: ingressclasses.networking.k8s.io "nginx" not found`}) {
		t.Errorf("an Ingress of a class not in the input is not noted as left out: %q", back.Notes)
	}
}

func TestIngressesWithoutAUsableClassOrGroup(t *testing.T) {
	ing := func(name, class string, ann string) string {
		return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ` + name + `
  namespace: app
  annotations: {` + ann + `}
spec:
  ingressClassName: ` + class + `
  defaultBackend: {service: {name: web, port: {number: 80}}}
---
`
	}
	svc := `apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec: {type: NodePort, ports: [{port: 80, nodePort: 30090}]}
`
	for _, tt := range []struct {
		name       string
		manifests  string
		assume     bool
		wantStack  string
		wantErrSub string
	}{
		{name: "an Ingress of class alb is planned when the chart's class is assumed",
			manifests: ing("web", "alb", ""), assume: true, wantStack: "ingress group app/web"},
		{name: "an invalid group name is an error of the implicit group",
			manifests: ing("web", "alb", `alb.ingress.kubernetes.io/group.name: "Bad_Name"`), assume: true,
			wantStack: "ingress group app/web", wantErrSub: "invalid ingress group"},
		{name: "two Ingresses naming one group are planned as one stack",
			manifests: ing("a", "alb", `alb.ingress.kubernetes.io/group.name: team`) + ing("b", "alb", `alb.ingress.kubernetes.io/group.name: team`),
			assume:    true, wantStack: "ingress group team"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var objs Objects
			if err := objs.Decode([]byte(tt.manifests + svc)); err != nil {
				t.Fatal(err)
			}
			s := shopSettings()
			if tt.assume {
				objs.AssumeIngressClass(s.Class)
			}
			res, err := Compute(t.Context(), nil, objs, s)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Stacks) != 1 {
				t.Fatalf("stacks: %+v", res.Stacks)
			}
			sp := res.Stacks[0]
			if sp.Stack != tt.wantStack || !strings.Contains(sp.Error, tt.wantErrSub) || (tt.wantErrSub == "") != (sp.Error == "") {
				t.Errorf("got stack %q error %q", sp.Stack, sp.Error)
			}
			if tt.wantErrSub != "" && res.Summary.Errors != 1 {
				t.Errorf("summary %+v", res.Summary)
			}
		})
	}
}

func TestAnObjectGivenTwiceIsPlannedOnce(t *testing.T) {
	svc := func(port string) string {
		return `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  type: LoadBalancer
  loadBalancerClass: service.k8s.aws/nlb
  ports: [{port: ` + port + `, nodePort: 30443, protocol: TCP}]
`
	}
	objs, err := ReadPath(writeDir(t, map[string]string{"a.yaml": svc("443"), "b.yaml": svc("8443")}))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compute(t.Context(), nil, objs, shopSettings())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stacks) != 1 {
		t.Fatalf("planned %d stacks", len(res.Stacks))
	}
	if got := lines(res.Stacks[0].Changes); !slices.Contains(got, "+ CreateListener listener 8443/TCP: forward to shop/api:8443") {
		t.Errorf("the later file does not win: %q", got)
	}
}

func TestDesiredStateIsIncompleteWhenAnIngressClassCannotBeRead(t *testing.T) {
	var objs Objects
	if err := objs.Decode([]byte(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: app, finalizers: [group.ingress.k8s.aws/team]}
spec:
  ingressClassName: gone
  defaultBackend: {service: {name: web, port: {number: 80}}}
`)); err != nil {
		t.Fatal(err)
	}
	want, err := DesiredState(t.Context(), offline{cluster: "demo"}, objs, shopSettings())
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Errors) != 1 || !strings.Contains(want.Errors[0], "ingress app/web not planned") {
		t.Errorf("errors %q: the group it may still be served by has unknown rules", want.Errors)
	}
}
