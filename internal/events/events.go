package events

import (
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
)

// Reasons kept from LBC (users alert on them).
const (
	ReasonSuccessfullyReconciled = "SuccessfullyReconciled"
	ReasonFailedBuildModel       = "FailedBuildModel"
	ReasonFailedDeployModel      = "FailedDeployModel"
	ReasonFailedAddFinalizer     = "FailedAddFinalizer"
	ReasonFailedRemoveFinalizer  = "FailedRemoveFinalizer"
	ReasonFailedUpdateStatus     = "FailedUpdateStatus"
	ReasonFailedCleanupStatus    = "FailedCleanupStatus"
	ReasonFailedNetworkReconcile = "FailedNetworkReconcile"
)

// lbsg's own reasons.
const (
	// ReasonSecurityGroupsNotResolved: a manual SG (ID or Name) does not
	// exist; nothing was changed.
	ReasonSecurityGroupsNotResolved = "SecurityGroupsNotResolved"
	// ReasonLoadBalancerWithoutSecurityGroups: the existing NLB has no SGs
	// and AWS cannot add them; SG settings are ignored until it is recreated.
	ReasonLoadBalancerWithoutSecurityGroups = "LoadBalancerWithoutSecurityGroups"
	// ReasonTargetSecurityGroupAmbiguous: a node ENI has several
	// cluster-tagged SGs (or none suitable); no target rules for it.
	ReasonTargetSecurityGroupAmbiguous = "TargetSecurityGroupAmbiguous"
	// ReasonRulesPacked: target or managed-SG rules were merged into ranges to fit the
	// per-SG quota.
	ReasonRulesPacked = "RulesPacked"
	// ReasonRulesPerSecurityGroupLimitExceeded: even packed into ranges the
	// desired rules exceed an SG's quota (AWS's error code); nothing was
	// changed on that SG.
	ReasonRulesPerSecurityGroupLimitExceeded = "RulesPerSecurityGroupLimitExceeded"
	// ReasonWaitingForDependencies: a delete is waiting for AWS to release a
	// dependency (DependencyViolation, ResourceInUse).
	ReasonWaitingForDependencies = "WaitingForDependencies"
	// ReasonDriftRepaired: the drift check found AWS differing and repaired it.
	ReasonDriftRepaired = "DriftRepaired"
	// ReasonSuccessfullyDeleted: every AWS resource of the object is gone.
	ReasonSuccessfullyDeleted = "SuccessfullyDeleted"
	// ReasonModelWarning: the desired state was built with a caveat.
	ReasonModelWarning = "ModelWarning"
	// ReasonUnsupportedAnnotation: the object (or a member of its
	// IngressGroup) asks for something lbsg does not do; its stack gets no
	// AWS write until it is removed (the message names every such key).
	ReasonUnsupportedAnnotation = "UnsupportedAnnotation"
	// ReasonUnsupportedConfiguration: a Gateway's LoadBalancerConfiguration
	// or TargetGroupConfiguration uses a field lbsg does not implement; its
	// load balancer is left as it is (lbsg's own reason).
	ReasonUnsupportedConfiguration = "UnsupportedConfiguration"
	// ReasonDryRun: a Gateway not yet provisioned carries LBC's
	// gateway.k8s.aws/dry-run "true": nothing is created in AWS, and lbsg
	// does not write LBC's dry-run-plan annotation (lbsg's own reason).
	ReasonDryRun = "DryRun"
	// ReasonRouteNotAttached: a route naming a Gateway is not accepted by
	// it, or some of its backendRefs do not resolve (lbsg's own reason;
	// the route's status says which).
	ReasonRouteNotAttached = "RouteNotAttached"
	// ReasonInvalidListenerRuleConfiguration: a route rule names a
	// ListenerRuleConfiguration that is missing, invalid, or whose OIDC
	// Secret is missing or incomplete; the route is not applied (its
	// status says which; lbsg's own reason).
	ReasonInvalidListenerRuleConfiguration = "InvalidListenerRuleConfiguration"
	// ReasonInvalidListener: a Gateway listener is not accepted
	// (conflict, protocol, route kinds); the Gateway's status says which.
	ReasonInvalidListener = "InvalidListener"
	// ReasonCertificateRefsNotUsed: a Gateway listener names
	// tls.certificateRefs or tls.options, which lbsg (like LBC) does not
	// use: its certificates come from ACM (lbsg's own reason).
	ReasonCertificateRefsNotUsed = "CertificateRefsNotUsed"
	// ReasonListenerSetNotAllowed: a ListenerSet names a Gateway whose
	// spec.allowedListeners does not admit its namespace (lbsg's own
	// reason; the ListenerSet's status says NotAllowed).
	ReasonListenerSetNotAllowed = "ListenerSetNotAllowed"
	// ReasonShieldNotSubscribed: an ALB asks for Shield Advanced
	// protection and the account has no active subscription, so AWS cannot
	// protect it (LBC skips it with a log line only).
	ReasonShieldNotSubscribed = "ShieldNotSubscribed"
	// ReasonCertificatePending: the ACM certificate lbsg requested for an
	// Ingress (create-acm-cert) is not issued yet; the group's load
	// balancer is left as it is until it is (lbsg's own reason).
	ReasonCertificatePending = "CertificatePending"
)

// Action names for the events API.
const (
	ActionReconcile = "Reconcile"
	ActionDelete    = "Delete"
)

// Sink is the events API recorder (client-go tools/events.EventRecorder,
// controller-runtime's manager.GetEventRecorder).
type Sink interface {
	Eventf(regarding, related runtime.Object, eventtype, reason, action, note string, args ...any)
}

// Recorder emits events, dropping one equal to the last emitted for the
// same object.
type Recorder struct {
	sink Sink
	mu   sync.Mutex
	last map[types.UID]string
}

// NewRecorder wraps sink; a nil sink discards events.
func NewRecorder(sink Sink) *Recorder {
	return &Recorder{sink: sink, last: map[types.UID]string{}}
}

// Normal emits a Normal event.
func (r *Recorder) Normal(obj runtime.Object, reason, action, msg string) {
	r.emit(obj, corev1.EventTypeNormal, reason, action, msg)
}

// Warn emits a Warning event with msg.
func (r *Recorder) Warn(obj runtime.Object, reason, action, msg string) {
	r.emit(obj, corev1.EventTypeWarning, reason, action, msg)
}

// Forget drops what the recorder remembers of obj (call when it is deleted).
func (r *Recorder) Forget(uid types.UID) {
	r.mu.Lock()
	delete(r.last, uid)
	r.mu.Unlock()
}

func (r *Recorder) emit(obj runtime.Object, typ, reason, action, msg string) {
	if r == nil || r.sink == nil {
		return
	}
	if m, err := meta.Accessor(obj); err == nil {
		key := fmt.Sprintf("%s\x00%s\x00%s", typ, reason, msg)
		r.mu.Lock()
		same := r.last[m.GetUID()] == key
		r.last[m.GetUID()] = key
		r.mu.Unlock()
		if same {
			return
		}
	}
	r.sink.Eventf(obj, nil, typ, reason, action, "%s", msg)
}
