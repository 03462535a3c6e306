package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/lbsg/lbsg/internal/controller/applied"
	"github.com/lbsg/lbsg/internal/controller/readiness"
	"github.com/lbsg/lbsg/internal/lbcsource"
	"github.com/lbsg/lbsg/internal/localenv"
	"github.com/lbsg/lbsg/internal/options"
)

const chart = "helm/lbsg/"

// chartSets are the flags whose chart default is not the controller's.
var chartSets = map[string]string{
	"cluster-name":              "required",
	"leader-elect":              "leaderElection.enabled: true, for two replicas",
	"leader-election-namespace": "the release namespace",
}

// TestChartDefaultsAreTheFlagDefaults renders the chart's defaults: every
// flag it passes holds the controller's default (which is LBC's), but for
// chartSets.
func TestChartDefaultsAreTheFlagDefaults(t *testing.T) {
	objs, err := render(t)
	if err != nil {
		t.Fatal(err)
	}
	args := controllerArgs(t, objs)
	fs, err := validate(args)
	if err != nil {
		t.Fatalf("the controller refuses %q: %v", args, err)
	}
	n := 0
	fs.Visit(func(f *pflag.Flag) {
		n++
		if _, ok := chartSets[f.Name]; ok {
			return
		}
		if got := f.Value.String(); got != f.DefValue {
			t.Errorf("the chart passes --%s=%s; the controller's default is %q", f.Name, got, f.DefValue)
		}
	})
	if n < 5 {
		t.Fatalf("only %d flags set by the chart's defaults: %q", n, args)
	}
}

// TestChartAppliedRecordRoleIsWhereTheControllerKeepsIt renders the chart and
// checks that the Role for the applied-model record (applied-rbac.yaml) sits
// in the namespace the controller resolves from its arguments and names the
// ConfigMap the controller writes, with or without leader election.
func TestChartAppliedRecordRoleIsWhereTheControllerKeepsIt(t *testing.T) {
	for _, tt := range []struct {
		name   string
		set    []string
		noRole bool
	}{
		{name: "the release namespace by default"},
		{name: "the leader-election namespace when set", set: []string{"leaderElection.namespace=elect"}},
		{name: "rendered without leader election too", set: []string{"leaderElection.enabled=false"}},
		{name: "not rendered without rbac.create", set: []string{"rbac.create=false"}, noRole: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var args []string
			var role, binding *unstructured.Unstructured
			for _, o := range helmTemplate(t, "lbsg", "lbsg-system", append([]string{"clusterName=ci"}, tt.set...)...) {
				switch {
				case o.GetKind() == "Deployment":
					containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
					for _, c := range containers {
						a, _, _ := unstructured.NestedStringSlice(c.(map[string]any), "args")
						args = append(args, a...)
					}
				case o.GetKind() == "Role" && strings.HasSuffix(o.GetName(), "-applied"):
					role = o
				case o.GetKind() == "RoleBinding" && strings.HasSuffix(o.GetName(), "-applied"):
					binding = o
				}
			}
			if tt.noRole {
				if role != nil || binding != nil {
					t.Errorf("applied-record Role or RoleBinding rendered with %v", tt.set)
				}
				return
			}
			if role == nil || binding == nil {
				t.Fatalf("no applied-record Role and RoleBinding (role %v, binding %v)", role != nil, binding != nil)
			}
			var flag, cluster string
			for _, a := range args {
				if v, ok := strings.CutPrefix(a, "--leader-election-namespace="); ok {
					flag = v
				}
				if v, ok := strings.CutPrefix(a, "--cluster-name="); ok {
					cluster = v
				}
			}
			if want := applied.Namespace(flag); role.GetNamespace() != want || binding.GetNamespace() != want {
				t.Errorf("Role in %q, RoleBinding in %q; the controller (--leader-election-namespace=%q) keeps the record in %q",
					role.GetNamespace(), binding.GetNamespace(), flag, want)
			}
			rules, _, _ := unstructured.NestedSlice(role.Object, "rules")
			var named []string
			for _, r := range rules {
				names, _, _ := unstructured.NestedStringSlice(r.(map[string]any), "resourceNames")
				named = append(named, names...)
			}
			if want := []string{applied.Name(cluster), readiness.SharedName(cluster)}; !slices.Equal(named, want) {
				t.Errorf("Role names ConfigMaps %q, the controller writes %q", named, want)
			}
		})
	}
}

// handling is what lbsg's chart does with one value.
type handling int

const (
	// mapped: the value sets the controller flag LBC's chart would pass (or
	// lbsg's name of it), or the same Kubernetes field.
	mapped handling = iota
	// harmless: accepted with any value and documented; it tunes something
	// lbsg does not run (LBC's webhooks, no-op flags).
	harmless
	// refused: away from LBC's default it asks for something lbsg lacks:
	// the chart fails, naming it.
	refused
	// own: one of lbsg's own values (LBC's chart has no equivalent).
	own
)

// check is a field of a rendered object: want nil means absent (or no
// object of that kind).
type check struct {
	kind string
	path []string
	want any
}

func obj(kind string, want any, path ...string) check { return check{kind, path, want} }
func pod(want any, path ...string) check {
	return check{"Deployment", append([]string{"spec", "template", "spec"}, path...), want}
}
func ctr(want any, path ...string) check {
	return check{"Deployment", append([]string{"spec", "template", "spec", "containers", "0"}, path...), want}
}

// chartValue is one value of LBC's chart (or lbsg's own) and what the chart
// does with it, set to a non-default value.
type chartValue struct {
	key    string // dotted path in values.yaml; it covers the keys under it
	how    handling
	values string   // YAML setting it (merged over clusterName: ci)
	args   []string // controller arguments the value produces
	checks []check  // fields it sets
	flag   string   // refused: the LBC flag lbsg accepts only at its default
	msg    string   // refused: part of the failure; harmless: why it is
	hidden bool     // a value LBC's templates read but its values.yaml only mentions in comments
}

