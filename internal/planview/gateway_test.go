package planview

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
)

// gatewayManifests: an NLB Gateway with a TCPRoute (written as v1alpha2,
// served as v1), an ALB Gateway with a LoadBalancerConfiguration, an
// HTTPRoute and an HTTPRoute lbsg refuses (a header filter), their
// NodePort Services and a Node.
var gatewayManifests = map[string]string{
	"classes.yaml": `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: nlb}
spec: {controllerName: gateway.k8s.aws/nlb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec: {controllerName: gateway.k8s.aws/alb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: other}
spec: {controllerName: example.com/gateway}
`,
	"gateways.yaml": `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: echo-gw, namespace: shop}
spec:
  gatewayClassName: nlb
  listeners: [{name: tcp, protocol: TCP, port: 7000}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web-gw, namespace: shop}
spec:
  gatewayClassName: alb
  infrastructure:
    parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: web}
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: elsewhere, namespace: shop}
spec:
  gatewayClassName: other
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: gateway.k8s.aws/v1
kind: LoadBalancerConfiguration
metadata: {name: web, namespace: shop}
spec:
  scheme: internet-facing
  sourceRanges: [203.0.113.0/24]
`,
	"routes.yaml": `apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: echo, namespace: shop}
spec:
  parentRefs: [{name: echo-gw}]
  rules: [{backendRefs: [{name: echo, port: 7000}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: web-gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
    backendRefs: [{name: web, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: headers, namespace: shop}
spec:
  parentRefs: [{name: web-gw}]
  rules:
  - filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-env, value: "prod"}]}}]
    backendRefs: [{name: web, port: 80}]
`,
	"services.yaml": `apiVersion: v1
kind: Service
metadata: {name: echo, namespace: shop}
spec:
  type: NodePort
  ports: [{port: 7000, nodePort: 30700, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 30080, protocol: TCP}]
`,
	"nodes.yaml": `apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {providerID: "aws:///us-west-2a/i-1"}
`,
}

