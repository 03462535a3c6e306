package planview

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/model"
)

// nodeA is one EC2 node, so that instance targets and node-SG rules are
// planned.
const nodeA = `---
apiVersion: v1
kind: Node
metadata: {name: node-a}
spec: {providerID: "aws:///us-west-2a/i-1"}
`

// nlb is a Service lbsg handles; extra is YAML added to its spec.
func nlb(name, ports, extra string) string {
	return `---
apiVersion: v1
kind: Service
metadata: {name: ` + name + `, namespace: shop}
spec:
  type: LoadBalancer
  loadBalancerClass: service.k8s.aws/nlb
  ports: ` + ports + `
` + extra
}

// albFor is an Ingress of the chart's class whose default backend is
// Service svc on port (a number or a name); ann are its annotations.
func albFor(svc, port, ann string) string {
	p := "number: " + port
	if port[0] < '0' || port[0] > '9' {
		p = "name: " + port
	}
	return `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations: {` + ann + `}
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: ` + svc + `, port: {` + p + `}}}
`
}

// clusterCopy is a Service as the cluster holds it, allocated NodePorts
// included.
func clusterCopy(t *testing.T, manifest string) []corev1.Service {
	t.Helper()
	var o Objects
	if err := o.Decode([]byte(manifest)); err != nil {
		t.Fatal(err)
	}
	return o.Services
}

func TestPortsTheApiserverAllocatesArePlannedAsPlaceholders(t *testing.T) {
	backendRule := func(port string) string {
		return "+ AuthorizeIngress sg-<node>: tcp " + port + ` ← sg-<backend> "elbv2.k8s.aws/targetGroupBinding=shared,elbv2.k8s.aws/cluster=demo"`
	}
	for _, tt := range []struct {
		name      string
		manifests string
		cluster   string // the cluster's Services (plan --live --kubeconfig)
		stack     string
		// want are lines of the stack's changes; wantSG the node SG's.
		want, wantSG []string
		// wantPlaceholders are prefixes of the stack's placeholder notes.
		wantPlaceholders []string
	}{
		{
			name:      "a Service without a nodePort has a placeholder target group port, targets and node-SG rule",
			manifests: nlb("api", "[{port: 443, protocol: TCP}]", ""),
			stack:     "service shop/api",
			want: []string{"TCP:<nodePort> instance ipv4 (shop/api:443)", "targets of k8s-shop-api-", ": i-1:<nodePort>",
				"+ CreateListener listener 443/TCP: forward to shop/api:443"},
			wantSG:           []string{backendRule("<nodePort>")},
			wantPlaceholders: []string{"<nodePort>: the NodePort the apiserver allocates to port 443/TCP of service shop/api when it is applied"},
		},
		{
			name:      "two Services without nodePorts get a rule each, not one merged rule",
			manifests: nlb("api", "[{port: 443}]", "") + nlb("admin", "[{port: 8443}]", ""),
			stack:     "service shop/admin",
			want:      []string{"TCP:<nodePort> instance"},
			wantSG:    []string{backendRule("<nodePort>"), backendRule("<nodePort>")},
		},
		{
			name:             "a Service with externalTrafficPolicy Local gets a placeholder health-check NodePort",
			manifests:        nlb("api", "[{port: 443}]", "  externalTrafficPolicy: Local\n"),
			stack:            "service shop/api",
			wantSG:           []string{backendRule("<healthCheckNodePort>"), backendRule("<nodePort>")},
			wantPlaceholders: []string{"<healthCheckNodePort>: the health-check NodePort the apiserver allocates to service shop/api", "<nodePort>: "},
		},
		{
			name:      "a given nodePort is planned as it is",
			manifests: nlb("api", "[{port: 443, nodePort: 30443}]", ""),
			stack:     "service shop/api",
			want:      []string{"TCP:30443 instance"},
			wantSG:    []string{backendRule("30443")},
		},
		{
			name:      "a Service in the cluster keeps its allocated NodePort, by port name",
			manifests: nlb("api", "[{name: https, port: 443}, {name: admin, port: 8443}]", ""),
			cluster:   nlb("api", "[{name: https, port: 443, nodePort: 31443}]", ""),
			stack:     "service shop/api",
			want:      []string{"TCP:31443 instance ipv4 (shop/api:443)", "TCP:<nodePort> instance ipv4 (shop/api:8443)"},
			wantSG:    []string{backendRule("31443"), backendRule("<nodePort>")},
		},
		{
			name: "an Ingress backend Service without a nodePort has a placeholder target group port",
			manifests: albFor("web", "80", "") + `---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: NodePort, ports: [{port: 80}]}
`,
			stack:            "ingress group shop/web",
			want:             []string{"HTTP:<nodePort> instance ipv4 (shop/web-web:80)", "forward to shop/web-web:80"},
			wantSG:           []string{backendRule("<nodePort>")},
			wantPlaceholders: []string{"<nodePort>: the NodePort the apiserver allocates to port 80/TCP of service shop/web"},
		},
		{
			name:             "an Ingress backend Service not in the input is planned as a NodePort Service of placeholders",
			manifests:        albFor("web", "http", ""),
			stack:            "ingress group shop/web",
			want:             []string{"HTTP:<nodePort> instance ipv4 (shop/web-web:http)", "forward to shop/web-web:http"},
			wantSG:           []string{backendRule("<nodePort>")},
			wantPlaceholders: []string{"<nodePort>: the NodePort of port http of service shop/web, which is not in the input"},
		},
		{
			name:      "an ip-target Ingress backend Service not in the input has a placeholder target port",
			manifests: albFor("web", "80", "alb.ingress.kubernetes.io/target-type: ip"),
			stack:     "ingress group shop/web",
			want:      []string{"HTTP:<targetPort> ip ipv4 (shop/web-web:80)"},
		},
		{
			name:      "an Ingress backend Service only in the cluster is the cluster's",
			manifests: albFor("web", "80", ""),
			cluster: `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}
`,
			stack:  "ingress group shop/web",
			want:   []string{"HTTP:30080 instance ipv4 (shop/web-web:80)"},
			wantSG: []string{backendRule("30080")},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var objs Objects
			if err := objs.Decode([]byte(tt.manifests + nodeA)); err != nil {
				t.Fatal(err)
			}
			if tt.cluster != "" {
				objs.ClusterServices = clusterCopy(t, tt.cluster)
			}
			s := shopSettings()
			objs.AssumeIngressClass(s.Class)
			res, err := Compute(t.Context(), nil, objs, s)
			if err != nil {
				t.Fatal(err)
			}
			if res.Summary.Errors != 0 {
				t.Fatalf("failed to build: %+v", res.Stacks)
			}
			sp := stackByName(t, res, tt.stack)
			got := strings.Join(lines(sp.Changes), "\n")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("changes lack %q:\n%s", w, got)
				}
			}
			var sg []string
			for _, ts := range res.TargetSGs {
				if ts.GroupID == PlaceholderNodeSG {
					sg = lines(ts.Changes)
				}
			}
			if tt.wantSG != nil && !slices.Equal(sg, tt.wantSG) {
				t.Errorf("node SG changes\n %q\nwant\n %q", sg, tt.wantSG)
			}
			if len(sp.Placeholders) < len(tt.wantPlaceholders) {
				t.Fatalf("placeholders %q, want %q", sp.Placeholders, tt.wantPlaceholders)
			}
			for i, w := range tt.wantPlaceholders {
				if !strings.HasPrefix(sp.Placeholders[i], w) {
					t.Errorf("placeholder %d is %q, want %q…", i, sp.Placeholders[i], w)
				}
			}
			if strings.Contains(got, "<nodePort>") != slices.ContainsFunc(sp.Placeholders, func(p string) bool { return strings.HasPrefix(p, "<nodePort>") }) {
				t.Errorf("a <nodePort> in the changes is not explained, or one explained is not used: %q", sp.Placeholders)
			}
		})
	}
}

