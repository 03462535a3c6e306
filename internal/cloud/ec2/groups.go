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

// SecurityGroups returns the groups with these IDs, read with one paged,
// filtered Describe per 200 IDs. Groups that do not exist are left out of
// the map and named by a *NotFoundError; the map holds the others.
func (p *Provider) SecurityGroups(ctx context.Context, ids ...string) (map[string]SecurityGroup, error) {
	var want []string
	for _, id := range ids {
		if !slices.Contains(want, id) {
			want = append(want, id)
		}
	}
	out := make(map[string]SecurityGroup, len(want))
	if len(want) == 0 {
		return out, nil
	}
	fresh, err := p.describeByIDs(ctx, want)
	if err != nil {
		return out, err
	}
	var notFound []string
	for _, id := range want {
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

// SecurityGroup reads one group; one that does not exist is a
// *NotFoundError.
func (p *Provider) SecurityGroup(ctx context.Context, id string) (SecurityGroup, error) {
	m, err := p.SecurityGroups(ctx, id)
	if err != nil {
		return SecurityGroup{}, err
	}
	return m[id], nil
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

// describe pages through DescribeSecurityGroups.
func (p *Provider) describe(ctx context.Context, filters []ec2types.Filter) ([]SecurityGroup, error) {
	var out []SecurityGroup
	pg := awsec2.NewDescribeSecurityGroupsPaginator(p.api, &awsec2.DescribeSecurityGroupsInput{Filters: filters, MaxResults: aws.Int32(pageSize)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, sg := range page.SecurityGroups {
			out = append(out, groupFromSDK(sg))
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
// Services).
func (p *Provider) VPCSecurityGroups(ctx context.Context, vpcID string) ([]SecurityGroup, error) {
	gs, err := p.describe(ctx, vpcFilter(vpcID))
	if err != nil {
		return nil, fmt.Errorf("describing security groups of %s: %w", vpcID, err)
	}
	return gs, nil
}

// FindSecurityGroups returns the VPC's groups whose tags satisfy match,
// sorted by ID: one paged Describe of the VPC, filtered locally.
func (p *Provider) FindSecurityGroups(ctx context.Context, vpcID string, match func(tags map[string]string) bool) ([]SecurityGroup, error) {
	gs, err := p.query(ctx, vpcFilter(vpcID))
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(gs, func(g SecurityGroup) bool { return !match(g.Tags) }), nil
}

func vpcFilter(vpcID string) []ec2types.Filter {
	return []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}
}

// SecurityGroupsByTags returns the VPC's groups carrying every tag given
// (an empty value matches any value of that key): one paged, filtered
// Describe.
func (p *Provider) SecurityGroupsByTags(ctx context.Context, vpcID string, tags map[string]string) ([]SecurityGroup, error) {
	filters := []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}
	for _, k := range sortedKeys(tags) {
		if tags[k] == "" {
			filters = append(filters, ec2types.Filter{Name: aws.String("tag-key"), Values: []string{k}})
		} else {
			filters = append(filters, ec2types.Filter{Name: aws.String("tag:" + k), Values: []string{tags[k]}})
		}
	}
	return p.query(ctx, filters)
}

// query runs a filtered, paged Describe.
func (p *Provider) query(ctx context.Context, filters []ec2types.Filter) ([]SecurityGroup, error) {
	gs, err := p.describe(ctx, filters)
	if err != nil {
		return nil, fmt.Errorf("finding security groups: %w", err)
	}
	return gs, nil
}

// SecurityGroupsNamed returns the VPC's groups whose Name tag is one of
// names (the security-groups annotation's names), in one paged, filtered
// Describe.
func (p *Provider) SecurityGroupsNamed(ctx context.Context, vpcID string, names []string) ([]SecurityGroup, error) {
	gs, err := p.describe(ctx, []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpcID}},
		{Name: aws.String("tag:" + naming.TagName), Values: names},
	})
	if err != nil {
		return nil, fmt.Errorf("describing security groups named %v: %w", names, err)
	}
	return gs, nil
}

// SecurityGroupsByName returns the VPC's groups with this GroupName (EC2
// compares names case-insensitively on create; this filter is exact), for a
// caller whose create failed with InvalidGroup.Duplicate and must decide,
// by tags, whether the existing group is its own.
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
// (lbc-security-groups.md §3.5).
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
	return out, nil
}
