package model

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/naming"
)

// Ingress model tests use LBC's cluster-dummy (lbc-load-balancers.md §9).
const ingCluster = "cluster-dummy"

func ingDefaults() Defaults {
	return Defaults{ClusterName: ingCluster, EnableBackendSG: true, NLBSecurityGroups: true}
}

// ingFacts: internal subnets a, b and internet-facing c, d in two AZs
// (the discovery results of LBC's fixtures); one node with one SG.
func ingFacts() Facts {
	in := map[string]string{TagRoleInternalELB: "1"}
	pub := map[string]string{TagRoleELB: "1"}
	return Facts{
		Subnets: []Subnet{
			{ID: "subnet-a", AZ: "us-west-2a", Tags: in, AvailableIPs: 100, HasIPv6: true},
			{ID: "subnet-b", AZ: "us-west-2b", Tags: in, AvailableIPs: 100, HasIPv6: true},
			{ID: "subnet-c", AZ: "us-west-2a", Tags: pub, AvailableIPs: 100, HasIPv6: true},
			{ID: "subnet-d", AZ: "us-west-2b", Tags: pub, AvailableIPs: 100, HasIPv6: true},
		},
		Nodes: []Node{{Name: "n1", InstanceID: "i-1", ENIID: "eni-1", Ready: corev1.ConditionTrue,
			SecurityGroups: []SecurityGroupInfo{{ID: nodeSG}}}},
	}
}

// LBC's fixture Services (ingress/model_builder_test.go): no type, no UID.
func ingServices() map[string]*corev1.Service {
	svc := func(name string, ann map[string]string, port corev1.ServicePort) *corev1.Service {
		return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "ns-1", Name: name, Annotations: ann},
			Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{port}}}
	}
	p := annotations.IngressPrefix
	return map[string]*corev1.Service{
		"svc-1": svc("svc-1", nil, corev1.ServicePort{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080), NodePort: 32768}),
		"svc-2": svc("svc-2", map[string]string{p + "target-type": "instance", p + "backend-protocol": "HTTP",
			p + "healthcheck-protocol": "HTTP", p + "healthcheck-port": "traffic-port", p + "healthcheck-path": "/",
			p + "healthcheck-interval-seconds": "15", p + "healthcheck-timeout-seconds": "5",
			p + "healthy-threshold-count": "2", p + "unhealthy-threshold-count": "2", p + "success-codes": "200"},
			corev1.ServicePort{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080), NodePort: 32768}),
		"svc-3": svc("svc-3", map[string]string{p + "target-type": "ip", p + "backend-protocol": "HTTPS",
			p + "healthcheck-protocol": "HTTPS", p + "healthcheck-port": "9090", p + "healthcheck-path": "/health-check",
			p + "healthcheck-interval-seconds": "20", p + "healthcheck-timeout-seconds": "10",
			p + "healthy-threshold-count": "7", p + "unhealthy-threshold-count": "5", p + "success-codes": "200-300"},
			corev1.ServicePort{Name: "https", Port: 443, TargetPort: intstr.FromInt32(8443), NodePort: 32768}),
		"svc-named-targetport": svc("svc-named-targetport", nil,
			corev1.ServicePort{Name: "https", Port: 443, TargetPort: intstr.FromString("target-port"), NodePort: 32768}),
	}
}

func ingEndpoints() map[string][]Endpoint {
	return map[string][]Endpoint{"svc-3": {{IP: "10.0.1.5", NodeName: "n1", Ports: map[string]int32{"https": 8443}}}}
}

func backend(svc string, port any) networkingv1.IngressBackend {
	bp := networkingv1.ServiceBackendPort{}
	switch p := port.(type) {
	case string:
		bp.Name = p
	case int:
		bp.Number = int32(p)
	}
	return networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: svc, Port: bp}}
}

func path(p string, t networkingv1.PathType, b networkingv1.IngressBackend) networkingv1.HTTPIngressPath {
	hp := networkingv1.HTTPIngressPath{Path: p, Backend: b}
	if t != "" {
		hp.PathType = &t
	}
	return hp
}

func ingRule(host string, paths ...networkingv1.HTTPIngressPath) networkingv1.IngressRule {
	return networkingv1.IngressRule{Host: host, IngressRuleValue: networkingv1.IngressRuleValue{
		HTTP: &networkingv1.HTTPIngressRuleValue{Paths: paths}}}
}

func ingress(ns, name string, ann map[string]string, rules ...networkingv1.IngressRule) *networkingv1.Ingress {
	return &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: ann},
		Spec: networkingv1.IngressSpec{Rules: rules}}
}

// ing1 is LBC's "Ingress - vanilla internal" ns-1/ing-1 (scenario 12).
func ing1(ann map[string]string) *networkingv1.Ingress {
	return ingress("ns-1", "ing-1", ann,
		ingRule("app-1.example.com", path("/svc-1", "", backend("svc-1", "http")), path("/svc-2", "", backend("svc-2", "http"))),
		ingRule("app-2.example.com", path("/svc-3", "", backend("svc-3", "https"))))
}

func ingMember(ing *networkingv1.Ingress) IngressMember {
	return IngressMember{Ingress: ing, Services: ingServices(), Endpoints: ingEndpoints()}
}

// simple is an Ingress routing / to svc-1:http.
func simple(ns, name string, ann map[string]string) IngressMember {
	return ingMember(ingress(ns, name, ann, ingRule("", path("/", networkingv1.PathTypePrefix, backend("svc-1", "http")))))
}

func buildGroup(t *testing.T, stack naming.Stack, f Facts, d Defaults, ms ...IngressMember) (Stack, map[string]error) {
	t.Helper()
	st, _, errs, err := buildIngressGroup(stack, ms, f, d) // what the model derives; the gate has its own tests
	if err != nil {
		t.Fatalf("BuildIngressGroup: %v", err)
	}
	return st, errs
}

func buildOne(t *testing.T, m IngressMember, f Facts, d Defaults) Stack {
	t.Helper()
	stack, err := IngressGroupID(m.Ingress, m.Params)
	if err != nil {
		t.Fatal(err)
	}
	st, errs := buildGroup(t, stack, f, d, m)
	if len(errs) > 0 {
		t.Fatalf("member errors: %v", errs)
	}
	return st
}

func sgRefs(lb *LoadBalancer) []string {
	var out []string
	for _, r := range lb.SecurityGroups {
		if r.Kind == RefID {
			out = append(out, r.ID)
		} else {
			out = append(out, r.Kind.String())
		}
	}
	return out
}

func actionString(a *Action) string {
	switch {
	case a == nil:
		return "<nil>"
	case a.Type == ActionForward:
		return "forward " + a.TargetGroup
	case a.Type == ActionRedirect:
		return fmt.Sprintf("redirect %s:%s %s", a.Redirect.Protocol, a.Redirect.Port, a.Redirect.StatusCode)
	case a.Type == ActionFixedResponse:
		return fmt.Sprintf("fixed %s %s %q", a.FixedResponse.StatusCode, a.FixedResponse.ContentType, a.FixedResponse.MessageBody)
	}
	return a.Type
}

func ruleLines(l Listener) []string {
	var out []string
	for _, r := range l.Rules {
		var cs []string
		for _, c := range r.Conditions {
			cs = append(cs, fmt.Sprintf("%s%v", c.Field, c.Values))
		}
		out = append(out, fmt.Sprintf("%s %s → %s", naming.RuleResourceID(l.Port, r.Priority), strings.Join(cs, " "), actionString(&r.Actions[0])))
	}
	return out
}

func tgByID(st Stack, id string) *TargetGroup {
	for i := range st.TargetGroups {
		if st.TargetGroups[i].ResourceID == id {
			return &st.TargetGroups[i]
		}
	}
	return nil
}

func listener(t *testing.T, st Stack, port int32) Listener {
	t.Helper()
	for _, l := range st.Listeners {
		if l.Port == port {
			return l
		}
	}
	t.Fatalf("no listener %d in %v", port, st.Listeners)
	return Listener{}
}

