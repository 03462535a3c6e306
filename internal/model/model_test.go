package model

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

const (
	cluster   = "my-cluster"
	uidTLS    = "bdca2bd0-bfc6-449a-88a3-03451f05f18c"
	uidLocal  = "2dc098f0-ae33-4378-af7b-83e2a0424495"
	backendID = "sg-backend"
	managedID = "sg-managed"
	nodeSG    = "sg-node"
)

func defaults() Defaults {
	return Defaults{ClusterName: cluster, EnableBackendSG: true, NLBSecurityGroups: true}
}

func facts() Facts {
	tags := map[string]string{TagRoleInternalELB: "1"}
	pub := map[string]string{TagRoleELB: ""}
	return Facts{
		Subnets: []Subnet{
			{ID: "subnet-1", AZ: "us-west-2a", CIDR: "10.0.0.0/20", Tags: tags, AvailableIPs: 100, HasIPv6: true},
			{ID: "subnet-2", AZ: "us-west-2b", CIDR: "10.0.16.0/20", Tags: tags, AvailableIPs: 100, HasIPv6: true},
			{ID: "subnet-3", AZ: "us-west-2a", CIDR: "10.0.32.0/20", Tags: pub, AvailableIPs: 100, HasIPv6: true},
		},
		Nodes: []Node{{Name: "n1", InstanceID: "i-1", ENIID: "eni-1", Ready: corev1.ConditionTrue,
			SecurityGroups: []SecurityGroupInfo{{ID: nodeSG, Tags: map[string]string{naming.ClusterTagKey(cluster): "owned"}}}}},
		Endpoints: []Endpoint{{IP: "10.0.1.5", NodeName: "n1", Ports: map[string]int32{"": 80}}},
	}
}

// svcTLS is LBC's "Simple service" fixture default/nlb-ip-svc-tls.
func svcTLS(ann map[string]string) *corev1.Service {
	a := map[string]string{annotations.SvcType: annotations.LBTypeNLBIP}
	for k, v := range ann {
		a[k] = v
	}
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "nlb-ip-svc-tls", UID: types.UID(uidTLS), Annotations: a},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Ports: []corev1.ServicePort{
			{Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(80), NodePort: 31000},
		}},
	}
}

func svcLocal() *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "app", Name: "traffic-local", UID: types.UID(uidLocal), Annotations: map[string]string{
			annotations.SvcType: annotations.LBTypeExternal, annotations.SvcNLBTargetType: annotations.TargetTypeInstance,
			annotations.SvcScheme: annotations.SchemeInternetFacing,
		}},
		Spec: corev1.ServiceSpec{
			Type: corev1.ServiceTypeLoadBalancer, ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal, HealthCheckNodePort: 29123,
			LoadBalancerSourceRanges: []string{"10.20.0.0/16", "1.2.3.4/19"},
			Ports: []corev1.ServicePort{
				{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(80), NodePort: 31223},
				{Name: "alt", Port: 83, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(8883), NodePort: 32323},
			},
		},
	}
}

func keys(ks ...string) []string { slices.Sort(ks); return ks }

func ruleStrings(s rules.Set) []string {
	var out []string
	for _, k := range s.Keys() {
		out = append(out, k.String())
	}
	return keys(out...)
}

func targetRuleStrings(st Stack) []string {
	var out []string
	for sg, set := range ResolveTargetRules(st, cluster, backendID, managedID) {
		for _, k := range set.Keys() {
			out = append(out, sg+": "+k.String())
		}
	}
	return keys(out...)
}

