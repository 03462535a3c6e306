package chaos_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/emulator"
)

// Protection of the Ingress generator: some Ingresses serve HTTPS 443 with
// the emulator's sandbox certificate and authenticate with Cognito; the
// first explicit group asks, on every member, for the sandbox web ACL, and
// some implicit groups ask for it too. Updates turn authentication and an
// implicit group's web ACL on and off ("none").
var (
	chaosCert = "arn:aws:acm:us-west-2:123456789012:certificate/" + emulator.SandboxCertificateID
	chaosACL  = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/sandbox-web-acl/" + emulator.SandboxWebACLID
)

const (
	chaosCognito = `{"userPoolARN":"arn:aws:cognito-idp:us-west-2:123456789012:userpool/us-west-2_chaos",` +
		`"userPoolClientID":"chaos-client","userPoolDomain":"auth.chaos.example"}`
	actionAuthCognito = "authenticate-cognito"
	actionForward     = "forward"
)

// protection records what the manifests have asked, for the monitor,
// which checks at every sample that nothing strictly protected is served
// without its protection. Strict means asked since the object (or stack)
// was first made and never asked otherwise since: an Ingress created with
// authentication whose manifest has not dropped it yet; a stack every
// member of which has asked for the web ACL from its start. A release
// (the manifest stops asking) is recorded before the apiserver hears of
// it, and is for ever: a protection asked again later is added to rules
// and ALBs that already serve, which leaves a window the controller
// cannot close, so it is checked at convergence only.
type protection struct {
	wafGroup string // the explicit group whose members all ask for chaosACL

	mu         sync.Mutex
	authStrict map[string]bool // Ingress name
	wafStrict  map[string]bool // stack key
	asks       map[string]int  // figures: "auth", "web ACL", "auth off", …
}

func newProtection(wafGroup string) *protection {
	p := &protection{wafGroup: wafGroup, authStrict: map[string]bool{}, wafStrict: map[string]bool{}, asks: map[string]int{}}
	if wafGroup != "" {
		p.wafStrict[ingressStackOfGroup(wafGroup)] = true
	}
	return p
}

func ingressStackOfGroup(g string) string {
	ing := &networkingv1.Ingress{}
	ing.Annotations = map[string]string{annotations.IngGroupName: g}
	return ingressStack(ing).Key()
}

func (p *protection) count(what string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asks[what]++
}

// figures counts the asks made so far.
func (p *protection) figures() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.asks)
}

func (p *protection) set(m map[string]bool, key string, strict bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if strict {
		m[key] = true
	} else {
		delete(m, key)
	}
}

func isHTTPS(ing *networkingv1.Ingress) bool {
	_, ok := ing.Annotations[annotations.IngCertificateARN]
	return ok
}

func hasAuth(ing *networkingv1.Ingress) bool {
	return ing.Annotations[annotations.IngAuthType] == "cognito"
}

func setAuth(ing *networkingv1.Ingress, on bool) {
	if on {
		ing.Annotations[annotations.IngAuthType] = "cognito"
		ing.Annotations[annotations.IngAuthIDPCognito] = chaosCognito
		return
	}
	delete(ing.Annotations, annotations.IngAuthType)
	delete(ing.Annotations, annotations.IngAuthIDPCognito)
}

// onCreate makes half the new Ingresses HTTPS, three quarters of those
// authenticated; members of the web ACL group ask for it, and half the
// implicit groups.
func (p *protection) onCreate(r *rand.Rand, ing *networkingv1.Ingress) {
	if r.IntN(2) == 0 {
		ing.Annotations[annotations.IngListenPorts] = `[{"HTTPS":443}]`
		ing.Annotations[annotations.IngCertificateARN] = chaosCert
		if r.IntN(4) > 0 {
			setAuth(ing, true)
			p.set(p.authStrict, ing.Name, true)
			p.count("create auth")
		}
	}
	grp, explicit := ing.Annotations[annotations.IngGroupName]
	switch {
	case explicit && grp == p.wafGroup:
		ing.Annotations[annotations.IngWAFv2ACLARN] = chaosACL
		p.count("create web ACL")
	case !explicit && r.IntN(2) == 0:
		ing.Annotations[annotations.IngWAFv2ACLARN] = chaosACL
		p.set(p.wafStrict, ingressStack(ing).Key(), true)
		p.count("create web ACL")
	}
}

