package controller_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	awsshield "github.com/aws/aws-sdk-go-v2/service/shield"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/testenv"
)

// What LBC's Gateway guide names without defining it, and which the
// account of its reader would hold: the test seeds the emulator with them
// so that those examples converge instead of failing on a missing name.
const (
	docIPAMPool   = "ipam-1234" // loadbalancerconfig.md: ipv4IPAMPoolId
	docTrustStore = "ts-1234"   // loadbalancerconfig.md: mutualAuthentication.trustStore
	docSubnetKey  = "key1"      // loadbalancerconfig.md: loadBalancerSubnetsSelector key1: [k1, k2, k3]
)

// startDocGateway is startGateway on an emulator seeded for LBC's Gateway
// guide: the IPAM pool and trust store its examples name, a Shield
// Advanced subscription, and the public subnets tagged key1=k1 and k2 (one
// per zone, as the selector example asks).
func startDocGateway(t *testing.T) *gwHarness {
	t.Helper()
	testenv.GatewayAPI(t)
	seed := emulator.DefaultSeed(cluster, "us-west-2")
	seed.IPAMPools = append(seed.IPAMPools, docIPAMPool)
	seed.ShieldSubscription = true
	emu := emutest.Start(t, emutest.WithOptions(emulator.Options{Seed: &seed}))
	h := &gwHarness{harness: startOn(t, testenv.Kube(t), emu, nil, true)}
	h.class = h.kube.Namespace + "-nlb"
	t.Cleanup(h.deleteGateways)
	ctx := t.Context()
	if _, err := emu.ELBv2.CreateTrustStore(ctx, &elbv2.CreateTrustStoreInput{Name: aws.String(docTrustStore),
		CaCertificatesBundleS3Bucket: aws.String("bundles"), CaCertificatesBundleS3Key: aws.String("ca.pem")}); err != nil {
		t.Fatal(err)
	}
	for i, id := range h.seed.PublicSubnets {
		if _, err := emu.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id},
			Tags: []ec2types.Tag{{Key: aws.String(docSubnetKey), Value: aws.String([]string{"k1", "k2"}[i%2])}}}); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// docLB is the load balancer of a Programmed Gateway: the one whose DNS
// name is the Gateway's address.
func (h *gwHarness) docLB(ctx context.Context, gw *unstructured.Unstructured) (elbv2types.LoadBalancer, error) {
	addrs, _, _ := unstructured.NestedSlice(gw.Object, "status", "addresses")
	if len(addrs) == 0 {
		return elbv2types.LoadBalancer{}, errors.New("no address")
	}
	dns, _ := addrs[0].(map[string]any)["value"].(string)
	out, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		return elbv2types.LoadBalancer{}, err
	}
	for _, lb := range out.LoadBalancers {
		if aws.ToString(lb.DNSName) == dns {
			return lb, nil
		}
	}
	return elbv2types.LoadBalancer{}, fmt.Errorf("no load balancer has DNS name %s", dns)
}

// docRules are the rules of every listener of lb.
func (h *gwHarness) docRules(ctx context.Context, lb elbv2types.LoadBalancer) ([]elbv2types.Listener, []elbv2types.Rule, error) {
	ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
	if err != nil {
		return nil, nil, err
	}
	var rules []elbv2types.Rule
	for _, l := range ls.Listeners {
		if lb.Type != elbv2types.LoadBalancerTypeEnumApplication {
			continue
		}
		out, err := h.emu.ELBv2.DescribeRules(ctx, &elbv2.DescribeRulesInput{ListenerArn: l.ListenerArn})
		if err != nil {
			return nil, nil, err
		}
		rules = append(rules, out.Rules...)
	}
	return ls.Listeners, rules, nil
}

// anyRuleAction says whether some non-default rule has an action ok
// accepts.
func anyRuleAction(rules []elbv2types.Rule, ok func(elbv2types.Action) bool) bool {
	for _, r := range rules {
		if aws.ToBool(r.IsDefault) {
			continue
		}
		if slices.ContainsFunc(r.Actions, ok) {
			return true
		}
	}
	return false
}

// docCheck checks that the emulator holds what an example is about, on
// the load balancer of one of its converged Gateways.
type docCheck func(ctx context.Context, h *gwHarness, lb elbv2types.LoadBalancer) error

