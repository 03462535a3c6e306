package targetsg

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/metrics"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// ControllerName is the reconciler's controller-runtime name.
const ControllerName = "targetsg"

// IncompleteRequeue is how soon to look again when some Service has not
// reported since start, so revokes are held back.
const IncompleteRequeue = 5 * time.Second

// Reconciler writes target-SG rules.
type Reconciler struct {
	// Owners list the stacks that must have reported before a revoke, and
	// find a stack's objects for events.
	Owners   *deploy.Owners
	AWS      *state.Provider
	Registry *registry.Registry
	Trigger  *registry.Trigger[registry.SGKey]
	Events   *events.Recorder
	Metrics  *metrics.Metrics
	Defaults model.Defaults
	// AdoptLBCRules also revokes LBC's bare-marker rules (migration).
	AdoptLBCRules bool
}

// SetupWithManager registers the controller.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	return builder.TypedControllerManagedBy[registry.SGKey](mgr).Named(ControllerName).
		WatchesRawSource(r.Trigger.Source()).
		WithOptions(controller.TypedOptions[registry.SGKey]{MaxConcurrentReconciles: 2}).
		Complete(r)
}

// Reconcile converges one target SG.
func (r *Reconciler) Reconcile(ctx context.Context, key registry.SGKey) (res reconcile.Result, err error) {
	log := logf.FromContext(ctx).WithValues("securityGroup", key.GroupID)
	defer func() { r.Metrics.Reconciled("targetsg", result(res, err)) }()
	sg, err := r.AWS.SecurityGroup(ctx, key.GroupID, false)
	if err != nil {
		return reconcile.Result{}, err
	}
	if sg == nil {
		log.Info("target security group no longer exists")
		return reconcile.Result{}, nil
	}
	owns := naming.RulePredicate(r.Defaults.ClusterName, r.AdoptLBCRules)
	// Completeness first, then the contributions: read the other way round,
	// a stack reporting in between would count as reported while its rules
	// are missing from desired, and be revoked.
	complete, err := r.Owners.Complete(ctx, r.Registry)
	if err != nil {
		return reconcile.Result{}, err
	}
	contrib := r.Registry.Contributions(key.GroupID)
	sets := make([]rules.Set, 0, len(contrib))
	for _, s := range slices.Sorted(maps.Keys(contrib)) {
		sets = append(sets, contrib[s])
	}
	foreign := sg.Ingress.Filter(func(d string) bool { return !owns(d) })
	desired, warnings, perr := model.TargetSGDesired(key.GroupID, sets, foreign, 0)
	for _, w := range warnings {
		r.warnStacks(ctx, slices.Sorted(maps.Keys(contrib)), w.Reason, w.Message)
	}
	if perr != nil {
		log.Error(perr, "desired rules do not fit the quota; authorizing what fits is not attempted")
		r.warnStacks(ctx, slices.Sorted(maps.Keys(contrib)), events.ReasonFailedNetworkReconcile, perr.Error())
		return reconcile.Result{}, reconcile.TerminalError(perr)
	}
	r.Metrics.SetRules(key.GroupID, len(desired))

	delta := rules.CompareSets(sg.Ingress, desired, owns)
	if len(delta.Authorize) > 0 && coveredBy(sets, sg.Ingress.Filter(owns)) {
		// Every rule a stack asked for is already inside one of ours: only
		// the packing differs, as it does for a partial registry (a restart,
		// before every stack reported). Authorizing that packing would churn
		// the SG or hit its quota; wait for the full registry.
		if !complete {
			log.Info("every contributed rule is in place; repacking waits until every Service has reported", "count", len(delta.Authorize))
			return reconcile.Result{RequeueAfter: IncompleteRequeue}, nil
		}
	}
	if len(delta.Authorize) > 0 {
		log.Info("authorizing ingress rules", "count", len(delta.Authorize), "rules", delta.Authorize.String())
		var err error
		if q := (rules.Quota{}); q.Fits(q.Usage(sg.Ingress.Union(delta.Authorize))) {
			err = r.AWS.Authorize(ctx, key.GroupID, delta.Authorize)
			if awserr.Is(err, awserr.EC2RulesPerSecurityGroupLimitExceeded) {
				// Our own unwanted rules may hold the room: they go first,
				// which removes nothing anybody wants (scenario 42), then retry.
				err = r.makeRoom(ctx, key.GroupID, desired, owns, complete)
			}
		} else {
			// It cannot fit: make room first rather than spend a call on
			// RulesPerSecurityGroupLimitExceeded.
			err = r.makeRoom(ctx, key.GroupID, desired, owns, complete)
		}
		if errors.Is(err, errNoRoomYet) {
			log.Info("rule quota exceeded; waiting for every Service to report before making room", "count", len(delta.Authorize))
			return reconcile.Result{RequeueAfter: IncompleteRequeue}, nil
		}
		if err != nil && !awserr.Is(err, awserr.EC2InvalidPermissionDuplicate) {
			log.Error(err, "authorize failed", "awsCode", awserr.Code(err))
			r.warnStacks(ctx, slices.Sorted(maps.Keys(contrib)), events.ReasonFailedNetworkReconcile, err.Error())
			return reconcile.Result{}, err
		}
	}
	if len(delta.Describe) > 0 {
		// A rule lbsg owns with another description (LBC's bare marker,
		// adopted): rewritten in place, never revoked and re-added.
		log.Info("rewriting rule descriptions", "count", len(delta.Describe), "rules", delta.Describe.String())
		if err := r.AWS.Describe(ctx, key.GroupID, delta.Describe); err != nil {
			log.Error(err, "description update failed", "awsCode", awserr.Code(err))
			return reconcile.Result{}, err
		}
	}
	if len(delta.Revoke) == 0 {
		return reconcile.Result{}, nil
	}
	if !complete {
		log.Info("holding revokes until every Service has reported", "count", len(delta.Revoke))
		return reconcile.Result{RequeueAfter: IncompleteRequeue}, nil
	}
	// Never revoke from a cached read (LBC #4889).
	fresh, err := r.AWS.SecurityGroup(ctx, key.GroupID, true)
	if err != nil || fresh == nil {
		return reconcile.Result{}, err
	}
	_, revoke := rules.Diff(fresh.Ingress, desired, owns)
	if len(revoke) == 0 {
		return reconcile.Result{}, nil
	}
	log.Info("revoking ingress rules", "count", len(revoke), "rules", revoke.String())
	if err := r.AWS.Revoke(ctx, key.GroupID, revoke); err != nil && !awserr.Is(err, awserr.EC2InvalidPermissionNotFound) {
		log.Error(err, "revoke failed", "awsCode", awserr.Code(err))
		return reconcile.Result{}, err
	}
	return reconcile.Result{}, nil
}

