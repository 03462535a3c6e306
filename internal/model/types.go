package model

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// Defaults are the controller-wide settings that shape a Stack.
type Defaults struct {
	ClusterName string
	// EnableBackendSG is --enable-backend-security-group.
	EnableBackendSG bool
	// ManageBackendSGRules is --enable-manage-backend-security-group-rules.
	ManageBackendSGRules bool
	// DisableRestrictedSGRules opens all ports on target rules.
	DisableRestrictedSGRules bool
	DefaultTags              map[string]string
	ExternalManagedTags      []string
	// DefaultTagsLowPriority is gate EnableDefaultTagsLowPriority.
	DefaultTagsLowPriority bool
	// NLBSecurityGroups is gate NLBSecurityGroup (LBC default true).
	NLBSecurityGroups bool
	// LoadBalancerClass is --load-balancer-class ("" = service.k8s.aws/nlb).
	LoadBalancerClass string
	// ServiceTypeLoadBalancerOnly is the gate of the same name.
	ServiceTypeLoadBalancerOnly bool
	// TargetSGTags is --service-target-eni-security-group-tags.
	TargetSGTags map[string]string
	// DefaultTargetType is --default-target-type (instance | ip; "" =
	// instance): the target type without the nlb-target-type annotation.
	DefaultTargetType string
	// DefaultScheme is --default-load-balancer-scheme (internal |
	// internet-facing; "" = internal): the scheme without a scheme
	// annotation or an existing load balancer.
	DefaultScheme string
	// DefaultSSLPolicy is --default-ssl-policy ("" = DefaultSSLPolicy): the
	// policy of HTTPS listeners without an ssl-policy setting.
	DefaultSSLPolicy string
	// NoCapacityReservation is gate LBCapacityReservation off: the
	// minimum-load-balancer-capacity settings are ignored.
	NoCapacityReservation bool
	// FailMissingBackendAction is --tolerate-non-existent-backend-action=false:
	// a use-annotation backend without its actions annotation is an error
	// instead of a 503 fixed response.
	FailMissingBackendAction bool
	// NoWeightedTargetGroups is gate WeightedTargetGroups off: an NLB
	// listener's or an Ingress's actions annotation may name one target
	// group only, which gets a plain forward (as LBC writes it then).
	NoWeightedTargetGroups bool
	// ALBSingleSubnet is gate ALBSingleSubnet: an ALB in Availability
	// Zones needs one subnet instead of two (for accounts AWS allows it).
	ALBSingleSubnet bool
	// TCPUDPListeners is gate EnableTCPUDPListener: a Service without the
	// enable-tcp-udp-listener annotation merges TCP and UDP entries on one
	// port into a TCP_UDP listener, as if the annotation were "true".
	TCPUDPListeners bool
	// AllowedCAs is --allowed-certificate-authority-arns:
	// certificate discovery uses only certificates these CAs issued (empty:
	// any certificate).
	AllowedCAs []string
	// CertificateManagement is gate EnableCertificateManagement:
	// create-acm-cert requests certificates lbsg owns (off: an Ingress
	// asking for one is refused).
	CertificateManagement bool
	// DefaultPCAARN is --default-pca-arn: the private CA of those
	// certificates without acm-pca-arn ("" = Amazon issued).
	DefaultPCAARN string
}

// DefaultSSLPolicy is LBC's --default-ssl-policy default.
const DefaultSSLPolicy = "ELBSecurityPolicy-2016-08"

// SecurityGroupLookup is what the controller found for the items of
// security-groups annotations (IngressSecurityGroupItems): ByID holds the
// sg-… items DescribeSecurityGroups returned, ByName the SG IDs carrying
// each Name tag in the VPC. The builder resolves the group's list from it
// with ResolveSecurityGroups.
type SecurityGroupLookup struct {
	ByID   map[string]bool
	ByName map[string][]string
}