func TestOfflinePlanOfGatewaysAndTheirRoutes(t *testing.T) {
	objs, err := ReadPath(writeDir(t, gatewayManifests))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compute(t.Context(), nil, objs, shopSettings())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stacks) != 2 {
		t.Fatalf("planned %d stacks, want the two Gateways of lbsg's classes: %+v", len(res.Stacks), res.Stacks)
	}
	nlb := stackByName(t, res, "gateway shop/echo-gw")
	alb := stackByName(t, res, "gateway shop/web-gw")
	nodeSG := map[string][]string{}
	for _, ts := range res.TargetSGs {
		nodeSG[ts.GroupID] = lines(ts.Changes)
	}
	backend := `← sg-<backend> "elbv2.k8s.aws/targetGroupBinding=shared,elbv2.k8s.aws/cluster=demo"`
	for _, tt := range []struct {
		name string
		ok   bool
		got  any
	}{
		{name: "the NLB Gateway is an NLB named as LBC names it", ok: nlb.LoadBalancerType == model.TypeNetwork && strings.HasPrefix(nlb.LoadBalancer, "k8s-shop-echogw-"), got: nlb},
		{name: "its TCP listener forwards to the TCPRoute's target group (a v1alpha2 manifest read as v1)",
			ok:  slices.Contains(lines(nlb.Changes), "+ CreateListener listener 7000/TCP: default forward to shop/echo-gw:shop-echo:TCPRoute-shop-echo:7000 (weight 1)"),
			got: lines(nlb.Changes)},
		{name: "the route's Service is an instance target group on its NodePort with the Node registered",
			ok: slices.ContainsFunc(lines(nlb.Changes), func(l string) bool {
				return strings.HasPrefix(l, "+ CreateTargetGroup target group k8s-shop-echo-") && strings.HasSuffix(l, ": TCP:30700 instance ipv4 (shop/echo-gw:shop-echo:TCPRoute-shop-echo:7000)")
			}) && slices.ContainsFunc(lines(nlb.Changes), func(l string) bool { return strings.HasSuffix(l, ": i-1:30700") }),
			got: lines(nlb.Changes)},
		{name: "the ALB Gateway's configuration makes it internet-facing in public subnets",
			ok: alb.LoadBalancerType == model.TypeApplication && slices.Contains(lines(alb.Changes),
				"+ CreateLoadBalancer load balancer "+alb.LoadBalancer+": application internet-facing ipv4 subnets [<public-subnet-a> <public-subnet-b>] security groups [<new managed SG> sg-<backend>]"),
			got: lines(alb.Changes)},
		{name: "its managed SG admits the configuration's sourceRanges on the listener port only",
			ok: slices.Contains(lines(alb.Changes), "+ AuthorizeIngress ingress of <new managed SG>: tcp 80 ← 203.0.113.0/24") &&
				!strings.Contains(strings.Join(lines(alb.Changes), "\n"), "0.0.0.0/0"),
			got: lines(alb.Changes)},
		{name: "the HTTPRoute's match is a listener rule behind LBC's 404 default",
			ok: slices.Contains(lines(alb.Changes), "+ CreateListener listener 80/HTTP: default fixed-response 404 text/plain") &&
				slices.Contains(lines(alb.Changes), "+ CreateRule rule 1 of listener 80/HTTP: path-pattern=/api,/api/* → forward to shop/web-gw:shop-web:HTTPRoute-shop-web:80 (weight 1)"),
			got: lines(alb.Changes)},
		{name: "the refused HTTPRoute fails to build with the controller's event message, the rest of the Gateway is planned",
			ok: slices.Equal(alb.Failed, []string{"httproute shop/headers: Gateway shop/web-gw: lbsg does not support rule 0: filter RequestHeaderModifier: the route is not applied"}) &&
				alb.Error == "" && res.Summary.Errors == 1,
			got: alb},
		{name: "the node SG admits the backend SG on both NodePorts",
			ok: slices.Equal(nodeSG[PlaceholderNodeSG], []string{
				"+ AuthorizeIngress sg-<node>: tcp 30080 " + backend,
				"+ AuthorizeIngress sg-<node>: tcp 30700 " + backend}),
			got: nodeSG},
		{name: "a Gateway of another controller's class is not planned, and gets no note", ok: len(res.Notes) == 0, got: res.Notes},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Errorf("got %+v", tt.got)
			}
		})
	}
}

func TestOfflinePlanOfARefusedGatewayConfiguration(t *testing.T) {
	files := map[string]string{}
	for k, v := range gatewayManifests {
		files[k] = v
	}
	// A field no table row knows (a manifest written for a later LBC) is
	// refused like an unsupported one.
	refused := `apiVersion: gateway.k8s.aws/v1
kind: LoadBalancerConfiguration
metadata: {name: web, namespace: shop}
spec:
  scheme: internet-facing
  futureSetting: "x"
`
	files["gateways.yaml"] = strings.Replace(files["gateways.yaml"], `apiVersion: gateway.k8s.aws/v1
kind: LoadBalancerConfiguration
metadata: {name: web, namespace: shop}
spec:
  scheme: internet-facing
  sourceRanges: [203.0.113.0/24]
`, refused, 1)
	objs, err := ReadPath(writeDir(t, files))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compute(t.Context(), nil, objs, shopSettings())
	if err != nil {
		t.Fatal(err)
	}
	// The controller's event is the parse error of the configuration.
	var u unstructured.Unstructured
	if err := yaml.Unmarshal([]byte(refused), &u.Object); err != nil {
		t.Fatal(err)
	}
	_, perr := gwconfig.ParseLoadBalancerConfiguration(u.Object)
	if perr == nil {
		t.Fatal("the configuration parses; the test needs a refused field")
	}
	alb := stackByName(t, res, "gateway shop/web-gw")
	if alb.Error != perr.Error() || len(alb.Changes) != 0 {
		t.Errorf("refused Gateway planned as error %q with %d changes; want %q and none", alb.Error, len(alb.Changes), perr.Error())
	}
	if nlb := stackByName(t, res, "gateway shop/echo-gw"); nlb.Error != "" || len(nlb.Changes) == 0 {
		t.Errorf("the other Gateway is not planned: %+v", nlb)
	}
}

