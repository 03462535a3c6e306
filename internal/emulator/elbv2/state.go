package elbv2

import (
	"sort"
	"time"
)

// state is everything the backend knows; it is what Snapshot serialises.
// Maps are keyed by ARN; Seq orders resources by creation.
type state struct {
	Seq           int64                    `json:"seq"`
	LoadBalancers map[string]*loadBalancer `json:"loadBalancers"`
	TargetGroups  map[string]*targetGroup  `json:"targetGroups"`
	Listeners     map[string]*listener     `json:"listeners"`
	Rules         map[string]*rule         `json:"rules"`
	TrustStores   map[string]*trustStore   `json:"trustStores,omitempty"`
	// IPAMPools are the account's public IPv4 IPAM pools (AddIPAMPool).
	IPAMPools []string `json:"ipamPools,omitempty"`
	// SingleSubnetALB: the account may create an ALB in one Availability
	// Zone subnet (AWS allows it to accounts it has enabled; LBC's gate
	// ALBSingleSubnet is for them). Otherwise an ALB needs two.
	SingleSubnetALB bool `json:"singleSubnetALB,omitempty"`
}

func newState() *state {
	s := &state{}
	s.fill()
	return s
}

// fill replaces nil maps after decoding.
func (s *state) fill() {
	if s.LoadBalancers == nil {
		s.LoadBalancers = map[string]*loadBalancer{}
	}
	if s.TargetGroups == nil {
		s.TargetGroups = map[string]*targetGroup{}
	}
	if s.Listeners == nil {
		s.Listeners = map[string]*listener{}
	}
	if s.Rules == nil {
		s.Rules = map[string]*rule{}
	}
	if s.TrustStores == nil {
		s.TrustStores = map[string]*trustStore{}
	}
}

func (s *state) next() int64 {
	s.Seq++
	return s.Seq
}

type tag struct {
	Key   string    `json:"key"`
	Value string    `json:"value"`
	Set   time.Time `json:"set"`
}

type lbSubnet struct {
	SubnetID     string `json:"subnetId"`
	Zone         string `json:"zone"`
	ZoneID       string `json:"zoneId,omitempty"`
	ENI          string `json:"eni,omitempty"`
	AllocationID string `json:"allocationId,omitempty"`
	PublicIP     string `json:"publicIp,omitempty"` // the allocation's
	PrivateIPv4  string `json:"privateIPv4,omitempty"`
	IPv6         string `json:"ipv6,omitempty"`
	// SourceNatPrefix is the subnet's source-NAT IPv6 prefix (a /80 of
	// its IPv6 block; "" for none).
	SourceNatPrefix string `json:"sourceNatPrefix,omitempty"`
	// Outpost is the subnet's Outpost ARN ("" for none).
	Outpost string `json:"outpost,omitempty"`
}

type loadBalancer struct {
	Seq            int64                `json:"seq"`
	ARN            string               `json:"arn"`
	Name           string               `json:"name"`
	ID             string               `json:"id"`
	Type           string               `json:"type"`
	Scheme         string               `json:"scheme"`
	IPAddressType  string               `json:"ipAddressType"`
	VPCID          string               `json:"vpcId"`
	DNSName        string               `json:"dnsName"`
	HostedZone     string               `json:"hostedZone"`
	Created        time.Time            `json:"created"`
	Subnets        []lbSubnet           `json:"subnets"`
	SecurityGroups []string             `json:"securityGroups,omitempty"`
	CreatedWithSGs bool                 `json:"createdWithSGs"`
	Enforce        string               `json:"enforce,omitempty"`
	SourceNat      string               `json:"enablePrefixForIpv6SourceNat,omitempty"` // "" (older snapshots): see sourceNat
	Attributes     map[string]string    `json:"attributes"`
	Tags           []tag                `json:"tags,omitempty"`
	Capacity       *capacityReservation `json:"capacity,omitempty"`
	IPAMPool       string               `json:"ipamPool,omitempty"` // IpamPools.Ipv4IpamPoolId
	// CustomerOwnedPool is CustomerOwnedIpv4Pool, fixed at creation.
	CustomerOwnedPool string `json:"customerOwnedIpv4Pool,omitempty"`
}

type target struct {
	ID           string     `json:"id"`
	Port         int        `json:"port"`
	AZ           string     `json:"az,omitempty"`
	QuicServerID string     `json:"quicServerId,omitempty"`
	Registered   time.Time  `json:"registered"`
	Deregistered *time.Time `json:"deregistered,omitempty"`
	DrainUntil   *time.Time `json:"drainUntil,omitempty"`
	// Unhealthy: marked failing by the control API (MarkTargetHealth)
	// until marked healthy or registered again.
	Unhealthy bool `json:"unhealthy,omitempty"`
}

