package e2e

import (
	"testing"

	"github.com/lbsg/lbsg/internal/emulator"
)

// TestAWSCLITrustStoresMutualTLSAndIPAMPools drives the emulator's trust
// stores, listener mutual TLS and IPAM pools with the real AWS CLI v2. It
// needs a CLI that knows them (late 2023 or later; Debian 12's 2.9.19 does
// not): with an older one it is skipped.
func TestAWSCLITrustStoresMutualTLSAndIPAMPools(t *testing.T) {
	path := awsCLI(t)
	for _, cmd := range []string{"create-trust-store", "modify-ip-pools"} {
		if _, _, code := (cli{t: t, path: path, endpoint: "http://127.0.0.1:1"}).run("elbv2", cmd, "help"); code != 0 {
			t.Skipf("this AWS CLI has no elbv2 %s", cmd)
		}
	}
	aws := cli{t: t, path: path, endpoint: startEmulator(t)}

	var ts struct {
		TrustStores []struct{ TrustStoreArn, Name, Status string }
	}
	aws.ok(&ts, "elbv2", "create-trust-store", "--name", "clients", "--ca-certificates-bundle-s3-bucket", "bundles",
		"--ca-certificates-bundle-s3-key", "clients.pem", "--tags", "Key=team,Value=a")
	if len(ts.TrustStores) != 1 || ts.TrustStores[0].Status != "ACTIVE" {
		t.Fatalf("create-trust-store: %+v", ts)
	}
	tsARN := ts.TrustStores[0].TrustStoreArn
	aws.fails("DuplicateTrustStoreName", "elbv2", "create-trust-store", "--name", "clients", "--ca-certificates-bundle-s3-bucket", "b",
		"--ca-certificates-bundle-s3-key", "k")
	var arn string
	aws.ok(&arn, "elbv2", "describe-trust-stores", "--names", "clients", "--query", "TrustStores[0].TrustStoreArn")
	if arn != tsARN {
		t.Fatalf("describe-trust-stores by name: %q, want %q", arn, tsARN)
	}
	aws.fails("TrustStoreNotFound", "elbv2", "describe-trust-stores", "--names", "nope")

	var subnets []string
	aws.ok(&subnets, "ec2", "describe-subnets", "--filters", "Name=tag-key,Values=kubernetes.io/role/elb", "--query", "Subnets[].SubnetId")
	if len(subnets) < 2 {
		t.Fatalf("public subnets: %v", subnets)
	}
	var lb struct {
		LoadBalancers []struct{ LoadBalancerArn string }
	}
	aws.ok(&lb, "elbv2", "create-load-balancer", "--name", "cli-ipam", "--scheme", "internet-facing", "--subnets", subnets[0], subnets[1],
		"--ipam-pools", "Ipv4IpamPoolId="+emulator.SandboxIPAMPoolID)
	lbARN := lb.LoadBalancers[0].LoadBalancerArn
	var pool string
	aws.ok(&pool, "elbv2", "describe-load-balancers", "--load-balancer-arns", lbARN, "--query", "LoadBalancers[0].IpamPools.Ipv4IpamPoolId")
	if pool != emulator.SandboxIPAMPoolID {
		t.Fatalf("IPAM pool %q", pool)
	}
	aws.ok(nil, "elbv2", "modify-ip-pools", "--load-balancer-arn", lbARN, "--remove-ipam-pools", "ipv4")
	var none any
	aws.ok(&none, "elbv2", "describe-load-balancers", "--load-balancer-arns", lbARN, "--query", "LoadBalancers[0].IpamPools")
	if none != nil {
		t.Fatalf("IPAM pools after removal: %v", none)
	}
	aws.fails("InvalidConfigurationRequest", "elbv2", "modify-ip-pools", "--load-balancer-arn", lbARN, "--ipam-pools", "Ipv4IpamPoolId=ipam-pool-0fffffffffffffff0")

	cert := "arn:aws:acm:us-west-2:123456789012:certificate/" + emulator.SandboxCertificateID
	var ls struct {
		Listeners []struct{ ListenerArn string }
	}
	aws.ok(&ls, "elbv2", "create-listener", "--load-balancer-arn", lbARN, "--protocol", "HTTPS", "--port", "443",
		"--certificates", "CertificateArn="+cert, "--default-actions", "Type=fixed-response,FixedResponseConfig={StatusCode=404}",
		"--mutual-authentication", "Mode=verify,TrustStoreArn="+tsARN+",AdvertiseTrustStoreCaNames=on")
	var mtls struct {
		Mode, TrustStoreArn, AdvertiseTrustStoreCaNames, TrustStoreAssociationStatus string
		IgnoreClientCertificateExpiry                                                bool
	}
	aws.ok(&mtls, "elbv2", "describe-listeners", "--listener-arns", ls.Listeners[0].ListenerArn, "--query", "Listeners[0].MutualAuthentication")
	if mtls.Mode != "verify" || mtls.TrustStoreArn != tsARN || mtls.AdvertiseTrustStoreCaNames != "on" || mtls.IgnoreClientCertificateExpiry ||
		mtls.TrustStoreAssociationStatus != "active" {
		t.Fatalf("mutual authentication %+v", mtls)
	}
	aws.fails("TrustStoreInUse", "elbv2", "delete-trust-store", "--trust-store-arn", tsARN)
	aws.ok(nil, "elbv2", "modify-listener", "--listener-arn", ls.Listeners[0].ListenerArn, "--mutual-authentication", "Mode=passthrough")
	aws.ok(nil, "elbv2", "delete-trust-store", "--trust-store-arn", tsARN)
	aws.fails("TrustStoreNotFound", "elbv2", "delete-trust-store", "--trust-store-arn", tsARN)
}
