package webhook

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/lbsg/lbsg/internal/ingressclass"
	"github.com/lbsg/lbsg/internal/options"
)

// Paths LBC v3.6.2 serves, and that its chart's webhook configurations
// call.
const (
	PathMutatePod                 = "/mutate-v1-pod"
	PathMutatePodServerID         = "/mutate-v1-pod-server-id"
	PathMutateService             = "/mutate-v1-service"
	PathValidateIngress           = "/validate-networking-v1-ingress"
	PathValidateIngressClassParam = "/validate-elbv2-k8s-aws-v1beta1-ingressclassparams"
	PathValidateTargetGroupBind   = "/validate-elbv2-k8s-aws-v1beta1-targetgroupbinding"
	PathMutateTargetGroupBind     = "/mutate-elbv2-k8s-aws-v1beta1-targetgroupbinding"
)

// Config is what Register needs.
type Config struct {
	Webhook options.Webhook
	// LoadBalancerClass is --load-balancer-class (the Service mutator's
	// value).
	LoadBalancerClass string
	// IngressClass is --ingress-class.
	IngressClass string
	// Reader reads Services, IngressClasses, IngressClassParams and
	// Namespaces (the manager's cached client).
	Reader client.Reader
	// Writer creates and updates the QUIC worker-ID ConfigMap; APIReader
	// reads it uncached.
	Writer    client.Client
	APIReader client.Reader
	// Gates names the readiness gates of new pods (nil: none injected).
	Gates GateSource
	// QUICEnv is the container variable of QUIC server IDs.
	QUICEnv string
	// Extra are handlers of other paths, e.g. the TargetGroupBinding
	// validator (PathValidateTargetGroupBind) and mutator: the hook for
	// webhooks built elsewhere.
	Extra map[string]admission.Handler
}

// ErrNoCertificate: the serving certificate is not where the flags say.
var ErrNoCertificate = errors.New("no webhook serving certificate")

// NewServer returns controller-runtime's webhook server configured by the
// webhook flags (nil when BindPort is 0: no webhooks). A certificate that
// is not there is ErrNoCertificate, wrapped with its path: the caller
// decides whether to run without webhooks (a run outside the chart, which
// always mounts one).
func NewServer(o options.Webhook) (crwebhook.Server, error) {
	if o.BindPort == 0 {
		return nil, nil
	}
	opts := crwebhook.Options{Port: o.BindPort, CertDir: o.CertDir, CertName: o.CertFile, KeyName: o.KeyFile}
	dir, name := cmp.Or(o.CertDir, filepath.Join(os.TempDir(), "k8s-webhook-server", "serving-certs")), cmp.Or(o.CertFile, "tls.crt")
	if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
		return nil, fmt.Errorf("%w at %s", ErrNoCertificate, filepath.Join(dir, name))
	}
	opts.TLSOpts = append(opts.TLSOpts, func(c *tls.Config) { c.MinVersion = tls.VersionTLS12 })
	if o.KubeCAPEMFile != "" {
		data, err := os.ReadFile(o.KubeCAPEMFile)
		if err != nil {
			return nil, fmt.Errorf("--kube-ca-pem-filepath: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			return nil, errors.New("--kube-ca-pem-filepath: no PEM certificate in " + o.KubeCAPEMFile)
		}
		opts.TLSOpts = append(opts.TLSOpts, func(c *tls.Config) {
			c.ClientCAs, c.ClientAuth = pool, tls.RequireAndVerifyClientCert
		})
	}
	return crwebhook.NewServer(opts), nil
}

// Handlers returns the handler of every path lbsg serves.
func Handlers(c Config, scheme *runtime.Scheme) map[string]http.Handler {
	dec := admission.NewDecoder(scheme)
	hooks := map[string]admission.Handler{
		PathMutatePod:                 &podGates{dec: dec, gates: c.Gates, enabled: c.Webhook.PodReadinessGateInject},
		PathMutatePodServerID:         &podServerID{dec: dec, env: c.QUICEnv, ids: newServerIDs(c.Writer, c.APIReader)},
		PathMutateService:             &serviceClass{dec: dec, class: c.LoadBalancerClass},
		PathValidateIngress:           &ingressRules{dec: dec, reader: c.Reader, cfg: ingressclass.Config{IngressClass: c.IngressClass}, w: c.Webhook},
		PathValidateIngressClassParam: &paramsRules{dec: dec},
	}
	// Until a TargetGroupBinding webhook is registered, its paths admit
	// everything: LBC's chart calls them with failurePolicy Fail, and a
	// missing path would refuse every binding.
	for _, p := range []string{PathValidateTargetGroupBind, PathMutateTargetGroupBind} {
		hooks[p] = admitAll{}
	}
	for p, h := range c.Extra {
		hooks[p] = h
	}
	out := make(map[string]http.Handler, len(hooks))
	for p, h := range hooks {
		out[p] = &crwebhook.Admission{Handler: h}
	}
	return out
}

// Register adds the handlers to srv.
func Register(srv crwebhook.Server, c Config, scheme *runtime.Scheme) {
	for p, h := range Handlers(c, scheme) {
		srv.Register(p, h)
	}
}

// admitAll admits every request.
type admitAll struct{}

func (admitAll) Handle(context.Context, admission.Request) admission.Response {
	return admission.Allowed("")
}
