package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/lbsg/lbsg/internal/sandbox"
)

// sandboxController returns the in-process controller for `--controller
// builtin`; nil while no controller is compiled in.
var sandboxController func() sandbox.Controller

func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o sandbox.Options
	var controller string
	var demo, noThrottle bool
	fs := newFlagSet("sandbox", stderr)
	fs.StringVar(&o.Dir, "dir", ".lbsg-sandbox", "directory holding all state (emulator, cluster, kubeconfig, aws.env); reused on the next start")
	fs.IntVar(&o.Nodes, "nodes", 3, "simulated nodes, each backed by an emulated EC2 instance")
	fs.StringVar(&o.ClusterName, "cluster-name", "sandbox", "cluster name (tags, EKS record, kubeconfig context)")
	fs.StringVar(&o.Region, "region", "us-west-2", "emulated AWS Region")
	fs.StringVar(&o.AWSListen, "aws-listen", "", "emulator address (default 127.0.0.1:4566, or the one a previous run used)")
	fs.StringVar(&controller, "controller", "builtin", "builtin runs lbsg's controller in-process; none leaves it out so another controller can be compared")
	fs.BoolVar(&demo, "demo", false, "apply a sample app with an NLB Service and an ALB Ingress and print the result")
	fs.BoolVar(&noThrottle, "no-throttle", false, "turn off the emulator's AWS request throttling")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	o.Throttle = !noThrottle
	o.Out = stdout
	switch controller {
	case "none":
	case "builtin":
		if sandboxController == nil {
			_, _ = fmt.Fprintln(stderr, "lbsg sandbox: this build has no controller yet; running with --controller none")
		} else {
			o.Controller = sandboxController()
		}
	default:
		return fmt.Errorf("%w: --controller must be builtin or none, not %q", errUsage, controller)
	}
	if demo {
		o.AfterReady = sandbox.Demo
	}
	return sandbox.Run(ctx, o)
}
