package elbv2

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// §7 item 46.
func TestListenersOnOnePortAndTargetGroupUsers(t *testing.T) {
	h := newHarness(t)
	lb := h.alb("web")
	tg := h.tg("tg")
	l := h.listener(lb.LoadBalancerArn, "80", forward(tg.TargetGroupArn)...)
	if !regexp.MustCompile(`^arn:aws:elasticloadbalancing:us-west-2:123456789012:listener/app/web/[0-9a-f]{16}/[0-9a-f]{16}$`).MatchString(l.ListenerArn) {
		t.Errorf("ARN %q", l.ListenerArn)
	}
	a := l.DefaultActions[0]
	if a.Type != "forward" || a.TargetGroupArn != tg.TargetGroupArn || len(a.ForwardConfig.TargetGroups) != 1 || *a.ForwardConfig.TargetGroups[0].Weight != 1 {
		t.Errorf("default action %+v", a)
	}
	if again := h.listener(lb.LoadBalancerArn, "80", forward(tg.TargetGroupArn)...); again.ListenerArn != l.ListenerArn {
		t.Errorf("an identical repeat is not idempotent")
	}
	msg := h.fail("DuplicateListener", "CreateListener", append([]string{"LoadBalancerArn", lb.LoadBalancerArn, "Protocol", "HTTP", "Port", "80"}, fixed404()...)...)
	if msg != "A listener with the specified port already exists" {
		t.Errorf("message %q", msg)
	}
	got := h.ok("DescribeTargetGroups", "TargetGroupArns.member.1", tg.TargetGroupArn).(*targetGroupsResult).TargetGroups[0]
	if !reflect.DeepEqual(got.LoadBalancerArns, []string{lb.LoadBalancerArn}) {
		t.Errorf("LoadBalancerArns %v", got.LoadBalancerArns)
	}
	byLB := h.ok("DescribeTargetGroups", "LoadBalancerArn", lb.LoadBalancerArn).(*targetGroupsResult).TargetGroups
	if len(byLB) != 1 {
		t.Errorf("by load balancer: %d", len(byLB))
	}
	ls := h.ok("DescribeListeners", "LoadBalancerArn", lb.LoadBalancerArn).(*listenersResult).Listeners
	if len(ls) != 1 || ls[0].Port != 80 || ls[0].Protocol != "HTTP" {
		t.Errorf("listeners %+v", ls)
	}
	xmlBody := render(t, "DescribeListeners", &listenersResult{Listeners: ls})
	mustContain(t, xmlBody, "<DefaultActions><member><Type>forward</Type><TargetGroupArn>",
		"<ForwardConfig><TargetGroups><member><TargetGroupArn>", "<Weight>1</Weight>",
		"<TargetGroupStickinessConfig><Enabled>false</Enabled></TargetGroupStickinessConfig>")
}

// §7 item 47.
func TestTargetGroupInUseCannotBeDeletedUntilTheListenerMovesOff(t *testing.T) {
	h := newHarness(t)
	lb := h.alb("web")
	tg := h.tg("tg")
	l := h.listener(lb.LoadBalancerArn, "80", forward(tg.TargetGroupArn)...)
	msg := h.fail("ResourceInUse", "DeleteTargetGroup", "TargetGroupArn", tg.TargetGroupArn)
	if msg != "Target group '"+tg.TargetGroupArn+"' is currently in use by a listener or a rule" {
		t.Errorf("message %q", msg)
	}
	mod := h.ok("ModifyListener", append([]string{"ListenerArn", l.ListenerArn}, fixed404()...)...).(*listenersResult).Listeners[0]
	if mod.DefaultActions[0].Type != "fixed-response" || mod.DefaultActions[0].FixedResponseConfig.StatusCode != "404" {
		t.Errorf("modified %+v", mod.DefaultActions)
	}
	h.ok("DeleteTargetGroup", "TargetGroupArn", tg.TargetGroupArn)
	h.ok("DeleteTargetGroup", "TargetGroupArn", tg.TargetGroupArn)

	t.Run("a rule's forward also holds the group", func(t *testing.T) {
		tg2 := h.tg("tg2")
		h.ok("CreateRule", "ListenerArn", l.ListenerArn, "Priority", "5",
			"Conditions.member.1.Field", "path-pattern", "Conditions.member.1.PathPatternConfig.Values.member.1", "/api/*",
			"Actions.member.1.Type", "forward", "Actions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn", tg2.TargetGroupArn)
		h.fail("ResourceInUse", "DeleteTargetGroup", "TargetGroupArn", tg2.TargetGroupArn)
	})
}

