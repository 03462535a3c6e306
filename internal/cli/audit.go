package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/audit"
	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/cloud/ec2"
	"github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/cloud/wafregional"
	"github.com/lbsg/lbsg/internal/cloud/wafv2"
	"github.com/lbsg/lbsg/internal/controller"
	"github.com/lbsg/lbsg/internal/controller/ingress"
	"github.com/lbsg/lbsg/internal/ingressclass"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/planview"
)

// auditOptions are the flags of `lbsg audit`.
type auditOptions struct {
	*options.Controller
	Fix     bool
	Output  string
	Verbose bool
}

func (o *auditOptions) validate(clusterSet bool) error {
	var errs []error
	if o.Output != "text" && o.Output != "json" {
		errs = append(errs, fmt.Errorf("-o %q: want text or json", o.Output))
	}
	if o.Fix && !clusterSet {
		errs = append(errs, errors.New("--fix needs an explicit --cluster-name"))
	}
	if err := o.Controller.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// auditFindings is audit's error when it found problems: exit code 1 and
// no extra message (the report says it all).
type auditFindings struct{ n int }

func (e auditFindings) Error() string { return "" }
func (e auditFindings) ExitCode() int { return 1 }

// runAudit is `lbsg audit`: read-only findings over the cluster's VPC;
// --fix removes the leaks this cluster owns.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := &auditOptions{Controller: options.New()}
	o.ClusterName = DefaultCLICluster
	fs := newFlagSet("audit", stderr)
	o.AddFlags(fs)
	fs.BoolVar(&o.Fix, "fix", false, "remove the leaks this cluster owns (revoke owned rules, delete owned unattached SGs), printing them first")
	fs.StringVarP(&o.Output, "output", "o", "text", "output format: text or json")
	fs.BoolVarP(&o.Verbose, "verbose", "v", false, "list the quota headroom of every SG and ENI")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := o.validate(fs.Changed("cluster-name")); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	clients, vpc, err := awsClients(ctx, o.Controller)
	if err != nil {
		return err
	}
	kube, err := kubeClient(o.Kubeconfig)
	if err != nil {
		return err
	}
	prov := state.New(clients.EC2, clients.ELBV2, o.ClusterName, vpc)
	prov.UseACM(clients.ACM)
	snap, err := AuditSnapshotWith(ctx, prov, clients, kube, viewSettings(o.Controller))
	if err != nil {
		return err
	}
	rep := audit.Audit(snap)
	if o.Output == "json" {
		err = audit.RenderJSON(stdout, rep)
	} else {
		err = audit.RenderText(stdout, rep, o.Verbose)
	}
	if err != nil {
		return err
	}
	if o.Fix {
		fx := audit.PlanFixes(snap, rep)
		if fx.Empty() {
			_, _ = fmt.Fprintln(stderr, "audit --fix: nothing this cluster owns to remove")
		} else {
			_, _ = fmt.Fprintln(stderr, "audit --fix: removing the leaks this cluster owns:")
			if err := audit.Fix(ctx, prov, fx, stderr); err != nil {
				return fmt.Errorf("fixing: %w", err)
			}
		}
	}
	if n := rep.Problems(); n > 0 {
		return auditFindings{n: n}
	}
	return nil
}

func awsClients(ctx context.Context, o *options.Controller) (*awsapi.Clients, string, error) {
	clients, err := awsapi.New(ctx, awsapi.Config{Region: o.AWSRegion, Endpoint: o.AWSEndpoint,
		Options: awsapi.Options{MaxAttempts: o.AWSMaxRetries + 1}})
	if err != nil {
		return nil, "", err
	}
	vpc := o.AWSVPCID
	if vpc == "" {
		if vpc, err = controller.DiscoverVPC(ctx, clients.EC2, o.ClusterName); err != nil {
			return nil, "", err
		}
	}
	return clients, vpc, nil
}

// AuditSnapshot reads the VPC's SGs, LBs, target groups and ENIs and the
// cluster's Services, Ingresses (with their classes, params and
// namespaces), Nodes and EndpointSlices, and builds what the handled
// Services and IngressGroups need with the model, for Ingresses of the
// default class configuration (--ingress-class alb). Only reads.
func AuditSnapshot(ctx context.Context, prov *state.Provider, clients *awsapi.Clients, kube client.Reader, d model.Defaults) (audit.Snapshot, error) {
	return AuditSnapshotWith(ctx, prov, clients, kube, planview.Settings{Defaults: d,
		Class: ingressclass.Config{IngressClass: options.DefaultIngressClass}, ListenerSets: options.New().Gate(options.GateGatewayListenerSet)})
}

