package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAWSCLIFrontendSecurityGroupTutorial drives the emulator with the real
// AWS CLI v2 through the frontend-SG tutorial: find the VPC, create a group,
// open 443, put it on a load balancer, read it back.
func TestAWSCLIFrontendSecurityGroupTutorial(t *testing.T) {
	aws := cli{t: t, path: awsCLI(t), endpoint: startEmulator(t)}

	var vpcID string
	aws.ok(&vpcID, "ec2", "describe-vpcs", "--query", "Vpcs[0].VpcId")
	if !strings.HasPrefix(vpcID, "vpc-") {
		t.Fatalf("vpc id %q", vpcID)
	}
	var eksVPC string
	aws.ok(&eksVPC, "eks", "describe-cluster", "--name", "sandbox", "--query", "cluster.resourcesVpcConfig.vpcId")
	if eksVPC != vpcID {
		t.Fatalf("eks describe-cluster vpc %q, want %q", eksVPC, vpcID)
	}

	var created struct{ GroupId string }
	aws.ok(&created, "ec2", "create-security-group", "--group-name", "web", "--description", "web", "--vpc-id", vpcID)
	sg := created.GroupId
	if !strings.HasPrefix(sg, "sg-") || len(sg) != 20 {
		t.Fatalf("group id %q", sg)
	}
	aws.fails("InvalidGroup.Duplicate", "ec2", "create-security-group", "--group-name", "WEB", "--description", "web", "--vpc-id", vpcID)

	aws.ok(nil, "ec2", "authorize-security-group-ingress", "--group-id", sg, "--protocol", "all", "--port", "443", "--cidr", "0.0.0.0/0")
	aws.fails("InvalidPermission.Duplicate", "ec2", "authorize-security-group-ingress", "--group-id", sg, "--protocol", "all", "--cidr", "0.0.0.0/0")
	aws.ok(nil, "ec2", "authorize-security-group-ingress", "--group-id", sg, "--ip-permissions",
		`IpProtocol=tcp,FromPort=80,ToPort=80,IpRanges=[{CidrIp=10.0.0.5/16,Description=lb}]`)

	var perms []struct {
		IpProtocol string
		FromPort   *int
		IpRanges   []struct{ CidrIp, Description string }
	}
	aws.ok(&perms, "ec2", "describe-security-groups", "--group-ids", sg, "--query", "SecurityGroups[0].IpPermissions")
	if len(perms) != 2 {
		t.Fatalf("want 2 permissions, got %+v", perms)
	}
	for _, p := range perms {
		switch p.IpProtocol {
		case "-1":
			if p.FromPort != nil {
				t.Errorf("all-traffic rule carries ports: %+v", p)
			}
		case "tcp":
			if len(p.IpRanges) != 1 || p.IpRanges[0].CidrIp != "10.0.0.0/16" || p.IpRanges[0].Description != "lb" {
				t.Errorf("CIDR not canonicalised or description lost: %+v", p)
			}
		default:
			t.Errorf("unexpected permission %+v", p)
		}
	}

	var subnets []string
	aws.ok(&subnets, "ec2", "describe-subnets", "--filters", "Name=vpc-id,Values="+vpcID, "Name=tag:kubernetes.io/role/elb,Values=1", "--query", "Subnets[].SubnetId")
	if len(subnets) != 3 {
		t.Fatalf("want 3 public subnets, got %v", subnets)
	}
	var lbs struct {
		LoadBalancers []struct {
			LoadBalancerArn, DNSName string
			SecurityGroups           []string
		}
	}
	aws.ok(&lbs, append([]string{"elbv2", "create-load-balancer", "--name", "web", "--type", "network", "--scheme", "internet-facing", "--security-groups", sg, "--subnets"}, subnets...)...)
	if len(lbs.LoadBalancers) != 1 {
		t.Fatalf("create-load-balancer: %+v", lbs)
	}
	var described [][]string
	aws.ok(&described, "elbv2", "describe-load-balancers", "--names", "web", "--query", "LoadBalancers[].SecurityGroups")
	if len(described) != 1 || len(described[0]) != 1 || described[0][0] != sg {
		t.Fatalf("describe-load-balancers SecurityGroups: %v", described)
	}
	// A parameter the emulated account cannot honour is refused, not
	// dropped (issue 21): it has no Outposts.
	aws.fails("InvalidConfigurationRequest", append([]string{"elbv2", "create-load-balancer", "--name", "coip", "--customer-owned-ipv4-pool",
		"ipv4pool-coip-0123456789abcdef0", "--subnets"}, subnets...)...)
	aws.fails("DependencyViolation", "ec2", "delete-security-group", "--group-id", sg)
	aws.fails("LoadBalancerNotFound", "elbv2", "describe-load-balancers", "--names", "nope")

	aws.ok(nil, "elbv2", "delete-load-balancer", "--load-balancer-arn", lbs.LoadBalancers[0].LoadBalancerArn)
	aws.ok(nil, "ec2", "delete-security-group", "--group-id", sg)
	aws.fails("InvalidGroup.NotFound", "ec2", "describe-security-groups", "--group-ids", sg)
}