func TestCreateListenerValidation(t *testing.T) {
	h := newHarness(t)
	alb := h.alb("web")
	nlb := h.nlb("nlb")
	httpTG := h.tg("http")
	tcpTG := h.tg("tcp", "Protocol", "TCP")
	otherLB := h.alb("other")
	usedTG := h.tg("used")
	h.listener(otherLB.LoadBalancerArn, "80", forward(usedTG.TargetGroupArn)...)
	cert := "arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"
	for _, tt := range []struct {
		name string
		args []string
		code string
	}{
		{"TCP on an ALB", []string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "TCP", "Port", "81"}, "UnsupportedProtocol"},
		{"HTTP on an NLB", []string{"LoadBalancerArn", nlb.LoadBalancerArn, "Protocol", "HTTP", "Port", "81"}, "UnsupportedProtocol"},
		{"HTTPS without a certificate", []string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "HTTPS", "Port", "443"}, "ValidationError"},
		{"a malformed certificate", []string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "HTTPS", "Port", "443", "Certificates.member.1.CertificateArn", "cert"}, "CertificateNotFound"},
		{"an unknown SSL policy", []string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "HTTPS", "Port", "443", "Certificates.member.1.CertificateArn", cert, "SslPolicy", "Nope"}, "SSLPolicyNotFound"},
		{"port 0", []string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "HTTP", "Port", "0"}, "ValidationError"},
		{"an unknown target group", []string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "HTTP", "Port", "81",
			"DefaultActions.member.1.Type", "forward", "DefaultActions.member.1.TargetGroupArn", strings.Replace(httpTG.TargetGroupArn, "/http/", "/zz/", 1)}, "TargetGroupNotFound"},
		{"a TCP group behind an ALB", []string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "HTTP", "Port", "81",
			"DefaultActions.member.1.Type", "forward", "DefaultActions.member.1.TargetGroupArn", tcpTG.TargetGroupArn}, "IncompatibleProtocols"},
		{"a group used by another load balancer", []string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "HTTP", "Port", "81",
			"DefaultActions.member.1.Type", "forward", "DefaultActions.member.1.TargetGroupArn", usedTG.TargetGroupArn}, "TargetGroupAssociationLimit"},
		{"a fixed response of 302", []string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "HTTP", "Port", "81",
			"DefaultActions.member.1.Type", "fixed-response", "DefaultActions.member.1.FixedResponseConfig.StatusCode", "302"}, "ValidationError"},
		{"a redirect with HTTP_307", []string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "HTTP", "Port", "81",
			"DefaultActions.member.1.Type", "redirect", "DefaultActions.member.1.RedirectConfig.StatusCode", "HTTP_307"}, "ValidationError"},
		{"a fixed response on an NLB", []string{"LoadBalancerArn", nlb.LoadBalancerArn, "Protocol", "TCP", "Port", "81",
			"DefaultActions.member.1.Type", "fixed-response", "DefaultActions.member.1.FixedResponseConfig.StatusCode", "404"}, "InvalidLoadBalancerAction"},
		{"no default action", []string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "HTTP", "Port", "81"}, "ValidationError"},
		{"an unknown load balancer", []string{"LoadBalancerArn", strings.Replace(alb.LoadBalancerArn, "/web/", "/zz/", 1), "Protocol", "HTTP", "Port", "81"}, "LoadBalancerNotFound"},
	} {
		t.Run(tt.name+" is "+tt.code, func(t *testing.T) {
			args := tt.args
			if !strings.Contains(strings.Join(args, " "), "DefaultActions") && tt.name != "no default action" {
				args = append(args, fixed404()...)
				if strings.Contains(tt.name, "NLB") {
					args = append(slices.Clone(tt.args), forward(tcpTG.TargetGroupArn)...)
				}
			}
			n := len(h.b.st.Listeners)
			h.fail(tt.code, "CreateListener", args...)
			if len(h.b.st.Listeners) != n {
				t.Errorf("a failed create added a listener")
			}
		})
	}
	https := h.ok("CreateListener", append([]string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "HTTPS", "Port", "443",
		"Certificates.member.1.CertificateArn", cert}, fixed404()...)...).(*listenersResult).Listeners[0]
	if https.SslPolicy != DefaultSSLPolicy || len(https.Certificates) != 1 || https.Certificates[0].CertificateArn != cert {
		t.Errorf("HTTPS listener %+v", https)
	}
	h.listener(nlb.LoadBalancerArn, "443", append([]string{"Protocol", "TCP"}, forward(tcpTG.TargetGroupArn)...)...)
	h.b.Quotas.ListenersPerALB = 1
	h.fail("TooManyListeners", "CreateListener", append([]string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "HTTP", "Port", "8080"}, fixed404()...)...)
}

