package chaos_test

import (
	"slices"
	"testing"

	"github.com/lbsg/lbsg/internal/naming"
)

// TestProtectionMonitorFlagsOnlyStrictAsks: the monitor's protection check
// flags a rule of a strictly authenticated Ingress without its
// authentication first and a listener on a strict web ACL stack's ALB
// without the association, and nothing once the manifest has released the
// ask.
func TestProtectionMonitorFlagsOnlyStrictAsks(t *testing.T) {
	const lb = "arn:lb"
	stack := "ingress:chaos-g0"
	state := func(acts []string, assoc string) emuState {
		var s emuState
		s.ELBv2.LoadBalancers = map[string]stateLB{lb: {ARN: lb, Tags: []stateTag{
			{naming.TagCluster, cluster}, {naming.ExplicitIngressStack("chaos-g0").StackTagKey(), "chaos-g0"}}}}
		s.ELBv2.Listeners = map[string]stateListener{"l": {LoadBalancer: lb, Port: 443}}
		r := stateELBRule{Listener: "l"}
		r.Conditions = append(r.Conditions, struct {
			Field  string   `json:"field"`
			Values []string `json:"values"`
		}{"path-pattern", []string{"/ingress-001/v2", "/ingress-001/v2/*"}})
		for i, a := range acts {
			r.Actions = append(r.Actions, stateAction{Type: a, Order: i + 1})
		}
		slices.Reverse(r.Actions) // stored out of order: the check sorts by Order
		s.ELBv2.Rules = map[string]stateELBRule{"r": r}
		s.WAFv2.Assoc = map[string]string{}
		if assoc != "" {
			s.WAFv2.Assoc[lb] = assoc
		}
		return s
	}
	authed := []string{actionAuthCognito, actionForward}
	plain := []string{actionForward}
	tests := []struct {
		name        string
		authStrict  bool
		wafStrict   bool
		acts        []string
		assoc       string
		wantFlagged int
	}{
		{"protected as asked", true, true, authed, chaosACL, 0},
		{"forward without authentication", true, false, plain, "", 1},
		{"authentication after the forward", true, false, []string{actionForward, actionAuthCognito}, "", 1},
		{"listener before the web ACL", false, true, plain, "", 1},
		{"another web ACL", false, true, plain, "arn:other", 1},
		{"both broken", true, true, plain, "", 2},
		{"released asks", false, false, plain, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newProtection("")
			if tc.authStrict {
				p.set(p.authStrict, "ingress-001", true)
			}
			if tc.wafStrict {
				p.set(p.wafStrict, stack, true)
			}
			if got := p.violations(state(tc.acts, tc.assoc), cluster); len(got) != tc.wantFlagged {
				t.Errorf("violations %q, want %d", got, tc.wantFlagged)
			}
		})
	}
}
