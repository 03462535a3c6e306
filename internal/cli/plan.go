package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller"
	"github.com/lbsg/lbsg/internal/ingressclass"
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
	fs.StringVarP(&o.Files, "filename", "f", "", "manifest file or directory (YAML or JSON, multi-document; Services, Ingresses, IngressClasses, IngressClassParams, Namespaces, Nodes, EndpointSlices)")
	fs.BoolVar(&o.Live, "live", false, "diff against the current AWS state (and the cluster's Nodes, EndpointSlices, Ingress classes and namespaces with --kubeconfig)")
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
	class := ingressclass.Config{IngressClass: o.IngressClass}
	var cloud planview.Cloud
	fromCluster := o.Live && o.Kubeconfig != ""
	if o.Live {
		prov, err := readOnlyProvider(ctx, o.Controller)
		if err != nil {
			return err
		}
		cloud = prov
		if fromCluster {
			if err := addClusterObjects(ctx, o.Kubeconfig, &objs); err != nil {
				return err
			}
		}
	}
	if !fromCluster {
		// Without the cluster, assume the IngressClass the chart installs.
		objs.AssumeIngressClass(class)
	}
	res, err := planview.Compute(ctx, cloud, objs, planview.Settings{Defaults: controller.Defaults(o.Controller), Class: class})
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
func readOnlyProvider(ctx context.Context, o *options.Controller) (*state.Provider, error) {
	clients, vpc, err := awsClients(ctx, o)
	if err != nil {
		return nil, err
	}
	return state.New(clients.EC2, clients.ELBV2, o.ClusterName, vpc), nil
}

func kubeClient(kubeconfig string) (client.Reader, error) {
	cfg, err := restConfig(kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: controller.Scheme()})
	if err != nil {
		return nil, fmt.Errorf("building a Kubernetes client: %w", err)
	}
	return c, nil
}

// addClusterObjects adds the cluster's Nodes, EndpointSlices,
// IngressClasses, IngressClassParams and Namespaces to objs (the Services
// and Ingresses stay those of the manifests).
func addClusterObjects(ctx context.Context, kubeconfig string, objs *planview.Objects) error {
	c, err := kubeClient(kubeconfig)
	if err != nil {
		return err
	}
	var classes networkingv1.IngressClassList
	if err := c.List(ctx, &classes); err != nil {
		return fmt.Errorf("listing ingressclasses: %w", err)
	}
	var params v1beta1.IngressClassParamsList
	if err := c.List(ctx, &params); err != nil && !noCRD(err) {
		return fmt.Errorf("listing ingressclassparams: %w", err)
	}
	var nss corev1.NamespaceList
	if err := c.List(ctx, &nss); err != nil {
		return fmt.Errorf("listing namespaces: %w", err)
	}
	objs.IngressClasses = append(objs.IngressClasses, classes.Items...)
	objs.IngressClassParams = append(objs.IngressClassParams, params.Items...)
	objs.Namespaces = append(objs.Namespaces, nss.Items...)
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