// TestAWSCLIPaginationWithSeedFile starts the emulator from a YAML seed with
// 12 groups and checks the CLI's automatic paging over NextToken.
func TestAWSCLIPaginationWithSeedFile(t *testing.T) {
	var seed strings.Builder
	seed.WriteString("vpcs:\n- name: paging\n  cidr: 10.1.0.0/16\n  subnets:\n  - {name: a, az: us-west-2a, cidr: 10.1.0.0/20}\n  securityGroups:\n")
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&seed, "  - {name: g%02d, description: paging}\n", i)
	}
	seed.WriteString("clusters:\n- {name: paging, vpc: paging}\n")
	path := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(path, []byte(seed.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	aws := cli{t: t, path: awsCLI(t), endpoint: startEmulator(t, "--seed", path)}
	var ids []string
	aws.ok(&ids, "ec2", "describe-security-groups", "--filters", "Name=description,Values=paging", "--page-size", "5", "--query", "SecurityGroups[].GroupId")
	if len(ids) != 12 {
		t.Fatalf("paged listing returned %d groups, want 12", len(ids))
	}
	calls := emulatorCalls(t, aws.endpoint)
	if n := calls.Actions["ec2:DescribeSecurityGroups"].Calls; n != 3 {
		t.Fatalf("12 groups in pages of 5 took %d calls, want 3", n)
	}
}

// TestAWSCLIRejectsBadCredentialsInCredentialsMode runs the emulator with
// --credentials and checks both a good and a bad key.
func TestAWSCLIRejectsBadCredentialsInCredentialsMode(t *testing.T) {
	endpoint := startEmulator(t, "--credentials", "AKIDEXAMPLE:secret")
	aws := cli{t: t, path: awsCLI(t), endpoint: endpoint}
	aws.ok(nil, "ec2", "describe-vpcs")
	bad := cli{t: t, path: aws.path, endpoint: endpoint}
	_, errs, code := bad.runWith([]string{"AWS_SECRET_ACCESS_KEY=wrong"}, "ec2", "describe-vpcs")
	if code == 0 || !strings.Contains(errs, "AuthFailure") {
		t.Fatalf("wrong secret: exit %d %s", code, errs)
	}
}

// TestAWSCLIACMCertificateRequestAndDiscoveryListing drives the emulator's
// ACM with the real AWS CLI v2: a requested certificate is pending until
// the control API issues it, then listed among the ISSUED certificates of
// every key type (as certificate discovery lists them) and described with
// its names and type.
func TestAWSCLIACMCertificateRequestAndDiscoveryListing(t *testing.T) {
	aws := cli{t: t, path: awsCLI(t), endpoint: startEmulator(t)}
	var req struct{ CertificateArn string }
	aws.ok(&req, "acm", "request-certificate", "--domain-name", "app.example.com",
		"--subject-alternative-names", "www.example.com", "--validation-method", "DNS", "--key-algorithm", "EC_prime256v1")
	if !strings.HasPrefix(req.CertificateArn, "arn:aws:acm:us-west-2:") {
		t.Fatalf("ARN %q", req.CertificateArn)
	}
	var status string
	aws.ok(&status, "acm", "describe-certificate", "--certificate-arn", req.CertificateArn, "--query", "Certificate.Status")
	if status != "PENDING_VALIDATION" {
		t.Fatalf("status %q, want PENDING_VALIDATION", status)
	}
	listIssued := func() []string {
		var arns []string
		aws.ok(&arns, "acm", "list-certificates", "--certificate-statuses", "ISSUED",
			"--includes", "keyTypes=RSA_1024,RSA_2048,RSA_3072,RSA_4096,EC_prime256v1,EC_secp384r1,EC_secp521r1",
			"--page-size", "1", "--query", "CertificateSummaryList[].CertificateArn")
		return arns
	}
	if got := listIssued(); slices.Contains(got, req.CertificateArn) {
		t.Fatalf("a pending certificate is listed as ISSUED: %v", got)
	}
	resp, err := http.Post(aws.endpoint+"/_lbsg/acm/issue", "application/json", strings.NewReader(`{"certificateArn":"`+req.CertificateArn+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("issuing: HTTP %d", resp.StatusCode)
	}
	if got := listIssued(); !slices.Contains(got, req.CertificateArn) {
		t.Fatalf("ISSUED listing %v lacks %s", got, req.CertificateArn)
	}
	var d struct {
		Type                    string
		Status                  string
		SubjectAlternativeNames []string
		KeyAlgorithm            string
	}
	aws.ok(&d, "acm", "describe-certificate", "--certificate-arn", req.CertificateArn, "--query", "Certificate")
	if d.Type != "AMAZON_ISSUED" || d.Status != "ISSUED" || d.KeyAlgorithm != "EC_prime256v1" ||
		!slices.Equal(d.SubjectAlternativeNames, []string{"app.example.com", "www.example.com"}) {
		t.Errorf("described %+v", d)
	}
	var defaultList []string
	aws.ok(&defaultList, "acm", "list-certificates", "--query", "CertificateSummaryList[].CertificateArn")
	if slices.Contains(defaultList, req.CertificateArn) {
		t.Errorf("the default listing (RSA only) has the EC certificate: %v", defaultList)
	}
	aws.fails("ValidationException", "acm", "request-certificate", "--domain-name", "bad..example.com")
	aws.fails("InvalidArnException", "acm", "request-certificate", "--domain-name", "a.example.com",
		"--certificate-authority-arn", "arn:aws:acm-pca:us-west-2:123456789012:nope")
}

// TestAWSCLIAssumeRoleCredentialsWorkUntilForged: `aws sts assume-role`
// against the emulator in --credentials mode returns temporary credentials
// that the other services accept with their session token, and refuse
// with a forged one; a role given an external ID (control API) refuses a
// call without it.
func TestAWSCLIAssumeRoleCredentialsWorkUntilForged(t *testing.T) {
	endpoint := startEmulator(t, "--credentials", "AKIDEXAMPLE:secret")
	aws := cli{t: t, path: awsCLI(t), endpoint: endpoint}
	const role = "arn:aws:iam::210987654321:role/tgb-writer"
	var out struct {
		Credentials     struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
		AssumedRoleUser struct{ Arn string }
	}
	aws.ok(&out, "sts", "assume-role", "--role-arn", role, "--role-session-name", "lbsg", "--duration-seconds", "900")
	c := out.Credentials
	if !strings.HasPrefix(c.AccessKeyId, "ASIA") || c.SessionToken == "" || c.Expiration == "" ||
		out.AssumedRoleUser.Arn != "arn:aws:sts::210987654321:assumed-role/tgb-writer/lbsg" {
		t.Fatalf("assume-role returned %+v", out)
	}
	as := []string{"AWS_ACCESS_KEY_ID=" + c.AccessKeyId, "AWS_SECRET_ACCESS_KEY=" + c.SecretAccessKey, "AWS_SESSION_TOKEN=" + c.SessionToken}
	if _, errs, code := aws.runWith(as, "elbv2", "describe-target-groups"); code != 0 {
		t.Errorf("the assumed credentials are refused: exit %d %s", code, errs)
	}
	forged := append(as[:2:2], "AWS_SESSION_TOKEN=forged")
	if _, errs, code := aws.runWith(forged, "elbv2", "describe-target-groups"); code == 0 || !strings.Contains(errs, "InvalidClientTokenId") {
		t.Errorf("a forged session token: exit %d %s", code, errs)
	}
	aws.fails("ValidationError", "sts", "assume-role", "--role-arn", "arn:aws:iam::210987654321:user/bob", "--role-session-name", "lbsg")
	resp, err := http.Post(endpoint+"/_lbsg/roles", "application/json", strings.NewReader(`{"roleArn": "`+role+`", "externalId": "shared-secret"}`))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	aws.fails("AccessDenied", "sts", "assume-role", "--role-arn", role, "--role-session-name", "lbsg")
	aws.ok(nil, "sts", "assume-role", "--role-arn", role, "--role-session-name", "lbsg", "--external-id", "shared-secret")
}
