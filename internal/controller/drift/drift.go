package drift

import (
	"context"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/metrics"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// Checker runs the drift check.
type Checker struct {
	// Backend, when set, is released after each check if nothing uses it:
	// after a restart with every stack gone no reconcile would run to do
	// it.
	Backend *deploy.Backend
	// Owners, when set, let the check count leaks: resources carrying
	// this cluster's stack tags whose stack no object holds any more.
	Owners    *deploy.Owners
	AWS       *state.Provider
	Registry  *registry.Registry
	TargetSGs *registry.Trigger[registry.SGKey]
	Services  *registry.Trigger[reconcile.Request]
	// Ingresses enqueues Ingress groups (nil: no Ingress controller).
	Ingresses *registry.Trigger[reconcile.Request]
	// Gateways enqueues Gateways of NLB classes, ALBGateways those of ALB
	// classes (nil: no such Gateway controller).
	Gateways, ALBGateways *registry.Trigger[reconcile.Request]
	Metrics               *metrics.Metrics
	Defaults              model.Defaults
	Interval              time.Duration
	Clock                 clock.WithTicker // nil: real clock
	// AdoptLBCRules: as targetsg's.
	AdoptLBCRules bool
}

// StartRetry is how soon a failed drift check at start is retried.
const StartRetry = 10 * time.Second

// Start runs Check every Interval until ctx ends (manager.Runnable; needs
// leader election).
func (c *Checker) Start(ctx context.Context) error {
	clk := c.Clock
	if clk == nil {
		clk = clock.RealClock{}
	}
	t := clk.NewTicker(c.Interval)
	defer t.Stop()
	// A restarted controller's registry is empty: owned rules on target SGs
	// of stacks torn down before the crash would wait a whole interval (and
	// their backend SG with them), so check at start, retrying a failed
	// check (a resource deleted between list and describe) soon.
	for {
		res, err := c.Check(ctx)
		if err == nil && !res.BackendPending {
			break
		}
		if err != nil {
			logf.FromContext(ctx).Error(err, "drift check failed")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-clk.After(StartRetry):
		}
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C():
			if _, err := c.Check(ctx); err != nil {
				logf.FromContext(ctx).Error(err, "drift check failed")
			}
		}
	}
}

// Result says what a Check enqueued.
type Result struct {
	TargetSGs []string
	// Stacks are the keys (naming.Stack.Key) of the stacks re-enqueued.
	Stacks []string
	// Leaked counts, by kind (security-group, load-balancer,
	// target-group), what carries a stack nobody holds; nil when the
	// registry is not complete yet and leaks cannot be told apart.
	Leaked map[string]int
	// BackendPending: the unused backend SG could not be deleted yet (rules
	// citing it are still being revoked); the start-up check retries.
	BackendPending bool
}

