package ec2

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/lbsg/lbsg/internal/naming"
)

// SecurityGroups returns the groups with these IDs, from the cache where it
// can (SecurityGroupTTL) and with one paged, filtered Describe for the rest.
// Groups that do not exist are left out of the map and named by a
// *NotFoundError; the map holds the others.
func (p *Provider) SecurityGroups(ctx context.Context, ids ...string) (map[string]SecurityGroup, error) {
	out := make(map[string]SecurityGroup, len(ids))
	var missing []string
	for _, id := range ids {
		if _, seen := out[id]; seen {
			continue
		}
		if g, ok := p.groups.Get(id); ok {
			out[id] = cloneGroup(g)
			continue
		}
		if !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	fresh, err := p.describeByIDs(ctx, missing)
	if err != nil {
		return out, err
	}
	var notFound []string
	for _, id := range missing {
		g, ok := fresh[id]
		if !ok {
			notFound = append(notFound, id)
			continue
		}
		out[id] = g
	}
	if len(notFound) > 0 {
		return out, &NotFoundError{IDs: notFound}
	}
	return out, nil
}

// SecurityGroup returns one group, from the cache where it can.
func (p *Provider) SecurityGroup(ctx context.Context, id string) (SecurityGroup, error) {
	m, err := p.SecurityGroups(ctx, id)
	if err != nil {
		return SecurityGroup{}, err
	}
	return m[id], nil
}

// FreshSecurityGroup reads a group from AWS, bypassing and refreshing the
// cache. Use it before any revoke or delete decision (LBC #4889).
func (p *Provider) FreshSecurityGroup(ctx context.Context, id string) (SecurityGroup, error) {
	p.groups.Delete(id)
	return p.SecurityGroup(ctx, id)
}

// describeByIDs reads groups by ID through the group-id filter: a missing
// ID matches nothing instead of failing the whole call, and filtered calls
// use the larger request bucket.
func (p *Provider) describeByIDs(ctx context.Context, ids []string) (map[string]SecurityGroup, error) {
	out := map[string]SecurityGroup{}
	for _, batch := range chunks(ids, maxFilterValues) {
		gs, err := p.describe(ctx, []ec2types.Filter{{Name: aws.String("group-id"), Values: batch}})
		if err != nil {
			return nil, fmt.Errorf("describing security groups %s: %w", strings.Join(batch, ","), err)
		}
		for _, g := range gs {
			out[g.ID] = g
		}
	}
	return out, nil
}

// describe pages through DescribeSecurityGroups and caches every group seen.
func (p *Provider) describe(ctx context.Context, filters []ec2types.Filter) ([]SecurityGroup, error) {
	var out []SecurityGroup
	pg := awsec2.NewDescribeSecurityGroupsPaginator(p.api, &awsec2.DescribeSecurityGroupsInput{Filters: filters, MaxResults: aws.Int32(pageSize)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, sg := range page.SecurityGroups {
			g := groupFromSDK(sg)
			p.groups.Set(g.ID, g)
			out = append(out, cloneGroup(g))
		}
	}
	slices.SortFunc(out, func(a, b SecurityGroup) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func groupFromSDK(sg ec2types.SecurityGroup) SecurityGroup {
	ingress, err := RuleSet(sg.IpPermissions)
	return SecurityGroup{
		ID:            aws.ToString(sg.GroupId),
		Name:          aws.ToString(sg.GroupName),
		Description:   aws.ToString(sg.Description),
		VPCID:         aws.ToString(sg.VpcId),
		Tags:          tagMap(sg.Tags),
		Ingress:       ingress,
		IngressErrors: err,
	}
}

// VPCSecurityGroups reads every group of the VPC in one paged, filtered
// Describe (the drift check: its cost does not grow with the number of
// Services) and refreshes the cache with them. Never served from the cache.
func (p *Provider) VPCSecurityGroups(ctx context.Context, vpcID string) ([]SecurityGroup, error) {
	gs, err := p.describe(ctx, vpcFilter(vpcID))
	if err != nil {
		return nil, fmt.Errorf("describing security groups of %s: %w", vpcID, err)
	}
	ids := make([]string, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	p.queries.Set(vpcQueryKey(vpcID), ids)
	return gs, nil
}

// FindSecurityGroups returns the VPC's groups whose tags satisfy match,
// sorted by ID, filtering the VPC's group list locally: the list is the one
// VPCSecurityGroups (the drift check) last read, or one paged Describe when
// lbsg has created, deleted or tagged a group since. Cached like
// SecurityGroupsByTags.
func (p *Provider) FindSecurityGroups(ctx context.Context, vpcID string, match func(tags map[string]string) bool) ([]SecurityGroup, error) {
	gs, err := p.query(ctx, vpcQueryKey(vpcID), vpcFilter(vpcID))
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(gs, func(g SecurityGroup) bool { return !match(g.Tags) }), nil
}

func vpcQueryKey(vpcID string) string { return "vpc\x00" + vpcID }

func vpcFilter(vpcID string) []ec2types.Filter {
	return []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}
}

// SecurityGroupsByTags returns the VPC's groups carrying every tag given
// (an empty value matches any value of that key). Cached: the IDs for
// SecurityGroupTTL or until lbsg creates, deletes or tags a group; the groups
// as SecurityGroups.
func (p *Provider) SecurityGroupsByTags(ctx context.Context, vpcID string, tags map[string]string) ([]SecurityGroup, error) {
	filters := []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}
	var ck strings.Builder
	ck.WriteString(vpcID)
	for _, k := range sortedKeys(tags) {
		fmt.Fprintf(&ck, "\x00%s=%s", k, tags[k])
		if tags[k] == "" {
			filters = append(filters, ec2types.Filter{Name: aws.String("tag-key"), Values: []string{k}})
		} else {
			filters = append(filters, ec2types.Filter{Name: aws.String("tag:" + k), Values: []string{tags[k]}})
		}
	}
	return p.query(ctx, ck.String(), filters)
}

// query runs a filtered Describe whose result IDs are cached, then serves
// the groups through SecurityGroups.
func (p *Provider) query(ctx context.Context, key string, filters []ec2types.Filter) ([]SecurityGroup, error) {
	if ids, ok := p.queries.Get(key); ok {
		m, err := p.SecurityGroups(ctx, ids...)
		if err == nil {
			return inOrder(m, ids), nil
		}
		// A listed group vanished: fall through and ask again.
	}
	gs, err := p.describe(ctx, filters)
	if err != nil {
		return nil, fmt.Errorf("finding security groups: %w", err)
	}
	ids := make([]string, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	p.queries.Set(key, ids)
	return gs, nil
}

func inOrder(m map[string]SecurityGroup, ids []string) []SecurityGroup {
	out := make([]SecurityGroup, 0, len(ids))
	for _, id := range ids {
		if g, ok := m[id]; ok {
			out = append(out, g)
		}
	}
	return out
}

// SecurityGroupsByName returns the VPC's groups with this GroupName (EC2
// compares names case-insensitively on create; this filter is exact), for a
// caller whose create failed with InvalidGroup.Duplicate and must decide,
// by tags, whether the existing group is its own. Uncached.
func (p *Provider) SecurityGroupsByName(ctx context.Context, vpcID, name string) ([]SecurityGroup, error) {
	gs, err := p.describe(ctx, []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpcID}},
		{Name: aws.String("group-name"), Values: []string{name}},
	})
	if err != nil {
		return nil, fmt.Errorf("finding security group %s in %s: %w", name, vpcID, err)
	}
	return gs, nil
}

// OwnedSecurityGroups returns the VPC's groups naming.ClassifySecurityGroup
// says lbsg (or LBC) owns for cluster: managed frontend SGs and the backend
// SG, found by the cluster tag and by LBC's legacy cluster tag
// (lbc-security-groups.md §3.5). Cached like SecurityGroupsByTags.
func (p *Provider) OwnedSecurityGroups(ctx context.Context, vpcID, cluster string) ([]SecurityGroup, error) {
	seen := map[string]bool{}
	var out []SecurityGroup
	for _, key := range []string{naming.TagCluster, naming.TagLegacyIngressCluster} {
		gs, err := p.SecurityGroupsByTags(ctx, vpcID, map[string]string{key: cluster})
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			if seen[g.ID] || naming.ClassifySecurityGroup(g.Tags, cluster).Role == naming.SGNotOwned {
				continue
			}
			seen[g.ID] = true
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b SecurityGroup) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// ResolveSecurityGroups turns the items of a security-groups annotation into
// group IDs within the VPC: "sg-…" items are IDs, others are values of the
// Name tag (lbc-security-groups.md §4; several groups sharing a name are all
// used). Result order: ID items as given, then name matches by ID. Items that
// match nothing make a *UnresolvedSecurityGroupsError naming all of them.
// Cached ResolveTTL.
func (p *Provider) ResolveSecurityGroups(ctx context.Context, vpcID string, namesOrIDs []string) ([]string, error) {
	var ids, names []string
	for _, item := range namesOrIDs {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
		case strings.HasPrefix(item, "sg-"):
			if !slices.Contains(ids, item) {
				ids = append(ids, item)
			}
		default:
			if !slices.Contains(names, item) {
				names = append(names, item)
			}
		}
	}
	key := vpcID + "\x00" + strings.Join(ids, ",") + "\x00" + strings.Join(names, "\x00")
	if out, ok := p.resolved.Get(key); ok {
		return slices.Clone(out), nil
	}
	unresolved := &UnresolvedSecurityGroupsError{VPCID: vpcID}
	var out []string
	if len(ids) > 0 {
		gs, err := p.describe(ctx, []ec2types.Filter{
			{Name: aws.String("vpc-id"), Values: []string{vpcID}},
			{Name: aws.String("group-id"), Values: ids},
		})
		if err != nil {
			return nil, fmt.Errorf("resolving security groups %s: %w", strings.Join(ids, ","), err)
		}
		found := map[string]bool{}
		for _, g := range gs {
			found[g.ID] = true
		}
		for _, id := range ids {
			if found[id] {
				out = append(out, id)
			} else {
				unresolved.IDs = append(unresolved.IDs, id)
			}
		}
	}
	if len(names) > 0 {
		gs, err := p.describe(ctx, []ec2types.Filter{
			{Name: aws.String("vpc-id"), Values: []string{vpcID}},
			{Name: aws.String("tag:" + naming.TagName), Values: names},
		})
		if err != nil {
			return nil, fmt.Errorf("resolving security groups named %s: %w", strings.Join(names, ","), err)
		}
		found := map[string]bool{}
		for _, g := range gs {
			found[g.Tags[naming.TagName]] = true
			if !slices.Contains(out, g.ID) {
				out = append(out, g.ID)
			}
		}
		for _, n := range names {
			if !found[n] {
				unresolved.Names = append(unresolved.Names, n)
			}
		}
	}
	if len(unresolved.IDs) > 0 || len(unresolved.Names) > 0 {
		return nil, unresolved
	}
	p.resolved.Set(key, out)
	return slices.Clone(out), nil
}