type targetGroup struct {
	Seq                        int64             `json:"seq"`
	ARN                        string            `json:"arn"`
	Name                       string            `json:"name"`
	Protocol                   string            `json:"protocol,omitempty"`
	ProtocolVersion            string            `json:"protocolVersion,omitempty"`
	Port                       int               `json:"port,omitempty"`
	VPCID                      string            `json:"vpcId,omitempty"`
	TargetType                 string            `json:"targetType"`
	IPAddressType              string            `json:"ipAddressType,omitempty"`
	HealthCheckEnabled         bool              `json:"healthCheckEnabled"`
	HealthCheckProtocol        string            `json:"healthCheckProtocol,omitempty"`
	HealthCheckPort            string            `json:"healthCheckPort,omitempty"`
	HealthCheckPath            string            `json:"healthCheckPath,omitempty"`
	HealthCheckIntervalSeconds int               `json:"healthCheckIntervalSeconds"`
	HealthCheckTimeoutSeconds  int               `json:"healthCheckTimeoutSeconds"`
	HealthyThresholdCount      int               `json:"healthyThresholdCount"`
	UnhealthyThresholdCount    int               `json:"unhealthyThresholdCount"`
	MatcherHTTPCode            string            `json:"matcherHttpCode,omitempty"`
	MatcherGRPCCode            string            `json:"matcherGrpcCode,omitempty"`
	TargetControlPort          int               `json:"targetControlPort,omitempty"`
	Attributes                 map[string]string `json:"attributes"`
	Targets                    []*target         `json:"targets,omitempty"`
	Tags                       []tag             `json:"tags,omitempty"`
	Created                    time.Time         `json:"created"`
}

type certificate struct {
	ARN       string `json:"arn"`
	IsDefault bool   `json:"isDefault"`
}

type listener struct {
	Seq          int64         `json:"seq"`
	ARN          string        `json:"arn"`
	LoadBalancer string        `json:"loadBalancer"`
	Protocol     string        `json:"protocol,omitempty"`
	Port         int           `json:"port,omitempty"`
	SslPolicy    string        `json:"sslPolicy,omitempty"`
	Certificates []certificate `json:"certificates,omitempty"`
	AlpnPolicy   []string      `json:"alpnPolicy,omitempty"`
	MutualAuth   string        `json:"mutualAuthentication,omitempty"` // Mode: "", off, passthrough or verify
	// MutualVerify holds mode verify's settings.
	MutualVerify *mutualVerify `json:"mutualVerify,omitempty"`
	// MutualEmptyTrustStore: off or passthrough came with an empty
	// TrustStoreArn, which is reported back as given [?].
	MutualEmptyTrustStore bool              `json:"mutualEmptyTrustStore,omitempty"`
	DefaultActions        []action          `json:"defaultActions"`
	DefaultRule           string            `json:"defaultRule"`
	Attributes            map[string]string `json:"attributes,omitempty"`
	Tags                  []tag             `json:"tags,omitempty"`
	Created               time.Time         `json:"created"`
}

// mutualVerify is mutual authentication mode verify's configuration.
type mutualVerify struct {
	TrustStoreArn string `json:"trustStoreArn"`
	IgnoreExpiry  bool   `json:"ignoreClientCertificateExpiry,omitempty"`
	Advertise     string `json:"advertiseTrustStoreCaNames"` // on | off
}

type rule struct {
	Seq        int64       `json:"seq"`
	ARN        string      `json:"arn"`
	Listener   string      `json:"listener"`
	Priority   int         `json:"priority"` // 0 for the default rule
	IsDefault  bool        `json:"isDefault"`
	Conditions []condition `json:"conditions,omitempty"`
	Actions    []action    `json:"actions,omitempty"` // the default rule uses its listener's
	Transforms []transform `json:"transforms,omitempty"`
	Tags       []tag       `json:"tags,omitempty"`
	Created    time.Time   `json:"created"`
}

type tgTuple struct {
	ARN    string `json:"arn"`
	Weight *int   `json:"weight,omitempty"`
}

type forwardConfig struct {
	TargetGroups       []tgTuple `json:"targetGroups"`
	Stickiness         bool      `json:"stickiness"`
	StickinessSet      bool      `json:"stickinessSet,omitempty"`
	StickinessDuration int       `json:"stickinessDuration,omitempty"`
}

type redirectConfig struct {
	Protocol   string `json:"protocol,omitempty"`
	Port       string `json:"port,omitempty"`
	Host       string `json:"host,omitempty"`
	Path       string `json:"path,omitempty"`
	Query      string `json:"query,omitempty"`
	StatusCode string `json:"statusCode"`
}

type fixedResponseConfig struct {
	MessageBody string `json:"messageBody,omitempty"`
	StatusCode  string `json:"statusCode"`
	ContentType string `json:"contentType,omitempty"`
}

