package state

import (
	"context"
	"sync"

	"github.com/lbsg/lbsg/internal/awsapi"
	cloudshield "github.com/lbsg/lbsg/internal/cloud/shield"
	cloudwafregional "github.com/lbsg/lbsg/internal/cloud/wafregional"
	cloudwafv2 "github.com/lbsg/lbsg/internal/cloud/wafv2"
)

// addonState caches what lbsg knows of the ALBs' add-ons: the web ACL
// associated per LB ARN (WAFv2 ARN, WAF Classic ID; "" for none), the
// Shield protection per LB ARN, the Shield subscription and the WAFv2 web
// ACLs by name. Entries are read once and then kept up to date by lbsg's
// own writes and the drift check's re-reads (reread.go).
type addonState struct {
	wafv2       *cloudwafv2.Provider // nil: --enable-wafv2=false
	wafRegional *cloudwafregional.Provider
	shield      *cloudshield.Provider

	mu          sync.Mutex
	wafv2Assoc  map[string]string
	wafRegAssoc map[string]string
	protections map[string]*cloudshield.Protection // nil value: none
	subscribed  *bool
	aclByName   map[string]string
	// writes counts lbsg's writes of associations and protections: a
	// drift re-read that raced one is not kept (reread.go).
	writes uint64
}

// EnableAddons gives the Provider its WAF and Shield clients; a nil client
// turns that add-on off (--enable-wafv2, --enable-waf, --enable-shield):
// its asks are then ignored, as LBC ignores them.
func (p *Provider) EnableAddons(wafv2 awsapi.WAFV2API, wafRegional awsapi.WAFRegionalAPI, shield awsapi.ShieldAPI) {
	a := &addonState{wafv2Assoc: map[string]string{}, wafRegAssoc: map[string]string{},
		protections: map[string]*cloudshield.Protection{}, aclByName: map[string]string{}}
	if wafv2 != nil {
		a.wafv2 = cloudwafv2.New(wafv2)
	}
	if wafRegional != nil {
		a.wafRegional = cloudwafregional.New(wafRegional)
	}
	if shield != nil {
		a.shield = cloudshield.New(shield)
	}
	p.addons = a
}

// WAFv2Disabled stands in for the ARN of a named web ACL when
// --enable-wafv2=false.
const WAFv2Disabled = "<wafv2 disabled>"

// WAFv2Enabled, WAFRegionalEnabled and ShieldEnabled report which add-ons
// the Provider serves.
func (p *Provider) WAFv2Enabled() bool { return p.addons != nil && p.addons.wafv2 != nil }

// WAFRegionalEnabled: see WAFv2Enabled.
func (p *Provider) WAFRegionalEnabled() bool { return p.addons != nil && p.addons.wafRegional != nil }

// ShieldEnabled: see WAFv2Enabled.
func (p *Provider) ShieldEnabled() bool { return p.addons != nil && p.addons.shield != nil }

// WebACLARNsByName resolves WAFv2 REGIONAL web ACL names to ARNs (names
// without an ACL are left out). Found names are cached; a name not cached
// lists the web ACLs again (LBC caches for an hour; lbsg for the
// process). With WAFv2 disabled nothing is read and every name resolves to
// WAFv2Disabled: the group builds, and the deployer skips the add-on.
func (p *Provider) WebACLARNsByName(ctx context.Context, names []string) (map[string]string, error) {
	out := map[string]string{}
	if !p.WAFv2Enabled() {
		for _, n := range names {
			out[n] = WAFv2Disabled
		}
		return out, nil
	}
	a := p.addons
	a.mu.Lock()
	missing := false
	for _, n := range names {
		if arn, ok := a.aclByName[n]; ok {
			out[n] = arn
		} else {
			missing = true
		}
	}
	a.mu.Unlock()
	if !missing {
		return out, nil
	}
	all, err := a.wafv2.WebACLs(ctx)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for n, arn := range all {
		a.aclByName[n] = arn
	}
	for _, n := range names {
		if arn, ok := all[n]; ok {
			out[n] = arn
		}
	}
	return out, nil
}

// WAFv2Association returns the ARN of the WAFv2 web ACL of an LB ("" for
// none): read once, then from the cache.
func (p *Provider) WAFv2Association(ctx context.Context, lbARN string) (string, error) {
	a := p.addons
	return cachedRead(a, a.wafv2Assoc, lbARN, func() (string, error) { return a.wafv2.Association(ctx, lbARN) })
}

