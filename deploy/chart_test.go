package deploy

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/lbsg/lbsg/internal/controller/applied"
	"github.com/lbsg/lbsg/internal/options"
)

const chart = "helm/lbsg/"

// notInChart are controller flags the chart deliberately sets no value for.
var notInChart = map[string]string{
	"kubeconfig": "in-cluster config",
}

// valueOf maps chart values (top-level scalars in values.yaml) to the flag
// they set, so their defaults can be compared.
var valueOf = map[string]string{
	"clusterName":                           "cluster-name",
	"region":                                "aws-region",
	"vpcId":                                 "aws-vpc-id",
	"awsEndpoint":                           "aws-endpoint",
	"awsMaxRetries":                         "aws-max-retries",
	"enableBackendSecurityGroup":            "enable-backend-security-group",
	"backendSecurityGroup":                  "backend-security-group",
	"enableManageBackendSecurityGroupRules": "enable-manage-backend-security-group-rules",
	"disableRestrictedSGRules":              "disable-restricted-sg-rules",
	"adoptLBCRules":                         "adopt-lbc-rules",
	"defaultTargetType":                     "default-target-type",
	"defaultLoadBalancerScheme":             "default-load-balancer-scheme",
	"defaultSSLPolicy":                      "default-ssl-policy",
	"loadBalancerClass":                     "load-balancer-class",
	"driftInterval":                         "drift-interval",
	"maxConcurrentReconciles":               "max-concurrent-reconciles",
}

func controllerFlags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("controller", pflag.ContinueOnError)
	options.New().AddFlags(fs)
	return fs
}

func TestChartSetsEveryControllerFlag(t *testing.T) {
	b, err := os.ReadFile(chart + "templates/deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tmpl := string(b)
	n := 0
	controllerFlags().VisitAll(func(f *pflag.Flag) {
		n++
		if _, skip := notInChart[f.Name]; skip {
			return
		}
		if options.LBCOnly(f.Name) { // LBC's names, for LBC's Deployments; the chart passes lbsg's
			return
		}
		if !strings.Contains(tmpl, "--"+f.Name+"=") {
			t.Errorf("templates/deployment.yaml never passes --%s (add a value, or list it in notInChart)", f.Name)
		}
	})
	if n < 15 {
		t.Fatalf("only %d controller flags", n)
	}
}

func TestChartDefaultsAreTheFlagDefaults(t *testing.T) {
	values := topLevelScalars(t, chart+"values.yaml")
	fs := controllerFlags()
	for key, flag := range valueOf {
		f := fs.Lookup(flag)
		if f == nil {
			t.Errorf("values.yaml %s: no flag --%s", key, flag)
			continue
		}
		v, ok := values[key]
		if !ok {
			t.Errorf("values.yaml has no %s (--%s)", key, flag)
			continue
		}
		if v != f.DefValue {
			t.Errorf("values.yaml %s: %q, but --%s defaults to %q", key, v, flag, f.DefValue)
		}
	}
}

// topLevelScalars reads `key: scalar` lines at column 0 of a YAML file,
// unquoting "…" values; enough for values.yaml's flag values.
func topLevelScalars(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == ' ' || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		}
		out[k] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// ingressClass.name is nested, so TestChartDefaultsAreTheFlagDefaults cannot
// see it: render the chart and read the controller's arguments.
func TestChartIngressClassNameIsTheIngressClassFlag(t *testing.T) {
	def := controllerFlags().Lookup("ingress-class").DefValue
	for _, tt := range []struct {
		name string
		set  []string
		want string
	}{
		{name: "the default IngressClass name is the flag's default", want: "--ingress-class=" + def},
		{name: "another IngressClass name is passed on", set: []string{"ingressClass.name=internal-alb"}, want: "--ingress-class=internal-alb"},
		{name: "an empty name without an IngressClass handles class-less Ingresses", set: []string{"ingressClass.create=false", "ingressClass.name="},
			want: "--ingress-class="},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var args []string
			for _, o := range helmTemplate(t, "lbsg", "kube-system", append([]string{"clusterName=ci"}, tt.set...)...) {
				if o.GetKind() != "Deployment" {
					continue
				}
				containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
				for _, c := range containers {
					a, _, _ := unstructured.NestedStringSlice(c.(map[string]any), "args")
					args = append(args, a...)
				}
			}
			if !slices.Contains(args, tt.want) {
				t.Errorf("controller args %q lack %q", args, tt.want)
			}
		})
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
