package ingress

import (
	"context"
	"errors"
	"fmt"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/cloud/acmcerts"
	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
)

func (r *Reconciler) certificatePoll() time.Duration {
	if r.CertificatePoll > 0 {
		return r.CertificatePoll
	}
	return CertificatePoll
}

// ensureCertificates finds or requests the certificates the members ask
// lbsg for (create-acm-cert) before anything else of the group is
// written, as LBC's certificate synthesizer runs first. It returns the
// issued ones (resource ID → ARN) and the ARNs to keep. A group without a
// host to certify fails to build; one waiting for a certificate is held
// (*certificatesPending) with a CertificatePending event on the Ingress.
func (r *Reconciler) ensureCertificates(ctx context.Context, g *group, members []model.IngressMember) (map[string]string, []string, error) {
	want, err := model.IngressManagedCertificates(g.stack, members, r.Defaults)
	if err != nil {
		for _, m := range g.members {
			r.Events.Warn(m.ing, events.ReasonFailedBuildModel, events.ActionReconcile, "Failed build model due to "+err.Error())
		}
		r.Deploy.Hold(g.stack)
		return nil, nil, reconcile.TerminalError(err)
	}
	if r.Certs == nil || len(want) == 0 || model.UnsupportedIngressGroup(members, r.Defaults) != nil {
		return nil, nil, nil //nolint:nilerr // a refused group is reported by its build
	}
	res, err := r.Certs.Ensure(ctx, g.stack, want)
	if err != nil {
		r.Deploy.Hold(g.stack)
		if errors.Is(err, acmcerts.ErrNoPublicZone) {
			for _, m := range g.members {
				r.Events.Warn(m.ing, events.ReasonFailedBuildModel, events.ActionReconcile, "Failed build model due to "+err.Error())
			}
			return nil, nil, err
		}
		return nil, nil, err // an AWS failure is reported by the caller (Deploy.Failure)
	}
	if len(res.Pending) > 0 {
		byKey := map[string]*networkingv1.Ingress{}
		for _, m := range g.members {
			byKey[m.ing.Namespace+"/"+m.ing.Name] = m.ing
		}
		for _, mc := range res.Pending {
			if ing := byKey[mc.Ingress]; ing != nil {
				r.Events.Normal(ing, events.ReasonCertificatePending, events.ActionReconcile,
					fmt.Sprintf("Waiting for ACM certificate %s (%s) to be issued; the load balancer is left as it is until then", mc.ResourceID, mc.DomainName))
			}
		}
		logf.FromContext(ctx).Info("waiting for requested certificates", "pending", len(res.Pending))
		r.Deploy.Hold(g.stack)
		return nil, nil, &certificatesPending{n: len(res.Pending)}
	}
	return res.Issued, res.Keep(), nil
}

// pruneCertificates deletes the certificates lbsg owns for the stack that
// keep does not name, once the listeners no longer use them; requeue when
// one is still in use.
func (r *Reconciler) pruneCertificates(ctx context.Context, st naming.Stack, keep []string, objs ...client.Object) (bool, error) {
	err := r.Certs.Prune(ctx, st, keep)
	if inUse := (*acmcerts.InUseError)(nil); errors.As(err, &inUse) {
		for _, o := range objs {
			r.Events.Normal(o, events.ReasonWaitingForDependencies, events.ActionReconcile, "Waiting for the load balancer to release ACM certificate "+inUse.ARN)
		}
		return true, nil
	}
	return false, err
}
