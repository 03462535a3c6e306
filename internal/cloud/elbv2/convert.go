package elbv2

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

func lbFromSDK(lb elbv2types.LoadBalancer) LoadBalancer {
	out := LoadBalancer{
		ARN:                   aws.ToString(lb.LoadBalancerArn),
		Name:                  aws.ToString(lb.LoadBalancerName),
		DNSName:               aws.ToString(lb.DNSName),
		CanonicalHostedZoneID: aws.ToString(lb.CanonicalHostedZoneId),
		Type:                  string(lb.Type),
		Scheme:                string(lb.Scheme),
		IPAddressType:         string(lb.IpAddressType),
		VPCID:                 aws.ToString(lb.VpcId),
		SecurityGroups:        slices.Clone(lb.SecurityGroups),
		EnforcePrivateLink:    aws.ToString(lb.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic),
		SourceNAT:             string(lb.EnablePrefixForIpv6SourceNat),
		CustomerOwnedPool:     aws.ToString(lb.CustomerOwnedIpv4Pool),
	}
	if lb.State != nil {
		out.State = string(lb.State.Code)
	}
	if lb.IpamPools != nil {
		out.IPAMPool = aws.ToString(lb.IpamPools.Ipv4IpamPoolId)
	}
	out.Zones = zonesFromSDK(lb.AvailabilityZones)
	for _, z := range out.Zones {
		out.Subnets = append(out.Subnets, z.SubnetID)
	}
	return out
}

// zonesFromSDK reads AvailabilityZones, sorted by subnet ID.
func zonesFromSDK(azs []elbv2types.AvailabilityZone) []SubnetMapping {
	out := make([]SubnetMapping, 0, len(azs))
	for _, az := range azs {
		m := SubnetMapping{SubnetID: aws.ToString(az.SubnetId), Zone: aws.ToString(az.ZoneName)}
		for _, a := range az.LoadBalancerAddresses {
			m.AllocationID = cmp.Or(m.AllocationID, aws.ToString(a.AllocationId))
			m.PrivateIPv4 = cmp.Or(m.PrivateIPv4, aws.ToString(a.PrivateIPv4Address))
			m.IPv6 = cmp.Or(m.IPv6, aws.ToString(a.IPv6Address))
		}
		if len(az.SourceNatIpv6Prefixes) > 0 {
			m.SourceNATPrefix = az.SourceNatIpv6Prefixes[0]
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b SubnetMapping) int { return strings.Compare(a.SubnetID, b.SubnetID) })
	return out
}

// mappingsToSDK is SubnetMappings for CreateLoadBalancer and SetSubnets.
func mappingsToSDK(subnets []string, ms []SubnetMapping) []elbv2types.SubnetMapping {
	var out []elbv2types.SubnetMapping
	if len(ms) == 0 {
		for _, s := range subnets {
			out = append(out, elbv2types.SubnetMapping{SubnetId: aws.String(s)})
		}
		return out
	}
	for _, m := range ms {
		out = append(out, elbv2types.SubnetMapping{SubnetId: aws.String(m.SubnetID), AllocationId: optString(m.AllocationID),
			PrivateIPv4Address: optString(m.PrivateIPv4), IPv6Address: optString(m.IPv6), SourceNatIpv6Prefix: optString(m.SourceNATPrefix)})
	}
	return out
}

func tgFromSDK(tg elbv2types.TargetGroup) TargetGroup {
	out := TargetGroup{
		ARN:               aws.ToString(tg.TargetGroupArn),
		Name:              aws.ToString(tg.TargetGroupName),
		Protocol:          string(tg.Protocol),
		ProtocolVersion:   aws.ToString(tg.ProtocolVersion),
		Port:              aws.ToInt32(tg.Port),
		TargetType:        string(tg.TargetType),
		IPAddressType:     string(tg.IpAddressType),
		VPCID:             aws.ToString(tg.VpcId),
		LoadBalancerARNs:  slices.Clone(tg.LoadBalancerArns),
		TargetControlPort: tg.TargetControlPort,
		HealthCheck: HealthCheck{
			Enabled:            tg.HealthCheckEnabled,
			Protocol:           string(tg.HealthCheckProtocol),
			Port:               aws.ToString(tg.HealthCheckPort),
			Path:               aws.ToString(tg.HealthCheckPath),
			IntervalSeconds:    aws.ToInt32(tg.HealthCheckIntervalSeconds),
			TimeoutSeconds:     aws.ToInt32(tg.HealthCheckTimeoutSeconds),
			HealthyThreshold:   aws.ToInt32(tg.HealthyThresholdCount),
			UnhealthyThreshold: aws.ToInt32(tg.UnhealthyThresholdCount),
		},
	}
	if tg.Matcher != nil {
		out.HealthCheck.Matcher = aws.ToString(tg.Matcher.HttpCode)
		out.HealthCheck.GRPCMatcher = aws.ToString(tg.Matcher.GrpcCode)
	}
	return out
}

