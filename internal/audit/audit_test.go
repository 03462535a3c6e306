package audit

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

const cluster = "c1"

var (
	ours    = naming.RuleDescription(cluster)
	theirs  = naming.RuleDescription("c2")
	nodeTag = map[string]string{naming.ClusterTagKey(cluster): "owned"}
)

func managedTags(c, stack string) map[string]string {
	return map[string]string{naming.TagCluster: c, "service.k8s.aws/resource": naming.ResourceManagedLBSecurityGroup, "service.k8s.aws/stack": stack}
}

func ingressTags(c, stack, resource string) map[string]string {
	return map[string]string{naming.TagCluster: c, naming.TagIngressResource: resource, naming.TagIngressStack: stack}
}

func backendTags(c string) map[string]string {
	return map[string]string{naming.TagCluster: c, naming.TagResource: naming.ResourceBackendSG}
}

func key(port int32, peer string) rules.Key { return rules.MustKey("tcp", port, port, peer) }

// summary renders findings as "kind resource rule fixable" lines.
func summary(r Report) []string {
	var out []string
	for _, f := range r.Findings {
		s := string(f.Kind) + " " + f.Resource
		if f.Rule != "" {
			s += " " + f.Rule
		}
		if f.Fixable {
			s += " fixable"
		}
		out = append(out, s)
	}
	return out
}

func manyRules(n int) rules.Set {
	s := rules.Set{}
	for i := range n {
		s.Add(key(int32(1000+i), "10.0.0.0/8"), "")
	}
	return s
}

