package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// Writer is what Fix writes through (state.Provider satisfies it).
type Writer interface {
	Revoke(ctx context.Context, id string, s rules.Set) error
	DeleteSecurityGroup(ctx context.Context, id string) error
}

// Fixes are the writes Fix would make: rules to revoke by SG, then SGs to
// delete.
type Fixes struct {
	Revoke map[string]rules.Set
	Delete []string
}

// Empty reports whether there is nothing to fix.
func (f Fixes) Empty() bool { return len(f.Revoke) == 0 && len(f.Delete) == 0 }

// PlanFixes selects the fixable findings of r, re-checking ownership against
// the Snapshot: a rule must carry this cluster's marker, an SG this
// cluster's ownership tags and no attachment.
func PlanFixes(s Snapshot, r Report) Fixes {
	byID := map[string]SG{}
	for _, sg := range s.SecurityGroups {
		byID[sg.ID] = sg
	}
	out := Fixes{Revoke: map[string]rules.Set{}}
	for _, f := range r.Findings {
		if !f.Fixable {
			continue
		}
		sg, ok := byID[f.Resource]
		if !ok {
			continue
		}
		switch f.Kind {
		case LeakedRule:
			if naming.OwnsRule(f.desc, s.Cluster, false) {
				if out.Revoke[sg.ID] == nil {
					out.Revoke[sg.ID] = rules.Set{}
				}
				out.Revoke[sg.ID].Add(f.key, f.desc)
			}
		case LeakedSecurityGroup:
			if naming.OwnsSecurityGroup(sg.Tags, s.Cluster) {
				out.Delete = append(out.Delete, sg.ID)
			}
		default:
		}
	}
	slices.Sort(out.Delete)
	return out
}

// Fix prints each write to w and makes it: revokes first (rules citing a
// leaked SG go before it), then deletions. It carries on past failures and
// returns them joined.
func Fix(ctx context.Context, wr Writer, fx Fixes, w io.Writer) error {
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(fx.Revoke)) {
		set := fx.Revoke[id]
		for _, k := range slices.SortedFunc(maps.Keys(set), rules.Compare) {
			_, _ = fmt.Fprintf(w, "revoke %s: %s\n", id, k)
		}
		if err := wr.Revoke(ctx, id, set); err != nil {
			errs = append(errs, err)
		}
	}
	for _, id := range fx.Delete {
		_, _ = fmt.Fprintf(w, "delete security group %s\n", id)
		if err := wr.DeleteSecurityGroup(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("deleting %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}
