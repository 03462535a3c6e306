package model

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/lbsg/lbsg/internal/gwconfig"
)

// instanceNodes are the instance targets of a Gateway target group whose
// settings are props: TargetNodes among the nodes its nodeSelector selects
// (all without one), as LBC's TargetGroupBinding nodeSelector.
func (b *gwBuilder) instanceNodes(props *gwconfig.TargetGroupProps) ([]Node, error) {
	if props == nil || props.NodeSelector == nil {
		return TargetNodes(b.f.Nodes, nil), nil
	}
	sel, err := metav1.LabelSelectorAsSelector(props.NodeSelector)
	if err != nil {
		return nil, fmt.Errorf("invalid nodeSelector: %w", err)
	}
	var picked []Node
	for _, n := range b.f.Nodes {
		if sel.Matches(labels.Set(n.Labels)) {
			picked = append(picked, n)
		}
	}
	return TargetNodes(picked, nil), nil
}

// nameAndShare applies a TargetGroupConfiguration's targetGroupName (LBC
// uses it as given; two target groups of one Gateway may not share it,
// since AWS would hand both the same group) and enableMultiCluster (the
// group is shared with other clusters: lbsg deregisters only the targets
// it registered, as for the Service and Ingress annotation).
func (b *gwBuilder) nameAndShare(tg *TargetGroup, props *gwconfig.TargetGroupProps) error {
	if props.TargetGroupName != nil {
		tg.Name = *props.TargetGroupName
		for _, other := range b.st.TargetGroups {
			if other.Name == tg.Name && other.ResourceID != tg.ResourceID {
				return fmt.Errorf("targetGroupName %q is given to two target groups (%s and %s): each needs its own name",
					tg.Name, other.ResourceID, tg.ResourceID)
			}
		}
	}
	tg.MultiCluster = props.EnableMultiCluster != nil && *props.EnableMultiCluster
	return nil
}
