package service

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/controller/awsstate"
	"github.com/lbsg/lbsg/internal/model"
)

// NodeSource is what NodeFacts reads from AWS.
type NodeSource interface {
	Instances(ctx context.Context, ids []string) (map[string]awsstate.Instance, error)
	GroupTags(ctx context.Context, ids []string) (map[string]map[string]string, error)
}

// NodeFacts returns the model's view of nodes: each Node with an EC2
// provider ID whose instance exists, its primary ENI and that ENI's groups
// with their tags. The reconciler and `lbsg plan --live` share it.
func NodeFacts(ctx context.Context, src NodeSource, nodes []corev1.Node) ([]model.Node, error) {
	var ids []string
	for _, n := range nodes {
		if id := awsstate.InstanceIDFromProviderID(n.Spec.ProviderID); id != "" {
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
		id := awsstate.InstanceIDFromProviderID(n.Spec.ProviderID)
		in, ok := inst[id]
		if !ok {
			continue
		}
		node := model.Node{Name: n.Name, InstanceID: id, ENIID: in.ENIID}
		for _, g := range in.Groups {
			node.SecurityGroups = append(node.SecurityGroups, model.SecurityGroupInfo{ID: g, Tags: tags[g]})
		}
		out = append(out, node)
	}
	return out, nil
}
