package awsapi

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/shield"
	"github.com/aws/aws-sdk-go-v2/service/wafregional"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
)

// EC2API is every EC2 operation lbsg calls, with the SDK's exact signatures,
// so *ec2.Client, paginators and waiters all accept it (style R5).
type EC2API interface {
	DescribeVpcs(ctx context.Context, params *ec2.DescribeVpcsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	DescribeSubnets(ctx context.Context, params *ec2.DescribeSubnetsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error)
	DescribeSecurityGroups(ctx context.Context, params *ec2.DescribeSecurityGroupsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
	DescribeSecurityGroupRules(ctx context.Context, params *ec2.DescribeSecurityGroupRulesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupRulesOutput, error)
	CreateSecurityGroup(ctx context.Context, params *ec2.CreateSecurityGroupInput, optFns ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error)
	DeleteSecurityGroup(ctx context.Context, params *ec2.DeleteSecurityGroupInput, optFns ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error)
	AuthorizeSecurityGroupIngress(ctx context.Context, params *ec2.AuthorizeSecurityGroupIngressInput, optFns ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupIngressOutput, error)
	RevokeSecurityGroupIngress(ctx context.Context, params *ec2.RevokeSecurityGroupIngressInput, optFns ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupIngressOutput, error)
	UpdateSecurityGroupRuleDescriptionsIngress(ctx context.Context, params *ec2.UpdateSecurityGroupRuleDescriptionsIngressInput, optFns ...func(*ec2.Options)) (*ec2.UpdateSecurityGroupRuleDescriptionsIngressOutput, error)
	CreateTags(ctx context.Context, params *ec2.CreateTagsInput, optFns ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	DeleteTags(ctx context.Context, params *ec2.DeleteTagsInput, optFns ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error)
	DescribeInstances(ctx context.Context, params *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	DescribeNetworkInterfaces(ctx context.Context, params *ec2.DescribeNetworkInterfacesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error)
}

// EC2PrefixAPI is the sandbox's EC2 write (pod prefixes on emulated
// nodes); the controllers never call it, so the IAM policy lacks it.
type EC2PrefixAPI interface {
	AssignPrivateIpAddresses(ctx context.Context, params *ec2.AssignPrivateIpAddressesInput, optFns ...func(*ec2.Options)) (*ec2.AssignPrivateIpAddressesOutput, error)
}

// ELBV2API is every Elastic Load Balancing v2 operation lbsg calls, with the
// SDK's exact signatures.
type ELBV2API interface {
	CreateLoadBalancer(ctx context.Context, params *elbv2.CreateLoadBalancerInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateLoadBalancerOutput, error)
	DescribeLoadBalancers(ctx context.Context, params *elbv2.DescribeLoadBalancersInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error)
	DeleteLoadBalancer(ctx context.Context, params *elbv2.DeleteLoadBalancerInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteLoadBalancerOutput, error)
	SetSecurityGroups(ctx context.Context, params *elbv2.SetSecurityGroupsInput, optFns ...func(*elbv2.Options)) (*elbv2.SetSecurityGroupsOutput, error)
	SetSubnets(ctx context.Context, params *elbv2.SetSubnetsInput, optFns ...func(*elbv2.Options)) (*elbv2.SetSubnetsOutput, error)
	SetIpAddressType(ctx context.Context, params *elbv2.SetIpAddressTypeInput, optFns ...func(*elbv2.Options)) (*elbv2.SetIpAddressTypeOutput, error)
	ModifyIpPools(ctx context.Context, params *elbv2.ModifyIpPoolsInput, optFns ...func(*elbv2.Options)) (*elbv2.ModifyIpPoolsOutput, error)
	DescribeCapacityReservation(ctx context.Context, params *elbv2.DescribeCapacityReservationInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeCapacityReservationOutput, error)
	ModifyCapacityReservation(ctx context.Context, params *elbv2.ModifyCapacityReservationInput, optFns ...func(*elbv2.Options)) (*elbv2.ModifyCapacityReservationOutput, error)
	DescribeLoadBalancerAttributes(ctx context.Context, params *elbv2.DescribeLoadBalancerAttributesInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancerAttributesOutput, error)
	ModifyLoadBalancerAttributes(ctx context.Context, params *elbv2.ModifyLoadBalancerAttributesInput, optFns ...func(*elbv2.Options)) (*elbv2.ModifyLoadBalancerAttributesOutput, error)
	CreateTargetGroup(ctx context.Context, params *elbv2.CreateTargetGroupInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateTargetGroupOutput, error)
	DescribeTargetGroups(ctx context.Context, params *elbv2.DescribeTargetGroupsInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error)
	ModifyTargetGroup(ctx context.Context, params *elbv2.ModifyTargetGroupInput, optFns ...func(*elbv2.Options)) (*elbv2.ModifyTargetGroupOutput, error)
	DeleteTargetGroup(ctx context.Context, params *elbv2.DeleteTargetGroupInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteTargetGroupOutput, error)
	DescribeTargetGroupAttributes(ctx context.Context, params *elbv2.DescribeTargetGroupAttributesInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupAttributesOutput, error)
	ModifyTargetGroupAttributes(ctx context.Context, params *elbv2.ModifyTargetGroupAttributesInput, optFns ...func(*elbv2.Options)) (*elbv2.ModifyTargetGroupAttributesOutput, error)
	RegisterTargets(ctx context.Context, params *elbv2.RegisterTargetsInput, optFns ...func(*elbv2.Options)) (*elbv2.RegisterTargetsOutput, error)
	DeregisterTargets(ctx context.Context, params *elbv2.DeregisterTargetsInput, optFns ...func(*elbv2.Options)) (*elbv2.DeregisterTargetsOutput, error)
	DescribeTargetHealth(ctx context.Context, params *elbv2.DescribeTargetHealthInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTargetHealthOutput, error)
	CreateListener(ctx context.Context, params *elbv2.CreateListenerInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateListenerOutput, error)
	DescribeListeners(ctx context.Context, params *elbv2.DescribeListenersInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeListenersOutput, error)
	ModifyListener(ctx context.Context, params *elbv2.ModifyListenerInput, optFns ...func(*elbv2.Options)) (*elbv2.ModifyListenerOutput, error)
	DeleteListener(ctx context.Context, params *elbv2.DeleteListenerInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteListenerOutput, error)
	DescribeListenerCertificates(ctx context.Context, params *elbv2.DescribeListenerCertificatesInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeListenerCertificatesOutput, error)
	AddListenerCertificates(ctx context.Context, params *elbv2.AddListenerCertificatesInput, optFns ...func(*elbv2.Options)) (*elbv2.AddListenerCertificatesOutput, error)
	RemoveListenerCertificates(ctx context.Context, params *elbv2.RemoveListenerCertificatesInput, optFns ...func(*elbv2.Options)) (*elbv2.RemoveListenerCertificatesOutput, error)
	DescribeListenerAttributes(ctx context.Context, params *elbv2.DescribeListenerAttributesInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeListenerAttributesOutput, error)
	ModifyListenerAttributes(ctx context.Context, params *elbv2.ModifyListenerAttributesInput, optFns ...func(*elbv2.Options)) (*elbv2.ModifyListenerAttributesOutput, error)
	CreateRule(ctx context.Context, params *elbv2.CreateRuleInput, optFns ...func(*elbv2.Options)) (*elbv2.CreateRuleOutput, error)
	DescribeRules(ctx context.Context, params *elbv2.DescribeRulesInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeRulesOutput, error)
	ModifyRule(ctx context.Context, params *elbv2.ModifyRuleInput, optFns ...func(*elbv2.Options)) (*elbv2.ModifyRuleOutput, error)
	DeleteRule(ctx context.Context, params *elbv2.DeleteRuleInput, optFns ...func(*elbv2.Options)) (*elbv2.DeleteRuleOutput, error)
	SetRulePriorities(ctx context.Context, params *elbv2.SetRulePrioritiesInput, optFns ...func(*elbv2.Options)) (*elbv2.SetRulePrioritiesOutput, error)
	AddTags(ctx context.Context, params *elbv2.AddTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.AddTagsOutput, error)
	RemoveTags(ctx context.Context, params *elbv2.RemoveTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.RemoveTagsOutput, error)
	DescribeTags(ctx context.Context, params *elbv2.DescribeTagsInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error)
	DescribeTrustStores(ctx context.Context, params *elbv2.DescribeTrustStoresInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTrustStoresOutput, error)
}

// EKSAPI is the EKS operation lbsg calls (cluster VPC discovery).
type EKSAPI interface {
	DescribeCluster(ctx context.Context, params *eks.DescribeClusterInput, optFns ...func(*eks.Options)) (*eks.DescribeClusterOutput, error)
}

// ACMReadAPI is the AWS Certificate Manager operations the controller
// calls: certificate discovery's reads.
type ACMReadAPI interface {
	DescribeCertificate(ctx context.Context, params *acm.DescribeCertificateInput, optFns ...func(*acm.Options)) (*acm.DescribeCertificateOutput, error)
	ListCertificates(ctx context.Context, params *acm.ListCertificatesInput, optFns ...func(*acm.Options)) (*acm.ListCertificatesOutput, error)
}

// ACMManageAPI adds what certificate management (create-acm-cert, gate
// EnableCertificateManagement) calls: requesting the certificates lbsg
// owns, reading their tags, deleting them.
type ACMManageAPI interface {
	ACMReadAPI
	RequestCertificate(ctx context.Context, params *acm.RequestCertificateInput, optFns ...func(*acm.Options)) (*acm.RequestCertificateOutput, error)
	ListTagsForCertificate(ctx context.Context, params *acm.ListTagsForCertificateInput, optFns ...func(*acm.Options)) (*acm.ListTagsForCertificateOutput, error)
	DeleteCertificate(ctx context.Context, params *acm.DeleteCertificateInput, optFns ...func(*acm.Options)) (*acm.DeleteCertificateOutput, error)
}

// ACMAPI adds what lbsg's tools and tests call (importing certificates).
type ACMAPI interface {
	ACMManageAPI
	ImportCertificate(ctx context.Context, params *acm.ImportCertificateInput, optFns ...func(*acm.Options)) (*acm.ImportCertificateOutput, error)
}

// Route53API is the Route 53 operations certificate management calls:
// finding the public hosted zone of a name and writing (and deleting) the
// DNS validation records of the certificates it requests.
type Route53API interface {
	ListHostedZones(ctx context.Context, params *route53.ListHostedZonesInput, optFns ...func(*route53.Options)) (*route53.ListHostedZonesOutput, error)
	ChangeResourceRecordSets(ctx context.Context, params *route53.ChangeResourceRecordSetsInput, optFns ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error)
}

// WAFV2API is the WAFv2 operations lbsg calls: the wafv2-acl-name lookup
// and an ALB's web ACL association.
type WAFV2API interface {
	ListWebACLs(ctx context.Context, params *wafv2.ListWebACLsInput, optFns ...func(*wafv2.Options)) (*wafv2.ListWebACLsOutput, error)
	GetWebACLForResource(ctx context.Context, params *wafv2.GetWebACLForResourceInput, optFns ...func(*wafv2.Options)) (*wafv2.GetWebACLForResourceOutput, error)
	AssociateWebACL(ctx context.Context, params *wafv2.AssociateWebACLInput, optFns ...func(*wafv2.Options)) (*wafv2.AssociateWebACLOutput, error)
	DisassociateWebACL(ctx context.Context, params *wafv2.DisassociateWebACLInput, optFns ...func(*wafv2.Options)) (*wafv2.DisassociateWebACLOutput, error)
}

// WAFRegionalAPI is the WAF Classic (Regional) operations lbsg calls: an
// ALB's web ACL association (waf-acl-id).
type WAFRegionalAPI interface {
	GetWebACLForResource(ctx context.Context, params *wafregional.GetWebACLForResourceInput, optFns ...func(*wafregional.Options)) (*wafregional.GetWebACLForResourceOutput, error)
	AssociateWebACL(ctx context.Context, params *wafregional.AssociateWebACLInput, optFns ...func(*wafregional.Options)) (*wafregional.AssociateWebACLOutput, error)
	DisassociateWebACL(ctx context.Context, params *wafregional.DisassociateWebACLInput, optFns ...func(*wafregional.Options)) (*wafregional.DisassociateWebACLOutput, error)
}

// ShieldAPI is the Shield Advanced operations lbsg calls
// (shield-advanced-protection).
type ShieldAPI interface {
	GetSubscriptionState(ctx context.Context, params *shield.GetSubscriptionStateInput, optFns ...func(*shield.Options)) (*shield.GetSubscriptionStateOutput, error)
	DescribeProtection(ctx context.Context, params *shield.DescribeProtectionInput, optFns ...func(*shield.Options)) (*shield.DescribeProtectionOutput, error)
	CreateProtection(ctx context.Context, params *shield.CreateProtectionInput, optFns ...func(*shield.Options)) (*shield.CreateProtectionOutput, error)
	DeleteProtection(ctx context.Context, params *shield.DeleteProtectionInput, optFns ...func(*shield.Options)) (*shield.DeleteProtectionOutput, error)
}

// The SDK clients satisfy the interfaces...
var (
	_ EC2API   = (*ec2.Client)(nil)
	_ ELBV2API = (*elbv2.Client)(nil)
	_ EKSAPI   = (*eks.Client)(nil)
	_ ACMAPI   = (*acm.Client)(nil)

	_ Route53API = (*route53.Client)(nil)

	_ WAFV2API       = (*wafv2.Client)(nil)
	_ WAFRegionalAPI = (*wafregional.Client)(nil)
	_ ShieldAPI      = (*shield.Client)(nil)
)

// ...and the interfaces satisfy the SDK's paginator and waiter clients.
var (
	_ ec2.DescribeVpcsAPIClient               = EC2API(nil)
	_ ec2.DescribeSubnetsAPIClient            = EC2API(nil)
	_ ec2.DescribeSecurityGroupsAPIClient     = EC2API(nil)
	_ ec2.DescribeSecurityGroupRulesAPIClient = EC2API(nil)
	_ ec2.DescribeInstancesAPIClient          = EC2API(nil)
	_ ec2.DescribeNetworkInterfacesAPIClient  = EC2API(nil)

	_ elbv2.DescribeLoadBalancersAPIClient        = ELBV2API(nil)
	_ elbv2.DescribeTargetGroupsAPIClient         = ELBV2API(nil)
	_ elbv2.DescribeListenersAPIClient            = ELBV2API(nil)
	_ elbv2.DescribeRulesAPIClient                = ELBV2API(nil)
	_ elbv2.DescribeTargetHealthAPIClient         = ELBV2API(nil)
	_ elbv2.DescribeListenerCertificatesAPIClient = ELBV2API(nil)

	_ acm.ListCertificatesAPIClient = ACMReadAPI(nil)

	_ route53.ListHostedZonesAPIClient = Route53API(nil)

	_ eks.DescribeClusterAPIClient = EKSAPI(nil)
)