func listenerFromSDK(l elbv2types.Listener) Listener {
	out := Listener{
		ARN:             aws.ToString(l.ListenerArn),
		LoadBalancerARN: aws.ToString(l.LoadBalancerArn),
		Protocol:        string(l.Protocol),
		Port:            aws.ToInt32(l.Port),
		SSLPolicy:       aws.ToString(l.SslPolicy),
		ALPNPolicy:      slices.Clone(l.AlpnPolicy),
		DefaultActions:  actionsFromSDK(l.DefaultActions),
	}
	for _, c := range l.Certificates {
		out.Certificates = append(out.Certificates, aws.ToString(c.CertificateArn))
	}
	if m := l.MutualAuthentication; m != nil {
		out.MutualAuth = &MutualAuth{Mode: aws.ToString(m.Mode), TrustStoreARN: aws.ToString(m.TrustStoreArn),
			IgnoreClientCertificateExpiry: aws.ToBool(m.IgnoreClientCertificateExpiry),
			AdvertiseTrustStoreCaNames:    string(m.AdvertiseTrustStoreCaNames)}
	}
	return out
}

// mutualAuthToSDK is MutualAuthentication for Create and ModifyListener,
// as LBC sends it: off and passthrough with an empty TrustStoreArn (so a
// listener lbsg wrote reads back as LBC expects it), verify with all its
// settings.
func mutualAuthToSDK(m *MutualAuth) *elbv2types.MutualAuthenticationAttributes {
	if m == nil {
		return nil
	}
	out := &elbv2types.MutualAuthenticationAttributes{Mode: aws.String(m.Mode), TrustStoreArn: aws.String("")}
	if m.Mode == "verify" {
		out.TrustStoreArn = aws.String(m.TrustStoreARN)
		out.IgnoreClientCertificateExpiry = aws.Bool(m.IgnoreClientCertificateExpiry)
		out.AdvertiseTrustStoreCaNames = elbv2types.AdvertiseTrustStoreCaNamesEnum(m.AdvertiseTrustStoreCaNames)
	}
	return out
}

func ruleFromSDK(listenerARN string, r elbv2types.Rule) Rule {
	out := Rule{
		ARN:         aws.ToString(r.RuleArn),
		ListenerARN: listenerARN,
		Priority:    aws.ToString(r.Priority),
		IsDefault:   aws.ToBool(r.IsDefault),
		Actions:     actionsFromSDK(r.Actions),
	}
	for _, c := range r.Conditions {
		out.Conditions = append(out.Conditions, conditionFromSDK(c))
	}
	for _, t := range r.Transforms {
		x := Transform{Type: string(t.Type)}
		var rws []elbv2types.RewriteConfig
		switch {
		case t.HostHeaderRewriteConfig != nil:
			rws = t.HostHeaderRewriteConfig.Rewrites
		case t.UrlRewriteConfig != nil:
			rws = t.UrlRewriteConfig.Rewrites
		}
		for _, rw := range rws {
			x.Rewrites = append(x.Rewrites, Rewrite{Regex: aws.ToString(rw.Regex), Replace: aws.ToString(rw.Replace)})
		}
		out.Transforms = append(out.Transforms, x)
	}
	return out
}

// transformsToSDK sends each transform's rewrites in its type's config.
func transformsToSDK(ts []Transform) []elbv2types.RuleTransform {
	if len(ts) == 0 {
		return nil
	}
	out := make([]elbv2types.RuleTransform, 0, len(ts))
	for _, t := range ts {
		x := elbv2types.RuleTransform{Type: elbv2types.TransformTypeEnum(t.Type)}
		var rws []elbv2types.RewriteConfig
		for _, rw := range t.Rewrites {
			rws = append(rws, elbv2types.RewriteConfig{Regex: aws.String(rw.Regex), Replace: aws.String(rw.Replace)})
		}
		switch t.Type {
		case "host-header-rewrite":
			x.HostHeaderRewriteConfig = &elbv2types.HostHeaderRewriteConfig{Rewrites: rws}
		case "url-rewrite":
			x.UrlRewriteConfig = &elbv2types.UrlRewriteConfig{Rewrites: rws}
		}
		out = append(out, x)
	}
	return out
}

