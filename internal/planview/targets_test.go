package planview

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
)

func TestEndpointsCountPodsHeldBackOnlyByTheirGates(t *testing.T) {
	pod := func(name string, containersReady, deleting bool) corev1.Pod {
		p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, UID: "uid-a"}}
		st := corev1.ConditionFalse
		if containersReady {
			st = corev1.ConditionTrue
		}
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.ContainersReady, Status: st}}
		if deleting {
			p.DeletionTimestamp = &metav1.Time{}
		}
		return p
	}
	ep := func(ip, podName string, ready, terminating bool) discoveryv1.Endpoint {
		return discoveryv1.Endpoint{Addresses: []string{ip}, TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: podName},
			Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(ready), Terminating: ptr.To(terminating)}}
	}
	for _, tt := range []struct {
		name string
		ep   discoveryv1.Endpoint
		pods []corev1.Pod
		want bool
	}{
		{name: "a ready endpoint counts", ep: ep("10.0.0.1", "a", true, false), want: true},
		{name: "an unready endpoint whose pod's containers are ready counts (gated)", ep: ep("10.0.0.1", "a", false, false),
			pods: []corev1.Pod{pod("a", true, false)}, want: true},
		{name: "an unready endpoint whose containers are not ready does not", ep: ep("10.0.0.1", "a", false, false),
			pods: []corev1.Pod{pod("a", false, false)}},
		{name: "an unready endpoint whose pod is not given does not", ep: ep("10.0.0.1", "a", false, false)},
		{name: "a terminating endpoint does not", ep: ep("10.0.0.1", "a", false, true), pods: []corev1.Pod{pod("a", true, false)}},
		{name: "a deleting pod does not", ep: ep("10.0.0.1", "a", false, false), pods: []corev1.Pod{pod("a", true, true)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			objs := Objects{Pods: tt.pods, EndpointSlices: []discoveryv1.EndpointSlice{{
				ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web-1", Labels: map[string]string{discoveryv1.LabelServiceName: "web"}},
				Endpoints:  []discoveryv1.Endpoint{tt.ep}}}}
			if got := len(Endpoints(objs, "default", "web")) == 1; got != tt.want {
				t.Errorf("endpoint counted: %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStackTargetsPairTheModelsGroupsWithTheExistingOnes(t *testing.T) {
	web := naming.ServiceStack("default", "web")
	tg := func(rid string) model.TargetGroup {
		return model.TargetGroup{ResourceID: rid, Name: "k8s-" + rid, Protocol: "TCP", TargetType: "instance",
			Targets: []model.Target{{ID: "i-1", Port: 30080}}, MultiCluster: rid == "default/web:443"}
	}
	obs := func(arn, rid string) plan.ObservedTG {
		return plan.ObservedTG{ARN: arn, Name: "k8s-" + rid, ResourceID: rid, Protocol: "TCP", TargetType: "instance",
			Targets: []model.Target{{ID: "i-9", Port: 30080}}}
	}
	snap := plan.Snapshot{TargetGroups: []plan.ObservedTG{obs("arn:80", "default/web:80"), obs("arn:443", "default/web:443"), obs("arn:old", "default/web:8080")}}
	for _, tt := range []struct {
		name string
		b    built
		want []string // "arn wanted-count leftAlone multi"
	}{
		{name: "each modelled group is paired with its existing group; one no longer wanted is not listed",
			b:    built{id: web, snap: snap, stack: model.Stack{LoadBalancer: &model.LoadBalancer{}, TargetGroups: []model.TargetGroup{tg("default/web:80"), tg("default/web:443")}}},
			want: []string{"arn:80 1 false false", "arn:443 1 false true"}},
		{name: "an incompatible existing group (to be replaced) is not paired",
			b: built{id: web, snap: snap, stack: model.Stack{LoadBalancer: &model.LoadBalancer{}, TargetGroups: []model.TargetGroup{func() model.TargetGroup {
				d := tg("default/web:80")
				d.TargetType = "ip"
				return d
			}()}}}},
		{name: "the groups of a stack that did not build are left alone",
			b:    built{id: web, snap: snap, err: errors.New("unsupported")},
			want: []string{"arn:80 0 true false", "arn:443 0 true false", "arn:old 0 true false"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, st := range stackTargets(tt.b) {
				if st.Stack != web || len(st.Registered) != 1 {
					t.Errorf("%s: stack %v, registered %v", st.ARN, st.Stack, st.Registered)
				}
				got = append(got, fmt.Sprintf("%s %d %v %v", st.ARN, len(st.Wanted), st.LeftAlone != "", st.MultiCluster))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