// lbcValues is every value of LBC v3.6.2's chart and lbsg's own values.
// TestChartCoversEveryValue walks LBC's and lbsg's values.yaml and fails on
// a key no entry covers; docs/migration.md must name every harmless and
// refused key.
var lbcValues = []chartValue{
	{key: "replicaCount", values: "replicaCount: 3", checks: []check{obj("Deployment", 3, "spec", "replicas")}},
	{key: "revisionHistoryLimit", values: "revisionHistoryLimit: 4", checks: []check{obj("Deployment", 4, "spec", "revisionHistoryLimit")}},
	{key: "image.repository", values: "image: {repository: registry.example/lbsg}", checks: []check{ctr("registry.example/lbsg:0.1.0", "image")}},
	{key: "image.tag", values: "image: {tag: v9}", checks: []check{ctr("ghcr.io/lbsg/lbsg:v9", "image")}},
	{key: "image.pullPolicy", values: "image: {pullPolicy: Always}", checks: []check{ctr("Always", "imagePullPolicy")}},
	{key: "runtimeClassName", values: "runtimeClassName: gvisor", checks: []check{pod("gvisor", "runtimeClassName")}},
	{key: "imagePullSecrets", values: "imagePullSecrets: [{name: regcred}]", checks: []check{pod([]any{map[string]any{"name": "regcred"}}, "imagePullSecrets")}},
	{key: "nameOverride", values: "nameOverride: ctl", checks: []check{obj("Deployment", "lbsg-ctl", "metadata", "name")}},
	{key: "fullnameOverride", values: "fullnameOverride: ctl", checks: []check{obj("Deployment", "ctl", "metadata", "name")}},
	{key: "autoscaling.enabled", values: "autoscaling: {enabled: true}", checks: []check{
		obj("HorizontalPodAutoscaler", "lbsg", "spec", "scaleTargetRef", "name"), obj("Deployment", nil, "spec", "replicas")}},
	{key: "autoscaling.minReplicas", values: "autoscaling: {enabled: true, minReplicas: 2}", checks: []check{obj("HorizontalPodAutoscaler", 2, "spec", "minReplicas")}},
	{key: "autoscaling.maxReplicas", values: "autoscaling: {enabled: true, maxReplicas: 3}", checks: []check{obj("HorizontalPodAutoscaler", 3, "spec", "maxReplicas")}},
	{key: "autoscaling.targetCPUUtilizationPercentage", values: "autoscaling: {enabled: true, targetCPUUtilizationPercentage: 60}",
		checks: []check{obj("HorizontalPodAutoscaler", 60, "spec", "metrics", "0", "resource", "target", "averageUtilization")}},
	{key: "autoscaling.autoscaleBehavior", hidden: true, values: "autoscaling: {enabled: true, autoscaleBehavior: {scaleDown: {stabilizationWindowSeconds: 60}}}",
		checks: []check{obj("HorizontalPodAutoscaler", 60, "spec", "behavior", "scaleDown", "stabilizationWindowSeconds")}},
	{key: "annotations", hidden: true, values: "annotations: {a: b}\nautoscaling: {enabled: true}", checks: []check{obj("HorizontalPodAutoscaler", "b", "metadata", "annotations", "a")}},
	{key: "serviceAccount.create", values: "serviceAccount: {create: false}", checks: []check{obj("ServiceAccount", nil, "metadata", "name"), pod("default", "serviceAccountName")}},
	{key: "serviceAccount.annotations", values: "serviceAccount: {annotations: {a: '{{ .Release.Name }}'}}", checks: []check{obj("ServiceAccount", "lbsg", "metadata", "annotations", "a")}},
	{key: "serviceAccount.name", values: "serviceAccount: {name: ctl}", checks: []check{obj("ServiceAccount", "ctl", "metadata", "name"), pod("ctl", "serviceAccountName")}},
	{key: "serviceAccount.automountServiceAccountToken", values: "serviceAccount: {automountServiceAccountToken: false}",
		checks: []check{obj("ServiceAccount", false, "automountServiceAccountToken"), pod(false, "automountServiceAccountToken")}},
	{key: "serviceAccount.imagePullSecrets", values: "serviceAccount: {imagePullSecrets: [{name: r}]}", checks: []check{obj("ServiceAccount", "r", "imagePullSecrets", "0", "name")}},
	{key: "rbac.create", values: "rbac: {create: false}", checks: []check{obj("ClusterRole", nil, "metadata", "name")}},
	{key: "podSecurityContext", values: "podSecurityContext: {fsGroup: 65534}", checks: []check{pod(65534, "securityContext", "fsGroup"), pod(true, "securityContext", "runAsNonRoot")}},
	{key: "securityContext", values: "securityContext: {privileged: false}", checks: []check{ctr(false, "securityContext", "privileged"), ctr(true, "securityContext", "readOnlyRootFilesystem")}},
	{key: "terminationGracePeriodSeconds", values: "terminationGracePeriodSeconds: 10", checks: []check{pod(10, "terminationGracePeriodSeconds")}},
	{key: "resources", values: "resources: {limits: {cpu: 2}}", checks: []check{ctr(2, "resources", "limits", "cpu")}},
	{key: "priorityClassName", values: "priorityClassName: high", checks: []check{pod("high", "priorityClassName")}},
	{key: "nodeSelector", values: "nodeSelector: {pool: system}", checks: []check{pod("system", "nodeSelector", "pool")}},
	{key: "tolerations", values: "tolerations: [{key: k, operator: Exists}]", checks: []check{pod("k", "tolerations", "0", "key")}},
	{key: "affinity", values: "affinity: {nodeAffinity: {}}", checks: []check{pod(map[string]any{"nodeAffinity": map[string]any{}}, "affinity")}},
	{key: "configureDefaultAffinity", values: "configureDefaultAffinity: false", checks: []check{pod(nil, "affinity")}},
	{key: "topologySpreadConstraints", values: "topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]",
		checks: []check{pod("zone", "topologySpreadConstraints", "0", "topologyKey")}},
	{key: "updateStrategy", values: "updateStrategy: {type: Recreate}", checks: []check{obj("Deployment", "Recreate", "spec", "strategy", "type")}},
	{key: "serviceAnnotations", values: "serviceAnnotations: {a: b}", checks: []check{obj("Service", "b", "metadata", "annotations", "a")}},
	{key: "deploymentAnnotations", values: "deploymentAnnotations: {a: b}", checks: []check{obj("Deployment", "b", "metadata", "annotations", "a")}},
	{key: "podAnnotations", values: "podAnnotations: {a: b}", checks: []check{obj("Deployment", "b", "spec", "template", "metadata", "annotations", "a")}},
	{key: "podLabels", values: "podLabels: {a: b}", checks: []check{obj("Deployment", "b", "spec", "template", "metadata", "labels", "a")}},
	{key: "additionalLabels", values: "additionalLabels: {team: net}", checks: []check{obj("Deployment", "net", "metadata", "labels", "team"), obj("IngressClass", "net", "metadata", "labels", "team")}},
	{key: "creator", hidden: true, values: "creator: me", checks: []check{obj("Deployment", nil, "metadata", "labels", "helm.sh/chart")}},
	{key: "enableCertManager", values: "enableCertManager: true", checks: []check{obj("Certificate", "lbsg-root-cert", "spec", "secretName"),
		obj("Issuer", "lbsg-selfsigned-issuer", "metadata", "name"), obj("Secret", nil, "metadata", "name"),
		obj("MutatingWebhookConfiguration", "kube-system/lbsg-serving-cert", "metadata", "annotations", "cert-manager.io/inject-ca-from"),
		obj("MutatingWebhookConfiguration", nil, "webhooks", "0", "clientConfig", "caBundle")}},
	{key: "certManager", values: "enableCertManager: true\ncertManager: {duration: 1h, issuerRef: {name: x, kind: ClusterIssuer}}",
		checks: []check{obj("Certificate", "1h", "spec", "duration"), obj("Certificate", "ClusterIssuer", "spec", "issuerRef", "kind"),
			obj("Certificate", "lbsg-tls", "spec", "secretName"), obj("Issuer", nil, "metadata", "name")}},
	{key: "clusterName", values: "clusterName: '{{ .Release.Namespace }}-prod'", args: []string{"--cluster-name=kube-system-prod"}},
	{key: "cluster.dnsDomain", values: "enableCertManager: true\ncertManager: {issuerRef: {name: x}}\ncluster: {dnsDomain: example.internal}",
		checks: []check{obj("Certificate", "lbsg-webhook-service.kube-system.svc.example.internal", "spec", "dnsNames", "1")}},
	{key: "ingressClass", values: "ingressClass: internal-alb", args: []string{"--ingress-class=internal-alb"}, checks: []check{obj("IngressClass", "internal-alb", "metadata", "name")}},
	{key: "ingressClass", values: "ingressClass: ''\ncreateIngressClassResource: false", args: []string{"--ingress-class="}},
	{key: "ingressClassParams.create", values: "ingressClassParams: {create: false}", checks: []check{obj("IngressClassParams", nil, "metadata", "name")}},
	{key: "ingressClassParams.name", values: "ingressClassParams: {create: false, name: shared}", checks: []check{obj("IngressClass", "shared", "spec", "parameters", "name")}},
	{key: "ingressClassParams.spec", values: "ingressClassParams: {spec: {scheme: internet-facing}}",
		checks: []check{obj("IngressClassParams", "internet-facing", "spec", "scheme"), obj("IngressClass", "alb", "spec", "parameters", "name")}},
	{key: "createIngressClassResource", values: "createIngressClassResource: false", checks: []check{obj("IngressClass", nil, "metadata", "name")}},
	{key: "region", values: "region: us-west-2", args: []string{"--aws-region=us-west-2"}},
	{key: "vpcId", values: "vpcId: vpc-0123abcd", args: []string{"--aws-vpc-id=vpc-0123abcd"}},
	{key: "vpcTags", how: refused, values: "vpcTags: {Name: main}", flag: "aws-vpc-tags", msg: "vpcTags (--aws-vpc-tags)"},
	{key: "awsApiEndpoints", values: "awsApiEndpoints: EC2=https://ec2.example,Elastic Load Balancing v2=https://elb.example",
		args: []string{"--aws-api-endpoints=EC2=https://ec2.example,Elastic Load Balancing v2=https://elb.example"}},
	{key: "awsApiThrottle", how: harmless, values: "awsApiThrottle: ['Elastic Load Balancing v2:RegisterTargets=4:20', 'EC2:.*=10:40']",
		args: []string{"--aws-api-throttle=Elastic Load Balancing v2:RegisterTargets=4:20,EC2:.*=10:40"}, msg: "lbsg applies its own client-side rate limits"},
	{key: "awsMaxRetries", values: "awsMaxRetries: 3", args: []string{"--aws-max-retries=3"}},
	{key: "defaultTargetType", values: "defaultTargetType: ip", args: []string{"--default-target-type=ip"}},
	{key: "defaultLoadBalancerScheme", values: "defaultLoadBalancerScheme: internet-facing", args: []string{"--default-load-balancer-scheme=internet-facing"}},
	{key: "enablePodReadinessGateInject", values: "enablePodReadinessGateInject: false", args: []string{"--enable-pod-readiness-gate-inject=false"}},
	{key: "enableShield", values: "enableShield: false", args: []string{"--enable-shield=false"}},
	{key: "enableWaf", values: "enableWaf: false", args: []string{"--enable-waf=false"}},
	{key: "enableWafv2", values: "enableWafv2: false", args: []string{"--enable-wafv2=false"}},
	{key: "ingressMaxConcurrentReconciles", values: "ingressMaxConcurrentReconciles: 5", args: []string{"--ingress-max-concurrent-reconciles=5"}},
	{key: "logLevel", values: "logLevel: debug", args: []string{"--log-level=debug"}},
	{key: "metricsBindAddr", values: "metricsBindAddr: ':9090'", args: []string{"--metrics-bind-address=:9090"},
		checks: []check{ctr(9090, "ports", "0", "containerPort"), obj("Deployment", "9090", "spec", "template", "metadata", "annotations", "prometheus.io/port")}},
	{key: "metricsBindAddr", values: "metricsBindAddr: '0'", args: []string{"--metrics-bind-address=0"},
		checks: []check{ctr("health", "ports", "0", "name"), obj("Deployment", nil, "spec", "template", "metadata", "annotations")}},
	{key: "webhookConfig", values: "webhookConfig: {ingressValdationFailurePolicy: Ignore, ingressValidationObjectSelector: {matchLabels: {a: b}}, ingressValidationNamespaceSelector: {matchLabels: {c: d}}}",
		checks: []check{obj("ValidatingWebhookConfiguration", "Ignore", "webhooks", "2", "failurePolicy"), obj("ValidatingWebhookConfiguration", "b", "webhooks", "2", "objectSelector", "matchLabels", "a"),
			obj("ValidatingWebhookConfiguration", "d", "webhooks", "2", "namespaceSelector", "matchLabels", "c")}},
	{key: "webhookConfig", values: "webhookConfig: {disableIngressValidation: true}", checks: []check{obj("ValidatingWebhookConfiguration", nil, "webhooks", "2")}},
	{key: "webhookBindPort", values: "webhookBindPort: 9444", args: []string{"--webhook-bind-port=9444"}, checks: []check{ctr(9444, "ports", "2", "containerPort")}},
	{key: "webhookTLS", values: "webhookTLS: {caCert: ca, cert: crt, key: pem}", checks: []check{obj("Secret", "Y2E=", "data", "ca.crt"), obj("Secret", "cGVt", "data", "tls.key"),
		obj("ValidatingWebhookConfiguration", "Y2E=", "webhooks", "0", "clientConfig", "caBundle")}},
	{key: "keepTLSSecret", how: harmless, values: "keepTLSSecret: true", msg: "keeps the certificate Secret of an earlier install (helm template has none: a new one is made)"},
	{key: "webhookNamespaceSelectors", values: "webhookNamespaceSelectors: [{key: inject, operator: Exists}]",
		checks: []check{obj("MutatingWebhookConfiguration", "inject", "webhooks", "0", "namespaceSelector", "matchExpressions", "0", "key")}},
	{key: "serviceMaxConcurrentReconciles", values: "serviceMaxConcurrentReconciles: 5", args: []string{"--service-max-concurrent-reconciles=5"}},
	{key: "targetgroupbindingMaxConcurrentReconciles", how: harmless, values: "targetgroupbindingMaxConcurrentReconciles: 5",
		args: []string{"--targetgroupbinding-max-concurrent-reconciles=5"}, msg: "no TargetGroupBinding controller"},
	{key: "targetgroupbindingMaxExponentialBackoffDelay", how: harmless, values: "targetgroupbindingMaxExponentialBackoffDelay: 5m",
		args: []string{"--targetgroupbinding-max-exponential-backoff-delay=5m"}, msg: "no TargetGroupBinding controller"},
	{key: "targetgroupbindingRequeueDuration", how: harmless, values: "targetgroupbindingRequeueDuration: 30s",
		args: []string{"--targetgroupbinding-requeue-duration=30s"}, msg: "no TargetGroupBinding controller"},
	{key: "albGatewayMaxConcurrentReconciles", how: refused, values: "albGatewayMaxConcurrentReconciles: 5", msg: "albGatewayMaxConcurrentReconciles: lbsg has no Gateway API controller"},
	{key: "nlbGatewayMaxConcurrentReconciles", how: refused, values: "nlbGatewayMaxConcurrentReconciles: 5", msg: "nlbGatewayMaxConcurrentReconciles: lbsg has no Gateway API controller"},
	{key: "globalAcceleratorMaxConcurrentReconciles", how: harmless, values: "globalAcceleratorMaxConcurrentReconciles: 2",
		args: []string{"--globalaccelerator-max-concurrent-reconciles=2"}, msg: "no Global Accelerator controller"},
	{key: "globalAcceleratorMaxExponentialBackoffDelay", how: harmless, values: "globalAcceleratorMaxExponentialBackoffDelay: 5m",
		args: []string{"--globalaccelerator-max-exponential-backoff-delay=5m"}, msg: "no Global Accelerator controller"},
	{key: "lbStabilizationMonitorInterval", how: harmless, values: "lbStabilizationMonitorInterval: 1m",
		args: []string{"--lb-stabilization-monitor-interval=1m"}, msg: "lbsg does not wait for load balancers to become active"},
	{key: "syncPeriod", values: "syncPeriod: 1h", args: []string{"--sync-period=1h"}},
	{key: "watchNamespace", how: refused, values: "watchNamespace: apps", flag: "watch-namespace", msg: "watchNamespace (--watch-namespace)"},
	{key: "disableIngressClassAnnotation", values: "disableIngressClassAnnotation: true", args: []string{"--disable-ingress-class-annotation=true"}},
	{key: "disableIngressGroupNameAnnotation", values: "disableIngressGroupNameAnnotation: true", args: []string{"--disable-ingress-group-name-annotation=true"}},
	{key: "tolerateNonExistentBackendService", how: refused, values: "tolerateNonExistentBackendService: false", flag: "tolerate-non-existent-backend-service",
		msg: "tolerateNonExistentBackendService (--tolerate-non-existent-backend-service)"},
	{key: "tolerateNonExistentBackendAction", values: "tolerateNonExistentBackendAction: false", args: []string{"--tolerate-non-existent-backend-action=false"}},
	{key: "defaultSSLPolicy", values: "defaultSSLPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06", args: []string{"--default-ssl-policy=ELBSecurityPolicy-TLS13-1-2-2021-06"}},
	{key: "livenessProbe", values: "livenessProbe: {initialDelaySeconds: 60}", checks: []check{ctr(60, "livenessProbe", "initialDelaySeconds"), ctr("/healthz", "livenessProbe", "httpGet", "path")}},
	{key: "readinessProbe", values: "readinessProbe: {periodSeconds: 7}", checks: []check{ctr(7, "readinessProbe", "periodSeconds"), ctr("/readyz", "readinessProbe", "httpGet", "path")}},
	{key: "env", values: "env: {FOO: bar, COUNT: 1}", checks: []check{ctr([]any{map[string]any{"name": "COUNT", "value": "1"}, map[string]any{"name": "FOO", "value": "bar"}}, "env")}},
	{key: "env", values: "env: [{name: FOO, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]", checks: []check{ctr("spec.nodeName", "env", "0", "valueFrom", "fieldRef", "fieldPath")}},
	{key: "envSecretName", hidden: true, values: "envSecretName: aws-secret", checks: []check{ctr("aws-secret", "env", "0", "valueFrom", "secretKeyRef", "name"), ctr("AWS_SECRET_ACCESS_KEY", "env", "1", "name")}},
	{key: "envFrom", hidden: true, values: "envFrom: [{secretRef: {name: s}}]", checks: []check{ctr("s", "envFrom", "0", "secretRef", "name")}},
	{key: "hostNetwork", values: "hostNetwork: true", checks: []check{pod(true, "hostNetwork")}},
	{key: "dnsPolicy", values: "dnsPolicy: ClusterFirstWithHostNet", checks: []check{pod("ClusterFirstWithHostNet", "dnsPolicy")}},
	{key: "extraVolumeMounts", values: "extraVolumeMounts: [{name: token, mountPath: /var/run/token}]", checks: []check{ctr("/var/run/token", "volumeMounts", "0", "mountPath"),
		ctr("/tmp/k8s-webhook-server/serving-certs", "volumeMounts", "1", "mountPath")}},
	{key: "extraVolumes", values: "extraVolumes: [{name: token, emptyDir: {}}]", checks: []check{pod("token", "volumes", "0", "name"), pod("lbsg-tls", "volumes", "1", "secret", "secretName")}},
	{key: "defaultTags", values: "defaultTags: {team: net, env: prod}", args: []string{"--default-tags=env=prod,team=net"}},
	{key: "podDisruptionBudget", values: "podDisruptionBudget: {maxUnavailable: 1}", checks: []check{obj("PodDisruptionBudget", 1, "spec", "maxUnavailable")}},
	{key: "externalManagedTags", values: "externalManagedTags: [a, b]", args: []string{"--external-managed-tags=a,b"}},
	{key: "enableEndpointSlices", how: harmless, values: "enableEndpointSlices: false", args: []string{"--enable-endpoint-slices=false"}, msg: "lbsg always reads EndpointSlices"},
	{key: "enableBackendSecurityGroup", values: "enableBackendSecurityGroup: false", args: []string{"--enable-backend-security-group=false"}},
	{key: "enableManageBackendSecurityGroupRules", values: "enableManageBackendSecurityGroupRules: true", args: []string{"--enable-manage-backend-security-group-rules=true"}},
	{key: "backendSecurityGroup", values: "backendSecurityGroup: sg-0123abcd", args: []string{"--backend-security-group=sg-0123abcd"}},
	{key: "disableRestrictedSecurityGroupRules", values: "disableRestrictedSecurityGroupRules: true", args: []string{"--disable-restricted-sg-rules=true"}},
	{key: "maxTargetsPerTargetGroup", how: refused, values: "maxTargetsPerTargetGroup: 100", flag: "max-targets-per-target-group", msg: "maxTargetsPerTargetGroup (--max-targets-per-target-group)"},
	{key: "controllerConfig.featureGates", values: "controllerConfig: {featureGates: {NLBSecurityGroup: false, ServiceTypeLoadBalancerOnly: true}}",
		args: []string{"--feature-gates=NLBSecurityGroup=false,ServiceTypeLoadBalancerOnly=true"}},
	{key: "certManagement", values: "certManagement: {defaultPCAARN: 'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x'}",
		args: []string{"--default-pca-arn=arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x"}},
	{key: "certDiscovery.allowedCertificateAuthorityARNs", values: "certDiscovery: {allowedCertificateAuthorityARNs: 'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x'}",
		args: []string{"--allowed-certificate-authority-arns=arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/x"}},
	{key: "objectSelector", values: "objectSelector: {matchLabels: {a: b}}", checks: []check{obj("MutatingWebhookConfiguration", "b", "webhooks", "0", "objectSelector", "matchLabels", "a")}},
	{key: "serviceMonitor.enabled", values: "serviceMonitor: {enabled: true}", checks: []check{
		obj("ServiceMonitor", "metrics-server", "spec", "endpoints", "0", "port"), obj("Service", "metrics-server", "spec", "ports", "0", "name"),
		obj("Deployment", nil, "spec", "template", "metadata", "annotations")}},
	{key: "serviceMonitor.namespace", values: "serviceMonitor: {enabled: true, namespace: monitoring}", checks: []check{obj("ServiceMonitor", "monitoring", "metadata", "namespace")}},
	{key: "serviceMonitor.additionalLabels", values: "serviceMonitor: {enabled: true, additionalLabels: {release: prom}}", checks: []check{obj("ServiceMonitor", "prom", "metadata", "labels", "release")}},
	{key: "serviceMonitor.interval", values: "serviceMonitor: {enabled: true, interval: 30s}", checks: []check{obj("ServiceMonitor", "30s", "spec", "endpoints", "0", "interval")}},
	{key: "serviceMonitor.scrapeTimeout", values: "serviceMonitor: {enabled: true, scrapeTimeout: 10s}", checks: []check{obj("ServiceMonitor", "10s", "spec", "endpoints", "0", "scrapeTimeout")}},
	{key: "serviceMonitor.relabelings", values: "serviceMonitor: {enabled: true, relabelings: [{action: keep}]}", checks: []check{obj("ServiceMonitor", "keep", "spec", "endpoints", "0", "relabelings", "0", "action")}},
	{key: "serviceMonitor.metricRelabelings", values: "serviceMonitor: {enabled: true, metricRelabelings: [{action: drop}]}",
		checks: []check{obj("ServiceMonitor", "drop", "spec", "endpoints", "0", "metricRelabelings", "0", "action")}},
	{key: "clusterSecretsPermissions.allowAllSecrets", values: "clusterSecretsPermissions: {allowAllSecrets: true}",
		checks: []check{obj("ClusterRole", "secrets", "rules", "0", "resources", "0"), obj("ClusterRole", "watch", "rules", "0", "verbs", "2")}},
	{key: "ingressClassConfig.default", values: "ingressClassConfig: {default: true}", checks: []check{obj("IngressClass", "true", "metadata", "annotations", "ingressclass.kubernetes.io/is-default-class")}},
	{key: "enableServiceMutatorWebhook", values: "enableServiceMutatorWebhook: false",
		checks: []check{obj("MutatingWebhookConfiguration", "mtargetgroupbinding.elbv2.k8s.aws", "webhooks", "2", "name")}},
	{key: "serviceMutatorWebhookConfig", values: "serviceMutatorWebhookConfig: {failurePolicy: Ignore, operations: [CREATE, UPDATE], namespaceSelectors: [{key: team, operator: Exists}], objectSelector: {matchLabels: {a: b}}}",
		checks: []check{obj("MutatingWebhookConfiguration", "Ignore", "webhooks", "2", "failurePolicy"), obj("MutatingWebhookConfiguration", "UPDATE", "webhooks", "2", "rules", "0", "operations", "1"),
			obj("MutatingWebhookConfiguration", "team", "webhooks", "2", "namespaceSelector", "matchExpressions", "0", "key"),
			obj("MutatingWebhookConfiguration", "b", "webhooks", "2", "objectSelector", "matchLabels", "a")}},
	{key: "podMutatorWebhookConfig", values: "podMutatorWebhookConfig: {failurePolicy: Fail}", checks: []check{obj("MutatingWebhookConfiguration", "Fail", "webhooks", "0", "failurePolicy")}},
	{key: "serviceTargetENISGTags", values: "serviceTargetENISGTags: role=node,team=net", args: []string{"--service-target-eni-security-group-tags=role=node,team=net"}},
	{key: "serviceTargetENISGTags", values: "serviceTargetENISGTags: {role: node}", args: []string{"--service-target-eni-security-group-tags=role=node"}},
	{key: "loadBalancerClass", values: "loadBalancerClass: example.com/nlb", args: []string{"--load-balancer-class=example.com/nlb"}},

	{key: "image.digest", how: own, values: "image: {digest: 'sha256:0123'}", checks: []check{ctr("ghcr.io/lbsg/lbsg@sha256:0123", "image")}},
	{key: "serviceAccount.roleArn", how: own, values: "serviceAccount: {roleArn: 'arn:aws:iam::123456789012:role/lbsg'}",
		checks: []check{obj("ServiceAccount", "arn:aws:iam::123456789012:role/lbsg", "metadata", "annotations", "eks.amazonaws.com/role-arn")}},
	{key: "awsEndpoint", how: own, values: "awsEndpoint: http://127.0.0.1:4566", args: []string{"--aws-endpoint=http://127.0.0.1:4566"}},
	{key: "adoptLBCRules", how: own, values: "adoptLBCRules: true", args: []string{"--adopt-lbc-rules=true"}},
	{key: "driftInterval", how: own, values: "driftInterval: 5m", args: []string{"--drift-interval=5m"}},
	{key: "maxConcurrentReconciles", how: own, values: "maxConcurrentReconciles: 6", args: []string{"--max-concurrent-reconciles=6"}},
	{key: "leaderElection.enabled", how: own, values: "leaderElection: {enabled: false}", args: []string{"--leader-elect=false"}},
	{key: "leaderElection.namespace", how: own, values: "leaderElection: {namespace: elect}", args: []string{"--leader-election-namespace=elect"}},
	{key: "healthProbe.port", how: own, values: "healthProbe: {port: 8081}", args: []string{"--health-probe-bind-address=:8081"},
		checks: []check{ctr(8081, "ports", "1", "containerPort")}},
	{key: "extraArgs", how: own, values: "extraArgs: [--aws-vpc-tag-key=Name]", args: []string{"--aws-vpc-tag-key=Name"}},
}