// action is a listener or rule action. Authentication configs are kept as
// their flat scalar members (ClientId, Issuer, …) and their
// AuthenticationRequestExtraParams map.
type action struct {
	Type          string               `json:"type"`
	Order         int                  `json:"order,omitempty"`
	Forward       *forwardConfig       `json:"forward,omitempty"`
	Redirect      *redirectConfig      `json:"redirect,omitempty"`
	FixedResponse *fixedResponseConfig `json:"fixedResponse,omitempty"`
	Auth          map[string]string    `json:"auth,omitempty"`
	AuthExtra     map[string]string    `json:"authExtra,omitempty"`
	JWT           *jwtConfig           `json:"jwt,omitempty"`
}

// jwtConfig is a jwt-validation action's JwtValidationConfig.
type jwtConfig struct {
	JwksEndpoint string     `json:"jwksEndpoint"`
	Issuer       string     `json:"issuer"`
	Claims       []jwtClaim `json:"claims,omitempty"`
}

type jwtClaim struct {
	Format string   `json:"format"`
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// targetGroups lists the ARNs an action forwards to.
func (a action) targetGroups() []string {
	if a.Forward == nil {
		return nil
	}
	out := make([]string, 0, len(a.Forward.TargetGroups))
	for _, t := range a.Forward.TargetGroups {
		out = append(out, t.ARN)
	}
	return out
}

type kv struct {
	Key   string `json:"key,omitempty"`
	Value string `json:"value"`
}

type condition struct {
	Field             string   `json:"field"`
	Values            []string `json:"values,omitempty"` // host-header and path-pattern
	HTTPHeaderName    string   `json:"httpHeaderName,omitempty"`
	QueryString       []kv     `json:"queryString,omitempty"`
	LegacyValues      bool     `json:"legacyValues,omitempty"` // given as Values, echoed as Values too
	RegexValues       []string `json:"regexValues,omitempty"`
	SourceIPAddresses []string `json:"sourceIp,omitempty"`
}

// sorted helpers: every Describe result is in creation order.

func sortStrings(s []string) { sort.Strings(s) }

func (s *state) loadBalancerList() []*loadBalancer {
	out := make([]*loadBalancer, 0, len(s.LoadBalancers))
	for _, lb := range s.LoadBalancers {
		out = append(out, lb)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

func (s *state) targetGroupList() []*targetGroup {
	out := make([]*targetGroup, 0, len(s.TargetGroups))
	for _, tg := range s.TargetGroups {
		out = append(out, tg)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

func (s *state) listenersOf(lbARN string) []*listener {
	var out []*listener
	for _, l := range s.Listeners {
		if l.LoadBalancer == lbARN {
			out = append(out, l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// rulesOf returns a listener's rules by priority, the default rule last.
func (s *state) rulesOf(listenerARN string) []*rule {
	var out []*rule
	for _, r := range s.Rules {
		if r.Listener == listenerARN {
			out = append(out, r)
		}
	}
	sortRules(out)
	return out
}

func sortRules(rs []*rule) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.IsDefault != b.IsDefault {
			return !a.IsDefault
		}
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		return a.Seq < b.Seq
	})
}

// actionsOf is a rule's effective actions.
func (s *state) actionsOf(r *rule) []action {
	if r.IsDefault {
		if l := s.Listeners[r.Listener]; l != nil {
			return l.DefaultActions
		}
	}
	return r.Actions
}

// usersOf returns the load balancers whose listeners or rules forward to tg,
// sorted.
func (s *state) usersOf(tgARN string) []string {
	set := map[string]bool{}
	for _, l := range s.Listeners {
		for _, a := range l.DefaultActions {
			for _, t := range a.targetGroups() {
				if t == tgARN {
					set[l.LoadBalancer] = true
				}
			}
		}
	}
	for _, r := range s.Rules {
		if r.IsDefault {
			continue
		}
		for _, a := range r.Actions {
			for _, t := range a.targetGroups() {
				if t == tgARN {
					if l := s.Listeners[r.Listener]; l != nil {
						set[l.LoadBalancer] = true
					}
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// tgsOfLB returns the target groups a load balancer forwards to.
func (s *state) tgsOfLB(lbARN string) map[string]bool {
	set := map[string]bool{}
	for _, l := range s.listenersOf(lbARN) {
		for _, a := range l.DefaultActions {
			for _, t := range a.targetGroups() {
				set[t] = true
			}
		}
		for _, r := range s.rulesOf(l.ARN) {
			if r.IsDefault {
				continue
			}
			for _, a := range r.Actions {
				for _, t := range a.targetGroups() {
					set[t] = true
				}
			}
		}
	}
	return set
}
