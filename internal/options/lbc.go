package options

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// handling says what lbsg does with an LBC flag it has no flag of its own
// for.
type handling int

const (
	// noOp: accepted with any value; it tunes something lbsg has no part
	// of, or does its own way, and changes no load balancer (the note says
	// why).
	noOp handling = iota
	// defaultOnly: accepted at LBC's default; any other value asks for
	// behaviour lbsg lacks and is a start-up error naming the flag.
	defaultOnly
)

// LBCFlag is one flag of LBC v3.6.2 that lbsg accepts under LBC's name
// without a flag of its own of that name.
type LBCFlag struct {
	Name string
	// Type is pflag's type name: bool, string, int, duration, strings,
	// map.
	Type    string
	Default string // LBC's default, as LBC prints it
	how     handling
	// Note is, for a no-op, why it changes nothing; for a default-only
	// flag, what lbsg lacks.
	Note string
}

// DefaultOnly reports whether any value but LBC's default is refused.
func (f LBCFlag) DefaultOnly() bool { return f.how == defaultOnly }

// LBCFlags lists LBC's flags that lbsg accepts with no flag of its own of
// the same name. LBC's other flags are lbsg's own flags (same name,
// meaning and default) or aliases of them (lbcAliases); docs/flags.md
// renders all three.
var LBCFlags = []LBCFlag{
	{"quic-environment-variable-name", "string", "AWS_LBC_QUIC_SERVER_ID", defaultOnly, "reading QUIC server IDs from another container variable"},
	{"enable-endpoint-slices", "bool", "true", noOp, "lbsg always reads EndpointSlices"},
	{"aws-api-throttle", "string", "", noOp, "lbsg applies its own client-side buckets, per AWS's documented rates"},
	{"aws-vpc-cache-ttl", "duration", "0s", noOp, "lbsg caches the VPC for the process's life"},
	{"aws-vpc-tag-key", "string", "Name", noOp, "deprecated in LBC; lbsg reads no VPC Name tag"},
	{"targetgroupbinding-max-concurrent-reconciles", "int", "3", noOp, "lbsg's TargetGroupBinding controller runs 3 workers"},
	{"targetgroupbinding-max-exponential-backoff-delay", "duration", "16m40s", noOp, "lbsg's TargetGroupBinding controller uses controller-runtime's backoff"},
	{"targetgroupbinding-requeue-duration", "duration", "15s", noOp, "lbsg polls the target health of a readiness gate not yet True 1 s, 2 s, 4 s … at most 15 s apart instead"},
	{"gateway-class-max-concurrent-reconciles", "int", "3", noOp, "lbsg's GatewayClass controller only writes a condition (one worker)"},
	{"alb-gateway-max-concurrent-reconciles", "int", "3", noOp, "lbsg's ALB Gateway controller uses --max-concurrent-reconciles"},
	{"nlb-gateway-max-concurrent-reconciles", "int", "3", noOp, "lbsg's NLB Gateway controller uses --max-concurrent-reconciles"},
	{"globalaccelerator-max-concurrent-reconciles", "int", "1", noOp, "no Global Accelerator controller"},
	{"globalaccelerator-max-exponential-backoff-delay", "duration", "16m40s", noOp, "no Global Accelerator controller"},
	{"lb-stabilization-monitor-interval", "duration", "2m0s", noOp, "lbsg does not wait for load balancers to become active"},

	{"watch-namespace", "string", "", defaultOnly, "watching one namespace only"},
	{"aws-vpc-tags", "map", "[]", defaultOnly, "finding the VPC by tags (lbsg: --aws-vpc-id, or the VPC tagged for the cluster)"},
	{"max-targets-per-target-group", "int", "0", defaultOnly, "capping targets per target group"},
	{"tolerate-non-existent-backend-service", "bool", "true", defaultOnly, "failing Ingresses whose backend Service is missing"},
}

// lbcAlias is an LBC flag name for one of lbsg's own flags.
type lbcAlias struct{ Name, Of string }

// lbcAliases are LBC's names of lbsg's flags (same meaning; LBC's default
// where it differs is in docs/flags.md).
var lbcAliases = []lbcAlias{
	{"metrics-bind-addr", "metrics-bind-address"},
	{"health-probe-bind-addr", "health-probe-bind-address"},
	{"enable-leader-election", "leader-elect"},
}

