package rules_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/lbsg/lbsg/internal/rules"
)

func cidrSet(from, to int) rules.Set {
	s := rules.Set{}
	for i := from; i < to; i++ {
		s.Add(rules.MustKey("tcp", 443, 443, fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)), "")
	}
	return s
}

func TestSpreadFillsGroupsInOrder(t *testing.T) {
	q := rules.Quota{}
	t.Run("rules within one SG stay in one SG", func(t *testing.T) {
		got, err := rules.Spread(cidrSet(0, 10), nil, q, 5)
		if err != nil || len(got) != 1 || len(got[0]) != 10 {
			t.Fatalf("got %d groups, %v", len(got), err)
		}
	})
	t.Run("130 CIDR rules need three SGs of 60", func(t *testing.T) {
		got, err := rules.Spread(cidrSet(0, 130), nil, q, 5)
		if err != nil || len(got) != 3 || len(got[0]) != 60 || len(got[1]) != 60 || len(got[2]) != 10 {
			t.Fatalf("got %v groups, %v", len(got), err)
		}
	})
}

func TestSpreadIsStable(t *testing.T) {
	q := rules.Quota{}
	t.Run("a rule already in the second SG stays there when a rule is added", func(t *testing.T) {
		first, _ := rules.Spread(cidrSet(0, 100), nil, q, 5)
		desired := cidrSet(0, 100).Union(cidrSet(100, 101))
		got, err := rules.Spread(desired, first, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		for i := range first {
			for k := range first[i] {
				if !got[i].Has(k) {
					t.Errorf("rule %v moved out of group %d", k, i)
				}
			}
		}
	})
	t.Run("a group emptied at the end is dropped", func(t *testing.T) {
		first, _ := rules.Spread(cidrSet(0, 70), nil, q, 5)
		got, err := rules.Spread(first[0], first, q, 5)
		if err != nil || len(got) != 1 {
			t.Fatalf("got %d groups, %v", len(got), err)
		}
	})
	t.Run("more than five SGs' worth of rules fails", func(t *testing.T) {
		_, err := rules.Spread(cidrSet(0, 301), nil, q, 5)
		if !errors.Is(err, rules.ErrOverQuota) {
			t.Fatalf("err = %v", err)
		}
	})
}
