package service

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
)

// FactsSource is what Facts reads from AWS (state.Provider, or lbsg
// plan's offline stand-in).
type FactsSource interface {
	Subnets(ctx context.Context) ([]model.Subnet, error)
	ExistingLoadBalancer(ctx context.Context, st naming.Stack) (*plan.ObservedLB, error)
	VPCCIDRs(ctx context.Context) ([]string, error)
	ResolveManual(ctx context.Context, items []string) ([]string, error)
}

// Facts reads the AWS facts of svc's NLB model: subnets, the existing NLB,
// the VPC CIDRs when the NLB has (or gets) no SGs, and the resolved
// security-groups annotation. Nodes and Endpoints are the caller's. The
// reconciler and `lbsg plan` share it; it makes no per-stack read (the
// existing NLB comes from the batched listing).
func Facts(ctx context.Context, src FactsSource, svc *corev1.Service, stack naming.Stack, d model.Defaults) (model.Facts, error) {
	var f model.Facts
	var err error
	if f.Subnets, err = src.Subnets(ctx); err != nil {
		return f, err
	}
	lb, err := src.ExistingLoadBalancer(ctx, stack)
	if err != nil {
		return f, err
	}
	needCIDRs := svc.Annotations[annotations.SvcDisableNLBSG] == "true" || !d.NLBSecurityGroups
	if lb != nil {
		f.ExistingLB = &model.ExistingLB{Scheme: lb.Scheme, SecurityGroups: lb.SecurityGroups, Subnets: lb.Subnets}
		needCIDRs = len(lb.SecurityGroups) == 0
	}
	if needCIDRs {
		if f.VPCCIDRs, err = src.VPCCIDRs(ctx); err != nil {
			return f, err
		}
	}
	if raw, ok := svc.Annotations[annotations.SvcSecurityGroups]; ok && strings.TrimSpace(raw) != "" {
		cfg, _ := annotations.ParseService(map[string]string{annotations.SvcSecurityGroups: raw})
		ids, err := src.ResolveManual(ctx, cfg.SecurityGroups)
		if err != nil && awserr.Code(err) != "" {
			return f, err
		}
		f.ManualSecurityGroups, f.ManualSecurityGroupsErr = ids, err
	}
	return f, nil
}

// NodeSource is what NodeFacts reads from AWS.
type NodeSource interface {
	Instances(ctx context.Context, ids []string) (map[string]state.Instance, error)
	GroupTags(ctx context.Context, ids []string) (map[string]map[string]string, error)
}

// NodeFacts returns the model's view of nodes: each Node with an EC2
// provider ID whose instance exists, its primary ENI and that ENI's groups
// with their tags. The reconciler and `lbsg plan --live` share it.
func NodeFacts(ctx context.Context, src NodeSource, nodes []corev1.Node) ([]model.Node, error) {
	var ids []string
	for _, n := range nodes {
		if id := state.InstanceIDFromProviderID(n.Spec.ProviderID); id != "" {
			ids = append(ids, id)
		}
	}
	inst, err := src.Instances(ctx, ids)
	if err != nil {
		return nil, err
	}
	var groups []string
	for _, in := range inst {
		groups = append(groups, in.Groups...)
	}
	tags, err := src.GroupTags(ctx, groups)
	if err != nil {
		return nil, err
	}
	var out []model.Node
	for _, n := range nodes {
		id := state.InstanceIDFromProviderID(n.Spec.ProviderID)
		in, ok := inst[id]
		if !ok {
			continue
		}
		node := model.Node{Name: n.Name, InstanceID: id, ENIID: in.ENIID,
			Labels: n.Labels, Taints: n.Spec.Taints, Ready: model.NodeReadyStatus(&n)}
		for _, g := range in.Groups {
			node.SecurityGroups = append(node.SecurityGroups, model.SecurityGroupInfo{ID: g, Tags: tags[g]})
		}
		out = append(out, node)
	}
	return out, nil
}
