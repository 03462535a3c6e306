package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/ingressclass"
)

// Manifests as a user writes them before applying: no nodePort anywhere.
const (
	// apiService is an NLB Service with instance targets (the default).
	apiService = `---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  type: LoadBalancer
  loadBalancerClass: service.k8s.aws/nlb
  ports: [{port: 443, protocol: TCP}]
`
	// webIngress is an Ingress of the chart's class whose backend Service
	// web is not applied yet.
	webIngress = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: web, port: {number: 80}}}
`
	// webService is webIngress's backend.
	webService = `---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: NodePort, ports: [{port: 80}]}
`
	// badScheme is a Service with an invalid annotation.
	badScheme = `---
apiVersion: v1
kind: Service
metadata:
  name: bad
  namespace: shop
  annotations: {service.beta.kubernetes.io/aws-load-balancer-scheme: sideways}
spec:
  type: LoadBalancer
  loadBalancerClass: service.k8s.aws/nlb
  ports: [{port: 80}]
`
	// brokenIngress joins webIngress's namespace with an invalid annotation.
	brokenIngress = `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: broken
  namespace: shop
  annotations: {alb.ingress.kubernetes.io/listen-ports: "not json"}
spec:
  ingressClassName: alb
  defaultBackend: {service: {name: web, port: {number: 80}}}
`
	// clusterIPOnly is a Service lbsg does not handle.
	clusterIPOnly = `---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {ports: [{port: 5432}]}
`
	offlineNode = `---
apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {providerID: "aws:///us-west-2a/i-1"}
`
)

func writeManifests(t *testing.T, docs ...string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "app.yaml")
	if err := os.WriteFile(f, []byte(strings.Join(docs, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// planCase is one run of lbsg plan on manifests: its exit status and what
// its output and stderr hold.
type planCase struct {
	name      string
	manifests []string
	flags     []string
	wantCode  int
	want      []string // in stdout
	wantErr   string   // in stderr
}

func (tt planCase) run(t *testing.T, flags ...string) {
	t.Helper()
	args := append(append([]string{"plan", "-f", writeManifests(t, tt.manifests...)}, flags...), tt.flags...)
	code, out, stderr := runCmd(t, args...)
	if code != tt.wantCode {
		t.Errorf("exit %d, want %d\n%s\n%s", code, tt.wantCode, out, stderr)
	}
	for _, w := range tt.want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if !strings.Contains(stderr, tt.wantErr) {
		t.Errorf("stderr %q lacks %q", stderr, tt.wantErr)
	}
}

func TestOfflinePlanOfManifestsNotYetAppliedAndItsExitStatus(t *testing.T) {
	const detailed = "--detailed-exitcode"
	placeholderRule := "+ AuthorizeIngress    sg-<node>: tcp <nodePort> ← sg-<backend>"
	for _, tt := range []planCase{
		{name: "a Service without a nodePort is planned with a placeholder NodePort", manifests: []string{apiService, offlineNode},
			want: []string{"TCP:<nodePort> instance ipv4 (shop/api:443)", "targets of k8s-shop-api-", "i-1:<nodePort>", placeholderRule,
				"? <nodePort>: the NodePort the apiserver allocates to port 443/TCP of service shop/api", "Plan: 7 to create, 0 to update, 0 to delete.\n"}},
		{name: "with --detailed-exitcode a plan with changes exits 2", manifests: []string{apiService}, flags: []string{detailed},
			wantCode: 2, want: []string{"TCP:<nodePort> instance"}},
		{name: "an Ingress whose backend Service is in the manifests without a nodePort is planned", manifests: []string{webIngress, webService, offlineNode},
			want: []string{"ingress group shop/web (ALB ", "HTTP:<nodePort> instance ipv4 (shop/web-web:80)", placeholderRule}},
		{name: "an Ingress whose backend Service is in no input is planned", manifests: []string{webIngress, offlineNode}, flags: []string{detailed},
			wantCode: 2, want: []string{"HTTP:<nodePort> instance ipv4 (shop/web-web:80)", "which is not in the input", placeholderRule}},
		{name: "with --detailed-exitcode a plan without changes exits 0", manifests: []string{clusterIPOnly}, flags: []string{detailed},
			want: []string{"No Service, Ingress or Gateway handled by lbsg", "Plan: 0 to create, 0 to update, 0 to delete.\n"}},
		{name: "a Service with an invalid annotation exits 1", manifests: []string{apiService, badScheme},
			wantCode: 1, want: []string{"! error: service shop/bad: ", "unknown scheme: sideways", "1 failed to build"}, wantErr: "1 failed to build"},
		{name: "an invalid annotation exits 1 with --detailed-exitcode too", manifests: []string{badScheme}, flags: []string{detailed},
			wantCode: 1, want: []string{"unknown scheme: sideways"}},
		{name: "an Ingress left out of its group for an invalid annotation exits 1", manifests: []string{webIngress, brokenIngress},
			wantCode: 1, want: []string{"! error: ingress shop/broken left out of the group: ", "1 failed to build"}},
		{name: "a usage error exits 1 with --detailed-exitcode", manifests: []string{apiService}, flags: []string{detailed, "-o", "yaml"},
			wantCode: 1, wantErr: `-o "yaml": want text or json`},
		{name: "a usage error exits 2 with --detailed-exitcode=false", manifests: []string{apiService}, flags: []string{detailed + "=false", "-o", "yaml"},
			wantCode: 2, wantErr: `-o "yaml": want text or json`},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, "--cluster-name", "prod") })
	}
}

func TestPlanJSONShowsPlaceholderPorts(t *testing.T) {
	code, out, stderr := runCmd(t, "plan", "-o", "json", "-f", writeManifests(t, apiService, offlineNode))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Stacks []struct {
			Placeholders []string
			Changes      []struct{ Action, Detail string }
		}
		TargetSecurityGroups []struct{ Changes []struct{ Detail string } }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(res.Stacks) != 1 || len(res.Stacks[0].Placeholders) != 1 || !strings.HasPrefix(res.Stacks[0].Placeholders[0], "<nodePort>: ") {
		t.Fatalf("stacks %+v", res.Stacks)
	}
	var tg string
	for _, c := range res.Stacks[0].Changes {
		if c.Action == "CreateTargetGroup" {
			tg = c.Detail
		}
	}
	if !strings.HasPrefix(tg, "TCP:<nodePort> ") {
		t.Errorf("target group %q", tg)
	}
	if len(res.TargetSecurityGroups) != 1 || !strings.HasPrefix(res.TargetSecurityGroups[0].Changes[0].Detail, "tcp <nodePort> ← ") {
		t.Errorf("target SGs %+v", res.TargetSecurityGroups)
	}
}

// seededNodes are Nodes of the emulator's seeded instances.
func (w *world) seededNodes(t *testing.T) string {
	t.Helper()
	out, err := w.ec2.DescribeInstances(t.Context(), &awsec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range out.Reservations {
		for _, in := range r.Instances {
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Node\nmetadata: {name: %s}\nspec: {providerID: \"aws:///%s/%s\"}\n",
				aws.ToString(in.InstanceId), aws.ToString(in.Placement.AvailabilityZone), aws.ToString(in.InstanceId))
		}
	}
	if b.Len() == 0 {
		t.Fatal("the emulator has no instance")
	}
	return b.String()
}

func TestLivePlanOfManifestsNotYetApplied(t *testing.T) {
	w := startEmulator(t)
	nodes := w.seededNodes(t)
	placeholderRule := "+ AuthorizeIngress    " + w.nodeSG + ": tcp <nodePort> ← sg-"
	for _, tt := range []planCase{
		{name: "a Service without a nodePort is planned with a placeholder NodePort", manifests: []string{apiService, nodes},
			want: []string{"against live AWS state", "TCP:<nodePort> instance ipv4 (shop/api:443)", placeholderRule}},
		{name: "an Ingress whose backend Service is not applied is planned", manifests: []string{webIngress, webService, nodes}, flags: []string{"--detailed-exitcode"},
			wantCode: 2, want: []string{"HTTP:<nodePort> instance ipv4 (shop/web-web:80)", placeholderRule}},
		{name: "an Ingress whose backend Service is in no input is planned", manifests: []string{webIngress}, flags: []string{"--detailed-exitcode"},
			wantCode: 2, want: []string{"HTTP:<nodePort> instance ipv4 (shop/web-web:80)"}},
		{name: "an invalid annotation exits 1", manifests: []string{badScheme}, flags: []string{"--detailed-exitcode"},
			wantCode: 1, want: []string{"unknown scheme: sideways"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := w.srv.Calls().Mutations()
			tt.run(t, append([]string{"--live"}, w.flags()...)...)
			if n := w.srv.Calls().Mutations(); n != before {
				t.Errorf("plan --live made %d mutating calls", n-before)
			}
		})
	}
}

func TestLivePlanWithTheClusterUsesAllocatedNodePorts(t *testing.T) {
	w := startWorld(t)
	ctx := t.Context()
	class := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "alb"}, Spec: networkingv1.IngressClassSpec{Controller: ingressclass.Controller}}
	if err := w.kube.Create(ctx, class); err != nil {
		t.Fatal(err)
	}
	if err := w.kube.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}); err != nil {
		t.Fatal(err)
	}
	// api and web are applied (the apiserver allocates their NodePorts);
	// the manifests still have none.
	nodePort := map[string]int32{}
	for _, name := range []string{"api", "web"} {
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: []corev1.ServicePort{{Port: 80}}}}
		if name == "api" {
			svc.Spec.Type, svc.Spec.LoadBalancerClass = corev1.ServiceTypeLoadBalancer, aws.String("service.k8s.aws/nlb")
			svc.Spec.Ports[0].Port = 443
		}
		if err := w.kube.Create(ctx, svc); err != nil {
			t.Fatal(err)
		}
		if err := w.kube.Get(ctx, client.ObjectKeyFromObject(svc), svc); err != nil || svc.Spec.Ports[0].NodePort == 0 {
			t.Fatalf("reading %s back: %v, %+v", name, err, svc.Spec.Ports)
		}
		nodePort[name] = svc.Spec.Ports[0].NodePort
	}
	// new is not applied; neither is gone, the backend of the Ingress cart.
	newService := strings.ReplaceAll(apiService, "name: api", "name: new")
	cartIngress := strings.ReplaceAll(strings.ReplaceAll(webIngress, "name: web, namespace", "name: cart, namespace"), "name: web, port", "name: gone, port")
	for _, tt := range []planCase{
		{name: "an applied Service keeps its NodePort, one not applied gets a placeholder", manifests: []string{apiService, newService},
			want: []string{fmt.Sprintf("TCP:%d instance ipv4 (shop/api:443)", nodePort["api"]), "TCP:<nodePort> instance ipv4 (shop/new:443)"}},
		{name: "an Ingress backend only in the cluster is the cluster's, one in no input a placeholder",
			manifests: []string{webIngress, cartIngress}, flags: []string{"--detailed-exitcode"}, wantCode: 2,
			want: []string{fmt.Sprintf("HTTP:%d instance ipv4 (shop/web-web:80)", nodePort["web"]), "HTTP:<nodePort> instance ipv4 (shop/cart-gone:80)"}},
		{name: "an invalid annotation exits 1", manifests: []string{apiService, badScheme}, wantCode: 1, want: []string{"unknown scheme: sideways"}},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, append([]string{"--live"}, w.flags()...)...) })
	}
}

func TestPlanHelpDocumentsTheExitStatus(t *testing.T) {
	code, _, stderr := runCmd(t, "plan", "--help")
	for _, want := range []string{"Exit status:\n  0  ", "\n  1  error: ", "\n  2  with --detailed-exitcode: the plan has changes", "--detailed-exitcode"} {
		if code != 0 || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, help lacks %q:\n%s", code, want, stderr)
		}
	}
}
