package controller_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsacm "github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	awsroute53 "github.com/aws/aws-sdk-go-v2/service/route53"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/emulator/acm"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/testenv"
)

const (
	annCreateCert = "alb.ingress.kubernetes.io/create-acm-cert"
	annPCA        = "alb.ingress.kubernetes.io/acm-pca-arn"
)

// withCertificateManagement turns the EnableCertificateManagement gate on.
func withCertificateManagement(o *options.Controller) {
	o.FeatureGates = map[string]bool{options.GateCertificateManagement: true}
}

// managedCert is a certificate of the account carrying an Ingress
// resource tag.
type managedCert struct {
	arn, status, typ, resource, stack, ca string
	sans                                  []string
}

// managedCerts lists the account's certificates lbsg tagged as its own.
func (h *harness) managedCerts(ctx context.Context) ([]managedCert, error) {
	list, err := h.emu.ACM.ListCertificates(ctx, &awsacm.ListCertificatesInput{Includes: &acmtypes.Filters{KeyTypes: acmtypes.KeyAlgorithm("").Values()}})
	if err != nil {
		return nil, err
	}
	var out []managedCert
	for _, s := range list.CertificateSummaryList {
		tags, err := h.emu.ACM.ListTagsForCertificate(ctx, &awsacm.ListTagsForCertificateInput{CertificateArn: s.CertificateArn})
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, t := range tags.Tags {
			m[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		if m[naming.TagIngressResource] == "" {
			continue
		}
		d, err := h.emu.ACM.DescribeCertificate(ctx, &awsacm.DescribeCertificateInput{CertificateArn: s.CertificateArn})
		if err != nil {
			return nil, err
		}
		out = append(out, managedCert{arn: aws.ToString(s.CertificateArn), status: string(d.Certificate.Status), typ: string(d.Certificate.Type),
			resource: m[naming.TagIngressResource], stack: m[naming.TagIngressStack], ca: aws.ToString(d.Certificate.CertificateAuthorityArn),
			sans: d.Certificate.SubjectAlternativeNames})
	}
	return out, nil
}

// cnames lists a zone's CNAME record names.
func (h *harness) cnames(ctx context.Context, zone string) ([]string, error) {
	out, err := h.emu.Route53.ListResourceRecordSets(ctx, &awsroute53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone)})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range out.ResourceRecordSets {
		if r.Type == "CNAME" {
			names = append(names, aws.ToString(r.Name))
		}
	}
	return names, nil
}

// certResourceID is LBC's resource ID of an Ingress's certificate.
func certResourceID(typ, domain string, ing *networkingv1.Ingress) string {
	sum := sha256.Sum256([]byte(ing.Namespace + "/" + ing.Name))
	return typ + "/" + strings.ReplaceAll(domain, "*", "wildcard") + "-" + hex.EncodeToString(sum[:])[:8]
}

func withHost(ing *networkingv1.Ingress, host string) *networkingv1.Ingress {
	ing.Spec.Rules[0].Host = host
	return ing
}

