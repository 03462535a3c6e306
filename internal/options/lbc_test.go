package options

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/lbsg/lbsg/internal/lbcsource"
)

// TestEveryLBCFlagAndGateIsKnown: lbsg registers every flag LBC v3.6.2
// defines (its own flag, an alias or an LBC flag of the table), and knows
// every feature gate with LBC's default, so a migrated Deployment never
// fails on a flag lbsg has never heard of, and a gate is never ignored.
func TestEveryLBCFlagAndGateIsKnown(t *testing.T) {
	dir := lbcsource.Dir(t)
	fs := pflag.NewFlagSet("controller", pflag.ContinueOnError)
	New().AddFlags(fs)
	flagRE := regexp.MustCompile(`\b(flag[A-Za-z0-9]+)\s*=\s*"([a-z0-9-]+)"`)
	registered := regexp.MustCompile(`fs\.\w+\(&[\w.]+,\s*(flag\w+)`)
	used := map[string]bool{} // flag constants passed to a FlagSet
	_ = filepath.WalkDir(filepath.Join(dir, "pkg"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			b, _ := os.ReadFile(p)
			for _, m := range registered.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
			}
		}
		return nil
	})
	gateRE := regexp.MustCompile(`(\w+):\s*generateDefaultFeatureStatus\((true|false)\)`)
	featRE := regexp.MustCompile(`(\w+)\s+Feature = "(\w+)"`)
	var flags, gates int
	feature := map[string]string{}
	err := filepath.WalkDir(filepath.Join(dir, "pkg"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range flagRE.FindAllStringSubmatch(string(b), -1) {
			if !used[m[1]] { // declared but never registered (enable-acm-certificates in v3.6.2)
				continue
			}
			flags++
			if fs.Lookup(m[2]) == nil {
				t.Errorf("LBC's flag --%s (%s) is not registered", m[2], strings.TrimPrefix(p, dir))
			}
		}
		for _, m := range featRE.FindAllStringSubmatch(string(b), -1) {
			feature[m[1]] = m[2]
		}
		for _, m := range gateRE.FindAllStringSubmatch(string(b), -1) {
			gates++
			name := feature[m[1]]
			g, ok := gateSupport[name]
			if !ok {
				t.Errorf("LBC's feature gate %s (%s) is not known", name, m[1])
				continue
			}
			if want := m[2] == "true"; g.def != want {
				t.Errorf("feature gate %s: lbsg's LBC default %t, LBC's %t", name, g.def, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if flags < 50 || gates < 20 {
		t.Errorf("read %d flags and %d gates from LBC; the scan has gone wrong", flags, gates)
	}
	if fs.Lookup("feature-gates") == nil || fs.Lookup("cluster-name") == nil {
		t.Error("feature-gates or cluster-name missing")
	}
}

// TestLBCsChartArgumentsStart: the arguments LBC's Helm chart renders,
// every value at LBC's default, are accepted.
func TestLBCsChartArgumentsStart(t *testing.T) {
	args := []string{"--cluster-name=prod", "--ingress-class=alb", "--aws-region=us-west-2", "--aws-vpc-id=vpc-1",
		"--aws-max-retries=10", "--enable-leader-election=true", "--metrics-bind-addr=:8080", "--health-probe-bind-addr=:61779",
		"--ingress-max-concurrent-reconciles=3", "--service-max-concurrent-reconciles=3", "--log-level=info", "--sync-period=10h0m0s",
		"--webhook-bind-port=9443", "--default-ssl-policy=ELBSecurityPolicy-2016-08", "--enable-backend-security-group=true",
		"--disable-restricted-sg-rules=false", "--default-target-type=instance", "--load-balancer-class=service.k8s.aws/nlb",
		"--aws-api-endpoints=EC2=http://127.0.0.1:4566,Elastic Load Balancing v2=http://127.0.0.1:4566,ACM=http://127.0.0.1:4566",
		"--feature-gates=ListenerRulesTagging=true,EnableIPTargetType=true,ALBSingleSubnet=false,NLBSecurityGroup=false"}
	for _, f := range LBCFlags {
		args = append(args, "--"+f.Name+"="+strings.Trim(f.Default, "[]"))
	}
	o, err := parse(t, args...)
	if err != nil {
		t.Fatalf("LBC's default arguments refused: %v", err)
	}
	if !o.LeaderElect || o.ServiceReconciles() != 3 || o.AWSAPIEndpoints["Elastic Load Balancing v2"] != "http://127.0.0.1:4566" || o.Gate(GateNLBSecurityGroup) {
		t.Errorf("aliases not applied: %+v", o)
	}
}

func TestWhatLbsgLacksIsRefusedByName(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string // "" accepted
	}{
		{[]string{"--watch-namespace=team-a"}, "--watch-namespace=team-a: lbsg lacks watching one namespace only"},
		{[]string{"--tolerate-non-existent-backend-service=false"}, "--tolerate-non-existent-backend-service=false"},
		{[]string{"--disable-ingress-class-annotation", "--disable-ingress-group-name-annotation", "--webhook-bind-port=9444"}, ""},
		{[]string{"--webhook-bind-port=70000"}, "--webhook-bind-port"},
		{[]string{"--max-targets-per-target-group=0"}, ""},
		{[]string{"--enable-waf=false", "--enable-shield"}, ""},
		{[]string{"--feature-gates=GlobalAcceleratorController=true"}, "feature gate GlobalAcceleratorController=true: lbsg lacks a Global Accelerator controller"},
		{[]string{"--feature-gates=ALBSingleSubnet=true,EnableTCPUDPListener=true"}, ""},
		{[]string{"--feature-gates=EnableServiceController=false"}, "feature gate EnableServiceController=false"},
		{[]string{"--feature-gates=ServiceTypeLoadBalancerOnly=true,EnableDefaultTagsLowPriority=true,WeightedTargetGroups=false"}, ""},
		{[]string{"--feature-gates=NoSuchGate=true"}, "unknown feature gate NoSuchGate"},
		{[]string{"--log-level=trace"}, "--log-level"},
		{[]string{"--aws-api-endpoints=EC2=localhost"}, "not a URL"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := parse(t, append([]string{"--cluster-name=c"}, tt.args...)...)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want one naming %q", err, tt.want)
			}
		})
	}
}