// Subnet is a subnet of the controller's VPC.
type Subnet struct {
	ID, AZ, CIDR string
	Tags         map[string]string
	AvailableIPs int32
	HasIPv6      bool
	// IPv6CIDRs are the subnet's associated IPv6 blocks.
	IPv6CIDRs []string
	// OutpostARN is the Outpost the subnet is on ("" for none).
	OutpostARN string `json:",omitempty"`
}

// SecurityGroupInfo is an SG on a node's primary ENI.
type SecurityGroupInfo struct {
	ID   string
	Tags map[string]string
}

// Node is a cluster node with its EC2 instance and primary-ENI SGs, and
// what decides whether it is an instance target (TargetNodes).
type Node struct {
	Name       string
	InstanceID string // from spec.providerID; "" when not an EC2 node
	ENIID      string
	// SecurityGroups of the primary ENI (device index 0).
	SecurityGroups []SecurityGroupInfo
	Labels         map[string]string
	Taints         []corev1.Taint
	// Ready is the status of the node's Ready condition; "" when it has
	// none (treated as not ready).
	Ready corev1.ConditionStatus
}

// Endpoint is a ready address of the Service's EndpointSlices.
type Endpoint struct {
	IP       string
	NodeName string
	// Ports maps EndpointSlice port names ("" for an unnamed port) to ports.
	Ports map[string]int32
	// Pod and PodUID name the endpoint's pod (its targetRef), if any.
	Pod    string
	PodUID string
	// QUIC is the pod's QUIC server IDs (PodQUICServerIDs), read only for
	// Services with QUIC ports.
	QUIC *PodQUIC
}

// ExistingLB is what the controller observed of the Service's NLB.
type ExistingLB struct {
	Scheme         string
	SecurityGroups []string
	Subnets        []string
}

// Facts are the cloud and cluster facts a Stack depends on.
type Facts struct {
	// Subnets of the VPC, for discovery and name resolution.
	Subnets []Subnet
	// ExistingLB is nil when the Service (or Ingress group) has no load
	// balancer yet.
	ExistingLB *ExistingLB
	// ManualSecurityGroups are the resolved IDs of the security-groups
	// annotation (see ResolveSecurityGroups); ignored when the annotation is
	// absent.
	ManualSecurityGroups []string
	// ManualSecurityGroupsErr is the resolution failure, if any: Build then
	// fails with it and nothing is changed.
	ManualSecurityGroupsErr error
	// SecurityGroupLookup, when set, is used by BuildIngressGroup instead of
	// ManualSecurityGroups: the group's security-groups list is only known
	// once its members are merged.
	SecurityGroupLookup *SecurityGroupLookup
	Nodes               []Node
	Endpoints           []Endpoint
	// VPCCIDRs are the VPC's IPv4 CIDRs (legacy rules of internal NLBs).
	VPCCIDRs []string
	// TrustStoreARNs are the trust stores the members' mutual-authentication
	// annotations name by name (IngressTrustStoreNames), name → ARN; a name
	// missing here was not found.
	TrustStoreARNs map[string]string
	// TargetGroupARNs are the target groups the members' actions
	// annotations name by targetGroupName (IngressTargetGroupNames), name →
	// ARN, as the controller found them; a name missing here was not found.
	TargetGroupARNs map[string]string
	// Certificates are the account's ISSUED ACM certificates, for the
	// members whose HTTPS listeners discover theirs
	// (IngressCertificateHosts); read only when some member does.
	Certificates []Certificate
	// ManagedCertificates are the ISSUED certificates lbsg requested for
	// the members (IngressManagedCertificates), resource ID → ARN.
	ManagedCertificates map[string]string
	// WebACLARNs are the WAFv2 REGIONAL web ACLs the members name
	// (IngressWebACLNames), name → ARN; a name missing here was not found.
	WebACLARNs map[string]string
}

// Warning is something Build or PackTargetRules wants the user to know.
type Warning struct {
	Reason  string // an events reason
	Message string
}

// Warning reasons (same strings as package events).
const (
	WarnLBWithoutSGs      = "LoadBalancerWithoutSecurityGroups"
	WarnTargetSGAmbiguous = "TargetSecurityGroupAmbiguous"
	WarnRulesPacked       = "RulesPacked"
)

