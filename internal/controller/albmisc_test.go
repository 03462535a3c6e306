package controller_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

// callDelta counts, per action, the calls made since before.
func (h *harness) callDelta(before map[string]int, actions ...string) map[string]int {
	now := h.emu.Server.Calls()
	out := map[string]int{}
	for _, a := range actions {
		out[a] = now.Count(a) - before[a]
	}
	return out
}

// callCounts snapshots the count of each action.
func (h *harness) callCounts(actions ...string) map[string]int {
	now := h.emu.Server.Calls()
	out := map[string]int{}
	for _, a := range actions {
		out[a] = now.Count(a)
	}
	return out
}

// assertResyncFree reconciles ing directly and fails on any AWS call.
func (h *harness) assertResyncFree(ing *networkingv1.Ingress) {
	h.t.Helper()
	base := h.quiesce()
	if _, err := h.ctrls.Ingress.Reconcile(h.t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(ing)}); err != nil {
		h.t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - base; n != 0 {
		h.t.Errorf("a resync of the unchanged Ingress made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
}

// controlPorts lists the target groups of the namespace's Service svc as
// "name:port" (port "-" without a TargetControlPort).
func (h *harness) controlPorts(ctx context.Context) (map[string]string, error) {
	tgs, err := h.emu.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, tg := range tgs.TargetGroups {
		p := "-"
		if tg.TargetControlPort != nil {
			p = fmt.Sprint(*tg.TargetControlPort)
		}
		out[aws.ToString(tg.TargetGroupArn)] = p
	}
	return out, nil
}

// TestIngressTargetControlPortReplacesTheTargetGroup: the
// target-control-port.<service>.<port> annotation gives the ip target group
// its TargetControlPort; a change or its removal replaces the group (one
// CreateTargetGroup, one DeleteTargetGroup, the rule repointed in place), a
// resync costs no call, and a value that is not a number is a Warning event
// with no AWS write.
func TestIngressTargetControlPortReplacesTheTargetGroup(t *testing.T) {
	h := start(t, nil)
	h.create(h.nodePortService("web"))
	key := annotations.IngTargetControlPortPrefix + "web.80"
	ing := h.albIngress("tcp", "/", "web", map[string]string{annotations.IngTargetType: "ip", key: "3000"})
	h.create(ing)

	only := func(what, want string) string {
		t.Helper()
		var arn string
		testenv.Eventually(t, what, func(ctx context.Context) (bool, error) {
			got, err := h.controlPorts(ctx)
			if err != nil || len(got) != 1 {
				return false, err
			}
			for a, p := range got {
				arn = a
				return p == want, nil
			}
			return false, nil
		})
		return arn
	}
	first := only("one target group with control port 3000", "3000")
	h.assertResyncFree(ing)

	acts := []string{"CreateTargetGroup", "DeleteTargetGroup", "ModifyRule", "CreateRule", "DeleteRule", "ModifyListener"}
	for _, step := range []struct {
		name, value, want string
	}{{"changed", "3001", "3001"}, {"removed", "", "-"}} {
		before := h.callCounts(acts...)
		h.updateIngress(ing, func(i *networkingv1.Ingress) {
			if step.value == "" {
				delete(i.Annotations, key)
			} else {
				i.Annotations[key] = step.value
			}
		})
		next := only("the target group replaced ("+step.name+")", step.want)
		if next == first {
			t.Errorf("%s: the target group %s was kept; a control port is fixed at creation", step.name, next)
		}
		h.quiesce()
		got := h.callDelta(before, acts...)
		want := map[string]int{"CreateTargetGroup": 1, "DeleteTargetGroup": 1, "ModifyRule": 1, "CreateRule": 0, "DeleteRule": 0, "ModifyListener": 0}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: calls %v, want %v", step.name, got, want)
		}
		first = next
		h.assertResyncFree(ing)
	}

	base := h.quiesce()
	writes := h.emu.Server.Calls().Mutations()
	h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Annotations[key] = "x" })
	testenv.Eventually(t, "a build warning naming the annotation", func(context.Context) (bool, error) {
		return h.events.has("tcp Warning FailedBuildModel") && h.events.has(key), nil
	})
	h.quiesce()
	if n := h.emu.Server.Calls().Mutations() - writes; n != 0 {
		t.Errorf("a bad control port made %d AWS writes (calls since: %d)", n, h.emu.Server.Calls().Total-base)
	}
	h.deleteAndWait(ing)
}

