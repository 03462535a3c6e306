package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/apis/crds"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/controller"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

// TestAuditReportsTargetsNoBindingExplains: in a Terraform-made target
// group bound by a binding, a target registered by hand is one finding
// naming the group, the target and the binding that does not want it; the
// binding's own target is not, nor is another cluster's target in a
// multi-cluster group this cluster has no record of. Each owned group's
// targets are read once, and --fix deregisters nothing.
func TestAuditReportsTargetsNoBindingExplains(t *testing.T) {
	w := startWorld(t)
	ctx := t.Context()
	if err := crds.Install(ctx, w.restConfig); err != nil {
		t.Fatal(err)
	}
	kube, err := client.New(w.restConfig, client.Options{Scheme: controller.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := w.ec2.DescribeInstances(ctx, &awsec2.DescribeInstancesInput{})
	if err != nil || len(inst.Reservations) == 0 {
		t.Fatalf("seeded instances: %v", err)
	}
	var ids []string
	for _, r := range inst.Reservations {
		for _, i := range r.Instances {
			ids = append(ids, aws.ToString(i.InstanceId))
		}
	}
	if len(ids) < 3 {
		t.Fatalf("want 3 seeded instances, have %v", ids)
	}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}, Spec: corev1.NodeSpec{ProviderID: "aws:///us-west-2a/" + ids[0]}}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "nodes"}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort,
		Ports: []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP}}}}
	for _, o := range []client.Object{node, svc} {
		if err := kube.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	node.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
	if err := kube.Status().Update(ctx, node); err != nil {
		t.Fatal(err)
	}
	nodePort := svc.Spec.Ports[0].NodePort
	elb := awselbv2.NewFromConfig(emutest.Config(w.srv))
	makeTG := func(name string, targets ...string) string {
		t.Helper()
		tg, err := elb.CreateTargetGroup(ctx, &awselbv2.CreateTargetGroupInput{Name: aws.String(name), Protocol: elbv2types.ProtocolEnumTcp,
			Port: aws.Int32(80), VpcId: aws.String(w.vpcID), TargetType: elbv2types.TargetTypeEnumInstance})
		if err != nil {
			t.Fatal(err)
		}
		arn := aws.ToString(tg.TargetGroups[0].TargetGroupArn)
		var ts []elbv2types.TargetDescription
		for _, id := range targets {
			ts = append(ts, elbv2types.TargetDescription{Id: aws.String(id), Port: aws.Int32(nodePort)})
		}
		if _, err := elb.RegisterTargets(ctx, &awselbv2.RegisterTargetsInput{TargetGroupArn: aws.String(arn), Targets: ts}); err != nil {
			t.Fatal(err)
		}
		return arn
	}
	// tf-nodes: the binding's node and a stray instance registered by hand.
	// tf-shared: multi-cluster, another cluster's instance, no record here.
	owned, shared := makeTG("tf-nodes", ids[0], ids[1]), makeTG("tf-shared", ids[0], ids[2])
	ref := v1beta1.ServiceReference{Name: "nodes", Port: intstr.FromInt32(80)}
	for name, spec := range map[string]v1beta1.TargetGroupBindingSpec{
		"web":    {TargetGroupARN: owned, ServiceRef: ref},
		"shared": {TargetGroupARN: shared, ServiceRef: ref, MultiClusterTargetGroup: true},
	} {
		if err := kube.Create(ctx, &v1beta1.TargetGroupBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name}, Spec: spec}); err != nil {
			t.Fatal(err)
		}
	}

	stray := ids[1] + ":" + itoa(nodePort)
	before := w.srv.Calls()
	code, out, stderr := runCmd(t, append([]string{"audit", "-o", "json"}, w.flags()...)...)
	after := w.srv.Calls()
	var rep auditJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("audit output (exit %d): %v\n%s\n%s", code, err, out, stderr)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Kind+" "+f.Resource+" "+f.Target)
		if f.Kind == "unexplained-target" && !strings.Contains(f.Detail, "targetgroupbinding default/web does not want it") {
			t.Errorf("detail %q does not say which binding does not want the target", f.Detail)
		}
	}
	if want := []string{"unexplained-target tf-nodes " + stray}; code != 1 || !slices.Equal(got, want) {
		t.Fatalf("audit exit %d, findings\n %q\nwant\n %q\nstderr: %s", code, got, want, stderr)
	}
	// One DescribeTargetHealth per owned target group, not per target.
	if n := after.Count("DescribeTargetHealth") - before.Count("DescribeTargetHealth"); n != 2 {
		t.Errorf("audit made %d DescribeTargetHealth calls for 2 owned target groups, want 2", n)
	}
	var calls []string
	for _, k := range after.Sorted() {
		if n := after.Count(k) - before.Count(k); n > 0 {
			calls = append(calls, k+"="+itoa(int32(n)))
		}
	}
	t.Logf("audit made %d AWS calls: %s", after.Total-before.Total, strings.Join(calls, " "))

	before = w.srv.Calls()
	if code, _, stderr := w.audit(t, "--fix"); code != 1 || strings.Contains(stderr, "deregister") {
		t.Errorf("audit --fix exit %d, stderr:\n%s", code, stderr)
	}
	if n := w.srv.Calls().Mutations() - before.Mutations(); n != 0 {
		t.Errorf("audit --fix made %d mutating calls; it must deregister nothing", n)
	}
	th, err := elb.DescribeTargetHealth(ctx, &awselbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(owned)})
	if err != nil || len(th.TargetHealthDescriptions) != 2 {
		t.Errorf("after --fix tf-nodes has %d targets (%v), want both still registered", len(th.TargetHealthDescriptions), err)
	}
}