// Check refreshes the caches and enqueues what drifted.
func (c *Checker) Check(ctx context.Context) (Result, error) {
	var res Result
	changedSGs, err := c.AWS.RefreshSecurityGroups(ctx)
	if err != nil {
		return res, err
	}
	changedStacks, err := c.AWS.RefreshELB(ctx)
	if err != nil {
		return res, err
	}
	// Certificate discovery: a certificate issued, re-imported or deleted
	// since the last listing re-enqueues the groups that discover theirs.
	// A failed listing (ACM throttling, a policy without the ACM reads)
	// must not stop the rest of the check; the groups retry on their own.
	certUsers, err := c.AWS.RefreshCertificates(ctx)
	if err != nil {
		logf.FromContext(ctx).Error(err, "listing ACM certificates for certificate discovery failed")
	}
	owns := naming.RulePredicate(c.Defaults.ClusterName, c.AdoptLBCRules)
	// Target SGs: every SG with a contribution or a rule of ours.
	all, err := c.AWS.FindSecurityGroups(ctx, func(map[string]string) bool { return true })
	if err != nil {
		return res, err
	}
	stacks := map[string]bool{}
	for _, s := range changedStacks {
		stacks[s] = true
	}
	for _, sg := range all {
		contrib := c.Registry.Contributions(sg.ID)
		if o := naming.ClassifySecurityGroup(sg.Tags, c.Defaults.ClusterName); o.Role == naming.SGManagedFrontend {
			if st, ok := naming.StackFromTags(sg.Tags); ok && slices.Contains(changedSGs, sg.ID) {
				stacks[st.Key()] = true
			}
			continue
		}
		ours := sg.Ingress.Filter(owns)
		if len(contrib) == 0 && len(ours) == 0 {
			continue
		}
		sets := make([]rules.Set, 0, len(contrib))
		for _, s := range contrib {
			sets = append(sets, s)
		}
		desired, _, _ := model.TargetSGDesired(sg.ID, sets, sg.Ingress.Filter(func(d string) bool { return !owns(d) }), 0)
		if d := rules.CompareSets(sg.Ingress, desired, owns); len(d.Authorize) > 0 || len(d.Revoke) > 0 || len(d.Describe) > 0 {
			res.TargetSGs = append(res.TargetSGs, sg.ID)
			c.TargetSGs.Enqueue(registry.SGKey{GroupID: sg.ID})
			c.Metrics.Drift("target-security-group")
		}
	}
	// Add-ons and attributes, which the listings do not show: only for the
	// stacks whose desired state asks for them.
	for _, key := range c.checkWatched(ctx, stacks) {
		stacks[key] = true
	}
	for _, key := range certUsers {
		st, ok := naming.ParseKey(key)
		if !ok || st.Kind == naming.KindService || stacks[key] {
			continue
		}
		// Gateways (ALB HTTPS, NLB TLS listeners) discover certificates
		// too: they go to their own queue, not the Ingresses'.
		t, req := c.Ingresses, GroupRequest(st)
		if st.IsGateway() {
			t, req = c.Gateways, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: st.Namespace, Name: st.Name}}
			if st.Kind == naming.KindGatewayALB {
				t = c.ALBGateways
			}
		}
		if t != nil {
			res.Stacks = append(res.Stacks, key)
			t.Enqueue(req)
			c.Metrics.Drift("certificate")
		}
	}
	for key := range stacks {
		st, ok := naming.ParseKey(key)
		if !ok {
			continue
		}
		res.Stacks = append(res.Stacks, key)
		c.AWS.Invalidate(key)
		switch {
		case st.Kind == naming.KindService:
			c.Services.Enqueue(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: st.Namespace, Name: st.Name}})
			c.Metrics.Drift("service")
		case st.IsGateway():
			t := c.Gateways
			if st.Kind == naming.KindGatewayALB {
				t = c.ALBGateways
			}
			if t != nil {
				t.Enqueue(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: st.Namespace, Name: st.Name}})
				c.Metrics.Drift("gateway")
			}
		case c.Ingresses != nil:
			c.Ingresses.Enqueue(GroupRequest(st))
			c.Metrics.Drift("ingress")
		}
	}
	slices.Sort(res.Stacks)
	if c.Backend != nil {
		if res.BackendPending, err = c.Backend.ReleaseIfUnused(ctx); err != nil {
			return res, err
		}
	}
	if res.Leaked, err = c.leaks(ctx, all); err != nil {
		return res, err
	}
	return res, nil
}

// leaks counts the managed SGs, load balancers and target groups of stacks
// that no object holds any more, once every stack has reported; lbsg
// audit --fix removes them. The counts go to lbsg_leaked_resources.
func (c *Checker) leaks(ctx context.Context, sgs []*state.SG) (map[string]int, error) {
	if c.Owners == nil {
		return nil, nil
	}
	complete, err := c.Owners.Complete(ctx, c.Registry)
	if err != nil || !complete {
		return nil, err
	}
	out := map[string]int{"security-group": 0, "load-balancer": 0, "target-group": 0}
	for _, sg := range sgs {
		if naming.ClassifySecurityGroup(sg.Tags, c.Defaults.ClusterName).Role != naming.SGManagedFrontend {
			continue
		}
		if st, ok := naming.StackFromTags(sg.Tags); ok && !c.Registry.Known(st.Key()) {
			out["security-group"]++
		}
	}
	lbs, tgs := c.AWS.OwnedStackKeys()
	for _, key := range lbs {
		if !c.Registry.Known(key) {
			out["load-balancer"]++
		}
	}
	for _, key := range tgs {
		if !c.Registry.Known(key) {
			out["target-group"]++
		}
	}
	for kind, n := range out {
		c.Metrics.SetLeaked(kind, n)
	}
	return out, nil
}

// GroupRequest is the Ingress controller's key for an Ingress stack: the
// Ingress for an implicit group, {"", group} for an explicit one (Ingresses
// are namespaced, so an empty namespace cannot name one).
func GroupRequest(st naming.Stack) reconcile.Request {
	if st.Explicit() {
		return reconcile.Request{NamespacedName: types.NamespacedName{Name: st.Group}}
	}
	return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: st.Namespace, Name: st.Name}}
}