// AuditSnapshotWith is AuditSnapshot under explicit settings.
func AuditSnapshotWith(ctx context.Context, prov *state.Provider, clients *awsapi.Clients, kube client.Reader, set planview.Settings) (audit.Snapshot, error) {
	d := set.Defaults
	s := audit.Snapshot{Cluster: d.ClusterName, VPCID: prov.VPCID()}
	objs, err := clusterObjects(ctx, kube)
	if err != nil {
		return s, err
	}
	if objs.Pods, err = gatedPods(ctx, kube, objs.EndpointSlices); err != nil {
		return s, err
	}
	want, err := planview.DesiredState(ctx, prov, objs, set)
	if err != nil {
		return s, err
	}
	s.LiveStacks, s.DesiredRules, s.DesiredLBSGs, s.BackendInUse = want.Stacks, want.TargetRules, want.LBSGs, want.BackendInUse
	s.ListenerDrift = want.ListenerDrift
	s.WAFAsks = map[string]audit.WAFAsk{}
	for name, a := range want.Addons {
		s.WAFAsks[name] = audit.WAFAsk{WAFv2: a.WAFv2 != nil, Classic: a.WAFRegional != nil}
	}
	s.Incomplete = len(want.Errors) > 0
	s.Unsupported, s.RefusedRoutes = want.Unsupported, want.RefusedRoutes
	s.Unauthenticated = want.Unauthenticated
	// Services and IngressGroups being torn down still own their resources.
	for i := range objs.Services {
		svc := &objs.Services[i]
		if !model.Handled(svc, d) && controllerutil.ContainsFinalizer(svc, naming.FinalizerService) {
			s.LiveStacks = append(s.LiveStacks, naming.ServiceStack(svc.Namespace, svc.Name))
		}
	}
	for i := range objs.Ingresses {
		s.LiveStacks = append(s.LiveStacks, ingress.FinalizerStacks(&objs.Ingresses[i])...)
	}
	// Gateways being torn down (their finalizer) still own their resources.
	for _, o := range objs.GatewayAPI {
		if gw, ok := o.(*gwv1.Gateway); ok {
			if controllerutil.ContainsFinalizer(gw, naming.FinalizerGatewayNLB) {
				s.LiveStacks = append(s.LiveStacks, naming.GatewayNLBStack(gw.Namespace, gw.Name))
			}
			if controllerutil.ContainsFinalizer(gw, naming.FinalizerGatewayALB) {
				s.LiveStacks = append(s.LiveStacks, naming.GatewayALBStack(gw.Namespace, gw.Name))
			}
		}
	}
	sgs, err := prov.FindSecurityGroups(ctx, func(map[string]string) bool { return true })
	if err != nil {
		return s, fmt.Errorf("reading security groups: %w", err)
	}
	for _, sg := range sgs {
		s.SecurityGroups = append(s.SecurityGroups, audit.SG{ID: sg.ID, Name: sg.Name, Tags: sg.Tags, Ingress: sg.Ingress})
	}
	elb := elbv2.New(clients.ELBV2)
	lbs, err := elb.LoadBalancers(ctx, prov.VPCID())
	if err != nil {
		return s, fmt.Errorf("reading load balancers: %w", err)
	}
	for _, lb := range lbs {
		a := audit.LB{ARN: lb.ARN, Name: lb.Name, SecurityGroups: lb.SecurityGroups, Tags: lb.Tags}
		for _, z := range lb.Zones {
			if z.AllocationID != "" {
				a.EIPs = append(a.EIPs, z.AllocationID)
			}
		}
		if _, judged := s.WAFAsks[lb.Name]; judged && lb.Type == model.TypeApplication {
			if a.WAFv2ACL, a.WAFClassicACL, err = webACLsOf(ctx, clients, lb.ARN); err != nil {
				return s, err
			}
		}
		s.LoadBalancers = append(s.LoadBalancers, a)
	}
	tgs, err := elb.TargetGroups(ctx, prov.VPCID())
	if err != nil {
		return s, fmt.Errorf("reading target groups: %w", err)
	}
	for _, tg := range tgs {
		s.TargetGroups = append(s.TargetGroups, audit.TG{ARN: tg.ARN, Name: tg.Name, Tags: tg.Tags})
	}
	served, err := auditBindings(ctx, &s, prov, clients, kube, objs, tgs, d)
	if err != nil {
		return s, err
	}
	if s.OwnedTargets, err = auditTargets(ctx, prov, clients, kube, objs, want.TargetGroups, served); err != nil {
		return s, err
	}
	enis, err := ec2.New(clients.EC2).VPCNetworkInterfaces(ctx, prov.VPCID())
	if err != nil {
		return s, fmt.Errorf("reading network interfaces: %w", err)
	}
	for _, ni := range enis {
		s.ENIs = append(s.ENIs, audit.ENI{ID: ni.ID, Groups: ni.GroupIDs})
	}
	return s, nil
}

