package model

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/naming"
)

func frontendLines(fe *FrontendNLB) []string {
	if fe == nil {
		return nil
	}
	lb := fe.LoadBalancer
	out := []string{fmt.Sprintf("nlb %s %s %s %s %v sgs=%v mappings=%v attrs=%v", lb.Name, lb.Type, lb.Scheme, lb.IPAddressType,
		lb.Subnets, sgRefs(&lb), lb.SubnetMappings, lb.Attributes)}
	for _, l := range fe.Listeners {
		out = append(out, fmt.Sprintf("listener %d %s → %s", l.Port, l.Protocol, l.TargetGroup))
	}
	for _, tg := range fe.TargetGroups {
		out = append(out, fmt.Sprintf("tg %s %s %s %d %s %s %+v %v", tg.ResourceID, tg.Name, tg.TargetType, tg.Port, tg.Protocol,
			tg.IPAddressType, tg.HealthCheck, tg.Targets))
	}
	return out
}

func TestIngressFrontendNLB(t *testing.T) {
	on := annotations.IngEnableFrontendNLB
	stack := naming.ImplicitIngressStack("ns-1", "ing-1")
	alb := naming.IngressLBName(ingCluster, stack, naming.SchemeInternal)
	defaultHC := "{Protocol:HTTP Port:traffic-port Path:/ Interval:15 Timeout:5 Healthy:2 Unhealthy:2 Matcher:200}"
	for _, tt := range []struct {
		name string
		ann  map[string]string
		d    func(*Defaults)
		want []string
	}{
		{name: "off without the annotation", ann: nil},
		{name: "off when false", ann: map[string]string{on: "false", annotations.IngFrontendNLBScheme: "internet-facing"}},
		{name: "LBC's defaults: the ALB's name, SGs and ports; internal; HTTP health check every 15 s",
			ann: map[string]string{on: "true"},
			want: []string{
				"nlb " + naming.Cut(28, alb) + "-nlb network internal ipv4 [subnet-a subnet-b] sgs=[managed backend] mappings=[] attrs=map[]",
				"listener 80 TCP → FrontendNlb-tg-TCP-80",
				"tg FrontendNlb-tg-TCP-80 k8s-ns1-ing1-eeb22e4827 alb 80 TCP ipv4 " + defaultHC + " [{<alb> 80}]",
			}},
		{name: "the scheme defaults to --default-load-balancer-scheme, not the ALB's",
			ann: map[string]string{on: "true", annotations.IngScheme: "internal"},
			d:   func(d *Defaults) { d.DefaultScheme = naming.SchemeInternetFacing },
			want: []string{
				"nlb " + naming.Cut(28, alb) + "-nlb network internet-facing ipv4 [subnet-c subnet-d] sgs=[managed backend] mappings=[] attrs=map[]",
				"listener 80 TCP → FrontendNlb-tg-TCP-80",
				"tg FrontendNlb-tg-TCP-80 k8s-ns1-ing1-eeb22e4827 alb 80 TCP ipv4 " + defaultHC + " [{<alb> 80}]",
			}},
		{name: "port mapping, health check, EIPs, attributes",
			ann: map[string]string{on: "true", annotations.IngListenPorts: `[{"HTTP":80},{"HTTP":8080}]`,
				annotations.IngFrontendNLBScheme: "internet-facing", annotations.IngFrontendNLBPortMapping: "9090=8080",
				annotations.IngFrontendNLBEIPAllocations: "eipalloc-1,eipalloc-2", annotations.IngFrontendNLBHCPath: "/healthz",
				annotations.IngFrontendNLBHCInterval: "10", annotations.IngFrontendNLBHCSuccessCodes: "200-399",
				annotations.IngFrontendNLBAttributes: "load_balancing.cross_zone.enabled=true"},
			want: []string{
				"nlb " + naming.Cut(28, alb) + "-nlb network internet-facing ipv4 [subnet-c subnet-d] sgs=[managed backend] " +
					"mappings=[subnet-c=eipalloc-1 subnet-d=eipalloc-2] attrs=map[load_balancing.cross_zone.enabled:true]",
				"listener 9090 TCP → FrontendNlb-tg-TCP-9090",
				"tg FrontendNlb-tg-TCP-9090 k8s-ns1-ing1-1bb8f5398e alb 9090 TCP ipv4 " +
					"{Protocol:HTTP Port:traffic-port Path:/healthz Interval:10 Timeout:5 Healthy:2 Unhealthy:2 Matcher:200-399} [{<alb> 8080}]",
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := ingDefaults()
			if tt.d != nil {
				tt.d(&d)
			}
			st := buildOne(t, simple("ns-1", "ing-1", tt.ann), ingFacts(), d)
			eq(t, "frontend NLB", frontendLines(st.Frontend), tt.want)
			if st.Frontend != nil {
				eq(t, "NLB tags", st.Frontend.LoadBalancer.Tags, map[string]string{naming.TagCluster: ingCluster,
					naming.TagIngressStack: "ns-1/ing-1", naming.TagIngressResource: "FrontendNlb"})
				eq(t, "TG resource tag", st.Frontend.TargetGroups[0].Tags[naming.TagIngressResource], st.Frontend.TargetGroups[0].ResourceID)
			}
		})
	}
}

