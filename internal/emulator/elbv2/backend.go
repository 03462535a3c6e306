package elbv2

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// Quotas are the ELBv2 service quotas the emulator enforces (aws-api.md §4).
// DescribeAccountLimits reports them.
type Quotas struct {
	ApplicationLoadBalancers        int // per Region: TooManyLoadBalancers
	NetworkLoadBalancers            int // per Region: TooManyLoadBalancers
	GatewayLoadBalancers            int // per Region: TooManyLoadBalancers
	TargetGroups                    int // per Region: TooManyTargetGroups
	ListenersPerALB                 int // TooManyListeners
	ListenersPerNLB                 int // TooManyListeners
	RulesPerALB                     int // non-default rules over all listeners: TooManyRules
	TargetGroupsPerActionALB        int // InvalidConfigurationRequest
	TargetGroupsPerActionNLB        int // InvalidConfigurationRequest
	TargetGroupsPerALB              int // TooManyUniqueTargetGroupsPerLoadBalancer
	TargetsPerTargetGroup           int // TooManyTargets
	TargetsPerALB                   int // TooManyTargets
	TargetsPerNLB                   int // TooManyTargets
	RegistrationsPerTarget          int // TooManyRegistrationsForTargetId
	CertificatesPerALB              int // extra certificates: TooManyCertificates
	TagsPerResource                 int // TooManyTags
	SecurityGroupsPerLoadBalancer   int // InvalidConfigurationRequest
	ConditionValuesPerRule          int // ValidationError
	ConditionWildcardsPerRule       int // ValidationError
	ActionsPerRule                  int // TooManyActions
	ResourceArnsPerTagCall          int // ValidationError (AddTags, RemoveTags, DescribeTags)
	LoadBalancerArnsPerDescribeCall int // ValidationError
	TrustStores                     int // per Region: TooManyTrustStores
}

// DefaultQuotas are AWS's default quotas.
func DefaultQuotas() Quotas {
	return Quotas{
		ApplicationLoadBalancers:        50,
		NetworkLoadBalancers:            50,
		GatewayLoadBalancers:            100,
		TargetGroups:                    3000,
		ListenersPerALB:                 50,
		ListenersPerNLB:                 50,
		RulesPerALB:                     100,
		TargetGroupsPerActionALB:        5,
		TargetGroupsPerActionNLB:        5,
		TargetGroupsPerALB:              100,
		TargetsPerTargetGroup:           1000,
		TargetsPerALB:                   1000,
		TargetsPerNLB:                   3000,
		RegistrationsPerTarget:          100,
		CertificatesPerALB:              25,
		TagsPerResource:                 50,
		SecurityGroupsPerLoadBalancer:   5,
		ConditionValuesPerRule:          5,
		ConditionWildcardsPerRule:       5,
		ActionsPerRule:                  5,
		ResourceArnsPerTagCall:          20,
		LoadBalancerArnsPerDescribeCall: 20,
		TrustStores:                     100,
	}
}

// Timing holds the simulated target-health clock.
type Timing struct {
	// HealthyAfter is how long a registered target stays "initial" before
	// it is reported "healthy" when HealthScale is zero. Zero: healthy at
	// once.
	HealthyAfter time.Duration
	// HealthScale, when positive, makes a target "initial" for what AWS
	// takes to call it healthy — the target group's health-check interval
	// times its healthy threshold — multiplied by HealthScale (0.01: a
	// 10 s × 5 check passes in half a second), instead of HealthyAfter.
	HealthScale float64
	// Draining overrides how long a deregistered target stays "draining".
	// Negative (the default) uses the target group's
	// deregistration_delay.timeout_seconds attribute, as AWS does.
	Draining time.Duration
}

// Backend is the ELBv2 service. It is not safe for concurrent use: the
// emulator's server holds its lock around every call.
type Backend struct {
	env *core.Env
	net core.Network

	// Quotas are enforced on every call; change them before serving.
	Quotas Quotas
	// Timing drives target health.
	Timing Timing
	// CertificateExists, when set, says whether an ACM certificate of this
	// account and Region exists (the emulated ACM): listeners naming one
	// that does not fail with CertificateNotFound, as on AWS. ACM ARNs of
	// other accounts or Regions and IAM server certificates are accepted.
	CertificateExists func(arn string) bool

	st *state
}

// New returns an empty ELBv2 backend for env, reading EC2 state through net.
func New(env *core.Env, net core.Network) *Backend {
	return &Backend{
		env:    env,
		net:    net,
		Quotas: DefaultQuotas(),
		Timing: Timing{Draining: -1},
		st:     newState(),
	}
}

