package gwattach_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/lbsg/lbsg/internal/gwattach"
)

func listenerSet(ns, name string, created int64, entries ...gwv1.Listener) *gwv1.ListenerSet {
	ls := &gwv1.ListenerSet{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: metav1.NewTime(time.Unix(created, 0))},
		Spec: gwv1.ListenerSetSpec{ParentRef: gwv1.ParentGatewayReference{Namespace: ptr.To(gwv1.Namespace("infra")), Name: "gw"}}}
	for _, l := range entries {
		ls.Spec.Listeners = append(ls.Spec.Listeners, gwv1.ListenerEntry{Name: l.Name, Hostname: l.Hostname, Port: l.Port,
			Protocol: l.Protocol, AllowedRoutes: l.AllowedRoutes})
	}
	return ls
}

func allowing(gw *gwv1.Gateway, from gwv1.FromNamespaces, sel map[string]string) *gwv1.Gateway {
	al := &gwv1.AllowedListeners{Namespaces: &gwv1.ListenerNamespaces{From: &from}}
	if sel != nil {
		al.Namespaces.Selector = &metav1.LabelSelector{MatchLabels: sel}
	}
	gw.Spec.AllowedListeners = al
	return gw
}

// verdicts is "ns/name:allowed[listener=reason,...]" per ListenerSet.
func verdicts(res gwattach.Result) []string {
	var out []string
	for _, s := range res.ListenerSets {
		v := fmt.Sprintf("%s/%s:%v", s.Object.Namespace, s.Object.Name, s.Allowed)
		for _, l := range s.Listeners {
			v += fmt.Sprintf(" %s=%s", l.Spec.Name, l.Reason)
		}
		out = append(out, v)
	}
	return out
}

func TestAttachListenerSets(t *testing.T) {
	tcp := func(name string, port int32) gwv1.Listener { return listener(name, port, gwv1.TCPProtocolType) }
	udp := func(name string, port int32) gwv1.Listener { return listener(name, port, gwv1.UDPProtocolType) }
	tls := func(name string, port int32) gwv1.Listener { return listener(name, port, gwv1.TLSProtocolType) }
	labels := map[string]map[string]string{"infra": {}, "team": {"team": "a"}, "other": {}}
	for _, tt := range []struct {
		name string
		gw   *gwv1.Gateway
		sets []*gwv1.ListenerSet
		want []string
	}{
		{name: "a Gateway without allowedListeners refuses every ListenerSet",
			gw: gateway(tcp("gw", 80)), sets: []*gwv1.ListenerSet{listenerSet("infra", "ls", 1, tcp("a", 81))},
			want: []string{"infra/ls:false"}},
		{name: "Same admits the Gateway's namespace only",
			gw:   allowing(gateway(tcp("gw", 80)), gwv1.NamespacesFromSame, nil),
			sets: []*gwv1.ListenerSet{listenerSet("infra", "ls", 1, tcp("a", 81)), listenerSet("team", "ls", 1, tcp("a", 82))},
			want: []string{"infra/ls:true a=Accepted", "team/ls:false"}},
		{name: "Selector admits namespaces with matching labels",
			gw:   allowing(gateway(tcp("gw", 80)), gwv1.NamespacesFromSelector, map[string]string{"team": "a"}),
			sets: []*gwv1.ListenerSet{listenerSet("team", "ls", 1, tcp("a", 81)), listenerSet("other", "ls", 1, tcp("a", 82))},
			want: []string{"team/ls:true a=Accepted", "other/ls:false"}},
		{name: "a ListenerSet naming another Gateway is not this Gateway's",
			gw: allowing(gateway(tcp("gw", 80)), gwv1.NamespacesFromAll, nil),
			sets: []*gwv1.ListenerSet{func() *gwv1.ListenerSet {
				ls := listenerSet("infra", "ls", 1, tcp("a", 81))
				ls.Spec.ParentRef.Name = "elsewhere"
				return ls
			}()},
			want: nil},
		{name: "the Gateway's listener wins a protocol conflict over a ListenerSet's",
			gw:   allowing(gateway(tcp("gw", 80)), gwv1.NamespacesFromAll, nil),
			sets: []*gwv1.ListenerSet{listenerSet("team", "ls", 1, tls("a", 80), udp("b", 80))},
			want: []string{"team/ls:true a=ProtocolConflict b=Accepted"}},
		{name: "the older ListenerSet wins, then namespace/name order",
			gw: allowing(gateway(), gwv1.NamespacesFromAll, nil),
			sets: []*gwv1.ListenerSet{listenerSet("team", "young", 20, tls("a", 90)), listenerSet("team", "old", 10, tcp("a", 90)),
				listenerSet("other", "b", 10, tls("x", 91)), listenerSet("infra", "a", 10, tcp("x", 91))},
			want: []string{"infra/a:true x=Accepted", "other/b:true x=ProtocolConflict", "team/old:true a=Accepted", "team/young:true a=ProtocolConflict"}},
		{name: "the same port and hostname in two ListenerSets is a hostname conflict for the later",
			gw: allowing(gateway(), gwv1.NamespacesFromAll, nil),
			sets: func() []*gwv1.ListenerSet {
				a, b := tls("a", 443), tls("b", 443)
				a.Hostname, b.Hostname = ptr.To(gwv1.Hostname("x.example.com")), ptr.To(gwv1.Hostname("x.example.com"))
				return []*gwv1.ListenerSet{listenerSet("team", "second", 2, b), listenerSet("team", "first", 1, a)}
			}(),
			want: []string{"team/first:true a=Accepted", "team/second:true b=HostnameConflict"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := gwattach.Attach(gwattach.Inputs{Controller: gwattach.ControllerNLB, Gateway: tt.gw, ListenerSets: tt.sets,
				NamespaceLabels: labels, Services: map[types.NamespacedName]*corev1.Service{}})
			if got := verdicts(res); !slices.Equal(got, tt.want) {
				t.Errorf("verdicts = %q, want %q", got, tt.want)
			}
			if !res.Valid() {
				t.Errorf("a ListenerSet's conflict made the Gateway's own listeners invalid")
			}
		})
	}
}

