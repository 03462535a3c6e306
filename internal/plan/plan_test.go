package plan

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

func stack() model.Stack {
	tg := model.TargetGroup{ResourceID: "ns/web:80", Name: "k8s-ns-web-1", ServicePort: 80, Port: 30080, Protocol: "TCP", TargetType: "instance",
		HealthCheck: model.HealthCheck{Protocol: "TCP", Port: "traffic-port", Interval: 10, Timeout: 10, Healthy: 3, Unhealthy: 3},
		Targets:     []model.Target{{ID: "i-1", Port: 30080}}}
	return model.Stack{
		ID:           naming.ServiceStack("ns", "web"),
		LoadBalancer: &model.LoadBalancer{Name: "k8s-ns-web-lb", Scheme: "internal", SecurityGroups: []model.SGRef{{Kind: model.RefManaged}, {Kind: model.RefBackend}}},
		ManagedSG:    &model.ManagedSG{Name: "k8s-ns-web-sg", Tags: map[string]string{"k": "v"}, Ingress: rules.Set{rules.MustKey("tcp", 80, 80, "0.0.0.0/0"): ""}},
		TargetGroups: []model.TargetGroup{tg},
		Listeners:    []model.Listener{{Port: 80, Protocol: "TCP", TargetGroup: "ns/web:80"}},
	}
}

// converged is what AWS holds once stack() is applied.
func converged() Snapshot {
	s := stack()
	return Snapshot{
		BackendSG:    "sg-b",
		LoadBalancer: &ObservedLB{ARN: "arn:lb", Scheme: "internal", SecurityGroups: []string{"sg-m", "sg-b"}},
		ManagedSGs:   []ObservedSG{{ID: "sg-m", Ingress: s.ManagedSG.Ingress.Clone(), Tags: map[string]string{"k": "v"}}},
		Cluster:      "c",
		TargetGroups: []ObservedTG{{ARN: "arn:tg", ResourceID: "ns/web:80", Port: 30080, Protocol: "TCP", TargetType: "instance",
			HealthCheck: s.TargetGroups[0].HealthCheck, Targets: s.TargetGroups[0].Targets}},
		Listeners: []ObservedListener{{ARN: "arn:l80", Port: 80, Protocol: "TCP", TargetGroupARN: "arn:tg"}},
	}
}

func kinds(as []Action) string {
	var out []string
	for _, a := range as {
		out = append(out, a.Kind.String())
	}
	return strings.Join(out, " ")
}

