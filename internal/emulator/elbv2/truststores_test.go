package elbv2_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

func (w world) trustStore(t *testing.T, name string) string {
	t.Helper()
	out, err := w.ELBv2.CreateTrustStore(t.Context(), &awselbv2.CreateTrustStoreInput{Name: aws.String(name),
		CaCertificatesBundleS3Bucket: aws.String("bundles"), CaCertificatesBundleS3Key: aws.String(name + ".pem"),
		Tags: []elbv2types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatalf("CreateTrustStore: %v", err)
	}
	ts := out.TrustStores[0]
	if ts.Status != elbv2types.TrustStoreStatusActive || aws.ToString(ts.Name) != name || aws.ToInt32(ts.NumberOfCaCertificates) != 1 {
		t.Errorf("created %+v", ts)
	}
	return aws.ToString(ts.TrustStoreArn)
}

// TestTrustStoresAreCreatedDescribedTaggedAndDeleted: CreateTrustStore
// (any bucket and key), DescribeTrustStores by name, by ARN and all, tags
// through the common tag calls, and AWS's errors for a duplicate name, an
// unknown store and a store in use.
func TestTrustStoresAreCreatedDescribedTaggedAndDeleted(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	a := w.trustStore(t, "ca-a")
	b := w.trustStore(t, "ca-b")
	_, err := w.ELBv2.CreateTrustStore(ctx, &awselbv2.CreateTrustStoreInput{Name: aws.String("ca-a"),
		CaCertificatesBundleS3Bucket: aws.String("x"), CaCertificatesBundleS3Key: aws.String("y")})
	wantCode(t, err, "DuplicateTrustStoreName")
	_, err = w.ELBv2.CreateTrustStore(ctx, &awselbv2.CreateTrustStoreInput{Name: aws.String("-bad"),
		CaCertificatesBundleS3Bucket: aws.String("x"), CaCertificatesBundleS3Key: aws.String("y")})
	wantCode(t, err, "ValidationError")

	byName, err := w.ELBv2.DescribeTrustStores(ctx, &awselbv2.DescribeTrustStoresInput{Names: []string{"ca-b"}})
	if err != nil || len(byName.TrustStores) != 1 || aws.ToString(byName.TrustStores[0].TrustStoreArn) != b {
		t.Fatalf("by name: %+v %v", byName, err)
	}
	byARN, err := w.ELBv2.DescribeTrustStores(ctx, &awselbv2.DescribeTrustStoresInput{TrustStoreArns: []string{a}})
	if err != nil || len(byARN.TrustStores) != 1 || aws.ToString(byARN.TrustStores[0].Name) != "ca-a" {
		t.Fatalf("by ARN: %+v %v", byARN, err)
	}
	all, err := w.ELBv2.DescribeTrustStores(ctx, &awselbv2.DescribeTrustStoresInput{})
	if err != nil || len(all.TrustStores) != 2 {
		t.Fatalf("all: %+v %v", all, err)
	}
	_, err = w.ELBv2.DescribeTrustStores(ctx, &awselbv2.DescribeTrustStoresInput{Names: []string{"ca-a", "nope"}})
	wantCode(t, err, "TrustStoreNotFound")

	tags, err := w.ELBv2.DescribeTags(ctx, &awselbv2.DescribeTagsInput{ResourceArns: []string{a}})
	if err != nil || len(tags.TagDescriptions) != 1 || len(tags.TagDescriptions[0].Tags) != 1 {
		t.Fatalf("tags: %+v %v", tags, err)
	}

	lb := w.alb(t, "mtls")
	cert := emutest.ImportCertificate(t, w.ACM, "mtls.example.com")
	l, err := w.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn,
		Protocol: elbv2types.ProtocolEnumHttps, Port: aws.Int32(443),
		Certificates: []elbv2types.Certificate{{CertificateArn: aws.String(cert)}},
		DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumFixedResponse,
			FixedResponseConfig: &elbv2types.FixedResponseActionConfig{StatusCode: aws.String("404")}}},
		MutualAuthentication: &elbv2types.MutualAuthenticationAttributes{Mode: aws.String("verify"), TrustStoreArn: aws.String(a)}})
	if err != nil {
		t.Fatalf("CreateListener verify: %v", err)
	}
	_, err = w.ELBv2.DeleteTrustStore(ctx, &awselbv2.DeleteTrustStoreInput{TrustStoreArn: aws.String(a)})
	wantCode(t, err, "TrustStoreInUse")
	if _, err := w.ELBv2.DeleteTrustStore(ctx, &awselbv2.DeleteTrustStoreInput{TrustStoreArn: aws.String(b)}); err != nil {
		t.Fatalf("DeleteTrustStore: %v", err)
	}
	_, err = w.ELBv2.DeleteTrustStore(ctx, &awselbv2.DeleteTrustStoreInput{TrustStoreArn: aws.String(b)})
	wantCode(t, err, "TrustStoreNotFound")
	_ = l
}

