package emulator_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsacm "github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/acm"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

func TestACMImportedCertificateIsDescribedWithItsDomainsAndKey(t *testing.T) {
	env := emutest.Start(t)
	ctx := t.Context()
	certPEM, keyPEM := emutest.SelfSigned(t, "app.example.com", true, "www.example.com")
	out, err := env.ACM.ImportCertificate(ctx, &awsacm.ImportCertificateInput{Certificate: certPEM, PrivateKey: keyPEM,
		Tags: []acmtypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.CertificateArn)
	if !strings.HasPrefix(arn, "arn:aws:acm:us-west-2:123456789012:certificate/") {
		t.Fatalf("ARN %s is not an ACM certificate ARN of the account", arn)
	}
	d, err := env.ACM.DescribeCertificate(ctx, &awsacm.DescribeCertificateInput{CertificateArn: out.CertificateArn})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Certificate
	if aws.ToString(c.DomainName) != "app.example.com" || !slices.Equal(c.SubjectAlternativeNames, []string{"app.example.com", "www.example.com"}) ||
		c.Status != acmtypes.CertificateStatusIssued || c.Type != acmtypes.CertificateTypeImported || c.KeyAlgorithm != acmtypes.KeyAlgorithmRsa2048 ||
		c.NotAfter == nil || c.ImportedAt == nil {
		t.Errorf("described %+v", c)
	}
	tags, err := env.ACM.ListTagsForCertificate(ctx, &awsacm.ListTagsForCertificateInput{CertificateArn: out.CertificateArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "web" {
		t.Errorf("tags %+v, %v", tags, err)
	}
}

func TestACMImportRefusesWhatAWSRefuses(t *testing.T) {
	env := emutest.Start(t)
	certPEM, keyPEM := emutest.SelfSigned(t, "a.example.com", false)
	_, otherKey := emutest.SelfSigned(t, "b.example.com", false)
	for _, tt := range []struct {
		name string
		in   awsacm.ImportCertificateInput
		code string
	}{
		{"a key of another certificate", awsacm.ImportCertificateInput{Certificate: certPEM, PrivateKey: otherKey}, "ValidationException"},
		{"not PEM", awsacm.ImportCertificateInput{Certificate: []byte("hello"), PrivateKey: otherKey}, "ValidationException"},
		{"re-import into a missing ARN", awsacm.ImportCertificateInput{Certificate: certPEM, PrivateKey: keyPEM,
			CertificateArn: aws.String("arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-0000-0000-000000000000")}, "ResourceNotFoundException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := env.ACM.ImportCertificate(t.Context(), &tt.in)
			if apiCode(err) != tt.code {
				t.Errorf("error %v, want %s", err, tt.code)
			}
		})
	}
	_, err := env.ACM.DescribeCertificate(t.Context(), &awsacm.DescribeCertificateInput{
		CertificateArn: aws.String("arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-0000-0000-000000000000")})
	if apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("describing a missing certificate: %v", err)
	}
	_, err = env.ACM.DescribeCertificate(t.Context(), &awsacm.DescribeCertificateInput{CertificateArn: aws.String("not-an-arn")})
	if apiCode(err) != "InvalidArnException" {
		t.Errorf("describing a malformed ARN: %v", err)
	}
}

func TestACMListFiltersByStatusAndKeyTypeAndPages(t *testing.T) {
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{NoSeed: true}))
	ctx := t.Context()
	var rsaARNs []string
	for _, d := range []string{"a.example.com", "b.example.com", "c.example.com"} {
		certPEM, keyPEM := emutest.SelfSigned(t, d, true)
		out, err := env.ACM.ImportCertificate(ctx, &awsacm.ImportCertificateInput{Certificate: certPEM, PrivateKey: keyPEM})
		if err != nil {
			t.Fatal(err)
		}
		rsaARNs = append(rsaARNs, aws.ToString(out.CertificateArn))
	}
	ecARN := emutest.ImportCertificate(t, env.ACM, "ec.example.com")

	list := func(in *awsacm.ListCertificatesInput) []string {
		var arns []string
		pg := awsacm.NewListCertificatesPaginator(env.ACM, in)
		pages := 0
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, c := range out.CertificateSummaryList {
				arns = append(arns, aws.ToString(c.CertificateArn))
			}
		}
		if in.MaxItems != nil && pages < len(arns)/int(*in.MaxItems) {
			t.Errorf("%d pages for %d certificates of %d per page", pages, len(arns), *in.MaxItems)
		}
		return arns
	}
	if got := list(&awsacm.ListCertificatesInput{MaxItems: aws.Int32(1)}); !slices.Equal(got, rsaARNs) {
		t.Errorf("default listing (RSA_1024 and RSA_2048 only), one per page: %v, want %v", got, rsaARNs)
	}
	if got := list(&awsacm.ListCertificatesInput{Includes: &acmtypes.Filters{KeyTypes: []acmtypes.KeyAlgorithm{acmtypes.KeyAlgorithmEcPrime256v1}}}); !slices.Equal(got, []string{ecARN}) {
		t.Errorf("keyTypes EC_prime256v1: %v, want %v", got, ecARN)
	}
	if got := list(&awsacm.ListCertificatesInput{CertificateStatuses: []acmtypes.CertificateStatus{acmtypes.CertificateStatusExpired}}); len(got) != 0 {
		t.Errorf("no certificate is expired, listed %v", got)
	}
	_, err := env.ACM.ListCertificates(ctx, &awsacm.ListCertificatesInput{NextToken: aws.String("bogus")})
	if apiCode(err) != "InvalidArgsException" {
		t.Errorf("a bogus NextToken: %v", err)
	}
}

