package elbv2

// LoadBalancer is an ELBv2 load balancer as lbsg sees it.
type LoadBalancer struct {
	ARN, Name             string
	DNSName               string
	CanonicalHostedZoneID string
	Type                  string // "network" | "application"
	Scheme                string // "internal" | "internet-facing"
	IPAddressType         string // "ipv4" | "dualstack" | …
	VPCID                 string
	State                 string // "provisioning" | "active" | …
	Subnets               []string
	SecurityGroups        []string
	// EnforcePrivateLink is EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic
	// ("on" | "off"; "" when AWS did not say).
	EnforcePrivateLink string
	Tags               map[string]string
	// Zones are the AvailabilityZones with their addresses, sorted by
	// subnet ID.
	Zones []SubnetMapping
	// SourceNAT is EnablePrefixForIpv6SourceNat ("" when AWS did not say).
	SourceNAT string
	// IPAMPool is IpamPools.Ipv4IpamPoolId ("" for none).
	IPAMPool string
	// CustomerOwnedPool is CustomerOwnedIpv4Pool ("" for none).
	CustomerOwnedPool string
}

// SubnetMapping is a subnet of a load balancer with its addresses: sent
// as SubnetMappings, read from AvailabilityZones ("" for none).
type SubnetMapping struct {
	SubnetID, Zone  string // Zone: read only
	AllocationID    string
	PrivateIPv4     string
	IPv6            string
	SourceNATPrefix string // the first of SourceNatIpv6Prefixes when read
}

// CapacityReservation is what DescribeCapacityReservation reports: the
// minimum capacity asked for (nil: none) and the state per zone.
type CapacityReservation struct {
	MinimumCapacity *int32
	// States maps zone names to provisioned | pending | rebalancing | failed.
	States map[string]string
}

// NewLoadBalancer is a load balancer to create. Security groups can only be
// given to an NLB at creation (aws-api.md §3.3), so they go here.
type NewLoadBalancer struct {
	Name          string
	Type          string
	Scheme        string
	IPAddressType string
	Subnets       []string // sent as SubnetMappings, as LBC does
	// Mappings, when set, are sent instead of Subnets (with addresses).
	Mappings       []SubnetMapping
	SourceNAT      string   // EnablePrefixForIpv6SourceNat; "" omitted
	SecurityGroups []string // omitted when empty
	IPAMPool       string   // IpamPools.Ipv4IpamPoolId; "" omitted
	// CustomerOwnedPool is CustomerOwnedIpv4Pool; "" omitted.
	CustomerOwnedPool string
	Tags              map[string]string
}

// HealthCheck is a target group's health-check settings. Zero values are
// left for AWS to default (on create) or unchanged (on modify).
type HealthCheck struct {
	Enabled            *bool
	Protocol           string // TCP | HTTP | HTTPS
	Port               string // "traffic-port" or a number
	Path               string
	Matcher            string // HTTP codes, e.g. "200-399"
	GRPCMatcher        string // gRPC codes, e.g. "12" (GRPC target groups; instead of Matcher)
	IntervalSeconds    int32
	TimeoutSeconds     int32
	HealthyThreshold   int32
	UnhealthyThreshold int32
}

// TargetGroup is an ELBv2 target group.
type TargetGroup struct {
	ARN, Name       string
	Protocol        string
	ProtocolVersion string
	Port            int32
	TargetType      string // instance | ip
	IPAddressType   string
	VPCID           string
	// TargetControlPort is the ALB target-control agent's port (nil: none).
	TargetControlPort *int32
	HealthCheck       HealthCheck
	LoadBalancerARNs  []string
	Tags              map[string]string
}

// NewTargetGroup is a target group to create.
type NewTargetGroup struct {
	Name            string
	Protocol        string
	ProtocolVersion string
	Port            int32
	VPCID           string
	TargetType      string
	IPAddressType   string
	// TargetControlPort is sent when set (ALB HTTP/HTTPS groups).
	TargetControlPort *int32
	HealthCheck       HealthCheck
	Tags              map[string]string
}

// Target is one registration: an instance ID or IP, and a port.
type Target struct {
	ID   string
	Port int32
	AZ   string // only for IPs outside the VPC ("all")
	// QUICServerID is the target's QuicServerId (QUIC and TCP_QUIC groups).
	QUICServerID string
}

// TargetHealth is a registered target and its state.
type TargetHealth struct {
	Target
	State       string // initial | healthy | unhealthy | unused | draining | unavailable
	Reason      string
	Description string
}

