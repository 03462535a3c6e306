package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/controller"
	"github.com/lbsg/lbsg/internal/controller/awsstate"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/planview"
)

// DefaultCLICluster is the cluster name plan and audit assume without
// --cluster-name: the sandbox's.
const DefaultCLICluster = "sandbox"

// planOptions are the flags of `lbsg plan`: the controller's (cluster, AWS,
// feature gates, backend SG…) plus its own.
type planOptions struct {
	*options.Controller
	Files  string
	Live   bool
	Output string
}

func (o *planOptions) addFlags(fs interface {
	StringVarP(p *string, name, shorthand, value, usage string)
	BoolVar(p *bool, name string, value bool, usage string)
}) {
	fs.StringVarP(&o.Files, "filename", "f", "", "manifest file or directory (YAML or JSON, multi-document; Services, Nodes, EndpointSlices)")
	fs.BoolVar(&o.Live, "live", false, "diff against the current AWS state (and the cluster's Nodes with --kubeconfig)")
	fs.StringVarP(&o.Output, "output", "o", "text", "output format: text or json")
}

func (o *planOptions) validate() error {
	var errs []error
	if o.Files == "" {
		errs = append(errs, errors.New("-f FILE|DIR is required"))
	}
	if o.Output != "text" && o.Output != "json" {
		errs = append(errs, fmt.Errorf("-o %q: want text or json", o.Output))
	}
	if err := o.Controller.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// runPlan is `lbsg plan`: what lbsg would create, update or delete for the
// given manifests. It never writes to AWS or Kubernetes.
func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := &planOptions{Controller: options.New()}
	o.ClusterName = DefaultCLICluster
	fs := newFlagSet("plan", stderr)
	o.AddFlags(fs)
	o.addFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	objs, err := planview.ReadPath(o.Files)
	if err != nil {
		return fmt.Errorf("reading manifests: %w", err)
	}
	var cloud planview.Cloud
	if o.Live {
		prov, err := readOnlyProvider(ctx, o.Controller)
		if err != nil {
			return err
		}
		cloud = prov
		if o.Kubeconfig != "" {
			if err := addClusterObjects(ctx, o.Kubeconfig, &objs); err != nil {
				return err
			}
		}
	}
	res, err := planview.Compute(ctx, cloud, objs, controller.Defaults(o.Controller))
	if err != nil {
		return err
	}
	if o.Output == "json" {
		return planview.RenderJSON(stdout, res)
	}
	return planview.RenderText(stdout, res)
}

// readOnlyProvider builds the controller's AWS state reader; plan only
// calls its read methods.
func readOnlyProvider(ctx context.Context, o *options.Controller) (*awsstate.Provider, error) {
	clients, vpc, err := awsClients(ctx, o)
	if err != nil {
		return nil, err
	}
	return awsstate.New(clients.EC2, clients.ELBV2, o.ClusterName, vpc), nil
}

func kubeClient(kubeconfig string) (client.Reader, error) {
	cfg, err := restConfig(kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return nil, fmt.Errorf("building a Kubernetes client: %w", err)
	}
	return c, nil
}

// addClusterObjects adds the cluster's Nodes and EndpointSlices to objs
// (the Services stay those of the manifests).
func addClusterObjects(ctx context.Context, kubeconfig string, objs *planview.Objects) error {
	c, err := kubeClient(kubeconfig)
	if err != nil {
		return err
	}
	var nodes corev1.NodeList
	if err := c.List(ctx, &nodes); err != nil {
		return fmt.Errorf("listing nodes: %w", err)
	}
	var slices discoveryv1.EndpointSliceList
	if err := c.List(ctx, &slices); err != nil {
		return fmt.Errorf("listing endpointslices: %w", err)
	}
	objs.Nodes = append(objs.Nodes, nodes.Items...)
	objs.EndpointSlices = append(objs.EndpointSlices, slices.Items...)
	return nil
}
