package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/gwattach"
	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
)

// Builder computes one Gateway's desired state from the Kubernetes objects
// Kube reads: its class, LoadBalancerConfiguration, the routes naming it,
// their Services, TargetGroupConfigurations, EndpointSlices, namespaces
// and ReferenceGrants. The reconciler builds through it over its cached
// client; `lbsg plan` and `lbsg audit` over manifests or the cluster, so
// they show what the reconciler would do.
type Builder struct {
	// ALB: gateway.k8s.aws/alb classes (HTTPRoutes, GRPCRoutes) instead of
	// gateway.k8s.aws/nlb ones (TCPRoutes, UDPRoutes, TLSRoutes).
	ALB  bool
	Kube client.Reader
	// ListenerSets: serve Gateway API ListenerSets (gate
	// GatewayListenerSet, with the ListenerSet CRD installed); off, they
	// are ignored as LBC ignores them.
	ListenerSets bool
	// Secrets reads the OIDC Secrets of ListenerRuleConfigurations (nil:
	// none can be read, and such a route is refused).
	Secrets SecretGetter
	// QUIC gives endpoints their pods' QUIC server IDs (nil: none).
	QUIC QUICSource
	// LoadBalancers reads the ALB of a Gateway an NLB Gateway's route
	// chains to (Gateway chaining; chain.go). nil: none is known, and such
	// a backend does not resolve yet.
	LoadBalancers LoadBalancerSource
	// RouteIndex: Kube is a cache with the class's route kinds indexed by
	// reference (routeindex.go), so routes are listed by the objects they
	// name; false: every route is listed and filtered.
	RouteIndex bool
}

// LoadBalancerSource reads a stack's existing load balancer (state.Provider's
// cached index, or `lbsg plan`'s offline stand-in).
type LoadBalancerSource interface {
	ExistingLoadBalancer(ctx context.Context, st naming.Stack) (*plan.ObservedLB, error)
}

// SecretGetter reads one Secret: nil, nil when it does not exist
// (secrets.Watcher, which also checks --required-secrets-label).
type SecretGetter interface {
	Get(ctx context.Context, key types.NamespacedName) (*corev1.Secret, error)
}

// controller is the GatewayClass controllerName served.
func (b Builder) controller() string {
	if b.ALB {
		return gwattach.ControllerALB
	}
	return gwattach.ControllerNLB
}

// Stack is the stack of Gateway ns/name of b's controller.
func (b Builder) Stack(ns, name string) naming.Stack {
	if b.ALB {
		return naming.GatewayALBStack(ns, name)
	}
	return naming.GatewayNLBStack(ns, name)
}

// Class returns gw's GatewayClass when it is one of b's controller (nil,
// nil when it is another's or does not exist).
func (b Builder) Class(ctx context.Context, gw *gwv1.Gateway) (*gwv1.GatewayClass, error) {
	return b.class(ctx, gw)
}

// Prepared is a Gateway's configuration, route attachment and model before
// any AWS fact is read.
type Prepared struct {
	in *inputs
	// Attach is the route attachment (listener validity, route statuses).
	Attach gwattach.Result
	// Gateway is the model's input.
	Gateway model.Gateway
	// attached: Attach was computed (Prepare got past the configuration).
	attached bool
}

// Config is the Gateway's LoadBalancerConfiguration (merged with its
// class's), nil for none.
func (p *Prepared) Config() *gwconfig.LoadBalancerConfiguration {
	if p == nil || p.in == nil {
		return nil
	}
	return p.in.config
}

