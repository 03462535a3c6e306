package acmcerts_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsacm "github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	cloudacm "github.com/lbsg/lbsg/internal/cloud/acm"
	"github.com/lbsg/lbsg/internal/cloud/acmcerts"
	cloudroute53 "github.com/lbsg/lbsg/internal/cloud/route53"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
)

const cluster = "unit"

func request(t *testing.T, env *emutest.Env, domain string, tags map[string]string) string {
	t.Helper()
	var tt []acmtypes.Tag
	for k, v := range tags {
		tt = append(tt, acmtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	out, err := env.ACM.RequestCertificate(t.Context(), &awsacm.RequestCertificateInput{DomainName: aws.String(domain),
		CertificateAuthorityArn: aws.String("arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/ca"), Tags: tt})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.CertificateArn)
}

func exists(t *testing.T, env *emutest.Env, arn string) bool {
	t.Helper()
	_, err := env.ACM.DescribeCertificate(t.Context(), &awsacm.DescribeCertificateInput{CertificateArn: aws.String(arn)})
	return err == nil
}

// TestPruneDeletesOnlyTheStacksOwnCertificatesAndWaitsWhileInUse: Prune
// keeps what it is told to keep, never touches another stack's, another
// cluster's or an untagged certificate, and reports one a listener still
// uses as *InUseError (deleted once released).
func TestPruneDeletesOnlyTheStacksOwnCertificatesAndWaitsWhileInUse(t *testing.T) {
	env := emutest.Start(t)
	ctx := t.Context()
	st, other := naming.ExplicitIngressStack("shop"), naming.ExplicitIngressStack("blog")
	kept := request(t, env, "kept.shop.example", naming.TrackingTags(cluster, st, "private/kept.shop.example-00000000"))
	gone := request(t, env, "gone.shop.example", naming.TrackingTags(cluster, st, "private/gone.shop.example-00000000"))
	used := request(t, env, "used.shop.example", naming.TrackingTags(cluster, st, "private/used.shop.example-00000000"))
	otherStack := request(t, env, "blog.example", naming.TrackingTags(cluster, other, "private/blog.example-00000000"))
	otherCluster := request(t, env, "x.shop.example", naming.TrackingTags("another", st, "private/x.shop.example-00000000"))
	untagged := request(t, env, "y.shop.example", nil)

	seed := env.Seeded(t)
	lb, err := env.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{Name: aws.String("user"), Subnets: seed.PrivateSubnets,
		Scheme: elbv2types.LoadBalancerSchemeEnumInternal})
	if err != nil {
		t.Fatal(err)
	}
	l, err := env.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
		Port: aws.Int32(443), Protocol: elbv2types.ProtocolEnumHttps, Certificates: []elbv2types.Certificate{{CertificateArn: aws.String(used)}},
		DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumFixedResponse, FixedResponseConfig: &elbv2types.FixedResponseActionConfig{StatusCode: aws.String("404")}}}})
	if err != nil {
		t.Fatal(err)
	}
	m := &acmcerts.Manager{ACM: cloudacm.NewManager(env.ACM), Route53: cloudroute53.New(env.Route53), Cluster: cluster}
	err = m.Prune(ctx, st, []string{kept})
	var inUse *acmcerts.InUseError
	if !errors.As(err, &inUse) || inUse.ARN != used {
		t.Fatalf("Prune with a certificate in use: %v", err)
	}
	for arn, want := range map[string]bool{kept: true, gone: false, used: true, otherStack: true, otherCluster: true, untagged: true} {
		if got := exists(t, env, arn); got != want {
			t.Errorf("%s exists %v, want %v", arn, got, want)
		}
	}
	if _, err := env.ELBv2.DeleteListener(ctx, &awselbv2.DeleteListenerInput{ListenerArn: l.Listeners[0].ListenerArn}); err != nil {
		t.Fatal(err)
	}
	if err := m.Prune(ctx, st, []string{kept}); err != nil {
		t.Fatalf("Prune once released: %v", err)
	}
	if exists(t, env, used) || !exists(t, env, kept) {
		t.Error("the released certificate was not deleted, or the kept one was")
	}
}

// TestEnsureReusesTheOwnedCertificateWithoutCalls: an issued certificate
// lbsg owns for the resource ID and names is used as is, and once the
// catalog is loaded an Ensure makes no AWS call; different names get a new
// certificate.
func TestEnsureReusesTheOwnedCertificateWithoutCalls(t *testing.T) {
	env := emutest.Start(t)
	ctx := t.Context()
	st := naming.ExplicitIngressStack("shop")
	const ca = "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/ca"
	mc := model.ManagedCertificate{ResourceID: "private/a.shop.example-12345678", Ingress: "ns/a", Type: model.CertificatePrivate,
		CertificateAuthorityARN: ca, DomainName: "a.shop.example", SANs: []string{"a.shop.example"},
		Tags: naming.TrackingTags(cluster, st, "private/a.shop.example-12345678")}
	have := request(t, env, "a.shop.example", mc.Tags)
	m := &acmcerts.Manager{ACM: cloudacm.NewManager(env.ACM), Route53: cloudroute53.New(env.Route53), Cluster: cluster}
	res, err := m.Ensure(ctx, st, []model.ManagedCertificate{mc})
	if err != nil || res.Issued[mc.ResourceID] != have || len(res.Pending) != 0 {
		t.Fatalf("Ensure: %+v, %v; want %s issued", res, err, have)
	}
	env.Server.ResetCalls()
	if _, err := m.Ensure(ctx, st, []model.ManagedCertificate{mc}); err != nil {
		t.Fatal(err)
	}
	if n := env.Server.Calls().Total; n != 0 {
		t.Errorf("a second Ensure made %d AWS calls: %v", n, env.Server.Calls().Sorted())
	}
	mc.SANs = []string{"a.shop.example", "b.shop.example"}
	res, err = m.Ensure(ctx, st, []model.ManagedCertificate{mc})
	if err != nil || res.Issued[mc.ResourceID] == "" || res.Issued[mc.ResourceID] == have {
		t.Errorf("new names: %+v, %v; want a new certificate", res, err)
	}
}