func TestDiff(t *testing.T) {
	for _, tt := range []struct {
		name     string
		desired  func() model.Stack
		observed func() Snapshot
		want     string
	}{
		{name: "a new Service creates the SG with its rules before the TG, the LB and the listener",
			desired: stack, observed: func() Snapshot { return Snapshot{} },
			want: "CreateSecurityGroup AuthorizeIngress CreateTargetGroup RegisterTargets CreateLoadBalancer CreateListener"},
		{name: "a converged stack needs nothing", desired: stack, observed: converged, want: ""},
		{name: "deleting tears down listeners, the LB, TGs, then the SG",
			desired:  func() model.Stack { return model.Stack{ID: naming.ServiceStack("ns", "web")} },
			observed: converged,
			want:     "DeleteListener DeleteLoadBalancer DeleteTargetGroup DeleteSecurityGroup"},
		{name: "a source-range change authorizes the new range before revoking the old",
			desired: func() model.Stack {
				s := stack()
				s.ManagedSG.Ingress = rules.Set{rules.MustKey("tcp", 80, 80, "10.0.0.0/8"): ""}
				return s
			}, observed: converged, want: "AuthorizeIngress RevokeIngress"},
		{name: "a port change adds the new TG and listener and removes the old ones",
			desired: func() model.Stack {
				s := stack()
				s.TargetGroups[0].ResourceID, s.TargetGroups[0].ServicePort = "ns/web:81", 81
				s.Listeners[0] = model.Listener{Port: 81, Protocol: "TCP", TargetGroup: "ns/web:81"}
				return s
			}, observed: converged,
			want: "CreateTargetGroup RegisterTargets CreateListener DeleteListener DeleteTargetGroup"},
		{name: "a target-type switch replaces the TG and repoints the listener",
			desired: func() model.Stack {
				s := stack()
				s.TargetGroups[0].TargetType, s.TargetGroups[0].Targets = "ip", []model.Target{{ID: "10.0.0.5", Port: 8080}}
				return s
			}, observed: converged,
			want: "CreateTargetGroup RegisterTargets ModifyListener DeleteTargetGroup"},
		{name: "switching to manual SGs repoints the LB, then deletes the managed SG",
			desired: func() model.Stack {
				s := stack()
				s.ManagedSG = nil
				s.LoadBalancer.SecurityGroups = []model.SGRef{{Kind: model.RefID, ID: "sg-manual"}}
				return s
			}, observed: converged, want: "SetSecurityGroups DeleteSecurityGroup"},
		{name: "a scheme change replaces the LB and recreates its listeners",
			desired: func() model.Stack {
				s := stack()
				s.LoadBalancer.Scheme = "internet-facing"
				return s
			}, observed: converged, want: "DeleteLoadBalancer CreateLoadBalancer CreateListener"},
		{name: "a user tag on the managed SG is removed, aws: and cluster tags kept",
			desired: stack, observed: func() Snapshot {
				o := converged()
				o.ManagedSGs[0].Tags = map[string]string{"k": "old", "mine": "x", "aws:cloudformation:stack-name": "s", "kubernetes.io/cluster/c": "owned"}
				return o
			}, want: "TagSecurityGroup"},
		{name: "a hand-added tag on the LB is removed",
			desired: func() model.Stack {
				s := stack()
				s.LoadBalancer.Tags = map[string]string{"k": "v"}
				return s
			}, observed: func() Snapshot {
				o := converged()
				o.LoadBalancer.Tags = map[string]string{"k": "v", "hand": "x", "aws:x": "y"}
				return o
			}, want: "TagResource"},
		{name: "a new node is registered, a gone one deregistered",
			desired: func() model.Stack {
				s := stack()
				s.TargetGroups[0].Targets = []model.Target{{ID: "i-2", Port: 30080}}
				return s
			}, observed: converged, want: "RegisterTargets DeregisterTargets"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(tt.desired(), tt.observed())
			if k := kinds(got); k != tt.want {
				t.Errorf("actions:\n got %s\nwant %s\n%v", k, tt.want, got)
			}
			if !slices.IsSortedFunc(got, func(a, b Action) int { return int(a.Kind) - int(b.Kind) }) {
				t.Error("actions not in dependency order")
			}
		})
	}
}

func TestManagedSGTagsDrivenAsLBC(t *testing.T) {
	o := converged()
	o.ManagedSGs[0].Tags = map[string]string{"k": "old", "mine": "x", "aws:cloudformation:stack-name": "s", "kubernetes.io/cluster/c": "owned", "ext": "1"}
	o.ExternalManagedTags = []string{"ext"}
	acts := Diff(stack(), o)
	if len(acts) != 1 {
		t.Fatalf("actions %v", acts)
	}
	if a := acts[0]; a.SetTags["k"] != "v" || len(a.SetTags) != 1 || !slices.Equal(a.RemoveTags, []string{"mine"}) {
		t.Errorf("set %v remove %v", a.SetTags, a.RemoveTags)
	}
}