// lbcNative are LBC flags lbsg implements under LBC's name only (lbsg's
// chart renders them from LBC's values of the same meaning).
var lbcNative = []string{"service-max-concurrent-reconciles", "ingress-max-concurrent-reconciles", "leader-election-id",
	"log-level", "sync-period", "aws-api-endpoints", "tolerate-non-existent-backend-action", "allowed-certificate-authority-arns",
	"enable-waf", "enable-wafv2", "enable-shield",
	"webhook-bind-port", "webhook-cert-dir", "webhook-cert-file", "webhook-key-file", "kube-ca-pem-filepath",
	"enable-pod-readiness-gate-inject", "disable-ingress-class-annotation", "disable-ingress-group-name-annotation",
	"required-secrets-label", "default-pca-arn"}

// LBCOnly reports whether a flag exists for LBC's users (an alias, a flag
// of LBCFlags, or one lbsg implements only under LBC's name): it needs no
// chart value of lbsg's own (the chart renders those LBC's chart has a
// value for from LBC's value; docs/flags.md names it).
func LBCOnly(name string) bool {
	if slices.Contains(lbcNative, name) {
		return true
	}
	for _, a := range lbcAliases {
		if a.Name == name {
			return true
		}
	}
	for _, f := range LBCFlags {
		if f.Name == name {
			return true
		}
	}
	return false
}

// addLBCFlags registers LBC's names: aliases share their lbsg flag's
// value; the rest hold their text for Validate.
func (o *Controller) addLBCFlags(fs *pflag.FlagSet) {
	for _, a := range lbcAliases {
		f := fs.Lookup(a.Of)
		alias := fs.VarPF(f.Value, a.Name, "", "LBC's name of --"+a.Of)
		alias.NoOptDefVal = f.NoOptDefVal
	}
	fs.IntVar(&o.ServiceMaxConcurrentReconciles, "service-max-concurrent-reconciles", 0,
		"concurrent reconciles of the service controller (LBC's flag; 0: --max-concurrent-reconciles)")
	fs.IntVar(&o.IngressMaxConcurrentReconciles, "ingress-max-concurrent-reconciles", 0,
		"concurrent reconciles of the ingress controller (LBC's flag; 0: --max-concurrent-reconciles)")
	fs.StringVar(&o.LeaderElectionID, "leader-election-id", "", "name of the leader-election Lease (default lbsg-leader-<cluster>; LBC's is aws-load-balancer-controller-leader)")
	fs.StringVar(&o.LogLevel, "log-level", "info", "info or debug (LBC's flag)")
	fs.DurationVar(&o.SyncPeriod, "sync-period", 0, "informer resync period (LBC's flag; default 10h, as LBC's)")
	fs.StringToStringVar(&o.AWSAPIEndpoints, "aws-api-endpoints", nil,
		"per-service AWS endpoints, serviceID=URL,… keyed by the SDK service IDs LBC uses (EC2, Elastic Load Balancing v2, EKS; others lbsg does not call are accepted)")
	o.addWebhookFlags(fs)
	o.lbc = map[string]*rawValue{}
	for _, f := range LBCFlags {
		v := &rawValue{typ: f.Type, text: f.Default}
		o.lbc[f.Name] = v
		usage := "LBC's flag, accepted: " + f.Note
		if f.DefaultOnly() {
			def := f.Default
			if def == "" || def == "[]" {
				def = "(empty)"
			}
			usage = "LBC's flag; only its default " + def + " is accepted: lbsg lacks " + f.Note
		}
		flag := fs.VarPF(v, f.Name, "", usage)
		if f.Type == "bool" {
			flag.NoOptDefVal = "true"
		}
	}
}

// validateLBCFlags refuses an LBC flag set to a value lbsg cannot honour,
// and checks the aliases' values.
func (o *Controller) validateLBCFlags() []error {
	var errs []error
	for _, f := range LBCFlags {
		v := o.lbc[f.Name]
		if v == nil || !v.set || !f.DefaultOnly() || sameValue(f.Type, v.text, f.Default) {
			continue
		}
		errs = append(errs, fmt.Errorf("--%s=%s: lbsg lacks %s; remove the flag or use LBC's default %s", f.Name, v.text, f.Note, f.Default))
	}
	switch o.LogLevel {
	case "info", "debug":
	default:
		errs = append(errs, fmt.Errorf("invalid value %q for --log-level: want info or debug", o.LogLevel))
	}
	if o.ServiceMaxConcurrentReconciles < 0 || o.IngressMaxConcurrentReconciles < 0 {
		errs = append(errs, fmt.Errorf("--service-max-concurrent-reconciles and --ingress-max-concurrent-reconciles must not be negative"))
	}
	if o.SyncPeriod < 0 {
		errs = append(errs, fmt.Errorf("--sync-period must not be negative, got %v", o.SyncPeriod))
	}
	for _, id := range slices.Sorted(maps.Keys(o.AWSAPIEndpoints)) {
		if u := o.AWSAPIEndpoints[id]; !strings.Contains(u, "://") {
			errs = append(errs, fmt.Errorf("--aws-api-endpoints: %s=%q is not a URL", id, u))
		}
	}
	return errs
}

