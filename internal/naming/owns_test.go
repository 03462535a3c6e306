package naming_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/lbsg/lbsg/internal/naming"
)

func TestRuleOwnership(t *testing.T) {
	const cluster = "c1"
	for _, tt := range []struct {
		name     string
		desc     string
		want     naming.RuleOwner
		owns     bool
		ownsAdop bool
	}{
		{"lbsg's marker for this cluster is ours", naming.RuleDescription("c1"), naming.RuleOurs, true, true},
		{"lbsg's marker for another cluster is never ours (LBC #2185)", naming.RuleDescription("c2"), naming.RuleOtherCluster, false, false},
		{"LBC's bare marker is adopted only on request", "elbv2.k8s.aws/targetGroupBinding=shared", naming.RuleLBC, false, true},
		{"marker pairs are parsed with spaces as LBC does", " elbv2.k8s.aws/targetGroupBinding = shared , elbv2.k8s.aws/cluster=c1", naming.RuleOurs, true, true},
		{"a hand-written description is foreign", "ssh from office", naming.RuleForeign, false, false},
		{"an empty description is foreign", "", naming.RuleForeign, false, false},
		{"another marker value is foreign", "elbv2.k8s.aws/targetGroupBinding=mine", naming.RuleForeign, false, false},
		{"the cluster key without the marker is foreign", "elbv2.k8s.aws/cluster=c1", naming.RuleForeign, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := naming.ClassifyRule(tt.desc, cluster); got != tt.want {
				t.Errorf("ClassifyRule = %v, want %v", got, tt.want)
			}
			if got := naming.OwnsRule(tt.desc, cluster, false); got != tt.owns {
				t.Errorf("OwnsRule = %v, want %v", got, tt.owns)
			}
			if got := naming.RulePredicate(cluster, true)(tt.desc); got != tt.ownsAdop {
				t.Errorf("OwnsRule(adopt) = %v, want %v", got, tt.ownsAdop)
			}
		})
	}
	if d := naming.RuleDescription("my-cluster"); d != "elbv2.k8s.aws/targetGroupBinding=shared,elbv2.k8s.aws/cluster=my-cluster" {
		t.Errorf("RuleDescription = %q", d)
	}
}

func TestSecurityGroupOwnership(t *testing.T) {
	for _, tt := range []struct {
		name string
		tags map[string]string
		want naming.SGOwnership
	}{
		{"backend SG of this cluster", map[string]string{"elbv2.k8s.aws/cluster": "c1", "elbv2.k8s.aws/resource": "backend-sg"},
			naming.SGOwnership{Role: naming.SGBackend}},
		{"managed SG of a Service", map[string]string{"elbv2.k8s.aws/cluster": "c1", "service.k8s.aws/stack": "ns/svc", "service.k8s.aws/resource": "ManagedLBSecurityGroup"},
			naming.SGOwnership{Role: naming.SGManagedFrontend, Kind: naming.KindService, StackID: "ns/svc"}},
		{"managed SG of an Ingress group with the legacy cluster tag", map[string]string{"ingress.k8s.aws/cluster": "c1", "ingress.k8s.aws/stack": "grp", "ingress.k8s.aws/resource": "ManagedLBSecurityGroup"},
			naming.SGOwnership{Role: naming.SGManagedFrontend, Kind: naming.KindIngress, StackID: "grp"}},
		{"another cluster's backend SG is not owned", map[string]string{"elbv2.k8s.aws/cluster": "c2", "elbv2.k8s.aws/resource": "backend-sg"}, naming.SGOwnership{}},
		{"a node SG tagged kubernetes.io/cluster is not owned", map[string]string{"kubernetes.io/cluster/c1": "owned"}, naming.SGOwnership{}},
		{"the cluster tag alone does not prove ownership", map[string]string{"elbv2.k8s.aws/cluster": "c1"}, naming.SGOwnership{}},
		{"a managed SG without its stack tag is not owned", map[string]string{"elbv2.k8s.aws/cluster": "c1", "service.k8s.aws/resource": "ManagedLBSecurityGroup"}, naming.SGOwnership{}},
		{"no tags", nil, naming.SGOwnership{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := naming.ClassifySecurityGroup(tt.tags, "c1"); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if got := naming.OwnsSecurityGroup(tt.tags, "c1"); got != (tt.want.Role != naming.SGNotOwned) {
				t.Errorf("OwnsSecurityGroup = %v", got)
			}
		})
	}
	if naming.OwnsSecurityGroup(map[string]string{"elbv2.k8s.aws/cluster": "", "elbv2.k8s.aws/resource": "backend-sg"}, "") {
		t.Error("an empty cluster name owns nothing")
	}
}

