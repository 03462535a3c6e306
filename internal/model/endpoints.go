package model

import (
	discoveryv1 "k8s.io/api/discovery/v1"
)

// EndpointsFromSlices turns a Service's EndpointSlices into Endpoints: every
// address of an endpoint not reported unready, with the slice's named ports.
func EndpointsFromSlices(slices []discoveryv1.EndpointSlice) []Endpoint {
	return EndpointsFromSlicesWith(slices, nil)
}

// EndpointsFromSlicesWith is EndpointsFromSlices that also keeps the unready
// endpoints unready admits: LBC registers an unready, not terminating pod
// whose containers are all ready (only its readiness gates hold it back),
// so that its target can become healthy and open the gate.
func EndpointsFromSlicesWith(slices []discoveryv1.EndpointSlice, unready func(discoveryv1.Endpoint) bool) []Endpoint {
	var out []Endpoint
	for _, s := range slices {
		ports := map[string]int32{}
		for _, p := range s.Ports {
			if p.Port != nil {
				name := ""
				if p.Name != nil {
					name = *p.Name
				}
				ports[name] = *p.Port
			}
		}
		for _, e := range s.Endpoints {
			if e.Conditions.Ready != nil && !*e.Conditions.Ready &&
				(unready == nil || (e.Conditions.Terminating != nil && *e.Conditions.Terminating) || !unready(e)) {
				continue
			}
			node := ""
			if e.NodeName != nil {
				node = *e.NodeName
			}
			pod, uid := "", ""
			if r := e.TargetRef; r != nil && r.Kind == "Pod" {
				pod, uid = r.Name, string(r.UID)
			}
			for _, a := range e.Addresses {
				out = append(out, Endpoint{IP: a, NodeName: node, Ports: ports, Pod: pod, PodUID: uid})
			}
		}
	}
	return out
}
