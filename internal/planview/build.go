package planview

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"

	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/controller/gateway"
	"github.com/lbsg/lbsg/internal/controller/ingress"
	"github.com/lbsg/lbsg/internal/controller/readiness"
	"github.com/lbsg/lbsg/internal/controller/secrets"
	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/ingressclass"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
)

// Settings shape the stacks as the controller's flags do.
type Settings struct {
	Defaults model.Defaults
	// Class says which Ingresses lbsg manages (--ingress-class).
	Class ingressclass.Config
	// ListenerSets: Gateways serve ListenerSets (gate GatewayListenerSet).
	ListenerSets bool
	// SecretsLabel is --required-secrets-label (key=value, "" none): a
	// Secret without it cannot be read, as the controller's watcher says.
	SecretsLabel string
}

// unlabelled is the controller's error for a Secret lacking
// --required-secrets-label, nil when it has it or none is required.
func (st Settings) unlabelled(sec *corev1.Secret) error {
	key, value, _ := strings.Cut(st.SecretsLabel, "=")
	return secrets.Unlabelled(sec, key, value)
}

// built is one stack — a Service's NLB, an IngressGroup's ALB or a
// Gateway's NLB or ALB — as the
// controller would build it from the objects and what the Cloud reads.
type built struct {
	id    naming.Stack
	stack model.Stack // valid when err is nil
	snap  plan.Snapshot
	// warnings are the model's.
	warnings []string
	// failed are the members left out of an IngressGroup because they
	// failed to build, or the routes a Gateway refuses.
	failed []string
	// gateway is the Gateway of a Gateway stack and prepared its
	// configuration, attachment and model (nil when it got no further).
	gateway  *gwv1.Gateway
	prepared *gateway.Prepared
	// refusedRoutes are the routes a Gateway refuses, by "<kind> ns/name":
	// the controller's event message.
	refusedRoutes map[string]string
	err           error
	// readErr: err is a failure to read AWS, not a bad input.
	readErr bool
	// haveSlices: the input holds EndpointSlices of a Service the stack
	// targets, so ip targets can be planned.
	haveSlices bool
}

