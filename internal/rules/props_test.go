package rules_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lbsg/lbsg/internal/rules"
)

// FuzzNewKeyIsIdempotent: a canonical key canonicalises to itself, and bad
// input errors instead of panicking.
func FuzzNewKeyIsIdempotent(f *testing.F) {
	f.Add("tcp", int32(80), int32(80), "10.1.2.3/8")
	f.Add("58", int32(-1), int32(-1), "2001:DB8::1/32")
	f.Add("-1", int32(5), int32(1), "sg-ABC")
	f.Add("icmp", int32(-1), int32(7), "pl-1")
	f.Fuzz(func(t *testing.T, proto string, from, to int32, peer string) {
		k, err := rules.NewKey(proto, from, to, peer)
		if err != nil {
			return
		}
		again, err := rules.NewKey(k.Protocol, k.FromPort, k.ToPort, k.Peer)
		if err != nil || again != k {
			t.Fatalf("not idempotent: %#v → %#v, %v", k, again, err)
		}
		if k.PeerKind() == rules.PeerInvalid {
			t.Fatalf("valid key with invalid peer kind: %#v", k)
		}
	})
}

// TestPackProperties checks, on random rule sets, that Pack never closes a
// port, never adds rules, reports every merge, and either fits or says so.
func TestPackProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	peers := []string{"sg-a", "sg-b", "10.0.0.0/8", "2001:db8::/32", "pl-1"}
	for i := range 150 {
		s := rules.Set{}
		for range rng.IntN(150) {
			p := int32(rng.IntN(2000) + 30000)
			proto := []string{"tcp", "udp", "icmp"}[rng.IntN(3)]
			to := p + int32(rng.IntN(3))
			if proto == "icmp" {
				p, to = int32(rng.IntN(10)), int32(rng.IntN(5))
			}
			s.Add(rules.MustKey(proto, p, to, peers[rng.IntN(len(peers))]), "d")
		}
		q := rules.Quota{Limit: 1 + rng.IntN(60)}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			got, widened, err := rules.Pack(s, q)
			if len(got) > len(s) {
				t.Fatalf("Pack added rules: %d > %d", len(got), len(s))
			}
			fits := q.Fits(q.Usage(got))
			if fits != (err == nil) {
				t.Fatalf("fits=%v but err=%v", fits, err)
			}
			if err != nil && !errors.Is(err, rules.ErrOverQuota) {
				t.Fatalf("unexpected error %v", err)
			}
			for k := range s {
				if !got.Has(k) && !coveredBy(k, got) {
					t.Fatalf("rule %v lost", k)
				}
			}
			merged := 0
			for _, w := range widened {
				merged += len(w.Merged) - 1
				if w.Opened < 0 {
					t.Fatalf("negative widening %v", w)
				}
			}
			if len(s)-len(got) != merged {
				t.Fatalf("removed %d rules but reported %d merges", len(s)-len(got), merged)
			}
		})
	}
}