// Action is a listener or rule action. Forward uses TargetGroups (one with
// weight 0 is sent as a plain TargetGroupArn); Redirect, FixedResponse and
// the authentication actions are ALB only.
type Action struct {
	Type          string // forward | redirect | fixed-response | authenticate-cognito | authenticate-oidc | jwt-validation
	Order         int32  // 0: unset
	TargetGroups  []WeightedTargetGroup
	Stickiness    *Stickiness
	Redirect      *Redirect
	FixedResponse *FixedResponse
	Cognito       *AuthenticateCognito
	OIDC          *AuthenticateOIDC
	JWT           *JWTValidation
}

// AuthSession is what both authenticate actions share.
type AuthSession struct {
	ExtraParams              map[string]string
	OnUnauthenticatedRequest string
	Scope                    string
	SessionCookieName        string
	SessionTimeout           int64 // 0: unset
}

// AuthenticateCognito is an authenticate-cognito action's config.
type AuthenticateCognito struct {
	UserPoolARN, UserPoolClientID, UserPoolDomain string
	AuthSession
}

// AuthenticateOIDC is an authenticate-oidc action's config. ClientSecret
// is sent, never returned by ELBv2 ("" when read).
type AuthenticateOIDC struct {
	Issuer, AuthorizationEndpoint, TokenEndpoint, UserInfoEndpoint string
	ClientID, ClientSecret                                         string
	AuthSession
}

// JWTValidation is a jwt-validation action's config.
type JWTValidation struct {
	JwksEndpoint, Issuer string
	AdditionalClaims     []JWTClaim
}

// JWTClaim is one additional claim of a jwt-validation action.
type JWTClaim struct {
	Format, Name string
	Values       []string
}

// WeightedTargetGroup is one target group of a forward action.
type WeightedTargetGroup struct {
	ARN    string
	Weight *int32
}

// Stickiness of a weighted forward action.
type Stickiness struct {
	Enabled         bool
	DurationSeconds int32
}

// Redirect is an ALB redirect action.
type Redirect struct {
	Protocol, Host, Port, Path, Query string
	StatusCode                        string // HTTP_301 | HTTP_302
}

// FixedResponse is an ALB fixed-response action.
type FixedResponse struct {
	StatusCode, ContentType, MessageBody string
}

// Listener is an ELBv2 listener.
type Listener struct {
	ARN, LoadBalancerARN string
	Protocol             string
	Port                 int32
	SSLPolicy            string
	Certificates         []string
	ALPNPolicy           []string
	DefaultActions       []Action
	Tags                 map[string]string
	// MutualAuth is the listener's MutualAuthentication (nil: none reported).
	MutualAuth *MutualAuth
}

// MutualAuth is a listener's mutual TLS: Mode off | passthrough | verify;
// verify's trust store, IgnoreClientCertificateExpiry and
// AdvertiseTrustStoreCaNames (on | off).
type MutualAuth struct {
	Mode                          string
	TrustStoreARN                 string
	IgnoreClientCertificateExpiry bool
	AdvertiseTrustStoreCaNames    string
}

// ListenerSpec is what CreateListener and ModifyListener send.
type ListenerSpec struct {
	Protocol       string
	Port           int32
	SSLPolicy      string
	Certificates   []string
	ALPNPolicy     []string
	DefaultActions []Action
	// MutualAuth, when set, is sent (verify's members only with verify);
	// nil leaves the listener's as it is.
	MutualAuth *MutualAuth
}

// Condition is an ALB rule condition.
type Condition struct {
	Field string // host-header | path-pattern | http-header | http-request-method | query-string | source-ip
	// Values of the condition (not query-string).
	Values []string
	// RegexValues of a host-header, path-pattern or http-header condition.
	RegexValues []string
	// HTTPHeaderName for http-header.
	HTTPHeaderName string
	// QueryString pairs of a query-string condition ("" key: value only).
	QueryString []QueryPair
}

// QueryPair is one key/value of a query-string condition.
type QueryPair struct{ Key, Value string }

// Rule is an ALB listener rule.
type Rule struct {
	ARN, ListenerARN string
	Priority         string // "1"…"50000" or "default"
	IsDefault        bool
	Conditions       []Condition
	Actions          []Action
	Transforms       []Transform
	Tags             map[string]string
}

// Transform is a rule transform (host-header-rewrite | url-rewrite) with
// its regex rewrites.
type Transform struct {
	Type     string
	Rewrites []Rewrite
}

// Rewrite is one regex and its replacement.
type Rewrite struct{ Regex, Replace string }

// RuleSpec is what CreateRule and ModifyRule send. ModifyRule without
// Transforms resets the rule's transforms, as LBC does.
type RuleSpec struct {
	Priority   int32 // create only
	Conditions []Condition
	Actions    []Action
	Transforms []Transform
}
