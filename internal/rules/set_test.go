package rules_test

import (
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/rules"
)

const marker = "elbv2.k8s.aws/targetGroupBinding=shared,elbv2.k8s.aws/cluster=c1"

func ownsMarker(desc string) bool { return desc == marker }

func set(pairs ...any) rules.Set {
	s := rules.Set{}
	for i := 0; i < len(pairs); i += 2 {
		s[pairs[i].(rules.Key)] = pairs[i+1].(string)
	}
	return s
}

var (
	tcp80     = rules.MustKey("tcp", 80, 80, "sg-backend")
	tcp443    = rules.MustKey("tcp", 443, 443, "sg-backend")
	tcp22Mine = rules.MustKey("tcp", 22, 22, "10.0.0.0/8")
	tcp8080   = rules.MustKey("tcp", 8080, 8080, "sg-other")
)

func TestDiff(t *testing.T) {
	for _, tt := range []struct {
		name                      string
		observed, desired         rules.Set
		owns                      func(string) bool
		wantAuth, wantRevoke      rules.Set
		wantDescribe, wantForeign rules.Set
		wantShared                rules.Set
	}{
		{
			name:     "missing desired rule is authorized",
			observed: set(), desired: set(tcp80, marker), owns: ownsMarker,
			wantAuth: set(tcp80, marker),
		},
		{
			name:     "owned rule no longer desired is revoked",
			observed: set(tcp80, marker, tcp443, marker), desired: set(tcp80, marker), owns: ownsMarker,
			wantRevoke: set(tcp443, marker),
		},
		{
			name:     "foreign rule on a shared node SG is never revoked",
			observed: set(tcp80, marker, tcp22Mine, "ssh from office", tcp8080, "elbv2.k8s.aws/targetGroupBinding=shared,elbv2.k8s.aws/cluster=c2"),
			desired:  set(tcp80, marker), owns: ownsMarker,
			wantForeign: set(tcp22Mine, "ssh from office", tcp8080, "elbv2.k8s.aws/targetGroupBinding=shared,elbv2.k8s.aws/cluster=c2"),
		},
		{
			name:     "description-only change updates in place without revoke",
			observed: set(tcp80, "elbv2.k8s.aws/targetGroupBinding=shared"), desired: set(tcp80, marker),
			owns:         func(d string) bool { return strings.HasPrefix(d, "elbv2.k8s.aws/targetGroupBinding=shared") },
			wantDescribe: set(tcp80, marker),
		},
		{
			name:     "desired rule already present under a foreign description is left alone and not claimed",
			observed: set(tcp80, "added by hand"), desired: set(tcp80, marker), owns: ownsMarker,
			wantShared: set(tcp80, "added by hand"),
		},
		{
			name:     "managed SG is fully owned: a hand-added rule is revoked as LBC does",
			observed: set(rules.MustKey("tcp", 80, 80, "0.0.0.0/0"), "", tcp22Mine, "hand"),
			desired:  set(rules.MustKey("tcp", 80, 80, "0.0.0.0/0"), ""), owns: rules.OwnsAll,
			wantRevoke: set(tcp22Mine, "hand"),
		},
		{
			name:     "non-canonical desired CIDR matches the canonical observed rule: nothing to do (LBC #4893)",
			observed: set(rules.MustKey("tcp", 80, 80, "100.68.0.0/18"), ""),
			desired:  set(rules.MustKey("TCP", 80, 80, "100.68.0.18/18"), ""), owns: rules.OwnsAll,
		},
		{
			name:     "nil predicate owns nothing",
			observed: set(tcp443, marker), desired: set(), owns: nil,
			wantForeign: set(tcp443, marker),
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := rules.CompareSets(tt.observed, tt.desired, tt.owns)
			check := func(what string, got, want rules.Set) {
				t.Helper()
				if want == nil {
					want = rules.Set{}
				}
				if !got.Equal(want) {
					t.Errorf("%s = %v, want %v", what, got, want)
				}
			}
			check("authorize", d.Authorize, tt.wantAuth)
			check("revoke", d.Revoke, tt.wantRevoke)
			check("describe", d.Describe, tt.wantDescribe)
			check("foreign", d.Foreign, tt.wantForeign)
			check("shared", d.Shared, tt.wantShared)
			a, r := rules.Diff(tt.observed, tt.desired, tt.owns)
			check("Diff authorize", a, tt.wantAuth)
			check("Diff revoke", r, tt.wantRevoke)
			for k, desc := range r {
				if tt.owns == nil || !tt.owns(desc) {
					t.Errorf("revoked %v whose description %q is not owned", k, desc)
				}
			}
		})
	}
}