// notRendered are controller flags no chart value renders, and why.
var notRendered = map[string]string{
	"kubeconfig":                              "in-cluster config",
	"leader-election-id":                      "the Lease is lbsg's own (the chart's Role names it); LBC's chart does not set it either",
	"metrics-bind-addr":                       "LBC's alias: the chart passes --metrics-bind-address",
	"health-probe-bind-addr":                  "LBC's alias: the chart passes --health-probe-bind-address",
	"enable-leader-election":                  "LBC's alias: the chart passes --leader-elect",
	"quic-environment-variable-name":          "LBC's chart has no value for it",
	"aws-vpc-cache-ttl":                       "LBC's chart has no value for it",
	"aws-vpc-tag-key":                         "LBC's chart has no value for it",
	"webhook-cert-dir":                        "LBC's chart has no value for it",
	"webhook-cert-file":                       "LBC's chart has no value for it",
	"webhook-key-file":                        "LBC's chart has no value for it",
	"kube-ca-pem-filepath":                    "LBC's chart has no value for it",
	"required-secrets-label":                  "LBC's chart has no value for it",
	"gateway-class-max-concurrent-reconciles": "LBC's chart has no value for it",
	"alb-gateway-max-concurrent-reconciles":   "albGatewayMaxConcurrentReconciles fails the install: no Gateway API controller",
	"nlb-gateway-max-concurrent-reconciles":   "nlbGatewayMaxConcurrentReconciles fails the install: no Gateway API controller",
}

