package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/testenv"
)

// tlsListener is what AWS shows of one listener of an NLB.
type tlsListener struct {
	arn, protocol, defaultCert, policy, alpn, tgProtocol string
	extra                                                []string // the certificate list, sorted
}

func (h *harness) listenersOf(ctx context.Context, svc *corev1.Service) (map[int32]tlsListener, error) {
	cur := h.get(svc)
	if cur == nil || len(cur.Status.LoadBalancer.Ingress) == 0 {
		return nil, nil
	}
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		return nil, err
	}
	out := map[int32]tlsListener{}
	for _, lb := range lbs.LoadBalancers {
		if aws.ToString(lb.DNSName) != cur.Status.LoadBalancer.Ingress[0].Hostname {
			continue
		}
		ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
		if err != nil {
			return nil, err
		}
		for _, l := range ls.Listeners {
			x := tlsListener{arn: aws.ToString(l.ListenerArn), protocol: string(l.Protocol), policy: aws.ToString(l.SslPolicy)}
			if len(l.Certificates) > 0 {
				x.defaultCert = aws.ToString(l.Certificates[0].CertificateArn)
			}
			if len(l.AlpnPolicy) > 0 {
				x.alpn = l.AlpnPolicy[0]
			}
			tgs, err := h.emu.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{
				TargetGroupArns: []string{aws.ToString(l.DefaultActions[0].TargetGroupArn)}})
			if err != nil {
				return nil, err
			}
			x.tgProtocol = string(tgs.TargetGroups[0].Protocol)
			if x.protocol == "TLS" {
				certs, err := h.emu.ELBv2.DescribeListenerCertificates(ctx, &elbv2.DescribeListenerCertificatesInput{ListenerArn: l.ListenerArn})
				if err != nil {
					return nil, err
				}
				for _, c := range certs.Certificates {
					if !aws.ToBool(c.IsDefault) {
						x.extra = append(x.extra, aws.ToString(c.CertificateArn))
					}
				}
				slices.Sort(x.extra)
			}
			out[aws.ToInt32(l.Port)] = x
		}
	}
	return out, nil
}

// TestATLSServiceGetsTLSListenersWithEveryCertificateChangedInPlace: the
// ssl-* annotations make the listed port a TLS listener with the first
// certificate as default, all certificates on its list, the policies
// asked for and a TLS target group; new certificates and policies modify
// that listener (same ARN), and a resync afterwards costs no AWS call.
func TestATLSServiceGetsTLSListenersWithEveryCertificateChangedInPlace(t *testing.T) {
	h := start(t, nil)
	ctx := t.Context()
	a := emutest.ImportCertificate(t, h.emu.ACM, "a.example.com")
	b := emutest.ImportCertificate(t, h.emu.ACM, "b.example.com")
	c := emutest.ImportCertificate(t, h.emu.ACM, "c.example.com")
	svc := h.nlbService("tls", 443, 80)
	svc.Annotations[annotations.SvcSSLCert] = a + "," + b
	svc.Annotations[annotations.SvcSSLPorts] = "p443"
	svc.Annotations[annotations.SvcSSLNegotiationPolicy] = "ELBSecurityPolicy-TLS13-1-2-2021-06"
	svc.Annotations[annotations.SvcALPNPolicy] = "HTTP2Preferred"
	svc.Annotations[annotations.SvcBackendProtocol] = "ssl"
	h.create(svc)

	converge := func(what string, want map[int32]tlsListener) map[int32]tlsListener {
		t.Helper()
		var got map[int32]tlsListener
		testenv.Eventually(t, what, func(ctx context.Context) (bool, error) {
			var err error
			got, err = h.listenersOf(ctx, svc)
			if err != nil || len(got) != len(want) {
				return false, err
			}
			for port, w := range want {
				g := got[port]
				g.arn = ""
				if fmt.Sprint(g) != fmt.Sprint(w) {
					return false, nil
				}
			}
			return true, nil
		})
		return got
	}
	first := converge("a TLS listener on 443, TCP on 80", map[int32]tlsListener{
		443: {protocol: "TLS", defaultCert: a, policy: "ELBSecurityPolicy-TLS13-1-2-2021-06", alpn: "HTTP2Preferred", tgProtocol: "TLS",
			extra: slices.Sorted(slices.Values([]string{a, b}))},
		80: {protocol: "TCP", tgProtocol: "TCP"},
	})

	h.update(svc, func(s *corev1.Service) {
		s.Annotations[annotations.SvcSSLCert] = c + "," + b
		s.Annotations[annotations.SvcSSLNegotiationPolicy] = "ELBSecurityPolicy-TLS13-1-3-2021-06"
		s.Annotations[annotations.SvcALPNPolicy] = "HTTP2Only"
	})
	second := converge("the new default certificate, list and policies", map[int32]tlsListener{
		443: {protocol: "TLS", defaultCert: c, policy: "ELBSecurityPolicy-TLS13-1-3-2021-06", alpn: "HTTP2Only", tgProtocol: "TLS",
			extra: slices.Sorted(slices.Values([]string{b, c}))},
		80: {protocol: "TCP", tgProtocol: "TCP"},
	})
	for port := range first {
		if first[port].arn != second[port].arn {
			t.Errorf("listener %d was recreated (%s → %s), not modified in place", port, first[port].arn, second[port].arn)
		}
	}

	before := h.quiesce()
	if err := h.resyncAll(ctx, []*corev1.Service{svc}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - before; n != 0 {
		t.Errorf("a resync of the unchanged TLS Service made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
}

// TestABadTLSAnnotationIsAWarningNamingItAndChangesNothing: an ssl-ports
// item that is no Service port, or an unknown ALPN policy, fails the
// build with an event naming the annotation; no load balancer is made.
func TestABadTLSAnnotationIsAWarningNamingItAndChangesNothing(t *testing.T) {
	h := start(t, nil)
	cert := emutest.ImportCertificate(t, h.emu.ACM, "a.example.com")
	for _, tt := range []struct {
		name, key, value string
	}{
		{"ports", annotations.SvcSSLPorts, "8443"},
		{"alpn", annotations.SvcALPNPolicy, "HTTP3"},
	} {
		svc := h.nlbService("bad-"+tt.name, 443)
		svc.Annotations[annotations.SvcSSLCert] = cert
		svc.Annotations[tt.key] = tt.value
		h.create(svc)
		testenv.Eventually(t, "a warning naming "+tt.key, func(context.Context) (bool, error) {
			return h.events.has(tt.key) && h.events.has(tt.value), nil
		})
	}
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(t.Context(), &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, lb := range lbs.LoadBalancers {
		if strings.Contains(aws.ToString(lb.LoadBalancerName), "bad") {
			t.Errorf("load balancer %s was created for a Service with a bad annotation", aws.ToString(lb.LoadBalancerName))
		}
	}
}
