package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/annotations"
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
	// DetailedExitCode: exit 2 when the plan has changes.
	DetailedExitCode bool
}

func (o *planOptions) addFlags(fs interface {
	StringVarP(p *string, name, shorthand, value, usage string)
	BoolVar(p *bool, name string, value bool, usage string)
}) {
	fs.StringVarP(&o.Files, "filename", "f", "", "manifest file or directory (YAML or JSON, multi-document; Services, Ingresses, IngressClasses, IngressClassParams, Namespaces, Nodes, EndpointSlices)")
	fs.BoolVar(&o.Live, "live", false, "diff against the current AWS state (and, with --kubeconfig, the cluster's Nodes, EndpointSlices, Ingress classes, GatewayClasses, namespaces and Services' allocated NodePorts)")
	fs.StringVarP(&o.Output, "output", "o", "text", "output format: text or json")
	fs.BoolVar(&o.DetailedExitCode, detailedExitCodeFlag, false, "exit 2 when the plan has changes, 0 when it has none (1 stays an error)")
}

const detailedExitCodeFlag = "detailed-exitcode"

// planUsage heads `lbsg plan --help`.
const planUsage = `usage: lbsg plan -f FILE|DIR [--live [--kubeconfig FILE]] [-o text|json] [--detailed-exitcode] [flags]

Shows what lbsg would create, update or delete for the manifests; never writes.
Ports the apiserver allocates when a Service is applied (NodePorts) are shown
as <nodePort> unless --live --kubeconfig finds the Service in the cluster.

Exit status:
  0  the plan has no changes, or changes without --detailed-exitcode
  1  error: a Service, Ingress, IngressGroup, Gateway or Gateway route failed
     to build (an invalid annotation, a refused HTTPRoute filter…), a manifest
     could not be read, AWS or the cluster could not be read; with
     --detailed-exitcode also bad flags
  2  with --detailed-exitcode: the plan has changes; without it: bad flags

flags:
`

// planExit is plan's error when the plan was printed but its exit status
// is not 0: 1 when a stack failed to build, 2 for changes under
// --detailed-exitcode.
type planExit struct {
	code int
	msg  string
}

func (e planExit) Error() string { return e.msg }
func (e planExit) ExitCode() int { return e.code }

// usageError is a plan usage error: exit 2 as for every lbsg command, but
// 1 with --detailed-exitcode, where 2 means changes.
func usageError(args []string, err error) error {
	detailed := false
	for _, a := range args {
		if a == "--"+detailedExitCodeFlag {
			detailed = true
		} else if v, ok := strings.CutPrefix(a, "--"+detailedExitCodeFlag+"="); ok {
			detailed, _ = strconv.ParseBool(v)
		}
	}
	if detailed {
		return planExit{code: 1, msg: err.Error()}
	}
	return err
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
	fs.Usage = func() {
		_, _ = fmt.Fprint(stderr, planUsage)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return usageError(args, err)
	}
	if err := o.validate(); err != nil {
		return usageError(args, fmt.Errorf("%w: %v", errUsage, err))
	}
	objs, err := planview.ReadPath(o.Files)
	if err != nil {
		return fmt.Errorf("reading manifests: %w", err)
	}
	class := viewSettings(o.Controller).Class
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
	res, err := planview.Compute(ctx, cloud, objs, viewSettings(o.Controller))
	if err != nil {
		return err
	}
	render := planview.RenderText
	if o.Output == "json" {
		render = planview.RenderJSON
	}
	if err := render(stdout, res); err != nil {
		return err
	}
	return planStatus(res.Summary, o.DetailedExitCode)
}

// planStatus is the exit status of a printed plan: 1 when anything failed
// to build, else 2 for changes with --detailed-exitcode, else 0.
func planStatus(s planview.Summary, detailed bool) error {
	switch {
	case s.Errors > 0:
		return planExit{code: 1, msg: fmt.Sprintf("%d failed to build (see the plan)", s.Errors)}
	case detailed && s.Create+s.Update+s.Delete > 0:
		return planExit{code: 2}
	}
	return nil
}

