package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	awswafv2 "github.com/aws/aws-sdk-go-v2/service/wafv2"
	wafv2types "github.com/aws/aws-sdk-go-v2/service/wafv2/types"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/lbsg/lbsg/internal/apis/crds"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/ingress"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/ingressclass"
	"github.com/lbsg/lbsg/internal/localenv"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/options"
)

// world is an envtest apiserver and a loopback emulator (default seed,
// cluster "sandbox"), as the sandbox runs them, without a controller.
type world struct {
	kubeconfig, endpoint string
	restConfig           *rest.Config
	srv                  *emulator.Server
	kube                 client.Client
	ec2                  *awsec2.Client
	vpcID, nodeSG        string
}

func startWorld(t *testing.T) *world {
	t.Helper()
	env, err := localenv.StartEnvtest(localenv.EnvtestOptions{})
	if errors.Is(err, localenv.ErrAssetsMissing) && !localenv.RequireAssets() {
		t.Skipf("%v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	user, err := env.Env.ControlPlane.AddUser(envtest.User{Name: "lbsg", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	w := startEmulator(t)
	w.kubeconfig = filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(w.kubeconfig, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	w.restConfig = env.Config
	if w.kube, err = client.New(env.Config, client.Options{Scheme: scheme.Scheme}); err != nil {
		t.Fatal(err)
	}
	return w
}

// startEmulator is a world of only the loopback emulator: no cluster.
func startEmulator(t *testing.T) *world {
	t.Helper()
	w := &world{}
	var err error
	if w.srv, err = emulator.New(emulator.Options{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	addr, _, err := w.srv.Listen(ctx, "127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	w.endpoint = endpointURL(addr)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEMULATOR")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	w.ec2 = awsec2.NewFromConfig(emutest.Config(w.srv))
	sgs, err := w.ec2.DescribeSecurityGroups(ctx, &awsec2.DescribeSecurityGroupsInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag-key"), Values: []string{naming.ClusterTagKey(DefaultCLICluster)}}}})
	if err != nil || len(sgs.SecurityGroups) != 1 {
		t.Fatalf("finding the seeded node SG: %v (%d)", err, len(sgs.SecurityGroups))
	}
	w.nodeSG, w.vpcID = aws.ToString(sgs.SecurityGroups[0].GroupId), aws.ToString(sgs.SecurityGroups[0].VpcId)
	return w
}

// flags are the AWS flags of the world, and --kubeconfig when it has a
// cluster.
func (w *world) flags() []string {
	f := []string{"--cluster-name=" + DefaultCLICluster, "--aws-region=us-west-2", "--aws-endpoint=" + w.endpoint}
	if w.kubeconfig != "" {
		f = append(f, "--kubeconfig="+w.kubeconfig)
	}
	return f
}

func (w *world) createSG(t *testing.T, name string, tags map[string]string) string {
	t.Helper()
	var ts []ec2types.Tag
	for k, v := range tags {
		ts = append(ts, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	out, err := w.ec2.CreateSecurityGroup(t.Context(), &awsec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name),
		VpcId: aws.String(w.vpcID), TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: ts}}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.GroupId)
}

func (w *world) authorize(t *testing.T, sg string, port int32, cidr, desc string) {
	t.Helper()
	_, err := w.ec2.AuthorizeSecurityGroupIngress(t.Context(), &awsec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(sg),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String(cidr), Description: aws.String(desc)}}}}})
	if err != nil {
		t.Fatal(err)
	}
}

// ingress lists an SG's rules as "port cidr" (empty if the SG is gone).
func (w *world) ingress(t *testing.T, sg string) []string {
	t.Helper()
	out, err := w.ec2.DescribeSecurityGroups(t.Context(), &awsec2.DescribeSecurityGroupsInput{GroupIds: []string{sg}})
	if err != nil {
		return nil
	}
	var rs []string
	for _, p := range out.SecurityGroups[0].IpPermissions {
		for _, r := range p.IpRanges {
			rs = append(rs, strings.TrimSpace(strings.Join([]string{aws.ToString(p.IpProtocol), itoa(aws.ToInt32(p.FromPort)), aws.ToString(r.CidrIp)}, " ")))
		}
	}
	slices.Sort(rs)
	if rs == nil {
		rs = []string{}
	}
	return rs
}