func TestOfflinePlanNotesAGatewayWhoseClassIsNotInTheInput(t *testing.T) {
	files := map[string]string{}
	for k, v := range gatewayManifests {
		if k != "classes.yaml" {
			files[k] = v
		}
	}
	objs, err := ReadPath(writeDir(t, files))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Compute(t.Context(), nil, objs, shopSettings())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"gateway shop/echo-gw not planned: its GatewayClass nlb is not in the input",
		"gateway shop/elsewhere not planned: its GatewayClass other is not in the input",
		"gateway shop/web-gw not planned: its GatewayClass alb is not in the input",
	}
	if len(res.Stacks) != 0 || !slices.Equal(res.Notes, want) {
		t.Errorf("stacks %+v, notes %q; want none and %q", res.Stacks, res.Notes, want)
	}
}

// liveGateways are gatewayManifests on an emulator: the seeded instances
// as Nodes and both Gateways deployed by the controller's engine with
// their node-SG rules, as a converged cluster has them.
func startLiveGateways(t *testing.T) *liveShop {
	t.Helper()
	l := &liveShop{emu: emutest.Start(t)}
	l.seed = l.emu.Seeded(t)
	files := map[string]string{}
	for k, v := range gatewayManifests {
		if k != "nodes.yaml" {
			files[k] = v
		}
	}
	objs, err := ReadPath(writeDir(t, files))
	if err != nil {
		t.Fatal(err)
	}
	objs.Nodes = seededNodes(l.seed.Instances)
	l.objs = objs
	ctx := t.Context()
	prov := l.provider()
	reg := registry.New()
	d := &deploy.Deployer{AWS: prov, Registry: reg, Backend: deploy.NewBackend(prov, reg, &deploy.Owners{}, "", nil),
		TargetSGs: &registry.Trigger[registry.SGKey]{}, Defaults: liveSettings().Defaults}
	nodes, err := Nodes(ctx, prov, objs.Nodes, seedCluster)
	if err != nil {
		t.Fatal(err)
	}
	// The controller reads the Services as the apiserver stored them
	// (targetPort defaulted).
	applied, _ := withPlaceholderPorts(objs.deduped())
	all, _ := buildAll(ctx, prov, applied, nodes, liveSettings())
	if len(all) != 2 {
		t.Fatalf("built %d stacks, want 2", len(all))
	}
	for _, b := range all {
		if b.err != nil {
			t.Fatalf("building %s: %v", b.id, b.err)
		}
		if _, err := d.Apply(ctx, b.id, b.stack); err != nil {
			t.Fatalf("deploying %s: %v", b.id, err)
		}
		p := l.provider()
		backend, err := p.FindBackendSG(ctx)
		if err != nil {
			t.Fatal(err)
		}
		snap, err := p.Snapshot(ctx, b.id)
		if err != nil || len(snap.ManagedSGs) != 1 {
			t.Fatalf("reading the deployed %s: %v, %+v", b.id, err, snap.ManagedSGs)
		}
		for sg, set := range model.ResolveTargetRules(b.stack, seedCluster, backend, snap.ManagedSGs[0].ID) {
			if err := p.Authorize(ctx, sg, set); err != nil {
				t.Fatal(err)
			}
		}
	}
	return l
}

func TestLivePlanOfConvergedGatewaysPlansNothing(t *testing.T) {
	l := startLiveGateways(t)
	before := l.emu.Server.Calls().Mutations()
	res, err := Compute(t.Context(), l.provider(), l.objs, liveSettings())
	if err != nil {
		t.Fatal(err)
	}
	if n := l.emu.Server.Calls().Mutations(); n != before {
		t.Errorf("plan --live made %d mutating calls", n-before)
	}
	for _, name := range []string{"gateway shop/echo-gw", "gateway shop/web-gw"} {
		if sp := stackByName(t, res, name); sp.Error != "" || len(sp.Changes) != 0 {
			t.Errorf("converged %s plans %q (error %q)", name, lines(sp.Changes), sp.Error)
		}
	}
	if len(res.TargetSGs) != 0 {
		t.Errorf("converged Gateways plan target SG changes: %+v", res.TargetSGs)
	}
}

