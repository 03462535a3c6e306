package e2e

import (
	"strings"
	"testing"
)

// TestAWSCLIALBAsTheTargetOfAnNLB drives the emulator with the real AWS
// CLI v2 through AWS's "ALB as the target of an NLB" steps: an alb-type
// target group (TCP only), the ALB registered on its listener port (one
// ALB per group), an NLB listener forwarding to the group, the ALB kept
// from deletion until it is deregistered.
func TestAWSCLIALBAsTheTargetOfAnNLB(t *testing.T) {
	aws := cli{t: t, path: awsCLI(t), endpoint: startEmulator(t)}

	var vpcID string
	aws.ok(&vpcID, "ec2", "describe-vpcs", "--query", "Vpcs[0].VpcId")
	var subnets []string
	aws.ok(&subnets, "ec2", "describe-subnets", "--filters", "Name=vpc-id,Values="+vpcID, "Name=tag:kubernetes.io/role/elb,Values=1", "--query", "Subnets[].SubnetId")
	var arn string
	aws.ok(&arn, append([]string{"elbv2", "create-load-balancer", "--name", "web", "--type", "application", "--query", "LoadBalancers[0].LoadBalancerArn", "--subnets"}, subnets...)...)
	var other string
	aws.ok(&other, append([]string{"elbv2", "create-load-balancer", "--name", "other", "--type", "application", "--query", "LoadBalancers[0].LoadBalancerArn", "--subnets"}, subnets...)...)
	aws.ok(nil, "elbv2", "create-listener", "--load-balancer-arn", arn, "--protocol", "HTTP", "--port", "80",
		"--default-actions", `Type=fixed-response,FixedResponseConfig={StatusCode=404}`)

	aws.fails("InvalidConfigurationRequest", "elbv2", "create-target-group", "--name", "front-http", "--target-type", "alb",
		"--protocol", "HTTP", "--port", "80", "--vpc-id", vpcID)
	var tg struct{ TargetGroupArn, TargetType, Protocol string }
	aws.ok(&tg, "elbv2", "create-target-group", "--name", "front", "--target-type", "alb", "--protocol", "TCP", "--port", "80",
		"--vpc-id", vpcID, "--health-check-protocol", "HTTP", "--health-check-path", "/", "--query", "TargetGroups[0]")
	if tg.TargetType != "alb" || tg.Protocol != "TCP" {
		t.Fatalf("created %+v", tg)
	}
	aws.fails("InvalidTarget", "elbv2", "register-targets", "--target-group-arn", tg.TargetGroupArn, "--targets", "Id="+arn+",Port=443")
	aws.ok(nil, "elbv2", "register-targets", "--target-group-arn", tg.TargetGroupArn, "--targets", "Id="+arn+",Port=80")
	aws.fails("TooManyTargets", "elbv2", "register-targets", "--target-group-arn", tg.TargetGroupArn, "--targets", "Id="+other+",Port=80")

	var nlb string
	aws.ok(&nlb, append([]string{"elbv2", "create-load-balancer", "--name", "web-nlb", "--type", "network", "--query", "LoadBalancers[0].LoadBalancerArn", "--subnets"}, subnets...)...)
	aws.ok(nil, "elbv2", "create-listener", "--load-balancer-arn", nlb, "--protocol", "TCP", "--port", "80",
		"--default-actions", "Type=forward,TargetGroupArn="+tg.TargetGroupArn)
	var health []struct {
		Target struct {
			Id   string
			Port int
		}
	}
	aws.ok(&health, "elbv2", "describe-target-health", "--target-group-arn", tg.TargetGroupArn, "--query", "TargetHealthDescriptions")
	if len(health) != 1 || health[0].Target.Id != arn || health[0].Target.Port != 80 {
		t.Errorf("target health %+v", health)
	}

	aws.fails("ResourceInUse", "elbv2", "delete-load-balancer", "--load-balancer-arn", arn)
	aws.ok(nil, "elbv2", "deregister-targets", "--target-group-arn", tg.TargetGroupArn, "--targets", "Id="+arn+",Port=80")
	aws.ok(nil, "elbv2", "delete-load-balancer", "--load-balancer-arn", arn)
	var left []string
	aws.ok(&left, "elbv2", "describe-load-balancers", "--query", "LoadBalancers[].LoadBalancerName")
	if strings.Join(left, ",") != "other,web-nlb" && strings.Join(left, ",") != "web-nlb,other" {
		t.Errorf("load balancers left: %v", left)
	}
}
