package planview

import (
	"testing"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/plan"
)

func TestFrontendNLBChangesSayWhichLoadBalancer(t *testing.T) {
	tg := &model.TargetGroup{ResourceID: "FrontendNlb-tg-TCP-80", Name: "k8s-ns-web-0123456789", Port: 80, Protocol: "TCP", TargetType: "alb"}
	got := Changes([]plan.Action{
		{Kind: plan.RegisterTargets, TargetGroup: tg, Targets: []model.Target{{ID: model.ALBTarget, Port: 80}}, Frontend: true},
		{Kind: plan.CreateListener, Listener: &model.Listener{Port: 80, Protocol: "TCP", TargetGroup: tg.ResourceID}, Frontend: true},
	}, plan.Managed, "")
	want := []Change{
		{Op: OpCreate, Action: "RegisterTargets", Resource: "frontend NLB targets of k8s-ns-web-0123456789", Detail: "the ALB:80"},
		{Op: OpCreate, Action: "CreateListener", Resource: "frontend NLB listener 80/TCP", Detail: "forward to FrontendNlb-tg-TCP-80"},
	}
	if len(got) != len(want) {
		t.Fatalf("changes %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