// TestCreateACMCertRequestsValidatesUsesAndDeletesItsCertificate: with
// the gate on, create-acm-cert gets the Ingress an Amazon issued
// certificate for its host, tagged as LBC tags it, validated by a CNAME
// lbsg writes in the public hosted zone, on an HTTPS:443 listener (LBC's
// default listen port with a certificate); a resync costs no AWS call; a
// host change gets a new certificate on the same listener and deletes the
// old one with its record; deleting the Ingress deletes the certificate
// and its record.
func TestCreateACMCertRequestsValidatesUsesAndDeletesItsCertificate(t *testing.T) {
	h := start(t, withCertificateManagement)
	ctx := t.Context()
	zone, err := h.emu.Server.AddHostedZone("shop.example", false)
	if err != nil {
		t.Fatal(err)
	}
	h.create(h.nodePortService("web"))
	ing := withHost(h.albIngress("app", "/", "web", map[string]string{annCreateCert: "true", "alb.ingress.kubernetes.io/tags": "team=web"}), "app.shop.example")
	h.create(ing)
	st := naming.ImplicitIngressStack(ing.Namespace, ing.Name)
	name := albName(st)

	waitCert := func(what, host string) managedCert {
		t.Helper()
		var got managedCert
		testenv.Eventually(t, what, func(ctx context.Context) (bool, error) {
			certs, err := h.managedCerts(ctx)
			if err != nil {
				return false, err
			}
			var mine []managedCert
			for _, c := range certs {
				if slices.Equal(c.sans, []string{host}) {
					mine = append(mine, c)
				}
			}
			if len(certs) != 1 || len(mine) != 1 {
				return false, nil
			}
			got = mine[0]
			listener, err := h.httpsCertificates(ctx, name)
			return err == nil && strings.HasSuffix(listener, fmt.Sprintf(" default=%s list=[%s]", got.arn, got.arn)), err
		})
		return got
	}
	first := waitCert("the requested certificate on the HTTPS listener", "app.shop.example")
	if first.status != "ISSUED" || first.typ != "AMAZON_ISSUED" || first.stack != st.ID() ||
		first.resource != certResourceID("amazon_issued", "app.shop.example", ing) {
		t.Errorf("certificate %+v", first)
	}
	tags, err := h.emu.ACM.ListTagsForCertificate(ctx, &awsacm.ListTagsForCertificateInput{CertificateArn: aws.String(first.arn)})
	if err != nil {
		t.Fatal(err)
	}
	var tagList []string
	for _, tg := range tags.Tags {
		tagList = append(tagList, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
	}
	slices.Sort(tagList)
	wantTags := []string{naming.TagCluster + "=" + cluster, naming.TagIngressResource + "=" + first.resource, naming.TagIngressStack + "=" + st.ID(), "team=web"}
	slices.Sort(wantTags)
	if !slices.Equal(tagList, wantTags) {
		t.Errorf("tags %v, want %v", tagList, wantTags)
	}
	records, err := h.cnames(ctx, zone)
	if err != nil || len(records) != 1 || !strings.HasSuffix(records[0], ".app.shop.example.") {
		t.Errorf("validation records %v, %v", records, err)
	}

	base := h.quiesce()
	if _, err := h.ctrls.Ingress.Reconcile(ctx, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(ing)}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - base; n != 0 {
		t.Errorf("a resync of the unchanged Ingress made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	before, _ := h.httpsCertificates(ctx, name)
	h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Spec.Rules[0].Host = "api.shop.example" })
	second := waitCert("a new certificate for the new host, the old one deleted", "api.shop.example")
	if second.arn == first.arn {
		t.Fatal("the host change kept the old certificate")
	}
	after, _ := h.httpsCertificates(ctx, name)
	if l1, _, _ := strings.Cut(before, " "); !strings.HasPrefix(after, l1+" ") {
		t.Errorf("the listener was replaced: %s → %s", before, after)
	}
	testenv.Eventually(t, "only the new certificate's validation record", func(ctx context.Context) (bool, error) {
		records, err := h.cnames(ctx, zone)
		return err == nil && len(records) == 1 && strings.HasSuffix(records[0], ".api.shop.example."), err
	})

	h.deleteAndWait(ing)
	certs, err := h.managedCerts(ctx)
	if err != nil || len(certs) != 0 {
		t.Errorf("certificates left after the Ingress is deleted: %+v, %v", certs, err)
	}
	if records, err := h.cnames(ctx, zone); err != nil || len(records) != 0 {
		t.Errorf("validation records left: %v, %v", records, err)
	}
	if lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{}); err != nil || len(lbs.LoadBalancers) != 0 {
		t.Errorf("load balancers left: %v", err)
	}
}