// Prepare reads the Gateway's inputs, attaches its routes and turns the
// attachment into model.Gateway. A configuration lbsg refuses is a
// *Refused error; p is then nil, or (a TargetGroupConfiguration refused)
// holds the attachment, whose Notices the reconciler still emits.
func (b Builder) Prepare(ctx context.Context, gw *gwv1.Gateway, class *gwv1.GatewayClass, stack naming.Stack) (*Prepared, error) {
	in, err := b.load(ctx, gw, class)
	if err != nil {
		return nil, err
	}
	p := &Prepared{in: in, Attach: gwattach.Attach(in.attach), attached: true}
	if b.ALB && refuseUnauthenticated(in, p.Attach) {
		p.Attach = gwattach.Attach(in.attach)
	}
	p.Gateway, err = b.gatewayModel(ctx, gw, stack, in, p.Attach)
	return p, err
}

// Notice is a Warning event the reconciler records about a Gateway's
// listener (on the Gateway) or one of its routes (on the route).
type Notice struct {
	// Object is the Gateway or the route.
	Object client.Object
	// Kind, Namespace and Name name Object ("Gateway", "HTTPRoute", …).
	Kind, Namespace, Name string
	Reason, Message       string
	// Refused: a route lbsg does not apply (something in it is not
	// built), as opposed to one that does not attach.
	Refused bool
}

// Notices are the events about gw's listeners (invalid, or naming what
// lbsg does not use), its ListenerSets (not allowed, their listeners),
// refused routes and routes that do not attach, in that order.
func (p *Prepared) Notices(gw *gwv1.Gateway) []Notice {
	if p == nil || !p.attached {
		return nil
	}
	out := listenerNotices(Notice{Object: gw, Kind: "Gateway", Namespace: gw.Namespace, Name: gw.Name}, p.Attach.Listeners)
	for _, s := range p.Attach.ListenerSets {
		n := Notice{Object: s.Object, Kind: gwattach.KindListenerSet, Namespace: s.Object.Namespace, Name: s.Object.Name}
		if !s.Allowed {
			n.Reason = events.ReasonListenerSetNotAllowed
			n.Message = fmt.Sprintf("Gateway %s/%s does not allow ListenerSets from namespace %s (spec.allowedListeners)", gw.Namespace, gw.Name, s.Object.Namespace)
			out = append(out, n)
			continue
		}
		out = append(out, listenerNotices(n, s.Listeners)...)
	}
	for _, rt := range p.in.attach.Routes {
		n := Notice{Object: p.in.routeObjs[rt.Key()], Kind: rt.Kind, Namespace: rt.Namespace, Name: rt.Name}
		if rt.Refusal != nil && namesScopeInSpec(rt, p.in.scope) {
			n.Reason, n.Refused = events.ReasonUnsupportedConfiguration, true
			if rt.Refusal.Reason == gwv1.RouteReasonIncompatibleFilters {
				n.Reason = events.ReasonInvalidListenerRuleConfiguration
			}
			n.Message = fmt.Sprintf("Gateway %s/%s: %s", gw.Namespace, gw.Name, rt.Refusal.Message)
			out = append(out, n)
			continue
		}
		if probs := p.Attach.Problems[rt.Key()]; len(probs) > 0 {
			n.Reason = events.ReasonRouteNotAttached
			n.Message = fmt.Sprintf("Gateway %s/%s: %s", gw.Namespace, gw.Name, strings.Join(probs, "; "))
			out = append(out, n)
		}
	}
	return out
}

// listenerNotices are the Warnings, on the object defining them (on), of
// listeners not accepted and of what accepted ones name but lbsg does not
// use.
func listenerNotices(on Notice, ls []*gwattach.Listener) []Notice {
	var out []Notice
	for _, l := range ls {
		n := on
		switch {
		case !l.Valid:
			n.Reason, n.Message = events.ReasonInvalidListener, fmt.Sprintf("listener %s: %s", l.Spec.Name, l.Message)
		case l.Notice != "":
			n.Reason, n.Message = events.ReasonCertificateRefsNotUsed, fmt.Sprintf("listener %s: %s", l.Spec.Name, l.Notice)
		default:
			continue
		}
		out = append(out, n)
	}
	return out
}