// coveredBy reports whether every rule of sets lies inside a rule of have:
// same protocol and peer, port range within.
func coveredBy(sets []rules.Set, have rules.Set) bool {
	for _, s := range sets {
		for k := range s {
			if !covers(have, k) {
				return false
			}
		}
	}
	return true
}

func covers(have rules.Set, k rules.Key) bool {
	if have.Has(k) {
		return true
	}
	if !k.HasPorts() {
		return false
	}
	for o := range have {
		if o.Protocol == k.Protocol && o.Peer == k.Peer && o.FromPort <= k.FromPort && k.ToPort <= o.ToPort {
			return true
		}
	}
	return false
}

func (r *Reconciler) warnStacks(ctx context.Context, stacks []string, reason, msg string) {
	for _, key := range stacks {
		st, ok := naming.ParseKey(key)
		if !ok {
			continue
		}
		for _, o := range r.Owners.Objects(ctx, st) {
			r.Events.Warn(o, reason, events.ActionReconcile, msg)
		}
	}
}

func result(res reconcile.Result, err error) string {
	switch {
	case err != nil:
		return "error"
	case res.RequeueAfter > 0:
		return "requeue"
	}
	return "success"
}

// errNoRoomYet: the quota is full and revokes wait for every stack to
// report; the SG is looked at again after IncompleteRequeue, not after an
// error's growing backoff (which, during a cold start of hundreds of
// Services, left the node SG unfinished for minutes).
var errNoRoomYet = errors.New("rule quota exceeded and nothing may be revoked until every Service has reported")

// makeRoom revokes lbsg's undesired rules (fresh read, complete knowledge
// only) and authorizes again.
func (r *Reconciler) makeRoom(ctx context.Context, id string, desired rules.Set, owns func(string) bool, complete bool) error {
	if !complete {
		return errNoRoomYet
	}
	fresh, err := r.AWS.SecurityGroup(ctx, id, true)
	if err != nil || fresh == nil {
		return errors.Join(err, errors.New("rule quota exceeded and the security group cannot be read"))
	}
	if _, revoke := rules.Diff(fresh.Ingress, desired, owns); len(revoke) > 0 {
		if err := r.AWS.Revoke(ctx, id, revoke); err != nil {
			return err
		}
	}
	missing, _ := rules.Diff(fresh.Ingress, desired, owns)
	return r.AWS.Authorize(ctx, id, missing)
}