// TestCreateACMCertWaitsForAPendingCertificate: a certificate lbsg owns
// (found by its tags) that is still pending holds the group, with an
// event saying so, and no load balancer; once issued, it is used as is
// (no new request).
func TestCreateACMCertWaitsForAPendingCertificate(t *testing.T) {
	h := start(t, withCertificateManagement)
	ctx := t.Context()
	if _, err := h.emu.Server.AddHostedZone("shop.example", false); err != nil {
		t.Fatal(err)
	}
	h.create(h.nodePortService("web"))
	ing := withHost(h.albIngress("slow", "/", "web", map[string]string{annCreateCert: "true"}), "slow.shop.example")
	st := naming.ImplicitIngressStack(h.kube.Namespace, "slow")
	// A pending certificate with lbsg's tags for this Ingress (email
	// validation: nothing in DNS issues it).
	var tags []acmtypes.Tag
	for k, v := range naming.TrackingTags(cluster, st, certResourceID("amazon_issued", "slow.shop.example", ing)) {
		tags = append(tags, acmtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	req, err := h.emu.ACM.RequestCertificate(ctx, &awsacm.RequestCertificateInput{DomainName: aws.String("slow.shop.example"),
		ValidationMethod: acmtypes.ValidationMethodEmail, Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	h.create(ing)
	testenv.Eventually(t, "an event says the group waits", func(context.Context) (bool, error) {
		return h.events.has("slow Normal CertificatePending: Waiting for ACM certificate amazon_issued/slow.shop.example-"), nil
	})
	h.quiesce()
	if lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{}); err != nil || len(lbs.LoadBalancers) != 0 {
		t.Fatalf("a load balancer exists while its certificate is pending (%v)", err)
	}
	if n := h.emu.Server.Calls().Count("RequestCertificate"); n != 1 {
		t.Errorf("%d RequestCertificate calls, want only the test's (the pending certificate is lbsg's by its tags)", n)
	}
	if err := h.emu.Server.IssueCertificate(aws.ToString(req.CertificateArn)); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "the issued certificate on the listener", func(ctx context.Context) (bool, error) {
		got, err := h.httpsCertificates(ctx, albName(st))
		return err == nil && strings.HasSuffix(got, " default="+aws.ToString(req.CertificateArn)+" list=["+aws.ToString(req.CertificateArn)+"]"), err
	})
	h.deleteAndWait(ing)
}

// TestCreateACMCertBadInput: certificate-arn wins over create-acm-cert (no
// request); acm-pca-arn asks for a PRIVATE certificate (no DNS); an
// Ingress without a host fails with LBC's message; a host without a public
// hosted zone requests nothing; certificates lbsg did not request are
// never deleted.
func TestCreateACMCertBadInput(t *testing.T) {
	h := start(t, withCertificateManagement)
	ctx := t.Context()
	if _, err := h.emu.Server.AddHostedZone("shop.example", false); err != nil {
		t.Fatal(err)
	}
	h.emu.Server.AddCertificate(acm.Seeded{ID: "aaaaaaaa-0000-0000-0000-0000000000ff", Domain: "explicit.shop.example"})
	explicitARN := "arn:aws:acm:us-west-2:123456789012:certificate/aaaaaaaa-0000-0000-0000-0000000000ff"
	h.create(h.nodePortService("web"))
	explicit := withHost(h.albIngress("explicit", "/", "web", map[string]string{annCreateCert: "true",
		"alb.ingress.kubernetes.io/certificate-arn": explicitARN}), "explicit.shop.example")
	const ca = "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555"
	private := withHost(h.albIngress("private", "/", "web", map[string]string{annCreateCert: "true", annPCA: ca}), "private.internal.example")
	nohost := h.albIngress("nohost", "/", "web", map[string]string{annCreateCert: "true"})
	nozone := withHost(h.albIngress("nozone", "/", "web", map[string]string{annCreateCert: "true"}), "app.elsewhere.example")
	h.create(explicit)
	h.create(private)
	h.create(nohost)
	h.create(nozone)

	testenv.Eventually(t, "the explicit certificate on its listener", func(ctx context.Context) (bool, error) {
		got, err := h.httpsCertificates(ctx, albName(naming.ImplicitIngressStack(explicit.Namespace, explicit.Name)))
		return err == nil && strings.HasSuffix(got, " default="+explicitARN+" list=["+explicitARN+"]"), err
	})
	var privateARN string
	testenv.Eventually(t, "the private certificate on its listener", func(ctx context.Context) (bool, error) {
		certs, err := h.managedCerts(ctx)
		if err != nil || len(certs) != 1 {
			return false, err
		}
		c := certs[0]
		if c.typ != "PRIVATE" || c.ca != ca || c.resource != certResourceID("private", "private.internal.example", private) {
			return false, fmt.Errorf("certificate %+v", c)
		}
		privateARN = c.arn
		got, err := h.httpsCertificates(ctx, albName(naming.ImplicitIngressStack(private.Namespace, private.Name)))
		return err == nil && strings.HasSuffix(got, " default="+c.arn+" list=["+c.arn+"]"), err
	})
	testenv.Eventually(t, "LBC's error for an Ingress without a host", func(context.Context) (bool, error) {
		return h.events.has("nohost Warning FailedBuildModel: Failed build model due to ingress " + h.kube.Namespace +
			"/nohost has create-acm-cert enabled but no hostnames defined"), nil
	})
	testenv.Eventually(t, "an error for a host without a public hosted zone", func(context.Context) (bool, error) {
		return h.events.has(`nozone Warning FailedBuildModel: Failed build model due to certificate for Ingress ` + h.kube.Namespace +
			`/nozone: no public Route 53 hosted zone found for "app.elsewhere.example"`), nil
	})
	// Certificate discovery skips the certificates lbsg requested (LBC's
	// rule with the gate on).
	discovering := h.albIngress("discovering", "/", "web", map[string]string{"alb.ingress.kubernetes.io/listen-ports": `[{"HTTPS":443}]`})
	discovering.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{"private.internal.example"}}}
	h.create(discovering)
	testenv.Eventually(t, "discovery does not find lbsg's own certificate", func(context.Context) (bool, error) {
		return h.events.has("discovering Warning FailedBuildModel: Failed build model due to no certificate found for host: private.internal.example"), nil
	})
	h.quiesce()
	certs, err := h.managedCerts(ctx)
	if err != nil || len(certs) != 1 || certs[0].arn != privateARN {
		t.Errorf("certificates lbsg requested: %+v (%v), want the private one only", certs, err)
	}
	h.deleteAndWait(explicit, private, nohost, nozone, discovering)
	if _, err := h.emu.ACM.DescribeCertificate(ctx, &awsacm.DescribeCertificateInput{CertificateArn: aws.String(explicitARN)}); err != nil {
		t.Errorf("the certificate lbsg did not request was touched: %v", err)
	}
	if certs, err := h.managedCerts(ctx); err != nil || len(certs) != 0 {
		t.Errorf("certificates left: %+v, %v", certs, err)
	}
}

// TestCreateACMCertIsRefusedWithTheGateOff: LBC's default (gate off) would
// serve the Ingress without the certificate it asks for; lbsg refuses it
// out loud and writes nothing.
func TestCreateACMCertIsRefusedWithTheGateOff(t *testing.T) {
	h := start(t, nil)
	if _, err := h.emu.Server.AddHostedZone("shop.example", false); err != nil {
		t.Fatal(err)
	}
	h.create(h.nodePortService("web"))
	ing := withHost(h.albIngress("gated", "/", "web", map[string]string{annCreateCert: "true"}), "gated.shop.example")
	h.create(ing)
	testenv.Eventually(t, "UnsupportedAnnotation naming the key and the gate", func(context.Context) (bool, error) {
		return h.events.has("gated Warning UnsupportedAnnotation") && h.events.has(annCreateCert+" (ACM certificate management") &&
			h.events.has("EnableCertificateManagement feature gate is off"), nil
	})
	h.quiesce()
	if n := h.emu.Server.Calls().Count("RequestCertificate") + h.emu.Server.Calls().Count("CreateLoadBalancer"); n != 0 {
		t.Errorf("%d AWS writes for a refused Ingress", n)
	}
	h.deleteAndWait(ing)
}