func itoa(i int32) string { return strconv.Itoa(int(i)) }

func (w *world) exists(t *testing.T, sg string) bool {
	t.Helper()
	_, err := w.ec2.DescribeSecurityGroups(t.Context(), &awsec2.DescribeSecurityGroupsInput{GroupIds: []string{sg}})
	return err == nil
}

type auditJSON struct {
	Findings []struct {
		Kind, Resource, Rule, Target, Detail string
		Fixable                              bool
	}
	Problems int
}

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(t.Context(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func (w *world) audit(t *testing.T, extra ...string) (int, []string, string) {
	t.Helper()
	code, out, stderr := runCmd(t, append(append([]string{"audit", "-o", "json"}, w.flags()...), extra...)...)
	var rep auditJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("audit output (exit %d): %v\n%s\n%s", code, err, out, stderr)
	}
	var got []string
	for _, f := range rep.Findings {
		s := f.Kind + " " + f.Resource
		if f.Rule != "" {
			s += " " + f.Rule
		}
		if f.Target != "" {
			s += " " + f.Target
		}
		got = append(got, s)
	}
	slices.Sort(got)
	return code, got, stderr
}

func TestAuditFindsLeaksAndFixRemovesOnlyOwnedOnes(t *testing.T) {
	w := startWorld(t)
	ctx := t.Context()
	// A live Service with its managed SG: not a leak.
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web"},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: ptr.To("service.k8s.aws/nlb"),
			Ports: []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP}}}}
	if err := w.kube.Create(ctx, svc); err != nil {
		t.Fatal(err)
	}
	managed := func(cluster, stack string) map[string]string {
		return map[string]string{naming.TagCluster: cluster, "service.k8s.aws/resource": naming.ResourceManagedLBSecurityGroup, "service.k8s.aws/stack": stack}
	}
	live := w.createSG(t, "k8s-default-web", managed(DefaultCLICluster, "default/web"))
	leak := w.createSG(t, "k8s-default-gone", managed(DefaultCLICluster, "default/gone"))
	foreign := w.createSG(t, "k8s-other-web", managed("other", "default/web"))
	w.authorize(t, w.nodeSG, 31000, "10.1.0.0/16", naming.RuleDescription(DefaultCLICluster)) // owned, no Service needs it
	w.authorize(t, w.nodeSG, 31001, "10.2.0.0/16", "hand-made")                               // no marker
	w.authorize(t, w.nodeSG, 22, "0.0.0.0/0", "ssh from anywhere")                            // open, no marker
	_ = live

	before := w.srv.Calls().Mutations()
	code, got, stderr := w.audit(t)
	want := []string{
		"leaked-rule " + w.nodeSG + " tcp 31000 ← 10.1.0.0/16",
		"leaked-security-group " + leak,
		"open-node-rule " + w.nodeSG + " tcp 22 ← 0.0.0.0/0",
		"other-cluster-security-group " + foreign,
	}
	slices.Sort(want)
	if code != 1 || !slices.Equal(got, want) {
		t.Fatalf("audit exit %d, findings\n %q\nwant\n %q\nstderr: %s", code, got, want, stderr)
	}
	if n := w.srv.Calls().Mutations(); n != before {
		t.Errorf("audit without --fix made %d mutating calls", n-before)
	}

	code, _, stderr = w.audit(t, "--fix")
	if code != 1 || !strings.Contains(stderr, "revoke "+w.nodeSG+": tcp 31000 ← 10.1.0.0/16") || !strings.Contains(stderr, "delete security group "+leak) {
		t.Fatalf("audit --fix exit %d, stderr:\n%s", code, stderr)
	}
	if w.exists(t, leak) {
		t.Error("the leaked SG is still there")
	}
	if !w.exists(t, foreign) || !w.exists(t, live) {
		t.Error("--fix deleted an SG it does not own or that a Service needs")
	}
	if got, want := w.ingress(t, w.nodeSG), []string{"tcp 22 0.0.0.0/0", "tcp 31001 10.2.0.0/16"}; !slices.Equal(got, want) {
		t.Errorf("node SG rules after --fix %q, want %q", got, want)
	}
	code, got, _ = w.audit(t)
	want = []string{"open-node-rule " + w.nodeSG + " tcp 22 ← 0.0.0.0/0", "other-cluster-security-group " + foreign}
	if code != 1 || !slices.Equal(got, want) {
		t.Errorf("after --fix: exit %d, findings %q, want %q", code, got, want)
	}
}