func TestAudit(t *testing.T) {
	web := naming.ServiceStack("default", "web")
	shop, lone := naming.ExplicitIngressStack("shop"), naming.ImplicitIngressStack("default", "web")
	for _, tt := range []struct {
		name string
		s    Snapshot
		want []string
	}{
		{name: "a clean cluster has no findings",
			s: Snapshot{
				SecurityGroups: []SG{
					{ID: "sg-node", Tags: nodeTag, Ingress: rules.Set{key(30080, "sg-back"): ours, key(22, "10.0.0.0/8"): "ssh"}},
					{ID: "sg-back", Tags: backendTags(cluster)},
					{ID: "sg-web", Tags: managedTags(cluster, "default/web"), Ingress: rules.Set{key(80, "0.0.0.0/0"): ""}},
				},
				LoadBalancers: []LB{{Name: "lb-web", SecurityGroups: []string{"sg-web", "sg-back"}, Tags: map[string]string{naming.TagCluster: cluster, "service.k8s.aws/stack": "default/web"}}},
				ENIs:          []ENI{{ID: "eni-1", Groups: []string{"sg-node"}}},
				LiveStacks:    []naming.Stack{web}, BackendInUse: true,
				DesiredRules: map[string]rules.Set{"sg-node": {key(30080, "sg-back"): ours}},
				DesiredLBSGs: map[string][]string{"lb-web": {"sg-back", "sg-web"}},
			}},
		{name: "a managed SG whose Service is gone is a fixable leak",
			s:    Snapshot{SecurityGroups: []SG{{ID: "sg-old", Tags: managedTags(cluster, "default/gone")}}},
			want: []string{"leaked-security-group sg-old fixable"}},
		{name: "a leaked SG still attached to a load balancer is not fixable",
			s: Snapshot{SecurityGroups: []SG{{ID: "sg-old", Tags: managedTags(cluster, "default/gone")}},
				LoadBalancers: []LB{{Name: "other-lb", SecurityGroups: []string{"sg-old"}}}},
			want: []string{"leaked-security-group sg-old"}},
		{name: "a backend SG no LB uses and no Service needs is a leak",
			s:    Snapshot{SecurityGroups: []SG{{ID: "sg-back", Tags: backendTags(cluster)}}},
			want: []string{"leaked-security-group sg-back fixable"}},
		{name: "a backend SG an LB still carries is not a leak",
			s: Snapshot{SecurityGroups: []SG{{ID: "sg-back", Tags: backendTags(cluster)}},
				LoadBalancers: []LB{{Name: "lb", SecurityGroups: []string{"sg-back"}}}}},
		{name: "an owned rule no Service needs is a leak; foreign and other-cluster rules are not",
			s: Snapshot{SecurityGroups: []SG{{ID: "sg-node", Tags: nodeTag, Ingress: rules.Set{
				key(30080, "sg-back"): ours, key(30081, "sg-gone"): ours, key(30082, "sg-x"): theirs, key(22, "10.0.0.0/8"): "",
			}}}, DesiredRules: map[string]rules.Set{"sg-node": {key(30080, "sg-back"): ours}}},
			want: []string{"leaked-rule sg-node tcp 30081 ← sg-gone fixable", "other-owner-rule sg-node tcp 30082 ← sg-x"}},
		{name: "an object lbsg leaves alone is a problem naming what it asks for",
			s:    Snapshot{Incomplete: true, Unsupported: map[string][]string{"Ingress shop/web": {"alb.ingress.kubernetes.io/customer-owned-ipv4-pool (customer-owned (Outposts) address pools)"}}},
			want: []string{"unsupported-object Ingress shop/web"}},
		{name: "an internet-facing ALB open to everyone that authenticates nothing is a note",
			s:    Snapshot{Unauthenticated: map[string]naming.Stack{"k8s-shop": shop}},
			want: []string{"unauthenticated-internet-alb k8s-shop"}},
		{name: "no rule is called leaked when the desired rules are incomplete",
			s: Snapshot{Incomplete: true, SecurityGroups: []SG{{ID: "sg-node", Tags: nodeTag, Ingress: rules.Set{key(30081, "sg-gone"): ours}}}}},
		{name: "rules open to the Internet on a node SG are problems, IPv4 and IPv6",
			s: Snapshot{SecurityGroups: []SG{
				{ID: "sg-node", Tags: nodeTag, Ingress: rules.Set{key(22, "0.0.0.0/0"): "", key(22, "::/0"): ""}},
				{ID: "sg-web", Ingress: rules.Set{key(443, "0.0.0.0/0"): ""}},
			}},
			want: []string{"open-node-rule sg-node tcp 22 ← 0.0.0.0/0", "open-node-rule sg-node tcp 22 ← ::/0"}},
		{name: "an SG owned by another cluster is reported and left alone",
			s:    Snapshot{SecurityGroups: []SG{{ID: "sg-c2", Tags: managedTags("c2", "default/web")}, {ID: "sg-c2b", Tags: backendTags("c2")}}},
			want: []string{"other-cluster-security-group sg-c2", "other-cluster-security-group sg-c2b"}},
		{name: "an LB whose SGs differ from desired drifted",
			s: Snapshot{LiveStacks: []naming.Stack{web},
				LoadBalancers: []LB{{Name: "lb-web", SecurityGroups: []string{"sg-hand"}, Tags: map[string]string{naming.TagCluster: cluster, "service.k8s.aws/stack": "default/web"}}},
				DesiredLBSGs:  map[string][]string{"lb-web": {"sg-web"}}},
			want: []string{"load-balancer-sg-drift lb-web"}},
		{name: "an LB of a gone Service is a leak --fix leaves to the controller",
			s:    Snapshot{LoadBalancers: []LB{{Name: "lb-gone", Tags: map[string]string{naming.TagCluster: cluster, "service.k8s.aws/stack": "default/gone"}}}},
			want: []string{"leaked-load-balancer lb-gone"}},
		{name: "the managed SG, ALB and TGs of a live IngressGroup are not leaks",
			s: Snapshot{LiveStacks: []naming.Stack{shop},
				SecurityGroups: []SG{{ID: "sg-shop", Tags: ingressTags(cluster, "shop", naming.ResourceManagedLBSecurityGroup)}},
				LoadBalancers:  []LB{{Name: "k8s-shop", SecurityGroups: []string{"sg-shop"}, Tags: ingressTags(cluster, "shop", "LoadBalancer")}},
				TargetGroups:   []TG{{Name: "k8s-shop-cart", Tags: ingressTags(cluster, "shop", "shop/cart-cart:80")}}}},
		{name: "the managed SG, ALB and TGs of a vanished IngressGroup are leaks",
			s: Snapshot{LiveStacks: []naming.Stack{shop},
				SecurityGroups: []SG{{ID: "sg-gone", Tags: ingressTags(cluster, "gone", naming.ResourceManagedLBSecurityGroup)}},
				LoadBalancers:  []LB{{Name: "k8s-gone", Tags: ingressTags(cluster, "gone", "LoadBalancer")}},
				TargetGroups:   []TG{{Name: "k8s-gone-cart", Tags: ingressTags(cluster, "gone", "gone/cart-cart:80")}}},
			want: []string{"leaked-load-balancer k8s-gone", "leaked-security-group sg-gone fixable", "leaked-target-group k8s-gone-cart"}},
		{name: "a Service and an implicit IngressGroup of the same ns/name are different stacks",
			s: Snapshot{LiveStacks: []naming.Stack{web},
				SecurityGroups: []SG{
					{ID: "sg-svc", Tags: managedTags(cluster, "default/web")},
					{ID: "sg-ing", Tags: ingressTags(cluster, "default/web", naming.ResourceManagedLBSecurityGroup)},
				}},
			want: []string{"leaked-security-group sg-ing fixable"}},
		{name: "an implicit IngressGroup keeps its managed SG while live",
			s: Snapshot{LiveStacks: []naming.Stack{lone},
				SecurityGroups: []SG{{ID: "sg-ing", Tags: ingressTags(cluster, "default/web", naming.ResourceManagedLBSecurityGroup)}}}},
		{name: "a TG of another cluster is left alone",
			s: Snapshot{TargetGroups: []TG{{Name: "k8s-other", Tags: ingressTags("c2", "gone", "x")}}}},
		{name: "an SG at 58 of 60 IPv4 rules is near its quota; 53 is not",
			s:    Snapshot{SecurityGroups: []SG{{ID: "sg-full", Ingress: manyRules(58)}, {ID: "sg-ok", Ingress: manyRules(53)}}},
			want: []string{"rule-quota sg-full"}},
		{name: "SG-referencing rules count in both families",
			s:    Snapshot{RulesLimit: 10, SecurityGroups: []SG{{ID: "sg-x", Ingress: rules.Set{key(1, "sg-a"): "", key(2, "sg-b"): "", key(3, "sg-c"): "", key(4, "sg-d"): "", key(5, "sg-e"): "", key(6, "sg-f"): "", key(7, "sg-g"): "", key(8, "sg-h"): "", key(9, "sg-i"): ""}}}},
			want: []string{"rule-quota sg-x", "rule-quota sg-x"}},
		{name: "an ENI with 5 SGs has no room left; 4 is fine",
			s:    Snapshot{ENIs: []ENI{{ID: "eni-full", Groups: []string{"a", "b", "c", "d", "e"}}, {ID: "eni-ok", Groups: []string{"a", "b", "c", "d"}}}},
			want: []string{"eni-sg-quota eni-full"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.s.Cluster = cluster
			got := summary(Audit(tt.s))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("findings\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestQuotaFindingSaysWhatIsLeft(t *testing.T) {
	r := Audit(Snapshot{Cluster: cluster, SecurityGroups: []SG{{ID: "sg-full", Name: "nodes", Ingress: manyRules(58)}}})
	if len(r.Findings) != 1 || r.Findings[0].Detail != "nodes uses 58 of 60 IPv4 inbound rules (2 left)" {
		t.Fatalf("findings: %+v", r.Findings)
	}
	if r.Quotas[0] != (Quota{Resource: "sg-full", Type: "security-group", IPv4: 58, Limit: 60}) {
		t.Errorf("quota: %+v", r.Quotas[0])
	}
}

type recorder struct{ calls []string }

func (r *recorder) Revoke(_ context.Context, id string, s rules.Set) error {
	r.calls = append(r.calls, fmt.Sprintf("revoke %s %d", id, len(s)))
	return nil
}

func (r *recorder) DeleteSecurityGroup(_ context.Context, id string) error {
	r.calls = append(r.calls, "delete "+id)
	return nil
}

func TestFixRemovesOnlyOwnedLeaksRevokesFirst(t *testing.T) {
	s := Snapshot{Cluster: cluster, SecurityGroups: []SG{
		{ID: "sg-node", Tags: nodeTag, Ingress: rules.Set{key(30081, "sg-old"): ours, key(30082, "sg-x"): theirs, key(22, "0.0.0.0/0"): ""}},
		{ID: "sg-old", Tags: managedTags(cluster, "default/gone")},
		{ID: "sg-c2", Tags: managedTags("c2", "default/gone")},
		{ID: "sg-busy", Tags: managedTags(cluster, "default/gone2")},
	}, ENIs: []ENI{{ID: "eni-1", Groups: []string{"sg-busy"}}}}
	fx := PlanFixes(s, Audit(s))
	var out bytes.Buffer
	rec := &recorder{}
	if err := Fix(t.Context(), rec, fx, &out); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(rec.calls), "[revoke sg-node 1 delete sg-old]"; got != want {
		t.Errorf("writes %s, want %s", got, want)
	}
	if !strings.Contains(out.String(), "revoke sg-node: tcp 30081 ← sg-old\ndelete security group sg-old\n") {
		t.Errorf("printed:\n%s", out.String())
	}
}

func TestRenderText(t *testing.T) {
	s := Snapshot{Cluster: cluster, VPCID: "vpc-1", SecurityGroups: []SG{
		{ID: "sg-old", Name: "k8s-old", Tags: managedTags(cluster, "default/gone")},
		{ID: "sg-c2", Name: "k8s-c2", Tags: backendTags("c2")},
	}}
	var b bytes.Buffer
	if err := RenderText(&b, Audit(s), false); err != nil {
		t.Fatal(err)
	}
	want := `Audit of cluster c1 in vpc-1
! leaked-security-group        sg-old
    managed SG k8s-old of service default/gone, which no longer exists [fixable]
i other-cluster-security-group sg-c2
    k8s-c2 is owned by cluster "c2"; left alone

Quota headroom:
  (only security groups and ENIs over half their quota; -v lists all)

1 problems, 1 notes.
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestLeakedLoadBalancerNamesTheEIPsItHolds(t *testing.T) {
	r := Audit(Snapshot{Cluster: cluster, LoadBalancers: []LB{{Name: "lb-gone", EIPs: []string{"eipalloc-1", "eipalloc-2"},
		Tags: map[string]string{naming.TagCluster: cluster, "service.k8s.aws/stack": "default/gone"}}}})
	if len(r.Findings) != 1 || r.Findings[0].Kind != LeakedLoadBalancer || !strings.Contains(r.Findings[0].Detail, "Elastic IPs eipalloc-1 eipalloc-2") {
		t.Fatalf("findings: %+v", r.Findings)
	}
}

func TestWebACLsNoIngressAsksForAreNotes(t *testing.T) {
	tags := map[string]string{naming.TagCluster: cluster, "ingress.k8s.aws/stack": "shop"}
	live := []naming.Stack{naming.ExplicitIngressStack("shop")}
	for _, tt := range []struct {
		name string
		lb   LB
		ask  *WAFAsk
		want []string // details' ACLs
	}{
		{name: "an outside WAFv2 ACL on an ALB whose Ingresses ask for none", lb: LB{Name: "a", WAFv2ACL: "arn:acl"}, ask: &WAFAsk{}, want: []string{"WAFv2 web ACL arn:acl"}},
		{name: "an outside WAF Classic ACL", lb: LB{Name: "a", WAFClassicACL: "id-1"}, ask: &WAFAsk{WAFv2: true}, want: []string{"WAF Classic web ACL id-1"}},
		{name: "an ACL the Ingresses ask for", lb: LB{Name: "a", WAFv2ACL: "arn:acl", WAFClassicACL: "id-1"}, ask: &WAFAsk{WAFv2: true, Classic: true}},
		{name: "an LB whose asks are unknown is not judged", lb: LB{Name: "a", WAFv2ACL: "arn:acl"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.lb.Tags = tags
			s := Snapshot{Cluster: cluster, LoadBalancers: []LB{tt.lb}, LiveStacks: live}
			if tt.ask != nil {
				s.WAFAsks = map[string]WAFAsk{"a": *tt.ask}
			}
			var got []string
			for _, f := range Audit(s).Findings {
				if f.Kind == UnrequestedWebACL && f.Severity == Info {
					got = append(got, strings.SplitN(f.Detail, " is ", 2)[0])
				}
			}
			if strings.Join(got, ";") != strings.Join(tt.want, ";") {
				t.Errorf("notes %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAuditReportsBindingsThatCannotBeServed(t *testing.T) {
	r := Audit(Snapshot{Cluster: "c", Bindings: map[string]BindingProblem{
		"ns/gone":  {Reason: "TargetGroupNotFound", Message: "target group tf not found"},
		"ns/vpc":   {Reason: "VpcIDMismatch", Message: "invalid VpcID"},
		"ns/typed": {Reason: "TargetTypeMismatch", Message: "targetType ip does not match"},
	}})
	var got []string
	for _, f := range r.Findings {
		got = append(got, string(f.Kind)+" "+f.Resource)
		if f.Severity != Problem || f.Fixable {
			t.Errorf("%s: severity %s fixable %v, want a problem --fix leaves", f.Resource, f.Severity, f.Fixable)
		}
	}
	want := []string{"binding-invalid targetgroupbinding ns/typed", "binding-target-group-missing targetgroupbinding ns/gone",
		"binding-vpc-mismatch targetgroupbinding ns/vpc"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}

func gatewayTags(c, stack, resource string) map[string]string {
	return map[string]string{naming.TagCluster: c, naming.TagGatewayALBResource: resource, naming.TagGatewayALBStack: stack}
}

func TestFindingsNameTheGatewayOwningAResource(t *testing.T) {
	live := naming.GatewayALBStack("shop", "web-gw")
	s := Snapshot{Cluster: cluster, LiveStacks: []naming.Stack{live},
		SecurityGroups: []SG{
			{ID: "sg-gone", Name: "k8s-shop-oldgw-sg", Tags: gatewayTags(cluster, "shop/old-gw", naming.ResourceManagedLBSecurityGroup)},
			{ID: "sg-web", Tags: gatewayTags(cluster, "shop/web-gw", naming.ResourceManagedLBSecurityGroup)},
			{ID: "sg-node", Tags: nodeTag, Ingress: rules.Set{key(30080, "sg-gone"): ours}},
		},
		LoadBalancers: []LB{
			{Name: "k8s-shop-oldgw", Tags: gatewayTags(cluster, "shop/old-gw", "LoadBalancer")},
			{Name: "k8s-shop-webgw", SecurityGroups: []string{"sg-hand"}, Tags: gatewayTags(cluster, "shop/web-gw", "LoadBalancer"), WAFv2ACL: "arn:acl"},
		},
		TargetGroups:    []TG{{Name: "k8s-shop-old", Tags: gatewayTags(cluster, "shop/old-gw", "shop/old-gw:shop-web:HTTPRoute-shop-web:0")}},
		DesiredLBSGs:    map[string][]string{"k8s-shop-webgw": {"sg-web"}},
		WAFAsks:         map[string]WAFAsk{"k8s-shop-webgw": {}},
		Unauthenticated: map[string]naming.Stack{"k8s-shop-webgw": live},
		Unsupported:     map[string][]string{"Gateway shop/cfg-gw": {"LoadBalancerConfiguration shop/cfg uses fields lbsg does not support: spec.wafV2"}},
		RefusedRoutes:   map[string]string{"HTTPRoute shop/headers": "Gateway shop/web-gw: lbsg does not support rule 0: filter RequestHeaderModifier: the route is not applied"},
	}
	got := map[string]string{}
	for _, f := range Audit(s).Findings {
		got[string(f.Kind)+" "+f.Resource] = f.Detail
	}
	for _, tt := range []struct{ finding, detail string }{
		{"leaked-security-group sg-gone", "managed SG k8s-shop-oldgw-sg of gateway shop/old-gw, which no longer exists"},
		{"leaked-load-balancer k8s-shop-oldgw", "load balancer of gateway shop/old-gw, which no longer exists"},
		{"leaked-target-group k8s-shop-old", "target group of gateway shop/old-gw, which no longer exists"},
		{"leaked-rule sg-node", "that no Service, Ingress or Gateway needs, admitting the managed SG of gateway shop/old-gw"},
		{"load-balancer-sg-drift k8s-shop-webgw", "gateway shop/web-gw: security groups [sg-hand], desired [sg-web]"},
		{"unrequested-web-acl k8s-shop-webgw", "WAFv2 web ACL arn:acl is associated but gateway shop/web-gw asks for none"},
		{"unauthenticated-internet-alb k8s-shop-webgw", "internet-facing ALB of gateway shop/web-gw admits 0.0.0.0/0 and authenticates no request (no authenticate action)"},
		{"unsupported-object Gateway shop/cfg-gw", "lbsg leaves its load balancer alone: LoadBalancerConfiguration shop/cfg uses fields lbsg does not support: spec.wafV2"},
		{"refused-route HTTPRoute shop/headers", "Gateway shop/web-gw: lbsg does not support rule 0: filter RequestHeaderModifier"},
	} {
		t.Run(tt.finding, func(t *testing.T) {
			if d, ok := got[tt.finding]; !ok || !strings.Contains(d, tt.detail) {
				t.Errorf("finding %q detail %q (present %v); want it to contain %q", tt.finding, d, ok, tt.detail)
			}
		})
	}
}

// TestListenerDriftNamesTheControllersChanges: a live stack's load
// balancer whose listeners differ from the manifests is one problem naming
// the first five changes and counting the rest; one without drift is none.
func TestListenerDriftNamesTheControllersChanges(t *testing.T) {
	tags := map[string]string{naming.TagCluster: cluster, "ingress.k8s.aws/stack": "shop"}
	live := []naming.Stack{naming.ExplicitIngressStack("shop")}
	var changes []string
	for i := range 7 {
		changes = append(changes, fmt.Sprintf("~ ModifyRule rule %d of listener 443/HTTPS: path-pattern=/%d", i+1, i))
	}
	for _, tt := range []struct {
		name   string
		drift  []string
		detail string // "" no finding
	}{
		{name: "no drift"},
		{name: "one change", drift: changes[:1], detail: "ingress group shop: listeners differ from the manifests; the controller would " + changes[0]},
		{name: "seven changes", drift: changes, detail: "ingress group shop: listeners differ from the manifests; the controller would " +
			strings.Join(changes[:5], "; ") + "; and 2 more"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := Snapshot{Cluster: cluster, LoadBalancers: []LB{{Name: "alb", Tags: tags}}, LiveStacks: live}
			if tt.drift != nil {
				s.ListenerDrift = map[string][]string{"alb": tt.drift}
			}
			var got []Finding
			for _, f := range Audit(s).Findings {
				if f.Kind == ListenerDrift {
					got = append(got, f)
				}
			}
			switch {
			case tt.detail == "" && len(got) != 0:
				t.Errorf("findings %+v, want none", got)
			case tt.detail != "" && (len(got) != 1 || got[0].Detail != tt.detail || got[0].Severity != Problem || got[0].Resource != "alb"):
				t.Errorf("findings %+v, want one problem on alb: %q", got, tt.detail)
			}
		})
	}
}
