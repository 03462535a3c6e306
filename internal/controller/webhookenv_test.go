package controller_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/testenv"
	"github.com/lbsg/lbsg/internal/webhook"
)

// webhookEnv is a test's webhook server: a free port, a self-signed
// certificate, and LBC's webhook configurations calling it by URL, scoped
// to the test's namespace (the apiserver is shared).
type webhookEnv struct {
	port int
	dir  string
	ca   []byte
}

func newWebhookEnv(tb testing.TB) *webhookEnv {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	certs, err := webhook.SelfSigned([]string{"127.0.0.1"}, time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	for name, data := range map[string][]byte{"tls.crt": certs.Cert, "tls.key": certs.Key} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return &webhookEnv{port: port, dir: dir, ca: certs.CA}
}

// install waits for the server and registers the configurations.
func (w *webhookEnv) install(tb testing.TB, k *testenv.KubeEnv) {
	tb.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(w.ca)
	addr := "127.0.0.1:" + strconv.Itoa(w.port)
	testenv.Eventually(tb, "webhook server serving", func(ctx context.Context) (bool, error) {
		d := tls.Dialer{Config: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return false, nil //nolint:nilerr // not up yet
		}
		_ = c.Close()
		return true, nil
	})
	m, v := webhook.Configurations(webhook.ConfigOptions{
		Name: "lbsg-" + k.Namespace, ControllerName: "lbsg", ServiceMutator: true,
		ClientConfig: func(path string) admissionregistrationv1.WebhookClientConfig {
			return admissionregistrationv1.WebhookClientConfig{URL: ptr.To(fmt.Sprintf("https://%s%s", addr, path)), CABundle: w.ca}
		},
		Scope: []metav1.LabelSelectorRequirement{{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: []string{k.Namespace}}},
	})
	ctx := tb.Context()
	if err := k.Client.Create(ctx, m); err != nil {
		tb.Fatal(err)
	}
	if err := k.Client.Create(ctx, v); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := testenv.CleanupContext(tb)
		defer cancel()
		_ = k.Client.Delete(ctx, m)
		_ = k.Client.Delete(ctx, v)
	})
}
