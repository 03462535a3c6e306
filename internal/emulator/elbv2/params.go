package elbv2

import (
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// The parameters of API version 2015-12-01, per action, as awsquery form keys
// with every list or map index written N (Subnets.member.N,
// Tags.member.N.Key, ….AuthenticationRequestExtraParams.entry.N.key). A
// request carrying any other key is refused before the action runs, so a
// parameter the backend does not handle can never be dropped silently.
// TestParamsCoverSDK checks the lists against the SDK's input types.

// under prefixes every key of each group with prefix.
func under(prefix string, groups ...[]string) []string {
	var out []string
	for _, g := range groups {
		for _, k := range g {
			out = append(out, prefix+k)
		}
	}
	return out
}

// join concatenates key groups.
func join(groups ...[]string) []string { return under("", groups...) }

var (
	tagParams        = []string{"Tags.member.N.Key", "Tags.member.N.Value"}
	pageParams       = []string{"Marker", "PageSize"}
	attributeParams  = []string{"Attributes.member.N.Key", "Attributes.member.N.Value"}
	certificateParam = []string{"Certificates.member.N.CertificateArn", "Certificates.member.N.IsDefault"}
	targetParams     = []string{"Targets.member.N.Id", "Targets.member.N.Port", "Targets.member.N.AvailabilityZone",
		"Targets.member.N.QuicServerId"}
	subnetParams = []string{"Subnets.member.N", "SubnetMappings.member.N.SubnetId", "SubnetMappings.member.N.AllocationId",
		"SubnetMappings.member.N.PrivateIPv4Address", "SubnetMappings.member.N.IPv6Address",
		"SubnetMappings.member.N.SourceNatIpv6Prefix"}
	healthParams = []string{"HealthCheckProtocol", "HealthCheckPort", "HealthCheckEnabled", "HealthCheckPath",
		"HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount",
		"Matcher.HttpCode", "Matcher.GrpcCode"}
	mutualAuthParams = under("MutualAuthentication.", []string{"Mode", "TrustStoreArn", "IgnoreClientCertificateExpiry",
		"AdvertiseTrustStoreCaNames", "TrustStoreAssociationStatus"})
	authCommon = []string{"SessionCookieName", "Scope", "SessionTimeout", "OnUnauthenticatedRequest",
		"AuthenticationRequestExtraParams.entry.N.key", "AuthenticationRequestExtraParams.entry.N.value"}
	actionFields = join(
		[]string{"Type", "TargetGroupArn", "Order"},
		under("AuthenticateOidcConfig.", []string{"Issuer", "AuthorizationEndpoint", "TokenEndpoint", "UserInfoEndpoint",
			"ClientId", "ClientSecret", "UseExistingClientSecret"}, authCommon),
		under("AuthenticateCognitoConfig.", []string{"UserPoolArn", "UserPoolClientId", "UserPoolDomain"}, authCommon),
		under("RedirectConfig.", []string{"Protocol", "Port", "Host", "Path", "Query", "StatusCode"}),
		under("FixedResponseConfig.", []string{"MessageBody", "StatusCode", "ContentType"}),
		under("ForwardConfig.", []string{"TargetGroups.member.N.TargetGroupArn", "TargetGroups.member.N.Weight",
			"TargetGroupStickinessConfig.Enabled", "TargetGroupStickinessConfig.DurationSeconds"}),
		under("JwtValidationConfig.", []string{"JwksEndpoint", "Issuer", "AdditionalClaims.member.N.Format",
			"AdditionalClaims.member.N.Name", "AdditionalClaims.member.N.Values.member.N"}),
	)
	conditionFields = join(
		[]string{"Field", "Values.member.N", "RegexValues.member.N"},
		under("HostHeaderConfig.", []string{"Values.member.N", "RegexValues.member.N"}),
		under("PathPatternConfig.", []string{"Values.member.N", "RegexValues.member.N"}),
		under("HttpHeaderConfig.", []string{"HttpHeaderName", "Values.member.N", "RegexValues.member.N"}),
		under("HttpRequestMethodConfig.", []string{"Values.member.N"}),
		under("QueryStringConfig.", []string{"Values.member.N.Key", "Values.member.N.Value"}),
		under("SourceIpConfig.", []string{"Values.member.N", "IpAddressType"}),
	)
	transformFields = join(
		[]string{"Type"},
		under("HostHeaderRewriteConfig.", []string{"Rewrites.member.N.Regex", "Rewrites.member.N.Replace"}),
		under("UrlRewriteConfig.", []string{"Rewrites.member.N.Regex", "Rewrites.member.N.Replace"}),
	)
	listenerParams = join([]string{"Port", "Protocol", "SslPolicy", "AlpnPolicy.member.N"}, certificateParam,
		under("DefaultActions.member.N.", actionFields), mutualAuthParams)
	ruleParams = join(under("Conditions.member.N.", conditionFields), under("Actions.member.N.", actionFields),
		under("Transforms.member.N.", transformFields))
)

// actionParams lists each served action's parameters besides Action and
// Version.
var actionParams = map[string][]string{
	"CreateLoadBalancer": join([]string{"Name", "SecurityGroups.member.N", "Scheme", "Type", "IpAddressType",
		"CustomerOwnedIpv4Pool", "EnablePrefixForIpv6SourceNat", "IpamPools.Ipv4IpamPoolId"}, subnetParams, tagParams),
	"DescribeLoadBalancers":          join([]string{"LoadBalancerArns.member.N", "Names.member.N"}, pageParams),
	"DeleteLoadBalancer":             {"LoadBalancerArn"},
	"SetSecurityGroups":              {"LoadBalancerArn", "SecurityGroups.member.N", "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"},
	"SetSubnets":                     join([]string{"LoadBalancerArn", "IpAddressType", "EnablePrefixForIpv6SourceNat"}, subnetParams),
	"SetIpAddressType":               {"LoadBalancerArn", "IpAddressType"},
	"ModifyCapacityReservation":      {"LoadBalancerArn", "MinimumLoadBalancerCapacity.CapacityUnits", "ResetCapacityReservation"},
	"DescribeCapacityReservation":    {"LoadBalancerArn"},
	"DescribeLoadBalancerAttributes": {"LoadBalancerArn"},
	"ModifyLoadBalancerAttributes":   join([]string{"LoadBalancerArn"}, attributeParams),
	"CreateTargetGroup": join([]string{"Name", "Protocol", "ProtocolVersion", "Port", "VpcId", "TargetType",
		"IpAddressType", "TargetControlPort"}, healthParams, tagParams),
	"DescribeTargetGroups":          join([]string{"LoadBalancerArn", "TargetGroupArns.member.N", "Names.member.N"}, pageParams),
	"ModifyTargetGroup":             join([]string{"TargetGroupArn"}, healthParams),
	"DeleteTargetGroup":             {"TargetGroupArn"},
	"DescribeTargetGroupAttributes": {"TargetGroupArn"},
	"ModifyTargetGroupAttributes":   join([]string{"TargetGroupArn"}, attributeParams),
	"RegisterTargets":               join([]string{"TargetGroupArn"}, targetParams),
	"DeregisterTargets":             join([]string{"TargetGroupArn"}, targetParams),
	"DescribeTargetHealth":          join([]string{"TargetGroupArn", "Include.member.N"}, targetParams),
	"CreateListener":                join([]string{"LoadBalancerArn"}, listenerParams, tagParams),
	"DescribeListeners":             join([]string{"LoadBalancerArn", "ListenerArns.member.N"}, pageParams),
	"ModifyListener":                join([]string{"ListenerArn"}, listenerParams),
	"DeleteListener":                {"ListenerArn"},
	"DescribeListenerCertificates":  join([]string{"ListenerArn"}, pageParams),
	"AddListenerCertificates":       join([]string{"ListenerArn"}, certificateParam),
	"RemoveListenerCertificates":    join([]string{"ListenerArn"}, certificateParam),
	"DescribeListenerAttributes":    {"ListenerArn"},
	"ModifyListenerAttributes":      join([]string{"ListenerArn"}, attributeParams),
	"CreateRule":                    join([]string{"ListenerArn", "Priority"}, ruleParams, tagParams),
	"DescribeRules":                 join([]string{"ListenerArn", "RuleArns.member.N"}, pageParams),
	"ModifyRule":                    join([]string{"RuleArn", "ResetTransforms"}, ruleParams),
	"DeleteRule":                    {"RuleArn"},
	"SetRulePriorities":             {"RulePriorities.member.N.RuleArn", "RulePriorities.member.N.Priority"},
	"AddTags":                       join([]string{"ResourceArns.member.N"}, tagParams),
	"RemoveTags":                    {"ResourceArns.member.N", "TagKeys.member.N"},
	"DescribeTags":                  {"ResourceArns.member.N"},
	"DescribeAccountLimits":         pageParams,
	"DescribeSSLPolicies":           join([]string{"Names.member.N", "LoadBalancerType"}, pageParams),
	"CreateTrustStore": join([]string{"Name", "CaCertificatesBundleS3Bucket", "CaCertificatesBundleS3Key",
		"CaCertificatesBundleS3ObjectVersion"}, tagParams),
	"DescribeTrustStores": join([]string{"TrustStoreArns.member.N", "Names.member.N"}, pageParams),
	"DeleteTrustStore":    {"TrustStoreArn"},
	"ModifyIpPools":       {"LoadBalancerArn", "IpamPools.Ipv4IpamPoolId", "RemoveIpamPools.member.N"},
}

// known indexes actionParams. A list or map is also known by its bare name
// (Subnets, …AuthenticationRequestExtraParams): that is how awsquery sends
// an empty one.
var known = func() map[string]map[string]bool {
	out := make(map[string]map[string]bool, len(actionParams))
	for action, keys := range actionParams {
		m := map[string]bool{"Action": true, "Version": true}
		for _, k := range keys {
			m[k] = true
			for _, sep := range []string{".member.N", ".entry.N"} {
				for i := 0; ; {
					j := strings.Index(k[i:], sep)
					if j < 0 {
						break
					}
					m[k[:i+j]] = true
					i += j + len(sep)
				}
			}
		}
		out[action] = m
	}
	return out
}()

// paramPattern writes every all-digit segment of a key as N.
func paramPattern(key string) string {
	segs := strings.Split(key, ".")
	for i, s := range segs {
		if s != "" && strings.Trim(s, "0123456789") == "" {
			segs[i] = "N"
		}
	}
	return strings.Join(segs, ".")
}

// checkParams refuses a key the action does not take (X-Amz-* signing keys
// of a presigned request aside).
func checkParams(action string, p query.Params) error {
	ok := known[action]
	for _, k := range p.Keys() {
		if strings.HasPrefix(k, "X-Amz-") || ok[k] || ok[paramPattern(k)] {
			continue
		}
		return query.ValidationError("The parameter %s is not recognized", k)
	}
	return nil
}

// notEmulated refuses a parameter of the API that the emulator does not
// implement (doc.go lists them), so it is never accepted and dropped.
func notEmulated(param string) *query.Error {
	return query.ValidationError("The parameter %s is not supported by the emulator", param)
}
