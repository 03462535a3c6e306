package sandbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
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
	elb := awsapi.FromConfig(cfg, awsapi.Options{}).ELBV2
	out("==> demo: creating target group %s through the AWS API (as Terraform would) and TargetGroupBinding echo-tf", DemoTargetGroup)
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
