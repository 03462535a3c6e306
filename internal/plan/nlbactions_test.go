package plan

import (
	"slices"
	"testing"

	"github.com/lbsg/lbsg/internal/model"
)

const canaryTG = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/canary/0123456789abcdef"

func weight(v int32) *int32 { return &v }

// weightedForward is the forward of an actions annotation: ns/web:80 at
// own, the canary target group at canary.
func weightedForward(own, canary int32) *model.Action {
	return &model.Action{Type: model.ActionForward, Forward: &model.Forward{TargetGroups: []model.WeightedTarget{
		{TargetGroup: "ns/web:80", Weight: weight(own)}, {ARN: canaryTG, Weight: weight(canary)}}}}
}

// observedWeighted is how AWS reports a weighted NLB forward (stickiness
// reported off).
func observedWeighted(own, canary int32) []model.Action {
	off := false
	return []model.Action{{Type: model.ActionForward, Forward: &model.Forward{
		TargetGroups: []model.WeightedTarget{{ARN: "arn:tg", Weight: weight(own)}, {ARN: canaryTG, Weight: weight(canary)}},
		Stickiness:   &model.Stickiness{Enabled: &off}}}}
}

func TestDiffNLBListenerActions(t *testing.T) {
	on := true
	plain := []model.Action{{Type: model.ActionForward, TargetGroup: "arn:tg"}}
	for _, tt := range []struct {
		name     string
		desired  *model.Action
		observed []model.Action
		want     []string
	}{
		{name: "converged weighted forward needs nothing", desired: weightedForward(80, 20), observed: observedWeighted(80, 20)},
		{name: "a weight change modifies the listener in place", desired: weightedForward(50, 50), observed: observedWeighted(80, 20),
			want: []string{"ModifyListener arn:l80"}},
		{name: "an added annotation modifies the plain listener", desired: weightedForward(80, 20), observed: plain,
			want: []string{"ModifyListener arn:l80"}},
		{name: "a removed annotation brings the plain forward back", observed: observedWeighted(80, 20),
			want: []string{"ModifyListener arn:l80"}},
		{name: "enabling stickiness modifies the listener",
			desired: func() *model.Action {
				a := weightedForward(80, 20)
				a.Forward.Stickiness = &model.Stickiness{Enabled: &on}
				return a
			}(), observed: observedWeighted(80, 20), want: []string{"ModifyListener arn:l80"}},
		{name: "a lone own target group's weight is not compared",
			desired: &model.Action{Type: model.ActionForward, Forward: &model.Forward{TargetGroups: []model.WeightedTarget{
				{TargetGroup: "ns/web:80", Weight: weight(7)}}}}, observed: plain},
		{name: "plain forward to a plain listener needs nothing", observed: plain},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, o := stack(), converged()
			d.Listeners[0].DefaultAction = tt.desired
			o.Listeners[0].DefaultActions = tt.observed
			got := actionLines(Diff(d, o))
			if !slices.Equal(got, tt.want) {
				t.Errorf("actions:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestANewNLBListenerIsCreatedWithItsWeightedForward(t *testing.T) {
	d, o := stack(), converged()
	d.Listeners[0].DefaultAction = weightedForward(80, 20)
	o.Listeners = nil
	as := Diff(d, o)
	if len(as) != 1 || as[0].Kind != CreateListener || as[0].Listener.DefaultAction == nil {
		t.Fatalf("actions %v, want one CreateListener with the weighted forward", as)
	}
}
