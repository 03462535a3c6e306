package deploy_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/deploy"
	"github.com/lbsg/lbsg/internal/controller/registry"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

const (
	cluster = "alb-test"
	cert    = "arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"
)

type albEnv struct {
	emu      *emutest.Env
	seed     emutest.Seeded
	deployer *deploy.Deployer
	stack    naming.Stack
}

func startALB(t *testing.T) *albEnv {
	t.Helper()
	emu := emutest.Start(t)
	seed := emu.Seeded(t)
	prov := state.New(emu.EC2, emu.ELBv2, cluster, seed.VPCID)
	reg := registry.New()
	d := &deploy.Deployer{
		AWS: prov, Registry: reg, Backend: deploy.NewBackend(prov, reg, &deploy.Owners{}, "", nil),
		TargetSGs: &registry.Trigger[registry.SGKey]{},
		Defaults:  model.Defaults{ClusterName: cluster, EnableBackendSG: true},
	}
	return &albEnv{emu: emu, seed: seed, deployer: d, stack: naming.ExplicitIngressStack("shop")}
}

func (e *albEnv) tags(resource string) map[string]string {
	return naming.TrackingTags(cluster, e.stack, resource)
}

func (e *albEnv) tg(svc string) model.TargetGroup {
	id := naming.IngressTargetGroupResourceID("ns", "ing", svc, "80")
	var targets []model.Target
	for _, i := range e.seed.Instances {
		targets = append(targets, model.Target{ID: i, Port: 30080})
	}
	return model.TargetGroup{ResourceID: id, Name: "k8s-ns-" + svc + "-0123456789", Port: 30080, Protocol: "HTTP", ProtocolVersion: "HTTP1",
		TargetType: "instance", IPAddressType: "ipv4", Targets: targets, Tags: e.tags(id),
		HealthCheck: model.HealthCheck{Protocol: "HTTP", Port: "traffic-port", Path: "/", Interval: 15, Timeout: 5, Healthy: 2, Unhealthy: 2, Matcher: "200"}}
}

func (e *albEnv) rule(prio int32, path string, a model.Action) model.ListenerRule {
	return model.ListenerRule{Priority: prio, Conditions: []model.Condition{{Field: "path-pattern", Values: []string{path, path + "/*"}}},
		Actions: []model.Action{a}, Tags: e.tags(fmt.Sprintf("443:%d", prio))}
}

func forward(tg model.TargetGroup) model.Action {
	return model.Action{Type: model.ActionForward, TargetGroup: tg.ResourceID}
}