func TestPlanLiveMakesNoWrites(t *testing.T) {
	w := startWorld(t)
	dir := t.TempDir()
	manifest := `apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: LoadBalancer
  loadBalancerClass: service.k8s.aws/nlb
  ports: [{port: 80, nodePort: 30080, protocol: TCP}]
`
	if err := os.WriteFile(filepath.Join(dir, "web.yaml"), []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	before := w.srv.Calls().Mutations()
	code, out, stderr := runCmd(t, append([]string{"plan", "--live", "-f", dir}, w.flags()...)...)
	if code != 0 {
		t.Fatalf("plan exit %d: %s", code, stderr)
	}
	for _, want := range []string{"against live AWS state", "+ CreateLoadBalancer", "+ CreateSecurityGroup"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	if n := w.srv.Calls().Mutations(); n != before {
		t.Errorf("plan --live made %d mutating calls", n-before)
	}
}

func TestAuditTellsLiveIngressGroupsFromVanishedOnes(t *testing.T) {
	w := startWorld(t)
	ctx := t.Context()
	class := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "alb"}, Spec: networkingv1.IngressClassSpec{Controller: ingressclass.Controller}}
	if err := w.kube.Create(ctx, class); err != nil {
		t.Fatal(err)
	}
	ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web"},
		Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("alb"), DefaultBackend: &networkingv1.IngressBackend{
			Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}}}}
	// Torn down but still held: its group keeps its resources until the
	// controller releases the finalizer.
	leaving := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "old",
		Finalizers: []string{naming.FinalizerIngressGroupPrefix + "leaving"}},
		Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("other"), DefaultBackend: ing.Spec.DefaultBackend}}
	for _, o := range []client.Object{ing, leaving} {
		if err := w.kube.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	managed := func(stack string) map[string]string {
		return map[string]string{naming.TagCluster: DefaultCLICluster, naming.TagIngressResource: naming.ResourceManagedLBSecurityGroup, naming.TagIngressStack: stack}
	}
	live := w.createSG(t, "k8s-default-web", managed("default/web"))
	held := w.createSG(t, "k8s-leaving", managed("leaving"))
	leak := w.createSG(t, "k8s-shop", managed("shop"))

	code, got, stderr := w.audit(t)
	if want := []string{"leaked-security-group " + leak}; code != 1 || !slices.Equal(got, want) {
		t.Fatalf("audit exit %d, findings %q, want %q\nstderr: %s", code, got, want, stderr)
	}
	if code, _, stderr = w.audit(t, "--fix"); !strings.Contains(stderr, "delete security group "+leak) {
		t.Fatalf("audit --fix exit %d, stderr:\n%s", code, stderr)
	}
	if w.exists(t, leak) || !w.exists(t, live) || !w.exists(t, held) {
		t.Errorf("after --fix: leaked SG exists %v, live %v, held %v", w.exists(t, leak), w.exists(t, live), w.exists(t, held))
	}
}

