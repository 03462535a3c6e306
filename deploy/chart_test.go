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