func TestModifyListenerFromHTTPSToHTTPDropsCertificates(t *testing.T) {
	h := newHarness(t)
	alb := h.alb("web")
	cert := "arn:aws:acm:us-west-2:123456789012:certificate/abc"
	l := h.ok("CreateListener", append([]string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "HTTPS", "Port", "443",
		"Certificates.member.1.CertificateArn", cert, "SslPolicy", "ELBSecurityPolicy-2016-08"}, fixed404()...)...).(*listenersResult).Listeners[0]
	h.listener(alb.LoadBalancerArn, "80", fixed404()...)
	h.fail("DuplicateListener", "ModifyListener", "ListenerArn", l.ListenerArn, "Port", "80")
	got := h.ok("ModifyListener", "ListenerArn", l.ListenerArn, "Protocol", "HTTP", "Port", "8080").(*listenersResult).Listeners[0]
	if got.SslPolicy != "" || len(got.Certificates) != 0 || got.Port != 8080 || got.Protocol != "HTTP" {
		t.Errorf("after HTTPS→HTTP: %+v", got)
	}
	h.fail("ValidationError", "ModifyListener", "ListenerArn", l.ListenerArn, "Protocol", "HTTPS")
	h.fail("ListenerNotFound", "ModifyListener", "ListenerArn", l.ListenerArn+"0")
}

func TestListenerCertificates(t *testing.T) {
	h := newHarness(t)
	alb := h.alb("web")
	c1 := "arn:aws:acm:us-west-2:123456789012:certificate/one"
	c2 := "arn:aws:acm:us-west-2:123456789012:certificate/two"
	l := h.ok("CreateListener", append([]string{"LoadBalancerArn", alb.LoadBalancerArn, "Protocol", "HTTPS", "Port", "443",
		"Certificates.member.1.CertificateArn", c1}, fixed404()...)...).(*listenersResult).Listeners[0]
	h.ok("AddListenerCertificates", "ListenerArn", l.ListenerArn, "Certificates.member.1.CertificateArn", c2)
	certs := h.ok("DescribeListenerCertificates", "ListenerArn", l.ListenerArn).(*certificatesResult).Certificates
	if len(certs) != 2 || !*certs[0].IsDefault || *certs[1].IsDefault || certs[1].CertificateArn != c2 {
		t.Errorf("certificates %+v", certs)
	}
	h.fail("OperationNotPermitted", "RemoveListenerCertificates", "ListenerArn", l.ListenerArn, "Certificates.member.1.CertificateArn", c1)
	h.ok("RemoveListenerCertificates", "ListenerArn", l.ListenerArn, "Certificates.member.1.CertificateArn", c2)
	if n := len(h.ok("DescribeListenerCertificates", "ListenerArn", l.ListenerArn).(*certificatesResult).Certificates); n != 1 {
		t.Errorf("%d certificates after remove", n)
	}
}

func TestDescribeAndDeleteListeners(t *testing.T) {
	h := newHarness(t)
	alb := h.alb("web")
	l := h.listener(alb.LoadBalancerArn, "80", fixed404()...)
	h.rule(l.ListenerArn, "1", "a.example.com")
	h.fail("ValidationError", "DescribeListeners")
	h.fail("ListenerNotFound", "DescribeListeners", "ListenerArns.member.1", l.ListenerArn+"0")
	h.fail("LoadBalancerNotFound", "DescribeListeners", "LoadBalancerArn", strings.Replace(alb.LoadBalancerArn, "/web/", "/zz/", 1))
	msg := h.fail("ListenerNotFound", "DeleteListener", "ListenerArn", l.ListenerArn+"0")
	if msg != "One or more listeners not found" {
		t.Errorf("message %q", msg)
	}
	h.ok("DeleteListener", "ListenerArn", l.ListenerArn)
	if len(h.b.st.Rules) != 0 {
		t.Errorf("rules survived their listener")
	}
	h.fail("ListenerNotFound", "DescribeRules", "ListenerArn", l.ListenerArn)
}