// lbcValuesFile is LBC's chart's values.yaml, at hack/tools/lbc's pin.
func lbcValuesFile(t *testing.T) string {
	t.Helper()
	return filepath.Join(lbcsource.Dir(t), "helm", "aws-load-balancer-controller", "values.yaml")
}

// render runs `helm template` on the chart with clusterName: ci and then
// each YAML document in values, later ones winning; a failed render is
// returned as an error holding helm's message.
func render(t *testing.T, values ...string) ([]*unstructured.Unstructured, error) {
	t.Helper()
	dir, err := os.MkdirTemp("", "lbsg-chart-values")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	var files []string
	for i, v := range append([]string{"clusterName: ci"}, values...) {
		f := filepath.Join(dir, strconv.Itoa(i)+".yaml")
		if err := os.WriteFile(f, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return renderFiles(t, files...)
}

func renderFiles(t *testing.T, files ...string) ([]*unstructured.Unstructured, error) {
	t.Helper()
	helm, err := filepath.Abs("../bin/helm")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(helm); err != nil {
		if localenv.RequireAssets() {
			t.Fatalf("%s missing (make tools): %v", helm, err)
		}
		t.Skipf("%s missing (make tools)", helm)
	}
	args := []string{"template", "lbsg", chart, "--namespace", "kube-system"}
	for _, f := range files {
		args = append(args, "-f", f)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), helm, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, stderr.String())
	}
	var objs []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(out), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
			return objs, nil
		} else if err != nil {
			t.Fatalf("decoding helm output: %v", err)
		}
		if len(u.Object) != 0 {
			objs = append(objs, u)
		}
	}
}

