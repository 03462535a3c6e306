package planview

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/controller/gateway"
	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/model"
)

// gatewayReader serves the builder what the objects hold: the Gateway API
// objects and configurations, the Services (the input's, then cluster
// copies of the others), EndpointSlices and Namespaces.
func gatewayReader(objs Objects) (*objectReader, error) {
	r := newObjectReader(scheme())
	given := map[string]bool{}
	for i := range objs.Services {
		svc := &objs.Services[i]
		given[cmp.Or(svc.Namespace, corev1.NamespaceDefault)+"/"+svc.Name] = true
		if err := r.add(svc); err != nil {
			return nil, err
		}
	}
	for i := range objs.ClusterServices {
		if svc := &objs.ClusterServices[i]; !given[svc.Namespace+"/"+svc.Name] {
			if err := r.add(svc); err != nil {
				return nil, err
			}
		}
	}
	for i := range objs.EndpointSlices {
		if err := r.add(&objs.EndpointSlices[i]); err != nil {
			return nil, err
		}
	}
	for i := range objs.Namespaces {
		if err := r.add(&objs.Namespaces[i]); err != nil {
			return nil, err
		}
	}
	for _, o := range objs.GatewayAPI {
		if err := r.add(o); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// secretsOf serves the Builder the Secrets of the input, refusing one
// without --required-secrets-label as the controller's watcher does.
type secretsOf struct {
	list []corev1.Secret
	st   Settings
}

func (s secretsOf) Get(_ context.Context, key types.NamespacedName) (*corev1.Secret, error) {
	for i := range s.list {
		if sec := &s.list[i]; cmp.Or(sec.Namespace, corev1.NamespaceDefault) == key.Namespace && sec.Name == key.Name {
			if err := s.st.unlabelled(sec); err != nil {
				return nil, err
			}
			return sec.DeepCopy(), nil
		}
	}
	return nil, nil
}

// podsQUIC gives endpoints the QUIC server IDs of the input's Pods.
type podsQUIC []corev1.Pod

func (p podsQUIC) ServerIDs(_ context.Context, enabled bool, svc *corev1.Service, eps []model.Endpoint) error {
	if enabled {
		podQUIC(eps, p, svc.Namespace)
	}
	return nil
}

// buildGateways builds every Gateway of the objects whose GatewayClass
// (also in the objects) is gateway.k8s.aws/nlb or /alb, in namespace/name
// order, through gateway.Builder, the reconciler's path. A Gateway whose
// class is not in the objects gets a note; one being deleted is not
// planned.
func buildGateways(ctx context.Context, c Cloud, objs Objects, nodes []model.Node, s Settings) ([]built, []string) {
	var gws []*gwv1.Gateway
	for _, o := range objs.GatewayAPI {
		if gw, ok := o.(*gwv1.Gateway); ok {
			gw = gw.DeepCopy()
			gw.Namespace = cmp.Or(gw.Namespace, corev1.NamespaceDefault)
			gws = append(gws, gw)
		}
	}
	if len(gws) == 0 {
		return nil, nil
	}
	slices.SortFunc(gws, func(a, b *gwv1.Gateway) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	kube, err := gatewayReader(objs)
	if err != nil {
		return nil, []string{"gateways not planned: " + err.Error()}
	}
	classes := map[string]bool{}
	for _, o := range objs.GatewayAPI {
		if gc, ok := o.(*gwv1.GatewayClass); ok {
			classes[gc.Name] = true
		}
	}
	var out []built
	var notes []string
	for _, gw := range gws {
		if !gw.DeletionTimestamp.IsZero() {
			continue
		}
		if !classes[string(gw.Spec.GatewayClassName)] {
			notes = append(notes, fmt.Sprintf("gateway %s/%s not planned: its GatewayClass %s is not in the input", gw.Namespace, gw.Name, gw.Spec.GatewayClassName))
			continue
		}
		for _, alb := range []bool{false, true} {
			b := gateway.Builder{ALB: alb, Kube: kube, ListenerSets: s.ListenerSets, Secrets: secretsOf{objs.Secrets, s}, QUIC: podsQUIC(objs.Pods), LoadBalancers: c}
			class, err := b.Class(ctx, gw)
			if err != nil {
				out = append(out, built{id: b.Stack(gw.Namespace, gw.Name), err: err})
				break
			}
			if class != nil {
				out = append(out, buildGateway(ctx, c, b, gw, class, objs, nodes, s.Defaults))
				break
			}
		}
	}
	return out, notes
}

// buildGateway is the reconciler's converge up to the deploy: Prepare
// (configuration, attachment, model), the listener and route events (a
// refused route is a failed member, the others warnings), Facts, then
// BuildStack.
func buildGateway(ctx context.Context, c Cloud, b gateway.Builder, gw *gwv1.Gateway, class *gwv1.GatewayClass, objs Objects, nodes []model.Node, d model.Defaults) built {
	bt := built{id: b.Stack(gw.Namespace, gw.Name), gateway: gw}
	if b.DryRun(gw) {
		bt.warnings = append(bt.warnings, events.ReasonDryRun+": "+gateway.DryRunMessage)
	}
	p, err := b.Prepare(ctx, gw, class, bt.id)
	bt.prepared = p
	for _, n := range p.Notices(gw) {
		what := fmt.Sprintf("%s %s/%s: %s", strings.ToLower(n.Kind), n.Namespace, n.Name, n.Message)
		if n.Refused {
			bt.failed = append(bt.failed, what)
			if bt.refusedRoutes == nil {
				bt.refusedRoutes = map[string]string{}
			}
			bt.refusedRoutes[n.Kind+" "+n.Namespace+"/"+n.Name] = n.Message
			continue
		}
		bt.warnings = append(bt.warnings, n.Reason+": "+what)
	}
	if err != nil {
		bt.err = err
		return bt
	}
	f, err := gateway.Facts(ctx, c, bt.id, p)
	if err != nil {
		bt.err, bt.readErr = err, true
		return bt
	}
	snap, err := c.Snapshot(ctx, bt.id)
	if err != nil {
		bt.err, bt.readErr = err, true
		return bt
	}
	f.Nodes = nodes
	bt.snap = snap
	bt.haveSlices = gatewayHasSlices(p.Gateway, objs)
	stack, warns, err := gateway.BuildStack(p, f, d)
	if err != nil {
		bt.err, bt.readErr = err, awserr.Code(err) != ""
		return bt
	}
	bt.stack = stack
	if err := bt.fillAttributes(ctx, c); err != nil {
		return bt
	}
	for _, w := range warns {
		bt.warnings = append(bt.warnings, w.Reason+": "+w.Message)
	}
	return bt
}

// gatewayHasSlices: the input holds EndpointSlices of a Service the
// Gateway's routes send to.
func gatewayHasSlices(gw model.Gateway, objs Objects) bool {
	seen := map[types.NamespacedName]bool{}
	check := func(bes []model.GatewayBackend) bool {
		for _, be := range bes {
			if be.Service == nil {
				continue
			}
			k := types.NamespacedName{Namespace: be.Service.Namespace, Name: be.Service.Name}
			if seen[k] {
				continue
			}
			seen[k] = true
			if len(be.Endpoints) > 0 || hasSlices(objs, k.Namespace, k.Name) {
				return true
			}
		}
		return false
	}
	for _, p := range gw.Ports {
		if p.Route != nil && check(p.Route.Backends) {
			return true
		}
		for _, hr := range p.HTTPRoutes {
			for _, r := range hr.Rules {
				if check(r.Backends) {
					return true
				}
			}
		}
	}
	return false
}