// sameValue compares a flag's text with LBC's default as values of type t.
func sameValue(t, a, b string) bool {
	switch t {
	case "bool":
		x, err1 := strconv.ParseBool(a)
		y, err2 := strconv.ParseBool(b)
		return err1 == nil && err2 == nil && x == y
	case "int":
		x, err1 := strconv.Atoi(a)
		y, err2 := strconv.Atoi(b)
		return err1 == nil && err2 == nil && x == y
	case "duration":
		x, err1 := time.ParseDuration(a)
		y, err2 := time.ParseDuration(b)
		return err1 == nil && err2 == nil && x == y
	case "strings", "map":
		empty := func(s string) bool { return s == "" || s == "[]" }
		return a == b || (empty(a) && empty(b))
	}
	return a == b
}

// rawValue holds an LBC flag's text, checked as its type.
type rawValue struct {
	typ, text string
	set       bool
}

func (v *rawValue) String() string { return v.text }
func (v *rawValue) Type() string   { return v.typ }

func (v *rawValue) Set(s string) error {
	var err error
	switch v.typ {
	case "bool":
		_, err = strconv.ParseBool(s)
	case "int":
		_, err = strconv.Atoi(s)
	case "duration":
		_, err = time.ParseDuration(s)
	}
	if err != nil {
		return err
	}
	v.text, v.set = s, true
	return nil
}

// gateSupport is, per LBC feature gate, LBC's default and the non-default
// value lbsg honours too (absent: only the default is accepted). The
// default itself is always accepted: LBC's chart passes no gate.
var gateSupport = map[string]struct {
	def   bool
	other bool   // lbsg honours !def as well
	lacks string // what !def would ask for, when lbsg lacks it
}{
	"ListenerRulesTagging":          {true, false, "untagged listener rules"},
	"WeightedTargetGroups":          {true, true, ""}, // off: lbsg writes no weighted actions either
	GateServiceTypeLoadBalancerOnly: {false, true, ""},
	"EndpointsFailOpen":             {true, false, "fail-closed endpoints (lbsg's own EndpointSlice handling)"},
	"EnableServiceController":       {true, false, "running without the service controller"},
	"EnableIPTargetType":            {true, false, "refusing ip targets"},
	GateEnableTCPUDPListener:        {false, true, ""}, // on: TCP_UDP listeners without the annotation

	"EnableRGTAPI":                 {false, true, ""}, // lbsg finds resources with its own batched listings either way
	"SubnetsClusterTagCheck":       {true, false, "subnet discovery without the cluster tag check"},
	"NLBHealthCheckAdvancedConfig": {true, false, "the legacy NLB health-check defaults"},
	GateNLBSecurityGroup:           {true, true, ""},
	GateALBSingleSubnet:            {false, true, ""}, // on: an ALB may have one subnet

	GateLBCapacityReservation:        {true, true, ""}, // off: lbsg leaves capacity reservations alone, as LBC does
	"SubnetDiscoveryByReachability":  {true, true, ""}, // off: lbsg's discovery never uses route tables
	GateNLBGatewayAPI:                {true, true, ""}, // off: no NLB Gateway controller, as LBC
	GateALBGatewayAPI:                {true, true, ""}, // off: no ALB Gateway controller, as LBC
	"GlobalAcceleratorController":    {false, false, "a Global Accelerator controller"},
	"EnhancedDefaultBehavior":        {false, false, "LBC's enhanced default behaviour"},
	GateEnableDefaultTagsLowPriority: {false, true, ""},
	"ALBTargetControlAgent":          {false, false, "the pod webhook injecting the ALB target-control agent (target-control-port works without it)"},
	GateGatewayListenerSet:           {true, true, ""},  // off: ListenerSets ignored, as LBC
	GateCertificateManagement:        {false, true, ""}, // on: create-acm-cert requests certificates (off: refused)
	"IngressPlanAnnotation":          {false, false, "LBC's dry-run plan annotation (lbsg plan instead)"},
}

// LBCGates lists the gate names, sorted.
func LBCGates() []string { return slices.Sorted(maps.Keys(gateSupport)) }
