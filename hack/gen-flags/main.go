// Command gen-flags writes docs/flags.md, the reference of `lbsg controller`
// flags, from internal/options' flag set:
//
//	go run ./hack/gen-flags -o docs/flags.md   (make generate)
//
// The test beside it fails when docs/flags.md is stale.
package main

//go:generate go run . -o ../../docs/flags.md

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/lbsg/lbsg/internal/options"
)

// chartValue is the Helm value (deploy/helm/lbsg/values.yaml, LBC's name
// where LBC's chart has it) behind a flag; deploy's tests check the column
// against the chart.
var chartValue = map[string]string{
	"cluster-name":                  "clusterName",
	"aws-region":                    "region",
	"aws-vpc-id":                    "vpcId",
	"aws-endpoint":                  "awsEndpoint",
	"aws-max-retries":               "awsMaxRetries",
	"enable-backend-security-group": "enableBackendSecurityGroup",
	"backend-security-group":        "backendSecurityGroup",
	"enable-manage-backend-security-group-rules": "enableManageBackendSecurityGroupRules",
	"disable-restricted-sg-rules":                "disableRestrictedSecurityGroupRules",
	"default-tags":                               "defaultTags",
	"adopt-lbc-rules":                            "adoptLBCRules",
	"default-target-type":                        "defaultTargetType",
	"default-load-balancer-scheme":               "defaultLoadBalancerScheme",
	"default-ssl-policy":                         "defaultSSLPolicy",
	"service-target-eni-security-group-tags":     "serviceTargetENISGTags",
	"external-managed-tags":                      "externalManagedTags",
	"load-balancer-class":                        "loadBalancerClass",
	"ingress-class":                              "ingressClass",
	"drift-interval":                             "driftInterval",
	"max-concurrent-reconciles":                  "maxConcurrentReconciles",
	"kubeconfig":                                 "— (in-cluster)",
	"metrics-bind-address":                       "metricsBindAddr",
	"health-probe-bind-address":                  "healthProbe.port",
	"leader-elect":                               "leaderElection.enabled",
	"leader-election-namespace":                  "leaderElection.namespace",
	"feature-gates":                              "controllerConfig.featureGates",
	// LBC's flags, from LBC's values.
	"service-max-concurrent-reconciles":                "serviceMaxConcurrentReconciles",
	"ingress-max-concurrent-reconciles":                "ingressMaxConcurrentReconciles",
	"log-level":                                        "logLevel",
	"sync-period":                                      "syncPeriod",
	"aws-api-endpoints":                                "awsApiEndpoints",
	"aws-api-throttle":                                 "awsApiThrottle",
	"enable-shield":                                    "enableShield",
	"enable-waf":                                       "enableWaf",
	"enable-wafv2":                                     "enableWafv2",
	"enable-pod-readiness-gate-inject":                 "enablePodReadinessGateInject",
	"enable-endpoint-slices":                           "enableEndpointSlices",
	"webhook-bind-port":                                "webhookBindPort",
	"targetgroupbinding-max-concurrent-reconciles":     "targetgroupbindingMaxConcurrentReconciles",
	"targetgroupbinding-max-exponential-backoff-delay": "targetgroupbindingMaxExponentialBackoffDelay",
	"targetgroupbinding-requeue-duration":              "targetgroupbindingRequeueDuration",
	"globalaccelerator-max-concurrent-reconciles":      "globalAcceleratorMaxConcurrentReconciles",
	"globalaccelerator-max-exponential-backoff-delay":  "globalAcceleratorMaxExponentialBackoffDelay",
	"lb-stabilization-monitor-interval":                "lbStabilizationMonitorInterval",
	"allowed-certificate-authority-arns":               "certDiscovery.allowedCertificateAuthorityARNs",
	"watch-namespace":                                  "watchNamespace",
	"aws-vpc-tags":                                     "vpcTags",
	"max-targets-per-target-group":                     "maxTargetsPerTargetGroup",
	"disable-ingress-class-annotation":                 "disableIngressClassAnnotation",
	"disable-ingress-group-name-annotation":            "disableIngressGroupNameAnnotation",
	"tolerate-non-existent-backend-service":            "tolerateNonExistentBackendService",
	"tolerate-non-existent-backend-action":             "tolerateNonExistentBackendAction",
	"default-pca-arn":                                  "certManagement",
	"alb-gateway-max-concurrent-reconciles":            "albGatewayMaxConcurrentReconciles",
	"nlb-gateway-max-concurrent-reconciles":            "nlbGatewayMaxConcurrentReconciles",
}

// chartRefuses are flags whose chart value fails the install when set
// (the controller takes them as no-ops, the chart asks for a Gateway API
// controller lbsg lacks); a default-only flag's value fails too.
var chartRefuses = map[string]bool{
	"alb-gateway-max-concurrent-reconciles": true,
	"nlb-gateway-max-concurrent-reconciles": true,
}

func refusedByChart(name string) bool {
	if chartRefuses[name] {
		return true
	}
	for _, f := range options.LBCFlags {
		if f.Name == name {
			return f.DefaultOnly()
		}
	}
	return false
}

// render returns docs/flags.md.
func render() []byte {
	fs := pflag.NewFlagSet("controller", pflag.ContinueOnError)
	options.New().AddFlags(fs)
	var b bytes.Buffer
	b.WriteString("# `lbsg controller` flags\n\n")
	b.WriteString("<!-- Generated by hack/gen-flags from internal/options (make generate). DO NOT EDIT. -->\n\n")
	b.WriteString("Names follow the AWS Load Balancer Controller's where LBC has the flag.\n")
	b.WriteString("The Helm chart (`deploy/helm/lbsg`) takes LBC's chart values under LBC's names: the last column is the value behind\n")
	b.WriteString("each flag (\"refused\": any value but LBC's default fails the install; docs/migration.md, \"Helm values\").\n")
	b.WriteString("Every flag of LBC v3.6.2 is accepted (a test compares the list with LBC's source): as lbsg's own flag,\n")
	b.WriteString("as an alias of one (\"LBC's name of\"), with no effect where it tunes something lbsg does not run\n")
	b.WriteString("(\"accepted\"), or only at LBC's default where lbsg lacks the behaviour (any other value is a start-up\n")
	b.WriteString("error naming the flag). `--feature-gates` takes every LBC gate the same way.\n\n")
	b.WriteString("| flag | type | default | description | chart value |\n")
	b.WriteString("|---|---|---|---|---|\n")
	fs.VisitAll(func(f *pflag.Flag) {
		def := f.DefValue
		switch def {
		case "", "[]":
			def = "—"
		default:
			def = "`" + def + "`"
		}
		v := chartValue[f.Name]
		switch {
		case v == "" && options.LBCOnly(f.Name):
			v = "— (LBC's flag)"
		case v == "":
			v = "—"
		case !strings.HasPrefix(v, "—"):
			v = "`" + v + "`"
			if refusedByChart(f.Name) {
				v += " (refused)"
			}
		}
		fmt.Fprintf(&b, "| `--%s` | %s | %s | %s | %s |\n", f.Name, f.Value.Type(), def,
			strings.ReplaceAll(f.Usage, "|", `\|`), v)
	})
	return b.Bytes()
}

func main() {
	out := flag.String("o", "", "output file (default: stdout)")
	flag.Parse()
	doc := render()
	if *out == "" {
		_, _ = os.Stdout.Write(doc)
		return
	}
	if err := os.WriteFile(*out, doc, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
