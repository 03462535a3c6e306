package elbv2

import (
	"strings"
	"testing"
)

// weighted is a DefaultActions forward to arns with weight 1 each, plus
// extra ForwardConfig members.
func weighted(arns []string, extra ...string) []string {
	out := []string{"DefaultActions.member.1.Type", "forward"}
	for i, a := range arns {
		n := "DefaultActions.member.1.ForwardConfig.TargetGroups.member." + string(rune('1'+i))
		out = append(out, n+".TargetGroupArn", a, n+".Weight", "1")
	}
	for i := 0; i+1 < len(extra); i += 2 {
		out = append(out, "DefaultActions.member.1.ForwardConfig."+extra[i], extra[i+1])
	}
	return out
}

func TestNLBWeightedForwards(t *testing.T) {
	h := newHarness(t)
	nlb := h.nlb("nlb")
	a := h.tg("a", "Protocol", "TCP").TargetGroupArn
	b := h.tg("b", "Protocol", "TCP").TargetGroupArn
	v6 := h.tg("v6", "Protocol", "TCP", "IpAddressType", "ipv6", "TargetType", "ip").TargetGroupArn
	tlsA := h.tg("tls-a", "Protocol", "TLS").TargetGroupArn
	cert := "arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"
	tls := []string{"Protocol", "TLS", "Certificates.member.1.CertificateArn", cert}
	tcp := []string{"Protocol", "TCP"}
	sticky := []string{"TargetGroupStickinessConfig.Enabled", "true"}

	l := h.listener(nlb.LoadBalancerArn, "80", append(append([]string{}, tcp...), weighted([]string{a, b}, sticky...)...)...)
	fc := l.DefaultActions[0].ForwardConfig
	if len(fc.TargetGroups) != 2 || !fc.Stickiness.Enabled || l.DefaultActions[0].TargetGroupArn != "" {
		t.Errorf("weighted sticky forward: %+v", l.DefaultActions[0])
	}
	mod := h.ok("ModifyListener", append([]string{"ListenerArn", l.ListenerArn}, weighted([]string{a, b})...)...).(*listenersResult).Listeners[0]
	if mod.ListenerArn != l.ListenerArn || mod.DefaultActions[0].ForwardConfig.Stickiness.Enabled {
		t.Errorf("modified in place without stickiness: %+v", mod)
	}

	for _, tt := range []struct {
		name     string
		listener []string
		action   []string
		code     string
		msg      string
	}{
		{"a stickiness duration on an NLB", tcp, weighted([]string{a, b}, "TargetGroupStickinessConfig.Enabled", "true",
			"TargetGroupStickinessConfig.DurationSeconds", "60"), "ValidationError", "stickiness duration"},
		{"target groups of both IP address types", tcp, weighted([]string{a, v6}), "InvalidConfigurationRequest", "same IP address type"},
		{"TLS listener with TLS and TCP groups", tls, weighted([]string{tlsA, a}), "InvalidConfigurationRequest", "same protocol"},
		{"TLS listener with stickiness", tls, weighted([]string{a, b}, sticky...), "InvalidConfigurationRequest", "stickiness is not supported"},
		{"more target groups than the quota", tcp, weighted([]string{a, b, v6, tlsA, a, b}), "InvalidConfigurationRequest", "at most 5"},
	} {
		t.Run(tt.name+" is "+tt.code, func(t *testing.T) {
			args := append(append([]string{"LoadBalancerArn", nlb.LoadBalancerArn, "Port", "81"}, tt.listener...), tt.action...)
			msg := h.fail(tt.code, "CreateListener", args...)
			if !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q, want it to say %q", msg, tt.msg)
			}
		})
	}
}
