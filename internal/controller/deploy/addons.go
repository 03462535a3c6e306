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

// applyAddons converges an ALB's WAF and Shield add-ons as LBC's
// synthesizers do: an add-on nobody asks for (nil) is left alone; a web
// ACL is associated when none or another is, and disassociated when asked
// for none; a protection is created when asked for and missing, and
// deleted when asked against only if it carries the controller's name.
// Reads come from state's cache (one read per LB, then lbsg's own writes
// and the drift check's re-reads, AddonsDiffer).
// A disabled add-on (--enable-wafv2, --enable-waf, --enable-shield) is
// skipped; so is Shield without an ACTIVE subscription (as LBC, logged).
func applyAddons(ctx context.Context, aws *state.Provider, lbARN string, a model.Addons) error {
	if lbARN == "" || a.IsZero() {
		return nil
	}
	if a.WAFv2 != nil && aws.WAFv2Enabled() {
		cur, err := aws.WAFv2Association(ctx, lbARN)
		if err != nil {
			return fmt.Errorf("failed to get WAFv2 webACL association on LoadBalancer: %w", err)
		}
		if want := *a.WAFv2; wafv2Differs(want, cur) {
			if err := aws.SetWAFv2Association(ctx, lbARN, want); err != nil {
				return err
			}
		}
	}
	if a.WAFRegional != nil && aws.WAFRegionalEnabled() {
		cur, err := aws.WAFRegionalAssociation(ctx, lbARN)
		if err != nil {
			return fmt.Errorf("failed to get WAFClassic webACL association on LoadBalancer: %w", err)
		}
		if want := *a.WAFRegional; want != cur {
			if err := aws.SetWAFRegionalAssociation(ctx, lbARN, want); err != nil {
				return err
			}
		}
	}
	if a.Shield != nil && aws.ShieldEnabled() {
		return applyShield(ctx, aws, lbARN, *a.Shield)
	}
	return nil
}

func applyShield(ctx context.Context, aws *state.Provider, lbARN string, on bool) error {
	log := logf.FromContext(ctx)
	subscribed, err := aws.ShieldSubscribed(ctx)
	if err != nil {
		log.Error(err, "unable to determine AWS Shield subscription state, skipping AWS shield reconciliation")
		return nil
	}
	if !subscribed {
		if on {
			log.Info("no active AWS Shield Advanced subscription, shield-advanced-protection is not applied", "loadBalancer", lbARN)
		}
		return nil
	}
	pr, err := aws.ShieldProtection(ctx, lbARN)
	if err != nil {
		return fmt.Errorf("failed to get shield protection on LoadBalancer: %w", err)
	}
	switch create, del := shieldChange(on, pr); {
	case create:
		return aws.CreateShieldProtection(ctx, lbARN, ProtectionName)
	case del:
		return aws.DeleteShieldProtection(ctx, lbARN, pr.ID)
	case !on && pr != nil:
		log.Info("ignoring unmanaged shield protection", "protectionName", pr.Name, "protectionID", pr.ID)
	}
	return nil
}

// wafv2Differs: the web ACL associated (cur, "" none) is not the one asked
// for (want, "" none).
func wafv2Differs(want, cur string) bool { return want != cur }

// shieldChange says what asking for a protection (on) or none does to
// pr (nil: none): create one, or delete the controller's.
func shieldChange(on bool, pr *cloudshield.Protection) (create, del bool) {
	return on && pr == nil, !on && pr != nil && ownedProtection(pr.Name)
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
