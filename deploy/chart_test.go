package deploy

import (
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/lbsg/lbsg/internal/controller/applied"
)

const chart = "helm/lbsg/"

// chartSets are the flags whose chart default is not the controller's.
var chartSets = map[string]string{
	"cluster-name":              "required",
	"leader-elect":              "leaderElection.enabled: true, for two replicas",
	"leader-election-namespace": "the release namespace",
}

// TestChartDefaultsAreTheFlagDefaults renders the chart's defaults: every
// flag it passes holds the controller's default (which is LBC's), but for
// chartSets.
func TestChartDefaultsAreTheFlagDefaults(t *testing.T) {
	objs, err := render(t)
	if err != nil {
		t.Fatal(err)
	}
	args := controllerArgs(t, objs)
	fs, err := validate(args)
	if err != nil {
		t.Fatalf("the controller refuses %q: %v", args, err)
	}
	n := 0
	fs.Visit(func(f *pflag.Flag) {
		n++
		if _, ok := chartSets[f.Name]; ok {
			return
		}
		if got := f.Value.String(); got != f.DefValue {
			t.Errorf("the chart passes --%s=%s; the controller's default is %q", f.Name, got, f.DefValue)
		}
	})
	if n < 5 {
		t.Fatalf("only %d flags set by the chart's defaults: %q", n, args)
	}
}

// TestChartAppliedRecordRoleIsWhereTheControllerKeepsIt renders the chart and
// checks that the Role for the applied-model record (applied-rbac.yaml) sits
// in the namespace the controller resolves from its arguments and names the
// ConfigMap the controller writes, with or without leader election.
func TestChartAppliedRecordRoleIsWhereTheControllerKeepsIt(t *testing.T) {
	for _, tt := range []struct {
		name   string
		set    []string
		noRole bool
	}{
		{name: "the release namespace by default"},
		{name: "the leader-election namespace when set", set: []string{"leaderElection.namespace=elect"}},
		{name: "rendered without leader election too", set: []string{"leaderElection.enabled=false"}},
		{name: "not rendered without rbac.create", set: []string{"rbac.create=false"}, noRole: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var args []string
			var role, binding *unstructured.Unstructured
			for _, o := range helmTemplate(t, "lbsg", "lbsg-system", append([]string{"clusterName=ci"}, tt.set...)...) {
				switch {
				case o.GetKind() == "Deployment":
					containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
					for _, c := range containers {
						a, _, _ := unstructured.NestedStringSlice(c.(map[string]any), "args")
						args = append(args, a...)
					}
				case o.GetKind() == "Role" && strings.HasSuffix(o.GetName(), "-applied"):
					role = o
				case o.GetKind() == "RoleBinding" && strings.HasSuffix(o.GetName(), "-applied"):
					binding = o
				}
			}
			if tt.noRole {
				if role != nil || binding != nil {
					t.Errorf("applied-record Role or RoleBinding rendered with %v", tt.set)
				}
				return
			}
			if role == nil || binding == nil {
				t.Fatalf("no applied-record Role and RoleBinding (role %v, binding %v)", role != nil, binding != nil)
			}
			var flag, cluster string
			for _, a := range args {
				if v, ok := strings.CutPrefix(a, "--leader-election-namespace="); ok {
					flag = v
				}
				if v, ok := strings.CutPrefix(a, "--cluster-name="); ok {
					cluster = v
				}
			}
			if want := applied.Namespace(flag); role.GetNamespace() != want || binding.GetNamespace() != want {
				t.Errorf("Role in %q, RoleBinding in %q; the controller (--leader-election-namespace=%q) keeps the record in %q",
					role.GetNamespace(), binding.GetNamespace(), flag, want)
			}
			rules, _, _ := unstructured.NestedSlice(role.Object, "rules")
			var named []string
			for _, r := range rules {
				names, _, _ := unstructured.NestedStringSlice(r.(map[string]any), "resourceNames")
				named = append(named, names...)
			}
			if want := applied.Name(cluster); !slices.Equal(named, []string{want}) {
				t.Errorf("Role names ConfigMaps %q, the controller writes %q", named, want)
			}
		})
	}
}