func ingTargetRules(st Stack) []string {
	var out []string
	for _, r := range st.TargetRules {
		out = append(out, fmt.Sprintf("%s %s %d-%d ← %s", r.GroupID, r.Protocol, r.FromPort, r.ToPort, r.Source))
	}
	return out
}

// Scenario 12 (LB spec) and SG scenarios 1, 2.
func TestIngressVanillaInternal(t *testing.T) {
	st := buildOne(t, ingMember(ing1(nil)), ingFacts(), ingDefaults())
	lb := st.LoadBalancer
	eq(t, "LB", fmt.Sprint(lb.Name, " ", lb.Type, " ", lb.Scheme, " ", lb.IPAddressType, " ", lb.Subnets),
		"k8s-ns1-ing1-b7e914000d application internal ipv4 [subnet-a subnet-b]")
	eq(t, "LB SGs", sgRefs(lb), "[managed backend]")
	eq(t, "LB tags", lb.Tags, map[string]string{naming.TagCluster: ingCluster, naming.TagIngressStack: "ns-1/ing-1",
		naming.TagIngressResource: "LoadBalancer"})
	eq(t, "managed SG", st.ManagedSG.Name+" "+st.ManagedSG.Description, "k8s-ns1-ing1-bd83176788 [k8s] Managed SecurityGroup for LoadBalancer")
	eq(t, "managed SG rules", ruleStrings(st.ManagedSG.Ingress), []string{"tcp 80 ← 0.0.0.0/0"})
	eq(t, "listeners", len(st.Listeners), 1)
	l := listener(t, st, 80)
	eq(t, "listener", l.Protocol+" "+actionString(l.DefaultAction), `HTTP fixed 404 text/plain ""`)
	eq(t, "rules", ruleLines(l), []string{
		"80:1 host-header[app-1.example.com] path-pattern[/svc-1] → forward ns-1/ing-1-svc-1:http",
		"80:2 host-header[app-1.example.com] path-pattern[/svc-2] → forward ns-1/ing-1-svc-2:http",
		"80:3 host-header[app-2.example.com] path-pattern[/svc-3] → forward ns-1/ing-1-svc-3:https",
	})
	eq(t, "rule tags", l.Rules[0].Tags[naming.TagIngressResource], "80:1")
	var names []string
	for _, tg := range st.TargetGroups {
		names = append(names, fmt.Sprintf("%s %s %s %d %s %s", tg.ResourceID, tg.Name, tg.TargetType, tg.Port, tg.Protocol, tg.ProtocolVersion))
	}
	eq(t, "target groups", names, []string{
		"ns-1/ing-1-svc-1:http k8s-ns1-svc1-9889425938 instance 32768 HTTP HTTP1",
		"ns-1/ing-1-svc-2:http k8s-ns1-svc2-9889425938 instance 32768 HTTP HTTP1",
		"ns-1/ing-1-svc-3:https k8s-ns1-svc3-bf42870fba ip 8443 HTTPS HTTP1",
	})
	eq(t, "svc-1 health check", tgByID(st, "ns-1/ing-1-svc-1:http").HealthCheck,
		HealthCheck{Protocol: "HTTP", Port: "traffic-port", Path: "/", Interval: 15, Timeout: 5, Healthy: 2, Unhealthy: 2, Matcher: "200"})
	eq(t, "svc-3 health check (Service annotations)", tgByID(st, "ns-1/ing-1-svc-3:https").HealthCheck,
		HealthCheck{Protocol: "HTTPS", Port: "9090", Path: "/health-check", Interval: 20, Timeout: 10, Healthy: 7, Unhealthy: 5, Matcher: "200-300"})
	eq(t, "targets", fmt.Sprint(tgByID(st, "ns-1/ing-1-svc-1:http").Targets, tgByID(st, "ns-1/ing-1-svc-3:https").Targets),
		"[{i-1 32768}] [{10.0.1.5 8443}]")
	// SG scenario 2: NodePort for instance, pod port and numeric health-check port for ip.
	eq(t, "target rules", ingTargetRules(st), []string{
		"sg-node tcp 8443-8443 ← backend", "sg-node tcp 9090-9090 ← backend", "sg-node tcp 32768-32768 ← backend"})
}

// Scenario 13.
func TestIngressInternetFacingSchemeChangesNameAndSubnets(t *testing.T) {
	st := buildOne(t, ingMember(ing1(map[string]string{annotations.IngScheme: "internet-facing"})), ingFacts(), ingDefaults())
	eq(t, "LB", fmt.Sprint(st.LoadBalancer.Name, " ", st.LoadBalancer.Scheme, " ", st.LoadBalancer.Subnets),
		"k8s-ns1-ing1-159dd7a143 internet-facing [subnet-c subnet-d]")
}

// Scenario 14.
func TestIngressSameServicePortByNameAndNumberGivesTwoTargetGroups(t *testing.T) {
	ing := ingress("ns-1", "ing-1", nil, ingRule("app-1.example.com",
		path("/svc-1-name", "", backend("svc-1", "http")), path("/svc-1-port", "", backend("svc-1", 80))))
	st := buildOne(t, ingMember(ing), ingFacts(), ingDefaults())
	eq(t, "TG count", len(st.TargetGroups), 2)
	eq(t, "by name", tgByID(st, "ns-1/ing-1-svc-1:http").Name, "k8s-ns1-svc1-9889425938")
	eq(t, "by number", tgByID(st, "ns-1/ing-1-svc-1:80").Name, "k8s-ns1-svc1-90b7d93b18")
}

// Scenario 15.
func TestIngressIPTargetsWithNamedTargetPortUsePort1(t *testing.T) {
	ing := ingress("ns-1", "ing-1", map[string]string{annotations.IngTargetType: "ip"},
		ingRule("", path("/", "", backend("svc-named-targetport", "https"))))
	m := ingMember(ing)
	m.Endpoints = map[string][]Endpoint{"svc-named-targetport": {{IP: "10.0.1.7", NodeName: "n1", Ports: map[string]int32{"https": 8443}}}}
	st := buildOne(t, m, ingFacts(), ingDefaults())
	tg := tgByID(st, "ns-1/ing-1-svc-named-targetport:https")
	eq(t, "TG", fmt.Sprint(tg.Name, " ", tg.TargetType, " ", tg.Port), "k8s-ns1-svcnamed-3430e53ee8 ip 1")
	eq(t, "targets resolve the named port per pod", tg.Targets, []Target{{ID: "10.0.1.7", Port: 8443}})
	eq(t, "target rules use the pod port", ingTargetRules(st), []string{"sg-node tcp 8443-8443 ← backend"})
}

// Scenario 16, and §6.4: the existing LB's scheme is not consulted.
func TestIngressExistingLBSubnetsAreKeptAndSchemeIsNotInherited(t *testing.T) {
	f := ingFacts()
	f.ExistingLB = &ExistingLB{Scheme: "internal", Subnets: []string{"subnet-e", "subnet-f"}}
	st := buildOne(t, ingMember(ing1(nil)), f, ingDefaults())
	eq(t, "subnets", st.LoadBalancer.Subnets, []string{"subnet-e", "subnet-f"})

	f.ExistingLB = &ExistingLB{Scheme: "internet-facing", Subnets: []string{"subnet-e", "subnet-f"}}
	st = buildOne(t, ingMember(ing1(nil)), f, ingDefaults())
	eq(t, "scheme", st.LoadBalancer.Scheme, "internal")
	eq(t, "subnets rediscovered for the new scheme", st.LoadBalancer.Subnets, []string{"subnet-a", "subnet-b"})
}

