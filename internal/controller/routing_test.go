package controller_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

// describedRule is one non-default rule as DescribeRules returns it.
type describedRule struct {
	ARN, Line string
}

// routingRules renders an ALB's non-default rules with every condition and
// action field the routing annotations set, target groups by name.
func (h *harness) routingRules(ctx context.Context, lbName string) ([]describedRule, error) {
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{lbName}})
	if err != nil {
		return nil, err
	}
	tgs, err := h.emu.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{})
	if err != nil {
		return nil, err
	}
	tgName := map[string]string{}
	for _, tg := range tgs.TargetGroups {
		tgName[aws.ToString(tg.TargetGroupArn)] = aws.ToString(tg.TargetGroupName)
	}
	ls, err := h.emu.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil {
		return nil, err
	}
	var out []describedRule
	for _, l := range ls.Listeners {
		rs, err := h.emu.ELBv2.DescribeRules(ctx, &elbv2.DescribeRulesInput{ListenerArn: l.ListenerArn})
		if err != nil {
			return nil, err
		}
		for _, r := range rs.Rules {
			if aws.ToBool(r.IsDefault) {
				continue
			}
			var cs []string
			for _, c := range r.Conditions {
				cs = append(cs, describeCondition(c))
			}
			var as []string
			for _, a := range r.Actions {
				as = append(as, describeAction(a, tgName))
			}
			for _, tr := range r.Transforms {
				var rws []elbv2types.RewriteConfig
				if tr.UrlRewriteConfig != nil {
					rws = tr.UrlRewriteConfig.Rewrites
				}
				if tr.HostHeaderRewriteConfig != nil {
					rws = tr.HostHeaderRewriteConfig.Rewrites
				}
				for _, rw := range rws {
					as = append(as, fmt.Sprintf("%s %s=>%s", tr.Type, aws.ToString(rw.Regex), aws.ToString(rw.Replace)))
				}
			}
			out = append(out, describedRule{ARN: aws.ToString(r.RuleArn),
				Line: fmt.Sprintf("%d:%s %s → %s", aws.ToInt32(l.Port), aws.ToString(r.Priority), strings.Join(cs, " "), strings.Join(as, ", "))})
		}
	}
	slices.SortFunc(out, func(a, b describedRule) int { return strings.Compare(a.Line, b.Line) })
	return out, nil
}

func describeCondition(c elbv2types.RuleCondition) string {
	f := aws.ToString(c.Field)
	switch {
	case c.HttpHeaderConfig != nil:
		return fmt.Sprintf("%s(%s)%v", f, aws.ToString(c.HttpHeaderConfig.HttpHeaderName), c.HttpHeaderConfig.Values)
	case c.QueryStringConfig != nil:
		var kv []string
		for _, p := range c.QueryStringConfig.Values {
			kv = append(kv, aws.ToString(p.Key)+"="+aws.ToString(p.Value))
		}
		return fmt.Sprintf("%s%v", f, kv)
	case c.SourceIpConfig != nil:
		return fmt.Sprintf("%s%v", f, c.SourceIpConfig.Values)
	case c.PathPatternConfig != nil:
		if len(c.PathPatternConfig.RegexValues) > 0 {
			return fmt.Sprintf("%s~%v", f, c.PathPatternConfig.RegexValues)
		}
		return fmt.Sprintf("%s%v", f, c.PathPatternConfig.Values)
	case c.HostHeaderConfig != nil:
		return fmt.Sprintf("%s%v", f, c.HostHeaderConfig.Values)
	}
	return f
}

func describeAction(a elbv2types.Action, tgName map[string]string) string {
	switch {
	case a.ForwardConfig != nil:
		var ts []string
		for _, t := range a.ForwardConfig.TargetGroups {
			n := tgName[aws.ToString(t.TargetGroupArn)]
			for _, svc := range []string{"blue", "green"} {
				if strings.Contains(n, svc) {
					n = svc
				}
			}
			ts = append(ts, fmt.Sprintf("%s*%d", n, aws.ToInt32(t.Weight)))
		}
		slices.Sort(ts)
		s := "forward " + strings.Join(ts, ",")
		if st := a.ForwardConfig.TargetGroupStickinessConfig; st != nil && aws.ToBool(st.Enabled) {
			s += fmt.Sprintf(" sticky %ds", aws.ToInt32(st.DurationSeconds))
		}
		return s
	case a.RedirectConfig != nil:
		r := a.RedirectConfig
		return fmt.Sprintf("redirect %s://%s:%s %s", aws.ToString(r.Protocol), aws.ToString(r.Host), aws.ToString(r.Port), r.StatusCode)
	case a.FixedResponseConfig != nil:
		return "fixed " + aws.ToString(a.FixedResponseConfig.StatusCode)
	}
	return string(a.Type)
}