// SGRef is one entry of the LB's SG list.
type SGRef struct {
	Kind RefKind
	ID   string // for RefID
}

// RefKind says which SG an SGRef or a target rule's source means.
type RefKind int

// Reference kinds.
const (
	RefID RefKind = iota + 1
	RefManaged
	RefBackend
	// RefCIDR: a CIDR source, for NLBs without SGs (§6.4).
	RefCIDR
)

func (k RefKind) String() string {
	switch k {
	case RefManaged:
		return "managed"
	case RefBackend:
		return "backend"
	case RefID:
		return "id"
	case RefCIDR:
		return "cidr"
	}
	return "none"
}

// Stack is the desired state of one Service.
type Stack struct {
	ID  naming.Stack
	UID string
	// LoadBalancer is nil for an empty stack (teardown).
	LoadBalancer *LoadBalancer
	// ManagedSG is the managed frontend SG; nil with manual SGs or none.
	ManagedSG    *ManagedSG
	TargetGroups []TargetGroup // by ServicePort
	Listeners    []Listener    // by Port
	// TargetRules are the rules the Stack needs on target SGs; Source says
	// which SG they come from.
	TargetRules []TargetRule
	// Frontend is an Ingress group's frontend NLB (enable-frontend-nlb);
	// nil without one.
	Frontend *FrontendNLB `json:",omitempty"`
	// Addons are an ALB's WAF and Shield asks (zero: none, and nothing of
	// AWS's is touched).
	Addons Addons
}

// FrontendNLB is the NLB LBC puts in front of an ALB: TCP listeners, each
// forwarding to a target group of type alb whose single target is the
// Stack's ALB (ID ALBTarget) on an ALB listener port.
type FrontendNLB struct {
	LoadBalancer LoadBalancer
	Listeners    []Listener    // by Port; TargetGroup names a TargetGroups ResourceID
	TargetGroups []TargetGroup // by Port
	// StatusOnly: the Ingresses' status shows the NLB's DNS name alone
	// (frontend-nlb-status-only on every member asking for it).
	StatusOnly map[string]bool `json:"-"`
}

// ALBTarget is the target ID of a frontend NLB target group standing for
// the Stack's ALB, whose ARN is only known once it exists.
const ALBTarget = "<alb>"

// TargetTypeALB is the target type of a frontend NLB's target groups.
const TargetTypeALB = "alb"

// UsesBackendSG reports whether the Stack needs the shared backend SG.
func (s Stack) UsesBackendSG() bool {
	if s.LoadBalancer == nil {
		return false
	}
	for _, r := range s.LoadBalancer.SecurityGroups {
		if r.Kind == RefBackend {
			return true
		}
	}
	return false
}

// Load balancer types (ELBv2 Type).
const (
	TypeNetwork     = "network"
	TypeApplication = "application"
)

// LoadBalancer is the desired NLB or ALB.
type LoadBalancer struct {
	Name string
	// Type is TypeNetwork ("" means network, for Services) or TypeApplication.
	Type          string
	Scheme        string // internal | internet-facing
	IPAddressType string // ipv4 | dualstack
	Subnets       []string
	// SecurityGroups in LBC's order: managed or manual, then backend.
	// Empty: the NLB has (or gets) no SGs.
	SecurityGroups []SGRef
	Tags           map[string]string
	// Attributes to set (load-balancer-attributes; on NLBs with the
	// deprecated access-log and cross-zone annotations); keys absent keep
	// their AWS value.
	Attributes map[string]string
	// SubnetMappings are the addresses asked for per subnet, in the order
	// of Subnets; nil when no address annotation is set.
	SubnetMappings []SubnetMapping `json:",omitempty"`
	// SourceNATPrefix is EnablePrefixForIpv6SourceNat ("on" | "off"; ""
	// when not asked for: AWS's value is kept).
	SourceNATPrefix string `json:",omitempty"`
	// PrivateLinkInbound is EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic
	// ("on" | "off"; "" keeps AWS's value). NLBs with SGs only.
	PrivateLinkInbound string `json:",omitempty"`
	// MinimumCapacity is the capacity reservation in capacity units: nil
	// leaves the reservation alone, 0 resets it.
	MinimumCapacity *int32 `json:",omitempty"`
	// IPAMPool is the IPAM pool of an ALB's IPv4 addresses (ipam-ipv4-pool-id,
	// IngressClassParams ipamConfiguration); "" means none (one AWS has is
	// removed, as LBC does).
	IPAMPool string `json:",omitempty"`
	// CustomerOwnedPool is the customer-owned IPv4 pool of an ALB on an
	// Outpost (customer-owned-ipv4-pool; "" none). It is sent on
	// CreateLoadBalancer only: AWS cannot change it, and LBC only logs a
	// difference on an existing ALB.
	CustomerOwnedPool string `json:",omitempty"`
}

