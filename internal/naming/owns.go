package naming

import "strings"

// LBC's rule-description marker (lbc-security-groups.md §6.7).
const (
	RuleMarkerKey   = "elbv2.k8s.aws/targetGroupBinding"
	RuleMarkerValue = "shared"
	// LBCRuleDescription is exactly what LBC writes on every target-SG rule.
	LBCRuleDescription = RuleMarkerKey + "=" + RuleMarkerValue
	// RuleClusterKey is lbsg's addition naming the cluster that wrote the
	// rule, so clusters sharing node SGs keep their hands off each other's
	// rules (LBC #2185, #3325). LBC parses descriptions as key=value pairs
	// and still recognises lbsg's rules as its own, so rolling back to LBC
	// leaves nothing orphaned.
	RuleClusterKey = "elbv2.k8s.aws/cluster"
)

// RuleDescription is the description lbsg writes on target-SG rules:
// "elbv2.k8s.aws/targetGroupBinding=shared,elbv2.k8s.aws/cluster=<cluster>".
// EC2 allows "=" "," "/" in rule descriptions and 255 characters; EKS cluster
// names are at most 100.
func RuleDescription(cluster string) string {
	return LBCRuleDescription + "," + RuleClusterKey + "=" + cluster
}

// RuleOwner says who a target-SG rule belongs to.
type RuleOwner int

// Rule owners.
const (
	// RuleForeign: no LBC marker; someone else's rule.
	RuleForeign RuleOwner = iota
	// RuleOurs: the marker with this cluster's name.
	RuleOurs
	// RuleOtherCluster: the marker with another cluster's name.
	RuleOtherCluster
	// RuleLBC: LBC's bare marker, no cluster: written by LBC, any cluster.
	RuleLBC
)

// String names the owner for audit findings.
func (o RuleOwner) String() string {
	switch o {
	case RuleOurs:
		return "ours"
	case RuleOtherCluster:
		return "other-cluster"
	case RuleLBC:
		return "lbc"
	case RuleForeign:
	}
	return "foreign"
}

// parseDescription splits "k1=v1,k2=v2" as LBC does (items without "=" are
// ignored, keys and values trimmed).
func parseDescription(desc string) map[string]string {
	out := map[string]string{}
	for item := range strings.SplitSeq(desc, ",") {
		k, v, ok := strings.Cut(item, "=")
		if !ok {
			continue
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out
}

// ClassifyRule decides who owns a target-SG rule from its description.
func ClassifyRule(desc, cluster string) RuleOwner {
	kv := parseDescription(desc)
	if kv[RuleMarkerKey] != RuleMarkerValue {
		return RuleForeign
	}
	c, ok := kv[RuleClusterKey]
	switch {
	case !ok:
		return RuleLBC
	case c == cluster:
		return RuleOurs
	}
	return RuleOtherCluster
}

// OwnsRule reports whether lbsg running for cluster may revoke or rewrite a
// target-SG rule with this description. adoptLBC also claims LBC's bare
// marker: turn it on only when this cluster is known to be the node SGs' sole
// LBC user (migration from LBC); off, such rules are left and reported.
func OwnsRule(desc, cluster string, adoptLBC bool) bool {
	switch ClassifyRule(desc, cluster) {
	case RuleOurs:
		return true
	case RuleLBC:
		return adoptLBC
	case RuleForeign, RuleOtherCluster:
	}
	return false
}

// RulePredicate returns OwnsRule bound to cluster, for rules.Diff.
func RulePredicate(cluster string, adoptLBC bool) func(desc string) bool {
	return func(desc string) bool { return OwnsRule(desc, cluster, adoptLBC) }
}

// SGRole is what an owned SG is for.
type SGRole int

// SG roles.
const (
	SGNotOwned SGRole = iota
	// SGManagedFrontend: a stack's managed frontend SG.
	SGManagedFrontend
	// SGBackend: the cluster's shared backend SG.
	SGBackend
)

// String names the role for audit findings.
func (r SGRole) String() string {
	switch r {
	case SGManagedFrontend:
		return "managed-frontend"
	case SGBackend:
		return "backend"
	case SGNotOwned:
	}
	return "not-owned"
}

// SGOwnership is what an SG's tags say about it.
type SGOwnership struct {
	Role SGRole
	// Kind and StackID are set for SGManagedFrontend.
	Kind    Kind
	StackID string
}

// ClassifySecurityGroup reads an SG's tags. It is lbsg's (and LBC's) when the
// cluster tag (elbv2.k8s.aws/cluster, or the legacy ingress.k8s.aws/cluster)
// equals cluster and either elbv2.k8s.aws/resource=backend-sg or
// <prefix>/resource=ManagedLBSecurityGroup with a <prefix>/stack tag is set.
// Anything else — including an SG with only the cluster tag — is not owned.
func ClassifySecurityGroup(tags map[string]string, cluster string) SGOwnership {
	if cluster == "" {
		return SGOwnership{}
	}
	if tags[TagCluster] != cluster && tags[TagLegacyIngressCluster] != cluster {
		return SGOwnership{}
	}
	if tags[TagCluster] == cluster && tags[TagResource] == ResourceBackendSG {
		return SGOwnership{Role: SGBackend}
	}
	for _, p := range []struct {
		kind   Kind
		prefix string
	}{{KindService, ServicePrefix}, {KindIngress, IngressPrefix}, {KindGatewayNLB, GatewayNLBPrefix}, {KindGatewayALB, GatewayALBPrefix}} {
		stack, ok := tags[p.prefix+"/stack"]
		if ok && stack != "" && tags[p.prefix+"/resource"] == ResourceManagedLBSecurityGroup {
			return SGOwnership{Role: SGManagedFrontend, Kind: p.kind, StackID: stack}
		}
	}
	return SGOwnership{}
}

// OwnsSecurityGroup reports whether lbsg may modify and delete the SG.
func OwnsSecurityGroup(tags map[string]string, cluster string) bool {
	return ClassifySecurityGroup(tags, cluster).Role != SGNotOwned
}

// OwnsStackResource reports whether an LB, TG, listener or rule with these
// tags belongs to stack s of cluster (LBC's filters, lbc-load-balancers.md
// §3.4: cluster tag or legacy cluster tag, plus the stack tag).
func OwnsStackResource(tags map[string]string, cluster string, s Stack) bool {
	if cluster == "" || tags[s.StackTagKey()] != s.ID() {
		return false
	}
	return tags[TagCluster] == cluster || tags[TagLegacyIngressCluster] == cluster
}