func actionsFromSDK(as []elbv2types.Action) []Action {
	out := make([]Action, 0, len(as))
	for _, a := range as {
		x := Action{Type: string(a.Type), Order: aws.ToInt32(a.Order)}
		if f := a.ForwardConfig; f != nil {
			for _, t := range f.TargetGroups {
				x.TargetGroups = append(x.TargetGroups, WeightedTargetGroup{ARN: aws.ToString(t.TargetGroupArn), Weight: t.Weight})
			}
			if s := f.TargetGroupStickinessConfig; s != nil && aws.ToBool(s.Enabled) {
				x.Stickiness = &Stickiness{Enabled: true, DurationSeconds: aws.ToInt32(s.DurationSeconds)}
			}
		}
		if len(x.TargetGroups) == 0 && a.TargetGroupArn != nil {
			x.TargetGroups = []WeightedTargetGroup{{ARN: aws.ToString(a.TargetGroupArn)}}
		}
		if r := a.RedirectConfig; r != nil {
			x.Redirect = &Redirect{
				Protocol: aws.ToString(r.Protocol), Host: aws.ToString(r.Host), Port: aws.ToString(r.Port),
				Path: aws.ToString(r.Path), Query: aws.ToString(r.Query), StatusCode: string(r.StatusCode),
			}
		}
		if f := a.FixedResponseConfig; f != nil {
			x.FixedResponse = &FixedResponse{StatusCode: aws.ToString(f.StatusCode), ContentType: aws.ToString(f.ContentType), MessageBody: aws.ToString(f.MessageBody)}
		}
		if c := a.AuthenticateCognitoConfig; c != nil {
			x.Cognito = &AuthenticateCognito{UserPoolARN: aws.ToString(c.UserPoolArn), UserPoolClientID: aws.ToString(c.UserPoolClientId),
				UserPoolDomain: aws.ToString(c.UserPoolDomain), AuthSession: AuthSession{ExtraParams: c.AuthenticationRequestExtraParams,
					OnUnauthenticatedRequest: string(c.OnUnauthenticatedRequest), Scope: aws.ToString(c.Scope),
					SessionCookieName: aws.ToString(c.SessionCookieName), SessionTimeout: aws.ToInt64(c.SessionTimeout)}}
		}
		if c := a.AuthenticateOidcConfig; c != nil {
			x.OIDC = &AuthenticateOIDC{Issuer: aws.ToString(c.Issuer), AuthorizationEndpoint: aws.ToString(c.AuthorizationEndpoint),
				TokenEndpoint: aws.ToString(c.TokenEndpoint), UserInfoEndpoint: aws.ToString(c.UserInfoEndpoint),
				ClientID: aws.ToString(c.ClientId), ClientSecret: aws.ToString(c.ClientSecret),
				AuthSession: AuthSession{ExtraParams: c.AuthenticationRequestExtraParams,
					OnUnauthenticatedRequest: string(c.OnUnauthenticatedRequest), Scope: aws.ToString(c.Scope),
					SessionCookieName: aws.ToString(c.SessionCookieName), SessionTimeout: aws.ToInt64(c.SessionTimeout)}}
		}
		if j := a.JwtValidationConfig; j != nil {
			x.JWT = &JWTValidation{JwksEndpoint: aws.ToString(j.JwksEndpoint), Issuer: aws.ToString(j.Issuer)}
			for _, c := range j.AdditionalClaims {
				x.JWT.AdditionalClaims = append(x.JWT.AdditionalClaims, JWTClaim{Format: string(c.Format), Name: aws.ToString(c.Name), Values: slices.Clone(c.Values)})
			}
		}
		out = append(out, x)
	}
	return out
}

// optInt64 is nil for 0 (unset).
func optInt64(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return aws.Int64(v)
}