// tlsListenerEnv is an NLB with a TCP target group.
func tlsListenerEnv(t *testing.T) (*emutest.Env, string, string) {
	t.Helper()
	env := emutest.Start(t)
	ctx := t.Context()
	seed := env.Seeded(t)
	lb, err := env.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{Name: aws.String("tls"),
		Type: elbv2types.LoadBalancerTypeEnumNetwork, Subnets: seed.PrivateSubnets, Scheme: elbv2types.LoadBalancerSchemeEnumInternal})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := env.ELBv2.CreateTargetGroup(ctx, &awselbv2.CreateTargetGroupInput{Name: aws.String("tls"), Protocol: elbv2types.ProtocolEnumTcp,
		Port: aws.Int32(443), VpcId: aws.String(seed.VPCID), TargetType: elbv2types.TargetTypeEnumIp})
	if err != nil {
		t.Fatal(err)
	}
	return env, aws.ToString(lb.LoadBalancers[0].LoadBalancerArn), aws.ToString(tg.TargetGroups[0].TargetGroupArn)
}

func TestListenersNamingAMissingACMCertificateFailWithCertificateNotFound(t *testing.T) {
	env, lbARN, tgARN := tlsListenerEnv(t)
	ctx := t.Context()
	imported := emutest.ImportCertificate(t, env.ACM, "app.example.com")
	missing := "arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-0000-0000-000000000000"
	create := func(port int32, cert string) (*awselbv2.CreateListenerOutput, error) {
		return env.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: aws.String(lbARN), Port: aws.Int32(port),
			Protocol: elbv2types.ProtocolEnumTls, Certificates: []elbv2types.Certificate{{CertificateArn: aws.String(cert)}},
			DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: aws.String(tgARN)}}})
	}
	if _, err := create(443, missing); apiCode(err) != "CertificateNotFound" {
		t.Errorf("CreateListener with a missing ACM certificate: %v, want CertificateNotFound", err)
	}
	for i, cert := range []string{imported,
		"arn:aws:iam::123456789012:server-certificate/legacy",                // IAM: accepted
		"arn:aws:acm:eu-west-1:123456789012:certificate/from-another-region", // not this emulator's ACM
	} {
		if _, err := create(int32(8443+i), cert); err != nil {
			t.Errorf("CreateListener with %s: %v", cert, err)
		}
	}
	ls, err := create(9443, imported)
	if err != nil {
		t.Fatal(err)
	}
	arn := ls.Listeners[0].ListenerArn
	if _, err := env.ELBv2.AddListenerCertificates(ctx, &awselbv2.AddListenerCertificatesInput{ListenerArn: arn,
		Certificates: []elbv2types.Certificate{{CertificateArn: aws.String(missing)}}}); apiCode(err) != "CertificateNotFound" {
		t.Errorf("AddListenerCertificates with a missing ACM certificate: %v", err)
	}
	if _, err := env.ELBv2.ModifyListener(ctx, &awselbv2.ModifyListenerInput{ListenerArn: arn,
		Certificates: []elbv2types.Certificate{{CertificateArn: aws.String(missing)}}}); apiCode(err) != "CertificateNotFound" {
		t.Errorf("ModifyListener with a missing ACM certificate: %v", err)
	}
	// A certificate in use cannot be deleted.
	if _, err := env.ACM.DeleteCertificate(ctx, &awsacm.DeleteCertificateInput{CertificateArn: aws.String(imported)}); apiCode(err) != "ResourceInUseException" {
		t.Errorf("deleting a certificate in use: %v", err)
	}
}