// TestListenerMutualAuthenticationVerifyPassthroughAndOff: mode verify
// names an existing trust store and reports its defaults (ignore expiry
// false, advertise CA names off) with association status active; an
// unknown store is TrustStoreNotFound, verify without one and a trust store
// with another mode ValidationError, an HTTP listener
// InvalidConfigurationRequest; LBC's empty TrustStoreArn with passthrough is
// accepted as absent.
func TestListenerMutualAuthenticationVerifyPassthroughAndOff(t *testing.T) {
	w := start(t)
	ctx := t.Context()
	ts := w.trustStore(t, "ca")
	lb := w.alb(t, "mtls")
	cert := emutest.ImportCertificate(t, w.ACM, "mtls.example.com")
	fixed := []elbv2types.Action{{Type: elbv2types.ActionTypeEnumFixedResponse,
		FixedResponseConfig: &elbv2types.FixedResponseActionConfig{StatusCode: aws.String("404")}}}
	l, err := w.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn,
		Protocol: elbv2types.ProtocolEnumHttps, Port: aws.Int32(443), DefaultActions: fixed,
		Certificates: []elbv2types.Certificate{{CertificateArn: aws.String(cert)}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := l.Listeners[0].ListenerArn
	modify := func(m *elbv2types.MutualAuthenticationAttributes) error {
		_, err := w.ELBv2.ModifyListener(ctx, &awselbv2.ModifyListenerInput{ListenerArn: arn, MutualAuthentication: m})
		return err
	}
	describe := func() *elbv2types.MutualAuthenticationAttributes {
		out, err := w.ELBv2.DescribeListeners(ctx, &awselbv2.DescribeListenersInput{ListenerArns: []string{aws.ToString(arn)}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Listeners[0].MutualAuthentication
	}
	str := func(m *elbv2types.MutualAuthenticationAttributes) string {
		if m == nil {
			return "<nil>"
		}
		ignore := "-"
		if m.IgnoreClientCertificateExpiry != nil {
			ignore = map[bool]string{true: "true", false: "false"}[*m.IgnoreClientCertificateExpiry]
		}
		return aws.ToString(m.Mode) + " " + aws.ToString(m.TrustStoreArn) + " " + ignore + " " + string(m.AdvertiseTrustStoreCaNames) +
			" " + string(m.TrustStoreAssociationStatus)
	}

	if err := modify(&elbv2types.MutualAuthenticationAttributes{Mode: aws.String("verify"), TrustStoreArn: aws.String(ts)}); err != nil {
		t.Fatal(err)
	}
	same(t, "verify with defaults", str(describe()), "verify "+ts+" false off active")
	if err := modify(&elbv2types.MutualAuthenticationAttributes{Mode: aws.String("verify"), TrustStoreArn: aws.String(ts),
		IgnoreClientCertificateExpiry: aws.Bool(true), AdvertiseTrustStoreCaNames: elbv2types.AdvertiseTrustStoreCaNamesEnumOn}); err != nil {
		t.Fatal(err)
	}
	same(t, "verify with settings", str(describe()), "verify "+ts+" true on active")
	if _, err := w.ELBv2.ModifyListener(ctx, &awselbv2.ModifyListenerInput{ListenerArn: arn, SslPolicy: aws.String("ELBSecurityPolicy-2016-08")}); err != nil {
		t.Fatal(err)
	}
	same(t, "kept by an unrelated change", str(describe()), "verify "+ts+" true on active")
	if err := modify(&elbv2types.MutualAuthenticationAttributes{Mode: aws.String("passthrough"), TrustStoreArn: aws.String("")}); err != nil {
		t.Fatalf("passthrough with LBC's empty trust store: %v", err)
	}
	same(t, "passthrough", str(describe()), "passthrough  -  ")
	if m := describe(); m.TrustStoreArn == nil {
		t.Errorf("the empty TrustStoreArn given with passthrough is not reported back (LBC compares it)")
	}
	if err := modify(&elbv2types.MutualAuthenticationAttributes{Mode: aws.String("off")}); err != nil {
		t.Fatal(err)
	}
	same(t, "off", str(describe()), "off  -  ")
	if m := describe(); m.TrustStoreArn != nil {
		t.Errorf("off without a TrustStoreArn reports %q", *m.TrustStoreArn)
	}

	for _, tt := range []struct {
		name string
		m    *elbv2types.MutualAuthenticationAttributes
		code string
	}{
		{"an unknown trust store", &elbv2types.MutualAuthenticationAttributes{Mode: aws.String("verify"),
			TrustStoreArn: aws.String("arn:aws:elasticloadbalancing:us-west-2:123456789012:truststore/x/0123456789abcdef")}, "TrustStoreNotFound"},
		{"verify without a trust store", &elbv2types.MutualAuthenticationAttributes{Mode: aws.String("verify")}, "ValidationError"},
		{"a trust store with passthrough", &elbv2types.MutualAuthenticationAttributes{Mode: aws.String("passthrough"), TrustStoreArn: aws.String(ts)}, "ValidationError"},
		{"an unknown advertise value", &elbv2types.MutualAuthenticationAttributes{Mode: aws.String("verify"), TrustStoreArn: aws.String(ts),
			AdvertiseTrustStoreCaNames: "maybe"}, "ValidationError"},
	} {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, modify(tt.m), tt.code) })
	}
	_, err = w.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: lb.LoadBalancerArn,
		Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(80), DefaultActions: fixed,
		MutualAuthentication: &elbv2types.MutualAuthenticationAttributes{Mode: aws.String("passthrough")}})
	wantCode(t, err, "InvalidConfigurationRequest")
}
