package rules_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/lbsg/lbsg/internal/rules"
)

func TestQuotaUsage(t *testing.T) {
	q := rules.Quota{}
	for _, tt := range []struct {
		name string
		set  rules.Set
		want rules.Usage
		fits bool
	}{
		{
			name: "one permission from a v4 CIDR, ::/0 and an SG costs 2 IPv4 and 2 IPv6 (aws-api §4)",
			set: set(rules.MustKey("tcp", 443, 443, "10.0.0.0/8"), "", rules.MustKey("tcp", 443, 443, "::/0"), "",
				rules.MustKey("tcp", 443, 443, "sg-a"), ""),
			want: rules.Usage{IPv4: 2, IPv6: 2}, fits: true,
		},
		{name: "60 IPv4 rules fit", set: cidrRules(60), want: rules.Usage{IPv4: 60}, fits: true},
		{name: "61 IPv4 rules do not fit", set: cidrRules(61), want: rules.Usage{IPv4: 61}, fits: false},
		{
			name: "IPv6 is counted apart: 60 IPv4 plus one IPv6 still fits",
			set:  cidrRules(60).Union(set(rules.MustKey("tcp", 1, 1, "2001:db8::/32"), "")),
			want: rules.Usage{IPv4: 60, IPv6: 1}, fits: true,
		},
		{
			name: "an SG reference counts in both families: 60 IPv4 plus one SG does not fit",
			set:  cidrRules(60).Union(set(rules.MustKey("tcp", 1, 1, "sg-x"), "")),
			want: rules.Usage{IPv4: 61, IPv6: 1}, fits: false,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u := q.Usage(tt.set)
			if u != tt.want {
				t.Errorf("Usage = %v, want %v", u, tt.want)
			}
			if q.Fits(u) != tt.fits {
				t.Errorf("Fits = %v, want %v", !tt.fits, tt.fits)
			}
		})
	}
}

func TestQuotaPrefixListWeightIsTheCallers(t *testing.T) {
	q := rules.Quota{Limit: 10, PrefixListWeight: func(string) rules.Usage { return rules.Usage{IPv4: 10} }}
	s := set(rules.MustKey("tcp", 80, 80, "pl-1"), "", rules.MustKey("tcp", 80, 80, "10.0.0.0/8"), "")
	if u := q.Usage(s); u.IPv4 != 11 || q.Fits(u) {
		t.Errorf("Usage = %v fits=%v, want 11 IPv4 over a limit of 10", u, q.Fits(u))
	}
}

func cidrRules(n int) rules.Set {
	s := rules.Set{}
	for i := range n {
		s.Add(rules.MustKey("tcp", 80, 80, fmt.Sprintf("10.0.%d.0/24", i)), "")
	}
	return s
}

// nodePorts returns one TCP rule per port from peer.
func nodePorts(peer, desc string, ports ...int32) rules.Set {
	s := rules.Set{}
	for _, p := range ports {
		s.Add(rules.MustKey("tcp", p, p, peer), desc)
	}
	return s
}

func TestPack(t *testing.T) {
	// 61 NodePorts from the backend SG: 30000, 30002, …, 30118 (gap 1 each) plus 30500 (far away).
	var spread []int32
	for i := range int32(60) {
		spread = append(spread, 30000+2*i)
	}
	spread = append(spread, 30500)

	for _, tt := range []struct {
		name        string
		in          rules.Set
		quota       rules.Quota
		wantLen     int
		wantHas     []rules.Key
		wantOpened  int // total ports opened by all widenings
		wantErr     error
		wantUnmoved bool
	}{
		{
			name: "rules within the quota are returned unchanged", in: nodePorts("sg-b", marker, 80, 443, 8080),
			wantLen: 3, wantUnmoved: true,
		},
		{
			name:    "over the quota, the two closest ports from one SG are merged, opening one port",
			in:      nodePorts("sg-b", marker, spread...),
			wantLen: 60, wantHas: []rules.Key{rules.MustKey("tcp", 30000, 30002, "sg-b"), rules.MustKey("tcp", 30500, 30500, "sg-b")},
			wantOpened: 1,
		},
		{
			name: "adjacent and overlapping ranges merge first and open no port",
			in: nodePorts("sg-b", marker, 80, 81, 82).Union(set(rules.MustKey("tcp", 100, 200, "sg-b"), marker,
				rules.MustKey("tcp", 150, 250, "sg-b"), marker)),
			quota: rules.Quota{Limit: 2}, wantLen: 2,
			wantHas: []rules.Key{rules.MustKey("tcp", 80, 82, "sg-b"), rules.MustKey("tcp", 100, 250, "sg-b")},
		},
		{
			name:  "ports of different protocols or peers are never merged together",
			in:    nodePorts("sg-b", marker, 80, 81).Union(set(rules.MustKey("udp", 82, 82, "sg-b"), marker, rules.MustKey("tcp", 82, 82, "sg-c"), marker)),
			quota: rules.Quota{Limit: 3}, wantLen: 3,
			wantHas: []rules.Key{rules.MustKey("tcp", 80, 81, "sg-b"), rules.MustKey("udp", 82, 82, "sg-b"), rules.MustKey("tcp", 82, 82, "sg-c")},
		},
		{
			name:  "only groups counting against the full family are widened",
			in:    nodePorts("2001:db8::/32", "", 1, 3, 5).Union(nodePorts("10.0.0.0/8", "", 1, 2)),
			quota: rules.Quota{Limit: 2}, wantLen: 4, wantOpened: 1,
			wantHas: []rules.Key{rules.MustKey("tcp", 1, 3, "2001:db8::/32"), rules.MustKey("tcp", 5, 5, "2001:db8::/32"),
				rules.MustKey("tcp", 1, 1, "10.0.0.0/8"), rules.MustKey("tcp", 2, 2, "10.0.0.0/8")},
		},
		{
			name:    "CIDR rules that cannot be merged fail instead of being dropped",
			in:      cidrRules(61),
			wantLen: 61, wantErr: rules.ErrOverQuota,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkPack(t, tt.in, tt.quota, tt.wantLen, tt.wantHas, tt.wantOpened, tt.wantErr, tt.wantUnmoved)
		})
	}
}

