package controller

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/applied"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/drift"
	"github.com/lbsg/lbsg/internal/controller/ingress"
	"github.com/lbsg/lbsg/internal/controller/multicluster"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/controller/targetsg"
	"github.com/lbsg/lbsg/internal/controller/tgb"
	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/ingressclass"
	"github.com/lbsg/lbsg/internal/metrics"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/options"
)

// Config is what Setup needs besides the manager.
type Config struct {
	Options *options.Controller
	EC2     awsapi.EC2API
	ELBV2   awsapi.ELBV2API
	// ELBV2As returns ELBv2 clients acting as an assumed role
	// (TargetGroupBindings' iamRoleArnToAssume; awsapi.Clients.ELBV2As);
	// nil: such bindings are refused.
	ELBV2As func(role, externalID string) awsapi.ELBV2API
	VPCID   string
	Metrics *metrics.Metrics
	// Events receives events; nil: the manager's recorder.
	Events events.Sink
	// NoDriftLoop: do not add the periodic drift Runnable (tests call
	// Drift.Check themselves).
	NoDriftLoop bool
	// NoRecord: keep no record of what was applied (every stack is read
	// in full on its first reconcile after a start).
	NoRecord bool
}

// Component is one part of the running controller: a reconciler or a
// periodic task, as `lbsg controller --help` and `lbsg --help` describe it.
type Component struct {
	// Name is the reconciler's controller-runtime name (the "controller"
	// key of its log lines), or the periodic task's.
	Name string
	// Summary says what it converges, in a few words.
	Summary string
}

// Components lists what Setup registers, in order. Help texts are made from
// it, and a test checks it against what Setup actually registers.
func Components() []Component {
	return []Component{
		{"service", "Services of type LoadBalancer → NLBs, their target groups and security groups"},
		{"ingress", "Ingresses, by IngressGroup → ALBs, listeners, rules, target groups and security groups"},
		{"targetgroupbinding", "TargetGroupBindings → the targets of target groups made outside lbsg, and their networking rules"},
		{"targetsg", "rules on node and pod ENI security groups admitting load-balancer traffic"},
		{"drift", "periodic batched check that repairs drift made outside lbsg (--drift-interval)"},
	}
}

// Controllers are the wired reconcilers, for tests and benchmarks.
type Controllers struct {
	// Registered is what Setup added to the manager, in order (Components
	// describes the same list for help texts).
	Registered []Component
	AWS        *state.Provider
	Registry   *registry.Registry
	Deploy     *deploy.Deployer
	Owners     *deploy.Owners
	Service    *service.Reconciler
	Ingress    *ingress.Reconciler
	TGB        *tgb.Reconciler
	TargetSG   *targetsg.Reconciler
	Drift      *drift.Checker
}

// Defaults derives the model defaults from the options.
func Defaults(o *options.Controller) model.Defaults {
	return model.Defaults{
		ClusterName:                 o.ClusterName,
		EnableBackendSG:             o.EnableBackendSecurityGroup,
		ManageBackendSGRules:        o.EnableManageBackendSecurityGroupRules,
		DisableRestrictedSGRules:    o.DisableRestrictedSGRules,
		DefaultTags:                 o.DefaultTags,
		ExternalManagedTags:         o.ExternalManagedTags,
		DefaultTagsLowPriority:      o.Gate(options.GateEnableDefaultTagsLowPriority),
		NLBSecurityGroups:           o.Gate(options.GateNLBSecurityGroup),
		LoadBalancerClass:           o.LoadBalancerClass,
		ServiceTypeLoadBalancerOnly: o.Gate(options.GateServiceTypeLoadBalancerOnly),
		TargetSGTags:                o.ServiceTargetENISGTags,
		DefaultTargetType:           o.DefaultTargetType,
		DefaultScheme:               o.DefaultLoadBalancerScheme,
		DefaultSSLPolicy:            o.DefaultSSLPolicy,
		NoCapacityReservation:       !o.Gate(options.GateLBCapacityReservation),
		FailMissingBackendAction:    !o.TolerateMissingAction,
		NoWeightedTargetGroups:      !o.Gate(options.GateWeightedTargetGroups),
	}
}