// SubnetMapping is one subnet of a load balancer with the addresses it
// takes there ("" for none).
type SubnetMapping struct {
	SubnetID        string
	AllocationID    string `json:",omitempty"`
	PrivateIPv4     string `json:",omitempty"`
	IPv6            string `json:",omitempty"`
	SourceNATPrefix string `json:",omitempty"`
}

// IsALB reports whether the load balancer is an application load balancer.
func (lb *LoadBalancer) IsALB() bool { return lb != nil && lb.Type == TypeApplication }

// ManagedSG is a Stack's managed frontend SG.
type ManagedSG struct {
	Name, Description string
	Tags              map[string]string
	// Ingress rules; descriptions are "" (LBC writes none on this SG).
	Ingress rules.Set
}

// HealthCheck is a target group's health check.
type HealthCheck struct {
	Protocol           string // TCP | HTTP | HTTPS
	Port               string // "traffic-port" or a number
	Path               string // HTTP/HTTPS only
	Interval, Timeout  int32
	Healthy, Unhealthy int32
	Matcher            string // HTTP/HTTPS only
}

// Target is one registered target.
type Target struct {
	ID   string // instance ID or IP
	Port int32
	// QUICServerID is set for targets of QUIC and TCP_QUIC groups only.
	QUICServerID string
}

// TargetGroup is the target group of one Service port.
type TargetGroup struct {
	ResourceID  string // ns/name:port
	Name        string
	ServicePort int32
	Port        int32
	Protocol    string // TCP | UDP | TCP_UDP | TLS | QUIC | TCP_QUIC; HTTP | HTTPS for ALBs
	// ProtocolVersion is HTTP1 | HTTP2 | GRPC for ALB target groups, "" for NLBs.
	ProtocolVersion string
	TargetType      string // instance | ip
	IPAddressType   string // ipv4 | ipv6
	// TargetControlPort is the ALB target-control agent's port
	// (target-control-port.<service>.<port>; ALB ip groups only); fixed at
	// creation, so a change replaces the group.
	TargetControlPort *int32 `json:",omitempty"`
	HealthCheck       HealthCheck
	Targets           []Target // sorted
	Tags              map[string]string
	// Attributes to set (target-group-attributes; on NLB groups always
	// proxy_protocol_v2.enabled, as LBC sets it); keys absent keep their
	// AWS value.
	Attributes map[string]string
	// MultiCluster: the group is shared with other clusters
	// (multi-cluster-target-group), so a target is deregistered only if
	// Tracked holds it.
	MultiCluster bool
	// Tracked are the targets the record says this cluster registered
	// (multi-cluster groups only; filled by the deployer from
	// internal/controller/multicluster, not by Build). nil, with no record
	// yet, deregisters nothing. Not part of the fingerprint: it follows
	// Targets once applied.
	Tracked []Target `json:"-"`
	// Backend is the Service whose endpoints are the targets, ns/name
	// (the readiness gates of its pods name this group). Not part of the
	// fingerprint: the name already follows from it.
	Backend string `json:"-"`
}

