package model

import (
	"errors"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lbsg/lbsg/internal/annotations"
)

// quicService is an ip-mode Service without NLB security groups (AWS's
// condition for QUIC listeners) with ports h3 (443/UDP), h2 (443/TCP) and
// web (80/TCP).
func quicService(ann map[string]string) *corev1.Service {
	svc := svcTLS(ann)
	if _, ok := ann[annotations.SvcDisableNLBSG]; !ok {
		svc.Annotations[annotations.SvcDisableNLBSG] = "true"
	}
	svc.Spec.Ports = []corev1.ServicePort{
		{Name: "h3", Port: 443, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromInt32(3000)},
		{Name: "h2", Port: 443, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(3000)},
		{Name: "web", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8080)},
	}
	return svc
}

func TestQUICPortsUpgradeUDPAndTCPUDPListenersAsLBCDoes(t *testing.T) {
	dns := corev1.ServicePort{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromInt32(5353)}
	for _, tt := range []struct {
		name    string
		ann     map[string]string
		extra   []corev1.ServicePort
		want    []string // by port: 80, 443
		wantErr string
	}{
		{name: "no annotation: nothing changes",
			want: []string{"80 TCP→TCP", "443 UDP→UDP"}},
		{name: "a UDP port by number becomes QUIC",
			ann:  map[string]string{annotations.SvcQUICEnabledPorts: "443"},
			want: []string{"80 TCP→TCP", "443 QUIC→QUIC"}},
		{name: "a UDP port by name becomes QUIC",
			ann:  map[string]string{annotations.SvcQUICEnabledPorts: "h3"},
			want: []string{"80 TCP→TCP", "443 QUIC→QUIC"}},
		{name: "a TCP_UDP port becomes TCP_QUIC",
			ann:  map[string]string{annotations.SvcQUICEnabledPorts: "443", annotations.SvcEnableTCPUDPListener: "true"},
			want: []string{"80 TCP→TCP", "443 TCP_QUIC→TCP_QUIC"}},
		{name: "an item naming no port changes nothing",
			ann:  map[string]string{annotations.SvcQUICEnabledPorts: "8443,nope"},
			want: []string{"80 TCP→TCP", "443 UDP→UDP"}},
		{name: "a TCP port listed is LBC's error",
			ann:     map[string]string{annotations.SvcQUICEnabledPorts: "80"},
			wantErr: "Unsupported QUIC upgrade for protocol TCP"},
		{name: "a TLS port listed is LBC's error",
			ann: map[string]string{annotations.SvcQUICEnabledPorts: "web", annotations.SvcSSLCert: certA,
				annotations.SvcSSLPorts: "80"},
			wantErr: "Unsupported QUIC upgrade for protocol TLS"},
		{name: "an NLB with security groups is refused before AWS refuses it",
			ann:     map[string]string{annotations.SvcQUICEnabledPorts: "443", annotations.SvcDisableNLBSG: "false"},
			wantErr: "without security groups"},
		{name: "a dualstack NLB is refused",
			ann:     map[string]string{annotations.SvcQUICEnabledPorts: "443", annotations.SvcIPAddressType: annotations.IPAddressTypeDualStack},
			wantErr: "dualstack"},
		{name: "two QUIC listeners are refused",
			ann: map[string]string{annotations.SvcQUICEnabledPorts: "443,dns"}, extra: []corev1.ServicePort{dns},
			wantErr: "only one QUIC or TCP_QUIC listener, not QUIC-53 QUIC-443"},
		{name: "a QUIC listener beside a UDP one is refused",
			ann: map[string]string{annotations.SvcQUICEnabledPorts: "443"}, extra: []corev1.ServicePort{dns},
			wantErr: "combined with UDP or TCP_UDP listeners (UDP-53)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			svc := quicService(tt.ann)
			svc.Spec.Ports = append(svc.Spec.Ports, tt.extra...)
			st, _, err := Build(svc, facts(), defaults())
			if tt.wantErr != "" {
				var ae *annotations.Error
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &ae) ||
					ae.Annotation != annotations.SvcQUICEnabledPorts {
					t.Fatalf("Build: %v, want an error of %s containing %q", err, annotations.SvcQUICEnabledPorts, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range st.Listeners {
				got = append(got, listenerLine(st, l))
			}
			eq(t, "listeners", got, tt.want)
		})
	}
}

func quicEndpoint(ip string, q *PodQUIC) Endpoint {
	return Endpoint{IP: ip, NodeName: "n1", Ports: map[string]int32{"h3": 3000, "web": 8080}, QUIC: q}
}

func TestQUICTargetsCarryTheirPodsServerIDs(t *testing.T) {
	f := facts()
	f.VPCCIDRs = []string{"10.0.0.0/16"}
	f.Endpoints = []Endpoint{
		quicEndpoint("10.0.1.5", &PodQUIC{ByPort: map[int32]string{3000: "0x0000000000000001"}, Default: "0x0000000000000001"}),
		quicEndpoint("10.0.1.6", &PodQUIC{ByPort: map[int32]string{9999: "0x0000000000000002"}, Default: "0x0000000000000002"}),
		quicEndpoint("10.0.1.7", nil), // no server ID: left out, as LBC does
	}
	st, _, err := Build(quicService(map[string]string{annotations.SvcQUICEnabledPorts: "443"}), f, defaults())
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range st.TargetGroups {
		switch tg.ServicePort {
		case 443:
			eq(t, "QUIC targets: per-port ID, else the pod's default", tg.Targets,
				[]Target{{ID: "10.0.1.5", Port: 3000, QUICServerID: "0x0000000000000001"}, {ID: "10.0.1.6", Port: 3000, QUICServerID: "0x0000000000000002"}})
		case 80:
			eq(t, "TCP targets carry no ID", tg.Targets,
				[]Target{{ID: "10.0.1.5", Port: 8080}, {ID: "10.0.1.6", Port: 8080}, {ID: "10.0.1.7", Port: 8080}})
		}
	}
	var rules []string
	for _, r := range st.TargetRules {
		rules = append(rules, r.Protocol+" "+itoa(r.FromPort)+" "+r.CIDR)
	}
	slices.Sort(rules)
	eq(t, "a QUIC group's rules: UDP from the clients (the VPC, internal NLB) and, unlike a UDP group's, no TCP health-check rule (LBC's)",
		rules, []string{"tcp 8080 10.0.0.0/20", "tcp 8080 10.0.16.0/20", "udp 3000 10.0.0.0/16"})
}

func TestQUICOnInstanceTargetsIsRefused(t *testing.T) {
	svc := quicService(map[string]string{annotations.SvcQUICEnabledPorts: "443"})
	svc.Annotations[annotations.SvcType] = annotations.LBTypeExternal
	svc.Annotations[annotations.SvcNLBTargetType] = annotations.TargetTypeInstance
	for i := range svc.Spec.Ports {
		svc.Spec.Ports[i].NodePort = 30000 + int32(i)
	}
	_, _, err := Build(svc, facts(), defaults())
	var ae *annotations.Error
	if !errors.As(err, &ae) || ae.Annotation != annotations.SvcQUICEnabledPorts || !strings.Contains(err.Error(), "need ip targets") {
		t.Fatalf("Build: %v, want the quic-enabled-ports error about ip targets", err)
	}
}

func TestPodQUICServerIDsAreReadAsLBCReadsThem(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	env := func(v string) []corev1.EnvVar {
		return []corev1.EnvVar{{Name: "OTHER", Value: "x"}, {Name: QUICServerIDEnv, Value: v}}
	}
	ports := func(ps ...int32) []corev1.ContainerPort {
		var out []corev1.ContainerPort
		for _, p := range ps {
			out = append(out, corev1.ContainerPort{ContainerPort: p})
		}
		return out
	}
	annotated := map[string]string{annotations.PodQUICEnabledContainers: "app"}
	for _, tt := range []struct {
		name string
		ann  map[string]string
		spec corev1.PodSpec
		want map[int32]string // by port probed: 3000, 4000, 5000
	}{
		{name: "base64 in hex with 0x, for the container's ports and as default",
			ann:  annotated,
			spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Ports: ports(3000), Env: env("AQIDBAUGBwg=")}}},
			want: map[int32]string{3000: "0x0102030405060708", 4000: "0x0102030405060708", 5000: "0x0102030405060708"}},
		{name: "without the pod annotation: none",
			spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Ports: ports(3000), Env: env("AQIDBAUGBwg=")}}},
			want: map[int32]string{3000: "", 4000: "", 5000: ""}},
		{name: "per container: the first container's ID is the default",
			ann: annotated,
			spec: corev1.PodSpec{Containers: []corev1.Container{
				{Name: "a", Ports: ports(3000), Env: env("AAAAAAAAAAE=")},
				{Name: "b", Ports: ports(4000), Env: env("AAAAAAAAAAI=")},
			}},
			want: map[int32]string{3000: "0x0000000000000001", 4000: "0x0000000000000002", 5000: "0x0000000000000001"}},
		{name: "sidecars count, plain init containers do not",
			ann: annotated,
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{
					{Name: "init", Ports: ports(5000), Env: env("AAAAAAAAAAM=")},
					{Name: "sidecar", RestartPolicy: &always, Ports: ports(4000), Env: env("AAAAAAAAAAI=")},
				},
				Containers: []corev1.Container{{Name: "app", Ports: ports(3000)}},
			},
			want: map[int32]string{3000: "0x0000000000000002", 4000: "0x0000000000000002", 5000: "0x0000000000000002"}},
		{name: "a value that is not base64 is ignored",
			ann:  annotated,
			spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Ports: ports(3000), Env: env("not base64!")}}},
			want: map[int32]string{3000: "", 4000: "", 5000: ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Annotations: tt.ann}, Spec: tt.spec}
			q := PodQUICServerIDs(pod)
			got := map[int32]string{}
			for p := range tt.want {
				got[p] = q.ServerID(p)
			}
			eq(t, "server IDs", got, tt.want)
		})
	}
}