// webACLsOf reads an ALB's web ACLs (WAFv2 ARN, WAF Classic ID); a client
// the caller lacks reads as none.
func webACLsOf(ctx context.Context, clients *awsapi.Clients, lbARN string) (v2, classic string, err error) {
	if clients.WAFv2 != nil {
		if v2, err = wafv2.New(clients.WAFv2).Association(ctx, lbARN); err != nil {
			return "", "", err
		}
	}
	if clients.WAFRegional != nil {
		if classic, err = wafregional.New(clients.WAFRegional).Association(ctx, lbARN); err != nil {
			return "", "", err
		}
	}
	return v2, classic, nil
}

// clusterObjects lists what audit builds the desired state from.
func clusterObjects(ctx context.Context, kube client.Reader) (planview.Objects, error) {
	var objs planview.Objects
	var svcs corev1.ServiceList
	var nodes corev1.NodeList
	var slices discoveryv1.EndpointSliceList
	var ings networkingv1.IngressList
	var classes networkingv1.IngressClassList
	var params v1beta1.IngressClassParamsList
	var nss corev1.NamespaceList
	for _, l := range []struct {
		what string
		list client.ObjectList
	}{{"services", &svcs}, {"nodes", &nodes}, {"endpointslices", &slices}, {"ingresses", &ings},
		{"ingressclasses", &classes}, {"ingressclassparams", &params}, {"namespaces", &nss}} {
		err := kube.List(ctx, l.list)
		if l.list == &params && noCRD(err) {
			continue
		}
		if err != nil {
			return objs, fmt.Errorf("listing %s: %w", l.what, err)
		}
	}
	objs.Services, objs.Nodes, objs.EndpointSlices = svcs.Items, nodes.Items, slices.Items
	objs.Ingresses, objs.IngressClasses, objs.IngressClassParams, objs.Namespaces = ings.Items, classes.Items, params.Items, nss.Items
	var err error
	if objs.GatewayAPI, err = gatewayObjects(ctx, kube, false); err != nil {
		return objs, err
	}
	keys := append(authSecretKeys(ings.Items, svcs.Items), ruleConfigSecretKeys(objs.GatewayAPI)...)
	objs.Secrets, err = readSecrets(ctx, kube, keys)
	return objs, err
}

// authSecretKeys are the OIDC Secrets the Ingresses name.
func authSecretKeys(ings []networkingv1.Ingress, svcs []corev1.Service) []client.ObjectKey {
	byName := map[string]*corev1.Service{}
	for i := range svcs {
		byName[svcs[i].Namespace+"/"+svcs[i].Name] = &svcs[i]
	}
	var out []client.ObjectKey
	for i := range ings {
		ing := &ings[i]
		backends := map[string]*corev1.Service{}
		for _, name := range ingress.BackendServices(ing) {
			backends[name] = byName[ing.Namespace+"/"+name]
		}
		for _, name := range model.AuthSecretNames(ing, backends) {
			out = append(out, client.ObjectKey{Namespace: ing.Namespace, Name: name})
		}
	}
	return out
}

// readSecrets reads the Secrets keys name, each once; one missing or
// forbidden is left out (the Ingress group or the routes naming it are then
// not modelled or refused, as the reconcilers treat them).
func readSecrets(ctx context.Context, kube client.Reader, keys []client.ObjectKey) ([]corev1.Secret, error) {
	var out []corev1.Secret
	seen := map[client.ObjectKey]bool{}
	for _, key := range keys {
		if seen[key] {
			continue
		}
		seen[key] = true
		var sec corev1.Secret
		err := kube.Get(ctx, key, &sec)
		switch {
		case apierrors.IsNotFound(err) || apierrors.IsForbidden(err):
			continue
		case err != nil:
			return nil, fmt.Errorf("reading secret %s: %w", key, err)
		}
		out = append(out, sec)
	}
	return out, nil
}

// noCRD: listing IngressClassParams failed because their CRD is not
// installed (an older release); there are then no params.
func noCRD(err error) bool {
	return err != nil && (meta.IsNoMatchError(err) || apierrors.IsNotFound(err))
}
