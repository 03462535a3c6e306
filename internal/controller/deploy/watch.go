package deploy

import (
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// NodeTargetsChanged passes Node events that can change a stack's targets
// or target SGs: creation, deletion, and a new spec.providerID (the EC2
// instance). Status heartbeats and label churn do not reconcile anything.
var NodeTargetsChanged = predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
	o, ok1 := e.ObjectOld.(*corev1.Node)
	n, ok2 := e.ObjectNew.(*corev1.Node)
	return !ok1 || !ok2 || o.Spec.ProviderID != n.Spec.ProviderID
}}