// TestIngressRoutingAnnotationsEndToEnd: a weighted forward over two
// Services with a URL rewrite, a fixed response and a redirect under
// header, query-string and source-ip conditions reach AWS as LBC writes
// them; a changed condition is one ModifyRule on the same rule (keeping the
// transform); a resync then costs nothing.
func TestIngressRoutingAnnotationsEndToEnd(t *testing.T) {
	h := start(t, nil)
	for _, name := range []string{"blue", "green"} {
		h.create(h.nodePortService(name))
	}
	// A target group lbsg does not manage, which an action names.
	if _, err := h.emu.ELBv2.CreateTargetGroup(t.Context(), &elbv2.CreateTargetGroupInput{Name: aws.String("shared-legacy"),
		Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(8080), VpcId: aws.String(h.seed.VPCID)}); err != nil {
		t.Fatal(err)
	}
	const p = "alb.ingress.kubernetes.io/"
	exact, prefix := networkingv1.PathTypeExact, networkingv1.PathTypePrefix
	use := func(name string) networkingv1.IngressBackend {
		return networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: name,
			Port: networkingv1.ServiceBackendPort{Name: "use-annotation"}}}
	}
	ing := &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Namespace: h.kube.Namespace, Name: "routes", Annotations: map[string]string{
			"kubernetes.io/ingress.class": "alb",
			p + "actions.split": `{"type":"forward","forwardConfig":{"targetGroups":[
				{"serviceName":"blue","servicePort":80,"weight":90},{"serviceName":"green","servicePort":"80","weight":10}],
				"targetGroupStickinessConfig":{"enabled":true,"durationSeconds":60}}}`,
			p + "actions.teapot":    `{"type":"fixed-response","fixedResponseConfig":{"contentType":"text/plain","statusCode":"418"}}`,
			p + "actions.legacy":    `{"type":"forward","targetGroupName":"shared-legacy"}`,
			p + "actions.moved":     `{"type":"redirect","redirectConfig":{"host":"new.example.com","port":"443","protocol":"HTTPS","statusCode":"HTTP_301"}}`,
			p + "conditions.split":  `[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Env","values":["prod"]}},{"field":"query-string","queryStringConfig":{"values":[{"key":"v","value":"2"}]}}]`,
			p + "conditions.teapot": `[{"field":"source-ip","sourceIPConfig":{"values":["10.0.0.0/8"]}}]`,
			p + "transforms.split":  `[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/split/(.*)$","replace":"/$1"}]}}]`,
		}},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{
			HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{
				{Path: "/split", PathType: &prefix, Backend: use("split")},
				{Path: "/teapot", PathType: &exact, Backend: use("teapot")},
				{Path: "/old", PathType: &exact, Backend: use("moved")},
				{Path: "/legacy", PathType: &exact, Backend: use("legacy")},
			}}}}}},
	}
	h.create(ing)
	name := albName(naming.ImplicitIngressStack(ing.Namespace, ing.Name))
	want := func(header string) []string {
		return []string{
			"80:1 source-ip[10.0.0.0/8] path-pattern[/teapot] → fixed 418",
			"80:2 path-pattern[/old] → redirect HTTPS://new.example.com:443 HTTP_301",
			"80:3 path-pattern[/legacy] → forward shared-legacy*1",
			"80:4 http-header(X-Env)[" + header + "] query-string[v=2] path-pattern[/split /split/*] → forward blue*90,green*10 sticky 60s, url-rewrite ^/split/(.*)$=>/$1",
		}
	}
	var before []describedRule
	testenv.Eventually(t, "the three routing rules", func(ctx context.Context) (bool, error) {
		// Errors are expected until the ALB exists.
		rs, _ := h.routingRules(ctx, name)
		before = rs
		return slices.Equal(lines(rs), want("prod")), nil
	})

	h.quiesce()
	stats := h.emu.Server.Calls()
	h.updateIngress(ing, func(i *networkingv1.Ingress) {
		i.Annotations[p+"conditions.split"] = `[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Env","values":["staging"]}},{"field":"query-string","queryStringConfig":{"values":[{"key":"v","value":"2"}]}}]`
	})
	var after []describedRule
	testenv.Eventually(t, "the header condition changed", func(ctx context.Context) (bool, error) {
		rs, err := h.routingRules(ctx, name)
		after = rs
		return err == nil && slices.Equal(lines(rs), want("staging")), err
	})
	h.quiesce()
	now := h.emu.Server.Calls()
	for _, a := range []struct {
		action string
		want   int
	}{{"ModifyRule", 1}, {"CreateRule", 0}, {"DeleteRule", 0}, {"SetRulePriorities", 0}} {
		if n := now.Count(a.action) - stats.Count(a.action); n != a.want {
			t.Errorf("%s calls for one changed condition: %d, want %d", a.action, n, a.want)
		}
	}
	for i := range before {
		if before[i].ARN != after[i].ARN {
			t.Errorf("rule %q changed ARN: %s → %s", after[i].Line, before[i].ARN, after[i].ARN)
		}
	}

	base := h.quiesce()
	if _, err := h.ctrls.Ingress.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(ing)}); err != nil {
		t.Fatal(err)
	}
	if n := h.emu.Server.Calls().Total - base; n != 0 {
		t.Errorf("a resync of the unchanged Ingress made %d AWS calls: %v", n, h.emu.Server.Calls().Sorted())
	}
}

func lines(rs []describedRule) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Line)
	}
	return out
}
