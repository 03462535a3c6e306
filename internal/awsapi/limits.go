package awsapi

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/wafregional"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
)

// Bucket is one client-side token bucket: Burst tokens, refilled at Rate per
// second. It starts full.
type Bucket struct {
	Burst int
	Rate  float64
}

// Bucket classes. EC2 keeps one bucket per action, sized by its class; ELBv2
// charges a class bucket and the account bucket on every call; EKS is one
// bucket (aws-api.md §5).
const (
	EC2NonMutating       = "ec2-non-mutating"
	EC2Unfiltered        = "ec2-unfiltered"
	EC2Mutating          = "ec2-mutating"
	EC2ResourceIntensive = "ec2-resource-intensive"
	EC2Tags              = "ec2-tags"

	ELBV2Account      = "elbv2-account"
	ELBV2Intensive    = "elbv2-intensive"
	ELBV2Registration = "elbv2-registration"
	ELBV2NonMutating  = "elbv2-non-mutating"
	ELBV2Mutating     = "elbv2-mutating"

	EKSAccount = "eks-account"

	// Route53Account is Route 53's five requests a second per account.
	Route53Account = "route53-account"

	// WAFAssociations and WAFReads are WAFv2's and WAF Regional's
	// association writes and reads; AWS publishes no buckets for them, so
	// they take LBC's client-side rates (0.5/s writes, 1/s reads).
	WAFAssociations = "waf-associations"
	WAFReads        = "waf-reads"
)

// Limits maps a bucket class to its size.
type Limits map[string]Bucket

// AWSBuckets are AWS's published request-token buckets (aws-api.md §5), per
// account and Region. EKS publishes none we rely on; 10/s is far below what
// it accepts and far above what lbsg needs (one DescribeCluster at start).
func AWSBuckets() Limits {
	return Limits{
		EC2NonMutating:       {Burst: 100, Rate: 20},
		EC2Unfiltered:        {Burst: 50, Rate: 10},
		EC2Mutating:          {Burst: 50, Rate: 5},
		EC2ResourceIntensive: {Burst: 50, Rate: 5},
		EC2Tags:              {Burst: 100, Rate: 10},
		ELBV2Account:         {Burst: 40, Rate: 10},
		ELBV2Intensive:       {Burst: 10, Rate: 0.2},
		ELBV2Registration:    {Burst: 20, Rate: 4},
		ELBV2NonMutating:     {Burst: 40, Rate: 10},
		ELBV2Mutating:        {Burst: 20, Rate: 3},
		EKSAccount:           {Burst: 20, Rate: 10},
		Route53Account:       {Burst: 5, Rate: 5},
		WAFAssociations:      {Burst: 2, Rate: 0.5},
		WAFReads:             {Burst: 5, Rate: 1},
	}
}

// DefaultLimits are the client-side buckets lbsg uses: AWS's, with the burst
// cut by a tenth (at least one token). Same refill rate, so steady-state
// throughput is AWS's; the smaller burst absorbs the gap between taking a
// token here and AWS charging it there (network latency reorders and bunches
// requests: a margin of m tokens covers m/Rate seconds of jitter), and leaves
// some room for other callers in the account (the AWS console, the CLI).
func DefaultLimits() Limits {
	out := Limits{}
	for k, b := range AWSBuckets() {
		margin := max(1, b.Burst/10)
		out[k] = Bucket{Burst: b.Burst - margin, Rate: b.Rate}
	}
	return out
}

// bucketsFor names the buckets one call must pay, as "key/class" pairs: EC2
// keys are per action, ELBv2 pays its class and the account bucket.
func bucketsFor(service, operation string, input any) []bucketRef {
	switch service {
	case ec2.ServiceID:
		c := ec2Class(operation, input)
		return []bucketRef{{key: "ec2/" + operation + "/" + c, class: c}}
	case elbv2.ServiceID:
		return []bucketRef{
			{key: "elbv2/" + elbv2Class(operation), class: elbv2Class(operation)},
			{key: "elbv2/account", class: ELBV2Account},
		}
	case eks.ServiceID:
		return []bucketRef{{key: "eks/account", class: EKSAccount}}
	case route53.ServiceID:
		return []bucketRef{{key: "route53/account", class: Route53Account}}
	case wafv2.ServiceID, wafregional.ServiceID:
		switch operation {
		case "AssociateWebACL", "DisassociateWebACL":
			return []bucketRef{{key: service + "/associations", class: WAFAssociations}}
		case "GetWebACLForResource":
			return []bucketRef{{key: service + "/reads", class: WAFReads}}
		}
	}
	return nil
}

type bucketRef struct{ key, class string }

func ec2Class(op string, input any) string {
	switch op {
	case "AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress":
		return EC2ResourceIntensive
	case "CreateTags", "DeleteTags":
		return EC2Tags
	case "DescribeInstances", "DescribeNetworkInterfaces", "DescribeSecurityGroups":
		if unfiltered(input) {
			return EC2Unfiltered
		}
		return EC2NonMutating
	}
	if strings.HasPrefix(op, "Describe") {
		return EC2NonMutating
	}
	return EC2Mutating
}

// unfiltered reports a Describe with neither a filter nor MaxResults, which
// AWS charges to the smaller bucket. The per-action bucket key includes the
// class, so both kinds of the same action do not share a limiter.
func unfiltered(input any) bool {
	switch in := input.(type) {
	case *ec2.DescribeSecurityGroupsInput:
		return len(in.Filters) == 0 && in.MaxResults == nil
	case *ec2.DescribeInstancesInput:
		return len(in.Filters) == 0 && in.MaxResults == nil
	case *ec2.DescribeNetworkInterfacesInput:
		return len(in.Filters) == 0 && in.MaxResults == nil
	}
	return false
}

func elbv2Class(op string) string {
	switch op {
	case "CreateLoadBalancer", "SetSubnets":
		return ELBV2Intensive
	case "RegisterTargets", "DeregisterTargets":
		return ELBV2Registration
	}
	if strings.HasPrefix(op, "Describe") {
		return ELBV2NonMutating
	}
	return ELBV2Mutating
}
