package tgb

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/targetgroupbinding"
)

// Owner lists binding stacks for deploy.Owners: every binding must have
// reported its rules before the targetsg controller revokes any.
type Owner struct {
	Kube client.Reader
}

// Stacks returns the stack of every binding.
func (o Owner) Stacks(ctx context.Context) ([]naming.Stack, error) {
	var list v1beta1.TargetGroupBindingList
	if err := o.Kube.List(ctx, &list); err != nil {
		return nil, err
	}
	out := make([]naming.Stack, 0, len(list.Items))
	for i := range list.Items {
		b := &list.Items[i]
		if !targetgroupbinding.LBCStackBinding(b) {
			out = append(out, naming.TargetGroupBindingStack(b.Namespace, b.Name))
		}
	}
	return out, nil
}

// Objects returns the binding of a binding stack.
func (o Owner) Objects(ctx context.Context, st naming.Stack) ([]client.Object, error) {
	if st.Kind != naming.KindTargetGroupBinding {
		return nil, nil
	}
	b := &v1beta1.TargetGroupBinding{}
	if err := o.Kube.Get(ctx, client.ObjectKey{Namespace: st.Namespace, Name: st.Name}, b); err != nil {
		return nil, err
	}
	return []client.Object{b}, nil
}