func mustBuild(t *testing.T, svc *corev1.Service, f Facts, d Defaults) (Stack, []Warning) {
	t.Helper()
	st, w, err := buildService(svc, f, d) // what the model derives; the gate has its own tests
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return st, w
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

// Scenario 22 (and lbc-load-balancers.md §9 scenario 3).
func TestScenario22SimpleIPServiceUnrestricted(t *testing.T) {
	d := defaults()
	d.DisableRestrictedSGRules = true
	st, _ := mustBuild(t, svcTLS(nil), facts(), d)
	eq(t, "LB name", st.LoadBalancer.Name, "k8s-default-nlbipsvc-6b0ba8ff70")
	eq(t, "scheme", st.LoadBalancer.Scheme, "internal")
	eq(t, "subnets", st.LoadBalancer.Subnets, []string{"subnet-1", "subnet-2"})
	eq(t, "SG name", st.ManagedSG.Name, "k8s-default-nlbipsvc-1da4b78715")
	eq(t, "SG description", st.ManagedSG.Description, "[k8s] Managed SecurityGroup for LoadBalancer")
	eq(t, "SG tags", st.ManagedSG.Tags, map[string]string{naming.TagCluster: cluster,
		"service.k8s.aws/stack": "default/nlb-ip-svc-tls", "service.k8s.aws/resource": "ManagedLBSecurityGroup"})
	eq(t, "frontend rules", ruleStrings(st.ManagedSG.Ingress), []string{"tcp 80 ← 0.0.0.0/0"})
	eq(t, "LB SGs", st.LoadBalancer.ResolveSGs(managedID, backendID), []string{managedID, backendID})
	eq(t, "TG name", st.TargetGroups[0].Name, "k8s-default-nlbipsvc-d4818dcd51")
	eq(t, "TG", fmt.Sprintf("%d %s %s", st.TargetGroups[0].Port, st.TargetGroups[0].Protocol, st.TargetGroups[0].TargetType), "80 TCP ip")
	eq(t, "HC", st.TargetGroups[0].HealthCheck, HealthCheck{Protocol: "TCP", Port: "traffic-port", Interval: 10, Timeout: 10, Healthy: 3, Unhealthy: 3})
	eq(t, "targets", st.TargetGroups[0].Targets, []Target{{ID: "10.0.1.5", Port: 80}})
	eq(t, "listeners", fmt.Sprintf("%d %s %s", st.Listeners[0].Port, st.Listeners[0].Protocol, st.Listeners[0].TargetGroup), "80 TCP default/nlb-ip-svc-tls:80")
	eq(t, "target rules", targetRuleStrings(st), []string{"sg-node: tcp 0-65535 ← sg-backend"})
}

func TestScenario23DualStackInternetFacingRestricted(t *testing.T) {
	st, _ := mustBuild(t, svcTLS(map[string]string{
		annotations.SvcIPAddressType: "dualstack", annotations.SvcScheme: "internet-facing",
	}), facts(), defaults())
	eq(t, "frontend rules", ruleStrings(st.ManagedSG.Ingress), keys("tcp 80 ← 0.0.0.0/0", "tcp 80 ← ::/0"))
	eq(t, "subnets", st.LoadBalancer.Subnets, []string{"subnet-3"})
	eq(t, "target rules", targetRuleStrings(st), []string{"sg-node: tcp 80 ← sg-backend"})
}

func TestScenario24InstanceLocalPolicyWithoutBackendSG(t *testing.T) {
	d := defaults()
	d.EnableBackendSG = false
	f := facts()
	st, _ := mustBuild(t, svcLocal(), f, d)
	eq(t, "SG name", st.ManagedSG.Name, "k8s-app-trafficl-7b81fc143c")
	eq(t, "LB name", st.LoadBalancer.Name, "k8s-app-trafficl-2af705447d")
	eq(t, "frontend rules", ruleStrings(st.ManagedSG.Ingress), keys(
		"tcp 80 ← 10.20.0.0/16", "tcp 80 ← 1.2.0.0/19", "tcp 83 ← 10.20.0.0/16", "tcp 83 ← 1.2.0.0/19"))
	eq(t, "LB SGs", st.LoadBalancer.ResolveSGs(managedID, backendID), []string{managedID})
	eq(t, "HC", st.TargetGroups[0].HealthCheck, HealthCheck{Protocol: "HTTP", Port: "29123", Path: "/healthz",
		Interval: 10, Timeout: 6, Healthy: 2, Unhealthy: 2, Matcher: "200-399"})
	eq(t, "TG ports", []int32{st.TargetGroups[0].Port, st.TargetGroups[1].Port}, []int32{31223, 32323})
	eq(t, "targets", st.TargetGroups[1].Targets, []Target{{ID: "i-1", Port: 32323}})
	eq(t, "target rules", targetRuleStrings(st), keys(
		"sg-node: tcp 29123 ← sg-managed", "sg-node: tcp 31223 ← sg-managed", "sg-node: tcp 32323 ← sg-managed"))
}

func TestScenario25ManualSecurityGroups(t *testing.T) {
	ann := map[string]string{annotations.SvcSecurityGroups: "named security group,sg-id2"}
	f := facts()
	f.ManualSecurityGroups = []string{"sg-id1", "sg-id2"}
	for _, tt := range []struct {
		name      string
		manage    string
		backend   bool
		wantSGs   []string
		wantRules []string
		wantErr   string
	}{
		{name: "manual SGs alone: no managed SG, no target rules", backend: true, wantSGs: []string{"sg-id1", "sg-id2"}},
		{name: "manage annotation true adds the backend SG and its rules", manage: "true", backend: true,
			wantSGs: []string{"sg-id1", "sg-id2", backendID}, wantRules: []string{"sg-node: tcp 80 ← sg-backend"}},
		{name: "manage true without backend SG is LBC's error", manage: "true",
			wantErr: "backendSG feature is required to manage worker node SG rules when frontendSG is manually specified"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := map[string]string{}
			for k, v := range ann {
				a[k] = v
			}
			if tt.manage != "" {
				a[annotations.SvcManageBackendSGRules] = tt.manage
			}
			d := defaults()
			d.EnableBackendSG = tt.backend
			st, _, err := Build(svcTLS(a), f, d)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.ManagedSG != nil {
				t.Error("managed SG with manual SGs")
			}
			eq(t, "LB SGs", st.LoadBalancer.ResolveSGs(managedID, backendID), tt.wantSGs)
			eq(t, "target rules", targetRuleStrings(st), tt.wantRules)
		})
	}
}

