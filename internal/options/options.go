package options

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/lbsg/lbsg/internal/naming"
)

// Defaults of flags whose value matters outside this package.
const (
	DefaultLoadBalancerClass = "service.k8s.aws/nlb"
	// DefaultSSLPolicy is LBC's default --default-ssl-policy.
	DefaultSSLPolicy = "ELBSecurityPolicy-2016-08"
	// DefaultIngressClass is LBC's default --ingress-class.
	DefaultIngressClass = "alb"
	// DefaultDriftInterval trades AWS read calls (one paged
	// DescribeSecurityGroups per VPC per interval) against how long drift
	// made outside lbsg lasts.
	DefaultDriftInterval           = 10 * time.Minute
	DefaultMaxConcurrentReconciles = 3
	DefaultAWSMaxRetries           = 10
)

// Target types of --default-target-type.
const (
	TargetTypeInstance = "instance"
	TargetTypeIP       = "ip"
)

// Feature gate names (lbc-security-groups.md §2.7).
const (
	GateNLBSecurityGroup = "NLBSecurityGroup"
	// GateNLBGatewayAPI runs the NLB Gateway controller (with the Gateway
	// API CRDs installed).
	GateNLBGatewayAPI = "NLBGatewayAPI"
	// GateALBGatewayAPI runs the ALB Gateway controller (with the Gateway
	// API CRDs, HTTPRoute and GRPCRoute among them).
	GateALBGatewayAPI = "ALBGatewayAPI"
	// GateGatewayListenerSet serves Gateway API ListenerSets (with their
	// CRD installed); off, both Gateway controllers ignore them, as LBC.
	GateGatewayListenerSet           = "GatewayListenerSet"
	GateEnableDefaultTagsLowPriority = "EnableDefaultTagsLowPriority"
	GateServiceTypeLoadBalancerOnly  = "ServiceTypeLoadBalancerOnly"
	GateLBCapacityReservation        = "LBCapacityReservation"
	GateWeightedTargetGroups         = "WeightedTargetGroups"
	// GateALBSingleSubnet: an ALB needs one subnet, not two (accounts
	// AWS allows single-subnet ALBs).
	GateALBSingleSubnet = "ALBSingleSubnet"
	// GateEnableTCPUDPListener: Services merge TCP and UDP on one port
	// into TCP_UDP unless their enable-tcp-udp-listener annotation says no.
	GateEnableTCPUDPListener = "EnableTCPUDPListener"
	// GateCertificateManagement: create-acm-cert requests ACM
	// certificates lbsg owns (off, LBC's default: such an Ingress is
	// refused).
	GateCertificateManagement = "EnableCertificateManagement"
)

// gateDefaults are LBC's defaults of its feature gates (gateSupport).
var gateDefaults = func() map[string]bool {
	out := make(map[string]bool, len(gateSupport))
	for k, g := range gateSupport {
		out[k] = g.def
	}
	return out
}()

