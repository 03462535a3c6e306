package model

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// With gate WeightedTargetGroups off, a Gateway forward to one target
// group is written plain (no weight, no stickiness) and one to several
// fails the build with LBC's error, on NLB listeners and ALB rules alike;
// with the gate on both keep their weights.
func TestBuildGatewayWeightedTargetGroupsGate(t *testing.T) {
	one := gwService(false)
	two := gwService(false)
	two.Name = "echo2"
	two.Spec.Ports = []corev1.ServicePort{{Name: "tcp", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080), NodePort: 31081}}
	l4 := func(bes ...GatewayBackend) Gateway {
		return gw(nil, port(80, "TCPRoute", []string{ProtoTCP}, bes...))
	}
	l7 := func(bes ...GatewayBackend) Gateway {
		return albGW(nil, GatewayPort{Port: 80, Protocols: []string{ProtoHTTP}, HTTPRoutes: []GatewayHTTPRoute{
			{Namespace: "app", Name: "r", Rules: []GatewayHTTPRule{{Matches: []gwv1.HTTPRouteMatch{prefix("/")}, Backends: bes}}}}})
	}
	forward := func(st Stack) *Forward {
		ls := st.Listeners[0]
		if ls.DefaultAction != nil && ls.DefaultAction.Forward != nil {
			return ls.DefaultAction.Forward
		}
		for _, r := range ls.Rules {
			for _, a := range r.Actions {
				if a.Forward != nil {
					return a.Forward
				}
			}
		}
		return nil
	}
	for _, c := range []struct {
		name    string
		gw      Gateway
		off     bool
		weights []string // per target group: the weight, "-" for none
		err     string
	}{
		{"NLB one group, gate off", l4(be(one, 3, nil)), true, []string{"-"}, ""},
		{"NLB two groups, gate off", l4(be(one, 1, nil), be(two, 1, nil)), true, nil, "weighted target groups feature is disabled"},
		{"NLB two groups, gate on", l4(be(one, 1, nil), be(two, 2, nil)), false, []string{"1", "2"}, ""},
		{"ALB one group, gate off", l7(be(one, 3, nil)), true, []string{"-"}, ""},
		{"ALB two groups, gate off", l7(be(one, 1, nil), be(two, 1, nil)), true, nil, "weighted target groups feature is disabled"},
		{"ALB two groups, gate on", l7(be(one, 1, nil), be(two, 2, nil)), false, []string{"1", "2"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := defaults()
			d.NoWeightedTargetGroups = c.off
			st, _, err := BuildGateway(c.gw, facts(), d)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			fw := forward(st)
			if fw == nil {
				t.Fatal("no forward")
			}
			var got []string
			for _, tg := range fw.TargetGroups {
				w := "-"
				if tg.Weight != nil {
					w = itoa(*tg.Weight)
				}
				got = append(got, w)
			}
			eq(t, "weights", got, c.weights)
		})
	}
}