func TestManualSecurityGroupsUnresolvedFailsTheBuild(t *testing.T) {
	f := facts()
	_, err := ResolveSecurityGroups([]string{"sg-08982de7", "sg group one"}, map[string]bool{}, map[string][]string{})
	f.ManualSecurityGroupsErr = err
	_, _, err = Build(svcTLS(map[string]string{annotations.SvcSecurityGroups: "sg-08982de7,sg group one"}), f, defaults())
	want := "couldn't find all security groups: requested ids [sg-08982de7] but found [], requested names [sg group one] but found []"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

// Scenarios 16-20: resolution of the security-groups annotation.
func TestResolveSecurityGroups(t *testing.T) {
	for _, tt := range []struct {
		name    string
		req     []string
		byID    map[string]bool
		byName  map[string][]string
		want    []string
		wantErr string
	}{
		{name: "IDs then names", req: []string{"sg group one", "sg-id1"}, byID: map[string]bool{"sg-id1": true},
			byName: map[string][]string{"sg group one": {"sg-id9"}}, want: []string{"sg-id1", "sg-id9"}},
		{name: "a name shared by two SGs attaches both", req: []string{"sg group one"},
			byName: map[string][]string{"sg group one": {"sg-id1", "sg-id2"}}, want: []string{"sg-id1", "sg-id2"}},
		{name: "missing ID", req: []string{"sg-id1", "sg-id404"}, byID: map[string]bool{"sg-id1": true},
			wantErr: "couldn't find all security groups: requested ids [sg-id1, sg-id404] but found [sg-id1]"},
		{name: "missing name", req: []string{"sg group one", "sg group two"}, byName: map[string][]string{"sg group one": {"sg-1"}},
			wantErr: "couldn't find all security groups: requested names [sg group one, sg group two] but found [sg group one]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ResolveSecurityGroups(tt.req, tt.byID, tt.byName)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "ids", got, tt.want)
		})
	}
}

func TestScenario26IPv6RangeOnIPv4NLB(t *testing.T) {
	svc := svcTLS(nil)
	svc.Spec.LoadBalancerSourceRanges = []string{"2002::1234:abcd:ffff:c0a8:101/64"}
	_, _, err := Build(svc, facts(), defaults())
	if err == nil || !strings.Contains(err.Error(), "unsupported v6 cidr 2002::1234:abcd:ffff:c0a8:101/64 when lb is not dualstack") {
		t.Fatalf("err = %v", err)
	}
}

