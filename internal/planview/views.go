package planview

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/lbsg/lbsg/internal/controller/service"
	"github.com/lbsg/lbsg/internal/gwattach"
	"github.com/lbsg/lbsg/internal/naming"
)

// GatewayView is a Gateway as `lbsg graph` draws it: its load balancer,
// listeners, the routes attached to each and their backends' target
// groups, as the reconciler builds them.
type GatewayView struct {
	Namespace, Name string
	// LoadBalancer is the name of the stack's load balancer ("" when the
	// Gateway did not build: Error says why).
	LoadBalancer string
	Error        string
	Listeners    []ListenerView
}

// ListenerView is one listener of a Gateway or of one of its ListenerSets
// (Name "listenerset ns/name <listener>"); an invalid one has Problem and
// no routes.
type ListenerView struct {
	Name     string
	Protocol string
	Port     int32
	Problem  string
	Routes   []RouteView
}

// RouteView is a route attached to a listener.
type RouteView struct {
	Kind, Namespace, Name string
	Backends              []BackendView
}

// BackendView is one backend of a route: its Service port, weight and the
// target group the model gives it ("" when the Gateway did not build).
type BackendView struct {
	Service     string // "ns/name:port"
	Weight      int32
	TargetGroup string
}

// Gateways builds the Gateways of objs as Compute does (against c, nil:
// offline) and returns their views, in namespace/name order, with the
// notes of Gateways left out.
func Gateways(ctx context.Context, c Cloud, objs Objects, s Settings) ([]GatewayView, []string, error) {
	objs = objs.deduped()
	if c == nil {
		c, objs.Nodes = offline{cluster: s.Defaults.ClusterName}, offlineNodes(objs.Nodes)
	}
	nodes, err := service.NodeFacts(ctx, c, objs.Nodes)
	if err != nil {
		return nil, nil, fmt.Errorf("reading nodes: %w", err)
	}
	all, notes := buildGateways(ctx, c, objs, nodes, s)
	var out []GatewayView
	for _, b := range all {
		if b.readErr {
			return out, notes, fmt.Errorf("reading AWS for %s: %w", b.id, b.err)
		}
		out = append(out, gatewayView(b))
	}
	return out, notes, nil
}

func gatewayView(b built) GatewayView {
	v := GatewayView{Namespace: b.id.Namespace, Name: b.id.Name}
	if b.err != nil {
		v.Error = b.err.Error()
	}
	if lb := b.stack.LoadBalancer; lb != nil && b.err == nil {
		v.LoadBalancer = lb.Name
	}
	tgs := map[string]string{} // resource ID → name
	for _, tg := range b.stack.TargetGroups {
		tgs[tg.ResourceID] = tg.Name
	}
	p := b.prepared
	if p == nil {
		return v
	}
	listeners := slices.Clone(p.Attach.Listeners)
	owner := map[*gwattach.Listener]string{}
	for _, s := range p.Attach.ListenerSets {
		for _, l := range s.Listeners {
			listeners = append(listeners, l)
			owner[l] = "listenerset " + s.Object.Namespace + "/" + s.Object.Name + " "
		}
	}
	for _, l := range listeners {
		lv := ListenerView{Name: owner[l] + string(l.Spec.Name), Protocol: string(l.Spec.Protocol), Port: int32(l.Spec.Port)}
		if !l.Valid {
			lv.Problem = l.Message
			v.Listeners = append(v.Listeners, lv)
			continue
		}
		for _, rt := range l.Routes {
			rv := RouteView{Kind: rt.Kind, Namespace: rt.Namespace, Name: rt.Name}
			for _, be := range p.Attach.Backends[rt.Key()] {
				id := naming.GatewayTargetGroupResourceID(naming.GatewayTargetGroup{
					GatewayNamespace: b.id.Namespace, GatewayName: b.id.Name,
					RouteNamespace: rt.Namespace, RouteName: rt.Name, RouteKind: rt.Kind,
					ServiceNamespace: be.Service.Namespace, ServiceName: be.Service.Name, IdentifierPort: be.Port.TargetPort.String()})
				rv.Backends = append(rv.Backends, BackendView{Service: be.Service.Namespace + "/" + be.Service.Name + ":" + strconv.Itoa(int(be.Port.Port)),
					Weight: be.Weight, TargetGroup: tgs[id]})
			}
			lv.Routes = append(lv.Routes, rv)
		}
		v.Listeners = append(v.Listeners, lv)
	}
	return v
}