// Listener forwards one port to a target group (NLB), or runs a default
// action and rules (ALB).
type Listener struct {
	Port     int32
	Protocol string
	// TargetGroup is the ResourceID of the target group an NLB listener
	// forwards to; ALB listeners use DefaultAction instead.
	TargetGroup string
	// DefaultAction is the ALB listener's default action; on an NLB
	// listener the weighted forward of its actions.<PROTOCOL>-<port>
	// annotation (its Forward names TargetGroup too), nil for the plain
	// forward to TargetGroup.
	DefaultAction *Action
	// DefaultAuth, when set, authenticates before DefaultAction (an HTTPS
	// listener whose default backend asks for authentication).
	DefaultAuth *Action
	// Certificates: the first is the default certificate (HTTPS/TLS); all
	// of them, the default one included, also go on the listener's
	// certificate list (AddListenerCertificates), as LBC does.
	Certificates []string
	SSLPolicy    string
	// ALPNPolicy of a TLS listener ("" = not stated: AWS's value is kept).
	ALPNPolicy string
	// Rules of an ALB listener, by ascending Priority (1, 2, …).
	Rules []ListenerRule
	Tags  map[string]string
	// Attributes to set (listener-attributes.<PROTOCOL>-<port>); keys
	// absent keep their AWS value. nil: none.
	Attributes map[string]string
	// MutualAuth is the HTTPS listener's mutual TLS (mutual-authentication);
	// nil: not stated, AWS's setting is kept (LBC without
	// EnhancedDefaultBehavior).
	MutualAuth *MutualAuth `json:",omitempty"`
}

// MutualAuth is a listener's mutual TLS: Mode off, passthrough or verify;
// verify has a trust store, IgnoreClientCertificateExpiry and
// AdvertiseTrustStoreCaNames (on | off, default off).
type MutualAuth struct {
	Mode                          string
	TrustStoreARN                 string `json:",omitempty"`
	IgnoreClientCertificateExpiry bool   `json:",omitempty"`
	AdvertiseTrustStoreCaNames    string `json:",omitempty"`
}

// Action types of ALB listeners and rules.
const (
	ActionForward       = "forward"
	ActionRedirect      = "redirect"
	ActionFixedResponse = "fixed-response"
	// Authentication actions: on HTTPS listeners only, before the one
	// terminal action above.
	ActionAuthenticateCognito = "authenticate-cognito"
	ActionAuthenticateOIDC    = "authenticate-oidc"
	ActionJWTValidation       = "jwt-validation"
)

// Action is an ALB listener or rule action.
type Action struct {
	Type string // ActionForward | ActionRedirect | ActionFixedResponse
	// TargetGroup is the ResourceID of a plain forward's target (a Service
	// backend); "" when Forward is set.
	TargetGroup string
	// Forward is the forward of an actions.<name> annotation: weighted
	// target groups (Stack target groups or target groups by ARN) and
	// stickiness. nil for a plain forward.
	Forward       *Forward
	Redirect      *Redirect
	FixedResponse *FixedResponse
	// AuthCognito, AuthOIDC and JWT configure the authentication actions.
	AuthCognito *AuthCognito
	AuthOIDC    *AuthOIDC
	JWT         *JWTValidation
}

// AuthSession is what both authenticate actions share.
type AuthSession struct {
	// ExtraParams is AuthenticationRequestExtraParams (nil: none).
	ExtraParams              map[string]string
	OnUnauthenticatedRequest string // authenticate | allow | deny
	Scope                    string
	SessionCookieName        string
	SessionTimeout           int64
}

// AuthCognito is an authenticate-cognito action's config.
type AuthCognito struct {
	UserPoolARN, UserPoolClientID, UserPoolDomain string
	AuthSession
}

