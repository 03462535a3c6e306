package cli

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/apis/crds"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/controller"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
)

// TestAuditJudgesTargetGroupBindings: a binding whose target group is gone
// or in another VPC is a problem; the networking rule a served binding
// asks for on the node SG is not a leak.
func TestAuditJudgesTargetGroupBindings(t *testing.T) {
	w := startWorld(t)
	ctx := t.Context()
	if err := crds.Install(ctx, w.restConfig); err != nil {
		t.Fatal(err)
	}
	kube, err := client.New(w.restConfig, client.Options{Scheme: controller.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	elb := awselbv2.NewFromConfig(emutest.Config(w.srv))
	tg, err := elb.CreateTargetGroup(ctx, &awselbv2.CreateTargetGroupInput{Name: aws.String("tf-nodes"), Protocol: elbv2types.ProtocolEnumTcp,
		Port: aws.Int32(80), VpcId: aws.String(w.vpcID), TargetType: elbv2types.TargetTypeEnumInstance})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	inst, err := w.ec2.DescribeInstances(ctx, &awsec2.DescribeInstancesInput{})
	if err != nil || len(inst.Reservations) == 0 {
		t.Fatalf("seeded instances: %v", err)
	}
	id := aws.ToString(inst.Reservations[0].Instances[0].InstanceId)
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1"}, Spec: corev1.NodeSpec{ProviderID: "aws:///us-west-2a/" + id}}
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
	ref := v1beta1.ServiceReference{Name: "nodes", Port: intstr.FromInt32(80)}
	for name, spec := range map[string]v1beta1.TargetGroupBindingSpec{
		"served": {TargetGroupARN: arn, ServiceRef: ref, Networking: &v1beta1.TargetGroupBindingNetworking{Ingress: []v1beta1.NetworkingIngressRule{{
			From: []v1beta1.NetworkingPeer{{IPBlock: &v1beta1.IPBlock{CIDR: "10.9.0.0/16"}}}, Ports: []v1beta1.NetworkingPort{{Port: ptr.To(intstr.FromInt32(31500))}}}}}},
		"gone":      {TargetGroupName: "deleted-by-terraform", ServiceRef: ref},
		"other-vpc": {TargetGroupARN: arn, VpcID: "vpc-0123456789abcdef0", ServiceRef: ref, MultiClusterTargetGroup: true},
	} {
		if err := kube.Create(ctx, &v1beta1.TargetGroupBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name}, Spec: spec}); err != nil {
			t.Fatal(err)
		}
	}
	w.authorize(t, w.nodeSG, 31500, "10.9.0.0/16", naming.RuleDescription(DefaultCLICluster)) // the served binding's rule
	_, got, stderr := w.audit(t)
	want := []string{"binding-target-group-missing targetgroupbinding default/gone", "binding-vpc-mismatch targetgroupbinding default/other-vpc"}
	if !slices.Equal(got, want) {
		t.Errorf("findings\n %q\nwant\n %q\nstderr: %s", got, want, stderr)
	}
}