func TestIngressFrontendNLBTagsAndSecurityGroups(t *testing.T) {
	f := ingFacts()
	f.SecurityGroupLookup = &SecurityGroupLookup{ByID: map[string]bool{"sg-front": true}, ByName: map[string][]string{"edge": {"sg-edge"}}}
	st := buildOne(t, simple("ns-1", "ing-1", map[string]string{annotations.IngEnableFrontendNLB: "true", annotations.IngTags: "team=web"}), f, ingDefaults())
	eq(t, "without frontend-nlb-tags, the ALB's user tags", st.Frontend.LoadBalancer.Tags["team"], "web")
	st = buildOne(t, simple("ns-1", "ing-1", map[string]string{annotations.IngEnableFrontendNLB: "true", annotations.IngTags: "team=web",
		annotations.IngFrontendNLBTags: "edge=yes", annotations.IngFrontendNLBSecurityGroup: "sg-front,edge"}), f, ingDefaults())
	eq(t, "frontend-nlb-tags replace them", fmt.Sprint(st.Frontend.LoadBalancer.Tags["team"], st.Frontend.LoadBalancer.Tags["edge"],
		st.Frontend.TargetGroups[0].Tags["edge"]), "yesyes")
	eq(t, "frontend-nlb-security-groups", sgRefs(&st.Frontend.LoadBalancer), "[sg-front sg-edge]")
	eq(t, "the ALB keeps its own", sgRefs(st.LoadBalancer), "[managed backend]")
	eq(t, "security-group items looked up", IngressSecurityGroupItems([]IngressMember{simple("ns-1", "ing-1",
		map[string]string{annotations.IngFrontendNLBSecurityGroup: "sg-front,edge", annotations.IngSecurityGroups: "sg-a"})}),
		"[edge sg-a sg-front]")
}