func TestStacksTagsAndFinalizers(t *testing.T) {
	svc := naming.ServiceStack("default", "web")
	impl := naming.ImplicitIngressStack("ns-1", "ing-1")
	grp := naming.ExplicitIngressStack("shared")
	for _, tt := range []struct {
		name      string
		stack     naming.Stack
		tags      map[string]string
		finalizer string
	}{
		{"Service stack", svc, map[string]string{"elbv2.k8s.aws/cluster": "c", "service.k8s.aws/stack": "default/web", "service.k8s.aws/resource": "ManagedLBSecurityGroup"}, "service.k8s.aws/resources"},
		{"implicit Ingress group", impl, map[string]string{"elbv2.k8s.aws/cluster": "c", "ingress.k8s.aws/stack": "ns-1/ing-1", "ingress.k8s.aws/resource": "ManagedLBSecurityGroup"}, "ingress.k8s.aws/resources"},
		{"explicit Ingress group", grp, map[string]string{"elbv2.k8s.aws/cluster": "c", "ingress.k8s.aws/stack": "shared", "ingress.k8s.aws/resource": "ManagedLBSecurityGroup"}, "group.ingress.k8s.aws/shared"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := naming.ManagedSGTags("c", tt.stack, map[string]string{"elbv2.k8s.aws/cluster": "evil"})
			if !maps.Equal(got, tt.tags) {
				t.Errorf("tags = %v, want %v (tracking tags must win)", got, tt.tags)
			}
			if f := tt.stack.Finalizer(); f != tt.finalizer {
				t.Errorf("finalizer = %q, want %q", f, tt.finalizer)
			}
			if !naming.OwnsStackResource(naming.TrackingTags("c", tt.stack, "LoadBalancer"), "c", tt.stack) {
				t.Error("stack does not own its own LB")
			}
			if naming.OwnsStackResource(naming.TrackingTags("c", tt.stack, "LoadBalancer"), "other", tt.stack) {
				t.Error("another cluster owns the LB")
			}
		})
	}
	if got := naming.ServiceTargetGroupResourceID("default", "nlb-ip-svc", 80); got != "default/nlb-ip-svc:80" {
		t.Errorf("service TG resource ID %q", got)
	}
	if got := naming.IngressTargetGroupResourceID("ns-1", "ing-1", "svc-1", "http"); got != "ns-1/ing-1-svc-1:http" {
		t.Errorf("ingress TG resource ID %q", got)
	}
	if got := naming.RuleResourceID(80, 1); got != "80:1" {
		t.Errorf("rule resource ID %q", got)
	}
}

func TestUserTagPrecedence(t *testing.T) {
	// SG scenario 11.
	defaults := map[string]string{"k1": "v10", "k2": "v20"}
	user := map[string]string{"k1": "v1", "k2": "v2", "k3": "v3"}
	if got := naming.MergeUserTags(defaults, user, false); !maps.Equal(got, map[string]string{"k1": "v10", "k2": "v20", "k3": "v3"}) {
		t.Errorf("default tags take priority: %v", got)
	}
	if got := naming.MergeUserTags(defaults, user, true); !maps.Equal(got, map[string]string{"k1": "v1", "k2": "v2", "k3": "v3"}) {
		t.Errorf("EnableDefaultTagsLowPriority: %v", got)
	}
	// SG scenario 12 (second half) and Service form.
	if err := naming.ValidateUserTags(map[string]string{"k2": "v2"}, []string{"k2"}, ""); err == nil || err.Error() != "external managed tag key k2 cannot be specified" {
		t.Errorf("ingress form: %v", err)
	}
	if err := naming.ValidateUserTags(map[string]string{"k2": "v2"}, []string{"k2"}, "Service"); err == nil || err.Error() != "external managed tag key k2 cannot be specified on Service" {
		t.Errorf("service form: %v", err)
	}
}

func TestBackendSGTags(t *testing.T) {
	// SG scenario 43: default tags sorted, then cluster and resource.
	got := naming.BackendSGCreateTags("testCluster", map[string]string{"zz": "1", "aa": "2"})
	want := []naming.Tag{{"aa", "2"}, {"zz", "1"}, {"elbv2.k8s.aws/cluster", "testCluster"}, {"elbv2.k8s.aws/resource", "backend-sg"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// SG scenario 44: user tag removed, aws: kept, tracking added.
	current := map[string]string{"tag-to-be-deleted": "delete-me", "aws:cloudformation:stack-name": "x"}
	set, remove := naming.TagChanges(current, naming.BackendSGTags("testCluster", map[string]string{"k": "v"}), nil)
	if !maps.Equal(set, map[string]string{"k": "v", "elbv2.k8s.aws/cluster": "testCluster", "elbv2.k8s.aws/resource": "backend-sg"}) {
		t.Errorf("set = %v", set)
	}
	if !slices.Equal(remove, []string{"tag-to-be-deleted"}) {
		t.Errorf("remove = %v", remove)
	}
}

func TestKeepTagProtectsLegacyAndExternalKeys(t *testing.T) {
	for key, want := range map[string]bool{
		"aws:created":                true,
		"kubernetes.io/cluster/c1":   true,
		"kubernetes.io/service-name": true,
		"ingress.k8s.aws/cluster":    true,
		"team":                       true, // external-managed below
		"kubernetes.io/cluster/c2":   false,
		"owner":                      false,
	} {
		if got := naming.KeepTag(key, "c1", []string{"team"}); got != want {
			t.Errorf("KeepTag(%q) = %v, want %v", key, got, want)
		}
	}
	if !naming.IsTrackingKey("service.k8s.aws/stack") || naming.IsTrackingKey("team") {
		t.Error("IsTrackingKey")
	}
}