func actionsToSDK(as []Action) []elbv2types.Action {
	out := make([]elbv2types.Action, 0, len(as))
	for _, a := range as {
		x := elbv2types.Action{Type: elbv2types.ActionTypeEnum(a.Type)}
		if a.Order > 0 {
			x.Order = aws.Int32(a.Order)
		}
		switch {
		case len(a.TargetGroups) == 1 && a.TargetGroups[0].Weight == nil && a.Stickiness == nil:
			x.TargetGroupArn = aws.String(a.TargetGroups[0].ARN)
		case len(a.TargetGroups) > 0:
			f := &elbv2types.ForwardActionConfig{}
			for _, t := range a.TargetGroups {
				f.TargetGroups = append(f.TargetGroups, elbv2types.TargetGroupTuple{TargetGroupArn: aws.String(t.ARN), Weight: t.Weight})
			}
			if a.Stickiness != nil {
				f.TargetGroupStickinessConfig = &elbv2types.TargetGroupStickinessConfig{
					Enabled: aws.Bool(a.Stickiness.Enabled), DurationSeconds: optInt32(a.Stickiness.DurationSeconds),
				}
			}
			x.ForwardConfig = f
		}
		if r := a.Redirect; r != nil {
			x.RedirectConfig = &elbv2types.RedirectActionConfig{
				Protocol: optString(r.Protocol), Host: optString(r.Host), Port: optString(r.Port),
				Path: optString(r.Path), Query: optString(r.Query), StatusCode: elbv2types.RedirectActionStatusCodeEnum(r.StatusCode),
			}
		}
		if f := a.FixedResponse; f != nil {
			x.FixedResponseConfig = &elbv2types.FixedResponseActionConfig{
				StatusCode: aws.String(f.StatusCode), ContentType: optString(f.ContentType), MessageBody: optString(f.MessageBody),
			}
		}
		if c := a.Cognito; c != nil {
			x.AuthenticateCognitoConfig = &elbv2types.AuthenticateCognitoActionConfig{
				UserPoolArn: aws.String(c.UserPoolARN), UserPoolClientId: aws.String(c.UserPoolClientID), UserPoolDomain: aws.String(c.UserPoolDomain),
				AuthenticationRequestExtraParams: c.ExtraParams,
				OnUnauthenticatedRequest:         elbv2types.AuthenticateCognitoActionConditionalBehaviorEnum(c.OnUnauthenticatedRequest),
				Scope:                            optString(c.Scope), SessionCookieName: optString(c.SessionCookieName), SessionTimeout: optInt64(c.SessionTimeout),
			}
		}
		if c := a.OIDC; c != nil {
			x.AuthenticateOidcConfig = &elbv2types.AuthenticateOidcActionConfig{
				Issuer: aws.String(c.Issuer), AuthorizationEndpoint: aws.String(c.AuthorizationEndpoint),
				TokenEndpoint: aws.String(c.TokenEndpoint), UserInfoEndpoint: aws.String(c.UserInfoEndpoint),
				ClientId: aws.String(c.ClientID), ClientSecret: aws.String(c.ClientSecret),
				AuthenticationRequestExtraParams: c.ExtraParams,
				OnUnauthenticatedRequest:         elbv2types.AuthenticateOidcActionConditionalBehaviorEnum(c.OnUnauthenticatedRequest),
				Scope:                            optString(c.Scope), SessionCookieName: optString(c.SessionCookieName), SessionTimeout: optInt64(c.SessionTimeout),
			}
		}
		if j := a.JWT; j != nil {
			x.JwtValidationConfig = &elbv2types.JwtValidationActionConfig{JwksEndpoint: aws.String(j.JwksEndpoint), Issuer: aws.String(j.Issuer)}
			for _, c := range j.AdditionalClaims {
				x.JwtValidationConfig.AdditionalClaims = append(x.JwtValidationConfig.AdditionalClaims, elbv2types.JwtValidationActionAdditionalClaim{
					Format: elbv2types.JwtValidationActionAdditionalClaimFormatEnum(c.Format), Name: aws.String(c.Name), Values: slices.Clone(c.Values)})
			}
		}
		out = append(out, x)
	}
	return out
}

