package model

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
)

// TestGateEnableTCPUDPListenerIsTheAnnotationsDefault: with LBC's gate
// EnableTCPUDPListener, a Service with TCP and UDP on one port gets one
// TCP_UDP listener unless its enable-tcp-udp-listener annotation says
// "false"; without the gate only the annotation merges them (the UDP entry
// is dropped otherwise, as LBC drops it).
func TestGateEnableTCPUDPListenerIsTheAnnotationsDefault(t *testing.T) {
	for _, tt := range []struct {
		name       string
		gate       bool
		annotation string // "" absent
		want       string
	}{
		{name: "gate off, no annotation", want: "TCP"},
		{name: "gate off, annotation true", annotation: "true", want: "TCP_UDP"},
		{name: "gate on, no annotation", gate: true, want: "TCP_UDP"},
		{name: "gate on, annotation false", gate: true, annotation: "false", want: "TCP"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ann := map[string]string{}
			if tt.annotation != "" {
				ann[annotations.SvcEnableTCPUDPListener] = tt.annotation
			}
			svc := tlsService(ann)
			svc.Spec.Ports = []corev1.ServicePort{
				{Name: "dns-tcp", Port: 53, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(5353)},
				{Name: "dns-udp", Port: 53, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromInt32(5353)},
			}
			d := defaults()
			d.TCPUDPListeners = tt.gate
			st, _, err := Build(svc, facts(), d)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Listeners) != 1 || st.Listeners[0].Protocol != tt.want {
				var got []string
				for _, l := range st.Listeners {
					got = append(got, listenerLine(st, l))
				}
				t.Errorf("listeners %q, want one %s listener on 53", got, tt.want)
			}
		})
	}
}

// TestGateALBSingleSubnetLetsAnALBHaveOneSubnet: an ALB in Availability
// Zones needs two subnets, one with LBC's gate ALBSingleSubnet (named or
// discovered).
func TestGateALBSingleSubnetLetsAnALBHaveOneSubnet(t *testing.T) {
	for _, tt := range []struct {
		name  string
		gate  bool
		named bool
		want  string
	}{
		{name: "named, gate off", named: true, want: "[] subnets count less than minimal required count: 1 < 2"},
		{name: "named, gate on", named: true, gate: true, want: "[subnet-a] <nil>"},
		{name: "discovered, gate off", want: "[] subnets count less than minimal required count: 1 < 2"},
		{name: "discovered, gate on", gate: true, want: "[subnet-a] <nil>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := ingFacts()
			var ann map[string]string
			if tt.named {
				ann = map[string]string{annotations.IngSubnets: "subnet-a"}
			} else {
				f.Subnets = f.Subnets[:1]
			}
			d := ingDefaults()
			d.ALBSingleSubnet = tt.gate
			st, _, _, err := BuildIngressGroup(naming.ImplicitIngressStack("ns", "a"), []IngressMember{simple("ns", "a", ann)}, f, d)
			var subnets []string
			if st.LoadBalancer != nil {
				subnets = st.LoadBalancer.Subnets
			}
			if got := fmt.Sprint(subnets, " ", err); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
