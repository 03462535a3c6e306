package options

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func parse(t *testing.T, args ...string) (*Controller, error) {
	t.Helper()
	o := New()
	fs := pflag.NewFlagSet("controller", pflag.ContinueOnError)
	o.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse: %v", err)
	}
	return o, o.Validate()
}

func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want []string // substrings; empty = valid
	}{
		{name: "a cluster name alone is valid", args: []string{"--cluster-name=c"}},
		{name: "missing cluster name uses LBC's text", want: []string{"kubernetes cluster name must be specified"}},
		{name: "backend SG must be an ID", args: []string{"--cluster-name=c", "--backend-security-group=foo"},
			want: []string{"invalid value foo for backend security group id"}},
		{name: "managing rules needs the backend SG", args: []string{"--cluster-name=c", "--enable-backend-security-group=false", "--enable-manage-backend-security-group-rules"},
			want: []string{"backend security group must be enabled when manage backend security group rule is enabled"}},
		{name: "tracking keys are refused in default tags and external tags, all at once",
			args: []string{"--default-tags=elbv2.k8s.aws/cluster=x,k=v", "--external-managed-tags=service.k8s.aws/stack,k"},
			want: []string{
				"kubernetes cluster name must be specified",
				"tag key elbv2.k8s.aws/cluster cannot be specified in default-tags flag",
				"tag key service.k8s.aws/stack cannot be specified in external-managed-tags flag",
				"tag key k cannot be specified in both default-tags and external-managed-tags flag",
			}},
		{name: "LBC's target type, scheme and target-ENI SG tag flags are accepted",
			args: []string{"--cluster-name=c", "--default-target-type=ip", "--default-load-balancer-scheme=internet-facing",
				"--service-target-eni-security-group-tags=team=web,tier=front"}},
		{name: "bad default target type and scheme are both reported",
			args: []string{"--cluster-name=c", "--default-target-type=alb", "--default-load-balancer-scheme=public"},
			want: []string{
				`invalid value "alb" for --default-target-type: want instance or ip`,
				`invalid value "public" for --default-load-balancer-scheme: want internal or internet-facing`,
			}},
		{name: "an empty target-ENI SG tag key is refused", args: []string{"--cluster-name=c", "--service-target-eni-security-group-tags==v"},
			want: []string{"--service-target-eni-security-group-tags: empty tag key"}},
		{name: "unknown feature gate", args: []string{"--cluster-name=c", "--feature-gates=Nope=true"}, want: []string{"unknown feature gate Nope"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, tt.args...)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want errors %q, got none", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestDefaultsMatchLBC(t *testing.T) {
	o, err := parse(t, "--cluster-name=c", "--feature-gates=NLBSecurityGroup=false")
	if err != nil {
		t.Fatal(err)
	}
	if !o.EnableBackendSecurityGroup || o.EnableManageBackendSecurityGroupRules || o.DisableRestrictedSGRules {
		t.Errorf("SG defaults differ from LBC: %+v", o)
	}
	if o.DriftInterval != DefaultDriftInterval || o.LoadBalancerClass != DefaultLoadBalancerClass {
		t.Errorf("defaults: %v %q", o.DriftInterval, o.LoadBalancerClass)
	}
	if o.Gate(GateNLBSecurityGroup) {
		t.Error("gate NLBSecurityGroup should be off")
	}
}

func TestTargetTypeSchemeAndENITagFlags(t *testing.T) {
	o, err := parse(t, "--cluster-name=c")
	if err != nil {
		t.Fatal(err)
	}
	if o.DefaultTargetType != "instance" || o.DefaultLoadBalancerScheme != "internal" || len(o.ServiceTargetENISGTags) != 0 {
		t.Errorf("defaults differ from LBC: %q %q %v", o.DefaultTargetType, o.DefaultLoadBalancerScheme, o.ServiceTargetENISGTags)
	}
	o, err = parse(t, "--cluster-name=c", "--default-target-type=ip", "--default-load-balancer-scheme=internet-facing",
		"--service-target-eni-security-group-tags=team=web,tier=front")
	if err != nil {
		t.Fatal(err)
	}
	if o.DefaultTargetType != "ip" || o.DefaultLoadBalancerScheme != "internet-facing" ||
		len(o.ServiceTargetENISGTags) != 2 || o.ServiceTargetENISGTags["team"] != "web" || o.ServiceTargetENISGTags["tier"] != "front" {
		t.Errorf("parsed: %q %q %v", o.DefaultTargetType, o.DefaultLoadBalancerScheme, o.ServiceTargetENISGTags)
	}
}

func TestAdoptLBCRulesFlag(t *testing.T) {
	o, err := parse(t, "--cluster-name=c")
	if err != nil || o.AdoptLBCRules {
		t.Fatalf("default: adopt %v, err %v (want off)", o.AdoptLBCRules, err)
	}
	if o, err = parse(t, "--cluster-name=c", "--adopt-lbc-rules"); err != nil || !o.AdoptLBCRules {
		t.Fatalf("--adopt-lbc-rules: adopt %v, err %v", o.AdoptLBCRules, err)
	}
}

func TestIngressClassFlag(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{name: "defaults to LBC's alb", want: "alb"},
		{name: "takes another class", args: []string{"--ingress-class=internal-alb"}, want: "internal-alb"},
		{name: "may be empty, to also handle Ingresses without a class", args: []string{"--ingress-class="}, want: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parse(t, append([]string{"--cluster-name=c"}, tt.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			if o.IngressClass != tt.want {
				t.Errorf("IngressClass = %q, want %q", o.IngressClass, tt.want)
			}
		})
	}
}
