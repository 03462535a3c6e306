package controller_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/controller/multicluster"
	"github.com/lbsg/lbsg/internal/controller/tgb"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/targetgroupbinding"
	"github.com/lbsg/lbsg/internal/testenv"
)

// userTG makes a target group through the AWS API, as Terraform would.
func (h *harness) userTG(name, targetType string, port int32) string {
	h.t.Helper()
	out, err := h.emu.ELBv2.CreateTargetGroup(h.t.Context(), &elbv2.CreateTargetGroupInput{
		Name: aws.String(name), Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(port),
		VpcId: aws.String(h.seed.VPCID), TargetType: elbv2types.TargetTypeEnum(targetType),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return aws.ToString(out.TargetGroups[0].TargetGroupArn)
}

// tgTargets lists a target group's registered (not draining) targets as
// "id:port", from the emulator's state dump: the call log, which the tests
// count, does not see it.
func (h *harness) tgTargets(_ context.Context, arn string) ([]string, error) {
	raw, err := h.emu.Server.State()
	if err != nil {
		return nil, err
	}
	var d struct {
		ELBv2 struct {
			TargetGroups map[string]struct {
				ARN     string `json:"arn"`
				Targets []struct {
					ID           string     `json:"id"`
					Port         int        `json:"port"`
					Deregistered *time.Time `json:"deregistered"`
				} `json:"targets"`
			} `json:"targetGroups"`
		} `json:"elbv2"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	var out []string
	for k, tg := range d.ELBv2.TargetGroups {
		if k != arn && tg.ARN != arn {
			continue
		}
		for _, t := range tg.Targets {
			if t.Deregistered == nil {
				out = append(out, fmt.Sprintf("%s:%d", t.ID, t.Port))
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

func (h *harness) waitTargets(arn string, want []string) {
	h.t.Helper()
	slices.Sort(want)
	testenv.Eventually(h.t, "targets of "+arn, func(ctx context.Context) (bool, error) {
		got, err := h.tgTargets(ctx, arn)
		if err != nil {
			return false, err
		}
		if !slices.Equal(got, want) {
			return false, fmt.Errorf("targets %v, want %v", got, want)
		}
		return true, nil
	})
}

// backend is a Service with one EndpointSlice the test writes itself (no
// endpoint controller runs in envtest).
func (h *harness) backend(name string, typ corev1.ServiceType, ips []string) (*corev1.Service, *discoveryv1.EndpointSlice) {
	h.t.Helper()
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: name},
		Spec: corev1.ServiceSpec{Type: typ, Selector: map[string]string{"app": name},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromString("web")}}}}
	h.create(svc)
	slice := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: name + "-1",
			Labels: map[string]string{discoveryv1.LabelServiceName: name}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("http"), Port: ptr.To[int32](8080), Protocol: ptr.To(corev1.ProtocolTCP)}},
		Endpoints:   h.readyEndpoints(ips),
	}
	h.create(slice)
	return svc, slice
}

func (h *harness) readyEndpoints(ips []string) []discoveryv1.Endpoint {
	var out []discoveryv1.Endpoint
	for i, ip := range ips {
		out = append(out, discoveryv1.Endpoint{Addresses: []string{ip}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)},
			NodeName:  ptr.To(h.nodes[i%len(h.nodes)]),
			TargetRef: &corev1.ObjectReference{Kind: "Pod", Namespace: h.kube.Namespace, Name: "pod-" + strings.ReplaceAll(ip, ".", "-")}})
	}
	return out
}

func (h *harness) binding(name string, spec v1beta1.TargetGroupBindingSpec) *v1beta1.TargetGroupBinding {
	h.t.Helper()
	b := &v1beta1.TargetGroupBinding{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: name}, Spec: spec}
	h.create(b)
	h.t.Cleanup(func() {
		ctx, cancel := testenv.CleanupContext(h.t)
		defer cancel()
		_ = h.kube.Client.Delete(ctx, b)
	})
	return b
}

func ips(from, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("10.0.100.%d", from+i))
	}
	return out
}

func withPort(ips []string, port int) []string {
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = fmt.Sprintf("%s:%d", ip, port)
	}
	return out
}

func (h *harness) readyCondition(b *v1beta1.TargetGroupBinding) (*metav1.Condition, *v1beta1.TargetGroupBinding) {
	cur := &v1beta1.TargetGroupBinding{}
	if err := h.kube.Client.Get(h.t.Context(), client.ObjectKeyFromObject(b), cur); err != nil {
		return nil, nil
	}
	return meta.FindStatusCondition(cur.Status.Conditions, tgb.ConditionReady), cur
}

// TestBindingReplacingTenOfFiftyPodsCostsOneRegisterAndOneDeregister: a
// target group made through the AWS API, bound to a Service of 50 pods;
// 10 pods replaced at once cost exactly one RegisterTargets and one
// DeregisterTargets, a resync costs nothing, and deleting the binding
// deregisters its targets.
func TestBindingReplacingTenOfFiftyPodsCostsOneRegisterAndOneDeregister(t *testing.T) {
	h := start(t, nil)
	arn := h.userTG("tf-web", "ip", 8080)
	_, slice := h.backend("web", corev1.ServiceTypeClusterIP, ips(1, 50))
	b := h.binding("web", v1beta1.TargetGroupBindingSpec{TargetGroupARN: arn,
		ServiceRef: v1beta1.ServiceReference{Name: "web", Port: intstr.FromInt32(80)}})
	h.waitTargets(arn, withPort(ips(1, 50), 8080))
	testenv.Eventually(t, "status observed", func(context.Context) (bool, error) {
		c, cur := h.readyCondition(b)
		return c != nil && c.Status == metav1.ConditionTrue && cur.Status.ObservedGeneration != nil &&
			*cur.Status.ObservedGeneration == cur.Generation, nil
	})
	if n := h.emu.Server.Calls().Count("RegisterTargets"); n != 1 {
		t.Errorf("binding 50 pods took %d RegisterTargets, want 1", n)
	}
	cur := &v1beta1.TargetGroupBinding{}
	if err := h.kube.Client.Get(t.Context(), client.ObjectKeyFromObject(b), cur); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cur.Finalizers, tgb.Finalizer) {
		t.Errorf("finalizers %v, want %s", cur.Finalizers, tgb.Finalizer)
	}

	h.quiesce()
	h.emu.Server.ResetCalls()
	// Ten pods replaced at once: their slice entries change in one update.
	next := append(ips(11, 40), ips(101, 10)...)
	slice.Endpoints = h.readyEndpoints(next)
	began := time.Now()
	if err := h.kube.Client.Update(t.Context(), slice); err != nil {
		t.Fatal(err)
	}
	h.waitTargets(arn, withPort(next, 8080))
	t.Logf("10 of 50 pods replaced: targets converged %v after the EndpointSlice update (EndpointBatch %v included)",
		time.Since(began).Round(10*time.Millisecond), tgb.EndpointBatch)
	h.quiesce()
	calls := h.emu.Server.Calls()
	for _, k := range calls.Sorted() {
		t.Logf("  %s: %d", k, calls.Actions[k].Calls)
	}
	if r, d := calls.Count("RegisterTargets"), calls.Count("DeregisterTargets"); r != 1 || d != 1 || calls.Total != 2 {
		t.Errorf("replacing 10 pods took %d RegisterTargets and %d DeregisterTargets of %d calls, want 1 and 1 and nothing else (%v)",
			r, d, calls.Total, calls.Sorted())
	}

	before := h.emu.Server.Calls().Total
	if _, err := h.ctrls.TGB.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(b)}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - before; n != 0 {
		t.Errorf("a resync of an unchanged binding made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	if err := h.kube.Client.Delete(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	h.waitTargets(arn, nil)
	testenv.Eventually(t, "binding gone", func(ctx context.Context) (bool, error) {
		err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(b), &v1beta1.TargetGroupBinding{})
		return apierrors.IsNotFound(err), nil
	})
}

// TestBindingByNameRegistersTheSelectedNodes: targetGroupName is resolved,
// the target type is discovered (instance), and only nodes matching the
// binding's nodeSelector are registered, on the NodePort.
func TestBindingByNameRegistersTheSelectedNodes(t *testing.T) {
	h := start(t, nil)
	arn := h.userTG("tf-nodes", "instance", 80)
	svc, _ := h.backend("nodes", corev1.ServiceTypeNodePort, nil)
	cur := h.get(svc)
	nodePort := cur.Spec.Ports[0].NodePort
	// Label the first node only.
	n := &corev1.Node{}
	if err := h.kube.Client.Get(t.Context(), client.ObjectKey{Name: h.nodes[0]}, n); err != nil {
		t.Fatal(err)
	}
	n.Labels = map[string]string{"pool": "edge"}
	if err := h.kube.Client.Update(t.Context(), n); err != nil {
		t.Fatal(err)
	}
	h.binding("nodes", v1beta1.TargetGroupBindingSpec{TargetGroupName: "tf-nodes",
		ServiceRef:   v1beta1.ServiceReference{Name: "nodes", Port: intstr.FromString("http")},
		NodeSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"pool": "edge"}}})
	h.waitTargets(arn, []string{fmt.Sprintf("%s:%d", h.seed.Instances[0], nodePort)})
}

// TestBindingToAnUnusableTargetGroupWritesNothing: a target group that does
// not exist, another VPC, or the wrong target type: a Warning event, a
// Ready=False condition, and no write to AWS.
func TestBindingToAnUnusableTargetGroupWritesNothing(t *testing.T) {
	h := start(t, nil)
	instanceARN := h.userTG("tf-inst", "instance", 80)
	ipARN := h.userTG("tf-ip", "ip", 8080)
	h.backend("app", corev1.ServiceTypeClusterIP, ips(1, 3))
	ref := v1beta1.ServiceReference{Name: "app", Port: intstr.FromInt32(80)}
	missing := strings.Replace(ipARN, "/tf-ip/", "/gone/", 1)
	for _, tc := range []struct {
		name   string
		spec   v1beta1.TargetGroupBindingSpec
		reason string
	}{
		{"missing", v1beta1.TargetGroupBindingSpec{TargetGroupARN: missing, ServiceRef: ref}, "TargetGroupNotFound"},
		{"missing-name", v1beta1.TargetGroupBindingSpec{TargetGroupName: "nope", ServiceRef: ref}, "TargetGroupNotFound"},
		{"other-vpc", v1beta1.TargetGroupBindingSpec{TargetGroupARN: ipARN, VpcID: "vpc-0123456789abcdef0", ServiceRef: ref}, "VpcIDMismatch"},
		{"wrong-type", v1beta1.TargetGroupBindingSpec{TargetGroupARN: instanceARN, TargetType: ptr.To(v1beta1.TargetTypeIP), ServiceRef: ref}, "TargetTypeMismatch"},
		{"wrong-ip-type", v1beta1.TargetGroupBindingSpec{TargetGroupARN: ipARN, IPAddressType: ptr.To(v1beta1.TargetGroupIPAddressTypeIPv6), ServiceRef: ref},
			"IPAddressTypeMismatch"},
		{"wrong-protocol", v1beta1.TargetGroupBindingSpec{TargetGroupARN: ipARN, TargetGroupProtocol: ptr.To(v1beta1.Protocol("UDP")), ServiceRef: ref},
			"InvalidSpec"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := h.binding(tc.name, tc.spec)
			testenv.Eventually(t, "Ready=False "+tc.reason, func(context.Context) (bool, error) {
				c, _ := h.readyCondition(b)
				return c != nil && c.Status == metav1.ConditionFalse && c.Reason == tc.reason, nil
			})
			if !h.events.has(tc.name + " Warning " + tc.reason) {
				t.Errorf("no Warning %s event: %v", tc.reason, h.events.got)
			}
		})
	}
	if n := h.emu.Server.Calls().Count("RegisterTargets"); n != 0 {
		t.Errorf("unusable bindings made %d RegisterTargets", n)
	}
}

// TestMultiClusterBindingLeavesOtherClustersTargets: targets another
// cluster registered stay, through reconciles and the binding's deletion;
// this cluster's are recorded in LBC's ConfigMap and removed on delete.
func TestMultiClusterBindingLeavesOtherClustersTargets(t *testing.T) {
	h := start(t, nil)
	arn := h.userTG("tf-shared", "ip", 8080)
	if _, err := h.emu.ELBv2.RegisterTargets(t.Context(), &elbv2.RegisterTargetsInput{TargetGroupArn: aws.String(arn),
		Targets: []elbv2types.TargetDescription{{Id: aws.String("10.0.200.1"), Port: aws.Int32(8080)}}}); err != nil {
		t.Fatal(err)
	}
	h.backend("shared", corev1.ServiceTypeClusterIP, ips(1, 2))
	b := h.binding("shared", v1beta1.TargetGroupBindingSpec{TargetGroupARN: arn, MultiClusterTargetGroup: true,
		ServiceRef: v1beta1.ServiceReference{Name: "shared", Port: intstr.FromInt32(80)}})
	h.waitTargets(arn, append(withPort(ips(1, 2), 8080), "10.0.200.1:8080"))
	cm := &corev1.ConfigMap{}
	testenv.Eventually(t, "record written", func(ctx context.Context) (bool, error) {
		err := h.kube.Client.Get(ctx, client.ObjectKey{Namespace: h.kube.Namespace, Name: multicluster.Name("shared")}, cm)
		return err == nil && cm.Data["targets"] == "10.0.100.1:8080,10.0.100.2:8080", nil
	})
	if err := h.kube.Client.Delete(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	h.waitTargets(arn, []string{"10.0.200.1:8080"})
}

// TestBindingNetworkingRulesGoOnTheNodeSG: networking.ingress rules land on
// the targets' node SG with lbsg's marker, and go with the binding.
func TestBindingNetworkingRulesGoOnTheNodeSG(t *testing.T) {
	h := start(t, nil)
	arn := h.userTG("tf-net", "ip", 8080)
	h.backend("net", corev1.ServiceTypeClusterIP, ips(1, 2))
	tcp := v1beta1.NetworkingProtocolTCP
	b := h.binding("net", v1beta1.TargetGroupBindingSpec{TargetGroupARN: arn,
		ServiceRef: v1beta1.ServiceReference{Name: "net", Port: intstr.FromInt32(80)},
		Networking: &v1beta1.TargetGroupBindingNetworking{Ingress: []v1beta1.NetworkingIngressRule{{
			From:  []v1beta1.NetworkingPeer{{IPBlock: &v1beta1.IPBlock{CIDR: "192.168.0.0/16"}}},
			Ports: []v1beta1.NetworkingPort{{Protocol: &tcp, Port: ptr.To(intstr.FromInt32(8080))}},
		}}}})
	want := mustKey("tcp", 8080, 8080, "192.168.0.0/16")
	h.eventually("rule on the node SG", func(w world) string {
		sg := w.sgs[h.seed.NodeSG]
		desc, ok := sg.Ingress[want]
		if !ok {
			return fmt.Sprintf("rules %v", ruleList(sg.Ingress))
		}
		if desc != naming.RuleDescription(cluster) {
			return "description " + desc
		}
		return ""
	})
	if err := h.kube.Client.Delete(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	h.eventually("rule revoked", func(w world) string {
		if _, ok := w.sgs[h.seed.NodeSG].Ingress[want]; ok {
			return "still there"
		}
		return ""
	})
}

// TestBindingAssumesTheRoleItNames: iamRoleArnToAssume with
// assumeRoleExternalId: the target group's calls carry the assumed role's
// credentials (the emulator checks signatures and session tokens), ip
// targets go in with AvailabilityZone "all"; a wrong external ID is
// refused by STS and nothing is registered.
func TestBindingAssumesTheRoleItNames(t *testing.T) {
	emu := emutest.Start(t, emutest.WithOptions(emulator.Options{Credentials: map[string]string{"AKIDEMULATOR": "emulator-secret"}}))
	h := startOn(t, testenv.Kube(t), emu, nil, true)
	const role = "arn:aws:iam::210987654321:role/tgb-writer"
	h.emu.Server.RequireExternalID(role, "shared-secret")
	arn := h.userTG("tf-xacct", "ip", 8080)
	h.backend("xacct", corev1.ServiceTypeClusterIP, ips(1, 2))
	ref := v1beta1.ServiceReference{Name: "xacct", Port: intstr.FromInt32(80)}
	h.binding("bad", v1beta1.TargetGroupBindingSpec{TargetGroupARN: arn, ServiceRef: ref,
		IamRoleArnToAssume: role, AssumeRoleExternalId: "guess", MultiClusterTargetGroup: true})
	testenv.Eventually(t, "refused by STS", func(context.Context) (bool, error) {
		return h.events.has("bad Warning FailedReconcile") && h.events.has("AccessDenied"), nil
	})
	h.binding("good", v1beta1.TargetGroupBindingSpec{TargetGroupARN: arn, ServiceRef: ref,
		IamRoleArnToAssume: role, AssumeRoleExternalId: "shared-secret", MultiClusterTargetGroup: true,
		RegisterTargetsWithPodAvailabilityZone: ptr.To(true)})
	h.waitTargets(arn, withPort(ips(1, 2), 8080))
	// Pod zones are not translated: said out loud, zone "all" as below.
	testenv.Eventually(t, "a PodAvailabilityZoneNotUsed warning", func(context.Context) (bool, error) {
		return h.events.has("good Warning " + tgb.ReasonPodZoneNotUsed + ": registerTargetsWithPodAvailabilityZone is not implemented"), nil
	})
	th, err := h.emu.ELBv2.DescribeTargetHealth(t.Context(), &elbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range th.TargetHealthDescriptions {
		if aws.ToString(d.Target.AvailabilityZone) != "all" {
			t.Errorf("target %s registered in zone %q, want all", aws.ToString(d.Target.Id), aws.ToString(d.Target.AvailabilityZone))
		}
	}
	if n := h.emu.Server.Calls().Count("AssumeRole"); n < 1 {
		t.Errorf("AssumeRole called %d times", n)
	}
}

// TestLBCsBindingsOfItsOwnStacksAreLeftAlone: a binding LBC made for one of
// its Services (labelled with the stack) gets no finalizer and no targets
// from lbsg, which registers its stacks' targets itself.
func TestLBCsBindingsOfItsOwnStacksAreLeftAlone(t *testing.T) {
	h := start(t, nil)
	arn := h.userTG("k8s-ns-web-0123456789", "ip", 8080)
	h.backend("lbc", corev1.ServiceTypeClusterIP, ips(1, 2))
	b := &v1beta1.TargetGroupBinding{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: "k8s-ns-web-0123456789",
		Labels:     map[string]string{"service.k8s.aws/stack-namespace": h.kube.Namespace, "service.k8s.aws/stack-name": "lbc"},
		Finalizers: []string{tgb.Finalizer}},
		Spec: v1beta1.TargetGroupBindingSpec{TargetGroupARN: arn, ServiceRef: v1beta1.ServiceReference{Name: "lbc", Port: intstr.FromInt32(80)}}}
	h.create(b)
	// A plain binding made after it converges: by then the first was seen.
	h.backend("mine", corev1.ServiceTypeClusterIP, ips(5, 1))
	mine := h.userTG("tf-mine", "ip", 8080)
	h.binding("mine", v1beta1.TargetGroupBindingSpec{TargetGroupARN: mine, ServiceRef: v1beta1.ServiceReference{Name: "mine", Port: intstr.FromInt32(80)}})
	h.waitTargets(mine, withPort(ips(5, 1), 8080))
	if got, err := h.tgTargets(t.Context(), arn); err != nil || len(got) != 0 {
		t.Errorf("LBC's stack binding got targets %v (%v)", got, err)
	}
	if c, _ := h.readyCondition(b); c != nil {
		t.Errorf("LBC's stack binding got a condition: %+v", c)
	}
	// Deleting it (after the migration guide drops LBC's finalizer) changes nothing in AWS.
	cur := &v1beta1.TargetGroupBinding{}
	if err := h.kube.Client.Get(t.Context(), client.ObjectKeyFromObject(b), cur); err != nil {
		t.Fatal(err)
	}
	cur.Finalizers = nil
	if err := h.kube.Client.Update(t.Context(), cur); err != nil {
		t.Fatal(err)
	}
	if err := h.kube.Client.Delete(t.Context(), cur); err != nil {
		t.Fatal(err)
	}
}

// TestBindingMadeBeforeItsTargetGroupConvergesOnceItExists: Terraform may
// apply the binding first; it waits (Ready=False, TargetGroupNotFound) and
// its next reconcile finds the new target group by name.
func TestBindingMadeBeforeItsTargetGroupConvergesOnceItExists(t *testing.T) {
	h := start(t, nil)
	h.backend("early", corev1.ServiceTypeClusterIP, ips(1, 2))
	b := h.binding("early", v1beta1.TargetGroupBindingSpec{TargetGroupName: "tf-later",
		ServiceRef: v1beta1.ServiceReference{Name: "early", Port: intstr.FromInt32(80)}})
	testenv.Eventually(t, "waiting for its target group", func(context.Context) (bool, error) {
		c, _ := h.readyCondition(b)
		return c != nil && c.Reason == "TargetGroupNotFound", nil
	})
	arn := h.userTG("tf-later", "ip", 8080)
	// The next reconcile (ProblemRequeue, or any event) finds it.
	if _, err := h.ctrls.TGB.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(b)}); err != nil {
		t.Fatal(err)
	}
	h.waitTargets(arn, withPort(ips(1, 2), 8080))
	testenv.Eventually(t, "Ready", func(context.Context) (bool, error) {
		c, _ := h.readyCondition(b)
		return c != nil && c.Status == metav1.ConditionTrue, nil
	})
}

// TestWebhookHelpersAreLBCsMutatorAndValidator: Default fills a new
// binding in from its target group, and ValidationFacts + Validate refuse
// a second binding of a target group that is not multi-cluster.
func TestWebhookHelpersAreLBCsMutatorAndValidator(t *testing.T) {
	h := start(t, nil)
	arn := h.userTG("tf-hooks", "ip", 8080)
	h.backend("hooks", corev1.ServiceTypeClusterIP, ips(1, 1))
	ref := v1beta1.ServiceReference{Name: "hooks", Port: intstr.FromInt32(80)}
	h.binding("first", v1beta1.TargetGroupBindingSpec{TargetGroupARN: arn, ServiceRef: ref})
	b := &v1beta1.TargetGroupBinding{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: "second"},
		Spec: v1beta1.TargetGroupBindingSpec{TargetGroupName: "tf-hooks", ServiceRef: ref}}
	if err := h.ctrls.TGB.Default(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	if b.Spec.TargetGroupARN != arn || *b.Spec.TargetType != v1beta1.TargetTypeIP || b.Spec.VpcID != h.seed.VPCID ||
		*b.Spec.IPAddressType != v1beta1.TargetGroupIPAddressTypeIPv4 || *b.Spec.TargetGroupProtocol != "TCP" {
		t.Errorf("defaulted spec %+v", b.Spec)
	}
	testenv.Eventually(t, "the first binding in the cache", func(ctx context.Context) (bool, error) {
		f, err := h.ctrls.TGB.ValidationFacts(ctx, b)
		return err == nil && len(f.Bindings) > 0, err
	})
	f, err := h.ctrls.TGB.ValidationFacts(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	if err := targetgroupbinding.Validate(nil, b, f); err == nil || !strings.Contains(err.Error(), "is already bound to following TargetGroupBindings") {
		t.Errorf("a second binding of the target group: %v", err)
	}
	missing := &v1beta1.TargetGroupBinding{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: "third"},
		Spec: v1beta1.TargetGroupBindingSpec{TargetGroupName: "nope", ServiceRef: ref}}
	if err := h.ctrls.TGB.Default(t.Context(), missing); err == nil {
		t.Error("defaulting a binding of a missing target group succeeded")
	}
}

// TestBindingWebhooksDefaultAndRejectAtAdmission: served with lbsg's
// webhooks (as LBC's chart installs them), a new binding without
// targetType gets the target group's (LBC's mutator), and one naming a
// target group that does not exist is refused at admission with LBC's
// text, so nothing is stored.
func TestBindingWebhooksDefaultAndRejectAtAdmission(t *testing.T) {
	h := startHooks(t, time.Second, nil)
	arn := h.userTG("tf-hooked", "ip", 8080)
	h.backend("hooked", corev1.ServiceTypeClusterIP, nil)
	ok := &v1beta1.TargetGroupBinding{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: "hooked"},
		Spec: v1beta1.TargetGroupBindingSpec{TargetGroupARN: arn, ServiceRef: v1beta1.ServiceReference{Name: "hooked", Port: intstr.FromString("http")}}}
	if err := h.kube.Client.Create(t.Context(), ok); err != nil {
		t.Fatalf("a binding to an existing target group was refused: %v", err)
	}
	got := &v1beta1.TargetGroupBinding{}
	if err := h.kube.Client.Get(t.Context(), client.ObjectKeyFromObject(ok), got); err != nil {
		t.Fatal(err)
	}
	if got.Spec.TargetType == nil || *got.Spec.TargetType != v1beta1.TargetTypeIP {
		t.Errorf("targetType after admission = %v, want ip (the target group's)", got.Spec.TargetType)
	}
	missing := &v1beta1.TargetGroupBinding{ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: "missing"},
		Spec: v1beta1.TargetGroupBindingSpec{TargetGroupName: "tf-nowhere", ServiceRef: v1beta1.ServiceReference{Name: "hooked", Port: intstr.FromString("http")}}}
	err := h.kube.Client.Create(t.Context(), missing)
	if err == nil || !strings.Contains(err.Error(), "tf-nowhere") {
		t.Fatalf("a binding to a missing target group: %v, want refused at admission naming it", err)
	}
}