var docChecks = map[string]docCheck{
	"shield": func(ctx context.Context, h *gwHarness, lb elbv2types.LoadBalancer) error {
		out, err := h.emu.Shield.DescribeProtection(ctx, &awsshield.DescribeProtectionInput{ResourceArn: lb.LoadBalancerArn})
		if err != nil || out.Protection == nil {
			return fmt.Errorf("no Shield protection: %v", err)
		}
		return nil
	},
	"capacity": func(ctx context.Context, h *gwHarness, lb elbv2types.LoadBalancer) error {
		out, err := h.emu.ELBv2.DescribeCapacityReservation(ctx, &elbv2.DescribeCapacityReservationInput{LoadBalancerArn: lb.LoadBalancerArn})
		if err != nil {
			return err
		}
		if out.MinimumLoadBalancerCapacity == nil || aws.ToInt32(out.MinimumLoadBalancerCapacity.CapacityUnits) != 100000 {
			return fmt.Errorf("capacity reservation %+v, want 100000 units", out.MinimumLoadBalancerCapacity)
		}
		return nil
	},
	"noSecurityGroups": func(_ context.Context, _ *gwHarness, lb elbv2types.LoadBalancer) error {
		if len(lb.SecurityGroups) != 0 {
			return fmt.Errorf("security groups %v, want none", lb.SecurityGroups)
		}
		return nil
	},
	"namedSecurityGroups": func(ctx context.Context, h *gwHarness, lb elbv2types.LoadBalancer) error {
		if len(lb.SecurityGroups) == 0 {
			return errors.New("no security groups, want sg1 and sg2")
		}
		out, err := h.emu.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: lb.SecurityGroups})
		if err != nil {
			return err
		}
		var names []string
		for _, g := range out.SecurityGroups {
			names = append(names, aws.ToString(g.GroupName))
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"sg1", "sg2"}) {
			return fmt.Errorf("security groups %v, want sg1 and sg2", names)
		}
		return nil
	},
	"selectedSubnets": func(ctx context.Context, h *gwHarness, lb elbv2types.LoadBalancer) error {
		var ids []string
		for _, az := range lb.AvailabilityZones {
			ids = append(ids, aws.ToString(az.SubnetId))
		}
		slices.Sort(ids)
		if !slices.Equal(ids, h.seed.PublicSubnets) {
			return fmt.Errorf("subnets %v, want those tagged %s: %v", ids, docSubnetKey, h.seed.PublicSubnets)
		}
		return nil
	},
	"tags": func(ctx context.Context, h *gwHarness, lb elbv2types.LoadBalancer) error {
		out, err := h.emu.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{aws.ToString(lb.LoadBalancerArn)}})
		if err != nil {
			return err
		}
		got := map[string]string{}
		for _, td := range out.TagDescriptions {
			for _, tg := range td.Tags {
				got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
		}
		if got["tag-k1"] != "v1" || got["tag-k2"] != "v2" {
			return fmt.Errorf("tags %v, want tag-k1=v1 and tag-k2=v2", got)
		}
		return nil
	},
	"stickyForward": func(ctx context.Context, h *gwHarness, lb elbv2types.LoadBalancer) error {
		_, rules, err := h.docRules(ctx, lb)
		if err != nil {
			return err
		}
		if !anyRuleAction(rules, func(a elbv2types.Action) bool {
			s := a.ForwardConfig
			return s != nil && s.TargetGroupStickinessConfig != nil && aws.ToBool(s.TargetGroupStickinessConfig.Enabled) &&
				aws.ToInt32(s.TargetGroupStickinessConfig.DurationSeconds) == 120
		}) {
			return errors.New("no rule forwards with stickiness 120 s")
		}
		return nil
	},
	"redirectQuery": func(ctx context.Context, h *gwHarness, lb elbv2types.LoadBalancer) error {
		_, rules, err := h.docRules(ctx, lb)
		if err != nil {
			return err
		}
		if !anyRuleAction(rules, func(a elbv2types.Action) bool {
			return a.RedirectConfig != nil && aws.ToString(a.RedirectConfig.Query) == "foo"
		}) {
			return errors.New("no rule redirects with query foo")
		}
		return nil
	},
	"fixedResponse": func(ctx context.Context, h *gwHarness, lb elbv2types.LoadBalancer) error {
		_, rules, err := h.docRules(ctx, lb)
		if err != nil {
			return err
		}
		if !anyRuleAction(rules, func(a elbv2types.Action) bool {
			f := a.FixedResponseConfig
			return f != nil && aws.ToString(f.StatusCode) == "404" && aws.ToString(f.MessageBody) == "my fixed response"
		}) {
			return errors.New("no rule answers 404 my fixed response")
		}
		return nil
	},
	"jwtValidation": func(ctx context.Context, h *gwHarness, lb elbv2types.LoadBalancer) error {
		_, rules, err := h.docRules(ctx, lb)
		if err != nil {
			return err
		}
		if !anyRuleAction(rules, func(a elbv2types.Action) bool {
			j := a.JwtValidationConfig
			return j != nil && aws.ToString(j.Issuer) == "https://example.com" && len(j.AdditionalClaims) == 3
		}) {
			return errors.New("no rule validates JWTs of issuer https://example.com with 3 claims")
		}
		return nil
	},
	"sourceIP": func(ctx context.Context, h *gwHarness, lb elbv2types.LoadBalancer) error {
		_, rules, err := h.docRules(ctx, lb)
		if err != nil {
			return err
		}
		for _, r := range rules {
			for _, c := range r.Conditions {
				if c.SourceIpConfig != nil && slices.Contains(c.SourceIpConfig.Values, "10.0.0.0/5") {
					return nil
				}
			}
		}
		return errors.New("no rule matches source-ip 10.0.0.0/5")
	},
	"listenerSetPort": func(ctx context.Context, h *gwHarness, lb elbv2types.LoadBalancer) error {
		ls, _, err := h.docRules(ctx, lb)
		if err != nil {
			return err
		}
		var ports []string
		for _, l := range ls {
			ports = append(ports, fmt.Sprintf("%s:%d", l.Protocol, aws.ToInt32(l.Port)))
		}
		if !slices.Contains(ports, "HTTP:8080") {
			return fmt.Errorf("listeners %s, want the ListenerSet's HTTP:8080", strings.Join(ports, " "))
		}
		return nil
	},
}