func TestAttachRouteToAListenerSet(t *testing.T) {
	toSet := func(name, section string) gwv1.ParentReference {
		ref := gwv1.ParentReference{Group: ptr.To(gwv1.Group(gwattach.Group)), Kind: ptr.To(gwv1.Kind("ListenerSet")), Name: gwv1.ObjectName(name)}
		if section != "" {
			ref.SectionName = ptr.To(gwv1.SectionName(section))
		}
		return ref
	}
	for _, tt := range []struct {
		name     string
		from     gwv1.FromNamespaces
		route    *gwattach.Route
		accepted string // "none": no parent status
		attached string // listener the route attached to ("": none)
	}{
		{name: "a route in the ListenerSet's namespace attaches to its listener (Same means the ListenerSet's)",
			from: gwv1.NamespacesFromAll, route: route("TCPRoute", "team", "r", toSet("ls", "a"), backend("team", "s", 80)),
			accepted: "True/Accepted", attached: "a"},
		{name: "a sectionName the ListenerSet lacks matches no parent",
			from: gwv1.NamespacesFromAll, route: route("TCPRoute", "team", "r", toSet("ls", "nope"), backend("team", "s", 80)),
			accepted: "False/NoMatchingParent"},
		{name: "a route to a ListenerSet the Gateway does not allow gets no status from it",
			from: gwv1.NamespacesFromSame, route: route("TCPRoute", "team", "r", toSet("ls", "a"), backend("team", "s", 80)),
			accepted: "none"},
		{name: "a route naming the Gateway without sectionName attaches to the Gateway's listeners only",
			from: gwv1.NamespacesFromAll, route: route("TCPRoute", "infra", "r", toGW(), backend("team", "s", 80)),
			accepted: "True/Accepted", attached: "gw"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gw := allowing(gateway(listener("gw", 80, gwv1.TCPProtocolType)), tt.from, nil)
			res := gwattach.Attach(gwattach.Inputs{Controller: gwattach.ControllerNLB, Gateway: gw,
				ListenerSets: []*gwv1.ListenerSet{listenerSet("team", "ls", 1, listener("a", 81, gwv1.TCPProtocolType))},
				Routes:       []*gwattach.Route{tt.route}, Services: map[types.NamespacedName]*corev1.Service{{Namespace: "team", Name: "s"}: service("team", "s")},
				Grants: []gwv1.ReferenceGrant{}})
			if got := cond(res.Parents[tt.route.Key()], "Accepted"); got != tt.accepted {
				t.Errorf("Accepted = %s, want %s", got, tt.accepted)
			}
			var attached []string
			for _, l := range res.AllListeners() {
				if slices.Contains(l.Routes, tt.route) {
					attached = append(attached, string(l.Spec.Name))
				}
			}
			want := []string{}
			if tt.attached != "" {
				want = []string{tt.attached}
			}
			if !slices.Equal(append([]string{}, attached...), want) {
				t.Errorf("attached to %v, want %v", attached, want)
			}
		})
	}
}
