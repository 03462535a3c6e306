package state

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/lbsg/lbsg/internal/rules"
)

func TestRulesRoundTripThroughIpPermissions(t *testing.T) {
	in := rules.Set{
		rules.MustKey("tcp", 80, 80, "0.0.0.0/0"):     "",
		rules.MustKey("tcp", 80, 80, "::/0"):          "",
		rules.MustKey("tcp", 80, 80, "pl-123"):        "",
		rules.MustKey("tcp", 30080, 30080, "sg-back"): "elbv2.k8s.aws/targetGroupBinding=shared,elbv2.k8s.aws/cluster=c",
		rules.MustKey("icmp", 3, 4, "0.0.0.0/0"):      "",
		rules.MustKey("-1", 0, 0, "10.0.0.0/8"):       "all",
	}
	perms := ToSDK(in)
	if len(perms) != 4 {
		t.Errorf("want one permission per (protocol, ports): got %d", len(perms))
	}
	got := fromSDK(ec2types.SecurityGroup{GroupId: aws.String("sg-1"), IpPermissions: perms}).Ingress
	if !got.Equal(in) {
		t.Errorf("round trip:\n got %v\nwant %v", got, in)
	}
}

func TestInstanceIDFromProviderID(t *testing.T) {
	for pid, want := range map[string]string{
		"aws:///us-west-2a/i-0123":              "i-0123",
		"aws:///us-west-2a/fargate-ip-10-0-0-1": "",
		"kind://docker/kind/node":               "",
	} {
		if got := InstanceIDFromProviderID(pid); got != want {
			t.Errorf("%q: got %q want %q", pid, got, want)
		}
	}
}
