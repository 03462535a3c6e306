package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/audit"
	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/multicluster"
	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/planview"
	"github.com/lbsg/lbsg/internal/targetgroupbinding"
)

// servedBinding is a TargetGroupBinding lbsg serves (its target group
// passed targetgroupbinding.Check).
type servedBinding struct {
	b   *v1beta1.TargetGroupBinding
	tg  *targetgroupbinding.TargetGroup
	res targetgroupbinding.Resolved
}

// auditTargets gathers the target groups whose targets the cluster
// decides — its stacks' (the model's targets, registrations as the stacks'
// Snapshots read them) and those its served bindings bind
// (targetgroupbinding.Targets, and one DescribeTargetHealth per group not
// already read, through the binding's role) — with the records of their
// multi-cluster ones. A group is read once however many owners it has; a
// group an owner's targets cannot be computed for is left alone.
func auditTargets(ctx context.Context, prov *state.Provider, clients *awsapi.Clients, kube client.Reader,
	objs planview.Objects, stacks []planview.StackTargets, served []servedBinding,
) ([]audit.OwnedTargetGroup, error) {
	byARN := map[string]*audit.OwnedTargetGroup{}
	group := func(arn, name string) *audit.OwnedTargetGroup {
		g := byARN[arn]
		if g == nil {
			g = &audit.OwnedTargetGroup{ARN: arn, Name: name}
			byARN[arn] = g
		}
		return g
	}
	for _, st := range stacks {
		g := group(st.ARN, st.Name)
		g.Owners = append(g.Owners, st.Stack.String())
		g.Registered = append(g.Registered, auditTargetsOf(st.Registered)...)
		if st.LeftAlone != "" {
			g.LeftAlone = st.Stack.String() + ": " + st.LeftAlone
			continue
		}
		g.Explained = append(g.Explained, auditTargetsOf(st.Wanted)...)
		if st.MultiCluster {
			ns, _, _ := strings.Cut(st.ResourceID, "/")
			if err := addRecord(ctx, kube, g, ns, st.Name); err != nil {
				return nil, err
			}
		}
	}
	var nodes []model.Node
	for _, sb := range served {
		b := sb.b
		g := group(sb.tg.ARN, sb.tg.Name)
		read := len(g.Owners) > 0 // a stack's Snapshot read it
		g.Owners = append(g.Owners, "targetgroupbinding "+b.Namespace+"/"+b.Name)
		if !read {
			ths, err := elbv2.New(clients.ELBV2As(b.Spec.IamRoleArnToAssume, b.Spec.AssumeRoleExternalId)).Targets(ctx, sb.tg.ARN)
			switch {
			case awserr.Classify(err) == awserr.NotFound:
				g.LeftAlone = "its target group is gone"
			case err != nil:
				return nil, fmt.Errorf("reading the targets of %s: %w", sb.tg.ARN, err)
			}
			for _, th := range ths {
				g.Registered = append(g.Registered, audit.Target{ID: th.ID, Port: th.Port, State: th.State})
			}
		}
		if nodes == nil && sb.res.TargetType == v1beta1.TargetTypeInstance {
			var err error
			if nodes, err = service.NodeFacts(ctx, prov, objs.Nodes); err != nil {
				return nil, err
			}
		}
		want, err := bindingTargets(sb, objs, nodes)
		if err != nil {
			g.LeftAlone = fmt.Sprintf("the targets of targetgroupbinding %s/%s are unknown: %v", b.Namespace, b.Name, err)
			continue
		}
		g.Explained = append(g.Explained, auditTargetsOf(want)...)
		if b.Spec.MultiClusterTargetGroup {
			if err := addRecord(ctx, kube, g, b.Namespace, b.Name); err != nil {
				return nil, err
			}
		}
	}
	out := make([]audit.OwnedTargetGroup, 0, len(byARN))
	for _, arn := range slices.Sorted(maps.Keys(byARN)) {
		g := byARN[arn]
		slices.Sort(g.Owners)
		out = append(out, *g)
	}
	return out, nil
}

// bindingTargets are the targets the binding wants, as the binding
// controller computes them (an unready pod held back only by its readiness
// gates counts: objs.Pods holds the pods of unready endpoints); a missing
// Service or port wants none.
func bindingTargets(sb servedBinding, objs planview.Objects, nodes []model.Node) ([]model.Target, error) {
	b := sb.b
	var svc *corev1.Service
	for i := range objs.Services {
		if objs.Services[i].Namespace == b.Namespace && objs.Services[i].Name == b.Spec.ServiceRef.Name {
			svc = &objs.Services[i]
		}
	}
	var eps []model.Endpoint
	if svc != nil && sb.res.TargetType == v1beta1.TargetTypeIP {
		eps = planview.Endpoints(objs, b.Namespace, svc.Name)
	}
	want, err := targetgroupbinding.Targets(b, sb.res, svc, nodes, eps)
	if errors.Is(err, targetgroupbinding.ErrBackendNotFound) {
		return nil, nil
	}
	return want, err
}

// addRecord adds this cluster's record of g's targets (ConfigMap
// aws-lbc-targets-<name> in namespace ns), if there is one, and marks g
// multi-cluster.
func addRecord(ctx context.Context, kube client.Reader, g *audit.OwnedTargetGroup, ns, name string) error {
	g.MultiCluster = true
	ts, ok, err := multicluster.Read(ctx, kube, ns, name)
	if err != nil || !ok {
		return err
	}
	g.Recorded = append(g.Recorded, auditTargetsOf(ts)...)
	g.Records = append(g.Records, ns+"/"+multicluster.Name(name))
	return nil
}

func auditTargetsOf(ts []model.Target) []audit.Target {
	out := make([]audit.Target, 0, len(ts))
	for _, t := range ts {
		out = append(out, audit.Target{ID: t.ID, Port: t.Port})
	}
	return out
}

// gatedPods reads the pods of the unready, not terminating endpoints of
// slices (each once; one gone is left out): the model registers such a pod
// when only its readiness gates hold it back, as the controllers do.
func gatedPods(ctx context.Context, kube client.Reader, eps []discoveryv1.EndpointSlice) ([]corev1.Pod, error) {
	var out []corev1.Pod
	seen := map[client.ObjectKey]bool{}
	for _, sl := range eps {
		for _, e := range sl.Endpoints {
			if e.Conditions.Ready == nil || *e.Conditions.Ready || (e.Conditions.Terminating != nil && *e.Conditions.Terminating) ||
				e.TargetRef == nil || e.TargetRef.Kind != "Pod" {
				continue
			}
			key := client.ObjectKey{Namespace: cmp.Or(e.TargetRef.Namespace, sl.Namespace), Name: e.TargetRef.Name}
			if seen[key] {
				continue
			}
			seen[key] = true
			var pod corev1.Pod
			if err := kube.Get(ctx, key, &pod); err != nil {
				if apierrors.IsNotFound(err) {
					continue
				}
				return nil, fmt.Errorf("reading pod %s: %w", key, err)
			}
			out = append(out, pod)
		}
	}
	return out, nil
}
