package controller_test

import (
	"testing"

	"github.com/spf13/pflag"

	"github.com/lbsg/lbsg/internal/controller"
	"github.com/lbsg/lbsg/internal/options"
)

func TestDefaultsCarryTargetTypeSchemeAndTargetSGTagFlags(t *testing.T) {
	o := options.New()
	fs := pflag.NewFlagSet("controller", pflag.ContinueOnError)
	o.AddFlags(fs)
	if err := fs.Parse([]string{"--cluster-name=c", "--default-target-type=ip", "--default-load-balancer-scheme=internet-facing",
		"--service-target-eni-security-group-tags=team=web"}); err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	d := controller.Defaults(o)
	if d.DefaultTargetType != "ip" || d.DefaultScheme != "internet-facing" || d.TargetSGTags["team"] != "web" || len(d.TargetSGTags) != 1 {
		t.Errorf("defaults: target type %q scheme %q target SG tags %v", d.DefaultTargetType, d.DefaultScheme, d.TargetSGTags)
	}
}