// A member whose frontend settings are invalid, or conflict with an
// earlier member's, is left out (lbsg's group rule); a port mapping to a
// port the Ingress's ALB does not listen on fails the whole group, so
// nothing is written.
func TestIngressFrontendNLBErrors(t *testing.T) {
	on := annotations.IngEnableFrontendNLB
	st := naming.ExplicitIngressStack("shop")
	member := func(name string, ann map[string]string) IngressMember {
		ann[annotations.IngGroupName] = "shop"
		return simple("ns-1", name, ann)
	}
	for _, tt := range []struct {
		name     string
		members  []IngressMember
		memberOf string // the member left out, "" for a group error
		want     string
	}{
		{"EIPs on an internal NLB", []IngressMember{member("a", map[string]string{on: "true", annotations.IngFrontendNLBEIPAllocations: "eipalloc-1,eipalloc-2"})},
			"ns-1/a", "EIP allocations can only be set for internet facing load balancers"},
		{"EIPs not one per subnet", []IngressMember{member("a", map[string]string{on: "true", annotations.IngFrontendNLBScheme: "internet-facing",
			annotations.IngFrontendNLBEIPAllocations: "eipalloc-1"})}, "ns-1/a", "count of EIP allocations (1) and subnets (2) must match"},
		{"an unknown scheme", []IngressMember{member("a", map[string]string{on: "true", annotations.IngFrontendNLBScheme: "public"})},
			"ns-1/a", "unknown scheme: public"},
		{"a bad health-check protocol", []IngressMember{member("a", map[string]string{on: "true", annotations.IngFrontendNLBHCProtocol: "TCP"})},
			"ns-1/a", "healthCheckProtocol must be within [HTTP, HTTPS]"},
		{"conflicting enable values", []IngressMember{member("a", map[string]string{on: "true"}), member("b", map[string]string{on: "false"})},
			"ns-1/b", "conflicting enable frontend NLB values"},
		{"one NLB port to two ALB ports", []IngressMember{
			member("a", map[string]string{on: "true", annotations.IngListenPorts: `[{"HTTP":80}]`, annotations.IngFrontendNLBPortMapping: "80=80"}),
			member("b", map[string]string{annotations.IngListenPorts: `[{"HTTP":8080}]`, annotations.IngFrontendNLBPortMapping: "80=8080"})},
			"ns-1/b", "conflicting Target Port: 8080, previous: 80"},
		{"explicit health checks that differ", []IngressMember{
			member("a", map[string]string{on: "true", annotations.IngFrontendNLBHCPath: "/a"}),
			member("b", map[string]string{annotations.IngFrontendNLBHCPath: "/b"})},
			"ns-1/b", "conflicting Path: /b, previous: /a"},
		{"attributes set by the first member, absent on the next (LBC compares the maps)", []IngressMember{
			member("a", map[string]string{on: "true", annotations.IngFrontendNLBAttributes: "load_balancing.cross_zone.enabled=true"}),
			member("b", map[string]string{})},
			"ns-1/b", "conflicting frontend NLB attributes"},
		{"a mapping to a port the ALB does not listen on", []IngressMember{
			member("a", map[string]string{on: "true", annotations.IngFrontendNLBPortMapping: "8443=443"})},
			"", "frontend-nlb-listener-port-mapping maps NLB port 8443 to ALB port 443, on which the Ingress has no listener"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, errs, err := buildIngressGroup(st, tt.members, ingFacts(), ingDefaults())
			got := ""
			switch {
			case tt.memberOf == "" && err != nil:
				got = err.Error()
			case tt.memberOf != "" && errs[tt.memberOf] != nil:
				got = errs[tt.memberOf].Error()
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("got error %q (group %v, members %v), want %q", got, err, errs, tt.want)
			}
		})
	}
}

// Health-check fields set on one member win over another member's
// defaults on the same NLB port.
func TestIngressFrontendNLBMergesExplicitHealthCheckFields(t *testing.T) {
	st := naming.ExplicitIngressStack("shop")
	a := simple("ns-1", "a", map[string]string{annotations.IngGroupName: "shop", annotations.IngEnableFrontendNLB: "true"})
	b := simple("ns-1", "b", map[string]string{annotations.IngGroupName: "shop", annotations.IngFrontendNLBHCPort: "8080",
		annotations.IngFrontendNLBHCProtocol: "HTTPS"})
	got, errs := buildGroup(t, st, ingFacts(), ingDefaults(), a, b)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	tg := got.Frontend.TargetGroups[0]
	eq(t, "health check", fmt.Sprintf("%+v", tg.HealthCheck), "{Protocol:HTTPS Port:8080 Path:/ Interval:15 Timeout:5 Healthy:2 Unhealthy:2 Matcher:200}")
	eq(t, "name (explicit group: k8s-<group>-<hash>)", tg.Name, "k8s-shop-fc5adc10fb")
}

// The first member's subnet and EIP lists decide the order of the NLB's
// subnet mappings; a later member may list the same items in another order.
func TestIngressFrontendNLBKeepsTheFirstMembersOrder(t *testing.T) {
	st := naming.ExplicitIngressStack("shop")
	ann := func(subnets, eips string) map[string]string {
		return map[string]string{annotations.IngGroupName: "shop", annotations.IngEnableFrontendNLB: "true",
			annotations.IngFrontendNLBScheme: "internet-facing", annotations.IngFrontendNLBSubnets: subnets,
			annotations.IngFrontendNLBEIPAllocations: eips}
	}
	got, errs := buildGroup(t, st, ingFacts(), ingDefaults(),
		simple("ns-1", "a", ann("subnet-d,subnet-c", "eipalloc-1,eipalloc-2")),
		simple("ns-1", "b", ann("subnet-c,subnet-d", "eipalloc-2,eipalloc-1")))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	eq(t, "mappings", got.Frontend.LoadBalancer.SubnetMappings, "[subnet-d=eipalloc-1 subnet-c=eipalloc-2]")
}