// controllerArgs returns the controller container's arguments after
// "controller".
func controllerArgs(t *testing.T, objs []*unstructured.Unstructured) []string {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() != "Deployment" {
			continue
		}
		containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
		if len(containers) != 1 {
			t.Fatalf("Deployment has %d containers", len(containers))
		}
		args, _, _ := unstructured.NestedStringSlice(containers[0].(map[string]any), "args")
		if len(args) == 0 || args[0] != "controller" {
			t.Fatalf("container args %q do not start with controller", args)
		}
		return args[1:]
	}
	t.Fatal("no Deployment rendered")
	return nil
}

// validate runs the arguments through lbsg controller's flags and
// Validate: the controller would start with them.
func validate(args []string) (*pflag.FlagSet, error) {
	o := options.New()
	fs := pflag.NewFlagSet("controller", pflag.ContinueOnError)
	o.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		return fs, err
	}
	return fs, o.Validate()
}

// field reads path from the first object of kind (nil when absent);
// numeric elements index lists.
func field(objs []*unstructured.Unstructured, kind string, path []string) any {
	for _, o := range objs {
		if o.GetKind() != kind {
			continue
		}
		var cur any = o.Object
		for _, p := range path {
			switch c := cur.(type) {
			case map[string]any:
				cur = c[p]
			case []any:
				i, err := strconv.Atoi(p)
				if err != nil || i >= len(c) {
					return nil
				}
				cur = c[i]
			default:
				return nil
			}
		}
		return cur
	}
	return nil
}