// FactsSource is what Facts reads from AWS (state.Provider, or `lbsg
// plan`'s offline stand-in).
type FactsSource interface {
	Subnets(ctx context.Context) ([]model.Subnet, error)
	ExistingLoadBalancer(ctx context.Context, st naming.Stack) (*plan.ObservedLB, error)
	ResolveManual(ctx context.Context, items []string) ([]string, error)
	// Certificates are the ISSUED ACM certificates for the hosts of
	// stack stackKey's certificate discovery.
	Certificates(ctx context.Context, stackKey string, hosts []string) ([]model.Certificate, error)
	// TrustStoreARNsByName resolves mutual-authentication trust store
	// names (names without a trust store are left out).
	TrustStoreARNsByName(ctx context.Context, names []string) (map[string]string, error)
	// VPCCIDRs are the VPC's CIDRs (node rules of an NLB without SGs).
	VPCCIDRs(ctx context.Context) ([]string, error)
}

// Facts reads the AWS facts BuildStack needs for p: the ACM certificates
// discovery needs, subnets, the trust stores of mutual authentication, the
// existing load balancer, the configuration's securityGroups resolved.
// Nodes are the caller's.
func Facts(ctx context.Context, src FactsSource, stack naming.Stack, p *Prepared) (model.Facts, error) {
	var f model.Facts
	var err error
	if hosts, discovers := model.GatewayCertificateHosts(p.Gateway); discovers && len(hosts) > 0 {
		if f.Certificates, err = src.Certificates(ctx, stack.Key(), hosts); err != nil {
			return f, err
		}
	}
	if f.Subnets, err = src.Subnets(ctx); err != nil {
		return f, err
	}
	if names := model.GatewayTrustStoreNames(p.Gateway.Config); len(names) > 0 {
		if f.TrustStoreARNs, err = src.TrustStoreARNsByName(ctx, names); err != nil {
			return f, err
		}
	}
	lb, err := src.ExistingLoadBalancer(ctx, stack)
	if err != nil {
		return f, err
	}
	gw, cfg := p.Gateway, p.Config()
	needCIDRs := !gw.ALB && cfg != nil && cfg.Spec.DisableSecurityGroup != nil && *cfg.Spec.DisableSecurityGroup
	if lb != nil {
		f.ExistingLB = &model.ExistingLB{Scheme: lb.Scheme, SecurityGroups: lb.SecurityGroups, Subnets: lb.Subnets}
		needCIDRs = needCIDRs || !gw.ALB && len(lb.SecurityGroups) == 0
	}
	if needCIDRs {
		// The node rules of an NLB without SGs cite the VPC's CIDRs.
		if f.VPCCIDRs, err = src.VPCCIDRs(ctx); err != nil {
			return f, err
		}
	}
	if cfg != nil && cfg.Spec.SecurityGroups != nil && len(*cfg.Spec.SecurityGroups) > 0 {
		ids, err := src.ResolveManual(ctx, *cfg.Spec.SecurityGroups)
		if err != nil && awserr.Code(err) != "" {
			return f, err
		}
		f.ManualSecurityGroups, f.ManualSecurityGroupsErr = ids, err
	}
	return f, nil
}

// BuildStack is model.BuildGateway of p: an error that is not AWS's is
// a *Refused ("Failed build model due to …", the reconciler's event).
func BuildStack(p *Prepared, f model.Facts, d model.Defaults) (model.Stack, []model.Warning, error) {
	st, warns, err := model.BuildGateway(p.Gateway, f, d)
	if err != nil && awserr.Code(err) == "" {
		return st, warns, &Refused{reason: gwv1.GatewayReasonInvalid, event: events.ReasonFailedBuildModel, message: "Failed build model due to " + err.Error(), cause: err}
	}
	return st, warns, err
}

// Reason is the event reason of the refusal.
func (e *Refused) Reason() string { return e.event }

// IsRefused reports whether err is a refusal of the Gateway's input (not
// a failure to read).
func IsRefused(err error) bool {
	var ref *Refused
	return errors.As(err, &ref)
}
