package targetgroupbinding

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/rules"
)

// RuleInput is what Rules needs besides the binding.
type RuleInput struct {
	Resolved Resolved
	// Port is the binding's Service port (instance: its NodePort is the
	// target port).
	Port corev1.ServicePort
	// Nodes are the cluster's nodes; Selected the instance targets; and
	// Endpoints the ip targets' endpoints.
	Nodes     []model.Node
	Selected  []model.Node
	Endpoints []model.Endpoint
	// Pods by name, for named ports of ip targets (nil when none is named).
	Pods map[string]*corev1.Pod
	// Cluster and TargetSGTags choose each node's target SG and mark the
	// rules (lbsg's cluster marker).
	Cluster      string
	TargetSGTags map[string]string
}

// Rules are the binding's networking rules per target SG: every
// (peer, port) pair of every ingress rule, on the SG of the primary ENI of
// every node with a target (model.ChooseTargetSG, as for Services).
// A port left out is every port; a named port is resolved on each ip
// target's pod (an unresolved name is skipped for that pod) and is an
// error for instance targets, as in LBC. Warnings are the nodes whose SG
// is ambiguous.
func Rules(b *v1beta1.TargetGroupBinding, in RuleInput) (map[string]rules.Set, []string, error) {
	if b.Spec.Networking == nil || len(b.Spec.Networking.Ingress) == 0 {
		return nil, nil, nil
	}
	desc := naming.RuleDescription(in.Cluster)
	nodes := map[string]model.Node{}
	for _, n := range in.Nodes {
		nodes[n.Name] = n
	}
	// The targets' nodes and, for ip targets, the pods on each.
	type host struct {
		node model.Node
		pods []string
	}
	hosts := map[string]*host{}
	if in.Resolved.TargetType == v1beta1.TargetTypeInstance {
		for _, n := range in.Selected {
			hosts[n.Name] = &host{node: n}
		}
	} else {
		for _, e := range in.Endpoints {
			n, ok := nodes[e.NodeName]
			if !ok {
				continue
			}
			if hosts[n.Name] == nil {
				hosts[n.Name] = &host{node: n}
			}
			hosts[n.Name].pods = append(hosts[n.Name].pods, e.Pod)
		}
	}
	out := map[string]rules.Set{}
	var warns []string
	names := make([]string, 0, len(hosts))
	for name := range hosts {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		h := hosts[name]
		sg, err := model.ChooseTargetSG(h.node.ENIID, h.node.SecurityGroups, in.Cluster, in.TargetSGTags)
		if err != nil {
			warns = append(warns, fmt.Sprintf("node %s: %v", name, err))
			continue
		}
		for _, rule := range b.Spec.Networking.Ingress {
			for _, from := range rule.From {
				peer := ""
				switch {
				case from.IPBlock != nil:
					peer = from.IPBlock.CIDR
				case from.SecurityGroup != nil:
					peer = from.SecurityGroup.GroupID
				default:
					return nil, nil, fmt.Errorf("networking peer must specify either ipBlock or securityGroup")
				}
				ports := rule.Ports
				if len(ports) == 0 {
					ports = []v1beta1.NetworkingPort{{}}
				}
				for _, p := range ports {
					proto := rules.TCP
					if p.Protocol != nil && *p.Protocol == v1beta1.NetworkingProtocolUDP {
						proto = rules.UDP
					}
					ranges, err := portRanges(p.Port, in, h.pods)
					if err != nil {
						return nil, nil, err
					}
					for _, r := range ranges {
						k, err := rules.NewKey(proto, r[0], r[1], peer)
						if err != nil {
							return nil, nil, fmt.Errorf("networking rule from %s: %w", peer, err)
						}
						if out[sg] == nil {
							out[sg] = rules.Set{}
						}
						out[sg].Add(k, desc)
					}
				}
			}
		}
	}
	return out, warns, nil
}

// portRanges resolves one NetworkingPort for the pods of one node.
func portRanges(port *intstr.IntOrString, in RuleInput, pods []string) ([][2]int32, error) {
	if port == nil {
		return [][2]int32{{0, rules.MaxPort}}, nil
	}
	if port.Type == intstr.Int {
		return [][2]int32{{port.IntVal, port.IntVal}}, nil
	}
	if in.Resolved.TargetType == v1beta1.TargetTypeInstance {
		return nil, fmt.Errorf("named ports can only be used with pod endpoints")
	}
	var out [][2]int32
	for _, name := range pods {
		pod := in.Pods[name]
		if pod == nil {
			continue
		}
		for _, c := range pod.Spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == port.StrVal {
					out = append(out, [2]int32{cp.ContainerPort, cp.ContainerPort})
				}
			}
		}
	}
	return out, nil
}

// NamedPorts reports whether some networking port is a name (the pods
// must then be read).
func NamedPorts(b *v1beta1.TargetGroupBinding) bool {
	if b.Spec.Networking == nil {
		return false
	}
	for _, r := range b.Spec.Networking.Ingress {
		for _, p := range r.Ports {
			if p.Port != nil && p.Port.Type == intstr.String {
				return true
			}
		}
	}
	return false
}
