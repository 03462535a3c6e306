package gateway

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/model"
)

// QUICSource gives endpoints the QUIC server IDs of their pods.
type QUICSource interface {
	// ServerIDs sets the server IDs of eps (svc's endpoints) when enabled
	// (the Gateway's configuration enables QUIC on a listener); when not,
	// it may forget what it knew of svc's pods.
	ServerIDs(ctx context.Context, enabled bool, svc *corev1.Service, eps []model.Endpoint) error
}

// quicServerIDs sets the QUIC server IDs of eps (svc's endpoints) through
// b.QUIC (none without one).
func (b Builder) quicServerIDs(ctx context.Context, in *inputs, svc *corev1.Service, eps []model.Endpoint) error {
	if b.QUIC == nil {
		return nil
	}
	return b.QUIC.ServerIDs(ctx, quicEnabled(in), svc, eps)
}

// reconcilerQUIC is the reconciler's QUICSource: each pod read once (as
// for Services with QUIC ports), what it knew of svc's pods forgotten when
// QUIC is off.
type reconcilerQUIC struct{ r *Reconciler }

func (q reconcilerQUIC) ServerIDs(ctx context.Context, enabled bool, svc *corev1.Service, eps []model.Endpoint) error {
	if !enabled {
		q.r.quic.Forget(client.ObjectKeyFromObject(svc))
		return nil
	}
	pods := q.r.Pods
	if pods == nil {
		pods = q.r.Kube
	}
	return q.r.quic.Fill(ctx, pods, svc, eps)
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