func TestTheDefaultCertificateAddedToTheListIsListedTwice(t *testing.T) {
	env, lbARN, tgARN := tlsListenerEnv(t)
	ctx := t.Context()
	a := emutest.ImportCertificate(t, env.ACM, "a.example.com")
	b := emutest.ImportCertificate(t, env.ACM, "b.example.com")
	ls, err := env.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{LoadBalancerArn: aws.String(lbARN), Port: aws.Int32(443),
		Protocol: elbv2types.ProtocolEnumTls, Certificates: []elbv2types.Certificate{{CertificateArn: aws.String(a)}}, AlpnPolicy: []string{"HTTP2Preferred"},
		DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: aws.String(tgARN)}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := ls.Listeners[0].ListenerArn
	if _, err := env.ELBv2.AddListenerCertificates(ctx, &awselbv2.AddListenerCertificatesInput{ListenerArn: arn,
		Certificates: []elbv2types.Certificate{{CertificateArn: aws.String(a)}, {CertificateArn: aws.String(b)}}}); err != nil {
		t.Fatal(err)
	}
	listed := func() []string {
		out, err := env.ELBv2.DescribeListenerCertificates(ctx, &awselbv2.DescribeListenerCertificatesInput{ListenerArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range out.Certificates {
			got = append(got, aws.ToString(c.CertificateArn)+map[bool]string{true: " default"}[aws.ToBool(c.IsDefault)])
		}
		return got
	}
	if got, want := listed(), []string{a + " default", a, b}; !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}
	// The list entry of the default certificate can be removed; the default stays.
	if _, err := env.ELBv2.RemoveListenerCertificates(ctx, &awselbv2.RemoveListenerCertificatesInput{ListenerArn: arn,
		Certificates: []elbv2types.Certificate{{CertificateArn: aws.String(a)}}}); err != nil {
		t.Fatal(err)
	}
	if got, want := listed(), []string{a + " default", b}; !slices.Equal(got, want) {
		t.Errorf("after removing %s from the list: %v, want %v", a, got, want)
	}
	// ALPN belongs to TLS listeners only.
	if _, err := env.ELBv2.ModifyListener(ctx, &awselbv2.ModifyListenerInput{ListenerArn: arn, Protocol: elbv2types.ProtocolEnumTcp,
		AlpnPolicy: []string{"HTTP2Preferred"}}); apiCode(err) != "ValidationError" {
		t.Errorf("ALPN on a TCP listener: %v, want ValidationError", err)
	}
}

func TestACMRequestedAmazonCertificateIsPendingUntilIssued(t *testing.T) {
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{NoSeed: true}))
	ctx := t.Context()
	out, err := env.ACM.RequestCertificate(ctx, &awsacm.RequestCertificateInput{DomainName: aws.String("app.example.com"),
		SubjectAlternativeNames: []string{"www.example.com", "app.example.com"}, ValidationMethod: acmtypes.ValidationMethodDns,
		IdempotencyToken: aws.String("once")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.CertificateArn)
	again, err := env.ACM.RequestCertificate(ctx, &awsacm.RequestCertificateInput{DomainName: aws.String("app.example.com"), IdempotencyToken: aws.String("once")})
	if err != nil || aws.ToString(again.CertificateArn) != arn {
		t.Errorf("the same idempotency token again: %v, %v; want %s", again, err, arn)
	}
	describe := func() *acmtypes.CertificateDetail {
		d, err := env.ACM.DescribeCertificate(ctx, &awsacm.DescribeCertificateInput{CertificateArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		return d.Certificate
	}
	issued := func() []string {
		l, err := env.ACM.ListCertificates(ctx, &awsacm.ListCertificatesInput{CertificateStatuses: []acmtypes.CertificateStatus{acmtypes.CertificateStatusIssued}})
		if err != nil {
			t.Fatal(err)
		}
		var arns []string
		for _, c := range l.CertificateSummaryList {
			arns = append(arns, aws.ToString(c.CertificateArn))
		}
		return arns
	}
	c := describe()
	if c.Status != acmtypes.CertificateStatusPendingValidation || c.Type != acmtypes.CertificateTypeAmazonIssued ||
		!slices.Equal(c.SubjectAlternativeNames, []string{"app.example.com", "www.example.com"}) || c.CreatedAt == nil || c.IssuedAt != nil ||
		len(c.DomainValidationOptions) != 2 || c.DomainValidationOptions[0].ResourceRecord == nil ||
		c.DomainValidationOptions[0].ResourceRecord.Type != acmtypes.RecordTypeCname || c.DomainValidationOptions[0].ValidationStatus != acmtypes.DomainStatusPendingValidation {
		t.Errorf("requested certificate described as %+v", c)
	}
	if got := issued(); len(got) != 0 {
		t.Errorf("a pending certificate is listed as ISSUED: %v", got)
	}
	if err := env.Server.IssueCertificate(arn); err != nil {
		t.Fatal(err)
	}
	c = describe()
	if c.Status != acmtypes.CertificateStatusIssued || c.IssuedAt == nil || c.NotAfter == nil || c.DomainValidationOptions[0].ValidationStatus != acmtypes.DomainStatusSuccess {
		t.Errorf("issued certificate described as %+v", c)
	}
	if got := issued(); !slices.Equal(got, []string{arn}) {
		t.Errorf("ISSUED listing %v, want %s", got, arn)
	}
	if err := env.Server.IssueCertificate(arn); err == nil {
		t.Error("issuing an issued certificate again succeeded")
	}
}

func TestACMPrivateCertificateIsIssuedByItsCA(t *testing.T) {
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{NoSeed: true}))
	ctx := t.Context()
	ca := "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/3728f28c-b201-4dfd-b329-083833017297"
	out, err := env.ACM.RequestCertificate(ctx, &awsacm.RequestCertificateInput{DomainName: aws.String("*.internal.example"),
		CertificateAuthorityArn: aws.String(ca), KeyAlgorithm: acmtypes.KeyAlgorithmEcPrime256v1})
	if err != nil {
		t.Fatal(err)
	}
	d, err := env.ACM.DescribeCertificate(ctx, &awsacm.DescribeCertificateInput{CertificateArn: out.CertificateArn})
	if err != nil {
		t.Fatal(err)
	}
	c := d.Certificate
	if c.Type != acmtypes.CertificateTypePrivate || c.Status != acmtypes.CertificateStatusIssued || aws.ToString(c.CertificateAuthorityArn) != ca ||
		c.KeyAlgorithm != acmtypes.KeyAlgorithmEcPrime256v1 || c.DomainValidationOptions != nil {
		t.Errorf("private certificate described as %+v", c)
	}
	// Listed only when its key type is asked for (the default is RSA only).
	l, err := env.ACM.ListCertificates(ctx, &awsacm.ListCertificatesInput{CertificateStatuses: []acmtypes.CertificateStatus{acmtypes.CertificateStatusIssued},
		Includes: &acmtypes.Filters{KeyTypes: acmtypes.KeyAlgorithm("").Values()}})
	if err != nil || len(l.CertificateSummaryList) != 1 || l.CertificateSummaryList[0].Type != acmtypes.CertificateTypePrivate {
		t.Errorf("listing every key type: %+v, %v", l, err)
	}
}

