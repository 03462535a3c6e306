package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/lbsg/lbsg/internal/sandbox"
)

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
	fs.StringVar(&controller, "controller", "builtin", "builtin runs lbsg's controller in-process; lbc runs the AWS Load Balancer Controller v3.6.2 (hack/tools/lbc) instead, to compare; none runs no controller")
	fs.BoolVar(&demo, "demo", false, "apply a sample app with an NLB Service, an ALB Ingress and an NLB Gateway with a TCPRoute, and print the result")
	fs.BoolVar(&noThrottle, "no-throttle", false, "turn off the emulator's AWS request throttling")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	o.Throttle = !noThrottle
	o.Out = stdout
	switch controller {
	case "none":
	case "builtin":
		o.Controller = sandboxController
	case "lbc":
		o.Controller = sandbox.LBC
	default:
		return fmt.Errorf("%w: --controller must be builtin, lbc or none, not %q", errUsage, controller)
	}
	if demo {
		o.AfterReady = sandbox.Demo
	}
	return sandbox.Run(ctx, o)
}

// BuiltinController runs `lbsg controller` in-process against the sandbox,
// logging to DIR/controller.log (`lbsg sandbox --controller builtin`, and
// the lbsg side of test/lbcdiff).
func BuiltinController(ctx context.Context, w *sandbox.World) error {
	return runBuiltin(ctx, w)
}

// sandboxController is BuiltinController serving lbsg's webhooks too,
// registered with the sandbox's apiserver (`lbsg sandbox`).
func sandboxController(ctx context.Context, w *sandbox.World) error {
	flags, install, err := sandbox.Webhooks(w)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- runBuiltin(ctx, w, flags...) }()
	if err := install(ctx); err != nil {
		_, _ = fmt.Fprintf(w.Out, "==> webhooks not registered: %v\n", err)
	} else {
		_, _ = fmt.Fprintf(w.Out, "==> webhooks registered (%s): readiness gates in namespaces labelled elbv2.k8s.aws/pod-readiness-gate-inject=enabled\n", sandbox.WebhookName)
	}
	err = <-done
	// The configurations would call a server that is gone: their failure
	// policies would block Services and Ingresses until the next start.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer rcancel()
	if rerr := sandbox.RemoveWebhooks(rctx, w); rerr != nil {
		_, _ = fmt.Fprintf(w.Out, "removing the webhook configurations: %v\n", rerr)
	}
	return err
}

// BuiltinControllerWith is BuiltinController with extra controller flags
// (test/lbcdiff's takeover from LBC runs it with --adopt-lbc-rules).
func BuiltinControllerWith(flags ...string) sandbox.Controller {
	return func(ctx context.Context, w *sandbox.World) error { return runBuiltin(ctx, w, flags...) }
}

func runBuiltin(ctx context.Context, w *sandbox.World, flags ...string) error {
	logPath := filepath.Join(w.Dir, "controller.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer func() { _ = logFile.Close() }()
	// The emulator accepts any credentials; the SDK's default chain still
	// wants some.
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"} {
		if os.Getenv(k) == "" {
			if err := os.Setenv(k, v); err != nil {
				return err
			}
		}
	}
	_, _ = fmt.Fprintf(w.Out, "==> controller logs: %s\n", logPath)
	return runController(ctx, append([]string{
		"--cluster-name", w.AWS.ClusterName,
		"--aws-region", w.AWS.Region,
		"--aws-endpoint", w.AWS.URL,
		"--aws-vpc-id", w.AWS.VPCID,
		"--kubeconfig", w.Kubeconfig,
		"--metrics-bind-address", "0",
		"--health-probe-bind-address", "0",
	}, flags...), logFile, logFile)
}
