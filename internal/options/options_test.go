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
