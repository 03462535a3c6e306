package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsacm "github.com/aws/aws-sdk-go-v2/service/acm"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/emulator/acm"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/testenv"
)

// httpsCertificates is an ALB's HTTPS:443 listener as "<listener ARN>
// default=<cert> list=<certs, sorted>" ("" while there is none).
func (h *harness) httpsCertificates(ctx context.Context, lbName string) (string, error) {
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{lbName}})
	if err != nil {
		return "", nil //nolint:nilerr // not created yet
	}
	ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil {
		return "", err
	}
	for _, l := range ls.Listeners {
		if aws.ToInt32(l.Port) != 443 || len(l.Certificates) == 0 {
			continue
		}
		certs, err := h.emu.ELBv2.DescribeListenerCertificates(ctx, &elbv2.DescribeListenerCertificatesInput{ListenerArn: l.ListenerArn})
		if err != nil {
			return "", err
		}
		var list []string
		for _, c := range certs.Certificates {
			if !aws.ToBool(c.IsDefault) {
				list = append(list, aws.ToString(c.CertificateArn))
			}
		}
		slices.Sort(list)
		return fmt.Sprintf("%s default=%s list=%v", aws.ToString(l.ListenerArn), aws.ToString(l.Certificates[0].CertificateArn), list), nil
	}
	return "", nil
}

// httpsCertificatesOnOneListener returns a wait for the ALB's HTTPS:443
// listener to hold def as default and list as its certificate list
// (sorted), failing when the listener is replaced between two waits; a
// failed wait logs the last listener seen and the events.
func (h *harness) httpsCertificatesOnOneListener(t *testing.T, lbName string) func(what, def string, list ...string) {
	var listenerARN string
	return func(what, def string, list ...string) {
		t.Helper()
		var last string
		failed := t.Failed()
		defer func() {
			if !failed && t.Failed() {
				t.Logf("last seen: %q; events: %v", last, h.events.got)
			}
		}()
		suffix := fmt.Sprintf(" default=%s list=%v", def, list)
		testenv.Eventually(t, what, func(ctx context.Context) (bool, error) {
			got, err := h.httpsCertificates(ctx, lbName)
			if err != nil {
				return false, err
			}
			if !strings.HasSuffix(got, suffix) {
				last = got
				return false, nil
			}
			arn, _, _ := strings.Cut(got, " ")
			if listenerARN == "" {
				listenerARN = arn
			}
			if arn != listenerARN {
				return false, fmt.Errorf("the listener was replaced: %s → %s", listenerARN, arn)
			}
			return true, nil
		})
	}
}