// onMove fixes the web ACL ask of an Ingress that moves from group from to
// group to ("" for implicit): it asks for the ACL in the web ACL group
// alone.
func (p *protection) onMove(ing *networkingv1.Ingress, from, to string) {
	if from == "" {
		p.set(p.wafStrict, ingressStack(ing).Key(), false) // its implicit stack, before the move
	}
	if to == p.wafGroup {
		ing.Annotations[annotations.IngWAFv2ACLARN] = chaosACL
	} else {
		delete(ing.Annotations, annotations.IngWAFv2ACLARN)
	}
}

// toggleAuth turns an HTTPS Ingress's authentication on or off; it
// reports false for a plain HTTP one.
func (p *protection) toggleAuth(ing *networkingv1.Ingress) (string, bool) {
	if !isHTTPS(ing) {
		return "", false
	}
	if hasAuth(ing) {
		p.set(p.authStrict, ing.Name, false)
		setAuth(ing, false)
		p.count("auth off")
		return "auth off", true
	}
	setAuth(ing, true)
	p.count("auth on")
	return "auth on", true
}

// toggleWAF turns an implicit group's web ACL on or off ("none"); it
// reports false for a member of an explicit group.
func (p *protection) toggleWAF(ing *networkingv1.Ingress) (string, bool) {
	if _, explicit := ing.Annotations[annotations.IngGroupName]; explicit {
		return "", false
	}
	if ing.Annotations[annotations.IngWAFv2ACLARN] == chaosACL {
		p.set(p.wafStrict, ingressStack(ing).Key(), false)
		ing.Annotations[annotations.IngWAFv2ACLARN] = annotations.AddonNone
		p.count("web ACL none")
		return "web ACL none", true
	}
	ing.Annotations[annotations.IngWAFv2ACLARN] = chaosACL
	p.count("web ACL on")
	return "web ACL on", true
}

// ingressOfPath is the Ingress a rule path belongs to: the generator's
// paths are /<name> and /<name>/v<n>.
func ingressOfPath(path string) string {
	name, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return name
}

// violations are the breaches of strict protection in s: a rule of a
// strictly authenticated Ingress whose first action is not its
// authentication, a listener on an ALB of a strict web ACL stack without
// the association. Read s before calling: a release after the read only
// narrows the check.
func (p *protection) violations(s emuState, cluster string) []string {
	o := s.owned(cluster)
	p.mu.Lock()
	defer p.mu.Unlock()
	var bad []string
	for stack, lbs := range o.lbs {
		for _, lb := range lbs {
			for port, rules := range o.ruleActions[lb.ARN] {
				for path, acts := range rules {
					if p.authStrict[ingressOfPath(path)] && (len(acts) < 2 || acts[0] != actionAuthCognito) {
						bad = append(bad, fmt.Sprintf("%s: rule %s on %d of %s served without authentication: %v", cluster, path, port, stack, acts))
					}
				}
			}
			if p.wafStrict[stack] && len(o.listeners[lb.ARN]) > 0 && s.WAFv2.Assoc[lb.ARN] != chaosACL {
				bad = append(bad, fmt.Sprintf("%s: ALB of %s has listeners %v without its web ACL (association %q)", cluster, stack,
					slices.Sorted(slices.Values(o.listeners[lb.ARN])), s.WAFv2.Assoc[lb.ARN]))
			}
		}
	}
	return bad
}

// authConverged checks the rules of a member's path: authentication first,
// then the forward, when it asks; no authentication when it does not.
func authConverged(ing *networkingv1.Ingress, o owned, lbARN string) string {
	path := ingressPath(ing)
	for _, port := range listenPorts(ing) {
		acts := o.ruleActions[lbARN][port][path]
		if hasAuth(ing) {
			if len(acts) != 2 || acts[0] != actionAuthCognito || acts[1] != actionForward {
				return fmt.Sprintf("rule %s on %d: actions %v, want authentication then forward", path, port, acts)
			}
		} else if slices.Contains(acts, actionAuthCognito) {
			return fmt.Sprintf("rule %s on %d: actions %v, authentication not asked", path, port, acts)
		}
	}
	return ""
}

// wafAsk is the web ACL a group's members ask for ("" for none: "none" or
// nobody asks; the generator never makes members disagree).
func wafAsk(members []*networkingv1.Ingress) string {
	for _, ing := range members {
		if v := ing.Annotations[annotations.IngWAFv2ACLARN]; v != "" && v != annotations.AddonNone {
			return v
		}
	}
	return ""
}