// Scenario 17.
func TestIngressPathsSortedExactThenLongestPrefixThenImplementationSpecific(t *testing.T) {
	b := backend("svc-1", "http")
	ing := ingress("ns-1", "ing-1", nil, ingRule("",
		path("/b", networkingv1.PathTypeImplementationSpecific, b), path("/aaa", networkingv1.PathTypePrefix, b),
		path("/ccc", networkingv1.PathTypeImplementationSpecific, b), path("/example", networkingv1.PathTypePrefix, b),
		path("/test", networkingv1.PathTypeExact, b)))
	st := buildOne(t, ingMember(ing), ingFacts(), ingDefaults())
	var got []string
	for _, r := range listener(t, st, 80).Rules {
		got = append(got, r.Conditions[0].Values[0])
	}
	eq(t, "order", got, []string{"/test", "/example", "/aaa", "/b", "/ccc"})
}

// Scenario 18.
func TestPathPatterns(t *testing.T) {
	for _, tt := range []struct {
		name, path string
		typ        networkingv1.PathType
		want       string
	}{
		{"prefix with trailing slash gives the path and its subtree", "/abc/", networkingv1.PathTypePrefix, "[/abc /abc/*]"},
		{"prefix root is everything", "/", networkingv1.PathTypePrefix, "[/*]"},
		{"exact is verbatim", "/abc", networkingv1.PathTypeExact, "[/abc]"},
		{"exact with a wildcard is refused", "/*", networkingv1.PathTypeExact, "exact path shouldn't contain wildcards: /*"},
		{"prefix with a wildcard is refused", "/a?", networkingv1.PathTypePrefix, "prefix path shouldn't contain wildcards: /a?"},
		{"implementation specific is verbatim", "/a*", networkingv1.PathTypeImplementationSpecific, "[/a*]"},
		{"unknown path type is refused", "/", "unknown", "unsupported pathType: unknown"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PathPatterns(path(tt.path, tt.typ, backend("svc-1", "http")))
			s := fmt.Sprint(got)
			if err != nil {
				s = err.Error()
			}
			eq(t, "patterns", s, tt.want)
		})
	}
}

// Scenario 19.
func TestIngressSSLRedirect(t *testing.T) {
	both := `[{"HTTP": 80}, {"HTTPS": 443}]`
	cert := "arn:aws:acm:us-west-2:1:certificate/a"
	for _, tt := range []struct {
		name    string
		ann     map[string]string
		wantErr string
	}{
		{"redirect to an HTTPS listener", map[string]string{annotations.IngSSLRedirect: "443"}, ""},
		{"redirect to a missing listener", map[string]string{annotations.IngSSLRedirect: "8443"}, "listener does not exist for SSLRedirect port: 8443"},
		{"redirect to an HTTP listener", map[string]string{annotations.IngSSLRedirect: "80"}, "listener protocol non-SSL for SSLRedirect port: 80"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.ann[annotations.IngListenPorts] = both
			tt.ann[annotations.IngCertificateARN] = cert
			m := ingMember(ing1(tt.ann))
			_, _, errs, err := BuildIngressGroup(naming.ImplicitIngressStack("ns-1", "ing-1"), []IngressMember{m}, ingFacts(), ingDefaults())
			if tt.wantErr != "" {
				eq(t, "member error", errs["ns-1/ing-1"], tt.wantErr)
				if !errors.Is(err, ErrNoUsableIngress) {
					t.Errorf("group error = %v, want ErrNoUsableIngress (the ALB is kept)", err)
				}
				return
			}
			st := buildOne(t, m, ingFacts(), ingDefaults())
			http := listener(t, st, 80)
			eq(t, "HTTP default action", actionString(http.DefaultAction), "redirect HTTPS:443 HTTP_301")
			eq(t, "HTTP rules", len(http.Rules), 0)
			https := listener(t, st, 443)
			eq(t, "HTTPS listener", fmt.Sprint(https.Protocol, " ", https.Certificates, " ", https.SSLPolicy, " ", len(https.Rules)),
				"HTTPS ["+cert+"] ELBSecurityPolicy-2016-08 3")
			eq(t, "managed SG rules", ruleStrings(st.ManagedSG.Ingress), []string{"tcp 443 ← 0.0.0.0/0", "tcp 80 ← 0.0.0.0/0"})
		})
	}
	t.Run("two members redirecting to different ports: the later one is at fault", func(t *testing.T) {
		g := map[string]string{annotations.IngGroupName: "g", annotations.IngListenPorts: `[{"HTTPS": 443}, {"HTTPS": 8443}]`,
			annotations.IngCertificateARN: cert}
		a, b := map[string]string{annotations.IngSSLRedirect: "443"}, map[string]string{annotations.IngSSLRedirect: "8443"}
		for k, v := range g {
			a[k], b[k] = v, v
		}
		_, errs := buildGroup(t, naming.ExplicitIngressStack("g"), ingFacts(), ingDefaults(), simple("ns", "a", a), simple("ns", "b", b))
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New("conflicting sslRedirect port: [443 8443]")})
	})
}

// Scenario 20.
func TestIngressGroupOrderAndNameErrors(t *testing.T) {
	bad := simple("namespace", "ingress", map[string]string{annotations.IngGroupOrder: "x"})
	_, errs := OrderMembers([]IngressMember{bad})
	eq(t, "order error", errs["namespace/ingress"],
		`failed to load Ingress group order for ingress: namespace/ingress: failed to parse int32 annotation, alb.ingress.kubernetes.io/group.order: x: strconv.ParseInt: parsing "x": invalid syntax`)
	_, err := IngressGroupID(ingress("ns", "i", map[string]string{annotations.IngGroupName: strings.Repeat("a", 64)}), nil)
	if err == nil || !strings.Contains(err.Error(), "groupName must be no more than 63 characters") {
		t.Errorf("64-char group name: %v", err)
	}
	ordered, _ := OrderMembers([]IngressMember{
		simple("ns", "c", nil), simple("ns", "b", map[string]string{annotations.IngGroupOrder: "-5"}), simple("ns", "a", nil),
	})
	var got []string
	for _, m := range ordered {
		got = append(got, m.Key())
	}
	eq(t, "order then ns/name", got, []string{"ns/b", "ns/a", "ns/c"})
}

func TestIngressGroupID(t *testing.T) {
	ing := ingress("ns", "i", map[string]string{annotations.IngGroupName: "from-annotation"})
	for _, tt := range []struct {
		name   string
		ing    *networkingv1.Ingress
		params *v1beta1.IngressClassParamsSpec
		want   string
	}{
		{"a lone Ingress is its own implicit group", ingress("ns", "i", nil), nil, "ingress group ns/i"},
		{"group.name makes an explicit group", ing, nil, "ingress group from-annotation"},
		{"IngressClassParams group beats the annotation", ing,
			&v1beta1.IngressClassParamsSpec{Group: &v1beta1.IngressGroup{Name: "from-params"}}, "ingress group from-params"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := IngressGroupID(tt.ing, tt.params)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "stack", s.String(), tt.want)
		})
	}
}

