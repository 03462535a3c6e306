package gwattach

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/types"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// KindGateway is the backendRef kind of Gateway chaining.
const KindGateway = "Gateway"

// ChainTarget is a Gateway an L4 route's backendRef names (LBC's Gateway
// chaining: an NLB Gateway's route forwarding to an ALB Gateway), as the
// caller read it.
type ChainTarget struct {
	Gateway *gwv1.Gateway
	// ALB: its class is an ALB class (gateway.k8s.aws/alb).
	ALB bool
	// ARN of its load balancer ("": not created yet).
	ARN string
}

// IsGatewayRef reports whether a backendRef names a Gateway: kind Gateway
// of the Gateway API group, or without group as LBC's documented example
// writes it (LBC reads the kind alone).
func IsGatewayRef(ref gwv1.BackendObjectReference) bool {
	if ref.Kind == nil || string(*ref.Kind) != KindGateway {
		return false
	}
	return ref.Group == nil || *ref.Group == "" || string(*ref.Group) == Group
}

// resolveChained resolves a backendRef naming a Gateway, on an NLB
// Gateway's route, with LBC's checks and ResolvedRefs reasons (its
// gatewayLoader): a port (UnsupportedValue), a ReferenceGrant for another
// namespace (RefNotPermitted), the Gateway existing, being an ALB Gateway
// with a listener on the port and a load balancer (BackendNotFound).
// pending: the Gateway is fine but its load balancer does not exist yet.
func resolveChained(in Inputs, r *Route, ref gwv1.BackendRef) (b *Backend, reason gwv1.RouteConditionReason, msg string, pending bool) {
	ns := r.Namespace
	if ref.Namespace != nil {
		ns = string(*ref.Namespace)
	}
	if ref.Port == nil {
		return nil, gwv1.RouteReasonUnsupportedValue, fmt.Sprintf("backendRef Gateway %s/%s: port is required", ns, ref.Name), false
	}
	if ns != r.Namespace && !grantedTo(in.Grants, r.Kind, r.Namespace, ns, Group, KindGateway, string(ref.Name)) {
		return nil, gwv1.RouteReasonRefNotPermitted, fmt.Sprintf("backendRef Gateway %s/%s: No explicit ReferenceGrant exists to allow the reference.", ns, ref.Name), false
	}
	t := in.Chained[types.NamespacedName{Namespace: ns, Name: string(ref.Name)}]
	if t == nil || t.Gateway == nil {
		return nil, gwv1.RouteReasonBackendNotFound, fmt.Sprintf("backendRef Gateway %s/%s not found", ns, ref.Name), false
	}
	if !t.ALB {
		return nil, gwv1.RouteReasonBackendNotFound, fmt.Sprintf("backendRef Gateway %s/%s: the resource type must be application load balancer (a Gateway of a gateway.k8s.aws/alb class)", ns, ref.Name), false
	}
	port := gwv1.PortNumber(*ref.Port)
	if !slices.ContainsFunc(t.Gateway.Spec.Listeners, func(l gwv1.Listener) bool { return l.Port == port }) {
		return nil, gwv1.RouteReasonBackendNotFound, fmt.Sprintf("backendRef Gateway %s/%s has no listener on port %d", ns, ref.Name, port), false
	}
	if t.ARN == "" {
		return nil, gwv1.RouteReasonBackendNotFound, fmt.Sprintf("backendRef Gateway %s/%s is not usable yet, its load balancer is not provisioned", ns, ref.Name), true
	}
	if !servesPort(t.Gateway, port) {
		// Its ALB has no listener there (one is created for a port with
		// routes), and AWS refuses to register it on that port; its
		// status changing reconciles this Gateway again.
		return nil, gwv1.RouteReasonBackendNotFound, fmt.Sprintf("backendRef Gateway %s/%s has no routes attached on port %d, so its load balancer has no listener there", ns, ref.Name, port), false
	}
	w := int32(1)
	if ref.Weight != nil {
		w = *ref.Weight
	}
	return &Backend{Chained: t, ChainPort: int32(port), Weight: w}, "", "", false
}

// servesPort: the Gateway's status shows routes attached to a listener on
// port (its ALB has a listener there once that status is written).
func servesPort(gw *gwv1.Gateway, port gwv1.PortNumber) bool {
	for _, st := range gw.Status.Listeners {
		if st.AttachedRoutes == 0 {
			continue
		}
		if slices.ContainsFunc(gw.Spec.Listeners, func(l gwv1.Listener) bool { return l.Name == st.Name && l.Port == port }) {
			return true
		}
	}
	return false
}
