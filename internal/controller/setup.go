package controller

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/awsapi"
	cloudacm "github.com/lbsg/lbsg/internal/cloud/acm"
	"github.com/lbsg/lbsg/internal/cloud/acmcerts"
	cloudroute53 "github.com/lbsg/lbsg/internal/cloud/route53"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/applied"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/drift"
	"github.com/lbsg/lbsg/internal/controller/gateway"
	"github.com/lbsg/lbsg/internal/controller/ingress"
	"github.com/lbsg/lbsg/internal/controller/multicluster"
	"github.com/lbsg/lbsg/internal/controller/readiness"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/controller/secrets"
	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/controller/targetsg"
	"github.com/lbsg/lbsg/internal/controller/tgb"
	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/ingressclass"
	"github.com/lbsg/lbsg/internal/metrics"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/targetgroupbinding"
	"github.com/lbsg/lbsg/internal/webhook"
)

// Config is what Setup needs besides the manager.
type Config struct {
	Options *options.Controller
	EC2     awsapi.EC2API
	ELBV2   awsapi.ELBV2API
	// ACM is read by certificate discovery (nil: an Ingress that needs it
	// fails to build).
	ACM awsapi.ACMManageAPI
	// Route53 holds the DNS validation records of the certificates
	// certificate management requests (gate EnableCertificateManagement;
	// nil: Amazon issued certificates cannot be requested).
	Route53 awsapi.Route53API
	// WAFv2, WAFRegional and Shield serve the ALBs' add-ons; nil turns
	// one off (as its --enable-* flag does).
	WAFv2       awsapi.WAFV2API
	WAFRegional awsapi.WAFRegionalAPI
	Shield      awsapi.ShieldAPI
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
	// Webhooks: register lbsg's admission webhooks on the manager's
	// webhook server (give the manager one built by webhook.NewServer).
	Webhooks bool
	// WebhookExtra are handlers of further webhook paths (the
	// TargetGroupBinding validator and mutator): webhook.Config.Extra.
	WebhookExtra map[string]admission.Handler
	// WebhookGates are further sources of pod readiness gates, asked after
	// lbsg's own stacks and TargetGroupBindings.
	WebhookGates []webhook.GateSource
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
		{"gatewayclass", "GatewayClasses of controllers gateway.k8s.aws/nlb and /alb → their Accepted condition (when the Gateway API CRDs are installed)"},
		{"gateway-nlb", "Gateways of NLB classes and their TCP/UDP/TLS routes → NLBs, listeners, target groups and security groups"},
		{"gateway-alb", "Gateways of ALB classes and their HTTPRoutes and GRPCRoutes → ALBs, listeners, rules, target groups and security groups"},
		{"targetgroupbinding", "TargetGroupBindings → the targets of target groups made outside lbsg, and their networking rules"},
		{"targetsg", "rules on node and pod ENI security groups admitting load-balancer traffic"},
		{"readiness", "pod readiness gates target-health.elbv2.k8s.aws/<target group or binding>: opened when the pod's target is healthy"},
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
	// Gateway is nil when the Gateway API CRDs are not installed or the
	// NLBGatewayAPI gate is off; TGB when the TargetGroupBinding CRD is not.
	Gateway *gateway.Reconciler
	// ALBGateway is nil also when the ALBGatewayAPI gate is off.
	ALBGateway *gateway.Reconciler
	TGB        *tgb.Reconciler
	TargetSG   *targetsg.Reconciler
	Readiness  *readiness.Reconciler
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
		ALBSingleSubnet:             o.Gate(options.GateALBSingleSubnet),
		TCPUDPListeners:             o.Gate(options.GateEnableTCPUDPListener),
		AllowedCAs:                  o.AllowedCertificateAuthorityARNs,
		CertificateManagement:       o.Gate(options.GateCertificateManagement),
		DefaultPCAARN:               o.DefaultPCAARN,
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
	if c.ACM != nil {
		prov.UseACM(c.ACM)
	}
	EnableAddons(prov, o, c.WAFv2, c.WAFRegional, c.Shield)
	reg := registry.New()
	sgTrigger := &registry.Trigger[registry.SGKey]{}
	svcTrigger := &registry.Trigger[reconcile.Request]{}
	class := ingressclass.Config{IngressClass: o.IngressClass}
	owners := &deploy.Owners{service.Owner{Kube: mgr.GetClient(), Defaults: d}, ingress.Owner{Kube: mgr.GetClient(), Class: class}}
	gatewayInstalled := GatewayAPIInstalled(mgr.GetRESTMapper())
	gatewayAPI := o.Gate(options.GateNLBGatewayAPI) && gatewayInstalled
	albGatewayAPI := o.Gate(options.GateALBGatewayAPI) && gatewayInstalled && albGatewayAPIInstalled(mgr.GetRESTMapper())
	// ListenerSets need their CRD: without it the gate is off, as LBC's
	// CRD detection turns it off.
	listenerSets := o.Gate(options.GateGatewayListenerSet) && (gatewayAPI || albGatewayAPI) && listenerSetServed(mgr.GetRESTMapper())
	if gatewayAPI {
		*owners = append(*owners, gateway.Owner{Kube: mgr.GetClient()})
	}
	if albGatewayAPI {
		*owners = append(*owners, gateway.Owner{Kube: mgr.GetClient(), ALB: true})
	}
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
	index := readiness.NewIndex()
	dep.Readiness = index
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
		PodCache:                mgr.GetClient(),
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
	// Authentication Secrets are watched one by one (never all of them).
	cs, err := kubernetes.NewForConfig(mgr.GetConfig())
	if err != nil {
		return nil, fmt.Errorf("building the Secrets' client: %w", err)
	}
	labelKey, labelValue := o.SecretsLabel()
	sw := secrets.New(cs, labelKey, labelValue, ingTrigger.Enqueue)
	if err := mgr.Add(sw); err != nil {
		return nil, err
	}
	ing := &ingress.Reconciler{
		Kube: mgr.GetClient(), AWS: prov, Deploy: dep, Groups: ingTrigger, Events: rec, Metrics: c.Metrics,
		Defaults: d, Class: class, MaxConcurrentReconciles: o.IngressReconciles(),
		PodCache: mgr.GetClient(),
		Secrets:  sw,
	}
	if d.CertificateManagement {
		if c.ACM == nil || c.Route53 == nil {
			return nil, errors.New("gate EnableCertificateManagement needs ACM and Route 53 clients")
		}
		ing.Certs = &acmcerts.Manager{ACM: cloudacm.NewManager(c.ACM), Route53: cloudroute53.New(c.Route53), Cluster: o.ClusterName}
	}
	if err := ing.SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("setting up the ingress controller: %w", err)
	}
	component(ingress.ControllerName)
	var gw, albGW *gateway.Reconciler
	gwTrigger := &registry.Trigger[reconcile.Request]{}
	albTrigger := &registry.Trigger[reconcile.Request]{}
	if gatewayAPI || albGatewayAPI {
		cls := &gateway.ClassReconciler{Kube: mgr.GetClient(), Events: rec, NLB: gatewayAPI, ALB: albGatewayAPI}
		if err := cls.SetupWithManager(mgr); err != nil {
			return nil, fmt.Errorf("setting up the gatewayclass controller: %w", err)
		}
		component(gateway.ClassControllerName)
	}
	if gatewayAPI {
		gw = &gateway.Reconciler{Kube: mgr.GetClient(), Pods: direct, AWS: prov, Deploy: dep, Gateways: gwTrigger, Events: rec,
			Metrics: c.Metrics, Defaults: d, MaxConcurrentReconciles: o.MaxConcurrentReconciles, ListenerSets: listenerSets}
		if err := gw.SetupWithManager(mgr); err != nil {
			return nil, fmt.Errorf("setting up the gateway controller: %w", err)
		}
		component(gateway.ControllerName)
	}
	if albGatewayAPI {
		// The OIDC Secrets of ListenerRuleConfigurations, watched one by
		// one like the Ingresses' (a change reconciles the Gateways).
		gsw := secrets.New(cs, labelKey, labelValue, albTrigger.Enqueue)
		if err := mgr.Add(gsw); err != nil {
			return nil, err
		}
		alb := &gateway.Reconciler{ALB: true, Kube: mgr.GetClient(), AWS: prov, Deploy: dep, Gateways: albTrigger, Events: rec,
			Metrics: c.Metrics, Defaults: d, MaxConcurrentReconciles: o.MaxConcurrentReconciles, ListenerSets: listenerSets, Secrets: gsw}
		if err := alb.SetupWithManager(mgr); err != nil {
			return nil, fmt.Errorf("setting up the ALB gateway controller: %w", err)
		}
		component(gateway.ALBControllerName)
		albGW = alb
	}
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
	rd := &readiness.Reconciler{Kube: mgr.GetClient(), API: mgr.GetAPIReader(), AWS: prov, Index: index,
		Complete: func(ctx context.Context) (bool, error) { return owners.Complete(ctx, reg) },
		EnqueueStack: func(st naming.Stack) {
			switch {
			case st.Kind == naming.KindService:
				svcTrigger.Enqueue(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: st.Namespace, Name: st.Name}})
				return
			case st.Kind == naming.KindGatewayALB:
				albTrigger.Enqueue(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: st.Namespace, Name: st.Name}})
				return
			case st.IsGateway():
				gwTrigger.Enqueue(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: st.Namespace, Name: st.Name}})
				return
			}
			ingTrigger.Enqueue(drift.GroupRequest(st))
		}}
	if bindings != nil {
		rd.Bindings, bindings.Gates = bindings, rd
	}
	if err := rd.SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("setting up the readiness controller: %w", err)
	}
	component(readiness.ControllerName)
	shared := readiness.SharedName(o.ClusterName)
	sharedNS := applied.Namespace(o.LeaderElectionNamespace)
	if err := mgr.Add(&readiness.Publisher{Index: index, Kube: direct, Namespace: sharedNS, Name: shared}); err != nil {
		return nil, err
	}
	if c.Webhooks {
		gates := webhook.GateSources{readiness.Gates{Index: index, Services: mgr.GetClient(),
			Shared: &readiness.Shared{Reader: mgr.GetAPIReader(), Namespace: sharedNS, Name: shared}}}
		if bindingsServed {
			gates = append(gates, tgb.Gates{Reader: mgr.GetClient()})
		}
		gates = append(gates, c.WebhookGates...)
		webhook.Register(mgr.GetWebhookServer(), webhook.Config{
			Webhook: o.Webhook, LoadBalancerClass: o.LoadBalancerClass, IngressClass: o.IngressClass,
			Reader: mgr.GetClient(), Writer: direct, APIReader: mgr.GetAPIReader(),
			Gates: gates, QUICEnv: model.QUICServerIDEnv, Extra: bindingWebhooks(mgr.GetScheme(), bindings, c.WebhookExtra),
		}, mgr.GetScheme())
	}
	dr := &drift.Checker{Owners: owners, Backend: dep.Backend, AWS: prov, Registry: reg, TargetSGs: sgTrigger, Services: svcTrigger, Ingresses: ingTrigger, Gateways: gwTrigger, ALBGateways: albTrigger,
		Metrics: c.Metrics, Defaults: d, Interval: o.DriftInterval, AdoptLBCRules: o.AdoptLBCRules}
	if !c.NoDriftLoop {
		if err := mgr.Add(dr); err != nil {
			return nil, err
		}
		component("drift")
	}
	return &Controllers{Registered: registered, AWS: prov, Registry: reg, Deploy: dep, Owners: owners, Service: svc, Ingress: ing,
		Gateway: gw, ALBGateway: albGW, TGB: bindings, TargetSG: tsg, Readiness: rd, Drift: dr}, nil
}

