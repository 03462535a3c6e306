package cli

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/audit"
	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/planview"
	"github.com/lbsg/lbsg/internal/rules"
	"github.com/lbsg/lbsg/internal/targetgroupbinding"
)

// auditBindings judges the cluster's TargetGroupBindings as the controller
// does (targetgroupbinding.Check) and adds the networking rules of those it
// serves to s.DesiredRules, so they are not called leaked. Target groups
// are found among the VPC's (listed) or asked for by ARN or name (another
// VPC, or another account through the binding's role). It returns the
// bindings it serves, whose targets auditTargets judges.
func auditBindings(ctx context.Context, s *audit.Snapshot, prov *state.Provider, clients *awsapi.Clients, kube client.Reader,
	objs planview.Objects, tgs []elbv2.TargetGroup, d model.Defaults,
) ([]servedBinding, error) {
	var list v1beta1.TargetGroupBindingList
	if err := kube.List(ctx, &list); err != nil {
		if noCRD(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("listing targetgroupbindings: %w", err)
	}
	var served []servedBinding
	byARN, byName := map[string]elbv2.TargetGroup{}, map[string]elbv2.TargetGroup{}
	for _, tg := range tgs {
		byARN[tg.ARN], byName[tg.Name] = tg, tg
	}
	var nodes []model.Node
	for i := range list.Items {
		b := &list.Items[i]
		if targetgroupbinding.LBCStackBinding(b) || !b.DeletionTimestamp.IsZero() {
			continue
		}
		key := b.Namespace + "/" + b.Name
		tg, err := bindingTargetGroup(ctx, clients, b, byARN, byName)
		if err != nil {
			s.Incomplete = true // its rules are unknown
			continue
		}
		res, problem := targetgroupbinding.Check(b, tg, prov.VPCID())
		if problem != nil {
			if s.Bindings == nil {
				s.Bindings = map[string]audit.BindingProblem{}
			}
			s.Bindings[key] = audit.BindingProblem{Reason: problem.Reason, Message: problem.Message}
			continue
		}
		served = append(served, servedBinding{b: b, tg: tg, res: res})
		if b.Spec.Networking == nil || len(b.Spec.Networking.Ingress) == 0 {
			continue
		}
		if nodes == nil {
			if nodes, err = service.NodeFacts(ctx, prov, objs.Nodes); err != nil {
				return nil, err
			}
		}
		in, err := bindingRuleInput(ctx, kube, b, res, objs, nodes, d)
		if err != nil {
			s.Incomplete = true
			continue
		}
		sets, _, err := targetgroupbinding.Rules(b, in)
		if err != nil {
			s.Incomplete = true
			continue
		}
		if s.DesiredRules == nil {
			s.DesiredRules = map[string]rules.Set{}
		}
		for sg, set := range sets {
			s.DesiredRules[sg] = s.DesiredRules[sg].Union(set)
		}
	}
	return served, nil
}

func bindingTargetGroup(ctx context.Context, clients *awsapi.Clients, b *v1beta1.TargetGroupBinding,
	byARN, byName map[string]elbv2.TargetGroup,
) (*targetgroupbinding.TargetGroup, error) {
	var tg *elbv2.TargetGroup
	if b.Spec.IamRoleArnToAssume == "" {
		if t, ok := byARN[b.Spec.TargetGroupARN]; ok {
			tg = &t
		} else if t, ok := byName[b.Spec.TargetGroupName]; ok && b.Spec.TargetGroupARN == "" {
			tg = &t
		}
	}
	if tg == nil {
		api := elbv2.New(clients.ELBV2As(b.Spec.IamRoleArnToAssume, b.Spec.AssumeRoleExternalId))
		var err error
		if b.Spec.TargetGroupARN != "" {
			tg, err = api.TargetGroupByARN(ctx, b.Spec.TargetGroupARN)
		} else if b.Spec.TargetGroupName != "" {
			tg, err = api.TargetGroupNamed(ctx, b.Spec.TargetGroupName)
		}
		if err != nil || tg == nil {
			return nil, err
		}
	}
	return targetgroupbinding.FromCloud(tg), nil
}

func bindingRuleInput(ctx context.Context, kube client.Reader, b *v1beta1.TargetGroupBinding, res targetgroupbinding.Resolved,
	objs planview.Objects, nodes []model.Node, d model.Defaults,
) (targetgroupbinding.RuleInput, error) {
	in := targetgroupbinding.RuleInput{Resolved: res, Nodes: nodes, Cluster: d.ClusterName, TargetSGTags: d.TargetSGTags}
	var svc *corev1.Service
	for i := range objs.Services {
		if objs.Services[i].Namespace == b.Namespace && objs.Services[i].Name == b.Spec.ServiceRef.Name {
			svc = &objs.Services[i]
		}
	}
	if svc == nil {
		return in, nil // no targets: no rules
	}
	var slices []discoveryv1.EndpointSlice
	for _, sl := range objs.EndpointSlices {
		if sl.Namespace == b.Namespace && sl.Labels[discoveryv1.LabelServiceName] == svc.Name {
			slices = append(slices, sl)
		}
	}
	in.Endpoints = model.EndpointsFromSlices(slices)
	in.Port, _ = targetgroupbinding.ServicePort(b, svc)
	if res.TargetType == v1beta1.TargetTypeInstance {
		sel, err := targetgroupbinding.SelectedNodes(b, nodes)
		if err != nil {
			return in, err
		}
		in.Selected = sel
	}
	if targetgroupbinding.NamedPorts(b) && res.TargetType == v1beta1.TargetTypeIP {
		var pods corev1.PodList
		if err := kube.List(ctx, &pods, client.InNamespace(b.Namespace)); err != nil {
			return in, err
		}
		in.Pods = map[string]*corev1.Pod{}
		for i := range pods.Items {
			in.Pods[pods.Items[i].Name] = &pods.Items[i]
		}
	}
	return in, nil
}
