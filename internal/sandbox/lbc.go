package sandbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/lbsg/lbsg/internal/apis/crds"
	"github.com/lbsg/lbsg/internal/lbcsource"
	"github.com/lbsg/lbsg/internal/localenv"
	"github.com/lbsg/lbsg/internal/toolcache"
)

// LBC runs the unmodified AWS Load Balancer Controller (the binary
// hack/tools builds, `make tools` or `lbsg tools`) against the sandbox, the
// way LBC runs outside a cluster: its CRDs applied, the emulator as every
// AWS endpoint, fake credentials, no IMDS, no leader election, a throwaway
// webhook certificate. Its log is DIR/lbc.log. The flags that only work
// around an emulator gap are marked in LBCArgs.
func LBC(ctx context.Context, w *World) error {
	cmd, logFile, err := LBCCommand(ctx, w)
	if err != nil {
		return err
	}
	defer func() { _ = logFile.Close() }()
	_, _ = fmt.Fprintf(w.Out, "==> running the AWS Load Balancer Controller (%s); logs: %s\n", cmd.Path, logFile.Name())
	err = cmd.Run()
	if ctx.Err() != nil {
		return nil // stopped with the sandbox
	}
	return fmt.Errorf("the AWS Load Balancer Controller exited: %w (see %s)", err, logFile.Name())
}

// LBCCommand prepares the sandbox for LBC (its CRDs, a webhook
// certificate) and returns the command that runs it until ctx ends,
// writing to the returned log file (DIR/lbc.log, appended), which the
// caller closes once the command is done.
func LBCCommand(ctx context.Context, w *World) (*exec.Cmd, *os.File, error) {
	bin, err := lbcBinary(ctx, w)
	if err != nil {
		return nil, nil, err
	}
	src, err := lbcsource.Download(ctx) // for LBC's CRDs
	if err != nil {
		return nil, nil, err
	}
	if err := crds.InstallFS(ctx, w.Kube, os.DirFS(filepath.Join(src, "config", "crd", "bases"))); err != nil {
		return nil, nil, fmt.Errorf("installing LBC's CRDs: %w", err)
	}
	certDir := filepath.Join(w.Dir, "lbc-webhook")
	if err := selfSignedCert(certDir); err != nil {
		return nil, nil, fmt.Errorf("LBC's webhook certificate: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	logFile, err := os.OpenFile(filepath.Join(w.Dir, "lbc.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, bin, LBCArgs(w, certDir, port)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=sandbox", "AWS_SECRET_ACCESS_KEY=sandbox", "AWS_EC2_METADATA_DISABLED=true")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 20 * time.Second
	return cmd, logFile, nil
}

// LBCArgs are the flags LBC runs with against the sandbox.
func LBCArgs(w *World, certDir string, webhookPort int) []string {
	return []string{
		"--cluster-name=" + w.AWS.ClusterName,
		"--aws-region=" + w.AWS.Region,
		"--aws-vpc-id=" + w.AWS.VPCID,
		"--aws-api-endpoints=EC2=" + w.AWS.URL + ",Elastic Load Balancing v2=" + w.AWS.URL + ",ACM=" + w.AWS.URL,
		"--kubeconfig=" + w.Kubeconfig,
		"--ingress-class=" + IngressClassName,
		"--enable-leader-election=false",
		"--metrics-bind-addr=0",
		"--health-probe-bind-addr=0",
		"--webhook-cert-dir=" + certDir,
		"--webhook-bind-port=" + strconv.Itoa(webhookPort),
		// Emulator gaps: it serves no WAF Regional, WAFv2 or Shield yet.
		"--enable-shield=false", "--enable-waf=false", "--enable-wafv2=false",
	}
}

// lbcBinary finds lbc next to this binary, in the repository's bin/ or in
// the tools cache, building it into the cache when it is in none.
func lbcBinary(ctx context.Context, w *World) (string, error) {
	if exe, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(exe), "lbc"); isExecutable(p) {
			return p, nil
		}
	}
	if d, err := localenv.AssetsDir(); err == nil && isExecutable(filepath.Join(d, "lbc")) {
		return filepath.Join(d, "lbc"), nil
	}
	if err := toolcache.Build(ctx, w.Out, "lbc"); err != nil {
		return "", fmt.Errorf("building the AWS Load Balancer Controller: %w", err)
	}
	return toolcache.Path("lbc")
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// selfSignedCert writes tls.crt and tls.key for localhost into dir, once.
func selfSignedCert(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "tls.crt")); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lbc-webhook.sandbox"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(10, 0, 0),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "tls.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "tls.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
}

// freePort returns a loopback port free at the time of asking.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("not a TCP address")
	}
	return addr.Port, nil
}