// §1.5 and scenarios 1, 2.
func TestIngressLoadBalancerNames(t *testing.T) {
	t.Run("explicit group without cluster name (§1.5)", func(t *testing.T) {
		d := ingDefaults()
		d.ClusterName = ""
		st, _ := buildGroup(t, naming.ExplicitIngressStack("explicit-group"), ingFacts(), d,
			simple("ns", "a", map[string]string{annotations.IngGroupName: "explicit-group"}))
		eq(t, "name", st.LoadBalancer.Name, "k8s-explicitgroup-5bf9e53c23")
	})
	t.Run("conflicting names: the later member is left out", func(t *testing.T) {
		st, errs := buildGroup(t, naming.ExplicitIngressStack("g"), ingFacts(), ingDefaults(),
			simple("ns", "a", map[string]string{annotations.IngGroupName: "g", annotations.IngLoadBalancerName: "foo"}),
			simple("ns", "b", map[string]string{annotations.IngGroupName: "g", annotations.IngLoadBalancerName: "baz"}),
			simple("ns", "c", map[string]string{annotations.IngGroupName: "g"}))
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New("conflicting load balancer name: map[baz:{} foo:{}]")})
		eq(t, "name", st.LoadBalancer.Name, "foo")
		eq(t, "rules of a and c only", len(listener(t, st, 80).Rules), 2)
	})
	t.Run("IngressClassParams name beats the annotation", func(t *testing.T) {
		m := simple("ns", "a", map[string]string{annotations.IngLoadBalancerName: "name-2"})
		m.Params = &v1beta1.IngressClassParamsSpec{LoadBalancerName: "name-1"}
		eq(t, "name", buildOne(t, m, ingFacts(), ingDefaults()).LoadBalancer.Name, "name-1")
	})
	t.Run("a 33-character name is refused", func(t *testing.T) {
		_, errs, err := buildErrs(simple("ns", "a", map[string]string{annotations.IngLoadBalancerName: strings.Repeat("n", 33)}))
		if !errors.Is(err, ErrNoUsableIngress) || !strings.Contains(fmt.Sprint(errs["ns/a"]), "load balancer name cannot be longer than 32 characters") {
			t.Errorf("got %v, %v", errs, err)
		}
	})
}

func buildErrs(ms ...IngressMember) (Stack, map[string]error, error) {
	stack, _ := IngressGroupID(ms[0].Ingress, ms[0].Params)
	st, _, errs, err := BuildIngressGroup(stack, ms, ingFacts(), ingDefaults())
	return st, errs, err
}

func grouped(name string, ann map[string]string) IngressMember {
	a := map[string]string{annotations.IngGroupName: "shared-public.alb"}
	for k, v := range ann {
		a[k] = v
	}
	return simple("ns", name, a)
}

// SG scenarios 9, 10 and lbc-load-balancers.md §6.5.
func TestIngressGroupMerge(t *testing.T) {
	stack := naming.ExplicitIngressStack("shared-public.alb")
	t.Run("listen ports are unioned into one managed SG", func(t *testing.T) {
		d := ingDefaults()
		d.ClusterName = "my-cluster"
		st, errs := buildGroup(t, stack, ingFacts(), d,
			grouped("a", map[string]string{annotations.IngListenPorts: `[{"HTTP":80}]`}),
			grouped("b", map[string]string{annotations.IngListenPorts: `[{"HTTP":8080}]`}))
		eq(t, "errors", len(errs), 0)
		eq(t, "SG", st.ManagedSG.Name, "k8s-sharedpublicalb-d7d6e59850")
		eq(t, "rules", ruleStrings(st.ManagedSG.Ingress), []string{"tcp 80 ← 0.0.0.0/0", "tcp 8080 ← 0.0.0.0/0"})
		eq(t, "listener 80 has a's rule only", ruleLines(listener(t, st, 80)), []string{"80:1 path-pattern[/*] → forward ns/a-svc-1:http"})
		eq(t, "listener 8080 has b's rule only", ruleLines(listener(t, st, 8080)), []string{"8080:1 path-pattern[/*] → forward ns/b-svc-1:http"})
	})
	t.Run("a port with two protocols: the later member is left out, the rest builds", func(t *testing.T) {
		st, errs := buildGroup(t, stack, ingFacts(), ingDefaults(),
			grouped("a", nil),
			grouped("b", map[string]string{annotations.IngListenPorts: `[{"HTTPS":80}]`, annotations.IngCertificateARN: "arn:c"}))
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New("failed to merge listenPort config for port: 80: conflicting protocol, ns/a: HTTP | ns/b: HTTPS")})
		eq(t, "listener", listener(t, st, 80).Protocol, "HTTP")
		eq(t, "TGs", len(st.TargetGroups), 1)
	})
	t.Run("group order decides who is at fault", func(t *testing.T) {
		_, errs := buildGroup(t, stack, ingFacts(), ingDefaults(),
			grouped("a", map[string]string{annotations.IngGroupOrder: "10"}),
			grouped("b", map[string]string{annotations.IngListenPorts: `[{"HTTPS":80}]`, annotations.IngCertificateARN: "arn:c"}))
		eq(t, "errors", errs, map[string]error{"ns/a": errors.New("failed to merge listenPort config for port: 80: conflicting protocol, ns/b: HTTPS | ns/a: HTTP")})
	})
	t.Run("inbound-cidrs apply to the member's own ports", func(t *testing.T) {
		st, errs := buildGroup(t, stack, ingFacts(), ingDefaults(),
			grouped("a", map[string]string{annotations.IngInboundCIDRs: "10.0.0.0/8"}),
			grouped("b", map[string]string{annotations.IngListenPorts: `[{"HTTP":80},{"HTTP":8080}]`}))
		eq(t, "errors", len(errs), 0)
		eq(t, "rules", ruleStrings(st.ManagedSG.Ingress), []string{"tcp 80 ← 10.0.0.0/8", "tcp 8080 ← 0.0.0.0/0"})
	})
	t.Run("different inbound-cidrs on one port: the later member is left out", func(t *testing.T) {
		st, errs := buildGroup(t, stack, ingFacts(), ingDefaults(),
			grouped("a", map[string]string{annotations.IngInboundCIDRs: "10.0.0.0/8"}),
			grouped("b", map[string]string{annotations.IngInboundCIDRs: "192.168.0.0/16"}))
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New(
			"failed to merge listenPort config for port: 80: conflicting inbound-cidrs, ns/a: [10.0.0.0/8], [] | ns/b: [192.168.0.0/16], []")})
		eq(t, "rules", ruleStrings(st.ManagedSG.Ingress), []string{"tcp 80 ← 10.0.0.0/8"})
	})
	t.Run("an invalid inbound-cidrs leaves only that member out", func(t *testing.T) {
		st, errs := buildGroup(t, stack, ingFacts(), ingDefaults(),
			grouped("a", nil), grouped("b", map[string]string{annotations.IngInboundCIDRs: "10.0.0.0/33"}))
		if !strings.Contains(fmt.Sprint(errs["ns/b"]), "invalid inbound-cidrs settings on Ingress: ns/b") {
			t.Errorf("errors: %v", errs)
		}
		eq(t, "rules", ruleStrings(st.ManagedSG.Ingress), []string{"tcp 80 ← 0.0.0.0/0"})
	})
	t.Run("conflicting scheme: the later member is left out", func(t *testing.T) {
		st, errs := buildGroup(t, stack, ingFacts(), ingDefaults(),
			grouped("a", map[string]string{annotations.IngScheme: "internet-facing"}),
			grouped("b", map[string]string{annotations.IngScheme: "internal"}))
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New("conflicting scheme: map[internal:{} internet-facing:{}]")})
		eq(t, "scheme", st.LoadBalancer.Scheme, "internet-facing")
	})
	t.Run("conflicting IP address type", func(t *testing.T) {
		_, errs := buildGroup(t, stack, ingFacts(), ingDefaults(),
			grouped("a", map[string]string{annotations.IngIPAddressType: "ipv4"}),
			grouped("b", map[string]string{annotations.IngIPAddressType: "dualstack"}))
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New("conflicting IPAddressType: [dualstack ipv4]")})
	})
	t.Run("conflicting tags (SG scenario 12)", func(t *testing.T) {
		_, errs := buildGroup(t, stack, ingFacts(), ingDefaults(),
			grouped("a", map[string]string{annotations.IngTags: "k1=v1,k3=v3a"}),
			grouped("b", map[string]string{annotations.IngTags: "k2=v2,k3=v3b"}))
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New("conflicting tag k3: v3a | v3b")})
	})
	t.Run("two default backends on one port", func(t *testing.T) {
		a, b := grouped("a", nil), grouped("b", nil)
		db := backend("svc-1", "http")
		a.Ingress.Spec.DefaultBackend, b.Ingress.Spec.DefaultBackend = &db, &db
		st, errs := buildGroup(t, stack, ingFacts(), ingDefaults(), a, b)
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New("multiple ingress defined default backend: [ns/a ns/b]")})
		eq(t, "default action", actionString(listener(t, st, 80).DefaultAction), "forward ns/a-svc-1:http")
	})
	t.Run("rules keep group order across members with stable priorities", func(t *testing.T) {
		st, _ := buildGroup(t, stack, ingFacts(), ingDefaults(),
			grouped("z", map[string]string{annotations.IngGroupOrder: "-1"}), grouped("a", nil))
		eq(t, "rules", ruleLines(listener(t, st, 80)), []string{
			"80:1 path-pattern[/*] → forward ns/z-svc-1:http", "80:2 path-pattern[/*] → forward ns/a-svc-1:http"})
	})
}