func TestAServiceThatGetsNoNodePortIsStillAnError(t *testing.T) {
	noAlloc := nlb("api", "[{port: 443}]", "  allocateLoadBalancerNodePorts: false\n")
	for _, tt := range []struct {
		name      string
		manifests string
	}{
		{name: "a LoadBalancer Service with allocateLoadBalancerNodePorts false", manifests: noAlloc},
		{name: "a ClusterIP backend of an instance-target Ingress", manifests: albFor("web", "80", "") + `---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{port: 80}]}
`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var objs Objects
			if err := objs.Decode([]byte(tt.manifests + nodeA)); err != nil {
				t.Fatal(err)
			}
			s := shopSettings()
			objs.AssumeIngressClass(s.Class)
			res, err := Compute(t.Context(), nil, objs, s)
			if err != nil {
				t.Fatal(err)
			}
			if res.Summary.Errors != 1 || len(res.Stacks) != 1 ||
				!strings.Contains(strings.Join(append(res.Stacks[0].Failed, res.Stacks[0].Error), "\n"), "TargetGroup port is empty") {
				t.Errorf("summary %+v, stacks %+v", res.Summary, res.Stacks)
			}
		})
	}
}

func TestOnlyPlanUsesPlaceholderPorts(t *testing.T) {
	var objs Objects
	if err := objs.Decode([]byte(nlb("api", "[{port: 443}]", "") + nodeA)); err != nil {
		t.Fatal(err)
	}
	// The controller's model: a Service without a NodePort is an error.
	if _, _, err := model.Build(&objs.Services[0], model.Facts{Subnets: OfflineSubnets("demo")}, defaults()); err == nil || !strings.Contains(err.Error(), "TargetGroup port is empty") {
		t.Errorf("model.Build: %v", err)
	}
	// Audit judges AWS by the cluster's Services: none is a placeholder.
	want, err := DesiredState(t.Context(), offline{cluster: "demo"}, objs, shopSettings())
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Errors) != 1 || !strings.Contains(want.Errors[0], "TargetGroup port is empty") {
		t.Errorf("DesiredState errors %q", want.Errors)
	}
}