// Controller is the configuration of `lbsg controller`.
type Controller struct {
	ClusterName                           string
	AWSRegion                             string
	AWSVPCID                              string
	AWSEndpoint                           string
	AWSMaxRetries                         int
	EnableBackendSecurityGroup            bool
	BackendSecurityGroup                  string
	EnableManageBackendSecurityGroupRules bool
	DisableRestrictedSGRules              bool
	DefaultTags                           map[string]string
	ExternalManagedTags                   []string
	LoadBalancerClass                     string
	DriftInterval                         time.Duration
	MaxConcurrentReconciles               int
	Kubeconfig                            string
	MetricsBindAddress                    string
	HealthProbeBindAddress                string
	LeaderElect                           bool
	LeaderElectionNamespace               string
	FeatureGates                          map[string]bool
	// ServiceTargetENISGTags picks the target SG among a node ENI's SGs.
	ServiceTargetENISGTags    map[string]string
	DefaultTargetType         string
	DefaultLoadBalancerScheme string
	// DefaultSSLPolicy is the SSL policy of HTTPS listeners without an
	// ssl-policy annotation or IngressClassParams sslPolicy.
	DefaultSSLPolicy string
	// TolerateMissingAction is --tolerate-non-existent-backend-action: a
	// use-annotation backend without its actions annotation answers 503
	// (true) or fails its Ingress (false).
	TolerateMissingAction bool
	// EnableWAF, EnableWAFv2 and EnableShield are LBC's --enable-waf,
	// --enable-wafv2 and --enable-shield: off, the ALBs' WAF Classic,
	// WAFv2 or Shield asks are ignored (and their APIs never called).
	EnableWAF, EnableWAFv2, EnableShield bool
	// AdoptLBCRules treats target-SG rules with LBC's bare marker (no
	// cluster key) as lbsg's: rewritten to lbsg's marker or revoked.
	AdoptLBCRules bool
	// IngressClass is the kubernetes.io/ingress.class annotation value of
	// the Ingresses handled; empty also takes Ingresses without a class
	// (lbc-load-balancers.md §6.1).
	IngressClass string
	// ServiceMaxConcurrentReconciles and IngressMaxConcurrentReconciles
	// are LBC's per-controller forms of MaxConcurrentReconciles; 0 means
	// MaxConcurrentReconciles.
	ServiceMaxConcurrentReconciles int
	IngressMaxConcurrentReconciles int
	// LeaderElectionID names the Lease; "" is lbsg-leader-<cluster>.
	LeaderElectionID string
	// LogLevel is info or debug.
	LogLevel string
	// SyncPeriod is the informers' resync period; 0 is the default.
	SyncPeriod time.Duration
	// RequiredSecretsLabel is --required-secrets-label, key=value: a label
	// every Secret read for authentication must carry ("" none).
	RequiredSecretsLabel string
	// AWSAPIEndpoints are per-service endpoints by SDK service ID
	// (--aws-api-endpoints, LBC's format); --aws-endpoint is for all.
	AWSAPIEndpoints map[string]string
	// AllowedCertificateAuthorityARNs: certificate discovery uses only
	// certificates these private CAs issued (empty: any certificate).
	AllowedCertificateAuthorityARNs []string
	// DefaultPCAARN is --default-pca-arn: the private CA of the
	// certificates create-acm-cert requests without acm-pca-arn (empty:
	// Amazon issued, validated in Route 53).
	DefaultPCAARN string
	// Webhook configures the admission webhooks (LBC's flags).
	Webhook Webhook

	gates string
	lbc   map[string]*rawValue
}

// ServiceReconciles is the service controller's concurrency.
func (o *Controller) ServiceReconciles() int {
	if o.ServiceMaxConcurrentReconciles > 0 {
		return o.ServiceMaxConcurrentReconciles
	}
	return o.MaxConcurrentReconciles
}

// SecretsLabel splits --required-secrets-label into its key and value
// ("" key: none).
func (o *Controller) SecretsLabel() (key, value string) {
	key, value, _ = strings.Cut(o.RequiredSecretsLabel, "=")
	return key, value
}

// IngressReconciles is the ingress controller's concurrency.
func (o *Controller) IngressReconciles() int {
	if o.IngressMaxConcurrentReconciles > 0 {
		return o.IngressMaxConcurrentReconciles
	}
	return o.MaxConcurrentReconciles
}

// New returns a Controller holding LBC's defaults.
func New() *Controller {
	return &Controller{
		EnableBackendSecurityGroup: true,
		LoadBalancerClass:          DefaultLoadBalancerClass,
		IngressClass:               DefaultIngressClass,
		DriftInterval:              DefaultDriftInterval,
		MaxConcurrentReconciles:    DefaultMaxConcurrentReconciles,
		AWSMaxRetries:              DefaultAWSMaxRetries,
		MetricsBindAddress:         ":8080",
		HealthProbeBindAddress:     ":61779",
		DefaultTags:                map[string]string{},
		FeatureGates:               maps.Clone(gateDefaults),
		ServiceTargetENISGTags:     map[string]string{},
		DefaultTargetType:          TargetTypeInstance,
		DefaultLoadBalancerScheme:  naming.SchemeInternal,
		DefaultSSLPolicy:           DefaultSSLPolicy,
		TolerateMissingAction:      true,
		EnableWAF:                  true,
		EnableWAFv2:                true,
		EnableShield:               true,
		LogLevel:                   "info",
		Webhook:                    Webhook{BindPort: DefaultWebhookBindPort, PodReadinessGateInject: true},
	}
}

