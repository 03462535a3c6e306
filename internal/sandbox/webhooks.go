package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/webhook"
)

// WebhookName names the sandbox's webhook configurations.
const WebhookName = "lbsg-sandbox-webhook"

// Webhooks prepares the controller's webhooks in the sandbox: a CA and
// serving certificate for 127.0.0.1 in DIR/webhook, and a free port. It
// returns the controller flags that serve them and install, which waits
// until the server answers and then registers LBC's webhook
// configurations (calling it by URL, with the CA as caBundle) with the
// sandbox's apiserver, so admission runs there as in a cluster.
func Webhooks(w *World) (flags []string, install func(context.Context) error, err error) {
	dir := filepath.Join(w.Dir, "webhook")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	certs, err := webhook.SelfSigned([]string{"127.0.0.1", "localhost"}, 365*24*time.Hour)
	if err != nil {
		return nil, nil, err
	}
	for name, data := range map[string][]byte{"tls.crt": certs.Cert, "tls.key": certs.Key, "ca.crt": certs.CA} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return nil, nil, err
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	flags = []string{"--webhook-bind-port", strconv.Itoa(port), "--webhook-cert-dir", dir}
	install = func(ctx context.Context) error {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(certs.CA)
		if err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
			d := tls.Dialer{Config: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
			c, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				return false, nil //nolint:nilerr // not serving yet
			}
			_ = c.Close()
			return true, nil
		}); err != nil {
			return fmt.Errorf("webhook server on %s: %w", addr, err)
		}
		m, v := webhook.Configurations(webhook.ConfigOptions{Name: WebhookName, ControllerName: "lbsg", ServiceMutator: true,
			ClientConfig: func(path string) admissionregistrationv1.WebhookClientConfig {
				return admissionregistrationv1.WebhookClientConfig{URL: ptr.To("https://" + addr + path), CABundle: certs.CA}
			}})
		kube, err := kubernetes.NewForConfig(w.Kube)
		if err != nil {
			return err
		}
		mc := kube.AdmissionregistrationV1().MutatingWebhookConfigurations()
		if old, err := mc.Get(ctx, m.Name, metav1.GetOptions{}); err == nil {
			m.ResourceVersion = old.ResourceVersion
			_, err = mc.Update(ctx, m, metav1.UpdateOptions{})
			if err != nil {
				return err
			}
		} else if !apierrors.IsNotFound(err) {
			return err
		} else if _, err := mc.Create(ctx, m, metav1.CreateOptions{}); err != nil {
			return err
		}
		vc := kube.AdmissionregistrationV1().ValidatingWebhookConfigurations()
		if old, err := vc.Get(ctx, v.Name, metav1.GetOptions{}); err == nil {
			v.ResourceVersion = old.ResourceVersion
			_, err = vc.Update(ctx, v, metav1.UpdateOptions{})
			return err
		} else if !apierrors.IsNotFound(err) {
			return err
		}
		_, err = vc.Create(ctx, v, metav1.CreateOptions{})
		return err
	}
	return flags, install, nil
}

// RemoveWebhooks deletes the sandbox's webhook configurations (the
// controller that served them stopped; a resumed sandbox registers them
// again with the new port and CA).
func RemoveWebhooks(ctx context.Context, w *World) error {
	kube, err := kubernetes.NewForConfig(w.Kube)
	if err != nil {
		return err
	}
	if err := kube.AdmissionregistrationV1().MutatingWebhookConfigurations().Delete(ctx, WebhookName, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	if err := kube.AdmissionregistrationV1().ValidatingWebhookConfigurations().Delete(ctx, WebhookName, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return nil
}
