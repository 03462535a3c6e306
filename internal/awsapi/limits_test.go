package awsapi

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/wafregional"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
)

func TestEachCallPaysTheBucketsAWSCharges(t *testing.T) {
	filtered := &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{"vpc-1"}}}}
	for _, tt := range []struct {
		name      string
		service   string
		operation string
		input     any
		want      []string
	}{
		{"a filtered DescribeSecurityGroups is non-mutating", ec2.ServiceID, "DescribeSecurityGroups", filtered, []string{EC2NonMutating}},
		{"a paged DescribeSecurityGroups is non-mutating", ec2.ServiceID, "DescribeSecurityGroups", &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(1000)}, []string{EC2NonMutating}},
		{"an unfiltered unpaged DescribeSecurityGroups pays the small bucket", ec2.ServiceID, "DescribeSecurityGroups", &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-1"}}, []string{EC2Unfiltered}},
		{"an unfiltered DescribeInstances pays the small bucket", ec2.ServiceID, "DescribeInstances", &ec2.DescribeInstancesInput{InstanceIds: []string{"i-1"}}, []string{EC2Unfiltered}},
		{"DescribeVpcs is non-mutating whatever its input", ec2.ServiceID, "DescribeVpcs", &ec2.DescribeVpcsInput{}, []string{EC2NonMutating}},
		{"authorizing ingress is resource-intensive", ec2.ServiceID, "AuthorizeSecurityGroupIngress", nil, []string{EC2ResourceIntensive}},
		{"revoking ingress is resource-intensive", ec2.ServiceID, "RevokeSecurityGroupIngress", nil, []string{EC2ResourceIntensive}},
		{"creating a security group is mutating", ec2.ServiceID, "CreateSecurityGroup", nil, []string{EC2Mutating}},
		{"description updates are mutating", ec2.ServiceID, "UpdateSecurityGroupRuleDescriptionsIngress", nil, []string{EC2Mutating}},
		{"EC2 tags have their own bucket", ec2.ServiceID, "CreateTags", nil, []string{EC2Tags}},
		{"CreateLoadBalancer pays the intensive and the account bucket", elbv2.ServiceID, "CreateLoadBalancer", nil, []string{ELBV2Intensive, ELBV2Account}},
		{"RegisterTargets pays the registration and the account bucket", elbv2.ServiceID, "RegisterTargets", nil, []string{ELBV2Registration, ELBV2Account}},
		{"ELBv2 describes pay non-mutating and account", elbv2.ServiceID, "DescribeTags", nil, []string{ELBV2NonMutating, ELBV2Account}},
		{"ELBv2 tag writes are mutating", elbv2.ServiceID, "AddTags", nil, []string{ELBV2Mutating, ELBV2Account}},
		{"SetSecurityGroups is mutating", elbv2.ServiceID, "SetSecurityGroups", nil, []string{ELBV2Mutating, ELBV2Account}},
		{"EKS has one bucket", eks.ServiceID, "DescribeCluster", nil, []string{EKSAccount}},
		{"an unknown service is not limited", "S3", "GetObject", nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, b := range bucketsFor(tt.service, tt.operation, tt.input) {
				got = append(got, b.class)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("classes = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("classes = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestWAFAssociationsPayLBCsRates(t *testing.T) {
	for _, tt := range []struct {
		service, op, want string
	}{
		{wafv2.ServiceID, "AssociateWebACL", WAFAssociations},
		{wafregional.ServiceID, "DisassociateWebACL", WAFAssociations},
		{wafv2.ServiceID, "GetWebACLForResource", WAFReads},
		{wafv2.ServiceID, "ListWebACLs", ""},
	} {
		got := ""
		if b := bucketsFor(tt.service, tt.op, nil); len(b) == 1 {
			got = b[0].class
		}
		if got != tt.want {
			t.Errorf("%s %s pays %q, want %q", tt.service, tt.op, got, tt.want)
		}
	}
}

func TestEC2BucketsArePerActionAndClass(t *testing.T) {
	a := bucketsFor(ec2.ServiceID, "DescribeVpcs", nil)[0].key
	b := bucketsFor(ec2.ServiceID, "DescribeSubnets", nil)[0].key
	c := bucketsFor(ec2.ServiceID, "DescribeSecurityGroups", &ec2.DescribeSecurityGroupsInput{})[0].key
	d := bucketsFor(ec2.ServiceID, "DescribeSecurityGroups", &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(5)})[0].key
	if a == b || c == d {
		t.Errorf("bucket keys must differ per action and class: %q %q %q %q", a, b, c, d)
	}
	e := bucketsFor(elbv2.ServiceID, "DescribeTags", nil)[1].key
	f := bucketsFor(elbv2.ServiceID, "CreateListener", nil)[1].key
	if e != f {
		t.Errorf("ELBv2 account bucket must be shared: %q vs %q", e, f)
	}
}

func TestDefaultLimitsStayUnderAWSBuckets(t *testing.T) {
	awsb := AWSBuckets()
	for class, b := range DefaultLimits() {
		a := awsb[class]
		if b.Burst >= a.Burst || b.Burst < 1 || b.Rate > a.Rate {
			t.Errorf("%s: client %+v not under AWS %+v", class, b, a)
		}
	}
}