// pick is api when its add-on is enabled, else nil (off).
// EnableAddons gives prov the WAF and Shield clients that the
// --enable-wafv2, --enable-waf and --enable-shield flags turn on.
func EnableAddons(prov *state.Provider, o *options.Controller, wafv2 awsapi.WAFV2API, wafRegional awsapi.WAFRegionalAPI, shield awsapi.ShieldAPI) {
	prov.EnableAddons(pick(o.EnableWAFv2, wafv2), pick(o.EnableWAF, wafRegional), pick(o.EnableShield, shield))
}

func pick[T any](on bool, api T) T {
	if on {
		return api
	}
	var none T
	return none
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

// Scheme is the manager's scheme: client-go's types, lbsg's CRDs and the
// Gateway API's types.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(v1beta1.AddToScheme(s))
	utilruntime.Must(gwv1.Install(s))
	return s
}

// gatewayKinds are the kinds the NLB Gateway controller watches (LBC's
// crddetect list for its NLB gateway controller).
var gatewayKinds = []schema.GroupVersionKind{
	{Group: gwv1.GroupName, Version: "v1", Kind: "GatewayClass"},
	{Group: gwv1.GroupName, Version: "v1", Kind: "Gateway"},
	{Group: gwv1.GroupName, Version: "v1", Kind: "TCPRoute"},
	{Group: gwv1.GroupName, Version: "v1", Kind: "UDPRoute"},
	{Group: gwv1.GroupName, Version: "v1", Kind: "TLSRoute"},
	{Group: gwv1.GroupName, Version: "v1", Kind: "ReferenceGrant"},
	{Group: gwconfig.Group, Version: gwconfig.Version, Kind: gwconfig.KindLoadBalancerConfiguration},
	{Group: gwconfig.Group, Version: gwconfig.Version, Kind: gwconfig.KindTargetGroupConfiguration},
}

