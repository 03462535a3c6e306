package targetgroupbinding

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/model"
)

// ErrBackendNotFound: the Service or its port does not exist (LBC's
// BackendNotFound: the binding then wants no target).
var ErrBackendNotFound = errors.New("backend not found")

// ServicePort finds the binding's port on svc: by name when the reference
// is a name, else by number.
func ServicePort(b *v1beta1.TargetGroupBinding, svc *corev1.Service) (corev1.ServicePort, error) {
	ref := b.Spec.ServiceRef.Port
	for _, p := range svc.Spec.Ports {
		if (ref.Type == intstr.String && p.Name == ref.StrVal) || (ref.Type == intstr.Int && p.Port == ref.IntVal) {
			return p, nil
		}
	}
	return corev1.ServicePort{}, fmt.Errorf("%w: unable to find port %s on service %s/%s", ErrBackendNotFound, ref.String(), svc.Namespace, svc.Name)
}

// NodeSelector is the binding's instance-target node selector: LBC merges
// spec.nodeSelector with its defaults (control-plane, exclusion labels,
// Fargate), which model.NodeTargetable applies.
func NodeSelector(b *v1beta1.TargetGroupBinding) (labels.Selector, error) {
	if b.Spec.NodeSelector == nil {
		return labels.Everything(), nil
	}
	return metav1.LabelSelectorAsSelector(b.Spec.NodeSelector)
}

// SelectedNodes are the nodes the binding registers as instance targets:
// model.TargetNodes (the NLB rules: targetable, Ready, fail-open on
// Unknown) among those matching the binding's nodeSelector.
func SelectedNodes(b *v1beta1.TargetGroupBinding, nodes []model.Node) ([]model.Node, error) {
	sel, err := NodeSelector(b)
	if err != nil {
		return nil, err
	}
	var matching []model.Node
	for _, n := range nodes {
		if sel.Matches(labels.Set(n.Labels)) {
			matching = append(matching, n)
		}
	}
	return model.TargetNodes(matching, nil), nil
}

// Targets are the targets the binding wants: instance → every selected
// node on the Service port's NodePort; ip → every ready endpoint address
// of the target group's family on the port the EndpointSlice gives the
// Service port (else its numeric targetPort). Sorted, without duplicates.
func Targets(b *v1beta1.TargetGroupBinding, r Resolved, svc *corev1.Service, nodes []model.Node, eps []model.Endpoint) ([]model.Target, error) {
	if svc == nil {
		return nil, fmt.Errorf("%w: service %s/%s not found", ErrBackendNotFound, b.Namespace, b.Spec.ServiceRef.Name)
	}
	p, err := ServicePort(b, svc)
	if err != nil {
		return nil, err
	}
	var out []model.Target
	switch r.TargetType {
	case v1beta1.TargetTypeInstance:
		if svc.Spec.Type != corev1.ServiceTypeNodePort && svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
			return nil, fmt.Errorf("service type must be either 'NodePort' or 'LoadBalancer': %s/%s", svc.Namespace, svc.Name)
		}
		sel, err := SelectedNodes(b, nodes)
		if err != nil {
			return nil, err
		}
		for _, n := range sel {
			out = append(out, model.Target{ID: n.InstanceID, Port: p.NodePort})
		}
	default:
		v6 := r.IPAddressType == v1beta1.TargetGroupIPAddressTypeIPv6
		for _, e := range eps {
			a, err := netip.ParseAddr(e.IP)
			if err != nil || a.Is6() != v6 {
				continue
			}
			if port, ok := endpointPort(p, e); ok {
				out = append(out, model.Target{ID: e.IP, Port: port})
			}
		}
	}
	return Normalize(out), nil
}

func endpointPort(p corev1.ServicePort, e model.Endpoint) (int32, bool) {
	if port, ok := e.Ports[p.Name]; ok {
		return port, true
	}
	if p.TargetPort.Type == intstr.Int {
		if p.TargetPort.IntVal != 0 {
			return p.TargetPort.IntVal, true
		}
		return p.Port, true
	}
	return 0, false
}

// Normalize sorts targets by ID and port and drops duplicates (and the
// fields that do not identify a registration).
func Normalize(ts []model.Target) []model.Target {
	out := make([]model.Target, 0, len(ts))
	for _, t := range ts {
		out = append(out, model.Target{ID: t.ID, Port: t.Port})
	}
	slices.SortFunc(out, func(a, b model.Target) int { return cmp.Or(strings.Compare(a.ID, b.ID), cmp.Compare(a.Port, b.Port)) })
	return slices.Compact(out)
}

// Diff says what to register (in want, not in have) and deregister (in
// have, not in want); both inputs normalized.
func Diff(have, want []model.Target) (register, deregister []model.Target) {
	in := func(set []model.Target, t model.Target) bool {
		_, ok := slices.BinarySearchFunc(set, t, func(a, b model.Target) int {
			return cmp.Or(strings.Compare(a.ID, b.ID), cmp.Compare(a.Port, b.Port))
		})
		return ok
	}
	for _, t := range want {
		if !in(have, t) {
			register = append(register, t)
		}
	}
	for _, t := range have {
		if !in(want, t) {
			deregister = append(deregister, t)
		}
	}
	return register, deregister
}