func TestMultiClusterTargetGroupDeregistersOnlyTrackedTargets(t *testing.T) {
	others := model.Target{ID: "i-other", Port: 30080}
	mine := model.Target{ID: "i-1", Port: 30080}
	for _, tc := range []struct {
		name    string
		multi   bool
		tracked []model.Target
		want    []model.Target // deregistered
	}{
		{"a target lbsg did not register stays", true, []model.Target{mine}, nil},
		{"without a record nothing is deregistered", true, nil, nil},
		{"a tracked target that is no longer wanted goes", true, []model.Target{mine, {ID: "i-old", Port: 30080}}, []model.Target{{ID: "i-old", Port: 30080}}},
		{"a group that is not shared loses every unwanted target", false, nil, []model.Target{{ID: "i-old", Port: 30080}, others}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := stack()
			d.TargetGroups[0].MultiCluster, d.TargetGroups[0].Tracked = tc.multi, tc.tracked
			o := converged()
			o.TargetGroups[0].Targets = []model.Target{mine, {ID: "i-old", Port: 30080}, others}
			var got []model.Target
			for _, a := range Diff(d, o) {
				if a.Kind == RegisterTargets {
					t.Errorf("unexpected %v", a)
				}
				if a.Kind == DeregisterTargets {
					got = append(got, a.Targets...)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("deregistered %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAQUICServerIDChangeDeregistersTheTargetBeforeRegisteringIt(t *testing.T) {
	const oldID, newID = "0x0000000000000001", "0x0000000000000002"
	s := stack()
	s.TargetGroups[0].Protocol = "QUIC"
	s.TargetGroups[0].Targets = []model.Target{{ID: "10.0.0.5", Port: 3000, QUICServerID: newID}, {ID: "10.0.0.6", Port: 3000, QUICServerID: "0x0000000000000003"}}
	o := converged()
	o.TargetGroups[0].Protocol = "QUIC"
	o.TargetGroups[0].Targets = []model.Target{{ID: "10.0.0.5", Port: 3000, QUICServerID: oldID}, {ID: "10.0.0.7", Port: 3000, QUICServerID: "0x0000000000000004"}}
	var reg, dereg *Action
	for _, a := range Diff(s, o) {
		if a.Kind == RegisterTargets {
			reg = &a
		}
		if a.Kind == DeregisterTargets {
			dereg = &a
		}
	}
	if reg == nil || dereg == nil {
		t.Fatalf("want RegisterTargets and DeregisterTargets, got %v %v", reg, dereg)
	}
	if fmt.Sprint(reg.Targets) != fmt.Sprint(s.TargetGroups[0].Targets) {
		t.Errorf("registered %v, want both desired targets", reg.Targets)
	}
	if fmt.Sprint(reg.Replaced) != fmt.Sprint([]model.Target{{ID: "10.0.0.5", Port: 3000, QUICServerID: oldID}}) {
		t.Errorf("replaced %v, want the target with the old ID (deregistered before registering)", reg.Replaced)
	}
	if fmt.Sprint(dereg.Targets) != fmt.Sprint([]model.Target{{ID: "10.0.0.7", Port: 3000, QUICServerID: "0x0000000000000004"}}) {
		t.Errorf("deregistered %v, want only the gone target", dereg.Targets)
	}
}

func TestAQUICListenerMovingPortsDeletesTheOldOneFirst(t *testing.T) {
	for _, tt := range []struct {
		name, old, new string
		want           string
	}{
		{"QUIC to QUIC on another port", "QUIC", "QUIC", "DeleteListener CreateListener"},
		{"UDP to QUIC on another port", "UDP", "QUIC", "DeleteListener CreateListener"},
		{"QUIC to TCP_UDP on another port", "QUIC", "TCP_UDP", "DeleteListener CreateListener"},
		{"TCP to TCP keeps creating first", "TCP", "TCP", "CreateListener DeleteListener"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := stack()
			s.Listeners[0].Port, s.Listeners[0].Protocol = 81, tt.new
			o := converged()
			o.Listeners[0].Protocol = tt.old
			s.TargetGroups[0].Protocol, o.TargetGroups[0].Protocol = tt.new, tt.new
			var got []string
			for _, a := range Diff(s, o) {
				if strings.Contains(a.Kind.String(), "Listener") {
					got = append(got, a.Kind.String())
				}
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("listener actions %v, want %s", got, tt.want)
			}
		})
	}
}
