package planview

import (
	"context"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/controller/gateway"
	"github.com/lbsg/lbsg/internal/controller/ingress"
	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
	"github.com/lbsg/lbsg/internal/rules"
)

// Cloud is the read side of state.Provider that a plan needs: what the
// reconcilers' fact readers (service.Facts, ingress.Facts, gateway.Facts,
// service.NodeFacts) read, plus the backend SG and the VPC's SGs.
type Cloud interface {
	service.FactsSource
	ingress.FactsSource
	gateway.FactsSource
	service.NodeSource
	Snapshot(ctx context.Context, st naming.Stack) (plan.Snapshot, error)
	FindBackendSG(ctx context.Context) (string, error)
	FindSecurityGroups(ctx context.Context, match func(tags map[string]string) bool) ([]*state.SG, error)
}

var _ Cloud = (*state.Provider)(nil)

// Placeholders for facts a plan without --live cannot know.
const (
	PlaceholderNodeSG    = "sg-<node>"
	PlaceholderBackendSG = "sg-<backend>"
	// placeholderVPCCIDR stands for the VPC's CIDR (rules of SG-less NLBs).
	placeholderVPCCIDR = "10.0.0.0/16"
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

// offline is the Cloud of a plan without --live: an empty account whose
// facts are placeholders. Every node is an instance with one ENI carrying
// the cluster-tagged placeholder node SG; security-groups items resolve to
// themselves (IDs as given, names as written).
type offline struct{ cluster string }

var _ Cloud = offline{}

func (o offline) Subnets(context.Context) ([]model.Subnet, error) {
	return OfflineSubnets(o.cluster), nil
}

func (offline) Snapshot(context.Context, naming.Stack) (plan.Snapshot, error) {
	return plan.Snapshot{}, nil
}

func (offline) ExistingLoadBalancer(context.Context, naming.Stack) (*plan.ObservedLB, error) {
	return nil, nil
}

func (offline) VPCCIDRs(context.Context) ([]string, error) { return []string{placeholderVPCCIDR}, nil }

func (offline) ResolveManual(_ context.Context, items []string) ([]string, error) { return items, nil }

func (offline) LookupSecurityGroups(_ context.Context, items []string) (model.SecurityGroupLookup, error) {
	l := model.SecurityGroupLookup{ByID: map[string]bool{}, ByName: map[string][]string{}}
	for _, it := range items {
		if strings.HasPrefix(it, "sg-") {
			l.ByID[it] = true
		} else {
			l.ByName[it] = []string{it}
		}
	}
	return l, nil
}

// TargetGroupARNsByName stands in an ARN naming each target group.
func (offline) TargetGroupARNsByName(_ context.Context, names []string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range names {
		out[n] = "<arn-of-target-group-" + n + ">"
	}
	return out, nil
}

// Certificates stand in one certificate per host, named after it.
func (offline) Certificates(_ context.Context, _ string, hosts []string) ([]model.Certificate, error) {
	out := make([]model.Certificate, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, model.Certificate{ARN: "<arn-of-certificate-for-" + h + ">", Domains: []string{h}})
	}
	return out, nil
}

// TrustStoreARNsByName stands in an ARN naming each trust store.
func (offline) TrustStoreARNsByName(_ context.Context, names []string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range names {
		out[n] = "<arn-of-trust-store-" + n + ">"
	}
	return out, nil
}

// WebACLARNsByName stands in an ARN naming each WAFv2 web ACL.
func (offline) WebACLARNsByName(_ context.Context, names []string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range names {
		out[n] = "<arn-of-web-acl-" + n + ">"
	}
	return out, nil
}

func (offline) Instances(_ context.Context, ids []string) (map[string]state.Instance, error) {
	out := map[string]state.Instance{}
	for _, id := range ids {
		out[id] = state.Instance{ID: id, ENIID: "<eni-of-" + id + ">", Groups: []string{PlaceholderNodeSG}}
	}
	return out, nil
}

func (o offline) GroupTags(_ context.Context, ids []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, id := range ids {
		out[id] = map[string]string{naming.ClusterTagKey(o.cluster): "owned"}
	}
	return out, nil
}

func (offline) FindBackendSG(context.Context) (string, error) { return "", nil }

func (offline) FindSecurityGroups(context.Context, func(map[string]string) bool) ([]*state.SG, error) {
	return nil, nil
}

// Nodes is service.NodeFacts over c (nil: the offline placeholders, with
// offlineNodes).
func Nodes(ctx context.Context, c Cloud, list []corev1.Node, cluster string) ([]model.Node, error) {
	if c == nil {
		c, list = offline{cluster: cluster}, offlineNodes(list)
	}
	return service.NodeFacts(ctx, c, list)
}

// offlineNodes are list as planned from manifests or offline: a Node
// without a Ready condition (a manifest's Node has no status) is planned as
// Ready, as its kubelet would report it; a written condition is taken as
// it is. The cluster's Nodes (plan --live with a kubeconfig) carry theirs.
func offlineNodes(list []corev1.Node) []corev1.Node {
	out := make([]corev1.Node, len(list))
	for i := range list {
		out[i] = *list[i].DeepCopy()
		if model.NodeReadyStatus(&out[i]) == "" {
			out[i].Status.Conditions = append(out[i].Status.Conditions,
				corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionTrue})
		}
	}
	return out
}

// ownedRules returns the rules of sg owned by cluster (marker with its name).
func ownedRules(sg *state.SG, cluster string) rules.Set {
	return sg.Ingress.Filter(naming.RulePredicate(cluster, false))
}
