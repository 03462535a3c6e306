package gateway

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/model"
)

// quicServerIDs sets the QUIC server IDs of eps (svc's endpoints) from
// their pods when the Gateway's configuration enables QUIC on a listener
// (each pod is read once, as for Services with QUIC ports); otherwise it
// forgets what it knew of svc's pods.
func (r *Reconciler) quicServerIDs(ctx context.Context, in *inputs, svc *corev1.Service, eps []model.Endpoint) error {
	if !quicEnabled(in) {
		r.quic.Forget(client.ObjectKeyFromObject(svc))
		return nil
	}
	pods := r.Pods
	if pods == nil {
		pods = r.Kube
	}
	return r.quic.Fill(ctx, pods, svc, eps)
}

// quicEnabled: a listener configuration of the Gateway sets quicEnabled.
func quicEnabled(in *inputs) bool {
	if in.config == nil || in.config.Spec.ListenerConfigurations == nil {
		return false
	}
	for _, lc := range *in.config.Spec.ListenerConfigurations {
		if lc.QuicEnabled != nil && *lc.QuicEnabled {
			return true
		}
	}
	return false
}