func TestDesiredStateCountsGateways(t *testing.T) {
	l := startLiveGateways(t)
	ctx := t.Context()
	prov := l.provider()
	want, err := DesiredState(ctx, prov, l.objs, liveSettings())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []naming.Stack{naming.GatewayNLBStack("shop", "echo-gw"), naming.GatewayALBStack("shop", "web-gw")} {
		if !slices.Contains(want.Stacks, st) {
			t.Errorf("desired stacks %v lack %s", want.Stacks, st)
		}
		snap, err := prov.Snapshot(ctx, st)
		if err != nil || snap.LoadBalancer == nil {
			t.Fatalf("snapshot of %s: %v", st, err)
		}
		if got := want.LBSGs[snap.LoadBalancer.Name]; !sameElements(got, snap.LoadBalancer.SecurityGroups) {
			t.Errorf("desired SGs of %s's load balancer %v, it carries %v", st, got, snap.LoadBalancer.SecurityGroups)
		}
	}
	sgs, err := prov.FindSecurityGroups(ctx, func(map[string]string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	for _, sg := range sgs {
		if missing := ownedRules(sg, seedCluster).Minus(want.TargetRules[sg.ID]); len(missing) > 0 {
			t.Errorf("owned rules on %s no Gateway needs: %v", sg.ID, missing)
		}
	}
	if len(want.TargetRules[l.seed.NodeSG]) == 0 || !want.BackendInUse {
		t.Errorf("the node SG needs no rule (%v) or the backend SG is unused (%v)", want.TargetRules, want.BackendInUse)
	}
}

func TestDesiredStateNamesRefusedGatewayConfigurationsAndRoutes(t *testing.T) {
	files := map[string]string{}
	for k, v := range gatewayManifests {
		files[k] = v
	}
	files["gateways.yaml"] = strings.Replace(files["gateways.yaml"], "  sourceRanges: [203.0.113.0/24]\n", "  futureSetting: \"x\"\n", 1)
	objs, err := ReadPath(writeDir(t, files))
	if err != nil {
		t.Fatal(err)
	}
	want, err := DesiredState(t.Context(), offline{cluster: "demo"}, objs, shopSettings())
	if err != nil {
		t.Fatal(err)
	}
	got := want.Unsupported["Gateway shop/web-gw"]
	if len(got) != 1 || !strings.HasPrefix(got[0], "LoadBalancerConfiguration shop/web uses fields lbsg does not support: spec.futureSetting") {
		t.Errorf("unsupported %q, want the Gateway named with its configuration's field", want.Unsupported)
	}
	// The refused Gateway's routes are not judged; the NLB Gateway's
	// TCPRoute is applied.
	if len(want.RefusedRoutes) != 0 || !slices.Contains(want.Stacks, naming.GatewayNLBStack("shop", "echo-gw")) {
		t.Errorf("refused routes %q, stacks %v", want.RefusedRoutes, want.Stacks)
	}

	objs, err = ReadPath(writeDir(t, gatewayManifests))
	if err != nil {
		t.Fatal(err)
	}
	if want, err = DesiredState(t.Context(), offline{cluster: "demo"}, objs, shopSettings()); err != nil {
		t.Fatal(err)
	}
	wantRefused := map[string]string{"HTTPRoute shop/headers": "Gateway shop/web-gw: lbsg does not support rule 0: filter RequestHeaderModifier: the route is not applied"}
	if len(want.RefusedRoutes) != 1 || want.RefusedRoutes["HTTPRoute shop/headers"] != wantRefused["HTTPRoute shop/headers"] || len(want.Unsupported) != 0 {
		t.Errorf("refused routes %q, unsupported %q; want %q and none", want.RefusedRoutes, want.Unsupported, wantRefused)
	}
}

func TestGatewayViewsFollowListenersToRoutesAndTargetGroups(t *testing.T) {
	objs, err := ReadPath(writeDir(t, gatewayManifests))
	if err != nil {
		t.Fatal(err)
	}
	views, notes, err := Gateways(t.Context(), nil, objs, shopSettings())
	if err != nil || len(notes) != 0 {
		t.Fatalf("views: %v, notes %q", err, notes)
	}
	res, err := Compute(t.Context(), nil, objs, shopSettings())
	if err != nil {
		t.Fatal(err)
	}
	planned := map[string]bool{} // target group names the plan creates
	for _, sp := range res.Stacks {
		for _, c := range sp.Changes {
			if c.Action == "CreateTargetGroup" {
				planned[strings.TrimPrefix(c.Resource, "target group ")] = true
			}
		}
	}
	if len(views) != 2 {
		t.Fatalf("views of %d Gateways, want 2: %+v", len(views), views)
	}
	for _, tt := range []struct {
		gw, listener, route, service string
	}{
		{gw: "echo-gw", listener: "tcp", route: "TCPRoute shop/echo", service: "shop/echo:7000"},
		{gw: "web-gw", listener: "http", route: "HTTPRoute shop/web", service: "shop/web:80"},
	} {
		t.Run(tt.gw, func(t *testing.T) {
			i := slices.IndexFunc(views, func(v GatewayView) bool { return v.Name == tt.gw })
			if i < 0 {
				t.Fatalf("no view of %s", tt.gw)
			}
			v := views[i]
			if v.LoadBalancer != stackByName(t, res, "gateway shop/"+tt.gw).LoadBalancer || len(v.Listeners) != 1 || v.Listeners[0].Name != tt.listener {
				t.Fatalf("view %+v", v)
			}
			rs := v.Listeners[0].Routes
			if len(rs) != 1 || rs[0].Kind+" "+rs[0].Namespace+"/"+rs[0].Name != tt.route || len(rs[0].Backends) != 1 {
				t.Fatalf("routes %+v, want only %s (the refused route attaches nowhere)", rs, tt.route)
			}
			if be := rs[0].Backends[0]; be.Service != tt.service || !planned[be.TargetGroup] {
				t.Errorf("backend %+v: want service %s and a target group the plan creates (%v)", be, tt.service, planned)
			}
		})
	}
}

func TestOfflinePlanServesListenerSetsAsTheGateTells(t *testing.T) {
	files := map[string]string{}
	for k, v := range gatewayManifests {
		files[k] = v
	}
	files["gateways.yaml"] = strings.Replace(files["gateways.yaml"], `  gatewayClassName: nlb
  listeners: [{name: tcp, protocol: TCP, port: 7000}]`, `  gatewayClassName: nlb
  allowedListeners: {namespaces: {from: Same}}
  listeners: [{name: tcp, protocol: TCP, port: 7000}]`, 1)
	files["listenerset.yaml"] = `apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: more, namespace: shop}
spec:
  parentRef: {name: echo-gw}
  listeners: [{name: extra, protocol: TCP, port: 7100}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: extra, namespace: shop}
spec:
  parentRefs: [{kind: ListenerSet, name: more}]
  rules: [{backendRefs: [{name: echo, port: 7000}]}]
`
	objs, err := ReadPath(writeDir(t, files))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		gate bool
		want bool
	}{
		{name: "gate on: the ListenerSet's listener joins the NLB", gate: true, want: true},
		{name: "gate off: ListenerSets are ignored, as LBC ignores them", gate: false, want: false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := shopSettings()
			s.ListenerSets = tt.gate
			res, err := Compute(t.Context(), nil, objs, s)
			if err != nil {
				t.Fatal(err)
			}
			got := slices.ContainsFunc(lines(stackByName(t, res, "gateway shop/echo-gw").Changes), func(l string) bool {
				return strings.HasPrefix(l, "+ CreateListener listener 7100/TCP: default forward to shop/echo-gw:shop-extra:TCPRoute-shop-echo:7000")
			})
			if got != tt.want {
				t.Errorf("listener 7100 planned %v, want %v: %q", got, tt.want, lines(stackByName(t, res, "gateway shop/echo-gw").Changes))
			}
		})
	}
}