func TestListenerAttributes(t *testing.T) {
	h := newHarness(t)
	nlb := h.nlb("nlb")
	tcp := h.tg("tcp", "Protocol", "TCP")
	l := h.listener(nlb.LoadBalancerArn, "80", append([]string{"Protocol", "TCP"}, forward(tcp.TargetGroupArn)...)...)
	attrs := h.ok("DescribeListenerAttributes", "ListenerArn", l.ListenerArn).(*attributesResult).Attributes
	if len(attrs) != 1 || attrs[0].Key != "tcp.idle_timeout.seconds" || attrs[0].Value != "350" {
		t.Errorf("attributes %+v", attrs)
	}
	h.ok("ModifyListenerAttributes", "ListenerArn", l.ListenerArn, "Attributes.member.1.Key", "tcp.idle_timeout.seconds", "Attributes.member.1.Value", "600")
	h.fail("InvalidConfigurationRequest", "ModifyListenerAttributes", "ListenerArn", l.ListenerArn, "Attributes.member.1.Key", "tcp.idle_timeout.seconds", "Attributes.member.1.Value", "10")
}

func TestATLSListenersIdleTimeoutIsFixed(t *testing.T) {
	h := newHarness(t)
	nlb := h.nlb("nlb")
	tcp := h.tg("tcp", "Protocol", "TCP")
	l := h.listener(nlb.LoadBalancerArn, "443", append([]string{"Protocol", "TLS",
		"Certificates.member.1.CertificateArn", "arn:aws:acm:us-west-2:123456789012:certificate/tls"}, forward(tcp.TargetGroupArn)...)...)
	h.fail("InvalidConfigurationRequest", "ModifyListenerAttributes", "ListenerArn", l.ListenerArn, "Attributes.member.1.Key", "tcp.idle_timeout.seconds", "Attributes.member.1.Value", "600")
}

func TestQUICListenersFollowAWSRules(t *testing.T) {
	h := newHarness(t)
	quicTG := func(name, proto string) string {
		return h.tg(name, "Protocol", proto, "Port", "443", "TargetType", "ip").TargetGroupArn
	}
	udpTG := h.tg("udp", "Protocol", "UDP", "Port", "53").TargetGroupArn
	tcpTG := h.tg("tcp", "Protocol", "TCP", "Port", "80").TargetGroupArn
	create := func(lb, proto, port, tg string) []string {
		return append([]string{"LoadBalancerArn", lb, "Protocol", proto, "Port", port}, forward(tg)...)
	}

	withSG := h.nlb("with-sg", "SecurityGroups.member.1", sg1).LoadBalancerArn
	h.fail("InvalidConfigurationRequest", "CreateListener", create(withSG, "QUIC", "443", quicTG("q-sg", "QUIC"))...)

	nlb := h.nlb("quic").LoadBalancerArn
	h.ok("CreateListener", create(nlb, "QUIC", "443", quicTG("q1", "QUIC"))...)
	h.ok("CreateListener", create(nlb, "TCP", "80", tcpTG)...)
	for _, tt := range []struct{ name, proto, port, tg string }{
		{"a second QUIC listener", "QUIC", "8443", quicTG("q2", "QUIC")},
		{"a TCP_QUIC listener beside a QUIC one", "TCP_QUIC", "9443", quicTG("q3", "TCP_QUIC")},
		{"a UDP listener beside a QUIC one", "UDP", "53", udpTG},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			h.fail("InvalidConfigurationRequest", "CreateListener", create(nlb, tt.proto, tt.port, tt.tg)...)
		})
	}

	udpNLB := h.nlb("udp").LoadBalancerArn
	h.ok("CreateListener", create(udpNLB, "UDP", "53", udpTG)...)
	h.fail("InvalidConfigurationRequest", "CreateListener", create(udpNLB, "QUIC", "443", quicTG("q4", "QUIC"))...)
	tcpL := h.ok("CreateListener", create(udpNLB, "TCP", "80", h.tg("tcp2", "Protocol", "TCP", "Port", "80").TargetGroupArn)...).(*listenersResult).Listeners[0]
	if msg := h.fail("InvalidConfigurationRequest", "ModifyListener", append([]string{"ListenerArn", tcpL.ListenerArn, "Protocol", "QUIC"},
		forward(quicTG("q5", "QUIC"))...)...); !strings.Contains(msg, "UDP") {
		t.Errorf("ModifyListener to QUIC beside UDP: %s", msg)
	}

	if msg := h.fail("InvalidConfigurationRequest", "CreateTargetGroup", "Name", "q6", "Protocol", "QUIC", "Port", "443", "VpcId", vpcA,
		"TargetType", "ip", "IpAddressType", "ipv6"); !strings.Contains(msg, "IPv6") {
		t.Errorf("an ipv6 QUIC group: %s", msg)
	}
}
