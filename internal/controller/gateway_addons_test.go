package controller_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	awsshield "github.com/aws/aws-sdk-go-v2/service/shield"
	awswafv2 "github.com/aws/aws-sdk-go-v2/service/wafv2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/events"
	"github.com/lbsg/lbsg/internal/testenv"
)

// configuredGateway creates Gateway ns/name of h's class naming the
// LoadBalancerConfiguration cfg, with an HTTPRoute to Service echo on
// every listener.
func (h *gwHarness) configuredGateway(ns, name, cfg string, listeners ...gwv1.Listener) *gwv1.Gateway {
	h.t.Helper()
	gw := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: gwv1.GatewaySpec{GatewayClassName: gwv1.ObjectName(h.class), Listeners: listeners,
			Infrastructure: &gwv1.GatewayInfrastructure{ParametersRef: &gwv1.LocalParametersReference{
				Group: "gateway.k8s.aws", Kind: "LoadBalancerConfiguration", Name: cfg}}}}
	h.create(gw)
	h.create(httpRoute(ns, name+"-web", []gwv1.ParentReference{parent(ns, name)}, nil,
		gwv1.HTTPRouteRule{BackendRefs: []gwv1.HTTPBackendRef{weighted(svcRef(ns, "echo", 80), 1)}}))
	return gw
}

// gatewayLBARN is the ARN of Gateway ns/name's ALB ("" none yet).
func (h *gwHarness) gatewayLBARN(ctx context.Context, ns, name string) (string, error) {
	lb, err := h.gatewayALB(ctx, ns, name)
	if err != nil || lb == nil || len(lb.listeners) == 0 {
		return "", err
	}
	out, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{lb.name}})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.LoadBalancers[0].LoadBalancerArn), nil
}

// setConfig rewrites the spec of LoadBalancerConfiguration ns/name.
func (h *gwHarness) setConfig(ns, name string, spec map[string]any) {
	h.t.Helper()
	testenv.Eventually(h.t, "configuration "+name+" updated", func(ctx context.Context) (bool, error) {
		cur := lbConfig(ns, name, nil)
		if err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(cur), cur); err != nil {
			return false, err
		}
		cur.Object["spec"] = spec
		return true, h.kube.Client.Update(ctx, cur)
	})
}

// resyncGateway reconciles gw directly (r: the NLB or ALB reconciler's
// turn) and returns the AWS calls it made.
func (h *gwHarness) resyncGateway(gw *gwv1.Gateway, alb bool) int {
	h.t.Helper()
	r := h.ctrls.Gateway
	if alb {
		r = h.ctrls.ALBGateway
	}
	base := h.quiesce()
	if _, err := r.Reconcile(h.t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(gw)}); err != nil {
		h.t.Fatal(err)
	}
	return h.emu.Server.Calls().Total - base
}

// addonAnnotation is the Gateway's gateway.k8s.aws.addon.<addon> annotation.
func (h *gwHarness) addonAnnotation(gw *gwv1.Gateway, addon string) string {
	cur := h.getGateway(gw)
	if cur == nil {
		return "<gone>"
	}
	return cur.Annotations["gateway.k8s.aws.addon."+addon]
}

// capacityOf is the ALB's or NLB's capacity reservation (0: none).
func (h *gwHarness) capacityOf(ctx context.Context, lbARN string) (int32, error) {
	res, err := h.emu.ELBv2.DescribeCapacityReservation(ctx, &elbv2.DescribeCapacityReservationInput{LoadBalancerArn: aws.String(lbARN)})
	if err != nil || res.MinimumLoadBalancerCapacity == nil {
		return 0, err
	}
	return aws.ToInt32(res.MinimumLoadBalancerCapacity.CapacityUnits), nil
}