// TestAuditOfAConvergedIngressFindsNoLeak deploys an Ingress's ALB with
// instance targets through the controller's engine (model, deploy, the
// target rules the targetsg controller writes): audit must count all of it
// as needed.
func TestAuditOfAConvergedIngressFindsNoLeak(t *testing.T) {
	w := startWorld(t)
	ctx := t.Context()
	if err := crds.Install(ctx, w.restConfig); err != nil {
		t.Fatal(err)
	}
	inst, err := w.ec2.DescribeInstances(ctx, &awsec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web"}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort,
		Ports: []corev1.ServicePort{{Port: 80, NodePort: 30090, Protocol: corev1.ProtocolTCP}}}}
	ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web",
		Finalizers: []string{naming.FinalizerIngress}},
		Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("alb"), DefaultBackend: &networkingv1.IngressBackend{
			Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}}}}
	objs := []client.Object{svc, ing,
		&networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: "alb"}, Spec: networkingv1.IngressClassSpec{Controller: ingressclass.Controller}}}
	var nodes []corev1.Node
	for _, r := range inst.Reservations {
		for _, i := range r.Instances {
			id := aws.ToString(i.InstanceId)
			nodes = append(nodes, corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-" + id},
				Spec:   corev1.NodeSpec{ProviderID: "aws:///" + aws.ToString(i.Placement.AvailabilityZone) + "/" + id},
				Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}})
		}
	}
	for i := range nodes {
		objs = append(objs, &nodes[i])
	}
	for _, o := range objs {
		if err := w.kube.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}

	cfg := emutest.Config(w.srv)
	ec2c, elbc := awsec2.NewFromConfig(cfg), awselbv2.NewFromConfig(cfg)
	prov := state.New(ec2c, elbc, DefaultCLICluster, w.vpcID)
	o := options.New()
	o.ClusterName = DefaultCLICluster
	d := controller.Defaults(o)
	st := naming.ImplicitIngressStack("default", "web")
	members := []model.IngressMember{{Ingress: ing, Services: map[string]*corev1.Service{"web": svc}, Endpoints: map[string][]model.Endpoint{}}}
	f, err := ingress.Facts(ctx, prov, st, members)
	if err != nil {
		t.Fatal(err)
	}
	if f.Nodes, err = service.NodeFacts(ctx, prov, nodes); err != nil {
		t.Fatal(err)
	}
	stack, _, _, err := model.BuildIngressGroup(st, members, f, d)
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.New()
	dep := &deploy.Deployer{AWS: prov, Registry: reg, Backend: deploy.NewBackend(prov, reg, &deploy.Owners{}, "", nil),
		TargetSGs: &registry.Trigger[registry.SGKey]{}, Defaults: d}
	if _, err := dep.Apply(ctx, st, stack); err != nil {
		t.Fatal(err)
	}
	prov = state.New(ec2c, elbc, DefaultCLICluster, w.vpcID)
	backend, err := prov.FindBackendSG(ctx)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := prov.Snapshot(ctx, st)
	if err != nil || len(snap.ManagedSGs) != 1 || snap.LoadBalancer == nil {
		t.Fatalf("the deployed ALB: %v %+v", err, snap)
	}
	for sg, set := range model.ResolveTargetRules(stack, DefaultCLICluster, backend, snap.ManagedSGs[0].ID) {
		if err := prov.Authorize(ctx, sg, set); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.ContainsFunc(w.ingressSG(t, w.nodeSG), func(r string) bool { return r == "tcp 30090 "+backend }) {
		t.Fatalf("node SG rules %q lack the ALB's", w.ingressSG(t, w.nodeSG))
	}

	_, got, stderr := w.audit(t)
	if slices.ContainsFunc(got, func(f string) bool {
		return strings.HasPrefix(f, "leaked-") || strings.HasPrefix(f, "load-balancer-sg-drift") || strings.HasPrefix(f, "unrequested-web-acl") ||
			strings.HasPrefix(f, "listener-drift")
	}) {
		t.Errorf("audit of a converged Ingress: %q\nstderr: %s", got, stderr)
	}

	// A web ACL associated outside lbsg, which no Ingress asks for: a note.
	waf := awswafv2.NewFromConfig(cfg)
	acl, err := waf.CreateWebACL(ctx, &awswafv2.CreateWebACLInput{Name: aws.String("outside"), Scope: wafv2types.ScopeRegional,
		DefaultAction:    &wafv2types.DefaultAction{Allow: &wafv2types.AllowAction{}},
		VisibilityConfig: &wafv2types.VisibilityConfig{MetricName: aws.String("outside")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := waf.AssociateWebACL(ctx, &awswafv2.AssociateWebACLInput{ResourceArn: aws.String(snap.LoadBalancer.ARN), WebACLArn: acl.Summary.ARN}); err != nil {
		t.Fatal(err)
	}
	code, got, stderr := w.audit(t)
	if want := "unrequested-web-acl " + snap.LoadBalancer.Name; !slices.Contains(got, want) || code != 0 {
		t.Errorf("audit with an outside web ACL: exit %d, %q, want the note %q\nstderr: %s", code, got, want, stderr)
	}

	// A target registered by hand in the group's target group (a node on a
	// port no NodePort has): the one problem, naming the group.
	if len(snap.TargetGroups) != 1 {
		t.Fatalf("the deployed ALB's target groups: %+v", snap.TargetGroups)
	}
	tg := snap.TargetGroups[0]
	id := aws.ToString(inst.Reservations[0].Instances[0].InstanceId)
	if _, err := elbc.RegisterTargets(ctx, &awselbv2.RegisterTargetsInput{TargetGroupArn: aws.String(tg.ARN),
		Targets: []elbv2types.TargetDescription{{Id: aws.String(id), Port: aws.Int32(31999)}}}); err != nil {
		t.Fatal(err)
	}
	before := w.srv.Calls().Count("DescribeTargetHealth")
	code, got, stderr = w.audit(t)
	if n := w.srv.Calls().Count("DescribeTargetHealth") - before; n != 1 {
		t.Errorf("audit read the one target group's targets %d times, want once", n)
	}
	problems := slices.DeleteFunc(slices.Clone(got), func(f string) bool { return strings.HasPrefix(f, "unrequested-web-acl") })
	if want := []string{"unexplained-target " + tg.Name + " " + id + ":31999"}; code != 1 || !slices.Equal(problems, want) {
		t.Errorf("audit with a stray target: exit %d, %q, want %q\nstderr: %s", code, got, want, stderr)
	}

	// The listener's default action changed by hand: a listener-drift
	// problem naming the change the controller would make.
	ls, err := elbc.DescribeListeners(ctx, &awselbv2.DescribeListenersInput{LoadBalancerArn: aws.String(snap.LoadBalancer.ARN)})
	if err != nil || len(ls.Listeners) != 1 {
		t.Fatalf("the deployed ALB's listeners: %v %+v", err, ls)
	}
	if _, err := elbc.ModifyListener(ctx, &awselbv2.ModifyListenerInput{ListenerArn: ls.Listeners[0].ListenerArn,
		DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &elbv2types.FixedResponseActionConfig{StatusCode: aws.String("503")}}}}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, append([]string{"audit"}, w.flags()...)...)
	if want := "listener-drift"; code != 1 || !strings.Contains(stdout, want) || !strings.Contains(stdout, "ModifyListener") {
		t.Errorf("audit after a hand edit of the listener: exit %d, want a %s problem naming ModifyListener:\n%s\nstderr: %s", code, want, stdout, stderr)
	}
}

// ingressSG lists an SG's SG-referencing rules as "proto port sg-…".
func (w *world) ingressSG(t *testing.T, sg string) []string {
	t.Helper()
	out, err := w.ec2.DescribeSecurityGroups(t.Context(), &awsec2.DescribeSecurityGroupsInput{GroupIds: []string{sg}})
	if err != nil || len(out.SecurityGroups) == 0 {
		return nil
	}
	var rs []string
	for _, p := range out.SecurityGroups[0].IpPermissions {
		for _, g := range p.UserIdGroupPairs {
			rs = append(rs, aws.ToString(p.IpProtocol)+" "+itoa(aws.ToInt32(p.FromPort))+" "+aws.ToString(g.GroupId))
		}
	}
	return rs
}
