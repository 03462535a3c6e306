package ingress

import (
	"context"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/ingressclass"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
)

// world is one consistent read of what decides group membership: the
// IngressClasses, the IngressClassParams and namespace labels (cached
// reads through the manager's client).
type world struct {
	kube    client.Reader
	cfg     ingressclass.Config
	classes []networkingv1.IngressClass
	params  map[string]*v1beta1.IngressClassParams
	nsLabel map[string]map[string]string
}

func loadWorld(ctx context.Context, kube client.Reader, cfg ingressclass.Config) (*world, error) {
	w := &world{kube: kube, cfg: cfg, params: map[string]*v1beta1.IngressClassParams{}, nsLabel: map[string]map[string]string{}}
	var classes networkingv1.IngressClassList
	if err := kube.List(ctx, &classes); err != nil {
		return nil, err
	}
	w.classes = classes.Items
	var params v1beta1.IngressClassParamsList
	// Without the CRD (installed by the chart, not by an older release)
	// there are no params; IngressClasses naming some get LBC's error.
	if err := kube.List(ctx, &params); err != nil && !meta.IsNoMatchError(err) && !apierrors.IsNotFound(err) {
		return nil, err
	}
	for i := range params.Items {
		w.params[params.Items[i].Name] = &params.Items[i]
	}
	return w, nil
}

// labels returns a namespace's labels (nil when it cannot be read).
func (w *world) labels(ctx context.Context, ns string) map[string]string {
	if l, ok := w.nsLabel[ns]; ok {
		return l
	}
	var n corev1.Namespace
	if err := w.kube.Get(ctx, types.NamespacedName{Name: ns}, &n); err == nil {
		w.nsLabel[ns] = n.Labels
	} else {
		w.nsLabel[ns] = nil
	}
	return w.nsLabel[ns]
}

// classify decides whether lbsg handles ing, and with which params.
func (w *world) classify(ctx context.Context, ing *networkingv1.Ingress) (ingressclass.Result, error) {
	return ingressclass.Classify(ing, w.classes, w.params, w.labels(ctx, ing.Namespace), w.cfg)
}

// membership is what decides an Ingress's group.
type membership struct {
	stack  naming.Stack
	params *v1beta1.IngressClassParamsSpec
	// managed: lbsg handles the Ingress now (and it is not deleting).
	managed bool
	// classErr: its IngressClass configuration cannot be read.
	classErr error
	// groupErr: its group name is invalid, so it belongs to no group.
	groupErr error
}

// membershipOf classifies ing and computes its group.
func (w *world) membershipOf(ctx context.Context, ing *networkingv1.Ingress) membership {
	return membershipFrom(ing, func() (ingressclass.Result, error) { return w.classify(ctx, ing) })
}

// membershipFrom: a deleting Ingress is in no group; else classify decides.
func membershipFrom(ing *networkingv1.Ingress, classify func() (ingressclass.Result, error)) membership {
	if !ing.DeletionTimestamp.IsZero() {
		return membership{}
	}
	res, err := classify()
	if err != nil {
		return membership{classErr: err}
	}
	if !res.Managed {
		return membership{}
	}
	st, err := model.IngressGroupID(ing, res.Params)
	if err != nil {
		return membership{groupErr: err}
	}
	return membership{stack: st, params: res.Params, managed: true}
}

// Membership is an Ingress's place in the IngressGroups, as the reconciler
// decides it.
type Membership struct {
	// Managed: lbsg handles the Ingress now and it is not being deleted;
	// Stack is then its group and Params its IngressClassParams spec (nil
	// without one).
	Managed bool
	Stack   naming.Stack
	Params  *v1beta1.IngressClassParamsSpec
	// ClassErr: its IngressClass configuration cannot be read. The
	// reconciler then leaves it alone unless it holds a group's finalizer
	// (that group waits).
	ClassErr error
	// GroupErr: its group name is invalid; it belongs to no group (the
	// reconciler reports it on its implicit group).
	GroupErr error
}

// MembershipOf is the reconciler's membership rule as a pure function, for
// callers holding the objects rather than a client (lbsg plan and audit):
// classes, params by name and ing's namespace labels are what
// ingressclass.Classify reads.
func MembershipOf(ing *networkingv1.Ingress, classes []networkingv1.IngressClass, params map[string]*v1beta1.IngressClassParams,
	nsLabels map[string]string, cfg ingressclass.Config) Membership {
	m := membershipFrom(ing, func() (ingressclass.Result, error) {
		return ingressclass.Classify(ing, classes, params, nsLabels, cfg)
	})
	return Membership{Managed: m.managed, Stack: m.stack, Params: m.params, ClassErr: m.classErr, GroupErr: m.groupErr}
}

// FinalizerStacks are the IngressGroups whose finalizer ing holds: groups
// still being torn down for it.
func FinalizerStacks(ing *networkingv1.Ingress) []naming.Stack { return finalizerStacks(ing) }

