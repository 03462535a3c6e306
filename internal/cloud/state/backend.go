package state

import (
	"context"

	"github.com/lbsg/lbsg/internal/naming"
)

// FindBackendSG returns the auto-created backend SG of the cluster ("" if
// none), found by its tags (lbc-security-groups.md §5.3).
func (p *Provider) FindBackendSG(ctx context.Context) (string, error) {
	sgs, err := p.FindSecurityGroups(ctx, func(tags map[string]string) bool {
		return naming.ClassifySecurityGroup(tags, p.cluster).Role == naming.SGBackend
	})
	if err != nil || len(sgs) == 0 {
		return "", err
	}
	return sgs[0].ID, nil
}

// EnsureBackendSG returns the backend SG, creating it on first need with
// LBC's name, description and tags. Callers serialise it (Backend.Ensure).
func (p *Provider) EnsureBackendSG(ctx context.Context, defaultTags map[string]string) (string, error) {
	id, err := p.FindBackendSG(ctx)
	if err != nil {
		return "", err
	}
	if id != "" {
		// Drive its tags to LBC's map: only aws:* survive (§5.3, scenario 44).
		sgs, err := p.FindSecurityGroups(ctx, func(map[string]string) bool { return true })
		if err != nil {
			return "", err
		}
		for _, sg := range sgs {
			if sg.ID != id {
				continue
			}
			set, remove := naming.TagChanges(sg.Tags, naming.BackendSGTags(p.cluster, defaultTags), nil)
			if len(set) > 0 || len(remove) > 0 {
				if err := p.TagSecurityGroup(ctx, id, set, remove); err != nil {
					return "", err
				}
			}
		}
		return id, nil
	}
	return p.CreateSecurityGroup(ctx, naming.BackendSGName(p.cluster), naming.BackendSGDescription,
		naming.BackendSGTags(p.cluster, defaultTags))
}