// albGatewayKinds are the further kinds the ALB Gateway controller watches.
var albGatewayKinds = []schema.GroupVersionKind{
	{Group: gwv1.GroupName, Version: "v1", Kind: "HTTPRoute"},
	{Group: gwv1.GroupName, Version: "v1", Kind: "GRPCRoute"},
	{Group: gwconfig.Group, Version: gwconfig.Version, Kind: gwconfig.KindListenerRuleConfiguration},
}

// listenerSetServed reports whether the API server serves ListenerSets.
func listenerSetServed(m meta.RESTMapper) bool {
	_, err := m.RESTMapping(schema.GroupKind{Group: gwv1.GroupName, Kind: "ListenerSet"}, "v1")
	return err == nil
}

// albGatewayAPIInstalled reports whether the API server also serves the
// kinds of the ALB Gateway controller.
func albGatewayAPIInstalled(m meta.RESTMapper) bool {
	for _, k := range albGatewayKinds {
		if _, err := m.RESTMapping(k.GroupKind(), k.Version); err != nil {
			return false
		}
	}
	return true
}

// GatewayAPIInstalled reports whether the API server serves every kind
// the NLB Gateway controller watches; without them lbsg runs without it,
// as LBC does.
func GatewayAPIInstalled(m meta.RESTMapper) bool {
	for _, k := range gatewayKinds {
		if _, err := m.RESTMapping(k.GroupKind(), k.Version); err != nil {
			return false
		}
	}
	return true
}

// bindingWebhooks adds LBC's TargetGroupBinding mutator (defaults from the
// target group, on create) and validator to extra, when bindings are
// served; extra's own handlers win.
func bindingWebhooks(scheme *runtime.Scheme, bindings *tgb.Reconciler, extra map[string]admission.Handler) map[string]admission.Handler {
	out := map[string]admission.Handler{}
	if bindings != nil {
		newBinding := func() *v1beta1.TargetGroupBinding { return &v1beta1.TargetGroupBinding{} }
		out[webhook.PathMutateTargetGroupBind] = webhook.Mutating(scheme, newBinding, bindings.Default)
		out[webhook.PathValidateTargetGroupBind] = webhook.Validating(scheme, newBinding,
			func(ctx context.Context, b, old *v1beta1.TargetGroupBinding) error {
				f, err := bindings.ValidationFacts(ctx, b)
				if err != nil {
					return err
				}
				return targetgroupbinding.Validate(old, b, f)
			})
	}
	maps.Copy(out, extra)
	return out
}