func TestScenario27ICMPForPathMTUDualStack(t *testing.T) {
	st, _ := mustBuild(t, svcTLS(map[string]string{
		annotations.SvcICMPForPathMTU: "on", annotations.SvcIPAddressType: "dualstack",
	}), facts(), defaults())
	eq(t, "frontend rules", ruleStrings(st.ManagedSG.Ingress), keys(
		"tcp 80 ← 0.0.0.0/0", "icmp 3/4 ← 0.0.0.0/0", "tcp 80 ← ::/0", "icmpv6 2/0 ← ::/0"))
}

func TestScenario28PrefixListsSuppressDefaultCIDRs(t *testing.T) {
	st, _ := mustBuild(t, svcTLS(map[string]string{
		annotations.SvcSGPrefixLists: "pl-xxxxx, pl-yyyyyy", annotations.SvcIPAddressType: "dualstack",
	}), facts(), defaults())
	eq(t, "frontend rules", ruleStrings(st.ManagedSG.Ingress), keys("tcp 80 ← pl-xxxxx", "tcp 80 ← pl-yyyyyy"))
}

func TestScenario29ExistingSGsWithGateOffConflict(t *testing.T) {
	f := facts()
	f.ExistingLB = &ExistingLB{Scheme: "internal", SecurityGroups: []string{"sg-lb"}, Subnets: []string{"subnet-1"}}
	d := defaults()
	d.NLBSecurityGroups = false
	if _, _, err := Build(svcTLS(nil), f, d); err == nil || err.Error() != "conflicting security groups configuration" {
		t.Fatalf("err = %v", err)
	}
}

func TestScenario30NLBWithoutSGsIgnoresSGAnnotationWithWarning(t *testing.T) {
	f := facts()
	f.ExistingLB = &ExistingLB{Scheme: "internal", Subnets: []string{"subnet-9"}}
	st, w := mustBuild(t, svcTLS(map[string]string{annotations.SvcSecurityGroups: "sg-x"}), f, defaults())
	if len(st.LoadBalancer.SecurityGroups) != 0 || st.ManagedSG != nil || len(st.TargetRules) != 0 {
		t.Errorf("SG-less NLB got SGs: %+v", st)
	}
	eq(t, "existing subnets kept", st.LoadBalancer.Subnets, []string{"subnet-9"})
	if len(w) != 1 || w[0].Reason != WarnLBWithoutSGs {
		t.Errorf("warnings = %+v", w)
	}
}

// Scenario 35: target-rule ports by target-group protocol (§6.3).
func TestScenario35TargetRulePortsByProtocol(t *testing.T) {
	for _, tt := range []struct {
		name         string
		proto        corev1.Protocol
		hc           string
		unrestricted bool
		want         []string
	}{
		{name: "UDP with traffic-port health check opens UDP and TCP on the port", proto: corev1.ProtocolUDP,
			want: keys("sg-node: udp 80 ← sg-backend", "sg-node: tcp 80 ← sg-backend")},
		{name: "UDP with health check 808 opens UDP 80 and TCP 808", proto: corev1.ProtocolUDP, hc: "808",
			want: keys("sg-node: udp 80 ← sg-backend", "sg-node: tcp 808 ← sg-backend")},
		{name: "TCP with health check 808 opens TCP 80 and 808", proto: corev1.ProtocolTCP, hc: "808",
			want: keys("sg-node: tcp 80 ← sg-backend", "sg-node: tcp 808 ← sg-backend")},
		{name: "unrestricted UDP opens all TCP and all UDP", proto: corev1.ProtocolUDP, unrestricted: true,
			want: keys("sg-node: tcp 0-65535 ← sg-backend", "sg-node: udp 0-65535 ← sg-backend")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := map[string]string{}
			if tt.hc != "" {
				a[annotations.SvcHealthCheckPort] = tt.hc
			}
			svc := svcTLS(a)
			svc.Spec.Ports[0].Protocol = tt.proto
			d := defaults()
			d.DisableRestrictedSGRules = tt.unrestricted
			st, _ := mustBuild(t, svc, facts(), d)
			eq(t, "target rules", targetRuleStrings(st), tt.want)
		})
	}
	t.Run("manual SGs without manage have no backend source, no rules", func(t *testing.T) {
		f := facts()
		f.ManualSecurityGroups = []string{"sg-1"}
		st, _ := mustBuild(t, svcTLS(map[string]string{annotations.SvcSecurityGroups: "sg-1"}), f, defaults())
		if len(st.TargetRules) != 0 {
			t.Errorf("rules = %v", st.TargetRules)
		}
	})
}