func TestACMRequestRefusesWhatAWSRefuses(t *testing.T) {
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{NoSeed: true}))
	for _, tt := range []struct {
		name string
		in   awsacm.RequestCertificateInput
		code string
	}{
		{"a malformed domain name", awsacm.RequestCertificateInput{DomainName: aws.String("-bad-.example..com")}, "ValidationException"},
		{"a key algorithm ACM does not issue", awsacm.RequestCertificateInput{DomainName: aws.String("a.example.com"), KeyAlgorithm: acmtypes.KeyAlgorithmRsa1024}, "ValidationException"},
		{"a malformed CA ARN", awsacm.RequestCertificateInput{DomainName: aws.String("a.example.com"), CertificateAuthorityArn: aws.String("arn:aws:acm-pca:us-west-2:123456789012:nope")}, "InvalidArnException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := env.ACM.RequestCertificate(t.Context(), &tt.in)
			if apiCode(err) != tt.code {
				t.Errorf("error %v, want %s", err, tt.code)
			}
		})
	}
	_, err := env.ACM.ListCertificates(t.Context(), &awsacm.ListCertificatesInput{CertificateStatuses: []acmtypes.CertificateStatus{"BOGUS"}})
	if apiCode(err) != "ValidationException" {
		t.Errorf("listing an unknown status: %v", err)
	}
}

