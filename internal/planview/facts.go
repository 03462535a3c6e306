package planview

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/controller/awsstate"
	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
	"github.com/lbsg/lbsg/internal/rules"
)

// Cloud is the read side of awsstate.Provider that a live plan needs.
type Cloud interface {
	Subnets(ctx context.Context) ([]model.Subnet, error)
	Snapshot(ctx context.Context, st naming.Stack) (plan.Snapshot, error)
	VPCCIDRs(ctx context.Context) ([]string, error)
	ResolveManual(ctx context.Context, items []string) ([]string, error)
	Instances(ctx context.Context, ids []string) (map[string]awsstate.Instance, error)
	GroupTags(ctx context.Context, ids []string) (map[string]map[string]string, error)
	FindBackendSG(ctx context.Context) (string, error)
	FindSecurityGroups(ctx context.Context, match func(tags map[string]string) bool) ([]*awsstate.SG, error)
}

var _ Cloud = (*awsstate.Provider)(nil)

// Placeholders for facts a plan without --live cannot know.
const (
	PlaceholderNodeSG    = "sg-<node>"
	PlaceholderBackendSG = "sg-<backend>"
)

// OfflineSubnets stand for the VPC's subnets when AWS is not read: one
// public and one private subnet in each of two zones.
func OfflineSubnets(cluster string) []model.Subnet {
	var out []model.Subnet
	for _, az := range []string{"a", "b"} {
		out = append(out,
			model.Subnet{ID: "<public-subnet-" + az + ">", AZ: "<zone-" + az + ">", CIDR: "10.0.0.0/24", AvailableIPs: 250,
				Tags: map[string]string{model.TagRoleELB: "1", naming.ClusterTagKey(cluster): "shared"}},
			model.Subnet{ID: "<private-subnet-" + az + ">", AZ: "<zone-" + az + ">", CIDR: "10.0.1.0/24", AvailableIPs: 250,
				Tags: map[string]string{model.TagRoleInternalELB: "1", naming.ClusterTagKey(cluster): "shared"}})
	}
	return out
}

// facts mirrors the service controller's facts(): the same reads, from a
// Cloud (nil: placeholders) and the given objects instead of the apiserver.
func facts(ctx context.Context, c Cloud, svc *corev1.Service, objs Objects, nodes []model.Node, d model.Defaults) (model.Facts, plan.Snapshot, error) {
	var f model.Facts
	var snap plan.Snapshot
	f.Nodes = nodes
	f.Endpoints = endpoints(objs.EndpointSlices, svc)
	needCIDRs := svc.Annotations[annotations.SvcDisableNLBSG] == "true" || !d.NLBSecurityGroups
	if c == nil {
		f.Subnets = OfflineSubnets(d.ClusterName)
		if needCIDRs {
			f.VPCCIDRs = []string{"10.0.0.0/16"}
		}
		if raw, ok := svc.Annotations[annotations.SvcSecurityGroups]; ok && strings.TrimSpace(raw) != "" {
			cfg, _ := annotations.ParseService(map[string]string{annotations.SvcSecurityGroups: raw})
			f.ManualSecurityGroups = cfg.SecurityGroups
		}
		return f, snap, nil
	}
	var err error
	if f.Subnets, err = c.Subnets(ctx); err != nil {
		return f, snap, err
	}
	if snap, err = c.Snapshot(ctx, naming.ServiceStack(svc.Namespace, svc.Name)); err != nil {
		return f, snap, err
	}
	if lb := snap.LoadBalancer; lb != nil {
		f.ExistingLB = &model.ExistingLB{Scheme: lb.Scheme, SecurityGroups: lb.SecurityGroups, Subnets: lb.Subnets}
		needCIDRs = len(lb.SecurityGroups) == 0
	}
	if needCIDRs {
		if f.VPCCIDRs, err = c.VPCCIDRs(ctx); err != nil {
			return f, snap, err
		}
	}
	if raw, ok := svc.Annotations[annotations.SvcSecurityGroups]; ok && strings.TrimSpace(raw) != "" {
		cfg, _ := annotations.ParseService(map[string]string{annotations.SvcSecurityGroups: raw})
		ids, err := c.ResolveManual(ctx, cfg.SecurityGroups)
		if err != nil && awserr.Code(err) != "" {
			return f, snap, err
		}
		f.ManualSecurityGroups, f.ManualSecurityGroupsErr = ids, err
	}
	return f, snap, nil
}

// Nodes is service.NodeFacts: each Node with an EC2 provider ID, its
// primary ENI and that ENI's SGs. Without a Cloud, every
// node gets the placeholder node SG tagged for the cluster.
func Nodes(ctx context.Context, c Cloud, list []corev1.Node, cluster string) ([]model.Node, error) {
	if c == nil {
		var out []model.Node
		for _, n := range list {
			id := awsstate.InstanceIDFromProviderID(n.Spec.ProviderID)
			if id == "" {
				continue
			}
			out = append(out, model.Node{Name: n.Name, InstanceID: id, ENIID: "<eni-of-" + id + ">",
				SecurityGroups: []model.SecurityGroupInfo{{ID: PlaceholderNodeSG, Tags: map[string]string{naming.ClusterTagKey(cluster): "owned"}}}})
		}
		return out, nil
	}
	return service.NodeFacts(ctx, c, list)
}

// endpoints keeps the slices of svc and reads them as the controller does.
func endpoints(all []discoveryv1.EndpointSlice, svc *corev1.Service) []model.Endpoint {
	var mine []discoveryv1.EndpointSlice
	for _, s := range all {
		if s.Namespace == svc.Namespace && s.Labels[discoveryv1.LabelServiceName] == svc.Name {
			mine = append(mine, s)
		}
	}
	return model.EndpointsFromSlices(mine)
}

// ownedRules returns the rules of sg owned by cluster (marker with its name).
func ownedRules(sg *awsstate.SG, cluster string) rules.Set {
	return sg.Ingress.Filter(naming.RulePredicate(cluster, false))
}