type handler func(*Backend, query.Params) (any, error)

var handlers = map[string]handler{
	"CreateLoadBalancer":             (*Backend).createLoadBalancer,
	"DescribeLoadBalancers":          (*Backend).describeLoadBalancers,
	"DeleteLoadBalancer":             (*Backend).deleteLoadBalancer,
	"SetSecurityGroups":              (*Backend).setSecurityGroups,
	"SetSubnets":                     (*Backend).setSubnets,
	"SetIpAddressType":               (*Backend).setIPAddressType,
	"ModifyCapacityReservation":      (*Backend).modifyCapacityReservation,
	"DescribeCapacityReservation":    (*Backend).describeCapacityReservation,
	"DescribeLoadBalancerAttributes": (*Backend).describeLoadBalancerAttributes,
	"ModifyLoadBalancerAttributes":   (*Backend).modifyLoadBalancerAttributes,
	"CreateTargetGroup":              (*Backend).createTargetGroup,
	"DescribeTargetGroups":           (*Backend).describeTargetGroups,
	"ModifyTargetGroup":              (*Backend).modifyTargetGroup,
	"DeleteTargetGroup":              (*Backend).deleteTargetGroup,
	"DescribeTargetGroupAttributes":  (*Backend).describeTargetGroupAttributes,
	"ModifyTargetGroupAttributes":    (*Backend).modifyTargetGroupAttributes,
	"RegisterTargets":                (*Backend).registerTargets,
	"DeregisterTargets":              (*Backend).deregisterTargets,
	"DescribeTargetHealth":           (*Backend).describeTargetHealth,
	"CreateListener":                 (*Backend).createListener,
	"DescribeListeners":              (*Backend).describeListeners,
	"ModifyListener":                 (*Backend).modifyListener,
	"DeleteListener":                 (*Backend).deleteListener,
	"DescribeListenerCertificates":   (*Backend).describeListenerCertificates,
	"AddListenerCertificates":        (*Backend).addListenerCertificates,
	"RemoveListenerCertificates":     (*Backend).removeListenerCertificates,
	"DescribeListenerAttributes":     (*Backend).describeListenerAttributes,
	"ModifyListenerAttributes":       (*Backend).modifyListenerAttributes,
	"CreateRule":                     (*Backend).createRule,
	"DescribeRules":                  (*Backend).describeRules,
	"ModifyRule":                     (*Backend).modifyRule,
	"DeleteRule":                     (*Backend).deleteRule,
	"SetRulePriorities":              (*Backend).setRulePriorities,
	"AddTags":                        (*Backend).addTags,
	"RemoveTags":                     (*Backend).removeTags,
	"DescribeTags":                   (*Backend).describeTags,
	"DescribeAccountLimits":          (*Backend).describeAccountLimits,
	"DescribeSSLPolicies":            (*Backend).describeSSLPolicies,
	"ModifyIpPools":                  (*Backend).modifyIPPools,
	"CreateTrustStore":               (*Backend).createTrustStore,
	"DescribeTrustStores":            (*Backend).describeTrustStores,
	"DeleteTrustStore":               (*Backend).deleteTrustStore,
}

// Actions lists the actions the backend implements, sorted.
func Actions() []string {
	out := make([]string, 0, len(handlers))
	for a := range handlers {
		out = append(out, a)
	}
	sortStrings(out)
	return out
}

// Handle runs one ELBv2 action. The reply is a pointer to the struct inside
// <ActionResult>, or nil for an empty result.
func (b *Backend) Handle(action string, p query.Params) (any, error) {
	h, ok := handlers[action]
	if !ok {
		return nil, query.InvalidAction(action)
	}
	if err := checkParams(action, p); err != nil {
		return nil, err
	}
	if b.Mutating(action) {
		b.purge() // reads never write: they may run concurrently
	}
	return h(b, p)
}

// Mutating reports whether an action changes state: everything except
// Describe*.
func (b *Backend) Mutating(action string) bool {
	return !strings.HasPrefix(action, "Describe")
}

// Snapshot returns the whole state as JSON.
func (b *Backend) Snapshot() (json.RawMessage, error) {
	return json.Marshal(b.st)
}

// Restore replaces the state with a snapshot.
func (b *Backend) Restore(raw json.RawMessage) error {
	st := newState()
	if err := json.Unmarshal(raw, st); err != nil {
		return fmt.Errorf("restoring elbv2 state: %w", err)
	}
	st.fill()
	b.st = st
	return nil
}

// Reset empties the state (quotas and timing are kept).
func (b *Backend) Reset() { b.st = newState() }