// AddFlags registers the flags on fs.
func (o *Controller) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.ClusterName, "cluster-name", o.ClusterName, "Kubernetes cluster name (required)")
	fs.StringVar(&o.AWSRegion, "aws-region", o.AWSRegion, "AWS Region (default: from the environment)")
	fs.StringVar(&o.AWSVPCID, "aws-vpc-id", o.AWSVPCID, "VPC of the cluster (default: discovered from the cluster's subnets)")
	fs.StringVar(&o.AWSEndpoint, "aws-endpoint", o.AWSEndpoint, "AWS endpoint URL for every service (default: AWS_ENDPOINT_URL or AWS)")
	fs.IntVar(&o.AWSMaxRetries, "aws-max-retries", o.AWSMaxRetries, "maximum retries of one AWS call")
	fs.BoolVar(&o.EnableBackendSecurityGroup, "enable-backend-security-group", o.EnableBackendSecurityGroup, "use the shared backend security group")
	fs.StringVar(&o.BackendSecurityGroup, "backend-security-group", o.BackendSecurityGroup, "ID of the backend security group to use instead of creating one")
	fs.BoolVar(&o.EnableManageBackendSecurityGroupRules, "enable-manage-backend-security-group-rules", o.EnableManageBackendSecurityGroupRules, "default of the manage-backend-security-group-rules annotations")
	fs.BoolVar(&o.DisableRestrictedSGRules, "disable-restricted-sg-rules", o.DisableRestrictedSGRules, "open all ports from the load balancer to the targets")
	fs.StringToStringVar(&o.DefaultTags, "default-tags", o.DefaultTags, "tags on every AWS resource created, k=v,…")
	fs.StringSliceVar(&o.ExternalManagedTags, "external-managed-tags", o.ExternalManagedTags, "tag keys lbsg never adds or removes")
	fs.StringSliceVar(&o.AllowedCertificateAuthorityARNs, "allowed-certificate-authority-arns", o.AllowedCertificateAuthorityARNs,
		"ACM certificate discovery uses only certificates issued by these CAs (empty: all certificates)")
	fs.StringVar(&o.DefaultPCAARN, "default-pca-arn", o.DefaultPCAARN,
		"private CA (ACM PCA ARN) of the certificates create-acm-cert requests without acm-pca-arn (empty: Amazon issued; gate EnableCertificateManagement)")
	fs.StringVar(&o.LoadBalancerClass, "load-balancer-class", o.LoadBalancerClass, "spec.loadBalancerClass of the Services handled")
	fs.StringVar(&o.IngressClass, "ingress-class", o.IngressClass,
		"kubernetes.io/ingress.class annotation of the Ingresses handled; empty also handles Ingresses without any class (IngressClasses with controller ingress.k8s.aws/alb are always handled)")
	fs.DurationVar(&o.DriftInterval, "drift-interval", o.DriftInterval, "how often AWS is compared with the desired state (one paged listing each of SGs, load balancers and target groups, plus one read per web ACL, Shield protection or attribute set a manifest asks for)")
	fs.IntVar(&o.MaxConcurrentReconciles, "max-concurrent-reconciles", o.MaxConcurrentReconciles, "concurrent reconciles per controller")
	fs.StringVar(&o.Kubeconfig, "kubeconfig", o.Kubeconfig, "kubeconfig (default: in-cluster or KUBECONFIG)")
	fs.StringVar(&o.MetricsBindAddress, "metrics-bind-address", o.MetricsBindAddress, "metrics address, 0 disables")
	fs.StringVar(&o.HealthProbeBindAddress, "health-probe-bind-address", o.HealthProbeBindAddress, "health probe address, 0 disables")
	fs.BoolVar(&o.LeaderElect, "leader-elect", o.LeaderElect, "use leader election")
	fs.StringVar(&o.LeaderElectionNamespace, "leader-election-namespace", o.LeaderElectionNamespace, "namespace of the leader election lease")
	fs.StringToStringVar(&o.ServiceTargetENISGTags, "service-target-eni-security-group-tags", o.ServiceTargetENISGTags,
		"tags, k=v,…, that the security group getting lbsg's rules must carry, besides kubernetes.io/cluster/<cluster>, on a target ENI with several")
	fs.StringVar(&o.DefaultTargetType, "default-target-type", o.DefaultTargetType, "target type of Services without the nlb-target-type annotation: instance or ip")
	fs.StringVar(&o.DefaultLoadBalancerScheme, "default-load-balancer-scheme", o.DefaultLoadBalancerScheme, "scheme of load balancers without a scheme annotation: internal or internet-facing")
	fs.StringVar(&o.DefaultSSLPolicy, "default-ssl-policy", o.DefaultSSLPolicy, "SSL policy of HTTPS listeners without an ssl-policy annotation or IngressClassParams sslPolicy")
	fs.BoolVar(&o.TolerateMissingAction, "tolerate-non-existent-backend-action", o.TolerateMissingAction,
		"answer 503 for a use-annotation backend whose actions annotation is missing; false fails the Ingress instead")
	fs.BoolVar(&o.EnableWAF, "enable-waf", o.EnableWAF, "apply the waf-acl-id (web-acl-id) annotation: WAF Classic web ACLs on ALBs (LBC's flag)")
	fs.BoolVar(&o.EnableWAFv2, "enable-wafv2", o.EnableWAFv2, "apply the wafv2-acl-arn and wafv2-acl-name annotations: WAFv2 web ACLs on ALBs (LBC's flag)")
	fs.BoolVar(&o.EnableShield, "enable-shield", o.EnableShield, "apply the shield-advanced-protection annotation: Shield Advanced protections of ALBs (LBC's flag)")
	fs.StringVar(&o.RequiredSecretsLabel, "required-secrets-label", o.RequiredSecretsLabel,
		"label (key=value) a Secret must carry to be read for Ingress authentication; empty reads any Secret the RBAC allows")
	fs.BoolVar(&o.AdoptLBCRules, "adopt-lbc-rules", o.AdoptLBCRules,
		"treat target security-group rules marked by LBC (elbv2.k8s.aws/targetGroupBinding=shared, no cluster key) as lbsg's, to migrate from LBC; only when this cluster is the node security groups' sole LBC user")
	fs.StringVar(&o.gates, "feature-gates", "", "LBC's feature gates, Name=bool,…: every LBC gate is accepted at its default; lbsg honours the other value of "+
		strings.Join(honoured(), ", ")+" and refuses the other value of the rest, naming what it lacks")
	o.addLBCFlags(fs)
}

