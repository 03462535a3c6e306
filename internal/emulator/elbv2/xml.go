package elbv2

import (
	"encoding/xml"
	"sort"
	"strconv"
)

// Reply bodies: the structs inside <ActionResult>. Element names are the
// model's member names (schemas.go of aws-sdk-go-v2/service/elasticloadbalancingv2).

type xState struct {
	Code   string `xml:"Code"`
	Reason string `xml:"Reason,omitempty"`
}

type xAZ struct {
	ZoneName              string       `xml:"ZoneName"`
	SubnetID              string       `xml:"SubnetId"`
	OutpostID             string       `xml:"OutpostId,omitempty"`
	LoadBalancerAddresses []xLBAddress `xml:"LoadBalancerAddresses>member,omitempty"`
	SourceNatIpv6Prefixes []string     `xml:"SourceNatIpv6Prefixes>member,omitempty"`
}

type xLBAddress struct {
	IPAddress          string `xml:"IpAddress,omitempty"`
	AllocationID       string `xml:"AllocationId,omitempty"`
	PrivateIPv4Address string `xml:"PrivateIPv4Address,omitempty"`
	IPv6Address        string `xml:"IPv6Address,omitempty"`
}

type xLoadBalancer struct {
	LoadBalancerArn       string      `xml:"LoadBalancerArn"`
	DNSName               string      `xml:"DNSName"`
	CanonicalHostedZoneID string      `xml:"CanonicalHostedZoneId"`
	CreatedTime           string      `xml:"CreatedTime"`
	LoadBalancerName      string      `xml:"LoadBalancerName"`
	Scheme                string      `xml:"Scheme"`
	VpcID                 string      `xml:"VpcId"`
	State                 xState      `xml:"State"`
	Type                  string      `xml:"Type"`
	AvailabilityZones     []xAZ       `xml:"AvailabilityZones>member"`
	SecurityGroups        []string    `xml:"SecurityGroups>member"`
	IPAddressType         string      `xml:"IpAddressType"`
	Enforce               string      `xml:"EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic,omitempty"`
	SourceNat             string      `xml:"EnablePrefixForIpv6SourceNat,omitempty"`
	IpamPools             *xIPAMPools `xml:"IpamPools,omitempty"`
	CustomerOwnedIpv4Pool string      `xml:"CustomerOwnedIpv4Pool,omitempty"`
}

type loadBalancersResult struct {
	LoadBalancers []xLoadBalancer `xml:"LoadBalancers>member"`
	NextMarker    string          `xml:"NextMarker,omitempty"`
}

type xAttribute struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type attributesResult struct {
	Attributes []xAttribute `xml:"Attributes>member"`
}

func attributeList(m map[string]string) []xAttribute {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]xAttribute, 0, len(keys))
	for _, k := range keys {
		out = append(out, xAttribute{Key: k, Value: m[k]})
	}
	return out
}

type setSecurityGroupsResult struct {
	SecurityGroupIDs []string `xml:"SecurityGroupIds>member"`
	Enforce          string   `xml:"EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic,omitempty"`
}

type setSubnetsResult struct {
	AvailabilityZones []xAZ  `xml:"AvailabilityZones>member"`
	IPAddressType     string `xml:"IpAddressType,omitempty"`
	SourceNat         string `xml:"EnablePrefixForIpv6SourceNat,omitempty"`
}

type setIPAddressTypeResult struct {
	IPAddressType string `xml:"IpAddressType"`
}

type xMatcher struct {
	HTTPCode string `xml:"HttpCode,omitempty"`
	GrpcCode string `xml:"GrpcCode,omitempty"`
}

