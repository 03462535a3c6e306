package deploy

import (
	"context"
	"fmt"

	logf "sigs.k8s.io/controller-runtime/pkg/log"

	cloudshield "github.com/lbsg/lbsg/internal/cloud/shield"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/model"
)

// Shield protection names that mark a protection as the controller's:
// LBC's (which lbsg uses too, so either controller manages the other's)
// and the legacy aws-alb-ingress-controller's. A protection under any
// other name is someone else's and is never deleted.
const (
	ProtectionName       = "managed by aws-load-balancer-controller"
	protectionNameLegacy = "managed by aws-alb-ingress-controller"
)

func ownedProtection(name string) bool { return name == ProtectionName || name == protectionNameLegacy }

// AddonStep is one add-on write that applying a desired stack's add-ons
// makes: its AWS action (AssociateWebACL, DisassociateWebACL,
// AssociateWAFClassicWebACL, DisassociateWAFClassicWebACL,
// CreateProtection, DeleteProtection) and its value (the web ACL ARN or
// ID; the protection's ID).
type AddonStep struct {
	Action, Value string
}

// addonReads are the reads that decide add-on steps: from state's cache
// (apply, plan) or fresh (the drift check).
type addonReads struct {
	wafv2, wafRegional func(ctx context.Context, lbARN string) (string, error)
	protection         func(ctx context.Context, lbARN string) (*cloudshield.Protection, error)
}

func cachedReads(aws *state.Provider) addonReads {
	return addonReads{wafv2: aws.WAFv2Association, wafRegional: aws.WAFRegionalAssociation, protection: aws.ShieldProtection}
}

func freshReads(aws *state.Provider) addonReads {
	return addonReads{wafv2: aws.RereadWAFv2Association, wafRegional: aws.RereadWAFRegionalAssociation, protection: aws.RereadShieldProtection}
}

// addonSteps are LBC's synthesizers' decisions for an ALB's WAF and Shield
// add-ons: an add-on nobody asks for (nil) is left alone; a web ACL is
// associated when none or another is, and disassociated when asked for
// none; a protection is created when asked for and missing, and deleted
// when asked against only if it carries the controller's name. A disabled
// add-on (--enable-wafv2, --enable-waf, --enable-shield) is skipped; so
// is Shield without an ACTIVE subscription (as LBC, logged). lbARN "" is
// a load balancer not created yet: nothing is read, it has no add-on.
// aws nil is a plan without AWS: every add-on enabled, Shield subscribed.
func addonSteps(ctx context.Context, aws *state.Provider, r addonReads, lbARN string, a model.Addons) ([]AddonStep, error) {
	var out []AddonStep
	read := func(f func(context.Context, string) (string, error), what string) (string, error) {
		if lbARN == "" {
			return "", nil
		}
		cur, err := f(ctx, lbARN)
		if err != nil {
			return "", fmt.Errorf("failed to get %s webACL association on LoadBalancer: %w", what, err)
		}
		return cur, nil
	}
	if a.WAFv2 != nil && (aws == nil || aws.WAFv2Enabled()) {
		cur, err := read(r.wafv2, "WAFv2")
		if err != nil {
			return nil, err
		}
		if want := *a.WAFv2; want != cur {
			out = append(out, webACLStep("WebACL", want, cur))
		}
	}
	if a.WAFRegional != nil && (aws == nil || aws.WAFRegionalEnabled()) {
		cur, err := read(r.wafRegional, "WAFClassic")
		if err != nil {
			return nil, err
		}
		if want := *a.WAFRegional; want != cur {
			out = append(out, webACLStep("WAFClassicWebACL", want, cur))
		}
	}
	if a.Shield == nil || aws != nil && !aws.ShieldEnabled() {
		return out, nil
	}
	step, err := shieldStep(ctx, aws, r, lbARN, *a.Shield)
	if step != nil {
		out = append(out, *step)
	}
	return out, err
}

// webACLStep associates want, or disassociates cur when want is "".
func webACLStep(kind, want, cur string) AddonStep {
	if want == "" {
		return AddonStep{Action: "Disassociate" + kind, Value: cur}
	}
	return AddonStep{Action: "Associate" + kind, Value: want}
}