func TestACMSeededCertificateCarriesItsNamesAndType(t *testing.T) {
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{NoSeed: true}))
	env.Server.AddCertificate(acm.Seeded{ID: "00000000-0000-0000-0000-0000000000aa", Domain: "a.example.com", SANs: []string{"*.a.example.com"}, Type: acm.TypeAmazonIssued})
	d, err := env.ACM.DescribeCertificate(t.Context(), &awsacm.DescribeCertificateInput{
		CertificateArn: aws.String("arn:aws:acm:us-west-2:123456789012:certificate/00000000-0000-0000-0000-0000000000aa")})
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Certificate; c.Type != acmtypes.CertificateTypeAmazonIssued || c.Status != acmtypes.CertificateStatusIssued ||
		!slices.Equal(c.SubjectAlternativeNames, []string{"a.example.com", "*.a.example.com"}) || c.ImportedAt != nil {
		t.Errorf("seeded certificate described as %+v", c)
	}
}

func TestACMListFiltersByKeyUsageAndExportOption(t *testing.T) {
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{NoSeed: true}))
	ctx := t.Context()
	imported := emutest.ImportCertificate(t, env.ACM, "imported.example.com")
	ca := "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/0000"
	out, err := env.ACM.RequestCertificate(ctx, &awsacm.RequestCertificateInput{DomainName: aws.String("private.example.com"), CertificateAuthorityArn: aws.String(ca)})
	if err != nil {
		t.Fatal(err)
	}
	private := aws.ToString(out.CertificateArn)
	list := func(f acmtypes.Filters) []string {
		if f.KeyTypes == nil {
			f.KeyTypes = acmtypes.KeyAlgorithm("").Values()
		}
		l, err := env.ACM.ListCertificates(ctx, &awsacm.ListCertificatesInput{Includes: &f})
		if err != nil {
			t.Fatal(err)
		}
		var arns []string
		for _, c := range l.CertificateSummaryList {
			arns = append(arns, aws.ToString(c.CertificateArn))
		}
		slices.Sort(arns)
		return arns
	}
	both := []string{imported, private}
	slices.Sort(both)
	for _, tt := range []struct {
		name string
		f    acmtypes.Filters
		want []string
	}{
		{"server authentication", acmtypes.Filters{ExtendedKeyUsage: []acmtypes.ExtendedKeyUsageName{acmtypes.ExtendedKeyUsageNameTlsWebServerAuthentication}}, both},
		{"code signing", acmtypes.Filters{ExtendedKeyUsage: []acmtypes.ExtendedKeyUsageName{acmtypes.ExtendedKeyUsageNameCodeSigning}}, nil},
		{"any key usage", acmtypes.Filters{KeyUsage: []acmtypes.KeyUsageName{acmtypes.KeyUsageNameAny}}, both},
		{"exportable", acmtypes.Filters{ExportOption: acmtypes.CertificateExportEnabled}, []string{private}},
		{"not exportable", acmtypes.Filters{ExportOption: acmtypes.CertificateExportDisabled}, []string{imported}},
	} {
		if got := list(tt.f); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	_, err = env.ACM.ListCertificates(ctx, &awsacm.ListCertificatesInput{Includes: &acmtypes.Filters{KeyTypes: []acmtypes.KeyAlgorithm{"RSA_512"}}})
	if apiCode(err) != "ValidationException" {
		t.Errorf("an unknown key type: %v", err)
	}
}