// Scenarios 36-38: choosing the SG on a node ENI.
func TestChooseTargetSG(t *testing.T) {
	ct := naming.ClusterTagKey("cluster-a")
	for _, tt := range []struct {
		name    string
		sgs     []SecurityGroupInfo
		extra   map[string]string
		want    string
		wantErr string
	}{
		{name: "the only SG, untagged", sgs: []SecurityGroupInfo{{ID: "sg-a"}}, want: "sg-a"},
		{name: "no SG", wantErr: "expected exactly one securityGroup tagged with kubernetes.io/cluster/cluster-a for eni eni-a, got: [] (clusterName: cluster-a)"},
		{name: "the cluster-tagged one of two", sgs: []SecurityGroupInfo{{ID: "sg-a", Tags: map[string]string{ct: "owned"}}, {ID: "sg-b"}}, want: "sg-a"},
		{name: "two tagged is ambiguous", sgs: []SecurityGroupInfo{{ID: "sg-b", Tags: map[string]string{ct: "owned"}}, {ID: "sg-a", Tags: map[string]string{ct: "shared"}}},
			wantErr: "expected exactly one securityGroup tagged with kubernetes.io/cluster/cluster-a for eni eni-a, got: [sg-a sg-b] (clusterName: cluster-a)"},
		{name: "extra tags pick one", extra: map[string]string{"keyA": "valueA"},
			sgs: []SecurityGroupInfo{{ID: "sg-a", Tags: map[string]string{ct: ""}}, {ID: "sg-b", Tags: map[string]string{ct: "", "keyA": "valueA"}}}, want: "sg-b"},
		{name: "extra tags matching none", extra: map[string]string{"keyA": "valueNotA"},
			sgs:     []SecurityGroupInfo{{ID: "sg-a", Tags: map[string]string{ct: ""}}, {ID: "sg-b", Tags: map[string]string{ct: "", "keyA": "valueA"}}},
			wantErr: "expected exactly one securityGroup tagged with kubernetes.io/cluster/cluster-a and map[keyA:valueNotA] for eni eni-a, got: [] (clusterName: cluster-a)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ChooseTargetSG("eni-a", tt.sgs, "cluster-a", tt.extra)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// Scenario 39 (and 40): aggregation on one target SG. Overlapping ranges of
// one source merge; disjoint exact ports stay exact (lbsg deliberately does
// not span 8080-8443 as LBC does, #3460).
func TestScenario39TargetSGUnionMergesOverlapsOnly(t *testing.T) {
	d := naming.RuleDescription(cluster)
	a := rules.Set{rules.MustKey("tcp", 80, 8080, "sg-group1"): d, rules.MustKey("udp", 8443, 8443, "sg-group2"): d}
	b := rules.Set{rules.MustKey("tcp", 30, 8080, "sg-group1"): d, rules.MustKey("udp", 8080, 8080, "sg-group2"): d,
		rules.MustKey("tcp", 443, 443, "10.0.0.0/8"): d, rules.MustKey("tcp", 444, 444, "10.0.0.0/8"): d}
	got, w, err := TargetSGDesired("sg-a", []rules.Set{a, b}, nil, 0)
	if err != nil || len(w) != 0 {
		t.Fatalf("err %v, warnings %v", err, w)
	}
	eq(t, "rules", ruleStrings(got), keys("tcp 30-8080 ← sg-group1", "udp 8080 ← sg-group2", "udp 8443 ← sg-group2",
		"tcp 443-444 ← 10.0.0.0/8"))
}

func TestTargetSGOverQuotaPacksWithWarning(t *testing.T) {
	d := naming.RuleDescription(cluster)
	var contributions []rules.Set
	for i := range 70 {
		contributions = append(contributions, rules.Set{rules.MustKey("tcp", int32(30000+2*i), int32(30000+2*i), backendID): d})
	}
	foreign := rules.Set{rules.MustKey("tcp", 22, 22, "10.0.0.0/8"): "ssh"}
	got, w, err := TargetSGDesired("sg-node", contributions, foreign, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 59 {
		t.Errorf("%d rules, want at most 59 next to one foreign rule", len(got))
	}
	if len(w) != 1 || w[0].Reason != WarnRulesPacked {
		t.Errorf("warnings = %v", w)
	}
	for _, c := range contributions {
		for k := range c {
			covered := false
			for g := range got {
				covered = covered || (g.Protocol == k.Protocol && g.Peer == k.Peer && g.FromPort <= k.FromPort && k.ToPort <= g.ToPort)
			}
			if !covered {
				t.Errorf("%v dropped", k)
			}
		}
	}
}

// Scenario 41: a named target port resolving to different pod ports.
func TestScenario41NamedPortPerPod(t *testing.T) {
	svc := svcTLS(nil)
	svc.Spec.Ports[0] = corev1.ServicePort{Name: "http", Port: 80, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromString("http")}
	f := facts()
	f.Endpoints = []Endpoint{
		{IP: "10.0.1.5", NodeName: "n1", Ports: map[string]int32{"http": 80}},
		{IP: "10.0.1.6", NodeName: "n1", Ports: map[string]int32{"http": 8080}},
	}
	st, _ := mustBuild(t, svc, f, defaults())
	eq(t, "TG port for a named target port", st.TargetGroups[0].Port, 1)
	eq(t, "targets", st.TargetGroups[0].Targets, []Target{{ID: "10.0.1.5", Port: 80}, {ID: "10.0.1.6", Port: 8080}})
	set := ResolveTargetRules(st, cluster, backendID, managedID)[nodeSG]
	for _, k := range []rules.Key{rules.MustKey("udp", 80, 80, backendID), rules.MustKey("udp", 8080, 8080, backendID)} {
		if set[k] != naming.RuleDescription(cluster) {
			t.Errorf("%v: description %q", k, set[k])
		}
	}
}

func TestBuildErrorsAndTags(t *testing.T) {
	t.Run("instance targets on a ClusterIP Service", func(t *testing.T) {
		svc := svcLocal()
		svc.Spec.Type = corev1.ServiceTypeClusterIP
		_, _, err := Build(svc, facts(), defaults())
		if err == nil || err.Error() != `unsupported service type "ClusterIP" for load balancer target type "instance"` {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("external managed tag key in the annotation", func(t *testing.T) {
		d := defaults()
		d.ExternalManagedTags = []string{"k2"}
		_, _, err := Build(svcTLS(map[string]string{annotations.SvcAdditionalResourceTags: "k2=v2"}), facts(), d)
		if err == nil || err.Error() != "external managed tag key k2 cannot be specified on Service" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("default tags win over annotation tags, tracking tags over both", func(t *testing.T) {
		d := defaults()
		d.DefaultTags = map[string]string{"k1": "v10"}
		st, _ := mustBuild(t, svcTLS(map[string]string{annotations.SvcAdditionalResourceTags: "k1=v1,k3=v3,elbv2.k8s.aws/cluster=x"}), facts(), d)
		eq(t, "k1", st.ManagedSG.Tags["k1"], "v10")
		eq(t, "k3", st.ManagedSG.Tags["k3"], "v3")
		eq(t, "cluster", st.LoadBalancer.Tags[naming.TagCluster], cluster)
		eq(t, "LB resource", st.LoadBalancer.Tags["service.k8s.aws/resource"], "LoadBalancer")
	})
	t.Run("no subnet discovered", func(t *testing.T) {
		f := facts()
		f.Subnets = []Subnet{{ID: "subnet-x", AZ: "a", Tags: map[string]string{TagRoleInternalELB: "1", "kubernetes.io/cluster/other": "owned"}, AvailableIPs: 100}}
		_, _, err := Build(svcTLS(nil), f, defaults())
		if err == nil || !strings.Contains(err.Error(), "Evaluated 1 subnets: 1 are tagged for other clusters, and 0 have insufficient available IP addresses") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestSubnetDiscoveryOnePerAZ(t *testing.T) {
	// lbc-load-balancers.md §9 scenario 22.
	role := map[string]string{TagRoleInternalELB: "1"}
	tagged := map[string]string{TagRoleInternalELB: "1", naming.ClusterTagKey("cluster-dummy"): "owned"}
	got, err := DiscoverSubnets([]Subnet{
		{ID: "subnet-1", AZ: "us-west-2a", Tags: role, AvailableIPs: 10},
		{ID: "subnet-2", AZ: "us-west-2a", Tags: tagged, AvailableIPs: 10},
		{ID: "subnet-3", AZ: "us-west-2b", Tags: role, AvailableIPs: 10},
		{ID: "subnet-4", AZ: "us-west-2b", Tags: role, AvailableIPs: 10},
	}, "internal", "cluster-dummy", false)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "subnets", got, []string{"subnet-2", "subnet-3"})
}

// manyPorts is a Service with n TCP ports from 8000 up (every other port)
// and the given source ranges.
func manyPorts(n int, ranges ...string) *corev1.Service {
	svc := svcTLS(nil)
	svc.Spec.LoadBalancerSourceRanges = ranges
	svc.Spec.Ports = nil
	for i := range n {
		p := int32(8000 + 2*i)
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: fmt.Sprint("p", p), Port: p,
			Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(p), NodePort: 30000 + p - 8000})
	}
	return svc
}

func dualStack(svc *corev1.Service) *corev1.Service {
	svc.Annotations[annotations.SvcIPAddressType] = annotations.IPAddressTypeDualStack
	return svc
}

// admits reports whether some rule of s lets port in from peer over tcp.
func admits(s rules.Set, peer string, port int32) bool {
	for k := range s {
		if k.Protocol == rules.TCP && k.Peer == peer && k.FromPort <= port && port <= k.ToPort {
			return true
		}
	}
	return false
}

func TestManagedSGRulesOverQuota(t *testing.T) {
	v4a, v4b := "10.1.0.0/16", "192.168.0.0/24"
	sixty := make([]string, 61)
	for i := range sixty {
		sixty[i] = fmt.Sprintf("10.%d.0.0/16", i)
	}
	for _, tt := range []struct {
		name      string
		svc       *corev1.Service
		wantRules int    // 0: do not check
		wantWarn  string // substring of the RulesPacked warning; "" = none
		wantErr   bool
	}{
		{name: "30 ports from 2 ranges fit exactly and are kept port by port",
			svc: manyPorts(30, v4a, v4b), wantRules: 60},
		{name: "40 ports from 2 ranges are packed into 60 ranges with a warning",
			svc: manyPorts(40, v4a, v4b), wantRules: 60, wantWarn: "80 inbound rules (ipv4 80, ipv6 0) would exceed the quota of 60"},
		{name: "IPv6 ranges count apart: 40 ports from one IPv4 and one IPv6 range need no packing",
			svc: dualStack(manyPorts(40, v4a, "2001:db8::/32")), wantRules: 80},
		{name: "61 sources on one port cannot fit, so the build fails",
			svc: manyPorts(1, sixty...), wantErr: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, warns, err := Build(tt.svc, facts(), defaults())
			if tt.wantErr {
				if !errors.Is(err, rules.ErrOverQuota) {
					t.Fatalf("want an error wrapping rules.ErrOverQuota, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			in := st.ManagedSG.Ingress
			if tt.wantRules > 0 {
				eq(t, "rule count", len(in), tt.wantRules)
			}
			if u := (rules.Quota{}).Usage(in); !(rules.Quota{}).Fits(u) {
				t.Errorf("usage %s over the quota", u)
			}
			for _, p := range tt.svc.Spec.Ports {
				for _, c := range tt.svc.Spec.LoadBalancerSourceRanges {
					if !admits(in, c, p.Port) {
						t.Errorf("port %d from %s not admitted", p.Port, c)
					}
				}
			}
			var packed []string
			for _, w := range warns {
				if w.Reason == WarnRulesPacked {
					packed = append(packed, w.Message)
				}
			}
			switch {
			case tt.wantWarn == "" && len(packed) > 0:
				t.Errorf("unexpected warning %q", packed)
			case tt.wantWarn != "" && (len(packed) != 1 || !strings.Contains(packed[0], tt.wantWarn) || !strings.Contains(packed[0], "(opens 20 more ports)")):
				t.Errorf("want one RulesPacked warning containing %q, got %q", tt.wantWarn, packed)
			}
		})
	}
}

func TestControllerDefaultsForTargetTypeSchemeAndTargetSGTags(t *testing.T) {
	plain := func(ann map[string]string) *corev1.Service {
		svc := svcTLS(nil)
		svc.Annotations = map[string]string{annotations.SvcType: annotations.LBTypeExternal}
		maps.Copy(svc.Annotations, ann)
		return svc
	}
	twoSGs := facts()
	twoSGs.Nodes[0].SecurityGroups = []SecurityGroupInfo{
		{ID: "sg-a", Tags: map[string]string{naming.ClusterTagKey(cluster): "owned"}},
		{ID: "sg-b", Tags: map[string]string{naming.ClusterTagKey(cluster): "owned", "team": "web"}},
	}
	for _, tt := range []struct {
		name                 string
		svc                  *corev1.Service
		f                    Facts
		mutate               func(*Defaults)
		wantType, wantScheme string
		wantTargetSGs        []string
		wantAmbiguous        bool
	}{
		{name: "without flags a Service gets instance targets on an internal NLB",
			svc: plain(nil), f: facts(), wantType: "instance", wantScheme: "internal", wantTargetSGs: []string{nodeSG}},
		{name: "--default-target-type=ip and --default-load-balancer-scheme=internet-facing apply without annotations",
			svc: plain(nil), f: facts(), mutate: func(d *Defaults) { d.DefaultTargetType, d.DefaultScheme = "ip", "internet-facing" },
			wantType: "ip", wantScheme: "internet-facing", wantTargetSGs: []string{nodeSG}},
		{name: "annotations win over the default target type and scheme",
			svc: plain(map[string]string{annotations.SvcNLBTargetType: "instance", annotations.SvcScheme: "internal"}), f: facts(),
			mutate:   func(d *Defaults) { d.DefaultTargetType, d.DefaultScheme = "ip", "internet-facing" },
			wantType: "instance", wantScheme: "internal", wantTargetSGs: []string{nodeSG}},
		{name: "two cluster-tagged SGs on the ENI are ambiguous without --service-target-eni-security-group-tags",
			svc: plain(nil), f: twoSGs, wantType: "instance", wantScheme: "internal", wantAmbiguous: true},
		{name: "--service-target-eni-security-group-tags picks the SG carrying the tags",
			svc: plain(nil), f: twoSGs, mutate: func(d *Defaults) { d.TargetSGTags = map[string]string{"team": "web"} },
			wantType: "instance", wantScheme: "internal", wantTargetSGs: []string{"sg-b"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := defaults()
			if tt.mutate != nil {
				tt.mutate(&d)
			}
			st, warns := mustBuild(t, tt.svc, tt.f, d)
			eq(t, "scheme", st.LoadBalancer.Scheme, tt.wantScheme)
			for _, tg := range st.TargetGroups {
				eq(t, "target type", tg.TargetType, tt.wantType)
			}
			var sgs []string
			for _, r := range st.TargetRules {
				sgs = append(sgs, r.GroupID)
			}
			slices.Sort(sgs)
			eq(t, "target SGs", slices.Compact(sgs), tt.wantTargetSGs)
			ambiguous := slices.ContainsFunc(warns, func(w Warning) bool { return w.Reason == WarnTargetSGAmbiguous })
			eq(t, "ambiguous warning", ambiguous, tt.wantAmbiguous)
		})
	}
}
