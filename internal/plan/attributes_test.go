package plan

import (
	"testing"

	"github.com/lbsg/lbsg/internal/model"
)

// withAttrs is stack() with NLB, TG and listener attributes.
func withAttrs() model.Stack {
	s := stack()
	s.LoadBalancer.Attributes = map[string]string{"deletion_protection.enabled": "true", "load_balancing.cross_zone.enabled": "true"}
	s.TargetGroups[0].Attributes = map[string]string{"proxy_protocol_v2.enabled": "true", "deregistration_delay.timeout_seconds": "30"}
	s.Listeners[0].Attributes = map[string]string{"tcp.idle_timeout.seconds": "600"}
	return s
}

// observedAttrs is converged() with the attributes of withAttrs() read.
func observedAttrs() Snapshot {
	o := converged()
	o.LoadBalancer.Attributes = map[string]string{"deletion_protection.enabled": "true", "load_balancing.cross_zone.enabled": "true", "access_logs.s3.enabled": "false"}
	o.TargetGroups[0].Attributes = map[string]string{"proxy_protocol_v2.enabled": "true", "deregistration_delay.timeout_seconds": "30", "stickiness.enabled": "false"}
	o.Listeners[0].Attributes = map[string]string{"tcp.idle_timeout.seconds": "600"}
	return o
}

func TestDiffNLBAttributes(t *testing.T) {
	for _, tt := range []struct {
		name     string
		observed func() Snapshot
		desired  func() model.Stack
		want     map[Kind]map[string]string
	}{
		{name: "equal attributes need nothing; keys only observed are left alone",
			observed: observedAttrs, desired: withAttrs, want: map[Kind]map[string]string{}},
		{name: "only the differing key of each resource is written",
			observed: func() Snapshot {
				o := observedAttrs()
				o.LoadBalancer.Attributes["load_balancing.cross_zone.enabled"] = "false"
				o.TargetGroups[0].Attributes["proxy_protocol_v2.enabled"] = "false"
				o.Listeners[0].Attributes["tcp.idle_timeout.seconds"] = "350"
				return o
			}, desired: withAttrs,
			want: map[Kind]map[string]string{
				ModifyLoadBalancerAttributes: {"load_balancing.cross_zone.enabled": "true"},
				ModifyTargetGroupAttributes:  {"proxy_protocol_v2.enabled": "true"},
				ModifyListenerAttributes:     {"tcp.idle_timeout.seconds": "600"},
			}},
		{name: "attributes not read are never diffed",
			observed: converged, desired: withAttrs, want: map[Kind]map[string]string{}},
		{name: "a desired stack without attributes writes none",
			observed: func() Snapshot {
				o := observedAttrs()
				o.Listeners[0].Attributes["tcp.idle_timeout.seconds"] = "350"
				return o
			}, desired: stack, want: map[Kind]map[string]string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := map[Kind]map[string]string{}
			for _, a := range Diff(tt.desired(), tt.observed()) {
				switch a.Kind {
				case ModifyLoadBalancerAttributes, ModifyTargetGroupAttributes, ModifyListenerAttributes:
					got[a.Kind] = a.Attributes
					if a.ARN == "" {
						t.Errorf("%s on an existing resource has no ARN", a.Kind)
					}
				default:
					t.Errorf("unexpected %s", a)
				}
			}
			eqAttrs(t, got, tt.want)
		})
	}
}

func eqAttrs(t *testing.T, got, want map[Kind]map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("attribute writes %v, want %v", got, want)
	}
	for k, w := range want {
		g := got[k]
		if len(g) != len(w) {
			t.Errorf("%s writes %v, want %v", k, g, w)
			continue
		}
		for key, v := range w {
			if g[key] != v {
				t.Errorf("%s writes %v, want %v", k, g, w)
			}
		}
	}
}

func TestNewNLBResourcesWriteOnlyAttributesAWSDoesNotDefault(t *testing.T) {
	for _, tt := range []struct {
		name    string
		desired func() model.Stack
		want    map[Kind]map[string]string
	}{
		{name: "proxy protocol off is AWS's default: a new group needs no write",
			desired: func() model.Stack {
				s := stack()
				s.TargetGroups[0].Attributes = map[string]string{"proxy_protocol_v2.enabled": "false"}
				return s
			}, want: map[Kind]map[string]string{}},
		{name: "everything else desired is written once created, the listener's after its create",
			desired: withAttrs,
			want: map[Kind]map[string]string{
				ModifyLoadBalancerAttributes: {"deletion_protection.enabled": "true", "load_balancing.cross_zone.enabled": "true"},
				ModifyTargetGroupAttributes:  {"proxy_protocol_v2.enabled": "true", "deregistration_delay.timeout_seconds": "30"},
				ModifyListenerAttributes:     {"tcp.idle_timeout.seconds": "600"},
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := map[Kind]map[string]string{}
			var order []Kind
			for _, a := range Diff(tt.desired(), Snapshot{}) {
				order = append(order, a.Kind)
				if a.Attributes != nil {
					got[a.Kind] = a.Attributes
				}
			}
			eqAttrs(t, got, tt.want)
			for i, k := range order {
				if k == ModifyListenerAttributes && (i == 0 || order[i-1] != CreateListener) {
					t.Errorf("ModifyListenerAttributes does not follow CreateListener: %v", order)
				}
			}
		})
	}
}

func TestCreatedTGAttributesOnlyForNLBProtocols(t *testing.T) {
	for proto, want := range map[string]bool{"TCP": true, "UDP": true, "TCP_UDP": true, "TLS": true, "HTTP": false, "HTTPS": false} {
		if got := CreatedTGAttributes(model.TargetGroup{Protocol: proto}) != nil; got != want {
			t.Errorf("%s: defaults known = %v, want %v", proto, got, want)
		}
	}
}
