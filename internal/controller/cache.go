package controller

import (
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/controller/readiness"
)

// CacheOptions keep the informer caches to what the controllers read.
// managedFields go from every object (often the largest part of a small
// one). Nodes keep their metadata, spec.providerID and spec.taints, and of
// their status only the Ready condition's status (what decides whether a
// node is an instance target): the rest of the status (images, volumes,
// addresses, heartbeat times) is most of a Node's size and no model reads
// it.
func CacheOptions() cache.Options {
	return cache.Options{
		DefaultTransform: cache.TransformStripManagedFields(),
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Node{}: {Transform: slimNode},
			// Pods: readiness gates, conditions and IPs only (package
			// readiness); full pods are read uncached where needed.
			&corev1.Pod{}: {Transform: readiness.SlimPod},
		},
	}
}

func slimNode(obj any) (any, error) {
	n, ok := obj.(*corev1.Node)
	if !ok {
		return obj, nil
	}
	meta := *n.ObjectMeta.DeepCopy()
	meta.ManagedFields, meta.Annotations = nil, nil
	out := &corev1.Node{TypeMeta: n.TypeMeta, ObjectMeta: meta,
		Spec: corev1.NodeSpec{ProviderID: n.Spec.ProviderID, Taints: n.Spec.Taints}}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			out.Status.Conditions = []corev1.NodeCondition{{Type: c.Type, Status: c.Status}}
		}
	}
	return out, nil
}