// buildAll builds every Service lbsg handles, then every IngressGroup of
// the managed Ingresses, then every Gateway of an NLB or ALB class,
// through the reconcilers' fact readers and the model. Services come in
// namespace/name order, then groups by ID, then Gateways by
// namespace/name. Notes name the Ingresses left out because their class
// cannot be read and the Gateways whose class is not in the input.
func buildAll(ctx context.Context, c Cloud, objs Objects, nodes []model.Node, s Settings) ([]built, []string) {
	var out []built
	svcs := withDefaultNamespace(objs.Services, func(v *corev1.Service) *string { return &v.Namespace })
	slices.SortFunc(svcs, func(a, b corev1.Service) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	for i := range svcs {
		if svc := &svcs[i]; model.Handled(svc, s.Defaults) {
			out = append(out, buildService(ctx, c, svc, objs, nodes, s.Defaults))
		}
	}
	groups, failed, notes := ingressGroups(objs, svcs, s)
	out = append(out, failed...)
	for _, g := range groups {
		out = append(out, buildGroup(ctx, c, g, objs, nodes, s.Defaults))
	}
	gws, gwNotes := buildGateways(ctx, c, objs, nodes, s)
	return append(out, gws...), append(notes, gwNotes...)
}

func buildService(ctx context.Context, c Cloud, svc *corev1.Service, objs Objects, nodes []model.Node, d model.Defaults) built {
	b := built{id: naming.ServiceStack(svc.Namespace, svc.Name)}
	f, err := service.Facts(ctx, c, svc, b.id, d)
	if err != nil {
		b.err, b.readErr = err, true
		return b
	}
	snap, err := c.Snapshot(ctx, b.id)
	if err != nil {
		b.err, b.readErr = err, true
		return b
	}
	f.Nodes = nodes
	f.Endpoints = Endpoints(objs, svc.Namespace, svc.Name)
	podQUIC(f.Endpoints, objs.Pods, svc.Namespace)
	b.snap, b.haveSlices = snap, len(f.Endpoints) > 0 || hasSlices(objs, svc.Namespace, svc.Name)
	stack, warns, err := model.Build(svc, f, d)
	if err != nil {
		b.err = err
		return b
	}
	b.stack = stack
	if err := b.fillAttributes(ctx, c); err != nil {
		return b
	}
	for _, w := range warns {
		b.warnings = append(b.warnings, w.Reason+": "+w.Message)
	}
	return b
}

// attributeSource is the part of a live Cloud that reads the attributes
// a desired stack compares (state.Provider.FillAttributes); an offline
// Cloud has none to read.
type attributeSource interface {
	FillAttributes(ctx context.Context, desired model.Stack, snap plan.Snapshot) (plan.Snapshot, error)
}

// group is an IngressGroup of the input: its managed members, in
// namespace/name order.
type group struct {
	id      naming.Stack
	members []model.IngressMember
}

// ingressGroups sorts the managed Ingresses into groups with
// ingress.MembershipOf, the reconciler's rule. An Ingress whose group name
// is invalid is returned as a failed build of its implicit group; one
// whose class cannot be read is in no group (as for the reconciler) and
// gets a note.
func ingressGroups(objs Objects, svcs []corev1.Service, st Settings) ([]group, []built, []string) {
	params := map[string]*v1beta1.IngressClassParams{}
	for i := range objs.IngressClassParams {
		params[objs.IngressClassParams[i].Name] = &objs.IngressClassParams[i]
	}
	nsLabels := map[string]map[string]string{}
	for _, ns := range objs.Namespaces {
		nsLabels[ns.Name] = ns.Labels
	}
	byName := map[string]*corev1.Service{}
	for i := range svcs {
		byName[svcs[i].Namespace+"/"+svcs[i].Name] = &svcs[i]
	}
	for i := range objs.backends {
		if k := objs.backends[i].Namespace + "/" + objs.backends[i].Name; byName[k] == nil {
			byName[k] = &objs.backends[i]
		}
	}
	ings := withDefaultNamespace(objs.Ingresses, func(v *networkingv1.Ingress) *string { return &v.Namespace })
	slices.SortFunc(ings, func(a, b networkingv1.Ingress) int {
		return cmp.Or(strings.Compare(a.Namespace, b.Namespace), strings.Compare(a.Name, b.Name))
	})
	var failed []built
	var notes []string
	byStack := map[naming.Stack]*group{}
	var order []naming.Stack
	for i := range ings {
		ing := &ings[i]
		m := ingress.MembershipOf(ing, objs.IngressClasses, params, nsLabels[ing.Namespace], st.Class)
		switch {
		case m.ClassErr != nil:
			notes = append(notes, fmt.Sprintf("ingress %s/%s not planned: %v", ing.Namespace, ing.Name, m.ClassErr))
			continue
		case m.GroupErr != nil:
			failed = append(failed, built{id: naming.ImplicitIngressStack(ing.Namespace, ing.Name),
				err: fmt.Errorf("ingress %s/%s: %w", ing.Namespace, ing.Name, m.GroupErr)})
			continue
		}
		if !m.Managed {
			continue
		}
		g, ok := byStack[m.Stack]
		if !ok {
			g = &group{id: m.Stack}
			byStack[m.Stack] = g
			order = append(order, m.Stack)
		}
		im := model.IngressMember{Ingress: ing, Params: m.Params, Services: map[string]*corev1.Service{}, Endpoints: map[string][]model.Endpoint{}}
		for _, name := range ingress.BackendServices(ing) {
			if svc, ok := byName[ing.Namespace+"/"+name]; ok {
				im.Services[name] = svc
				im.Endpoints[name] = Endpoints(objs, ing.Namespace, name)
			}
		}
		for _, name := range model.AuthSecretNames(ing, im.Services) {
			if im.Secrets == nil {
				im.Secrets = map[string]*corev1.Secret{}
			}
			for j := range objs.Secrets {
				sec := &objs.Secrets[j]
				if sec.Namespace != ing.Namespace || sec.Name != name {
					continue
				}
				if err := st.unlabelled(sec); err != nil {
					if im.SecretErrs == nil {
						im.SecretErrs = map[string]error{}
					}
					im.SecretErrs[name] = err
					continue
				}
				im.Secrets[name] = sec
			}
		}
		g.members = append(g.members, im)
	}
	slices.SortFunc(order, func(a, b naming.Stack) int { return strings.Compare(a.ID(), b.ID()) })
	out := make([]group, 0, len(order))
	for _, st := range order {
		out = append(out, *byStack[st])
	}
	return out, failed, notes
}

func buildGroup(ctx context.Context, c Cloud, g group, objs Objects, nodes []model.Node, d model.Defaults) built {
	b := built{id: g.id}
	f, err := ingress.Facts(ctx, c, g.id, g.members)
	if err != nil {
		b.err, b.readErr = err, true
		return b
	}
	snap, err := c.Snapshot(ctx, g.id)
	if err != nil {
		b.err, b.readErr = err, true
		return b
	}
	f.Nodes = nodes
	b.snap = snap
	for _, m := range g.members {
		for name := range m.Services {
			b.haveSlices = b.haveSlices || len(m.Endpoints[name]) > 0 || hasSlices(objs, m.Ingress.Namespace, name)
		}
	}
	stack, warns, memberErrs, err := model.BuildIngressGroup(g.id, g.members, f, d)
	for _, k := range slices.Sorted(maps.Keys(memberErrs)) {
		b.failed = append(b.failed, "ingress "+k+" left out of the group: "+memberErrs[k].Error())
	}
	if err != nil {
		b.err = err
		return b
	}
	b.stack = stack
	if err := b.fillAttributes(ctx, c); err != nil {
		return b
	}
	for _, w := range warns {
		b.warnings = append(b.warnings, w.Reason+": "+w.Message)
	}
	return b
}

// fillAttributes reads the attributes b.stack compares (a live Cloud
// only); a failure is recorded in b as a read error.
func (b *built) fillAttributes(ctx context.Context, c Cloud) error {
	af, ok := c.(attributeSource)
	if !ok {
		return nil
	}
	snap, err := af.FillAttributes(ctx, b.stack, b.snap)
	if err != nil {
		b.err, b.readErr = err, true
		return err
	}
	b.snap = snap
	return nil
}

// withDefaultNamespace copies objs, giving those without a namespace
// "default" (as kubectl apply would).
func withDefaultNamespace[T any](objs []T, ns func(*T) *string) []T {
	out := slices.Clone(objs)
	for i := range out {
		if p := ns(&out[i]); *p == "" {
			*p = corev1.NamespaceDefault
		}
	}
	return out
}

func hasSlices(objs Objects, ns, name string) bool {
	for _, s := range objs.EndpointSlices {
		if s.Namespace == ns && s.Labels[discoveryv1.LabelServiceName] == name {
			return true
		}
	}
	return false
}

// podQUIC gives endpoints the QUIC server IDs of their pods among pods
// (namespace ns; a pod's UID must match when both have one).
func podQUIC(eps []model.Endpoint, pods []corev1.Pod, ns string) {
	for i := range eps {
		for j := range pods {
			p := &pods[j]
			if eps[i].Pod != "" && p.Name == eps[i].Pod && cmp.Or(p.Namespace, corev1.NamespaceDefault) == ns &&
				(p.UID == "" || eps[i].PodUID == "" || string(p.UID) == eps[i].PodUID) {
				eps[i].QUIC = model.PodQUICServerIDs(p)
			}
		}
	}
}

// Endpoints reads the slices of Service ns/name as the Service, Ingress
// and binding controllers do: an unready endpoint counts when its pod,
// among objs.Pods, is held back only by its readiness gates.
func Endpoints(objs Objects, ns, name string) []model.Endpoint {
	var mine []discoveryv1.EndpointSlice
	for _, s := range objs.EndpointSlices {
		if s.Namespace == ns && s.Labels[discoveryv1.LabelServiceName] == name {
			mine = append(mine, s)
		}
	}
	return model.EndpointsFromSlicesWith(mine, gatedPods(objs.Pods, ns))
}

// gatedPods is readiness.Unready over a list of pods: the endpoint's pod
// is given, not deleting, the same (UID) and its containers are ready.
func gatedPods(pods []corev1.Pod, ns string) func(discoveryv1.Endpoint) bool {
	return func(e discoveryv1.Endpoint) bool {
		if e.TargetRef == nil || e.TargetRef.Kind != "Pod" {
			return false
		}
		podNS := cmp.Or(e.TargetRef.Namespace, ns)
		for i := range pods {
			p := &pods[i]
			if p.Name == e.TargetRef.Name && cmp.Or(p.Namespace, corev1.NamespaceDefault) == podNS {
				return p.DeletionTimestamp == nil && (e.TargetRef.UID == "" || e.TargetRef.UID == p.UID) && readiness.ContainersReady(p)
			}
		}
		return false
	}
}
