package plan

import (
	"testing"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/rules"
)

func TestFingerprintChangesWithWhatDiffCompares(t *testing.T) {
	base := Fingerprint(stack(), "sg-m", "sg-b", "c", nil)
	if base == "" {
		t.Fatal("no fingerprint for a stack with a load balancer")
	}
	for _, tc := range []struct {
		name   string
		change func(s *model.Stack) (managed, backend, cluster string)
		same   bool
	}{
		{"the same model", func(*model.Stack) (string, string, string) { return "sg-m", "sg-b", "c" }, true},
		{"the managed SG's own rules (diffed from the SG cache)", func(s *model.Stack) (string, string, string) {
			s.ManagedSG.Ingress = rules.Set{rules.MustKey("tcp", 443, 443, "0.0.0.0/0"): ""}
			return "sg-m", "sg-b", "c"
		}, true},
		{"a target more", func(s *model.Stack) (string, string, string) {
			s.TargetGroups[0].Targets = append(s.TargetGroups[0].Targets, model.Target{ID: "i-2", Port: 30080})
			return "sg-m", "sg-b", "c"
		}, false},
		{"another managed SG ID", func(*model.Stack) (string, string, string) { return "sg-other", "sg-b", "c" }, false},
		{"another backend SG ID", func(*model.Stack) (string, string, string) { return "sg-m", "sg-other", "c" }, false},
		{"another cluster", func(*model.Stack) (string, string, string) { return "sg-m", "sg-b", "d" }, false},
		{"a listener port", func(s *model.Stack) (string, string, string) {
			s.Listeners[0].Port = 81
			return "sg-m", "sg-b", "c"
		}, false},
		{"a health check", func(s *model.Stack) (string, string, string) {
			s.TargetGroups[0].HealthCheck.Interval = 30
			return "sg-m", "sg-b", "c"
		}, false},
		{"a load balancer tag", func(s *model.Stack) (string, string, string) {
			s.LoadBalancer.Tags = map[string]string{"team": "a"}
			return "sg-m", "sg-b", "c"
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := stack()
			m, b, c := tc.change(&s)
			if got := Fingerprint(s, m, b, c, nil); (got == base) != tc.same {
				t.Errorf("fingerprint equal to the base: %v, want %v", got == base, tc.same)
			}
		})
	}
	two := stack()
	two.TargetGroups[0].Targets = []model.Target{{ID: "i-1", Port: 30080}, {ID: "i-2", Port: 30080}}
	swapped := stack()
	swapped.TargetGroups[0].Targets = []model.Target{{ID: "i-2", Port: 30080}, {ID: "i-1", Port: 30080}}
	if Fingerprint(two, "sg-m", "sg-b", "c", nil) != Fingerprint(swapped, "sg-m", "sg-b", "c", nil) {
		t.Error("the order of targets changed the fingerprint")
	}
	if Fingerprint(model.Stack{ID: stack().ID}, "", "", "c", nil) != "" {
		t.Error("an empty stack has a fingerprint")
	}
}

func TestIndexAgreesOnlyWithWhatTheListingsShow(t *testing.T) {
	listed := func() Snapshot {
		s := converged()
		s.LoadBalancer.Name = "k8s-ns-web-lb"
		s.Listeners = nil
		s.TargetGroups[0].Targets = nil // not listed
		return s
	}
	for _, tc := range []struct {
		name   string
		change func(*Snapshot)
		agrees bool
	}{
		{"as desired (targets and listeners are not listed)", func(*Snapshot) {}, true},
		{"no load balancer", func(s *Snapshot) { s.LoadBalancer = nil }, false},
		{"another load balancer name", func(s *Snapshot) { s.LoadBalancer.Name = "x" }, false},
		{"SGs changed", func(s *Snapshot) { s.LoadBalancer.SecurityGroups = []string{"sg-b"} }, false},
		{"another scheme", func(s *Snapshot) { s.LoadBalancer.Scheme = "internet-facing" }, false},
		{"a target group missing", func(s *Snapshot) { s.TargetGroups = nil }, false},
		{"a target group more", func(s *Snapshot) {
			s.TargetGroups = append(s.TargetGroups, ObservedTG{ARN: "arn:tg2", ResourceID: "ns/web:81", Protocol: "TCP"})
		}, false},
		{"a health check changed", func(s *Snapshot) { s.TargetGroups[0].HealthCheck.Interval = 30 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := listed()
			tc.change(&s)
			if got := IndexAgrees(stack(), s); got != tc.agrees {
				t.Errorf("IndexAgrees = %v, want %v", got, tc.agrees)
			}
		})
	}
}
