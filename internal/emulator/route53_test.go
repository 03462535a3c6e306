package emulator_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsacm "github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
	awsroute53 "github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

// cname is a one-change batch of a CNAME record.
func cname(action r53types.ChangeAction, name, value string, ttl int64) *r53types.ChangeBatch {
	return &r53types.ChangeBatch{Changes: []r53types.Change{{Action: action, ResourceRecordSet: &r53types.ResourceRecordSet{
		Name: aws.String(name), Type: r53types.RRTypeCname, TTL: aws.Int64(ttl),
		ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(value)}}}}}}
}

func TestRoute53ListsTheSeededAndControlAPIZones(t *testing.T) {
	env := emutest.Start(t)
	ctx := t.Context()
	if _, err := env.Server.AddHostedZone("Example.COM", false); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Server.AddHostedZone("example.com", true); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Server.AddHostedZone("example.com.", false); err == nil {
		t.Error("a second public zone of the same name was created")
	}
	out, err := env.Route53.ListHostedZones(ctx, &awsroute53.ListHostedZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, z := range out.HostedZones {
		if !strings.HasPrefix(aws.ToString(z.Id), "/hostedzone/Z") {
			t.Errorf("zone ID %s lacks Route 53's /hostedzone/ prefix", aws.ToString(z.Id))
		}
		got = append(got, aws.ToString(z.Name)+map[bool]string{true: " private", false: " public"}[z.Config.PrivateZone])
	}
	slices.Sort(got)
	if want := []string{"example.com. private", "example.com. public", "sandbox.example. public"}; !slices.Equal(got, want) {
		t.Errorf("zones %v, want %v", got, want)
	}
	byName, err := env.Route53.ListHostedZonesByName(ctx, &awsroute53.ListHostedZonesByNameInput{DNSName: aws.String("example.com"), MaxItems: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(byName.HostedZones) != 1 || aws.ToString(byName.HostedZones[0].Name) != "example.com." || !byName.IsTruncated ||
		aws.ToString(byName.NextDNSName) == "" {
		t.Errorf("by name: %+v", byName)
	}
	paged, err := env.Route53.ListHostedZones(ctx, &awsroute53.ListHostedZonesInput{MaxItems: aws.Int32(2)})
	if err != nil || len(paged.HostedZones) != 2 || !paged.IsTruncated || paged.NextMarker == nil {
		t.Fatalf("first page %+v, %v", paged, err)
	}
	rest, err := env.Route53.ListHostedZones(ctx, &awsroute53.ListHostedZonesInput{Marker: paged.NextMarker})
	if err != nil || len(rest.HostedZones) != 1 || rest.IsTruncated {
		t.Errorf("second page %+v, %v", rest, err)
	}
}

func TestRoute53ChangesRecordsAsRoute53Does(t *testing.T) {
	env := emutest.Start(t)
	ctx := t.Context()
	zone, err := env.Server.AddHostedZone("example.com", false)
	if err != nil {
		t.Fatal(err)
	}
	change := func(b *r53types.ChangeBatch) (*awsroute53.ChangeResourceRecordSetsOutput, error) {
		return env.Route53.ChangeResourceRecordSets(ctx, &awsroute53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zone), ChangeBatch: b})
	}
	out, err := change(cname(r53types.ChangeActionCreate, "_x.app.example.com", "_y.acm-validations.aws.", 60))
	if err != nil {
		t.Fatal(err)
	}
	if out.ChangeInfo.Status != r53types.ChangeStatusInsync && out.ChangeInfo.Status != r53types.ChangeStatusPending {
		t.Errorf("change status %s", out.ChangeInfo.Status)
	}
	got, err := env.Route53.GetChange(ctx, &awsroute53.GetChangeInput{Id: out.ChangeInfo.Id})
	if err != nil || got.ChangeInfo.Status != r53types.ChangeStatusInsync {
		t.Errorf("GetChange %+v, %v", got, err)
	}
	for _, tt := range []struct {
		name  string
		batch *r53types.ChangeBatch
		code  string
		msg   string
	}{
		{"creating an existing record", cname(r53types.ChangeActionCreate, "_x.app.example.com.", "_y.acm-validations.aws.", 60), "InvalidChangeBatch", "already exists"},
		{"deleting a missing record", cname(r53types.ChangeActionDelete, "_z.app.example.com.", "_y.acm-validations.aws.", 60), "InvalidChangeBatch", "not found"},
		{"deleting with other values", cname(r53types.ChangeActionDelete, "_x.app.example.com.", "_other.acm-validations.aws.", 60), "InvalidChangeBatch", "do not match the current values"},
		{"a name outside the zone", cname(r53types.ChangeActionCreate, "_x.other.org.", "v.", 60), "InvalidChangeBatch", "not permitted in zone"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := change(tt.batch)
			if c := apiCode(err); c != tt.code || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v (code %q), want %s mentioning %q", err, c, tt.code, tt.msg)
			}
		})
	}
	_, err = env.Route53.ChangeResourceRecordSets(ctx, &awsroute53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String("ZMISSING"),
		ChangeBatch: cname(r53types.ChangeActionUpsert, "a.example.com.", "b.", 60)})
	if c := apiCode(err); c != "NoSuchHostedZone" {
		t.Errorf("a missing zone: %v (code %q)", err, c)
	}
	if _, err := change(cname(r53types.ChangeActionUpsert, "_x.app.example.com.", "_new.acm-validations.aws.", 300)); err != nil {
		t.Fatal(err)
	}
	list, err := env.Route53.ListResourceRecordSets(ctx, &awsroute53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone),
		StartRecordName: aws.String("_x.app.example.com"), StartRecordType: r53types.RRTypeCname, MaxItems: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.ResourceRecordSets) != 1 || aws.ToString(list.ResourceRecordSets[0].Name) != "_x.app.example.com." ||
		aws.ToInt64(list.ResourceRecordSets[0].TTL) != 300 || aws.ToString(list.ResourceRecordSets[0].ResourceRecords[0].Value) != "_new.acm-validations.aws." {
		t.Errorf("after UPSERT: %+v", list.ResourceRecordSets)
	}
	if _, err := change(cname(r53types.ChangeActionDelete, "_x.app.example.com.", "_new.acm-validations.aws.", 300)); err != nil {
		t.Errorf("deleting with the current values: %v", err)
	}
	all, err := env.Route53.ListResourceRecordSets(ctx, &awsroute53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zone)})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, r := range all.ResourceRecordSets {
		types = append(types, string(r.Type))
	}
	if !slices.Equal(types, []string{"NS", "SOA"}) {
		t.Errorf("records left %v, want the zone's NS and SOA", types)
	}
}