// AuthOIDC is an authenticate-oidc action's config. ELBv2 never returns
// the client secret: ClientSecret is written, never compared or
// fingerprinted; SecretHash (a digest of it) stands for it there and is
// known on the observed side only for what lbsg wrote since it started.
type AuthOIDC struct {
	Issuer, AuthorizationEndpoint, TokenEndpoint, UserInfoEndpoint string
	ClientID                                                       string
	ClientSecret                                                   string `json:"-"`
	SecretHash                                                     string
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

// IsAuth reports whether the action authenticates (it precedes the
// terminal action).
func (a Action) IsAuth() bool {
	return a.Type == ActionAuthenticateCognito || a.Type == ActionAuthenticateOIDC || a.Type == ActionJWTValidation
}

// Forward is a forward action to one or more weighted target groups.
type Forward struct {
	TargetGroups []WeightedTarget
	Stickiness   *Stickiness
}

// WeightedTarget is one target group of a Forward: a Stack target group
// (TargetGroup, its ResourceID) or one lbsg does not manage (ARN).
type WeightedTarget struct {
	TargetGroup string
	ARN         string
	Weight      *int32 // nil: unset (AWS counts 1)
}

// Stickiness is a forward's target-group stickiness as the annotation
// states it; nil fields are unset.
type Stickiness struct {
	Enabled         *bool
	DurationSeconds *int32
}

// TargetGroupIDs are the ResourceIDs of the Stack target groups the action
// forwards to.
func (a Action) TargetGroupIDs() []string {
	if a.TargetGroup != "" {
		return []string{a.TargetGroup}
	}
	if a.Forward == nil {
		return nil
	}
	var out []string
	for _, t := range a.Forward.TargetGroups {
		if t.TargetGroup != "" {
			out = append(out, t.TargetGroup)
		}
	}
	return out
}

// Redirect is a redirect action's config; empty fields keep AWS's
// "#{…}" defaults.
type Redirect struct {
	Protocol, Port, Host, Path, Query string
	StatusCode                        string // HTTP_301 | HTTP_302
}

// FixedResponse is a fixed-response action's config.
type FixedResponse struct {
	StatusCode, ContentType, MessageBody string
}

// Condition is one ALB rule condition, e.g. {host-header, [a.example.com]}.
type Condition struct {
	Field string // host-header | path-pattern | http-header | http-request-method | query-string | source-ip
	// Values (all fields but query-string); host-header, path-pattern and
	// http-header have either Values or RegexValues.
	Values      []string
	RegexValues []string
	// HTTPHeaderName of an http-header condition.
	HTTPHeaderName string
	// QueryString pairs of a query-string condition.
	QueryString []QueryPair
}

// QueryPair is one key/value of a query-string condition ("" key: the
// value alone).
type QueryPair struct {
	Key, Value string
}

// ListenerRule is one non-default rule of an ALB listener.
type ListenerRule struct {
	Priority   int32
	Conditions []Condition
	Actions    []Action
	// Transforms rewrite matching requests (transforms.<name>).
	Transforms []Transform
	Tags       map[string]string
}

// Rule transform types.
const (
	TransformHostHeaderRewrite = "host-header-rewrite"
	TransformURLRewrite        = "url-rewrite"
)

// Transform is a rule transform: its type and regex rewrites.
type Transform struct {
	Type     string // TransformHostHeaderRewrite | TransformURLRewrite
	Rewrites []Rewrite
}

// Rewrite replaces what Regex matches with Replace.
type Rewrite struct {
	Regex, Replace string
}

// TargetRule is one inbound rule a Stack needs on a target SG.
type TargetRule struct {
	GroupID  string
	Source   RefKind // RefBackend, RefManaged or RefCIDR
	CIDR     string  // for RefCIDR (legacy SG-less NLBs)
	Protocol string  // tcp | udp
	FromPort int32
	ToPort   int32
}

// DefaultActions is an ALB listener's default action list: DefaultAuth (if
// any) then DefaultAction; nil when DefaultAction is.
func (l Listener) DefaultActions() []Action {
	if l.DefaultAction == nil {
		return nil
	}
	if l.DefaultAuth != nil {
		return []Action{*l.DefaultAuth, *l.DefaultAction}
	}
	return []Action{*l.DefaultAction}
}
