package ec2

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/rules"
)

// NewGroup is a security group to create.
type NewGroup struct {
	VPCID, Name, Description string
	// Tags are written by the create call itself (TagSpecifications), so no
	// crash can leave an untagged, hence unowned, group behind
	// (kubernetes/kubernetes#11882).
	Tags map[string]string
}

// CreateSecurityGroup creates the group with its tags in one call and
// returns its ID. A name already used in the VPC fails with EC2's
// InvalidGroup.Duplicate (awserr.Duplicate); the caller decides whether the
// group found by that name is its own (naming.OwnsSecurityGroup).
func (p *Provider) CreateSecurityGroup(ctx context.Context, g NewGroup) (string, error) {
	in := &awsec2.CreateSecurityGroupInput{
		VpcId:       aws.String(g.VPCID),
		GroupName:   aws.String(g.Name),
		Description: aws.String(g.Description),
	}
	if len(g.Tags) > 0 {
		in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup, Tags: sdkTags(g.Tags)}}
	}
	out, err := p.api.CreateSecurityGroup(ctx, in)
	if err != nil {
		return "", fmt.Errorf("creating security group %s in %s: %w", g.Name, g.VPCID, err)
	}
	return aws.ToString(out.GroupId), nil
}

// DeleteSecurityGroup deletes a group; one that is already gone is success.
// DependencyViolation (still attached or referenced) is returned for the
// caller to requeue; nothing here waits.
func (p *Provider) DeleteSecurityGroup(ctx context.Context, id string) error {
	_, err := p.api.DeleteSecurityGroup(ctx, &awsec2.DeleteSecurityGroupInput{GroupId: aws.String(id)})
	if err != nil && !awserr.Is(err, awserr.EC2InvalidGroupNotFound) {
		return fmt.Errorf("deleting security group %s: %w", id, err)
	}
	return nil
}

// AuthorizeIngress adds the rules to the group in ONE call carrying every
// permission. If EC2 answers InvalidPermission.Duplicate (a rule appeared
// since the caller's read), the group is re-read and the call repeated once
// with only the rules still missing.
func (p *Provider) AuthorizeIngress(ctx context.Context, id string, add rules.Set) error {
	if len(add) == 0 {
		return nil
	}
	err := p.Authorize(ctx, id, add)
	if err == nil || awserr.Classify(err) != awserr.Duplicate {
		return err
	}
	g, rerr := p.SecurityGroup(ctx, id)
	if rerr != nil {
		return errors.Join(err, rerr)
	}
	missing := add.Minus(g.Ingress)
	if len(missing) == 0 {
		return nil
	}
	return p.Authorize(ctx, id, missing)
}

// Authorize adds the rules to the group in ONE call carrying every
// permission, and nothing else: no read, no retry (AuthorizeIngress is the
// form that re-reads on InvalidPermission.Duplicate).
func (p *Provider) Authorize(ctx context.Context, id string, add rules.Set) error {
	return ingressCall(id, add, "authorizing %d rules on %s: %w", func(perms []ec2types.IpPermission) error {
		_, err := p.api.AuthorizeSecurityGroupIngress(ctx, &awsec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: perms})
		return err
	})
}

// ingressCall sends one call carrying every rule of s (none: no call),
// errors worded by format (count, group, cause).
func ingressCall(id string, s rules.Set, format string, call func([]ec2types.IpPermission) error) error {
	if len(s) == 0 {
		return nil
	}
	perms, err := ToSDK(s)
	if err == nil {
		err = call(perms)
	}
	if err != nil {
		return fmt.Errorf(format, len(s), id, err)
	}
	return nil
}

// RevokeIngress removes rules from the group, never from a stale view
// (LBC #4889): it re-reads the group first and revokes, in ONE call, only the
// rules of remove that are still there and whose CURRENT description owns
// accepts (naming.OwnsRule bound to the cluster, or rules.OwnsAll for a group
// lbsg owns whole). It returns what it revoked. If EC2 answers
// InvalidPermission.NotFound (a rule vanished meanwhile), it re-reads and
// tries once more.
func (p *Provider) RevokeIngress(ctx context.Context, id string, remove rules.Set, owns func(desc string) bool) (rules.Set, error) {
	if len(remove) == 0 {
		return rules.Set{}, nil
	}
	if owns == nil {
		return rules.Set{}, fmt.Errorf("revoking rules on %s: no ownership predicate", id)
	}
	var lastErr error
	for range 2 {
		g, err := p.SecurityGroup(ctx, id)
		if err != nil {
			return rules.Set{}, errors.Join(lastErr, fmt.Errorf("re-reading %s before revoking: %w", id, err))
		}
		gone := g.Ingress.Intersect(remove).Filter(owns)
		if len(gone) == 0 {
			return rules.Set{}, nil
		}
		err = p.Revoke(ctx, id, gone)
		if err == nil {
			return gone, nil
		}
		lastErr = err
		if awserr.Classify(err) != awserr.NotFound || awserr.Is(err, awserr.EC2InvalidGroupNotFound) {
			return rules.Set{}, lastErr
		}
	}
	return rules.Set{}, lastErr
}

// Revoke removes the rules from the group in ONE call, as given: no read
// first. The caller has just read the group fresh (LBC #4889) and kept to
// the rules it owns; RevokeIngress is the form that reads for itself.
func (p *Provider) Revoke(ctx context.Context, id string, remove rules.Set) error {
	return ingressCall(id, remove, "revoking %d rules on %s: %w", func(perms []ec2types.IpPermission) error {
		_, err := p.api.RevokeSecurityGroupIngress(ctx, &awsec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(id), IpPermissions: perms})
		return err
	})
}

// UpdateIngressDescriptions rewrites the descriptions of existing rules in
// one call; the keys of set say which rules, its values the new descriptions.
// Like a revoke it acts on the rules' identity, so InvalidPermission.NotFound
// (a rule vanished) is returned for the caller to re-plan.
func (p *Provider) UpdateIngressDescriptions(ctx context.Context, id string, set rules.Set) error {
	return ingressCall(id, set, "updating %d rule descriptions on %s: %w", func(perms []ec2types.IpPermission) error {
		_, err := p.api.UpdateSecurityGroupRuleDescriptionsIngress(ctx, &awsec2.UpdateSecurityGroupRuleDescriptionsIngressInput{
			GroupId: aws.String(id), IpPermissions: perms})
		return err
	})
}

// CreateTags sets (adds or overwrites) tags on EC2 resources in one call.
func (p *Provider) CreateTags(ctx context.Context, ids []string, tags map[string]string) error {
	if len(ids) == 0 || len(tags) == 0 {
		return nil
	}
	_, err := p.api.CreateTags(ctx, &awsec2.CreateTagsInput{Resources: ids, Tags: sdkTags(tags)})
	if err != nil {
		return fmt.Errorf("tagging %v: %w", ids, err)
	}
	return nil
}

// DeleteTags removes tag keys, whatever their values, from EC2 resources in
// one call. An empty keys list does nothing (EC2 would delete every tag).
func (p *Provider) DeleteTags(ctx context.Context, ids []string, keys []string) error {
	if len(ids) == 0 || len(keys) == 0 {
		return nil
	}
	tags := make([]ec2types.Tag, len(keys))
	for i, k := range keys {
		tags[i] = ec2types.Tag{Key: aws.String(k)}
	}
	_, err := p.api.DeleteTags(ctx, &awsec2.DeleteTagsInput{Resources: ids, Tags: tags})
	if err != nil {
		return fmt.Errorf("removing tags %v from %v: %w", keys, ids, err)
	}
	return nil
}
