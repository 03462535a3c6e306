package sandbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"

	"github.com/lbsg/lbsg/internal/awsapi"
)

// DemoTargetGroup is the target group the demo makes through the AWS API,
// as Terraform would, and binds to Service echo with a TargetGroupBinding.
const DemoTargetGroup = "demo-tf-echo"

// DemoTerraformNLB is the NLB the demo makes through the AWS API in front of
// DemoTargetGroup: a target group no load balancer uses has "unused"
// targets, which never open a readiness gate.
const DemoTerraformNLB = "demo-tf-nlb"

var tgbResource = schema.GroupVersionResource{Group: "elbv2.k8s.aws", Version: "v1beta1", Resource: "targetgroupbindings"}

// demoBinding makes DemoTargetGroup (ip targets, TCP 8080) in the
// sandbox's VPC, binds it to Service echo port http with a
// TargetGroupBinding "echo-tf" (targetType set, so LBC without its
// webhook takes it as is), and waits for the echo pods to be registered.
func demoBinding(ctx context.Context, w *World, replicas int) error {
	out := func(format string, args ...any) { _, _ = fmt.Fprintf(w.Out, format+"\n", args...) }
	cfg := aws.Config{Region: w.AWS.Region, BaseEndpoint: aws.String(w.AWS.URL),
		Credentials: credentials.NewStaticCredentialsProvider("sandbox", "sandbox", "")}
	if w.Emulator != nil {
		cfg.HTTPClient = w.Emulator.HTTPClient()
	}
	clients := awsapi.FromConfig(cfg, awsapi.Options{})
	elb := clients.ELBV2
	out("==> demo: creating target group %s and NLB %s forwarding to it through the AWS API (as Terraform would), and TargetGroupBinding echo-tf",
		DemoTargetGroup, DemoTerraformNLB)
	arn := ""
	created, err := elb.CreateTargetGroup(ctx, &elasticloadbalancingv2.CreateTargetGroupInput{Name: aws.String(DemoTargetGroup),
		Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(8080), VpcId: aws.String(w.AWS.VPCID), TargetType: elbv2types.TargetTypeEnumIp})
	if err == nil {
		arn = aws.ToString(created.TargetGroups[0].TargetGroupArn)
	} else {
		found, derr := elb.DescribeTargetGroups(ctx, &elasticloadbalancingv2.DescribeTargetGroupsInput{Names: []string{DemoTargetGroup}})
		if derr != nil || len(found.TargetGroups) != 1 {
			return fmt.Errorf("creating target group %s: %w", DemoTargetGroup, err)
		}
		arn = aws.ToString(found.TargetGroups[0].TargetGroupArn)
	}
	if err := demoTerraformNLB(ctx, clients, w.AWS.VPCID, arn); err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(w.Kube)
	if err != nil {
		return err
	}
	tgb := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "elbv2.k8s.aws/v1beta1", "kind": "TargetGroupBinding",
		"metadata": map[string]any{"name": "echo-tf", "namespace": DemoNamespace},
		"spec": map[string]any{
			"targetGroupARN": arn,
			"targetType":     "ip",
			"serviceRef":     map[string]any{"name": "echo", "port": "http"},
		},
	}}
	if _, err := dyn.Resource(tgbResource).Namespace(DemoNamespace).Create(ctx, tgb, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating TargetGroupBinding demo/echo-tf: %w", err)
	}
	registered := 0
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		th, err := elb.DescribeTargetHealth(ctx, &elasticloadbalancingv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(arn)})
		if err != nil {
			return false, nil //nolint:nilerr // keep polling through transient errors
		}
		registered = len(th.TargetHealthDescriptions)
		return registered >= replicas, nil
	})
	if errors.Is(err, context.DeadlineExceeded) || wait.Interrupted(err) {
		return fmt.Errorf("TargetGroupBinding demo/echo-tf: %d of %d pods registered in %s (is a controller running?)", registered, replicas, DemoTargetGroup)
	}
	if err != nil {
		return err
	}
	out("==> demo: TargetGroupBinding demo/echo-tf → %d echo pods registered in %s", registered, DemoTargetGroup)
	out("    inspect: kubectl -n %s get targetgroupbindings -o wide; aws elbv2 describe-target-health --target-group-arn %s", DemoNamespace, arn)
	return nil
}

// demoTerraformNLB makes DemoTerraformNLB (internal, one subnet per zone of
// the VPC) with a TCP:80 listener forwarding to tgARN, unless it exists.
func demoTerraformNLB(ctx context.Context, clients *awsapi.Clients, vpcID, tgARN string) error {
	found, err := clients.ELBV2.DescribeLoadBalancers(ctx, &elasticloadbalancingv2.DescribeLoadBalancersInput{Names: []string{DemoTerraformNLB}})
	if err == nil && len(found.LoadBalancers) == 1 {
		return nil // made by an earlier demo run, with its listener
	}
	subnets, err := clients.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}})
	if err != nil {
		return fmt.Errorf("listing the subnets of %s: %w", vpcID, err)
	}
	zones := map[string]bool{}
	var ids []string
	for _, s := range subnets.Subnets {
		if z := aws.ToString(s.AvailabilityZone); !zones[z] {
			zones[z] = true
			ids = append(ids, aws.ToString(s.SubnetId))
		}
	}
	lb, err := clients.ELBV2.CreateLoadBalancer(ctx, &elasticloadbalancingv2.CreateLoadBalancerInput{Name: aws.String(DemoTerraformNLB),
		Type: elbv2types.LoadBalancerTypeEnumNetwork, Scheme: elbv2types.LoadBalancerSchemeEnumInternal, Subnets: ids})
	if err != nil {
		return fmt.Errorf("creating NLB %s: %w", DemoTerraformNLB, err)
	}
	_, err = clients.ELBV2.CreateListener(ctx, &elasticloadbalancingv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(80),
		DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: aws.String(tgARN)}}})
	if err != nil {
		return fmt.Errorf("creating the listener of NLB %s: %w", DemoTerraformNLB, err)
	}
	return nil
}