// sameJSON compares two values as JSON (numbers of any Go type alike).
func sameJSON(a, b any) bool {
	norm := func(v any) any {
		j, _ := json.Marshal(v)
		var out any
		_ = json.Unmarshal(j, &out)
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// TestChartRendersLBCValuesFile: LBC's own values.yaml, with only
// clusterName set, renders; the controller accepts the arguments, which
// are exactly those of lbsg's defaults; LBC's image is replaced by lbsg's.
func TestChartRendersLBCValuesFile(t *testing.T) {
	lbc := lbcValuesFile(t)
	f := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(f, []byte("clusterName: ci\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	objs, err := renderFiles(t, lbc, f)
	if err != nil {
		t.Fatalf("LBC's values.yaml does not render: %v", err)
	}
	args := controllerArgs(t, objs)
	if _, err := validate(args); err != nil {
		t.Errorf("the controller refuses %q: %v", args, err)
	}
	defaults, err := render(t)
	if err != nil {
		t.Fatal(err)
	}
	if want := controllerArgs(t, defaults); !slices.Equal(args, want) {
		t.Errorf("LBC's values.yaml renders args\n%q\nlbsg's defaults\n%q", args, want)
	}
	if got, want := field(objs, "Deployment", []string{"spec", "template", "spec", "containers", "0", "image"}),
		field(defaults, "Deployment", []string{"spec", "template", "spec", "containers", "0", "image"}); got != want {
		t.Errorf("image %v with LBC's values.yaml, want lbsg's %v", got, want)
	}
}

// TestChartCoversEveryValue walks every key of LBC's values.yaml and of
// lbsg's: each must be mapped, harmless or refused (lbcValues), so no LBC
// value is forgotten; and every entry names a key that exists.
func TestChartCoversEveryValue(t *testing.T) {
	covered := map[string]chartValue{}
	for _, v := range lbcValues {
		covered[v.key] = v
	}
	seen := map[string]bool{}
	for _, file := range []struct {
		path string
		lbc  bool
	}{{lbcValuesFile(t), true}, {chart + "values.yaml", false}} {
		var walk func(prefix string, m map[string]any)
		walk = func(prefix string, m map[string]any) {
			for _, k := range slices.Sorted(maps.Keys(m)) {
				key := prefix + k
				seen[key] = true
				v, ok := covered[key]
				if ok {
					if file.lbc && v.how == own {
						t.Errorf("%s is in LBC's values.yaml but listed as lbsg's own", key)
					}
					continue
				}
				if sub, isMap := m[k].(map[string]any); isMap && len(sub) > 0 {
					walk(key+".", sub)
					continue
				}
				t.Errorf("%s (%s) is neither mapped, harmless nor refused: add it to lbcValues", key, file.path)
			}
		}
		walk("", readYAML(t, file.path))
	}
	for _, v := range lbcValues {
		if !v.hidden && !seen[v.key] {
			t.Errorf("lbcValues lists %s, which neither values.yaml has", v.key)
		}
	}
}

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096).Decode(&m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// TestChartLBCValues sets each value to a non-default and checks what the
// chart does: mapped and harmless values render the flags and fields
// listed, and the controller accepts the flags; refused values fail the
// render with a message naming them (for an LBC flag lbsg accepts only at
// its default, with the controller's own "lacks" text).
func TestChartLBCValues(t *testing.T) {
	lbcFlag := map[string]options.LBCFlag{}
	for _, f := range options.LBCFlags {
		lbcFlag[f.Name] = f
	}
	for _, v := range lbcValues {
		t.Run(v.key+"="+v.values, func(t *testing.T) {
			objs, err := render(t, v.values)
			if v.how == refused {
				if err == nil {
					t.Fatalf("rendered; want a failure naming %s", v.key)
				}
				if !strings.Contains(err.Error(), v.msg) {
					t.Errorf("failure lacks %q:\n%v", v.msg, err)
				}
				if v.flag != "" {
					f, ok := lbcFlag[v.flag]
					if !ok || !f.DefaultOnly() {
						t.Fatalf("--%s is not an LBC flag lbsg accepts only at its default", v.flag)
					}
					if !strings.Contains(err.Error(), f.Note) {
						t.Errorf("failure lacks the controller's text %q:\n%v", f.Note, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			args := controllerArgs(t, objs)
			for _, a := range v.args {
				if !slices.Contains(args, a) {
					t.Errorf("controller args %q lack %q", args, a)
				}
			}
			if _, err := validate(args); err != nil {
				t.Errorf("the controller refuses %q: %v", args, err)
			}
			for _, c := range v.checks {
				if got := field(objs, c.kind, c.path); !sameJSON(got, c.want) {
					t.Errorf("%s %s = %#v, want %#v", c.kind, strings.Join(c.path, "."), got, c.want)
				}
			}
			if (v.how == mapped || v.how == own) && len(v.args) == 0 && len(v.checks) == 0 {
				t.Error("a mapped value with neither args nor checks")
			}
		})
	}
}

// TestChartRefusesEveryDefaultOnlyFlag: every LBC flag lbsg accepts only
// at its default has a chart value that fails the install, unless the
// chart renders no value for it (notRendered: LBC's chart has none either;
// the controller itself refuses the flag at start).
func TestChartRefusesEveryDefaultOnlyFlag(t *testing.T) {
	for _, f := range options.LBCFlags {
		if !f.DefaultOnly() {
			continue
		}
		if _, ok := notRendered[f.Name]; ok {
			continue
		}
		if !slices.ContainsFunc(lbcValues, func(v chartValue) bool { return v.how == refused && v.flag == f.Name }) {
			t.Errorf("--%s is refused by the controller away from its default, but no chart value refuses it", f.Name)
		}
	}
}

// TestChartRendersEveryControllerFlag: every flag of lbsg controller is
// rendered by some value (lbcValues, or the defaults), refused through one,
// or listed in notRendered.
func TestChartRendersEveryControllerFlag(t *testing.T) {
	defaults, err := render(t)
	if err != nil {
		t.Fatal(err)
	}
	reached := map[string]bool{}
	mark := func(arg string) {
		name, _, _ := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
		reached[name] = true
	}
	for _, a := range controllerArgs(t, defaults) {
		mark(a)
	}
	for _, v := range lbcValues {
		for _, a := range v.args {
			if v.key != "extraArgs" {
				mark(a)
			}
		}
		if v.flag != "" {
			reached[v.flag] = true
		}
	}
	fs, _ := validate(nil)
	fs.VisitAll(func(f *pflag.Flag) {
		if _, ok := notRendered[f.Name]; ok {
			if reached[f.Name] {
				t.Errorf("--%s is rendered but listed in notRendered", f.Name)
			}
			return
		}
		if !reached[f.Name] {
			t.Errorf("no chart value renders --%s (map an LBC value to it, or list it in notRendered)", f.Name)
		}
	})
}

// TestChartFeatureGates: every LBC feature gate set to the other value
// than LBC's default fails the chart exactly when the controller would
// refuse it, naming the gate.
func TestChartFeatureGates(t *testing.T) {
	for _, gate := range options.LBCGates() {
		other := !options.New().Gate(gate)
		t.Run(fmt.Sprintf("%s=%t", gate, other), func(t *testing.T) {
			_, ctlErr := validate([]string{"--cluster-name=ci", fmt.Sprintf("--feature-gates=%s=%t", gate, other)})
			objs, err := render(t, fmt.Sprintf("controllerConfig: {featureGates: {%s: %t}}", gate, other))
			switch {
			case ctlErr != nil && err == nil:
				t.Errorf("the chart renders it; the controller refuses it: %v", ctlErr)
			case ctlErr == nil && err != nil:
				t.Errorf("the chart fails; the controller accepts it: %v", err)
			case err != nil && !strings.Contains(err.Error(), "controllerConfig.featureGates."+gate):
				t.Errorf("failure does not name the gate: %v", err)
			case err != nil && !strings.Contains(err.Error(), lacks(ctlErr)):
				t.Errorf("failure lacks the controller's text %q: %v", lacks(ctlErr), err)
			case err == nil:
				if want := fmt.Sprintf("--feature-gates=%s=%t", gate, other); !slices.Contains(controllerArgs(t, objs), want) {
					t.Errorf("controller args lack %s", want)
				}
			}
			// The default is always accepted, as LBC's chart passes it.
			if _, err := render(t, fmt.Sprintf("controllerConfig: {featureGates: {%s: %t}}", gate, !other)); err != nil {
				t.Errorf("the default value fails: %v", err)
			}
		})
	}
}

// lacks is "lbsg lacks …" from the controller's error.
func lacks(err error) string {
	_, after, _ := strings.Cut(err.Error(), "lbsg lacks ")
	what, _, _ := strings.Cut(after, ";")
	return "lbsg lacks " + what
}

// TestChartValuesAreDocumented: docs/migration.md names every harmless and
// refused value, and docs/flags.md's chart column names the value behind
// each flag the chart renders.
func TestChartValuesAreDocumented(t *testing.T) {
	migration, err := os.ReadFile("../docs/migration.md")
	if err != nil {
		t.Fatal(err)
	}
	flags, err := os.ReadFile("../docs/flags.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for line := range strings.SplitSeq(string(flags), "\n") {
		if f, ok := strings.CutPrefix(line, "| `--"); ok {
			name, _, _ := strings.Cut(f, "`")
			rows[name] = line
		}
	}
	for _, v := range lbcValues {
		if (v.how == harmless || v.how == refused) && !bytes.Contains(migration, []byte("`"+v.key)) {
			t.Errorf("docs/migration.md does not name `%s` (%s)", v.key, map[handling]string{harmless: "harmless", refused: "refused"}[v.how])
		}
		for _, a := range v.args {
			name, _, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
			if v.key == "extraArgs" {
				continue
			}
			if !strings.Contains(rows[name], "`"+v.key+"`") {
				t.Errorf("docs/flags.md's row of --%s does not name the chart value `%s` (hack/gen-flags chartValue)", name, v.key)
			}
		}
	}
}

// TestChartSchemaRefusesUnknownKeys: a key neither LBC's chart nor lbsg's
// has (a typo, or a name of lbsg's 0.1 chart) fails the install by name
// instead of being ignored.
func TestChartSchemaRefusesUnknownKeys(t *testing.T) {
	for _, tt := range []struct{ values, name string }{
		{"clusterNmae: x", "clusterNmae"},
		{"serviceAccount: {roleARN: x}", "roleARN"},
		{"controllerConfig: {featureGates: {NLBSecurityGroups: false}}", "NLBSecurityGroups"},
		{"webhookConfig: {disableIngressValidaton: true}", "disableIngressValidaton"},
		{"disableRestrictedSGRules: true", "disableRestrictedSGRules"},
		{"featureGates: {NLBSecurityGroup: false}", "featureGates"},
		{"ingressClass: {name: alb}", "ingressClass"},
		{"spreadAcrossNodes: false", "spreadAcrossNodes"},
	} {
		t.Run(tt.values, func(t *testing.T) {
			_, err := render(t, tt.values)
			if err == nil {
				t.Fatal("rendered")
			}
			if !strings.Contains(err.Error(), tt.name) {
				t.Errorf("failure does not name %s: %v", tt.name, err)
			}
		})
	}
}