func conditionFromSDK(c elbv2types.RuleCondition) Condition {
	out := Condition{Field: aws.ToString(c.Field), Values: slices.Clone(c.Values)}
	switch {
	case c.HostHeaderConfig != nil:
		out.Values, out.RegexValues = slices.Clone(c.HostHeaderConfig.Values), slices.Clone(c.HostHeaderConfig.RegexValues)
	case c.PathPatternConfig != nil:
		out.Values, out.RegexValues = slices.Clone(c.PathPatternConfig.Values), slices.Clone(c.PathPatternConfig.RegexValues)
	case c.HttpHeaderConfig != nil:
		out.HTTPHeaderName = aws.ToString(c.HttpHeaderConfig.HttpHeaderName)
		out.Values, out.RegexValues = slices.Clone(c.HttpHeaderConfig.Values), slices.Clone(c.HttpHeaderConfig.RegexValues)
	case c.HttpRequestMethodConfig != nil:
		out.Values = slices.Clone(c.HttpRequestMethodConfig.Values)
	case c.SourceIpConfig != nil:
		out.Values = slices.Clone(c.SourceIpConfig.Values)
	case c.QueryStringConfig != nil:
		out.Values = nil
		for _, kv := range c.QueryStringConfig.Values {
			out.QueryString = append(out.QueryString, QueryPair{Key: aws.ToString(kv.Key), Value: aws.ToString(kv.Value)})
		}
	}
	return out
}

// conditionsToSDK sends the typed *Config form, as LBC does.
func conditionsToSDK(cs []Condition) []elbv2types.RuleCondition {
	out := make([]elbv2types.RuleCondition, 0, len(cs))
	for _, c := range cs {
		x := elbv2types.RuleCondition{Field: aws.String(c.Field)}
		vals, regex := slices.Clone(c.Values), slices.Clone(c.RegexValues)
		switch c.Field {
		case "host-header":
			x.HostHeaderConfig = &elbv2types.HostHeaderConditionConfig{Values: vals, RegexValues: regex}
		case "path-pattern":
			x.PathPatternConfig = &elbv2types.PathPatternConditionConfig{Values: vals, RegexValues: regex}
		case "http-header":
			x.HttpHeaderConfig = &elbv2types.HttpHeaderConditionConfig{HttpHeaderName: aws.String(c.HTTPHeaderName), Values: vals, RegexValues: regex}
		case "http-request-method":
			x.HttpRequestMethodConfig = &elbv2types.HttpRequestMethodConditionConfig{Values: vals}
		case "source-ip":
			x.SourceIpConfig = &elbv2types.SourceIpConditionConfig{Values: vals}
		case "query-string":
			q := &elbv2types.QueryStringConditionConfig{}
			for _, kv := range c.QueryString {
				q.Values = append(q.Values, elbv2types.QueryStringKeyValuePair{Key: optString(kv.Key), Value: aws.String(kv.Value)})
			}
			x.QueryStringConfig = q
		default:
			x.Values = vals
		}
		out = append(out, x)
	}
	return out
}

func healthCheckInput(h HealthCheck) (enabled *bool, proto elbv2types.ProtocolEnum, port, path *string, matcher *elbv2types.Matcher, interval, timeout, healthy, unhealthy *int32) {
	switch {
	case h.GRPCMatcher != "":
		matcher = &elbv2types.Matcher{GrpcCode: aws.String(h.GRPCMatcher)}
	case h.Matcher != "":
		matcher = &elbv2types.Matcher{HttpCode: aws.String(h.Matcher)}
	}
	return h.Enabled, elbv2types.ProtocolEnum(h.Protocol), optString(h.Port), optString(h.Path), matcher,
		optInt32(h.IntervalSeconds), optInt32(h.TimeoutSeconds), optInt32(h.HealthyThreshold), optInt32(h.UnhealthyThreshold)
}

func tagsToSDK(m map[string]string) []elbv2types.Tag {
	out := make([]elbv2types.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, elbv2types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

func tagsFromSDK(ts []elbv2types.Tag) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func attrsToSDK(m map[string]string) []elbv2types.LoadBalancerAttribute {
	out := make([]elbv2types.LoadBalancerAttribute, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, elbv2types.LoadBalancerAttribute{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

func tgAttrsToSDK(m map[string]string) []elbv2types.TargetGroupAttribute {
	out := make([]elbv2types.TargetGroupAttribute, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, elbv2types.TargetGroupAttribute{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

func listenerAttrsToSDK(m map[string]string) []elbv2types.ListenerAttribute {
	out := make([]elbv2types.ListenerAttribute, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, elbv2types.ListenerAttribute{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

func targetsToSDK(ts []Target) []elbv2types.TargetDescription {
	out := make([]elbv2types.TargetDescription, 0, len(ts))
	for _, t := range ts {
		out = append(out, elbv2types.TargetDescription{Id: aws.String(t.ID), Port: optInt32(t.Port), AvailabilityZone: optString(t.AZ),
			QuicServerId: optString(t.QUICServerID)})
	}
	return out
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func optInt32(v int32) *int32 {
	if v == 0 {
		return nil
	}
	return aws.Int32(v)
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