// TestALBGatewayWebACLCapacityAndIPAMPoolFollowTheConfiguration: wafV2,
// minimumLoadBalancerCapacity and ipv4IPAMPoolId put the web ACL, the
// reservation and the pool on the Gateway's ALB and record the add-ons on
// the Gateway (LBC's annotations); another ACL is associated in place; a
// resync makes no AWS call; removing the fields disassociates the ACL,
// resets the reservation and releases the pool, recording the add-ons as
// off; a web ACL associated by someone else afterwards is left alone.
func TestALBGatewayWebACLCapacityAndIPAMPoolFollowTheConfiguration(t *testing.T) {
	h := startALBGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	// The reservation comes second: on a new load balancer it waits for
	// the load balancer to become active (deploy.CapacityRequeue).
	full := map[string]any{"scheme": "internet-facing", "wafV2": map[string]any{"webACL": sandboxACL},
		"ipv4IPAMPoolId": emulator.SandboxIPAMPoolID}
	h.create(lbConfig(ns, "addons", full))
	gw := h.configuredGateway(ns, "gw", "addons", httpListener("http", 80))

	var arn string
	await := func(what, acl, pool string, capacity int32) {
		t.Helper()
		testenv.Eventually(t, what, func(ctx context.Context) (bool, error) {
			a, err := h.gatewayLBARN(ctx, ns, "gw")
			if err != nil || a == "" {
				return false, err
			}
			if arn != "" && a != arn {
				t.Fatalf("%s: the ALB was replaced (%s → %s)", what, arn, a)
			}
			arn = a
			gotACL, err := h.webACLOf(ctx, a)
			if err != nil {
				return false, err
			}
			gotCap, err := h.capacityOf(ctx, a)
			if err != nil {
				return false, err
			}
			lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{a}})
			if err != nil {
				return false, err
			}
			gotPool := ""
			if p := lbs.LoadBalancers[0].IpamPools; p != nil {
				gotPool = aws.ToString(p.Ipv4IpamPoolId)
			}
			if gotACL != acl || gotCap != capacity || gotPool != pool {
				return false, fmt.Errorf("web ACL %q capacity %d pool %q, want %q %d %q", gotACL, gotCap, gotPool, acl, capacity, pool)
			}
			return true, nil
		})
	}
	await("the ALB with the web ACL and the pool", sandboxACL, emulator.SandboxIPAMPoolID, 0)
	if got := h.addonAnnotation(gw, "wafv2"); got != "true" {
		t.Errorf("annotation wafv2 = %q, want true", got)
	}
	if n := h.resyncGateway(gw, true); n != 0 {
		t.Errorf("a resync of the unchanged Gateway made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	full["wafV2"] = map[string]any{"webACL": strictACL}
	full["minimumLoadBalancerCapacity"] = map[string]any{"capacityUnits": int64(100)}
	h.setConfig(ns, "addons", full)
	await("the other web ACL and the reservation", strictACL, emulator.SandboxIPAMPoolID, 100)
	if got := h.addonAnnotation(gw, "provisionedcapacity"); got != "true" {
		t.Errorf("annotation provisionedcapacity = %q, want true", got)
	}
	if n := h.resyncGateway(gw, true); n != 0 {
		t.Errorf("a resync of the unchanged Gateway made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	h.setConfig(ns, "addons", map[string]any{"scheme": "internet-facing"})
	await("the add-ons removed", "", "", 0)
	testenv.Eventually(t, "the add-ons recorded as off", func(context.Context) (bool, error) {
		return h.addonAnnotation(gw, "wafv2") == "false" && h.addonAnnotation(gw, "provisionedcapacity") == "false", nil
	})
	if n := h.resyncGateway(gw, true); n != 0 {
		t.Errorf("a resync after the removal made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	// Someone else's web ACL: the configuration does not ask for one, and
	// lbsg has none recorded, so it stays.
	if _, err := h.emu.WAFv2.AssociateWebACL(t.Context(), &awswafv2.AssociateWebACLInput{ResourceArn: aws.String(arn), WebACLArn: aws.String(sandboxACL)}); err != nil {
		t.Fatal(err)
	}
	h.setConfig(ns, "addons", map[string]any{"scheme": "internet-facing", "tags": map[string]any{"touch": "1"}})
	h.quiesce()
	if n := h.resyncGateway(gw, true); n != 0 {
		t.Errorf("a resync made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
	if got, err := h.webACLOf(t.Context(), arn); err != nil || got != sandboxACL {
		t.Errorf("someone else's web ACL: %q %v, want it kept", got, err)
	}
}

// TestALBGatewayShieldProtectionFollowsTheConfiguration: with a Shield
// Advanced subscription, shieldConfiguration.enabled protects the ALB
// under the controller's name; a resync makes no AWS call; removing the
// field deletes that protection and records the add-on as off.
func TestALBGatewayShieldProtectionFollowsTheConfiguration(t *testing.T) {
	h := startALBGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	h.emu.Server.SetShieldSubscription(true)
	h.create(lbConfig(ns, "shield", map[string]any{"shieldConfiguration": map[string]any{"enabled": true}}))
	gw := h.configuredGateway(ns, "gw", "shield", httpListener("http", 80))

	protection := func(ctx context.Context, arn string) (string, error) {
		out, err := h.emu.Shield.DescribeProtection(ctx, &awsshield.DescribeProtectionInput{ResourceArn: aws.String(arn)})
		if err != nil || out.Protection == nil {
			return "", nil //nolint:nilerr // ResourceNotFoundException: none
		}
		return aws.ToString(out.Protection.Name), nil
	}
	var arn string
	testenv.Eventually(t, "the ALB protected", func(ctx context.Context) (bool, error) {
		a, err := h.gatewayLBARN(ctx, ns, "gw")
		if err != nil || a == "" {
			return false, err
		}
		arn = a
		name, err := protection(ctx, a)
		return name == deploy.ProtectionName, err
	})
	if got := h.addonAnnotation(gw, "shield"); got != "true" {
		t.Errorf("annotation shield = %q, want true", got)
	}
	if n := h.resyncGateway(gw, true); n != 0 {
		t.Errorf("a resync of the unchanged Gateway made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}

	h.setConfig(ns, "shield", map[string]any{})
	testenv.Eventually(t, "the protection deleted", func(ctx context.Context) (bool, error) {
		name, err := protection(ctx, arn)
		return name == "" && h.addonAnnotation(gw, "shield") == "false", err
	})
	if n := h.resyncGateway(gw, true); n != 0 {
		t.Errorf("a resync after the removal made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
}

// TestALBGatewayShieldWithoutASubscriptionIsSaidOutLoud: without a Shield
// Advanced subscription the Gateway asking for protection gets a
// ShieldNotSubscribed Warning and no protection is asked for.
func TestALBGatewayShieldWithoutASubscriptionIsSaidOutLoud(t *testing.T) {
	h := startALBGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	h.emu.Server.SetShieldSubscription(false)
	h.create(lbConfig(ns, "unsubscribed", map[string]any{"shieldConfiguration": map[string]any{"enabled": true}}))
	h.configuredGateway(ns, "bare", "unsubscribed", httpListener("http", 80))
	testenv.Eventually(t, "a ShieldNotSubscribed event", func(context.Context) (bool, error) {
		return h.events.has("bare Warning " + events.ReasonShieldNotSubscribed), nil
	})
	if a := h.emu.Server.Calls().Actions["shield:CreateProtection"]; a.Calls != 0 {
		t.Errorf("CreateProtection called %d times without a subscription", a.Calls)
	}
}

// TestALBGatewayHTTPSListenerMutualAuthentication: the HTTPS listener's
// configuration entry sets mutual TLS verify with the trust store named
// (resolved to its ARN), then passthrough, in place; a resync makes no
// AWS call; an unknown trust store refuses the Gateway with the listener
// unchanged.
func TestALBGatewayHTTPSListenerMutualAuthentication(t *testing.T) {
	h := startALBGateway(t)
	ns := h.kube.Namespace
	ctx := t.Context()
	h.backend(ns, "echo")
	cert := emutest.ImportCertificate(t, h.emu.ACM, "mtls.example.com")
	ts, err := h.emu.ELBv2.CreateTrustStore(ctx, &elbv2.CreateTrustStoreInput{Name: aws.String("clients"),
		CaCertificatesBundleS3Bucket: aws.String("bucket"), CaCertificatesBundleS3Key: aws.String("ca.pem")})
	if err != nil {
		t.Fatal(err)
	}
	tsARN := aws.ToString(ts.TrustStores[0].TrustStoreArn)
	entry := func(ma map[string]any) map[string]any {
		return map[string]any{"listenerConfigurations": []any{map[string]any{"protocolPort": "HTTPS:443", "defaultCertificate": cert,
			"mutualAuthentication": ma}}}
	}
	h.create(lbConfig(ns, "mtls", entry(map[string]any{"mode": "verify", "trustStore": "clients"})))
	gw := h.configuredGateway(ns, "gw", "mtls", gwv1.Listener{Name: "https", Port: 443, Protocol: gwv1.HTTPSProtocolType})

	var lsARN string
	await := func(what, want string) {
		t.Helper()
		testenv.Eventually(t, what, func(ctx context.Context) (bool, error) {
			lb, err := h.gatewayALB(ctx, ns, "gw")
			if err != nil || lb == nil {
				return false, err
			}
			got, ls, err := h.mtlsOf(ctx, lb.name, 443)
			if err != nil {
				return false, nil //nolint:nilerr // no listener yet
			}
			if lsARN != "" && ls != lsARN {
				t.Fatalf("%s: the listener was replaced", what)
			}
			lsARN = ls
			if got != want {
				return false, fmt.Errorf("mutual TLS %q, want %q", got, want)
			}
			return true, nil
		})
	}
	await("verify with the named trust store", "verify "+tsARN+" false off")
	if n := h.resyncGateway(gw, true); n != 0 {
		t.Errorf("a resync of the unchanged Gateway made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
	h.setConfig(ns, "mtls", entry(map[string]any{"mode": "passthrough"}))
	await("passthrough", "passthrough  false ")

	h.setConfig(ns, "mtls", entry(map[string]any{"mode": "verify", "trustStore": "nope"}))
	h.waitGatewayCondition(gw, "Accepted", "False/Invalid")
	if !h.events.has("couldn't find TrustStore with name nope") {
		t.Error("no event names the unknown trust store")
	}
	await("the listener unchanged", "passthrough  false ")
}

// TestALBGatewayTargetControlPort: a TargetGroupConfiguration's
// targetControlPort gives the ALB's ip target group that control port.
func TestALBGatewayTargetControlPort(t *testing.T) {
	h := startALBGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	h.createSlice(ns, "echo", "tcp", 8080, "10.0.1.10")
	tgc := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{
		"targetReference":      map[string]any{"name": "echo"},
		"defaultConfiguration": map[string]any{"targetType": "ip", "targetControlPort": int64(3000)},
	}}}
	tgc.SetAPIVersion("gateway.k8s.aws/v1")
	tgc.SetKind("TargetGroupConfiguration")
	tgc.SetNamespace(ns)
	tgc.SetName("echo")
	h.create(tgc)
	h.create(lbConfig(ns, "plain", map[string]any{}))
	gw := h.configuredGateway(ns, "gw", "plain", httpListener("http", 80))
	testenv.Eventually(t, "an ip target group with control port 3000", func(ctx context.Context) (bool, error) {
		out, err := h.emu.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{})
		if err != nil {
			return false, err
		}
		for _, tg := range out.TargetGroups {
			if tg.TargetType == "ip" && aws.ToInt32(tg.TargetControlPort) == 3000 {
				return true, nil
			}
		}
		return false, nil
	})
	if n := h.resyncGateway(gw, true); n != 0 {
		t.Errorf("a resync of the unchanged Gateway made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
}

// TestNLBGatewayCapacityReservation: minimumLoadBalancerCapacity reserves
// capacity on an NLB Gateway too; removing it resets the reservation and
// records the add-on as off; a resync then makes no AWS call.
func TestNLBGatewayCapacityReservation(t *testing.T) {
	h := startGateway(t)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	h.create(lbConfig(ns, "cap", map[string]any{}))
	gw := &gwv1.Gateway{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gw"}, Spec: gwv1.GatewaySpec{
		GatewayClassName: gwv1.ObjectName(h.class), Listeners: []gwv1.Listener{tcpListener("tcp", 80)},
		Infrastructure: &gwv1.GatewayInfrastructure{ParametersRef: &gwv1.LocalParametersReference{
			Group: "gateway.k8s.aws", Kind: "LoadBalancerConfiguration", Name: "cap"}}}}
	h.create(gw)
	h.create(tcpRoute(ns, "echo", []gwv1.ParentReference{parent(ns, "gw")}, svcRef(ns, "echo", 80)))
	h.waitListeners(ns, "gw", "80/TCP")
	lb, _, err := h.gwLoadBalancer(t.Context(), ns, "gw")
	if err != nil || lb == nil {
		t.Fatalf("NLB %+v %v", lb, err)
	}
	out, err := h.emu.ELBv2.DescribeLoadBalancers(t.Context(), &elbv2.DescribeLoadBalancersInput{Names: []string{lb.name}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.LoadBalancers[0].LoadBalancerArn)

	h.setConfig(ns, "cap", map[string]any{"minimumLoadBalancerCapacity": map[string]any{"capacityUnits": int64(5500)}})
	testenv.Eventually(t, "the reservation", func(ctx context.Context) (bool, error) {
		c, err := h.capacityOf(ctx, arn)
		return c == 5500 && h.addonAnnotation(gw, "provisionedcapacity") == "true", err
	})
	h.setConfig(ns, "cap", map[string]any{})
	testenv.Eventually(t, "the reservation reset", func(ctx context.Context) (bool, error) {
		c, err := h.capacityOf(ctx, arn)
		return c == 0 && h.addonAnnotation(gw, "provisionedcapacity") == "false", err
	})
	if n := h.resyncGateway(gw, false); n != 0 {
		t.Errorf("a resync after the reset made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
}

// TestALBGatewayOnAnOutpostGetsItsCustomerOwnedPool: a Gateway on one
// Outpost subnet with customerOwnedIpv4Pool gets an ALB created with it.
func TestALBGatewayOnAnOutpostGetsItsCustomerOwnedPool(t *testing.T) {
	testenv.GatewayAPI(t)
	h := &gwHarness{harness: startOn(t, testenv.Kube(t), emutest.Start(t, emutest.WithOutpostSubnet()), nil, true)}
	h.class = h.kube.Namespace + "-alb"
	h.create(&gwv1.GatewayClass{ObjectMeta: metav1.ObjectMeta{Name: h.class},
		Spec: gwv1.GatewayClassSpec{ControllerName: "gateway.k8s.aws/alb"}})
	t.Cleanup(h.deleteGateways)
	ns := h.kube.Namespace
	h.backend(ns, "echo")
	const pool = "ipv4pool-coip-0123456789abcdef0"
	h.create(lbConfig(ns, "edge", map[string]any{"customerOwnedIpv4Pool": pool,
		"loadBalancerSubnets": []any{map[string]any{"identifier": h.seed.OutpostSubnets[0]}}}))
	h.configuredGateway(ns, "gw", "edge", httpListener("http", 80))
	testenv.Eventually(t, "the ALB with the pool", func(ctx context.Context) (bool, error) {
		arn, err := h.gatewayLBARN(ctx, ns, "gw")
		if err != nil || arn == "" {
			return false, err
		}
		lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{arn}})
		if err != nil {
			return false, err
		}
		if got := aws.ToString(lbs.LoadBalancers[0].CustomerOwnedIpv4Pool); got != pool {
			return false, fmt.Errorf("pool %q, want %q", got, pool)
		}
		return true, nil
	})
}