// honoured lists the gates whose non-default value lbsg honours.
func honoured() []string {
	var out []string
	for _, k := range LBCGates() {
		if gateSupport[k].other {
			out = append(out, k)
		}
	}
	return out
}

// Gate returns the value of a feature gate.
func (o *Controller) Gate(name string) bool {
	if v, ok := o.FeatureGates[name]; ok {
		return v
	}
	return gateDefaults[name]
}

// Validate checks the options, reporting every problem at once, and parses
// --feature-gates into FeatureGates.
func (o *Controller) Validate() error {
	var errs []error
	if o.ClusterName == "" {
		errs = append(errs, errors.New("kubernetes cluster name must be specified"))
	}
	if o.BackendSecurityGroup != "" && !strings.HasPrefix(o.BackendSecurityGroup, "sg-") {
		errs = append(errs, fmt.Errorf("invalid value %s for backend security group id", o.BackendSecurityGroup))
	}
	if o.EnableManageBackendSecurityGroupRules && !o.EnableBackendSecurityGroup {
		errs = append(errs, errors.New("backend security group must be enabled when manage backend security group rule is enabled"))
	}
	for _, k := range slices.Sorted(maps.Keys(o.DefaultTags)) {
		if naming.IsTrackingKey(k) {
			errs = append(errs, fmt.Errorf("tag key %s cannot be specified in default-tags flag", k))
		}
	}
	for _, k := range o.ExternalManagedTags {
		if naming.IsTrackingKey(k) {
			errs = append(errs, fmt.Errorf("tag key %s cannot be specified in external-managed-tags flag", k))
		}
		if _, ok := o.DefaultTags[k]; ok {
			errs = append(errs, fmt.Errorf("tag key %s cannot be specified in both default-tags and external-managed-tags flag", k))
		}
	}
	if o.RequiredSecretsLabel != "" {
		if k, v, ok := strings.Cut(o.RequiredSecretsLabel, "="); !ok || k == "" || v == "" {
			errs = append(errs, fmt.Errorf("invalid value %q for --required-secrets-label: must be in key=value format", o.RequiredSecretsLabel))
		}
	}
	if o.DriftInterval <= 0 {
		errs = append(errs, fmt.Errorf("--drift-interval must be positive, got %v", o.DriftInterval))
	}
	if o.MaxConcurrentReconciles < 1 {
		errs = append(errs, fmt.Errorf("--max-concurrent-reconciles must be at least 1, got %d", o.MaxConcurrentReconciles))
	}
	if o.AWSMaxRetries < 0 {
		errs = append(errs, fmt.Errorf("--aws-max-retries must not be negative, got %d", o.AWSMaxRetries))
	}
	if o.DefaultTargetType != TargetTypeInstance && o.DefaultTargetType != TargetTypeIP {
		errs = append(errs, fmt.Errorf("invalid value %q for --default-target-type: want instance or ip", o.DefaultTargetType))
	}
	if o.DefaultLoadBalancerScheme != naming.SchemeInternal && o.DefaultLoadBalancerScheme != naming.SchemeInternetFacing {
		errs = append(errs, fmt.Errorf("invalid value %q for --default-load-balancer-scheme: want internal or internet-facing", o.DefaultLoadBalancerScheme))
	}
	for _, k := range slices.Sorted(maps.Keys(o.ServiceTargetENISGTags)) {
		if k == "" {
			errs = append(errs, errors.New("--service-target-eni-security-group-tags: empty tag key"))
		}
	}
	if o.LoadBalancerClass == "" {
		errs = append(errs, errors.New("--load-balancer-class must not be empty"))
	}
	if err := o.parseGates(); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, o.validateLBCFlags()...)
	errs = append(errs, o.validateWebhook()...)
	return errors.Join(errs...)
}

func (o *Controller) parseGates() error {
	if o.FeatureGates == nil {
		o.FeatureGates = maps.Clone(gateDefaults)
	}
	var errs []error
	for item := range strings.SplitSeq(o.gates, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		k = strings.TrimSpace(k)
		if !ok {
			errs = append(errs, fmt.Errorf("invalid feature gate %q: want Name=bool", item))
			continue
		}
		g, known := gateSupport[k]
		if !known {
			errs = append(errs, fmt.Errorf("unknown feature gate %s", k))
			continue
		}
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			errs = append(errs, fmt.Errorf("invalid value %q for feature gate %s: %w", v, k, err))
			continue
		}
		if b != g.def && !g.other {
			errs = append(errs, fmt.Errorf("feature gate %s=%t: lbsg lacks %s; remove it or use LBC's default %s=%t", k, b, g.lacks, k, g.def))
			continue
		}
		o.FeatureGates[k] = b
	}
	return errors.Join(errs...)
}