// desired is an Ingress group's ALB: HTTP 80 redirects to HTTPS 443,
// whose rules route /cart and /shop and answer /old with a 410.
func (e *albEnv) desired() model.Stack {
	cart, shop := e.tg("cart"), e.tg("shop")
	cart.Attributes = map[string]string{"deregistration_delay.timeout_seconds": "30"}
	return model.Stack{
		ID: e.stack,
		LoadBalancer: &model.LoadBalancer{Name: "k8s-shop-0123456789", Type: model.TypeApplication, Scheme: "internal", IPAddressType: "ipv4",
			Subnets: e.seed.PrivateSubnets, SecurityGroups: []model.SGRef{{Kind: model.RefManaged}, {Kind: model.RefBackend}},
			Tags: e.tags("LoadBalancer"), Attributes: map[string]string{"idle_timeout.timeout_seconds": "120"}},
		ManagedSG: &model.ManagedSG{Name: "k8s-shop-sg", Description: "[k8s] Managed SecurityGroup for LoadBalancer",
			Tags:    naming.ManagedSGTags(cluster, e.stack, nil),
			Ingress: rules.Set{rules.MustKey("tcp", 80, 80, "0.0.0.0/0"): "", rules.MustKey("tcp", 443, 443, "0.0.0.0/0"): ""}},
		TargetGroups: []model.TargetGroup{cart, shop},
		Listeners: []model.Listener{
			{Port: 80, Protocol: "HTTP", Tags: e.tags("80"), DefaultAction: &model.Action{Type: model.ActionRedirect,
				Redirect: &model.Redirect{Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301"}}},
			{Port: 443, Protocol: "HTTPS", Certificates: []string{cert}, SSLPolicy: model.DefaultSSLPolicy, Tags: e.tags("443"),
				DefaultAction: &model.Action{Type: model.ActionFixedResponse, FixedResponse: &model.FixedResponse{StatusCode: "404", ContentType: "text/plain"}},
				Rules: []model.ListenerRule{
					e.rule(1, "/cart", forward(cart)),
					e.rule(2, "/shop", forward(shop)),
					e.rule(3, "/old", model.Action{Type: model.ActionFixedResponse,
						FixedResponse: &model.FixedResponse{StatusCode: "410", ContentType: "text/plain", MessageBody: "gone"}}),
				}},
		},
	}
}

// apply deploys desired and returns the mutating calls it made, by action.
func (e *albEnv) apply(t *testing.T, desired model.Stack) map[string]int {
	t.Helper()
	e.emu.Server.ResetCalls()
	dns, err := e.deployer.Apply(t.Context(), e.stack, desired)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if dns == "" {
		t.Error("apply returned no DNS name")
	}
	return mutations(e)
}

func mutations(e *albEnv) map[string]int {
	calls := e.emu.Server.Calls()
	out := map[string]int{}
	for _, k := range calls.Sorted() {
		if n := calls.Count(k); n > 0 && !isRead(k) {
			out[k] = n
		}
	}
	return out
}

func isRead(key string) bool {
	_, action, _ := strings.Cut(key, ":")
	return strings.HasPrefix(action, "Describe") || strings.HasPrefix(action, "List") || strings.HasPrefix(action, "Get")
}

// rulesOf reads the listener's non-default rules as "priority path → action".
func (e *albEnv) rulesOf(t *testing.T, port int32) []string {
	t.Helper()
	ctx := t.Context()
	lbs, err := e.emu.ELBv2.DescribeLoadBalancers(ctx, &awselbv2.DescribeLoadBalancersInput{Names: []string{"k8s-shop-0123456789"}})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := e.emu.ELBv2.DescribeListeners(ctx, &awselbv2.DescribeListenersInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range ls.Listeners {
		if aws.ToInt32(l.Port) != port {
			continue
		}
		rs, err := e.emu.ELBv2.DescribeRules(ctx, &awselbv2.DescribeRulesInput{ListenerArn: l.ListenerArn})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs.Rules {
			if aws.ToBool(r.IsDefault) {
				continue
			}
			path := ""
			if c := r.Conditions; len(c) > 0 && c[0].PathPatternConfig != nil {
				path = c[0].PathPatternConfig.Values[0]
			}
			out = append(out, fmt.Sprintf("%s %s %s", aws.ToString(r.Priority), path, r.Actions[0].Type))
		}
	}
	slices.Sort(out)
	return out
}

func TestALBStackAppliesIdempotentlyAndTearsDown(t *testing.T) {
	e := startALB(t)
	ctx := t.Context()
	desired := e.desired()

	created := e.apply(t, desired)
	for _, k := range []string{"elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateListener", "elasticloadbalancing:CreateRule",
		"elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:ModifyLoadBalancerAttributes"} {
		if created[k] == 0 {
			t.Errorf("first apply made no %s: %v", k, created)
		}
	}
	lbs, err := e.emu.ELBv2.DescribeLoadBalancers(ctx, &awselbv2.DescribeLoadBalancersInput{Names: []string{desired.LoadBalancer.Name}})
	if err != nil {
		t.Fatal(err)
	}
	if typ := lbs.LoadBalancers[0].Type; typ != "application" {
		t.Errorf("load balancer type %s", typ)
	}
	if got, want := e.rulesOf(t, 443), []string{"1 /cart forward", "2 /shop forward", "3 /old fixed-response"}; !slices.Equal(got, want) {
		t.Errorf("rules %q, want %q", got, want)
	}

	if m := e.apply(t, desired); len(m) != 0 {
		t.Errorf("second apply of an unchanged stack made mutating calls: %v", m)
	}
	e.emu.Server.ResetCalls()
	if _, err := e.deployer.Apply(ctx, e.stack, desired); err != nil {
		t.Fatal(err)
	}
	if n := e.emu.Server.Calls().Total; n != 0 {
		t.Errorf("a converged stack's apply from cache made %d AWS calls: %v", n, e.emu.Server.Calls().Sorted())
	}

	for _, step := range []struct {
		name   string
		change func(s *model.Stack)
		want   map[string]int
		rules  []string
	}{
		{name: "a rule inserted in the middle: one move, one create, the moved rule retagged",
			change: func(s *model.Stack) {
				r := s.Listeners[1].Rules
				s.Listeners[1].Rules = []model.ListenerRule{r[0], e.rule(2, "/new", forward(s.TargetGroups[0])), e.rule(3, "/shop", r[1].Actions[0]), e.rule(4, "/old", r[2].Actions[0])}
			},
			want:  map[string]int{"elasticloadbalancing:SetRulePriorities": 1, "elasticloadbalancing:CreateRule": 1, "elasticloadbalancing:AddTags": 2},
			rules: []string{"1 /cart forward", "2 /new forward", "3 /shop forward", "4 /old fixed-response"}},
		{name: "the first rule removed: the rest move up in one call, then the old one goes",
			change: func(s *model.Stack) {
				r := s.Listeners[1].Rules
				s.Listeners[1].Rules = []model.ListenerRule{e.rule(1, "/shop", r[1].Actions[0]), e.rule(2, "/old", r[2].Actions[0])}
			},
			want:  map[string]int{"elasticloadbalancing:SetRulePriorities": 1, "elasticloadbalancing:DeleteRule": 1, "elasticloadbalancing:AddTags": 2},
			rules: []string{"1 /shop forward", "2 /old fixed-response"}},
		{name: "a TG attribute change writes that attribute only",
			change: func(s *model.Stack) { s.TargetGroups[0].Attributes["deregistration_delay.timeout_seconds"] = "10" },
			want:   map[string]int{"elasticloadbalancing:ModifyTargetGroupAttributes": 1},
			rules:  []string{"1 /cart forward", "2 /shop forward", "3 /old fixed-response"}},
		{name: "an LB attribute change writes that attribute only",
			change: func(s *model.Stack) { s.LoadBalancer.Attributes["idle_timeout.timeout_seconds"] = "30" },
			want:   map[string]int{"elasticloadbalancing:ModifyLoadBalancerAttributes": 1},
			rules:  []string{"1 /cart forward", "2 /shop forward", "3 /old fixed-response"}},
		{name: "a protocol-version change replaces the TG and repoints its rule",
			change: func(s *model.Stack) {
				s.TargetGroups[1].ProtocolVersion, s.TargetGroups[1].Name = "HTTP2", "k8s-ns-shop-9876543210"
			},
			want: map[string]int{"elasticloadbalancing:CreateTargetGroup": 1, "elasticloadbalancing:RegisterTargets": 1,
				"elasticloadbalancing:ModifyRule": 1, "elasticloadbalancing:DeleteTargetGroup": 1},
			rules: []string{"1 /cart forward", "2 /shop forward", "3 /old fixed-response"}},
		{name: "an added security group is set on the ALB",
			change: func(s *model.Stack) {
				s.LoadBalancer.SecurityGroups = append(s.LoadBalancer.SecurityGroups, model.SGRef{Kind: model.RefID, ID: e.seed.NodeSG})
			},
			want:  map[string]int{"elasticloadbalancing:SetSecurityGroups": 1},
			rules: []string{"1 /cart forward", "2 /shop forward", "3 /old fixed-response"}},
		{name: "a new default action modifies the listener only",
			change: func(s *model.Stack) { s.Listeners[1].DefaultAction = new(forward(s.TargetGroups[1])) },
			want:   map[string]int{"elasticloadbalancing:ModifyListener": 1},
			rules:  []string{"1 /cart forward", "2 /shop forward", "3 /old fixed-response"}},
	} {
		t.Run(step.name, func(t *testing.T) {
			s := e.desired()
			step.change(&s)
			if got := e.apply(t, s); !maps.Equal(got, step.want) {
				t.Errorf("mutating calls %v, want %v", got, step.want)
			}
			if got := e.rulesOf(t, 443); !slices.Equal(got, step.rules) {
				t.Errorf("rules %q, want %q", got, step.rules)
			}
			if m := e.apply(t, s); len(m) != 0 {
				t.Errorf("re-applying made mutating calls: %v", m)
			}
			e.apply(t, e.desired()) // back to the start for the next step
		})
	}

	done, err := e.deployer.Teardown(ctx, e.stack)
	if err != nil || !done {
		t.Fatalf("teardown: done %v, err %v", done, err)
	}
	e.assertNothingLeft(ctx, t)
}

func (e *albEnv) assertNothingLeft(ctx context.Context, t *testing.T) {
	t.Helper()
	lbs, err := e.emu.ELBv2.DescribeLoadBalancers(ctx, &awselbv2.DescribeLoadBalancersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lbs.LoadBalancers) != 0 {
		t.Errorf("%d load balancers left", len(lbs.LoadBalancers))
	}
	tgs, err := e.emu.ELBv2.DescribeTargetGroups(ctx, &awselbv2.DescribeTargetGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tgs.TargetGroups) != 0 {
		t.Errorf("%d target groups left", len(tgs.TargetGroups))
	}
	sgs, err := e.emu.EC2.DescribeSecurityGroups(ctx, &awsec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:" + naming.TagIngressStack), Values: []string{e.stack.ID()}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sgs.SecurityGroups) != 0 {
		t.Errorf("managed SG left: %s", aws.ToString(sgs.SecurityGroups[0].GroupId))
	}
}

func TestTeardownTurnsDeletionProtectionOffAndRetries(t *testing.T) {
	e := startALB(t)
	desired := e.desired()
	desired.LoadBalancer.Attributes["deletion_protection.enabled"] = "true"
	e.apply(t, desired)
	e.emu.Server.ResetCalls()
	done, err := e.deployer.Teardown(t.Context(), e.stack)
	if err != nil || !done {
		t.Fatalf("teardown: done %v, err %v", done, err)
	}
	calls := e.emu.Server.Calls()
	if n := calls.Count("DeleteLoadBalancer"); n != 2 {
		t.Errorf("DeleteLoadBalancer called %d times, want a refused one and a retry", n)
	}
	if n := calls.Count("ModifyLoadBalancerAttributes"); n != 1 {
		t.Errorf("ModifyLoadBalancerAttributes called %d times, want 1", n)
	}
	e.assertNothingLeft(t.Context(), t)
}

// certificateList reads the HTTPS listener's default certificate and its
// certificate list (sorted).
func (e *albEnv) certificateList(t *testing.T) (string, []string) {
	t.Helper()
	ctx := t.Context()
	lbs, err := e.emu.ELBv2.DescribeLoadBalancers(ctx, &awselbv2.DescribeLoadBalancersInput{Names: []string{"k8s-shop-0123456789"}})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := e.emu.ELBv2.DescribeListeners(ctx, &awselbv2.DescribeListenersInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls.Listeners {
		if aws.ToInt32(l.Port) != 443 {
			continue
		}
		certs, err := e.emu.ELBv2.DescribeListenerCertificates(ctx, &awselbv2.DescribeListenerCertificatesInput{ListenerArn: l.ListenerArn})
		if err != nil {
			t.Fatal(err)
		}
		var list []string
		for _, c := range certs.Certificates {
			if !aws.ToBool(c.IsDefault) {
				list = append(list, aws.ToString(c.CertificateArn))
			}
		}
		slices.Sort(list)
		return aws.ToString(l.Certificates[0].CertificateArn), list
	}
	t.Fatal("no HTTPS listener")
	return "", nil
}

func TestEveryCertificateOfAnALBListenerReachesAWSAndOnlyChangesAreWritten(t *testing.T) {
	e := startALB(t)
	a := emutest.ImportCertificate(t, e.emu.ACM, "a.shop.example")
	b := emutest.ImportCertificate(t, e.emu.ACM, "b.shop.example")
	desired := e.desired()
	desired.Listeners[1].Certificates = []string{cert, a}
	e.apply(t, desired)
	if def, list := e.certificateList(t); def != cert || !slices.Equal(list, slices.Sorted(slices.Values([]string{cert, a}))) {
		t.Errorf("default %s, list %v; want %s and both certificates", def, list, cert)
	}

	desired.Listeners[1].Certificates = []string{cert, b}
	if m := e.apply(t, desired); len(m) != 2 || m["elasticloadbalancing:AddListenerCertificates"] != 1 || m["elasticloadbalancing:RemoveListenerCertificates"] != 1 {
		t.Errorf("swapping one extra certificate made %v, want one Add and one Remove", m)
	}
	if def, list := e.certificateList(t); def != cert || !slices.Equal(list, slices.Sorted(slices.Values([]string{cert, b}))) {
		t.Errorf("default %s, list %v", def, list)
	}
	if m := e.apply(t, desired); len(m) != 0 {
		t.Errorf("an unchanged stack made %v", m)
	}
}
