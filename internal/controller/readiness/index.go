package readiness

import (
	"context"
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/webhook"
)

// Group is one ip target group of a stack.
type Group struct {
	Name      string // the target group's name, the gate's suffix
	ARN       string // "" until created
	Namespace string // of the backend Service and its pods
	Service   string
	Stack     naming.Stack
}

// Index holds the ip target groups of the published stacks.
type Index struct {
	mu      sync.RWMutex
	byStack map[string][]Group
	// changed receives the gates (namespace, name) of groups that
	// appeared or got an ARN.
	changed func(...reconcile.Request)
	// leader: this process reconciles (its Publisher runs).
	leader bool
}

// NewIndex returns an empty Index.
func NewIndex() *Index { return &Index{byStack: map[string][]Group{}} }

// Groups returns the ip target groups of desired, with the ARNs known
// (by resource ID).
func Groups(stack naming.Stack, desired model.Stack, arns map[string]string) []Group {
	var out []Group
	for _, tg := range desired.TargetGroups {
		if tg.TargetType != "ip" || tg.Backend == "" {
			continue
		}
		ns, svc, _ := cutSlash(tg.Backend)
		out = append(out, Group{Name: tg.Name, ARN: arns[tg.ResourceID], Namespace: ns, Service: svc, Stack: stack})
	}
	return out
}

func cutSlash(s string) (string, string, bool) {
	for i := range len(s) {
		if s[i] == '/' {
			return s[:i], s[i+1:], true
		}
	}
	return "", s, false
}

// Set records a stack's groups (none: forget the stack).
func (x *Index) Set(stack naming.Stack, groups []Group) {
	x.mu.Lock()
	old := x.byStack[stack.Key()]
	if len(groups) == 0 {
		delete(x.byStack, stack.Key())
	} else {
		x.byStack[stack.Key()] = groups
	}
	notify := x.changed
	x.mu.Unlock()
	if notify == nil {
		return
	}
	var reqs []reconcile.Request
	for _, g := range groups {
		if !slices.Contains(old, g) {
			reqs = append(reqs, gateRequest(g.Namespace, g.Name))
		}
	}
	if len(reqs) > 0 {
		notify(reqs...)
	}
}

// Group returns the group whose gate is (ns, name).
func (x *Index) Group(ns, name string) (Group, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, gs := range x.byStack {
		for _, g := range gs {
			if g.Namespace == ns && g.Name == name {
				return g, true
			}
		}
	}
	return Group{}, false
}

// ofService returns the names of the ip groups whose backend is ns/svc.
func (x *Index) ofService(ns, svc string) []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []string
	for _, gs := range x.byStack {
		for _, g := range gs {
			if g.Namespace == ns && g.Service == svc && !slices.Contains(out, g.Name) {
				out = append(out, g.Name)
			}
		}
	}
	slices.Sort(out)
	return out
}

func gateRequest(ns, name string) reconcile.Request {
	return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: name}}
}

// Gates is the webhook's GateSource over an Index: a new pod gets the gate
// of every ip target group whose backend Service selects it. A process that
// does not lead reads the names from Shared, the leader's ConfigMap.
type Gates struct {
	Index    *Index
	Services client.Reader
	Shared   *Shared
}

var _ webhook.GateSource = Gates{}

// PodGates implements webhook.GateSource.
func (g Gates) PodGates(ctx context.Context, ns string, pod *corev1.Pod) ([]corev1.PodConditionType, error) {
	if ns == "" {
		ns = pod.Namespace
	}
	var svcs corev1.ServiceList
	if err := g.Services.List(ctx, &svcs, client.InNamespace(ns)); err != nil {
		return nil, err
	}
	var out []corev1.PodConditionType
	for i := range svcs.Items {
		svc := &svcs.Items[i]
		if len(svc.Spec.Selector) == 0 || !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(pod.Labels)) {
			continue
		}
		names := g.Index.ofService(ns, svc.Name)
		if !g.Index.Leader() && g.Shared != nil {
			var err error
			if names, err = g.Shared.ofService(ctx, ns, svc.Name); err != nil {
				return nil, err
			}
		}
		for _, name := range names {
			out = append(out, webhook.GateType(name))
		}
	}
	return out, nil
}
