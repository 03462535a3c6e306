package naming_test

import (
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/naming"
)

const (
	uidSimple = "bdca2bd0-bfc6-449a-88a3-03451f05f18c"
	uidLocal  = "2dc098f0-ae33-4378-af7b-83e2a0424495"
)

func TestSecurityGroupNamesMatchLBC(t *testing.T) {
	for _, tt := range []struct {
		name, got, want string
	}{
		{"implicit Ingress ns-1/ing-1 managed SG (SG scenario 1)",
			naming.ManagedSGName("cluster-dummy", naming.ImplicitIngressStack("ns-1", "ing-1")), "k8s-ns1-ing1-bd83176788"},
		{"explicit group shared-public.alb managed SG (SG scenario 9)",
			naming.ManagedSGName("my-cluster", naming.ExplicitIngressStack("shared-public.alb")), "k8s-sharedpublicalb-d7d6e59850"},
		{"Service default/nlb-ip-svc-tls managed SG (SG scenario 22)",
			naming.ServiceManagedSGName("my-cluster", "default", "nlb-ip-svc-tls", uidSimple), "k8s-default-nlbipsvc-1da4b78715"},
		{"Service app/traffic-local managed SG (SG scenario 24)",
			naming.ServiceManagedSGName("my-cluster", "app", "traffic-local", uidLocal), "k8s-app-trafficl-7b81fc143c"},
		{"backend SG of testCluster keeps case (SG scenario 43)",
			naming.BackendSGName("testCluster"), "k8s-traffic-testCluster-411a1bcdb1"},
		{"backend SG of my-cluster drops the dash (SG §5.3)",
			naming.BackendSGName("my-cluster"), "k8s-traffic-mycluster-4cbfcec96c"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
			if len(tt.got) > 255 {
				t.Errorf("over EC2's 255-char limit")
			}
		})
	}
}

func TestBackendSGNameStaysWithinEC2Limit(t *testing.T) {
	n := naming.BackendSGName(strings.Repeat("c", 300))
	if len(n) != len("k8s-traffic-")+232+1+10 || len(n) > 255 {
		t.Errorf("len = %d", len(n))
	}
}

func TestLoadBalancerNamesMatchLBC(t *testing.T) {
	for _, tt := range []struct {
		name, got, want string
	}{
		{"implicit Ingress, no cluster, internet-facing (LB §1.5 row 1)",
			naming.IngressLBName("", naming.ImplicitIngressStack("awesome-ns", "ing-1"), naming.SchemeInternetFacing), "k8s-awesomen-ing1-43b698093c"},
		{"explicit group, no cluster, internal (LB §1.5 row 2)",
			naming.IngressLBName("", naming.ExplicitIngressStack("explicit-group"), naming.SchemeInternal), "k8s-explicitgroup-5bf9e53c23"},
		{"vanilla internal Ingress (LB scenario 12)",
			naming.IngressLBName("cluster-dummy", naming.ImplicitIngressStack("ns-1", "ing-1"), naming.SchemeInternal), "k8s-ns1-ing1-b7e914000d"},
		{"vanilla internet-facing Ingress (LB scenario 13)",
			naming.IngressLBName("cluster-dummy", naming.ImplicitIngressStack("ns-1", "ing-1"), naming.SchemeInternetFacing), "k8s-ns1-ing1-159dd7a143"},
		{"simple NLB Service (LB scenario 3)",
			naming.ServiceLBName("my-cluster", "default", "nlb-ip-svc-tls", uidSimple, naming.SchemeInternal), "k8s-default-nlbipsvc-6b0ba8ff70"},
		{"instance-mode local-traffic Service (LB scenario 5)",
			naming.ServiceLBName("my-cluster", "app", "traffic-local", uidLocal, naming.SchemeInternetFacing), "k8s-app-trafficl-2af705447d"},
		{"Service without UID (LB §1.5 row 6)",
			naming.ServiceLBName("", "foo", "bar", "", naming.SchemeInternetFacing), "k8s-foo-bar-e053368fb2"},
		{"explicit group cut to 17 characters (LB §1.5 row 7)",
			naming.IngressLBName("prod", naming.ExplicitIngressStack("my-team.awesome-group"), naming.SchemeInternetFacing), "k8s-myteamawesomegrou-73277e217b"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
			if len(tt.got) > naming.MaxLBNameLength {
				t.Errorf("%s is longer than 32", tt.got)
			}
		})
	}
}

func TestValidateLBName(t *testing.T) {
	if err := naming.ValidateLBName(strings.Repeat("a", 32)); err != nil {
		t.Errorf("32 chars: %v", err)
	}
	err := naming.ValidateLBName(strings.Repeat("a", 33))
	if err == nil || err.Error() != "load balancer name cannot be longer than 32 characters" {
		t.Errorf("33 chars: %v", err)
	}
}

func TestTargetGroupNamesMatchLBC(t *testing.T) {
	ing := naming.IngressTargetGroup{
		GroupID: "", IngressNamespace: "ns-1", IngressName: "name-1", ServiceName: "name-1", ServiceUID: "my-uuid",
		BackendPort: "http", TargetPort: 8080, TargetType: "ip", Protocol: "HTTP", ProtocolVersion: "HTTP1",
	}
	byPort, instance, control := ing, ing, ing
	byPort.BackendPort = "80"
	instance.TargetType = "instance"
	control.TargetControlPort = 80
	for _, tt := range []struct {
		name, got, want string
	}{
		{"Service TG of the simple NLB (LB §2.2)", naming.ServiceTargetGroupName("my-cluster", naming.ServiceTargetGroup{
			Namespace: "default", Name: "nlb-ip-svc-tls", UID: uidSimple, TargetPort: 80, ServicePort: 80,
			TargetType: "ip", Protocol: "TCP", HealthCheckProtocol: "TCP", HealthCheckInterval: 10,
		}), "k8s-default-nlbipsvc-d4818dcd51"},
		{"Ingress TG by port name (LB §2.1)", naming.IngressTargetGroupName("", ing), "k8s-ns1-name1-2c37289a00"},
		{"Ingress TG by port number (LB §2.1)", naming.IngressTargetGroupName("", byPort), "k8s-ns1-name1-ab859e54b5"},
		{"Ingress TG with instance targets (LB §2.1)", naming.IngressTargetGroupName("", instance), "k8s-ns1-name1-f4adfdc175"},
		{"Ingress TG with a target-control port (LB §2.1)", naming.IngressTargetGroupName("", control), "k8s-ns1-name1-7ed91338c9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
}

func TestSanitizeAndCut(t *testing.T) {
	if got := naming.Sanitize("a-b.c_D9é/"); got != "abcD9" {
		t.Errorf("Sanitize = %q", got)
	}
	if got := naming.Cut(3, "abcdef"); got != "abc" {
		t.Errorf("Cut = %q", got)
	}
	if got := naming.Cut(10, "ab"); got != "ab" {
		t.Errorf("Cut short = %q", got)
	}
}

func TestSecurityGroupDescriptionsMatchLBC(t *testing.T) {
	// SG scenario 1 and 43.
	if naming.ManagedSGDescription != "[k8s] Managed SecurityGroup for LoadBalancer" {
		t.Errorf("managed: %q", naming.ManagedSGDescription)
	}
	if naming.BackendSGDescription != "[k8s] Shared Backend SecurityGroup for LoadBalancer" {
		t.Errorf("backend: %q", naming.BackendSGDescription)
	}
}