// TestIngressDiscoversACMCertificatesForItsTLSHosts: an Ingress listening
// on HTTPS without certificate-arn gets the ISSUED certificates matching
// its spec.tls hosts (exact name, subject alternative name, wildcard), the
// first by ARN as default; a resync costs no AWS call; a host change and a
// certificate issued later (seen by the drift check) change the list on
// the same listener; a host no certificate covers gets a Warning and no
// load balancer.
func TestIngressDiscoversACMCertificatesForItsTLSHosts(t *testing.T) {
	h := start(t, nil)
	ctx := t.Context()
	arn := func(id string) string { return "arn:aws:acm:us-west-2:123456789012:certificate/" + id }
	// IDs chosen so the ARNs sort app < wild.
	h.emu.Server.AddCertificate(acm.Seeded{ID: "aaaaaaaa-0000-0000-0000-000000000001", Domain: "app.shop.example", SANs: []string{"www.shop.example"}})
	h.emu.Server.AddCertificate(acm.Seeded{ID: "bbbbbbbb-0000-0000-0000-000000000002", Domain: "*.shop.example", Type: acm.TypeAmazonIssued})
	h.emu.Server.AddCertificate(acm.Seeded{ID: "cccccccc-0000-0000-0000-000000000003", Domain: "app.shop.example", Type: acm.TypeAmazonIssued, Pending: true})
	app, wild := arn("aaaaaaaa-0000-0000-0000-000000000001"), arn("bbbbbbbb-0000-0000-0000-000000000002")

	h.create(h.nodePortService("web"))
	ing := h.albIngress("shop", "/", "web", map[string]string{"alb.ingress.kubernetes.io/listen-ports": `[{"HTTPS":443}]`})
	ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{"www.shop.example"}}}
	h.create(ing)
	name := albName(naming.ImplicitIngressStack(ing.Namespace, ing.Name))

	want := h.httpsCertificatesOnOneListener(t, name)
	want("the SAN and the wildcard certificate, the first ARN as default", app, app, wild)

	base := h.quiesce()
	if _, err := h.ctrls.Ingress.Reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(ing)}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - base; n != 0 {
		t.Errorf("a resync of the unchanged Ingress made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Spec.TLS[0].Hosts = []string{"api.shop.example"} })
	want("a host only the wildcard covers", wild, wild)

	req, err := h.emu.ACM.RequestCertificate(ctx, &awsacm.RequestCertificateInput{DomainName: aws.String("api.shop.example")})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.emu.Server.IssueCertificate(aws.ToString(req.CertificateArn)); err != nil {
		t.Fatal(err)
	}
	if _, err := h.ctrls.Drift.Check(ctx); err != nil {
		t.Fatal(err)
	}
	issued := aws.ToString(req.CertificateArn)
	both := []string{issued, wild}
	slices.Sort(both)
	want("the certificate issued since, found by the drift check", both[0], both...)

	bad := h.albIngress("nocert", "/", "web", map[string]string{"alb.ingress.kubernetes.io/listen-ports": `[{"HTTPS":443}]`})
	bad.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{"missing.other.example"}}}
	h.create(bad)
	testenv.Eventually(t, "a Warning for the host without a certificate", func(context.Context) (bool, error) {
		return h.events.has("nocert Warning FailedBuildModel: Failed build model due to no certificate found for host: missing.other.example"), nil
	})
	h.quiesce()
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lbs.LoadBalancers) != 1 {
		t.Errorf("%d load balancers, want only the discovering Ingress's", len(lbs.LoadBalancers))
	}
	h.deleteAndWait(ing, bad)
}

// TestIngressCertificateDiscoveryKeepsToTheAllowedCAs: with
// --allowed-certificate-authority-arns only the certificates those CAs
// issued are discovered.
func TestIngressCertificateDiscoveryKeepsToTheAllowedCAs(t *testing.T) {
	ca := "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/11111111-0000-0000-0000-000000000000"
	h := start(t, func(o *options.Controller) { o.AllowedCertificateAuthorityARNs = []string{ca} })
	h.emu.Server.AddCertificate(acm.Seeded{ID: "aaaaaaaa-0000-0000-0000-00000000000a", Domain: "*.corp.example"})
	h.emu.Server.AddCertificate(acm.Seeded{ID: "bbbbbbbb-0000-0000-0000-00000000000b", Domain: "*.corp.example", Type: acm.TypePrivate, CertificateAuthorityArn: ca})
	private := "arn:aws:acm:us-west-2:123456789012:certificate/bbbbbbbb-0000-0000-0000-00000000000b"
	h.create(h.nodePortService("web"))
	ing := h.albIngress("corp", "/", "web", map[string]string{"alb.ingress.kubernetes.io/listen-ports": `[{"HTTPS":443}]`})
	ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{"app.corp.example"}}}
	h.create(ing)
	name := albName(naming.ImplicitIngressStack(ing.Namespace, ing.Name))
	testenv.Eventually(t, "only the allowed CA's certificate on the listener", func(ctx context.Context) (bool, error) {
		got, err := h.httpsCertificates(ctx, name)
		return strings.HasSuffix(got, fmt.Sprintf(" default=%s list=%v", private, []string{private})), err
	})
	h.deleteAndWait(ing)
}
