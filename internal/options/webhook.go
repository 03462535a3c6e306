package options

import (
	"fmt"

	"github.com/spf13/pflag"
)

// DefaultWebhookBindPort is LBC's --webhook-bind-port default.
const DefaultWebhookBindPort = 9443

// Webhook is the configuration of the admission webhook server (LBC's
// flags of the same names and defaults).
type Webhook struct {
	// BindPort is the port the HTTPS server listens on; 0 serves no
	// webhooks (lbsg's addition: LBC always serves them).
	BindPort int
	// CertDir, CertFile and KeyFile locate the serving certificate
	// (controller-runtime's defaults when empty: the system temp dir's
	// k8s-webhook-server/serving-certs, tls.crt, tls.key).
	CertDir, CertFile, KeyFile string
	// KubeCAPEMFile, when set, makes the server require client
	// certificates signed by that CA (the apiserver's).
	KubeCAPEMFile string
	// PodReadinessGateInject is --enable-pod-readiness-gate-inject.
	PodReadinessGateInject bool
	// DisableIngressClassAnnotation and DisableIngressGroupNameAnnotation
	// make the Ingress validator refuse new uses of those annotations.
	DisableIngressClassAnnotation     bool
	DisableIngressGroupNameAnnotation bool
}

func (o *Controller) addWebhookFlags(fs *pflag.FlagSet) {
	w := &o.Webhook
	fs.IntVar(&w.BindPort, "webhook-bind-port", DefaultWebhookBindPort, "port of the admission webhook server (LBC's flag; 0: serve no webhooks)")
	fs.StringVar(&w.CertDir, "webhook-cert-dir", "", "directory of the webhook server's certificate and key (LBC's flag)")
	fs.StringVar(&w.CertFile, "webhook-cert-file", "", "webhook server certificate file name in --webhook-cert-dir (LBC's flag; default tls.crt)")
	fs.StringVar(&w.KeyFile, "webhook-key-file", "", "webhook server key file name in --webhook-cert-dir (LBC's flag; default tls.key)")
	fs.StringVar(&w.KubeCAPEMFile, "kube-ca-pem-filepath", "", "CA whose client certificates alone may call the webhooks (LBC's flag; default: no client certificate asked)")
	fs.BoolVar(&w.PodReadinessGateInject, "enable-pod-readiness-gate-inject", true,
		"inject target-health.elbv2.k8s.aws readiness gates into pods of namespaces labelled elbv2.k8s.aws/pod-readiness-gate-inject=enabled (LBC's flag)")
	fs.BoolVar(&w.DisableIngressClassAnnotation, "disable-ingress-class-annotation", false,
		"the Ingress webhook refuses new uses of the kubernetes.io/ingress.class annotation (LBC's flag)")
	fs.BoolVar(&w.DisableIngressGroupNameAnnotation, "disable-ingress-group-name-annotation", false,
		"the Ingress webhook refuses new uses of the alb.ingress.kubernetes.io/group.name annotation (LBC's flag)")
}

func (o *Controller) validateWebhook() []error {
	if p := o.Webhook.BindPort; p < 0 || p > 65535 {
		return []error{fmt.Errorf("--webhook-bind-port must be a port number or 0, got %d", p)}
	}
	return nil
}
