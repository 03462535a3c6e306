package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/controller"
	"github.com/lbsg/lbsg/internal/metrics"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/webhook"
)

// controllerSummary is the controller command's line in `lbsg --help`,
// made from the components Setup registers.
func controllerSummary() string {
	names := make([]string, 0, len(controller.Components()))
	for _, c := range controller.Components() {
		names = append(names, c.Name)
	}
	return "run the controllers (" + strings.Join(names, ", ") + ") against AWS or the emulator"
}

// runController is `lbsg controller`: the components of
// controller.Components on controller-runtime, talking to AWS or, with
// --aws-endpoint or AWS_ENDPOINT_URL, to the emulator.
func runController(ctx context.Context, args []string, _, stderr io.Writer) error {
	o := options.New()
	fs := newFlagSet("controller", stderr)
	o.AddFlags(fs)
	fs.Usage = func() {
		_, _ = fmt.Fprintln(stderr, "usage: lbsg controller --cluster-name NAME [flags]\n\nRuns, in one process:")
		for _, c := range controller.Components() {
			_, _ = fmt.Fprintf(stderr, "  %-10s %s\n", c.Name, c.Summary)
		}
		_, _ = fmt.Fprintf(stderr, "\nFlags (LBC's names; docs/flags.md):\n%s", fs.FlagUsages())
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	verbosity := 0
	if o.LogLevel == "debug" {
		verbosity = 1
	}
	log := funcr.NewJSON(func(obj string) { _, _ = fmt.Fprintln(stderr, obj) }, funcr.Options{
		Verbosity: verbosity, LogTimestamp: true, TimestampFormat: "2006-01-02T15:04:05.000Z07:00"})
	ctrl.SetLogger(log)
	ctx = logr.NewContext(ctx, log)

	m := metrics.New()
	if err := m.Register(crmetrics.Registry); err != nil {
		return fmt.Errorf("registering metrics: %w", err)
	}
	defer m.Unregister(crmetrics.Registry)
	clients, err := awsapi.New(ctx, awsapi.Config{Region: o.AWSRegion, Endpoint: o.AWSEndpoint, Options: awsapi.Options{
		MaxAttempts: o.AWSMaxRetries + 1,
		Observer:    func(c awsapi.Call) { m.AWSCall(c.Service, c.Operation, c.Code, c.Throttled) },
		Endpoints:   o.AWSAPIEndpoints,
	}})
	if err != nil {
		return err
	}
	vpc := o.AWSVPCID
	if vpc == "" {
		if vpc, err = controller.DiscoverVPC(ctx, clients.EC2, o.ClusterName); err != nil {
			return err
		}
	}
	cfg, err := restConfig(o.Kubeconfig)
	if err != nil {
		return err
	}
	cacheOpts := controller.CacheOptions()
	if o.SyncPeriod > 0 {
		cacheOpts.SyncPeriod = &o.SyncPeriod
	}
	leaseName := o.LeaderElectionID
	if leaseName == "" {
		leaseName = "lbsg-leader-" + o.ClusterName
	}
	hooks, err := webhook.NewServer(o.Webhook)
	if errors.Is(err, webhook.ErrNoCertificate) {
		// Outside the chart (tests, the emulator's worlds): no webhooks.
		log.Info("not serving webhooks", "reason", err.Error())
		hooks, err = nil, nil
	}
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		WebhookServer:           hooks,
		Scheme:                  controller.Scheme(),
		Cache:                   cacheOpts,
		Metrics:                 metricsserver.Options{BindAddress: o.MetricsBindAddress},
		HealthProbeBindAddress:  o.HealthProbeBindAddress,
		LeaderElection:          o.LeaderElect,
		LeaderElectionID:        leaseName,
		LeaderElectionNamespace: o.LeaderElectionNamespace,
		// On SIGTERM the manager lets in-flight reconciles (and their AWS
		// mutations) finish, then gives the lease up at once so the next
		// replica takes over in seconds rather than a lease duration.
		LeaderElectionReleaseOnCancel: true,
		// A process may run the controller again after it stopped (the
		// sandbox's controller takeovers in test/lbcdiff); the names are
		// fixed by controller.Setup, so the check would only refuse that.
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	if _, err := controller.Setup(mgr, controller.Config{Options: o, EC2: clients.EC2, ELBV2: clients.ELBV2, ELBV2As: clients.ELBV2As, ACM: clients.ACM, Route53: clients.Route53,
		WAFv2: clients.WAFv2, WAFRegional: clients.WAFRegional, Shield: clients.Shield, VPCID: vpc, Metrics: m,
		Webhooks: hooks != nil}); err != nil {
		return err
	}
	if hooks != nil {
		if err := mgr.AddReadyzCheck("ready-webhook", hooks.StartedChecker()); err != nil {
			return err
		}
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	log.Info("starting controller", "cluster", o.ClusterName, "vpc", vpc, "region", clients.Region)
	return mgr.Start(ctx)
}

// Client-side apiserver rate limits. client-go's default (5/s, burst 10)
// throttles a cold start of hundreds of stacks on finalizer and status
// writes; reads come from the informer cache and cost nothing.
const (
	kubeAPIQPS   = 50
	kubeAPIBurst = 100
)

func restConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig == "" {
		kubeconfig = os.Getenv("KUBECONFIG")
	}
	var cfg *rest.Config
	var err error
	if kubeconfig != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", kubeconfig)
	} else {
		cfg, err = rest.InClusterConfig()
	}
	if err != nil {
		return nil, err
	}
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = kubeAPIQPS, kubeAPIBurst
	}
	return cfg, nil
}