// BackendServices lists the names of the Services an Ingress references
// (default backend first, then rule paths), without duplicates: a
// use-annotation backend references the Services its actions.<name>
// annotation forwards to (none when the annotation is absent or invalid;
// the model reports that).
func BackendServices(ing *networkingv1.Ingress) []string {
	var out []string
	add := func(b *networkingv1.IngressBackend) {
		if b == nil || b.Service == nil {
			return
		}
		names := []string{b.Service.Name}
		if b.Service.Port.Name == "use-annotation" {
			a, _, _ := annotations.ParseRouteAction(ing.Annotations, b.Service.Name)
			names = a.ServiceNames()
		}
		for _, n := range names {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	add(ing.Spec.DefaultBackend)
	for _, rule := range ing.Spec.Rules {
		if rule.HTTP == nil {
			continue
		}
		for i := range rule.HTTP.Paths {
			add(&rule.HTTP.Paths[i].Backend)
		}
	}
	return out
}

// finalizerStacks are the stacks whose finalizer ing holds.
func finalizerStacks(ing *networkingv1.Ingress) []naming.Stack {
	var out []naming.Stack
	for _, f := range ing.Finalizers {
		switch {
		case f == naming.FinalizerIngress:
			out = append(out, naming.ImplicitIngressStack(ing.Namespace, ing.Name))
		case strings.HasPrefix(f, naming.FinalizerIngressGroupPrefix):
			out = append(out, naming.ExplicitIngressStack(strings.TrimPrefix(f, naming.FinalizerIngressGroupPrefix)))
		}
	}
	return out
}

// holds reports whether ing holds st's finalizer.
func holds(ing *networkingv1.Ingress, st naming.Stack) bool {
	for _, s := range finalizerStacks(ing) {
		if s == st {
			return true
		}
	}
	return false
}

// group is one IngressGroup as loaded for a reconcile.
type group struct {
	stack naming.Stack
	// members are the managed, non-deleting Ingresses of the group.
	members []member
	// leaving hold the group's finalizer but are no longer members.
	leaving []*networkingv1.Ingress
	// blocked hold the finalizer but their class cannot be read: the group
	// waits rather than dropping their routes (LBC: fatal for holders).
	blocked map[*networkingv1.Ingress]error
	// invalid are Ingresses of this implicit group whose group name is
	// invalid (reported here: they have no other group).
	invalid map[*networkingv1.Ingress]error
}

type member struct {
	ing    *networkingv1.Ingress
	params *v1beta1.IngressClassParamsSpec
}

func (g *group) objects() []client.Object {
	out := make([]client.Object, 0, len(g.members))
	for _, m := range g.members {
		out = append(out, m.ing)
	}
	return out
}

// loadGroup lists the Ingresses and sorts them into st's group.
func loadGroup(ctx context.Context, kube client.Reader, w *world, st naming.Stack) (*group, error) {
	var list networkingv1.IngressList
	if err := kube.List(ctx, &list); err != nil {
		return nil, err
	}
	g := &group{stack: st, blocked: map[*networkingv1.Ingress]error{}, invalid: map[*networkingv1.Ingress]error{}}
	for i := range list.Items {
		ing := &list.Items[i]
		held := holds(ing, st)
		m := w.membershipOf(ctx, ing)
		switch {
		case m.classErr != nil && held:
			g.blocked[ing] = m.classErr
		case m.groupErr != nil && st == naming.ImplicitIngressStack(ing.Namespace, ing.Name):
			g.invalid[ing] = m.groupErr
			if held {
				g.leaving = append(g.leaving, ing)
			}
		case m.managed && m.stack == st:
			g.members = append(g.members, member{ing: ing, params: m.params})
		case held:
			g.leaving = append(g.leaving, ing)
		}
	}
	return g, nil
}

// Owner lists Ingress stacks for deploy.Owners.
type Owner struct {
	Kube  client.Reader
	Class ingressclass.Config
}

// Stacks returns the group of every managed Ingress and every group whose
// finalizer an Ingress holds.
func (o Owner) Stacks(ctx context.Context) ([]naming.Stack, error) {
	w, err := loadWorld(ctx, o.Kube, o.Class)
	if err != nil {
		return nil, err
	}
	var list networkingv1.IngressList
	if err := o.Kube.List(ctx, &list); err != nil {
		return nil, err
	}
	seen := map[naming.Stack]bool{}
	var out []naming.Stack
	add := func(s naming.Stack) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for i := range list.Items {
		ing := &list.Items[i]
		for _, s := range finalizerStacks(ing) {
			add(s)
		}
		if m := w.membershipOf(ctx, ing); m.managed {
			add(m.stack)
		}
	}
	return out, nil
}

// Objects returns the members and leaving Ingresses of an Ingress stack.
func (o Owner) Objects(ctx context.Context, st naming.Stack) ([]client.Object, error) {
	if st.Kind != naming.KindIngress {
		return nil, nil
	}
	w, err := loadWorld(ctx, o.Kube, o.Class)
	if err != nil {
		return nil, err
	}
	g, err := loadGroup(ctx, o.Kube, w, st)
	if err != nil {
		return nil, err
	}
	out := g.objects()
	for _, ing := range g.leaving {
		out = append(out, ing)
	}
	return out, nil
}