func TestIngressGroupWithoutUsableMembers(t *testing.T) {
	st, w, errs, err := BuildIngressGroup(naming.ExplicitIngressStack("g"), nil, ingFacts(), ingDefaults())
	if err != nil || st.LoadBalancer != nil || len(w) != 0 || len(errs) != 0 || st.ID != naming.ExplicitIngressStack("g") {
		t.Errorf("no members: want the empty stack, got %+v %v %v %v", st, w, errs, err)
	}
	_, errs, err = buildErrs(simple("ns", "a", map[string]string{annotations.IngScheme: "public"}))
	if !errors.Is(err, ErrNoUsableIngress) || errs["ns/a"] == nil {
		t.Errorf("only invalid members: want ErrNoUsableIngress and the member's error, got %v %v", errs, err)
	}
}

// SG scenarios 4–8 and IngressClassParams precedence (§2.3).
func TestIngressManagedSGSources(t *testing.T) {
	for _, tt := range []struct {
		name   string
		ann    map[string]string
		params *v1beta1.IngressClassParamsSpec
		want   []string
	}{
		{"dualstack without CIDRs opens IPv4 and IPv6", map[string]string{annotations.IngIPAddressType: "dualstack"}, nil,
			[]string{"tcp 80 ← 0.0.0.0/0", "tcp 80 ← ::/0"}},
		{"ipv4 with empty params opens IPv4 only", nil, &v1beta1.IngressClassParamsSpec{}, []string{"tcp 80 ← 0.0.0.0/0"}},
		{"params inboundCIDRs replace the annotation", map[string]string{annotations.IngInboundCIDRs: "20.0.0.0/8"},
			&v1beta1.IngressClassParamsSpec{InboundCIDRs: []string{"10.0.0.0/8", "172.16.0.0/12"}},
			[]string{"tcp 80 ← 10.0.0.0/8", "tcp 80 ← 172.16.0.0/12"}},
		{"a prefix list alone suppresses the default", map[string]string{annotations.IngSGPrefixLists: "pl-00000000"}, nil,
			[]string{"tcp 80 ← pl-00000000"}},
		{"params prefix lists replace the annotation", map[string]string{annotations.IngSGPrefixLists: "pl-00000000"},
			&v1beta1.IngressClassParamsSpec{PrefixListsIDsLegacy: []string{"pl-11111111", "pl-22222222"}},
			[]string{"tcp 80 ← pl-11111111", "tcp 80 ← pl-22222222"}},
		{"CIDRs and prefix lists combine", map[string]string{annotations.IngInboundCIDRs: "20.45.16.0/26", annotations.IngSGPrefixLists: "pl-00000000"}, nil,
			[]string{"tcp 80 ← 20.45.16.0/26", "tcp 80 ← pl-00000000"}},
		{"IPv6 CIDRs are dropped on an ipv4 ALB", map[string]string{annotations.IngInboundCIDRs: "2001:db8::/32"}, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := simple("ns-1", "ing-1", tt.ann)
			m.Params = tt.params
			st := buildOne(t, m, ingFacts(), ingDefaults())
			eq(t, "rules", ruleStrings(st.ManagedSG.Ingress), tt.want)
		})
	}
}

// SG scenarios 3, 13–15, 21, 50.
func TestIngressFrontendSecurityGroups(t *testing.T) {
	lookup := &SecurityGroupLookup{ByID: map[string]bool{"sg-1": true, "sg-2": true, "sg-3": true, "sg-4": true, "sg-5": true},
		ByName: map[string][]string{"web": {"sg-web"}}}
	withLookup := func() Facts { f := ingFacts(); f.SecurityGroupLookup = lookup; return f }
	t.Run("without the backend SG the managed SG is the target-rule source", func(t *testing.T) {
		d := ingDefaults()
		d.EnableBackendSG = false
		st := buildOne(t, simple("ns-1", "ing-1", nil), ingFacts(), d)
		eq(t, "LB SGs", sgRefs(st.LoadBalancer), "[managed]")
		eq(t, "target rules", ingTargetRules(st), []string{"sg-node tcp 32768-32768 ← managed"})
	})
	t.Run("a manual SG by name replaces the managed SG; no target rules", func(t *testing.T) {
		m := simple("ns-1", "ing-1", map[string]string{annotations.IngSecurityGroups: "web"})
		eq(t, "items to look up", IngressSecurityGroupItems([]IngressMember{m}), []string{"web"})
		st := buildOne(t, m, withLookup(), ingDefaults())
		eq(t, "LB SGs", sgRefs(st.LoadBalancer), "[sg-web]")
		eq(t, "managed SG", st.ManagedSG == nil, true)
		eq(t, "target rules", len(st.TargetRules), 0)
	})
	t.Run("manage-backend adds the backend SG and target rules", func(t *testing.T) {
		m := simple("ns-1", "ing-1", map[string]string{annotations.IngSecurityGroups: "sg-1", annotations.IngManageBackendSGRules: "true"})
		st := buildOne(t, m, withLookup(), ingDefaults())
		eq(t, "LB SGs", sgRefs(st.LoadBalancer), "[sg-1 backend]")
		eq(t, "target rules", ingTargetRules(st), []string{"sg-node tcp 32768-32768 ← backend"})
	})
	t.Run("manage-backend without the backend SG fails the group", func(t *testing.T) {
		d := ingDefaults()
		d.EnableBackendSG = false
		m := simple("ns-1", "ing-1", map[string]string{annotations.IngSecurityGroups: "sg-1", annotations.IngManageBackendSGRules: "true"})
		_, _, _, err := BuildIngressGroup(naming.ImplicitIngressStack("ns-1", "ing-1"), []IngressMember{m}, withLookup(), d)
		eq(t, "error", err, "backendSG feature is required to manage worker node SG rules when frontendSG manually specified")
	})
	t.Run("conflicting manage-backend settings", func(t *testing.T) {
		_, errs := buildGroup(t, naming.ExplicitIngressStack("shared-public.alb"), withLookup(), ingDefaults(),
			grouped("a", map[string]string{annotations.IngManageBackendSGRules: "false"}),
			grouped("b", map[string]string{annotations.IngManageBackendSGRules: "true"}))
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New("conflicting manage backend security group rules settings")})
	})
	t.Run("removing the annotation brings the managed SG back", func(t *testing.T) {
		st := buildOne(t, simple("ns-1", "ing-1", map[string]string{annotations.IngSecurityGroups: "sg-1"}), withLookup(), ingDefaults())
		eq(t, "manual", sgRefs(st.LoadBalancer), "[sg-1]")
		st = buildOne(t, simple("ns-1", "ing-1", nil), withLookup(), ingDefaults())
		eq(t, "managed again", sgRefs(st.LoadBalancer), "[managed backend]")
		eq(t, "managed SG", st.ManagedSG.Name, "k8s-ns1-ing1-bd83176788")
	})
	t.Run("an unresolvable SG fails the group with LBC's text", func(t *testing.T) {
		m := simple("ns-1", "ing-1", map[string]string{annotations.IngSecurityGroups: "sg-404"})
		_, _, _, err := BuildIngressGroup(naming.ImplicitIngressStack("ns-1", "ing-1"), []IngressMember{m}, withLookup(), ingDefaults())
		eq(t, "error", err, "couldn't find all security groups: requested ids [sg-404] but found []")
	})
	for _, tt := range []struct {
		name, sgs, manage string
		wantErr           bool
	}{
		{"5 manual SGs fit", "sg-1,sg-2,sg-3,sg-4,sg-5", "false", false},
		{"5 manual SGs plus the backend SG are 6: refused before any AWS call", "sg-1,sg-2,sg-3,sg-4,sg-5", "true", true},
		{"6 manual SGs are refused", "sg-1,sg-2,sg-3,sg-4,sg-5,sg-6", "false", true},
		{"4 manual SGs plus the backend SG fit", "sg-1,sg-2,sg-3,sg-4", "true", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := simple("ns-1", "ing-1", map[string]string{annotations.IngSecurityGroups: tt.sgs, annotations.IngManageBackendSGRules: tt.manage})
			_, _, _, err := BuildIngressGroup(naming.ImplicitIngressStack("ns-1", "ing-1"), []IngressMember{m}, withLookup(), ingDefaults())
			if got := errors.Is(err, ErrTooManySecurityGroups); got != tt.wantErr {
				t.Errorf("err = %v, want ErrTooManySecurityGroups: %v", err, tt.wantErr)
			}
			if tt.wantErr && !strings.Contains(err.Error(), "at most 5") {
				t.Errorf("error should name the limit: %v", err)
			}
		})
	}
}

