package controller_test

import (
	"slices"
	"testing"

	"github.com/spf13/pflag"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/controller"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/testenv"
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

func TestTolerateNonExistentBackendActionDecidesAMissingActionsFate(t *testing.T) {
	for _, tt := range []struct {
		args []string
		fail bool
	}{{nil, false}, {[]string{"--tolerate-non-existent-backend-action=false"}, true}} {
		o := options.New()
		fs := pflag.NewFlagSet("controller", pflag.ContinueOnError)
		o.AddFlags(fs)
		if err := fs.Parse(append([]string{"--cluster-name=c"}, tt.args...)); err != nil {
			t.Fatal(err)
		}
		if err := o.Validate(); err != nil {
			t.Fatal(err)
		}
		if got := controller.Defaults(o).FailMissingBackendAction; got != tt.fail {
			t.Errorf("%v: FailMissingBackendAction = %v, want %v", tt.args, got, tt.fail)
		}
	}
}

// TestSetupRegistersWhatTheHelpDescribes: the components that help texts list
// (controller.Components) are exactly those Setup adds to the manager, in
// order, each with a summary.
func TestSetupRegistersWhatTheHelpDescribes(t *testing.T) {
	k := testenv.Kube(t)
	testenv.GatewayAPI(t) // the Gateway controllers need the Gateway API's CRDs
	emu := emutest.Start(t)
	o := options.New()
	o.ClusterName = cluster
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	mgr, err := ctrl.NewManager(k.Config, ctrl.Options{
		Scheme:                 controller.Scheme(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	clients := awsapi.FromConfig(emu.Config, awsapi.Options{})
	got, err := controller.Setup(mgr, controller.Config{Options: o, EC2: clients.EC2, ELBV2: clients.ELBV2,
		VPCID: emu.Seeded(t).VPCID, NoRecord: true})
	if err != nil {
		t.Fatal(err)
	}
	want := controller.Components()
	if !slices.Equal(got.Registered, want) {
		t.Errorf("Setup registered %v, help describes %v", got.Registered, want)
	}
	for _, c := range want {
		if c.Summary == "" {
			t.Errorf("component %q has no summary", c.Name)
		}
	}
}