func TestSetAlgebra(t *testing.T) {
	a := set(tcp80, "a", tcp443, "a")
	b := set(tcp443, "b", tcp8080, "b")
	if got := a.Minus(b); !got.Equal(set(tcp80, "a")) {
		t.Errorf("Minus = %v", got)
	}
	if got := a.Union(b); !got.Equal(set(tcp80, "a", tcp443, "a", tcp8080, "b")) {
		t.Errorf("Union = %v (receiver's description should win)", got)
	}
	if got := a.Intersect(b); !got.Equal(set(tcp443, "a")) {
		t.Errorf("Intersect = %v", got)
	}
	if a.Equal(set(tcp80, "a", tcp443, "b")) {
		t.Error("Equal must compare descriptions")
	}
	if !a.SameKeys(set(tcp80, "x", tcp443, "y")) {
		t.Error("SameKeys must ignore descriptions")
	}
	if got := a.String(); got != "[tcp 443 ← sg-backend, tcp 80 ← sg-backend]" && got != "[tcp 80 ← sg-backend, tcp 443 ← sg-backend]" {
		t.Errorf("String = %q", got)
	}
}

func TestICMPRulesRepeatedPerPortCollapseToOneKey(t *testing.T) {
	// Spec SG §3.7 / scenario 27: the PMTU rule is emitted per port but is one rule.
	s := rules.Set{}
	for range []int{80, 443} {
		s.Add(rules.MustKey("icmp", 3, 4, "0.0.0.0/0"), "")
		s.Add(rules.MustKey("icmpv6", 2, 0, "::/0"), "")
	}
	if len(s) != 2 {
		t.Fatalf("got %d rules, want 2: %v", len(s), s)
	}
}

func TestExpandAndPermissionsRoundTrip(t *testing.T) {
	perms := []rules.Permission{
		{Protocol: "TCP", FromPort: 80, ToPort: 80, Peers: []rules.Peer{{ID: "10.1.0.0/16"}, {ID: "10.1.2.3/16", Description: "dup"}, {ID: "sg-1", Description: marker}}},
		{Protocol: "-1", FromPort: -1, ToPort: -1, Peers: []rules.Peer{{ID: "::/0"}}},
		{Protocol: "tcp", FromPort: 1, ToPort: 1, Peers: []rules.Peer{{ID: "not-a-peer"}}},
	}
	s, err := rules.Expand(perms)
	if err == nil || !strings.Contains(err.Error(), "not-a-peer") {
		t.Errorf("want error naming the bad peer, got %v", err)
	}
	want := set(
		rules.MustKey("tcp", 80, 80, "10.1.0.0/16"), "",
		rules.MustKey("tcp", 80, 80, "sg-1"), marker,
		rules.MustKey("-1", 0, 0, "::/0"), "",
	)
	if !s.Equal(want) {
		t.Fatalf("Expand = %v, want %v", s, want)
	}
	ps := s.Permissions(0)
	if len(ps) != 2 {
		t.Fatalf("Permissions = %v, want 2 grouped permissions", ps)
	}
	back, err := rules.Expand(ps)
	if err != nil || !back.Equal(s) {
		t.Errorf("round trip = %v, %v", back, err)
	}
	if got := s.Permissions(1); len(got) != 3 {
		t.Errorf("Permissions(1) = %v, want peers split one per permission", got)
	}
}