func TestIngressTargetGroups(t *testing.T) {
	t.Run("a missing backend Service answers 503", func(t *testing.T) {
		ing := ingress("ns-1", "ing-1", nil, ingRule("", path("/x", "", backend("gone", "http"))))
		st := buildOne(t, ingMember(ing), ingFacts(), ingDefaults())
		eq(t, "rules", ruleLines(listener(t, st, 80)), []string{`80:1 path-pattern[/x] → fixed 503 text/plain "Backend service does not exist"`})
		eq(t, "TGs", len(st.TargetGroups), 0)
	})
	t.Run("instance targets on a ClusterIP Service are refused", func(t *testing.T) {
		m := simple("ns-1", "ing-1", nil)
		svc := m.Services["svc-1"].DeepCopy()
		svc.Spec.Type, svc.Spec.Ports[0].NodePort = corev1.ServiceTypeClusterIP, 0
		m.Services["svc-1"] = svc
		_, errs, _ := buildErrs(m)
		eq(t, "error", errs["ns-1/ing-1"], "ingress: ns-1/ing-1: TargetGroup port is empty. When using Instance targets, your service be must of type 'NodePort' or 'LoadBalancer'")
	})
	t.Run("target type: default < Ingress < Service < params", func(t *testing.T) {
		d := ingDefaults()
		d.DefaultTargetType = "ip"
		tt := func(m IngressMember) string { return buildOne(t, m, ingFacts(), d).TargetGroups[0].TargetType }
		eq(t, "default flag", tt(simple("ns-1", "ing-1", nil)), "ip")
		eq(t, "Ingress beats the flag", tt(simple("ns-1", "ing-1", map[string]string{annotations.IngTargetType: "instance"})), "instance")
		m := ingMember(ingress("ns-1", "ing-1", map[string]string{annotations.IngTargetType: "instance"}, ingRule("", path("/", "", backend("svc-3", "https")))))
		eq(t, "Service beats the Ingress", tt(m), "ip")
		m.Params = &v1beta1.IngressClassParamsSpec{TargetType: "instance"}
		eq(t, "params beat the Service", tt(m), "instance")
	})
	t.Run("Ingress health-check annotations apply, Service ones win", func(t *testing.T) {
		m := simple("ns-1", "ing-1", map[string]string{annotations.IngHealthCheckPath: "/ing", annotations.IngSuccessCodes: "200-299"})
		m.Services["svc-1"].Annotations = map[string]string{annotations.IngHealthCheckPath: "/svc"}
		hc := buildOne(t, m, ingFacts(), ingDefaults()).TargetGroups[0].HealthCheck
		eq(t, "path, matcher", hc.Path+" "+hc.Matcher, "/svc 200-299")
	})
	t.Run("default backend is the listener's default action", func(t *testing.T) {
		ing := ingress("ns-1", "ing-1", nil)
		db := backend("svc-1", "http")
		ing.Spec.DefaultBackend = &db
		st := buildOne(t, ingMember(ing), ingFacts(), ingDefaults())
		eq(t, "default", actionString(listener(t, st, 80).DefaultAction), "forward ns-1/ing-1-svc-1:http")
		eq(t, "TG", st.TargetGroups[0].Name, "k8s-ns1-svc1-9889425938")
	})
}

// lbc-load-balancers.md §3.2, SG scenario 11.
func TestIngressTags(t *testing.T) {
	d := ingDefaults()
	d.DefaultTags = map[string]string{"k1": "v10", "k2": "v20"}
	m := simple("ns-1", "ing-1", map[string]string{annotations.IngTags: "k1=v1,k2=v2,k3=v3"})
	st := buildOne(t, m, ingFacts(), d)
	user := func(tags map[string]string) string { return tags["k1"] + tags["k2"] + tags["k3"] }
	eq(t, "LB", user(st.LoadBalancer.Tags), "v10v20v3")
	eq(t, "SG", user(st.ManagedSG.Tags), "v10v20v3")
	eq(t, "TG", user(st.TargetGroups[0].Tags)+" "+st.TargetGroups[0].Tags[naming.TagIngressResource], "v10v20v3 ns-1/ing-1-svc-1:http")
	eq(t, "listener", user(st.Listeners[0].Tags)+" "+st.Listeners[0].Tags[naming.TagIngressResource], "v10v20v3 80")
	d.DefaultTagsLowPriority = true
	eq(t, "low priority defaults", user(buildOne(t, m, ingFacts(), d).LoadBalancer.Tags), "v1v2v3")
	d.ExternalManagedTags = []string{"k2"}
	_, _, errs, _ := BuildIngressGroup(naming.ImplicitIngressStack("ns-1", "ing-1"), []IngressMember{m}, ingFacts(), d)
	eq(t, "external managed", errs["ns-1/ing-1"], "failed build tags for Ingress ns-1/ing-1: external managed tag key k2 cannot be specified")
}

