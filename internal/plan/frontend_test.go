package plan

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/model"
)

// withFrontend is albStack with a frontend NLB: TCP 443 → alb target
// group → the ALB on 443.
func withFrontend() model.Stack {
	s := albStack()
	tg := model.TargetGroup{ResourceID: "FrontendNlb-tg-TCP-443", Name: "k8s-grp-front", Port: 443, Protocol: "TCP",
		TargetType: model.TargetTypeALB, IPAddressType: "ipv4",
		HealthCheck: model.HealthCheck{Protocol: "HTTP", Port: "traffic-port", Path: "/", Interval: 15, Timeout: 5, Healthy: 2, Unhealthy: 2, Matcher: "200"},
		Targets:     []model.Target{{ID: model.ALBTarget, Port: 443}}, Tags: map[string]string{"ingress.k8s.aws/resource": "FrontendNlb-tg-TCP-443"}}
	s.Frontend = &model.FrontendNLB{
		LoadBalancer: model.LoadBalancer{Name: "k8s-grp-1-nlb", Type: model.TypeNetwork, Scheme: "internal", Subnets: []string{"subnet-1"},
			SecurityGroups: slices.Clone(s.LoadBalancer.SecurityGroups), Tags: map[string]string{"ingress.k8s.aws/resource": "FrontendNlb"}},
		Listeners:    []model.Listener{{Port: 443, Protocol: "TCP", TargetGroup: tg.ResourceID}},
		TargetGroups: []model.TargetGroup{tg},
	}
	return s
}

// frontendConverged is what AWS holds once withFrontend() is applied.
func frontendConverged() Snapshot {
	o := albConverged()
	lb := *o.LoadBalancer
	lb.Name = "k8s-grp-1"
	o.LoadBalancer = &lb
	d := withFrontend().Frontend
	tg := d.TargetGroups[0]
	o.Frontend = &FrontendSnapshot{
		LoadBalancer: &ObservedLB{ARN: "arn:nlb", Name: d.LoadBalancer.Name, Type: model.TypeNetwork, Scheme: "internal",
			Subnets: []string{"subnet-1"}, SecurityGroups: []string{"sg-m", "sg-b"}, Tags: maps.Clone(d.LoadBalancer.Tags)},
		Listeners: []ObservedListener{{ARN: "arn:nlb-l443", Port: 443, Protocol: "TCP", TargetGroupARN: "arn:tg/front"}},
		TargetGroups: []ObservedTG{{ARN: "arn:tg/front", Name: tg.Name, ResourceID: tg.ResourceID, Port: 443, Protocol: "TCP",
			TargetType: model.TargetTypeALB, HealthCheck: tg.HealthCheck, Targets: []model.Target{{ID: "arn:lb", Port: 443}},
			Tags: maps.Clone(tg.Tags)}},
	}
	return o
}

func TestDiffFrontendNLB(t *testing.T) {
	for _, tt := range []struct {
		name     string
		desired  func() model.Stack
		observed func() Snapshot
		want     []string // every action in order
	}{
		{"converged: nothing", withFrontend, frontendConverged, nil},
		{"added to an existing ALB: target group with the ALB registered, then the NLB and its listener",
			withFrontend, albConverged, []string{
				"[frontend NLB] CreateTargetGroup k8s-grp-front",
				"[frontend NLB] RegisterTargets FrontendNlb-tg-TCP-443 [{arn:lb 443}]",
				"[frontend NLB] CreateLoadBalancer k8s-grp-1-nlb",
				"[frontend NLB] CreateListener 443/TCP → FrontendNlb-tg-TCP-443",
			}},
		{"removed: listener, NLB, target group; the ALB stays", albStack, frontendConverged, []string{
			"[frontend NLB] DeleteListener arn:nlb-l443",
			"[frontend NLB] DeleteLoadBalancer arn:nlb",
			"[frontend NLB] DeleteTargetGroup arn:tg/front",
		}},
		{"teardown: the frontend NLB goes before the ALB's listeners, the ALB and its SG", func() model.Stack { return model.Stack{} },
			frontendConverged, []string{
				"[frontend NLB] DeleteListener arn:nlb-l443",
				"[frontend NLB] DeleteLoadBalancer arn:nlb",
				"[frontend NLB] DeleteTargetGroup arn:tg/front",
				"DeleteListener arn:l80", "DeleteListener arn:l443",
				"DeleteLoadBalancer arn:lb",
				"DeleteTargetGroup arn:tg/a", "DeleteTargetGroup arn:tg/b",
				"DeleteSecurityGroup sg-m",
			}},
		{"a new ALB (scheme): the old ALB leaves the target group first, the new one joins once it exists",
			func() model.Stack {
				s := withFrontend()
				s.LoadBalancer.Scheme = "internal"
				return s
			}, frontendConverged, nil},
		{"another mapping: the listener forwards to the new target group before the old one goes",
			func() model.Stack {
				s := withFrontend()
				tg := &s.Frontend.TargetGroups[0]
				tg.ResourceID, tg.Name, tg.Port = "FrontendNlb-tg-TCP-8443", "k8s-grp-front2", 8443
				s.Frontend.Listeners[0] = model.Listener{Port: 8443, Protocol: "TCP", TargetGroup: tg.ResourceID}
				return s
			}, frontendConverged, []string{
				"[frontend NLB] CreateTargetGroup k8s-grp-front2",
				"[frontend NLB] RegisterTargets FrontendNlb-tg-TCP-8443 [{arn:lb 443}]",
				"[frontend NLB] CreateListener 8443/TCP → FrontendNlb-tg-TCP-8443",
				"[frontend NLB] DeleteListener arn:nlb-l443",
				"[frontend NLB] DeleteTargetGroup arn:tg/front",
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, a := range Diff(tt.desired(), tt.observed()) {
				got = append(got, a.String())
			}
			if tt.want == nil && strings.HasPrefix(tt.name, "a new ALB") {
				checkALBReplacement(t, got)
				return
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("actions:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// checkALBReplacement: the old ALB is deregistered before it is deleted,
// and the new one registered after it is created.
func checkALBReplacement(t *testing.T, got []string) {
	t.Helper()
	at := func(s string) int { return slices.Index(got, s) }
	dereg, del := at("[frontend NLB] DeregisterTargets arn:tg/front [{arn:lb 443}]"), at("DeleteLoadBalancer arn:lb")
	create, reg := at("CreateLoadBalancer k8s-grp-1"), at("[frontend NLB] RegisterTargets arn:tg/front [{<alb> 443}]")
	if dereg < 0 || del < 0 || create < 0 || reg < 0 || dereg > del || create > reg {
		t.Errorf("ALB replacement order: %q", got)
	}
}

func TestIndexAgreesWithTheFrontendNLB(t *testing.T) {
	if !IndexAgrees(withFrontend(), frontendConverged()) {
		t.Error("a converged stack with its frontend NLB does not agree")
	}
	noFront := frontendConverged()
	noFront.Frontend = nil
	if IndexAgrees(withFrontend(), noFront) {
		t.Error("a missing frontend NLB agrees")
	}
	if !IndexAgrees(albStack(), noFront) {
		t.Error("the ALB alone does not agree")
	}
	if IndexAgrees(albStack(), frontendConverged()) {
		t.Error("a frontend NLB nobody wants agrees")
	}
	with, without := Fingerprint(withFrontend(), "sg-m", "sg-b", "c", nil), Fingerprint(albStack(), "sg-m", "sg-b", "c", nil)
	if with == without {
		t.Error("the frontend NLB is not part of the fingerprint")
	}
}