type xTargetGroup struct {
	TargetGroupArn             string    `xml:"TargetGroupArn"`
	TargetGroupName            string    `xml:"TargetGroupName"`
	Protocol                   string    `xml:"Protocol,omitempty"`
	Port                       int       `xml:"Port,omitempty"`
	VpcID                      string    `xml:"VpcId,omitempty"`
	HealthCheckProtocol        string    `xml:"HealthCheckProtocol,omitempty"`
	HealthCheckPort            string    `xml:"HealthCheckPort,omitempty"`
	HealthCheckEnabled         bool      `xml:"HealthCheckEnabled"`
	HealthCheckIntervalSeconds int       `xml:"HealthCheckIntervalSeconds"`
	HealthCheckTimeoutSeconds  int       `xml:"HealthCheckTimeoutSeconds"`
	HealthyThresholdCount      int       `xml:"HealthyThresholdCount"`
	UnhealthyThresholdCount    int       `xml:"UnhealthyThresholdCount"`
	HealthCheckPath            string    `xml:"HealthCheckPath,omitempty"`
	Matcher                    *xMatcher `xml:"Matcher,omitempty"`
	LoadBalancerArns           []string  `xml:"LoadBalancerArns>member"`
	TargetType                 string    `xml:"TargetType"`
	ProtocolVersion            string    `xml:"ProtocolVersion,omitempty"`
	IPAddressType              string    `xml:"IpAddressType,omitempty"`
	TargetControlPort          int       `xml:"TargetControlPort,omitempty"`
}

type targetGroupsResult struct {
	TargetGroups []xTargetGroup `xml:"TargetGroups>member"`
	NextMarker   string         `xml:"NextMarker,omitempty"`
}

type xTarget struct {
	ID               string `xml:"Id"`
	Port             int    `xml:"Port,omitempty"`
	AvailabilityZone string `xml:"AvailabilityZone,omitempty"`
	QuicServerID     string `xml:"QuicServerId,omitempty"`
}

type xAnomalyDetection struct {
	Result             string `xml:"Result"`
	MitigationInEffect string `xml:"MitigationInEffect"`
}

type xTargetHealth struct {
	State       string `xml:"State"`
	Reason      string `xml:"Reason,omitempty"`
	Description string `xml:"Description,omitempty"`
}

type xTargetHealthDescription struct {
	Target           xTarget            `xml:"Target"`
	HealthCheckPort  string             `xml:"HealthCheckPort,omitempty"`
	TargetHealth     xTargetHealth      `xml:"TargetHealth"`
	AnomalyDetection *xAnomalyDetection `xml:"AnomalyDetection,omitempty"`
}

type targetHealthResult struct {
	TargetHealthDescriptions []xTargetHealthDescription `xml:"TargetHealthDescriptions>member"`
}

type xCertificate struct {
	CertificateArn string `xml:"CertificateArn"`
	IsDefault      *bool  `xml:"IsDefault,omitempty"`
}

type xTGTuple struct {
	TargetGroupArn string `xml:"TargetGroupArn"`
	Weight         *int   `xml:"Weight,omitempty"`
}

type xStickiness struct {
	Enabled         bool `xml:"Enabled"`
	DurationSeconds int  `xml:"DurationSeconds,omitempty"`
}

type xForward struct {
	TargetGroups []xTGTuple  `xml:"TargetGroups>member"`
	Stickiness   xStickiness `xml:"TargetGroupStickinessConfig"`
}

type xRedirect struct {
	Protocol   string `xml:"Protocol,omitempty"`
	Port       string `xml:"Port,omitempty"`
	Host       string `xml:"Host,omitempty"`
	Path       string `xml:"Path,omitempty"`
	Query      string `xml:"Query,omitempty"`
	StatusCode string `xml:"StatusCode"`
}

type xFixed struct {
	MessageBody string `xml:"MessageBody,omitempty"`
	StatusCode  string `xml:"StatusCode"`
	ContentType string `xml:"ContentType,omitempty"`
}

// xAuth renders an authentication config: its scalar members in key order
// and the AuthenticationRequestExtraParams map.
type xAuth struct {
	fields map[string]string
	extra  map[string]string
}