func TestACMIssuesADNSValidatedCertificateOnceItsRecordsResolve(t *testing.T) {
	env := emutest.Start(t)
	ctx := t.Context()
	zone, err := env.Server.AddHostedZone("example.com", false)
	if err != nil {
		t.Fatal(err)
	}
	req, err := env.ACM.RequestCertificate(ctx, &awsacm.RequestCertificateInput{DomainName: aws.String("app.example.com"),
		SubjectAlternativeNames: []string{"app.example.com", "*.api.example.com"}, ValidationMethod: acmtypes.ValidationMethodDns})
	if err != nil {
		t.Fatal(err)
	}
	describe := func() *acmtypes.CertificateDetail {
		d, err := env.ACM.DescribeCertificate(ctx, &awsacm.DescribeCertificateInput{CertificateArn: req.CertificateArn})
		if err != nil {
			t.Fatal(err)
		}
		return d.Certificate
	}
	c := describe()
	if c.Status != acmtypes.CertificateStatusPendingValidation || len(c.DomainValidationOptions) != 2 {
		t.Fatalf("requested: status %s, validations %+v", c.Status, c.DomainValidationOptions)
	}
	for i, o := range c.DomainValidationOptions {
		rr := o.ResourceRecord
		if rr == nil || rr.Type != acmtypes.RecordTypeCname {
			t.Fatalf("validation %d has no CNAME record: %+v", i, o)
		}
		if i == 0 {
			if _, err := env.Route53.ChangeResourceRecordSets(ctx, &awsroute53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zone),
				ChangeBatch: cname(r53types.ChangeActionCreate, aws.ToString(rr.Name), aws.ToString(rr.Value), 60)}); err != nil {
				t.Fatal(err)
			}
			if s := describe().Status; s != acmtypes.CertificateStatusPendingValidation {
				t.Fatalf("one of two names validated: status %s", s)
			}
			continue
		}
		if _, err := env.Route53.ChangeResourceRecordSets(ctx, &awsroute53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zone),
			ChangeBatch: cname(r53types.ChangeActionUpsert, aws.ToString(rr.Name), aws.ToString(rr.Value), 60)}); err != nil {
			t.Fatal(err)
		}
	}
	if c := describe(); c.Status != acmtypes.CertificateStatusIssued || c.NotAfter == nil {
		t.Errorf("every record written: status %s", c.Status)
	}
	// The records are the account's for the domain: a new request for the
	// same names is validated by them at once.
	again, err := env.ACM.RequestCertificate(ctx, &awsacm.RequestCertificateInput{DomainName: aws.String("app.example.com"), ValidationMethod: acmtypes.ValidationMethodDns})
	if err != nil {
		t.Fatal(err)
	}
	d, err := env.ACM.DescribeCertificate(ctx, &awsacm.DescribeCertificateInput{CertificateArn: again.CertificateArn})
	if err != nil || d.Certificate.Status != acmtypes.CertificateStatusIssued {
		t.Errorf("second request: %+v, %v", d, err)
	}
}

func TestACMIgnoresValidationRecordsInAPrivateZone(t *testing.T) {
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{NoSeed: true}))
	ctx := t.Context()
	zone, err := env.Server.AddHostedZone("example.com", true)
	if err != nil {
		t.Fatal(err)
	}
	req, err := env.ACM.RequestCertificate(ctx, &awsacm.RequestCertificateInput{DomainName: aws.String("app.example.com"), ValidationMethod: acmtypes.ValidationMethodDns})
	if err != nil {
		t.Fatal(err)
	}
	d, err := env.ACM.DescribeCertificate(ctx, &awsacm.DescribeCertificateInput{CertificateArn: req.CertificateArn})
	if err != nil {
		t.Fatal(err)
	}
	rr := d.Certificate.DomainValidationOptions[0].ResourceRecord
	if _, err := env.Route53.ChangeResourceRecordSets(ctx, &awsroute53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zone),
		ChangeBatch: cname(r53types.ChangeActionCreate, aws.ToString(rr.Name), aws.ToString(rr.Value), 60)}); err != nil {
		t.Fatal(err)
	}
	d, err = env.ACM.DescribeCertificate(ctx, &awsacm.DescribeCertificateInput{CertificateArn: req.CertificateArn})
	if err != nil || d.Certificate.Status != acmtypes.CertificateStatusPendingValidation {
		t.Errorf("validated through a private zone: %+v, %v", d.Certificate.Status, err)
	}
}