// mtlsOf describes the mutual TLS of the ALB's listener on port, with the
// listener's ARN.
func (h *harness) mtlsOf(ctx context.Context, lbName string, port int32) (string, string, error) {
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{lbName}})
	if err != nil {
		return "", "", err
	}
	ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil {
		return "", "", err
	}
	for _, l := range ls.Listeners {
		if aws.ToInt32(l.Port) != port {
			continue
		}
		m := l.MutualAuthentication
		if m == nil {
			return "<none>", aws.ToString(l.ListenerArn), nil
		}
		return fmt.Sprintf("%s %s %v %s", aws.ToString(m.Mode), aws.ToString(m.TrustStoreArn), aws.ToBool(m.IgnoreClientCertificateExpiry),
			m.AdvertiseTrustStoreCaNames), aws.ToString(l.ListenerArn), nil
	}
	return "", "", fmt.Errorf("no listener %d", port)
}

// TestIngressMutualAuthenticationIsSetAndChangedInPlace: the
// mutual-authentication annotation gives the HTTPS listener mode verify
// with the trust store named (resolved once, then cached), then passthrough
// and verify by ARN, each one ModifyListener on the same listener; a
// resync costs no call; removing the annotation leaves the listener as it
// is (LBC without EnhancedDefaultBehavior); a bad entry or an unknown trust
// store is a Warning event with no AWS write.
func TestIngressMutualAuthenticationIsSetAndChangedInPlace(t *testing.T) {
	h := start(t, nil)
	ctx := t.Context()
	cert := emutest.ImportCertificate(t, h.emu.ACM, "mtls.example.com")
	ts, err := h.emu.ELBv2.CreateTrustStore(ctx, &elbv2.CreateTrustStoreInput{Name: aws.String("clients"),
		CaCertificatesBundleS3Bucket: aws.String("bundles"), CaCertificatesBundleS3Key: aws.String("clients.pem")})
	if err != nil {
		t.Fatal(err)
	}
	tsARN := aws.ToString(ts.TrustStores[0].TrustStoreArn)
	h.create(h.nodePortService("web"))
	ing := h.albIngress("mtls", "/", "web", map[string]string{
		annotations.IngListenPorts: `[{"HTTPS":443}]`, annotations.IngCertificateARN: cert,
		annotations.IngMutualAuthentication: `[{"port":443,"mode":"verify","trustStore":"clients"}]`})
	h.create(ing)
	name := albName(naming.ImplicitIngressStack(ing.Namespace, ing.Name))

	var listenerARN string
	await := func(what, want string) {
		t.Helper()
		testenv.Eventually(t, what, func(ctx context.Context) (bool, error) {
			got, arn, _ := h.mtlsOf(ctx, name, 443) // errors until the ALB exists
			if got != want {
				return false, nil
			}
			if listenerARN != "" && arn != listenerARN {
				t.Fatalf("%s: the listener was recreated (%s → %s)", what, listenerARN, arn)
			}
			listenerARN = arn
			return true, nil
		})
	}
	await("verify with the named trust store", "verify "+tsARN+" false off")
	h.assertResyncFree(ing)

	acts := []string{"ModifyListener", "CreateListener", "DeleteListener", "DescribeTrustStores"}
	for _, step := range []struct {
		name, ann, want string
		modify          int
	}{
		{"passthrough", `[{"port":443,"mode":"passthrough"}]`, "passthrough  false ", 1},
		{"verify by ARN with settings", `[{"port":443,"mode":"verify","trustStore":"` + tsARN + `","ignoreClientCertificateExpiry":true,"advertiseTrustStoreCaNames":"on"}]`,
			"verify " + tsARN + " true on", 1},
		{"removed: left as it is", "", "verify " + tsARN + " true on", 0},
	} {
		h.quiesce()
		before := h.callCounts(acts...)
		h.updateIngress(ing, func(i *networkingv1.Ingress) {
			if step.ann == "" {
				delete(i.Annotations, annotations.IngMutualAuthentication)
			} else {
				i.Annotations[annotations.IngMutualAuthentication] = step.ann
			}
		})
		if step.modify == 0 {
			h.quiesce()
		}
		await(step.name, step.want)
		h.quiesce()
		want := map[string]int{"ModifyListener": step.modify, "CreateListener": 0, "DeleteListener": 0, "DescribeTrustStores": 0}
		if got := h.callDelta(before, acts...); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: calls %v, want %v", step.name, got, want)
		}
		h.assertResyncFree(ing)
	}

	for _, bad := range []struct{ name, ann, event string }{
		{"verify without a trust store", `[{"port":443,"mode":"verify"}]`, "trustStore is required when mutualAuthentication mode is verify for port 443"},
		{"an unknown trust store", `[{"port":443,"mode":"verify","trustStore":"nope"}]`, "couldn't find TrustStore with name nope"},
	} {
		h.quiesce()
		writes := h.emu.Server.Calls().Mutations()
		h.updateIngress(ing, func(i *networkingv1.Ingress) { i.Annotations[annotations.IngMutualAuthentication] = bad.ann })
		testenv.Eventually(t, bad.name+": a build warning", func(context.Context) (bool, error) {
			return h.events.has("mtls Warning FailedBuildModel") && h.events.has(bad.event), nil
		})
		h.quiesce()
		if n := h.emu.Server.Calls().Mutations() - writes; n != 0 {
			t.Errorf("%s: %d AWS writes", bad.name, n)
		}
	}
	h.deleteAndWait(ing)
}