func (a xAuth) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	keys := make([]string, 0, len(a.fields))
	for k := range a.fields {
		if k != "ClientSecret" { // never returned
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := e.EncodeElement(a.fields[k], xml.StartElement{Name: xml.Name{Local: k}}); err != nil {
			return err
		}
	}
	if len(a.extra) > 0 {
		type entry struct {
			Key   string `xml:"key"`
			Value string `xml:"value"`
		}
		var entries struct {
			Entry []entry `xml:"entry"`
		}
		ek := make([]string, 0, len(a.extra))
		for k := range a.extra {
			ek = append(ek, k)
		}
		sort.Strings(ek)
		for _, k := range ek {
			entries.Entry = append(entries.Entry, entry{Key: k, Value: a.extra[k]})
		}
		if err := e.EncodeElement(entries, xml.StartElement{Name: xml.Name{Local: "AuthenticationRequestExtraParams"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

type xAction struct {
	Type                      string     `xml:"Type"`
	TargetGroupArn            string     `xml:"TargetGroupArn,omitempty"`
	AuthenticateOidcConfig    *xAuth     `xml:"AuthenticateOidcConfig,omitempty"`
	AuthenticateCognitoConfig *xAuth     `xml:"AuthenticateCognitoConfig,omitempty"`
	Order                     int        `xml:"Order,omitempty"`
	RedirectConfig            *xRedirect `xml:"RedirectConfig,omitempty"`
	FixedResponseConfig       *xFixed    `xml:"FixedResponseConfig,omitempty"`
	ForwardConfig             *xForward  `xml:"ForwardConfig,omitempty"`
	JwtValidationConfig       *xJWT      `xml:"JwtValidationConfig,omitempty"`
}

type xJWT struct {
	JwksEndpoint     string      `xml:"JwksEndpoint"`
	Issuer           string      `xml:"Issuer"`
	AdditionalClaims []xJWTClaim `xml:"AdditionalClaims>member,omitempty"`
}

type xJWTClaim struct {
	Format string   `xml:"Format"`
	Name   string   `xml:"Name"`
	Values []string `xml:"Values>member"`
}

func renderActions(as []action) []xAction {
	out := make([]xAction, 0, len(as))
	for _, a := range as {
		x := xAction{Type: a.Type, Order: a.Order}
		switch a.Type {
		case "forward":
			f := a.Forward
			if len(f.TargetGroups) == 1 {
				x.TargetGroupArn = f.TargetGroups[0].ARN
			}
			xf := &xForward{Stickiness: xStickiness{Enabled: f.Stickiness, DurationSeconds: f.StickinessDuration}}
			for _, t := range f.TargetGroups {
				w := 1
				if t.Weight != nil {
					w = *t.Weight
				}
				xf.TargetGroups = append(xf.TargetGroups, xTGTuple{TargetGroupArn: t.ARN, Weight: &w})
			}
			x.ForwardConfig = xf
		case "redirect":
			r := xRedirect(*a.Redirect)
			x.RedirectConfig = &r
		case "fixed-response":
			f := xFixed(*a.FixedResponse)
			x.FixedResponseConfig = &f
		case "authenticate-oidc":
			x.AuthenticateOidcConfig = &xAuth{fields: a.Auth, extra: a.AuthExtra}
		case "authenticate-cognito":
			x.AuthenticateCognitoConfig = &xAuth{fields: a.Auth, extra: a.AuthExtra}
		case "jwt-validation":
			j := &xJWT{JwksEndpoint: a.JWT.JwksEndpoint, Issuer: a.JWT.Issuer}
			for _, c := range a.JWT.Claims {
				j.AdditionalClaims = append(j.AdditionalClaims, xJWTClaim(c))
			}
			x.JwtValidationConfig = j
		}
		out = append(out, x)
	}
	return out
}

type xListener struct {
	ListenerArn     string         `xml:"ListenerArn"`
	LoadBalancerArn string         `xml:"LoadBalancerArn"`
	Port            int            `xml:"Port,omitempty"`
	Protocol        string         `xml:"Protocol,omitempty"`
	Certificates    []xCertificate `xml:"Certificates>member"`
	SslPolicy       string         `xml:"SslPolicy,omitempty"`
	DefaultActions  []xAction      `xml:"DefaultActions>member"`
	AlpnPolicy      []string       `xml:"AlpnPolicy>member"`
	MutualAuth      *xMutualAuth   `xml:"MutualAuthentication,omitempty"`
}

type xMutualAuth struct {
	Mode                          string  `xml:"Mode"`
	TrustStoreArn                 *string `xml:"TrustStoreArn"`
	IgnoreClientCertificateExpiry *bool   `xml:"IgnoreClientCertificateExpiry,omitempty"`
	TrustStoreAssociationStatus   string  `xml:"TrustStoreAssociationStatus,omitempty"`
	AdvertiseTrustStoreCaNames    string  `xml:"AdvertiseTrustStoreCaNames,omitempty"`
}

type listenersResult struct {
	Listeners  []xListener `xml:"Listeners>member"`
	NextMarker string      `xml:"NextMarker,omitempty"`
}

type certificatesResult struct {
	Certificates []xCertificate `xml:"Certificates>member"`
	NextMarker   string         `xml:"NextMarker,omitempty"`
}

type xValues struct {
	Values      []string `xml:"Values>member"`
	RegexValues *xList   `xml:"RegexValues,omitempty"`
}

type xHTTPHeader struct {
	HTTPHeaderName string   `xml:"HttpHeaderName"`
	Values         []string `xml:"Values>member"`
	RegexValues    *xList   `xml:"RegexValues,omitempty"`
}

// xList is a member list rendered only when it has members.
type xList struct {
	Members []string `xml:"member"`
}

func optList(s []string) *xList {
	if len(s) == 0 {
		return nil
	}
	return &xList{Members: s}
}

type xKV struct {
	Key   string `xml:"Key,omitempty"`
	Value string `xml:"Value"`
}

type xQueryString struct {
	Values []xKV `xml:"Values>member"`
}

type xCondition struct {
	Field                   string        `xml:"Field"`
	Values                  []string      `xml:"Values>member"`
	HostHeaderConfig        *xValues      `xml:"HostHeaderConfig,omitempty"`
	PathPatternConfig       *xValues      `xml:"PathPatternConfig,omitempty"`
	HTTPHeaderConfig        *xHTTPHeader  `xml:"HttpHeaderConfig,omitempty"`
	QueryStringConfig       *xQueryString `xml:"QueryStringConfig,omitempty"`
	HTTPRequestMethodConfig *xValues      `xml:"HttpRequestMethodConfig,omitempty"`
	SourceIPConfig          *xValues      `xml:"SourceIpConfig,omitempty"`
}

func renderConditions(cs []condition) []xCondition {
	out := make([]xCondition, 0, len(cs))
	for _, c := range cs {
		x := xCondition{Field: c.Field}
		switch c.Field {
		case "host-header":
			x.Values = c.Values
			x.HostHeaderConfig = &xValues{Values: c.Values, RegexValues: optList(c.RegexValues)}
		case "path-pattern":
			x.Values = c.Values
			x.PathPatternConfig = &xValues{Values: c.Values, RegexValues: optList(c.RegexValues)}
		case "http-header":
			x.HTTPHeaderConfig = &xHTTPHeader{HTTPHeaderName: c.HTTPHeaderName, Values: c.Values, RegexValues: optList(c.RegexValues)}
		case "http-request-method":
			x.HTTPRequestMethodConfig = &xValues{Values: c.Values}
		case "source-ip":
			x.SourceIPConfig = &xValues{Values: c.Values}
		case "query-string":
			q := &xQueryString{}
			for _, p := range c.QueryString {
				q.Values = append(q.Values, xKV(p))
			}
			x.QueryStringConfig = q
		}
		out = append(out, x)
	}
	return out
}

type xRule struct {
	RuleArn    string       `xml:"RuleArn"`
	Priority   string       `xml:"Priority"`
	Conditions []xCondition `xml:"Conditions>member"`
	Actions    []xAction    `xml:"Actions>member"`
	Transforms *xTransforms `xml:"Transforms,omitempty"`
	IsDefault  bool         `xml:"IsDefault"`
}

type rulesResult struct {
	Rules      []xRule `xml:"Rules>member"`
	NextMarker string  `xml:"NextMarker,omitempty"`
}

func priorityString(r *rule) string {
	if r.IsDefault {
		return "default"
	}
	return strconv.Itoa(r.Priority)
}

type xTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xTagDescription struct {
	ResourceArn string `xml:"ResourceArn"`
	Tags        []xTag `xml:"Tags>member"`
}

type tagsResult struct {
	TagDescriptions []xTagDescription `xml:"TagDescriptions>member"`
}

type xLimit struct {
	Name string `xml:"Name"`
	Max  string `xml:"Max"`
}

type limitsResult struct {
	Limits     []xLimit `xml:"Limits>member"`
	NextMarker string   `xml:"NextMarker,omitempty"`
}

type xSSLPolicy struct {
	Name                       string   `xml:"Name"`
	SslProtocols               []string `xml:"SslProtocols>member"`
	SupportedLoadBalancerTypes []string `xml:"SupportedLoadBalancerTypes>member"`
}

type sslPoliciesResult struct {
	SslPolicies []xSSLPolicy `xml:"SslPolicies>member"`
	NextMarker  string       `xml:"NextMarker,omitempty"`
}