func TestOfflinePlanOfAListenerRuleConfigurationReadsItsSecretFromTheInput(t *testing.T) {
	gateway := `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: alb}
spec: {controllerName: gateway.k8s.aws/alb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web-gw, namespace: shop}
spec:
  gatewayClassName: alb
  infrastructure:
    parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: tls}
  listeners: [{name: https, protocol: HTTPS, port: 443}]
---
apiVersion: gateway.k8s.aws/v1
kind: LoadBalancerConfiguration
metadata: {name: tls, namespace: shop}
spec:
  listenerConfigurations: [{protocolPort: "HTTPS:443", defaultCertificate: "arn:aws:acm:us-west-2:111122223333:certificate/web"}]
---
apiVersion: gateway.k8s.aws/v1
kind: ListenerRuleConfiguration
metadata: {name: auth, namespace: shop}
spec:
  actions:
  - type: authenticate-oidc
    authenticateOIDCConfig:
      issuer: https://idp.example.com
      authorizationEndpoint: https://idp.example.com/auth
      tokenEndpoint: https://idp.example.com/token
      userInfoEndpoint: https://idp.example.com/userinfo
      secret: {name: idp}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop}
spec:
  parentRefs: [{name: web-gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /app}}]
    filters: [{type: ExtensionRef, extensionRef: {group: gateway.k8s.aws, kind: ListenerRuleConfiguration, name: auth}}]
    backendRefs: [{name: web, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 30080, protocol: TCP}]
`
	secret := `apiVersion: v1
kind: Secret
metadata: {name: idp, namespace: shop}
stringData: {clientID: web-client, clientSecret: s3cret}
`
	labelled := strings.Replace(secret, "namespace: shop}", "namespace: shop, labels: {lbsg-readable: \"yes\"}}", 1)
	for _, tt := range []struct {
		name  string
		files map[string]string
		label string // --required-secrets-label
		rule  string
		fail  []string
	}{
		{name: "a Secret without the label --required-secrets-label names is refused as the controller refuses it",
			files: map[string]string{"gw.yaml": gateway, "secret.yaml": secret}, label: "lbsg-readable=yes",
			fail: []string{"httproute shop/web: Gateway shop/web-gw: rule 0: ListenerRuleConfiguration shop/auth: secret shop/idp lacks the label lbsg-readable=yes that --required-secrets-label requires: the route is not applied"}},
		{name: "a Secret with the required label is read",
			files: map[string]string{"gw.yaml": gateway, "secret.yaml": labelled}, label: "lbsg-readable=yes",
			rule: "+ CreateRule rule 1 of listener 443/HTTPS: path-pattern=/app,/app/* → authenticate with OIDC issuer https://idp.example.com (client web-client), forward to shop/web-gw:shop-web:HTTPRoute-shop-web:80 (weight 1)"},
		{name: "with its Secret (stringData, as written) the rule authenticates, then forwards",
			files: map[string]string{"gw.yaml": gateway, "secret.yaml": secret},
			rule:  "+ CreateRule rule 1 of listener 443/HTTPS: path-pattern=/app,/app/* → authenticate with OIDC issuer https://idp.example.com (client web-client), forward to shop/web-gw:shop-web:HTTPRoute-shop-web:80 (weight 1)"},
		{name: "without it the route is refused with the controller's event message",
			files: map[string]string{"gw.yaml": gateway},
			fail:  []string{"httproute shop/web: Gateway shop/web-gw: rule 0: ListenerRuleConfiguration shop/auth: secret shop/idp not found: the route is not applied"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := ReadPath(writeDir(t, tt.files))
			if err != nil {
				t.Fatal(err)
			}
			st := shopSettings()
			st.SecretsLabel = tt.label
			res, err := Compute(t.Context(), nil, objs, st)
			if err != nil {
				t.Fatal(err)
			}
			sp := stackByName(t, res, "gateway shop/web-gw")
			got := slices.ContainsFunc(lines(sp.Changes), func(l string) bool { return strings.HasPrefix(l, "+ CreateRule") })
			if tt.rule != "" && !slices.Contains(lines(sp.Changes), tt.rule) || tt.rule == "" && got || !slices.Equal(sp.Failed, tt.fail) {
				t.Errorf("changes %q, failed %q; want rule %q and failed %q", lines(sp.Changes), sp.Failed, tt.rule, tt.fail)
			}
		})
	}
}