func checkPack(t *testing.T, in rules.Set, q rules.Quota, wantLen int, wantHas []rules.Key, wantOpened int, wantErr error, wantUnmoved bool) {
	t.Helper()
	got, widened, err := rules.Pack(in, q)
	if !errors.Is(err, wantErr) {
		t.Fatalf("err = %v, want %v", err, wantErr)
	}
	if len(got) != wantLen {
		t.Errorf("len = %d, want %d: %v", len(got), wantLen, got)
	}
	for _, k := range wantHas {
		if !got.Has(k) {
			t.Errorf("missing %v in %v", k, got)
		}
	}
	if wantUnmoved && (!got.Equal(in) || len(widened) != 0) {
		t.Errorf("changed a set within quota: %v %v", got, widened)
	}
	opened := 0
	for _, w := range widened {
		opened += w.Opened
		if got[w.Result] == "" && in[w.Merged[0]] != "" {
			t.Errorf("merged rule %v lost its description", w.Result)
		}
	}
	if opened != wantOpened {
		t.Errorf("opened %d ports, want %d: %v", opened, wantOpened, widened)
	}
	for k := range in { // every input port stays open
		if !coveredBy(k, got) {
			t.Errorf("input rule %v no longer allowed by %v", k, got)
		}
	}
}

func coveredBy(k rules.Key, s rules.Set) bool {
	for o := range s {
		if o.Protocol == k.Protocol && o.Peer == k.Peer && o.FromPort <= k.FromPort && k.ToPort <= o.ToPort {
			return true
		}
	}
	return false
}

func TestSpanPerSourceMatchesLBCRestrictedAggregation(t *testing.T) {
	for _, tt := range []struct {
		name    string
		in, out rules.Set
	}{
		{
			name: "overlapping ranges from one SG become one min-max rule (scenario 39)",
			in:   set(rules.MustKey("tcp", 80, 8080, "sg-group-1"), marker, rules.MustKey("tcp", 30, 8080, "sg-group-1"), marker),
			out:  set(rules.MustKey("tcp", 30, 8080, "sg-group-1"), marker),
		},
		{
			name: "two UDP ports from one SG become one range (scenario 39)",
			in:   set(rules.MustKey("udp", 8443, 8443, "sg-group-2"), marker, rules.MustKey("udp", 8080, 8080, "sg-group-2"), marker),
			out:  set(rules.MustKey("udp", 8080, 8443, "sg-group-2"), marker),
		},
		{
			name: "a rule without ports opens all ports for its group (scenario 40)",
			in:   set(rules.MustKey("tcp", 0, 0, "sg-group-1"), marker, rules.MustKey("tcp", 80, 80, "sg-group-1"), marker),
			out:  set(rules.MustKey("tcp", 0, 65535, "sg-group-1"), marker),
		},
		{
			name: "CIDR-sourced rules are kept one by one (scenario 40)",
			in:   set(rules.MustKey("tcp", 80, 80, "10.0.0.0/16"), marker, rules.MustKey("tcp", 90, 90, "10.0.0.0/16"), marker),
			out:  set(rules.MustKey("tcp", 80, 80, "10.0.0.0/16"), marker, rules.MustKey("tcp", 90, 90, "10.0.0.0/16"), marker),
		},
		{
			name: "NodePorts 30080 and 32050 give one wide range as in LBC (§6.8)",
			in:   nodePorts("sg-backend", marker, 30080, 32050),
			out:  set(rules.MustKey("tcp", 30080, 32050, "sg-backend"), marker),
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := rules.SpanPerSource(tt.in); !got.Equal(tt.out) {
				t.Errorf("got %v, want %v", got, tt.out)
			}
		})
	}
}