// SetWAFv2Association associates webACLARN with the LB, or disassociates
// its web ACL when webACLARN is "".
func (p *Provider) SetWAFv2Association(ctx context.Context, lbARN, webACLARN string) error {
	a := p.addons
	var err error
	if webACLARN == "" {
		err = a.wafv2.Disassociate(ctx, lbARN)
	} else {
		err = a.wafv2.Associate(ctx, lbARN, webACLARN)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.writes++
	if err != nil {
		delete(a.wafv2Assoc, lbARN) // unknown now: read again
		return err
	}
	a.wafv2Assoc[lbARN] = webACLARN
	return nil
}

// WAFRegionalAssociation returns the ID of the WAF Classic web ACL of an
// LB ("" for none), cached as WAFv2Association.
func (p *Provider) WAFRegionalAssociation(ctx context.Context, lbARN string) (string, error) {
	a := p.addons
	return cachedRead(a, a.wafRegAssoc, lbARN, func() (string, error) { return a.wafRegional.Association(ctx, lbARN) })
}

// SetWAFRegionalAssociation associates webACLID with the LB, or
// disassociates its web ACL when webACLID is "".
func (p *Provider) SetWAFRegionalAssociation(ctx context.Context, lbARN, webACLID string) error {
	a := p.addons
	var err error
	if webACLID == "" {
		err = a.wafRegional.Disassociate(ctx, lbARN)
	} else {
		err = a.wafRegional.Associate(ctx, lbARN, webACLID)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.writes++
	if err != nil {
		delete(a.wafRegAssoc, lbARN)
		return err
	}
	a.wafRegAssoc[lbARN] = webACLID
	return nil
}

// ShieldSubscribed reports whether the account has an ACTIVE Shield
// Advanced subscription: read once (LBC caches it for two hours; lbsg
// until the next drift check that re-reads it, RereadShieldSubscribed).
func (p *Provider) ShieldSubscribed(ctx context.Context) (bool, error) {
	a := p.addons
	a.mu.Lock()
	if a.subscribed != nil {
		defer a.mu.Unlock()
		return *a.subscribed, nil
	}
	a.mu.Unlock()
	return p.RereadShieldSubscribed(ctx)
}

// ShieldProtection returns the LB's protection (nil for none), cached.
func (p *Provider) ShieldProtection(ctx context.Context, lbARN string) (*cloudshield.Protection, error) {
	a := p.addons
	return cachedRead(a, a.protections, lbARN, func() (*cloudshield.Protection, error) { return a.shield.Protection(ctx, lbARN) })
}

// CreateShieldProtection protects the LB under name.
func (p *Provider) CreateShieldProtection(ctx context.Context, lbARN, name string) error {
	a := p.addons
	id, err := a.shield.Create(ctx, lbARN, name)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.writes++
	if err != nil {
		delete(a.protections, lbARN)
		return err
	}
	a.protections[lbARN] = &cloudshield.Protection{ID: id, Name: name}
	return nil
}

// DeleteShieldProtection deletes the LB's protection id.
func (p *Provider) DeleteShieldProtection(ctx context.Context, lbARN, id string) error {
	a := p.addons
	err := a.shield.Delete(ctx, id)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.writes++
	if err != nil {
		delete(a.protections, lbARN)
		return err
	}
	a.protections[lbARN] = nil
	return nil
}

// ForgetAddons drops what is cached of a deleted LB's add-ons.
func (p *Provider) ForgetAddons(lbARN string) {
	a := p.addons
	if a == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.writes++
	delete(a.wafv2Assoc, lbARN)
	delete(a.wafRegAssoc, lbARN)
	delete(a.protections, lbARN)
}

// cachedRead returns m[key], reading and storing it when absent (m is one
// of a's maps, read and written under a.mu).
func cachedRead[V any](a *addonState, m map[string]V, key string, read func() (V, error)) (V, error) {
	a.mu.Lock()
	if v, ok := m[key]; ok {
		a.mu.Unlock()
		return v, nil
	}
	a.mu.Unlock()
	v, err := read()
	if err != nil {
		var zero V
		return zero, err
	}
	a.mu.Lock()
	m[key] = v
	a.mu.Unlock()
	return v, nil
}