// ipamPoolOf is the ALB's reported IPv4 IPAM pool ("" none) and its ARN.
func (h *harness) ipamPoolOf(ctx context.Context, lbName string) (string, string, error) {
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{lbName}})
	if err != nil {
		return "", "", err
	}
	lb := lbs.LoadBalancers[0]
	if lb.IpamPools == nil {
		return "", aws.ToString(lb.LoadBalancerArn), nil
	}
	return aws.ToString(lb.IpamPools.Ipv4IpamPoolId), aws.ToString(lb.LoadBalancerArn), nil
}

// TestIngressIPAMPoolIsSetRemovedAndSetAgainInPlace: ipam-ipv4-pool-id
// creates the internet-facing ALB with the pool; removing the annotation is
// one ModifyIpPools removing it, adding it back one setting it, on the same
// ALB; a resync costs no call; a pool AWS does not know is a Warning event
// and the ALB keeps its pool.
func TestIngressIPAMPoolIsSetRemovedAndSetAgainInPlace(t *testing.T) {
	h := start(t, nil)
	h.create(h.nodePortService("web"))
	pool := emulator.SandboxIPAMPoolID
	ing := h.albIngress("ipam", "/", "web", map[string]string{annotations.IngScheme: "internet-facing", annotations.IngIPAMIPv4PoolID: pool})
	h.create(ing)
	name := naming.IngressLBName(cluster, naming.ImplicitIngressStack(ing.Namespace, ing.Name), naming.SchemeInternetFacing)

	var lbARN string
	await := func(what, want string) {
		t.Helper()
		testenv.Eventually(t, what, func(ctx context.Context) (bool, error) {
			got, arn, _ := h.ipamPoolOf(ctx, name) // errors until the ALB exists
			if got != want || arn == "" {
				return false, nil
			}
			if lbARN != "" && arn != lbARN {
				t.Fatalf("%s: the ALB was replaced (%s → %s)", what, lbARN, arn)
			}
			lbARN = arn
			return true, nil
		})
	}
	await("the ALB created with the pool", pool)
	h.assertResyncFree(ing)

	acts := []string{"ModifyIpPools", "CreateLoadBalancer", "DeleteLoadBalancer"}
	for _, step := range []struct{ name, value, want string }{{"removed", "", ""}, {"set again", pool, pool}} {
		h.quiesce()
		before := h.callCounts(acts...)
		h.updateIngress(ing, func(i *networkingv1.Ingress) {
			if step.value == "" {
				delete(i.Annotations, annotations.IngIPAMIPv4PoolID)
			} else {
				i.Annotations[annotations.IngIPAMIPv4PoolID] = step.value
			}
		})
		await(step.name, step.want)
		h.quiesce()
		want := map[string]int{"ModifyIpPools": 1, "CreateLoadBalancer": 0, "DeleteLoadBalancer": 0}
		if got := h.callDelta(before, acts...); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: calls %v, want %v", step.name, got, want)
		}
		h.assertResyncFree(ing)
	}

	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		i.Annotations[annotations.IngIPAMIPv4PoolID] = "ipam-pool-0fffffffffffffff0"
	})
	testenv.Eventually(t, "a deploy warning for the unknown pool", func(context.Context) (bool, error) {
		return h.events.has("ipam Warning FailedDeployModel") && h.events.has("ipam-pool-0fffffffffffffff0"), nil
	})
	await("the ALB keeps its pool", pool)
	h.deleteAndWait(ing)
}