// lbc-load-balancers.md §4 for ALBs, scenario 24.
func TestIngressSubnets(t *testing.T) {
	f := ingFacts()
	f.Subnets = append(f.Subnets,
		Subnet{ID: "subnet-9", AZ: "us-west-2a", Tags: map[string]string{"team": "a"}, AvailableIPs: 100},
		Subnet{ID: "subnet-10", AZ: "us-west-2b", Tags: map[string]string{"team": "a"}, AvailableIPs: 100},
		Subnet{ID: "subnet-1", AZ: "us-west-2c", Tags: map[string]string{naming.TagName: "named"}, AvailableIPs: 100})
	build := func(ms ...IngressMember) (Stack, map[string]error, error) {
		stack, _ := IngressGroupID(ms[0].Ingress, ms[0].Params)
		st, _, errs, err := BuildIngressGroup(stack, ms, f, ingDefaults())
		return st, errs, err
	}
	withParams := func(m IngressMember, p *v1beta1.IngressClassParamsSpec) IngressMember { m.Params = p; return m }
	t.Run("params tag selector, sorted by ID", func(t *testing.T) {
		st, _, err := build(withParams(simple("ns", "a", nil), &v1beta1.IngressClassParamsSpec{
			Subnets: &v1beta1.SubnetSelector{Tags: map[string][]string{"team": {"a"}}}}))
		eq(t, "subnets", fmt.Sprint(st.LoadBalancer.Subnets, err), "[subnet-10 subnet-9] <nil>")
	})
	t.Run("params IDs that do not all exist", func(t *testing.T) {
		_, _, err := build(withParams(simple("ns", "a", nil), &v1beta1.IngressClassParamsSpec{
			Subnets: &v1beta1.SubnetSelector{IDs: []v1beta1.SubnetID{"subnet-1234", "subnet-1"}}}))
		eq(t, "error", err, "failed to list subnets by IDs: couldn't find all subnets, want: [subnet-1234 subnet-1], found: [subnet-1]")
	})
	t.Run("annotation IDs and names in the requested order", func(t *testing.T) {
		st, _, err := build(simple("ns", "a", map[string]string{annotations.IngSubnets: "subnet-b, named"}))
		eq(t, "subnets", fmt.Sprint(st.LoadBalancer.Subnets, err), "[subnet-b subnet-1] <nil>")
	})
	t.Run("an ALB needs two subnets", func(t *testing.T) {
		_, _, err := build(simple("ns", "a", map[string]string{annotations.IngSubnets: "subnet-a"}))
		eq(t, "error", err, "subnets count less than minimal required count: 1 < 2")
		f2 := ingFacts()
		f2.Subnets = f2.Subnets[:1]
		_, _, _, err = BuildIngressGroup(naming.ImplicitIngressStack("ns", "a"), []IngressMember{simple("ns", "a", nil)}, f2, ingDefaults())
		eq(t, "discovered", err, "subnets count less than minimal required count: 1 < 2")
	})
	g := func(name string, ann map[string]string) IngressMember {
		a := map[string]string{annotations.IngGroupName: "g"}
		for k, v := range ann {
			a[k] = v
		}
		return simple("ns", name, a)
	}
	t.Run("the same subnets in another order do not conflict", func(t *testing.T) {
		_, errs, err := build(g("a", map[string]string{annotations.IngSubnets: "subnet-a,subnet-b"}),
			g("b", map[string]string{annotations.IngSubnets: "subnet-b,subnet-a"}))
		eq(t, "errors", fmt.Sprint(len(errs), err), "0 <nil>")
	})
	t.Run("different subnets conflict", func(t *testing.T) {
		_, errs, _ := build(g("a", map[string]string{annotations.IngSubnets: "subnet-a,subnet-b"}),
			g("b", map[string]string{annotations.IngSubnets: "subnet-c"}))
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New("conflicting subnets: [subnet-a subnet-b] | [subnet-c]")})
	})
	t.Run("params subnets versus another member's annotation", func(t *testing.T) {
		_, errs, _ := build(withParams(g("a", nil), &v1beta1.IngressClassParamsSpec{
			Subnets: &v1beta1.SubnetSelector{IDs: []v1beta1.SubnetID{"subnet-a", "subnet-b"}}}),
			g("b", map[string]string{annotations.IngSubnets: "subnet-c,subnet-d"}))
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New("conflicting subnet specifications: IngressClassParams versus annotation")})
	})
	t.Run("two different params selectors", func(t *testing.T) {
		_, errs, _ := build(withParams(g("a", nil), &v1beta1.IngressClassParamsSpec{
			Subnets: &v1beta1.SubnetSelector{IDs: []v1beta1.SubnetID{"subnet-a", "subnet-b"}}}),
			withParams(g("b", nil), &v1beta1.IngressClassParamsSpec{
				Subnets: &v1beta1.SubnetSelector{Tags: map[string][]string{"team": {"a"}}}}))
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New("conflicting IngressClassParams subnet specifications")})
	})
	t.Run("dualstack discovery skips subnets without IPv6", func(t *testing.T) {
		f2 := ingFacts()
		f2.Subnets[0].HasIPv6 = false
		f2.Subnets = append(f2.Subnets, Subnet{ID: "subnet-a2", AZ: "us-west-2a", Tags: map[string]string{TagRoleInternalELB: "1"}, AvailableIPs: 100, HasIPv6: true})
		m := simple("ns", "a", map[string]string{annotations.IngIPAddressType: "dualstack"})
		st, _, _, err := BuildIngressGroup(naming.ImplicitIngressStack("ns", "a"), []IngressMember{m}, f2, ingDefaults())
		eq(t, "subnets", fmt.Sprint(st.LoadBalancer.Subnets, err), "[subnet-a2 subnet-b] <nil>")
	})
}

// §6.5: HTTPS listeners, certificates and SSL policies.
func TestIngressHTTPSListeners(t *testing.T) {
	stack := naming.ExplicitIngressStack("g")
	g := func(name string, ann map[string]string) IngressMember {
		a := map[string]string{annotations.IngGroupName: "g"}
		for k, v := range ann {
			a[k] = v
		}
		return simple("ns", name, a)
	}
	t.Run("a certificate makes 443 HTTPS the default listen port", func(t *testing.T) {
		st, _ := buildGroup(t, stack, ingFacts(), ingDefaults(), g("a", map[string]string{annotations.IngCertificateARN: "arn:a"}))
		l := listener(t, st, 443)
		eq(t, "listener", fmt.Sprintln(len(st.Listeners), l.Protocol, l.Certificates, l.SSLPolicy), "1 HTTPS [arn:a] ELBSecurityPolicy-2016-08\n")
	})
	t.Run("params certificates also switch to 443 and beat the annotation", func(t *testing.T) {
		m := g("a", map[string]string{annotations.IngCertificateARN: "arn:ann"})
		m.Params = &v1beta1.IngressClassParamsSpec{CertificateArn: []string{"arn:icp"}, SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06"}
		st, _ := buildGroup(t, stack, ingFacts(), ingDefaults(), m)
		l := listener(t, st, 443)
		eq(t, "listener", fmt.Sprintln(l.Certificates, l.SSLPolicy), "[arn:icp] ELBSecurityPolicy-TLS13-1-2-2021-06\n")
	})
	t.Run("the first member's certificate is the default, the rest SNI, de-duplicated", func(t *testing.T) {
		st, _ := buildGroup(t, stack, ingFacts(), ingDefaults(),
			g("a", map[string]string{annotations.IngCertificateARN: "arn:a,arn:shared"}),
			g("b", map[string]string{annotations.IngCertificateARN: "arn:shared,arn:b"}))
		eq(t, "certificates", listener(t, st, 443).Certificates, []string{"arn:a", "arn:shared", "arn:b"})
	})
	t.Run("--default-ssl-policy", func(t *testing.T) {
		d := ingDefaults()
		d.DefaultSSLPolicy = "ELBSecurityPolicy-FS-1-2-2019-08"
		st, _ := buildGroup(t, stack, ingFacts(), d, g("a", map[string]string{annotations.IngCertificateARN: "arn:a"}))
		eq(t, "policy", listener(t, st, 443).SSLPolicy, "ELBSecurityPolicy-FS-1-2-2019-08")
	})
	t.Run("conflicting SSL policies on one port", func(t *testing.T) {
		_, errs := buildGroup(t, stack, ingFacts(), ingDefaults(),
			g("a", map[string]string{annotations.IngCertificateARN: "arn:a", annotations.IngSSLPolicy: "p1"}),
			g("b", map[string]string{annotations.IngCertificateARN: "arn:a", annotations.IngSSLPolicy: "p2"}))
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New("conflicting sslPolicy, ns/a: p1 | ns/b: p2")})
	})
	t.Run("an HTTPS listener without any certificate leaves its member out", func(t *testing.T) {
		st, errs := buildGroup(t, stack, ingFacts(), ingDefaults(),
			g("a", nil), g("b", map[string]string{annotations.IngListenPorts: `[{"HTTPS":443}]`}))
		if !strings.Contains(fmt.Sprint(errs["ns/b"]), "HTTPS listener on port 443 has no certificate") {
			t.Errorf("errors: %v", errs)
		}
		eq(t, "listeners", len(st.Listeners), 1)
	})
	t.Run("params sslRedirectPort redirects; an unparsable one is ignored", func(t *testing.T) {
		m := g("a", map[string]string{annotations.IngListenPorts: `[{"HTTP":80},{"HTTPS":443}]`, annotations.IngCertificateARN: "arn:a"})
		m.Params = &v1beta1.IngressClassParamsSpec{SSLRedirectPort: "443"}
		st, _ := buildGroup(t, stack, ingFacts(), ingDefaults(), m)
		eq(t, "redirect", actionString(listener(t, st, 80).DefaultAction), "redirect HTTPS:443 HTTP_301")
		m.Params = &v1beta1.IngressClassParamsSpec{SSLRedirectPort: "https"}
		st, _ = buildGroup(t, stack, ingFacts(), ingDefaults(), m)
		eq(t, "no redirect", actionString(listener(t, st, 80).DefaultAction), `fixed 404 text/plain ""`)
	})
}