func shieldStep(ctx context.Context, aws *state.Provider, r addonReads, lbARN string, on bool) (*AddonStep, error) {
	log := logf.FromContext(ctx)
	if aws != nil {
		subscribed, err := aws.ShieldSubscribed(ctx)
		if err != nil {
			log.Error(err, "unable to determine AWS Shield subscription state, skipping AWS shield reconciliation")
			return nil, nil
		}
		if !subscribed {
			if on {
				log.Info("no active AWS Shield Advanced subscription, shield-advanced-protection is not applied", "loadBalancer", lbARN)
			}
			return nil, nil
		}
	}
	var pr *cloudshield.Protection
	if lbARN != "" {
		var err error
		if pr, err = r.protection(ctx, lbARN); err != nil {
			return nil, fmt.Errorf("failed to get shield protection on LoadBalancer: %w", err)
		}
	}
	switch {
	case on && pr == nil:
		return &AddonStep{Action: "CreateProtection", Value: ProtectionName}, nil
	case !on && pr != nil && ownedProtection(pr.Name):
		return &AddonStep{Action: "DeleteProtection", Value: pr.ID}, nil
	case !on && pr != nil:
		log.Info("ignoring unmanaged shield protection", "protectionName", pr.Name, "protectionID", pr.ID)
	}
	return nil, nil
}

// applyAddons converges an ALB's add-ons (addonSteps, read from state's
// cache: one read per LB, then lbsg's own writes and the drift check's
// re-reads).
func applyAddons(ctx context.Context, aws *state.Provider, lbARN string, a model.Addons) error {
	if lbARN == "" || a.IsZero() {
		return nil
	}
	steps, err := addonSteps(ctx, aws, cachedReads(aws), lbARN, a)
	if err != nil {
		return err
	}
	for _, st := range steps {
		var err error
		switch st.Action {
		case "AssociateWebACL", "DisassociateWebACL":
			err = aws.SetWAFv2Association(ctx, lbARN, *a.WAFv2)
		case "AssociateWAFClassicWebACL", "DisassociateWAFClassicWebACL":
			err = aws.SetWAFRegionalAssociation(ctx, lbARN, *a.WAFRegional)
		case "CreateProtection":
			err = aws.CreateShieldProtection(ctx, lbARN, ProtectionName)
		case "DeleteProtection":
			err = aws.DeleteShieldProtection(ctx, lbARN, st.Value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// PlanAddons are the add-on steps applying a to the load balancer lbARN
// would make, from aws's cache ("" a load balancer not created yet; aws
// nil a plan without AWS). lbsg plan shows them.
func PlanAddons(ctx context.Context, aws *state.Provider, lbARN string, a model.Addons) ([]AddonStep, error) {
	if a.IsZero() {
		return nil, nil
	}
	var r addonReads
	if aws != nil {
		r = cachedReads(aws)
	}
	return addonSteps(ctx, aws, r, lbARN, a)
}

// releaseShield deletes the controller's Shield protection of an ALB about
// to be deleted (LBC leaves it behind; lbsg leaves nothing): only with
// Shield enabled and subscribed, and only a protection under the
// controller's name.
func releaseShield(ctx context.Context, aws *state.Provider, lbARN string) error {
	if !aws.ShieldEnabled() {
		return nil
	}
	if subscribed, err := aws.ShieldSubscribed(ctx); err != nil || !subscribed {
		return err
	}
	pr, err := aws.ShieldProtection(ctx, lbARN)
	if err != nil || pr == nil || !ownedProtection(pr.Name) {
		return err
	}
	return aws.DeleteShieldProtection(ctx, lbARN, pr.ID)
}

// ShieldUnavailable says that desired asks for Shield Advanced protection
// that the account cannot give: Shield enabled (--enable-shield) and no
// active subscription. The subscription state is the cached one that
// applying the stack read, so asking costs no call after an Apply.
func (d *Deployer) ShieldUnavailable(ctx context.Context, desired model.Stack) bool {
	if s := desired.Addons.Shield; s == nil || !*s || !d.AWS.ShieldEnabled() {
		return false
	}
	subscribed, err := d.AWS.ShieldSubscribed(ctx)
	return err == nil && !subscribed
}
