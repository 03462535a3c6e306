package drift

import (
	"context"
	"maps"
	"slices"

	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
)

// checkWatched re-reads, for every stack whose desired state asks for
// add-ons or sets attributes (registry.Watched) and that the listings did
// not already find changed (skip), exactly those facts, refreshing the
// caches, and returns the keys of the stacks whose AWS state differs. A
// stack asking for none costs no call; the Shield subscription is read
// once when some stack asks about Shield. A failed read is logged and
// leaves that stack to the next check: it must not stop the rest.
func (c *Checker) checkWatched(ctx context.Context, skip map[string]bool) []string {
	all := c.Registry.Watched()
	log := logf.FromContext(ctx)
	if c.AWS.ShieldEnabled() && slices.ContainsFunc(slices.Collect(maps.Values(all)), func(w registry.Watched) bool { return w.Addons.Shield != nil }) {
		if _, err := c.AWS.RereadShieldSubscribed(ctx); err != nil {
			log.Error(err, "reading the Shield Advanced subscription state failed")
		}
	}
	var out []string
	for _, key := range slices.Sorted(maps.Keys(all)) {
		if skip[key] {
			continue // re-read in full by its reconcile anyway
		}
		st, ok := naming.ParseKey(key)
		if !ok {
			continue
		}
		differs, err := c.watchedDiffers(ctx, st, all[key])
		if err != nil {
			log.Error(err, "re-reading a stack's add-ons and attributes failed", "stack", key)
			continue
		}
		if differs {
			out = append(out, key)
		}
	}
	return out
}

// watchedDiffers re-reads every fact w names of the stack's load balancer
// and target groups (all of them, so each cache is fresh for the repair)
// and reports whether one differs from what w asks. Attributes are
// compared as plan.Diff compares them: only the keys w sets.
func (c *Checker) watchedDiffers(ctx context.Context, st naming.Stack, w registry.Watched) (bool, error) {
	lb, err := c.AWS.ExistingLoadBalancer(ctx, st)
	if err != nil || lb == nil {
		return false, err // none yet: its reconcile creates it
	}
	differs, err := deploy.AddonsDiffer(ctx, c.AWS, lb.ARN, w.Addons)
	if err != nil {
		return false, err
	}
	if len(w.LoadBalancerAttributes) > 0 {
		got, err := c.AWS.RereadLoadBalancerAttributes(ctx, lb.ARN)
		if err != nil {
			return false, err
		}
		differs = differs || (got != nil && len(plan.ChangedAttributes(got, w.LoadBalancerAttributes)) > 0)
	}
	for _, arn := range slices.Sorted(maps.Keys(w.TargetGroupAttributes)) {
		got, err := c.AWS.RereadTargetGroupAttributes(ctx, arn)
		if err != nil {
			return false, err
		}
		differs = differs || (got != nil && len(plan.ChangedAttributes(got, w.TargetGroupAttributes[arn])) > 0)
	}
	return differs, nil
}