// §6.2, §6.4: attributes, params scheme and IP address type.
func TestIngressLoadBalancerSettings(t *testing.T) {
	stack := naming.ExplicitIngressStack("g")
	g := func(name string, ann map[string]string) IngressMember {
		a := map[string]string{annotations.IngGroupName: "g"}
		for k, v := range ann {
			a[k] = v
		}
		return simple("ns", name, a)
	}
	t.Run("attributes are unioned", func(t *testing.T) {
		st, _ := buildGroup(t, stack, ingFacts(), ingDefaults(),
			g("a", map[string]string{annotations.IngLoadBalancerAttributes: "idle_timeout.timeout_seconds=60"}),
			g("b", map[string]string{annotations.IngLoadBalancerAttributes: "routing.http2.enabled=false"}))
		eq(t, "attributes", st.LoadBalancer.Attributes, map[string]string{"idle_timeout.timeout_seconds": "60", "routing.http2.enabled": "false"})
	})
	t.Run("conflicting attributes", func(t *testing.T) {
		_, errs := buildGroup(t, stack, ingFacts(), ingDefaults(),
			g("a", map[string]string{annotations.IngLoadBalancerAttributes: "idle_timeout.timeout_seconds=60"}),
			g("b", map[string]string{annotations.IngLoadBalancerAttributes: "idle_timeout.timeout_seconds=120"}))
		eq(t, "errors", errs, map[string]error{"ns/b": errors.New("conflicting load balancer attributes idle_timeout.timeout_seconds: 60 | 120")})
	})
	t.Run("the first member's params attributes win and settle annotation conflicts", func(t *testing.T) {
		a := g("a", map[string]string{annotations.IngLoadBalancerAttributes: "idle_timeout.timeout_seconds=60"})
		a.Params = &v1beta1.IngressClassParamsSpec{LoadBalancerAttributes: []v1beta1.Attribute{{Key: "idle_timeout.timeout_seconds", Value: "30"}}}
		st, errs := buildGroup(t, stack, ingFacts(), ingDefaults(), a,
			g("b", map[string]string{annotations.IngLoadBalancerAttributes: "idle_timeout.timeout_seconds=120"}))
		eq(t, "errors", len(errs), 0)
		eq(t, "attributes", st.LoadBalancer.Attributes, map[string]string{"idle_timeout.timeout_seconds": "30"})
	})
	t.Run("params scheme and IP address type beat the annotations", func(t *testing.T) {
		m := g("a", map[string]string{annotations.IngScheme: "internal", annotations.IngIPAddressType: "ipv4"})
		m.Params = &v1beta1.IngressClassParamsSpec{Scheme: "internet-facing", IPAddressType: "dualstack", Tags: []v1beta1.Tag{{Key: "team", Value: "icp"}}}
		st, _ := buildGroup(t, stack, ingFacts(), ingDefaults(), m)
		eq(t, "LB", fmt.Sprint(st.LoadBalancer.Scheme, " ", st.LoadBalancer.IPAddressType, " ", st.LoadBalancer.Tags["team"]), "internet-facing dualstack icp")
		eq(t, "rules", ruleStrings(st.ManagedSG.Ingress), []string{"tcp 80 ← 0.0.0.0/0", "tcp 80 ← ::/0"})
	})
	t.Run("--default-load-balancer-scheme", func(t *testing.T) {
		d := ingDefaults()
		d.DefaultScheme = "internet-facing"
		st, _ := buildGroup(t, stack, ingFacts(), d, g("a", nil))
		eq(t, "scheme", st.LoadBalancer.Scheme, "internet-facing")
	})
}

func TestIngressAmbiguousTargetSGWarnsOnce(t *testing.T) {
	f := ingFacts()
	f.Nodes[0].SecurityGroups = []SecurityGroupInfo{{ID: "sg-a"}, {ID: "sg-b"}}
	ing := ingress("ns-1", "ing-1", nil, ingRule("", path("/a", "", backend("svc-1", "http")), path("/b", "", backend("svc-2", "http"))))
	st, w, _, err := BuildIngressGroup(naming.ImplicitIngressStack("ns-1", "ing-1"), []IngressMember{ingMember(ing)}, f, ingDefaults())
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "warnings", len(w), 1)
	eq(t, "reason", w[0].Reason, WarnTargetSGAmbiguous)
	eq(t, "target rules", len(st.TargetRules), 0)
}

// Scenario 21.
func TestIngressDeletionProtected(t *testing.T) {
	ing := ingress("ns", "hello-ingress", map[string]string{annotations.IngLoadBalancerAttributes: "deletion_protection.enabled=true"})
	eq(t, "protected", IngressDeletionProtected(ing), "deletion_protection is enabled, cannot delete the ingress: hello-ingress")
	eq(t, "not protected", IngressDeletionProtected(ingress("ns", "x", nil)), "<nil>")
}

func TestIngressUnrestrictedTargetRulesOpenAllTCP(t *testing.T) {
	d := ingDefaults()
	d.DisableRestrictedSGRules = true
	st := buildOne(t, ingMember(ing1(nil)), ingFacts(), d)
	eq(t, "target rules", ingTargetRules(st), []string{"sg-node tcp 0-65535 ← backend"})
}

func TestIngressGroupCapacity(t *testing.T) {
	g := naming.ExplicitIngressStack("g")
	withCap := func(name, v string) IngressMember {
		ann := map[string]string{annotations.IngGroupName: "g"}
		if v != "" {
			ann[annotations.IngMinimumCapacity] = v
		}
		return simple("ns", name, ann)
	}
	icp := withCap("a", "CapacityUnits=100")
	icp.Params = &v1beta1.IngressClassParamsSpec{MinimumLoadBalancerCapacity: &v1beta1.MinimumLoadBalancerCapacity{CapacityUnits: 700}}
	for _, tt := range []struct {
		name    string
		members []IngressMember
		want    string // units, "none", or the error
	}{
		{"no member asks", []IngressMember{withCap("a", ""), withCap("b", "")}, "none"},
		{"members agree", []IngressMember{withCap("a", "CapacityUnits=500"), withCap("b", "CapacityUnits=500")}, "500"},
		{"one member asks", []IngressMember{withCap("a", ""), withCap("b", "CapacityUnits=500")}, "500"},
		{"IngressClassParams win", []IngressMember{icp, withCap("b", "CapacityUnits=500")}, "700"},
		{"members disagree", []IngressMember{withCap("a", "CapacityUnits=500"), withCap("b", "CapacityUnits=600")},
			"conflicting capacity reservation CapacityUnits: 500 | 600"},
		{"another key", []IngressMember{withCap("a", "Units=5")}, "invalid key to set the capacity: Units, Expected key: CapacityUnits"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, _, _, err := buildIngressGroup(g, tt.members, ingFacts(), ingDefaults())
			got := "none"
			switch {
			case err != nil:
				got = err.Error()
			case st.LoadBalancer.MinimumCapacity != nil:
				got = fmt.Sprint(*st.LoadBalancer.MinimumCapacity)
			}
			if !strings.Contains(got, tt.want) {
				t.Fatalf("capacity = %q, want %q", got, tt.want)
			}
		})
	}
}