// readOnlyProvider builds the controller's AWS state reader; plan only
// calls its read methods.
func readOnlyProvider(ctx context.Context, o *options.Controller) (*state.Provider, error) {
	clients, vpc, err := awsClients(ctx, o)
	if err != nil {
		return nil, err
	}
	prov := state.New(clients.EC2, clients.ELBV2, o.ClusterName, vpc)
	prov.UseACM(clients.ACM)
	controller.EnableAddons(prov, o, clients.WAFv2, clients.WAFRegional, clients.Shield)
	return prov, nil
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
// IngressClasses, IngressClassParams, Namespaces and the GatewayClasses
// the input lacks to objs, and its Services as ClusterServices (the Services and Ingresses planned stay
// those of the manifests; the cluster's give them their NodePorts and
// backends).
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
	var svcs corev1.ServiceList
	if err := c.List(ctx, &svcs); err != nil {
		return fmt.Errorf("listing services: %w", err)
	}
	// Pods only where a Service asks for QUIC (their server IDs).
	for _, ns := range quicNamespaces(objs.Services, svcs.Items) {
		var pods corev1.PodList
		if err := c.List(ctx, &pods, client.InNamespace(ns)); err != nil {
			return fmt.Errorf("listing pods: %w", err)
		}
		objs.Pods = append(objs.Pods, pods.Items...)
	}
	objs.Nodes = append(objs.Nodes, nodes.Items...)
	objs.EndpointSlices = append(objs.EndpointSlices, slices.Items...)
	objs.ClusterServices = append(objs.ClusterServices, svcs.Items...)
	// GatewayClasses the input lacks (the input's own win).
	gwClasses, err := gatewayObjects(ctx, c, true)
	if err != nil {
		return err
	}
	if err := keepGatewayUIDs(ctx, c, objs.GatewayAPI); err != nil {
		return err
	}
	given := map[string]bool{}
	for _, o := range objs.GatewayAPI {
		if gc, ok := o.(*gwv1.GatewayClass); ok {
			given[gc.Name] = true
		}
	}
	for _, o := range gwClasses {
		if !given[o.GetName()] {
			objs.GatewayAPI = append(objs.GatewayAPI, o)
		}
	}
	return nil
}

// keepGatewayUIDs gives the input's Gateways without a UID that of their
// cluster copy: the generated load-balancer and managed-SG names hash it,
// so the plan names the ones that exist.
func keepGatewayUIDs(ctx context.Context, c client.Reader, objs []client.Object) error {
	var list gwv1.GatewayList
	if err := c.List(ctx, &list); err != nil {
		if noCRD(err) {
			return nil
		}
		return fmt.Errorf("listing gateways: %w", err)
	}
	uids := map[string]types.UID{}
	for _, gw := range list.Items {
		uids[gw.Namespace+"/"+gw.Name] = gw.UID
	}
	for _, o := range objs {
		if gw, ok := o.(*gwv1.Gateway); ok && gw.UID == "" {
			gw.UID = uids[cmp.Or(gw.Namespace, corev1.NamespaceDefault)+"/"+gw.Name]
		}
	}
	return nil
}

// quicNamespaces are the namespaces of the Services with QUIC ports, each
// once, in order of appearance.
func quicNamespaces(lists ...[]corev1.Service) []string {
	var out []string
	for _, l := range lists {
		for _, s := range l {
			ns := s.Namespace
			if ns == "" {
				ns = corev1.NamespaceDefault
			}
			if strings.TrimSpace(s.Annotations[annotations.SvcQUICEnabledPorts]) != "" && !slices.Contains(out, ns) {
				out = append(out, ns)
			}
		}
	}
	return out
}

// viewSettings are the controller's settings that plan, audit and graph
// build with: its defaults, --ingress-class, the GatewayListenerSet gate
// and --required-secrets-label.
func viewSettings(o *options.Controller) planview.Settings {
	return planview.Settings{Defaults: controller.Defaults(o), Class: ingressclass.Config{IngressClass: o.IngressClass},
		ListenerSets: o.Gate(options.GateGatewayListenerSet), SecretsLabel: o.RequiredSecretsLabel}
}