// Setup builds the controllers and adds them to mgr.
func Setup(mgr ctrl.Manager, c Config) (*Controllers, error) {
	o := c.Options
	d := Defaults(o)
	sink := c.Events
	if sink == nil {
		sink = mgr.GetEventRecorder("lbsg")
	}
	rec := events.NewRecorder(sink)
	prov := state.New(c.EC2, c.ELBV2, o.ClusterName, c.VPCID)
	reg := registry.New()
	sgTrigger := &registry.Trigger[registry.SGKey]{}
	svcTrigger := &registry.Trigger[reconcile.Request]{}
	class := ingressclass.Config{IngressClass: o.IngressClass}
	owners := &deploy.Owners{service.Owner{Kube: mgr.GetClient(), Defaults: d}, ingress.Owner{Kube: mgr.GetClient(), Class: class}}
	// TargetGroupBindings need their CRD: `helm upgrade` does not install a
	// chart's new CRDs, so without it the controller runs without bindings
	// (and says so) rather than not at all.
	bindingsServed, err := served(mgr, v1beta1.GroupVersion.WithKind(v1beta1.TargetGroupBindingKind))
	if err != nil {
		return nil, err
	}
	if bindingsServed {
		*owners = append(*owners, tgb.Owner{Kube: mgr.GetClient()})
	}
	dep := &deploy.Deployer{AWS: prov, Registry: reg, TargetSGs: sgTrigger, Events: rec, Defaults: d,
		Backend: deploy.NewBackend(prov, reg, owners, o.BackendSecurityGroup, d.DefaultTags)}
	// The records are read and written straight through the API server:
	// the manager's cached client would watch every ConfigMap.
	direct, err := client.New(mgr.GetConfig(), client.Options{Scheme: mgr.GetScheme()})
	if err != nil {
		return nil, fmt.Errorf("building the ConfigMap records' client: %w", err)
	}
	dep.Tracked = multicluster.New(direct)
	if !c.NoRecord {
		store := applied.New(direct, applied.Namespace(o.LeaderElectionNamespace), o.ClusterName)
		if err := mgr.Add(store); err != nil {
			return nil, err
		}
		dep.Record = store
	}
	svc := &service.Reconciler{
		Kube: mgr.GetClient(), AWS: prov, Deploy: dep,
		Services: svcTrigger, Events: rec, Metrics: c.Metrics, Defaults: d,
		MaxConcurrentReconciles: o.ServiceReconciles(),
		Pods:                    direct,
	}
	var registered []Component
	component := func(name string) {
		for _, c := range Components() {
			if c.Name == name {
				registered = append(registered, c)
				return
			}
		}
		registered = append(registered, Component{Name: name})
	}
	if err := svc.SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("setting up the service controller: %w", err)
	}
	component(service.ControllerName)
	ingTrigger := &registry.Trigger[reconcile.Request]{}
	ing := &ingress.Reconciler{
		Kube: mgr.GetClient(), AWS: prov, Deploy: dep, Groups: ingTrigger, Events: rec, Metrics: c.Metrics,
		Defaults: d, Class: class, MaxConcurrentReconciles: o.IngressReconciles(),
	}
	if err := ing.SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("setting up the ingress controller: %w", err)
	}
	component(ingress.ControllerName)
	var bindings *tgb.Reconciler
	if bindingsServed {
		bindings = &tgb.Reconciler{Kube: mgr.GetClient(), Pods: direct, AWS: prov, ELBV2: c.ELBV2, ELBV2As: c.ELBV2As,
			Tracked: dep.Tracked, Registry: reg, TargetSGs: sgTrigger, Events: rec, Metrics: c.Metrics, Defaults: d,
			DriftInterval: o.DriftInterval}
		if err := bindings.SetupWithManager(mgr); err != nil {
			return nil, fmt.Errorf("setting up the targetgroupbinding controller: %w", err)
		}
		component(tgb.ControllerName)
	} else {
		mgr.GetLogger().Info("the TargetGroupBinding CRD is not installed: TargetGroupBindings are not reconciled (install deploy/helm/lbsg/crds)")
	}
	tsg := &targetsg.Reconciler{Owners: owners, AWS: prov, Registry: reg, Trigger: sgTrigger,
		Events: rec, Metrics: c.Metrics, Defaults: d, AdoptLBCRules: o.AdoptLBCRules}
	if err := tsg.SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("setting up the targetsg controller: %w", err)
	}
	component(targetsg.ControllerName)
	dr := &drift.Checker{Owners: owners, Backend: dep.Backend, AWS: prov, Registry: reg, TargetSGs: sgTrigger, Services: svcTrigger, Ingresses: ingTrigger,
		Metrics: c.Metrics, Defaults: d, Interval: o.DriftInterval, AdoptLBCRules: o.AdoptLBCRules}
	if !c.NoDriftLoop {
		if err := mgr.Add(dr); err != nil {
			return nil, err
		}
		component("drift")
	}
	return &Controllers{Registered: registered, AWS: prov, Registry: reg, Deploy: dep, Owners: owners, Service: svc, Ingress: ing, TGB: bindings, TargetSG: tsg, Drift: dr}, nil
}

// served reports whether the apiserver serves gvk.
func served(mgr ctrl.Manager, gvk schema.GroupVersionKind) (bool, error) {
	_, err := mgr.GetRESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("looking up %s: %w", gvk, err)
	}
	return true, nil
}

// DiscoverVPC returns the VPC of the cluster's subnets when --aws-vpc-id is
// not given: the VPC tagged kubernetes.io/cluster/<cluster>, else the only
// VPC.
func DiscoverVPC(ctx context.Context, api awsapi.EC2API, cluster string) (string, error) {
	return state.DiscoverVPC(ctx, api, cluster)
}

// DefaultResync is the informer resync lbsg uses: a resync of an unchanged
// Service costs no AWS call, so it can be short.
const DefaultResync = 10 * time.Hour

// Scheme is the manager's scheme: client-go's types and lbsg's CRDs.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(v1beta1.AddToScheme(s))
	return s
}
