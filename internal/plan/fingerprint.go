package plan

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"

	"github.com/lbsg/lbsg/internal/model"
)

// fingerprintVersion changes whenever the encoding below or the meaning of
// a model field changes, so that a record written by an older lbsg never
// matches.
const fingerprintVersion = 3 // 3: authentication actions (DefaultAuth, AuthOIDC.SecretHash)

// Fingerprint is a digest of everything Diff would compare against the
// load-balancing side of AWS for desired (the load balancer with its SGs
// resolved to IDs, listeners, rules, target groups, targets) plus the tag
// rules that decide a diff. Two stacks with one fingerprint need the same
// AWS state; a stack whose state was last converged to fingerprint f needs
// nothing on that side while its desired fingerprint stays f. The managed
// SG's own rules and tags are not part of it (they are diffed from the SG
// cache, which costs no call).
func Fingerprint(desired model.Stack, managedID, backendID, cluster string, externalManagedTags []string) string {
	if desired.LoadBalancer == nil {
		return ""
	}
	tgs := slices.Clone(desired.TargetGroups)
	for i := range tgs {
		tgs[i].Targets = slices.Clone(tgs[i].Targets)
		slices.SortFunc(tgs[i].Targets, func(a, b model.Target) int {
			return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Port, b.Port))
		})
	}
	var frontSGs []string
	if desired.Frontend != nil {
		frontSGs = desired.Frontend.LoadBalancer.ResolveSGs(managedID, backendID)
	}
	// Add-ons count only when asked for: the fingerprints of stacks
	// without any are those recorded before add-ons existed.
	var addons *model.Addons
	if !desired.Addons.IsZero() {
		addons = &desired.Addons
	}
	b, err := json.Marshal(struct {
		V            int
		LoadBalancer *model.LoadBalancer
		SGs          []string
		Listeners    []model.Listener
		TargetGroups []model.TargetGroup
		Cluster      string
		External     []string
		// Frontend NLB fields are left out when there is none, so the
		// fingerprints of stacks without one stay as they were; add-ons
		// likewise.
		Frontend    *model.FrontendNLB `json:",omitempty"`
		FrontendSGs []string           `json:",omitempty"`
		Addons      *model.Addons      `json:",omitempty"`
	}{fingerprintVersion, desired.LoadBalancer, desired.LoadBalancer.ResolveSGs(managedID, backendID),
		desired.Listeners, tgs, cluster, externalManagedTags, desired.Frontend, frontSGs, addons})
	if err != nil {
		return "" // never matches a record
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// IndexAgrees reports whether what the cheap, batched listings show of a
// stack (observed holds the load balancer and target groups from the
// paged Describes and DescribeTags, without listeners, targets or
// attributes) agrees with desired: same load balancer, SGs and tags; the
// same target groups with the same settings and tags. Together with a
// matching Fingerprint it lets a restart skip the stack's per-resource
// reads.
func IndexAgrees(desired model.Stack, observed Snapshot) bool {
	if desired.LoadBalancer == nil || observed.LoadBalancer == nil || observed.LoadBalancer.Name != desired.LoadBalancer.Name {
		return false
	}
	if acts, replaced := diffLoadBalancer(desired, observed); replaced || len(acts) > 0 {
		return false
	}
	acts, _ := diffTargetGroups(desired, observed)
	for _, a := range acts {
		if a.Kind != RegisterTargets && a.Kind != DeregisterTargets {
			return false
		}
	}
	return frontendIndexAgrees(desired, observed)
}

// frontendIndexAgrees is IndexAgrees for the frontend NLB: none on either
// side, or the same NLB and target groups.
func frontendIndexAgrees(desired model.Stack, observed Snapshot) bool {
	f := observed.Frontend
	if desired.Frontend == nil {
		return f == nil || (f.LoadBalancer == nil && len(f.TargetGroups) == 0)
	}
	if f == nil || f.LoadBalancer == nil || f.LoadBalancer.Name != desired.Frontend.LoadBalancer.Name {
		return false
	}
	sub, obs := frontendStack(desired, observed)
	if acts, replaced := diffLoadBalancer(sub, obs); replaced || len(acts) > 0 {
		return false
	}
	acts, _ := diffTargetGroups(sub, obs)
	for _, a := range acts {
		if a.Kind != RegisterTargets && a.Kind != DeregisterTargets {
			return false
		}
	}
	return true
}

// DiffManagedSG is the part of Diff that concerns the stack's managed
// frontend SG (create, rules, tags, duplicates).
func DiffManagedSG(desired model.Stack, observed Snapshot) []Action {
	return diffSGs(desired, observed)
}
