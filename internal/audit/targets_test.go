package audit

import (
	"slices"
	"strings"
	"testing"
)

func TestAuditJudgesRegisteredTargets(t *testing.T) {
	ip := func(id string, port int32, state string) Target { return Target{ID: id, Port: port, State: state} }
	binding := []string{"targetgroupbinding default/web"}
	for _, tt := range []struct {
		name string
		g    OwnedTargetGroup
		// want are "resource target" of the findings; detail, words each
		// finding's detail must hold.
		want   []string
		detail []string
	}{
		{name: "targets the binding wants are explained",
			g: OwnedTargetGroup{Name: "tf-web", Owners: binding,
				Registered: []Target{ip("10.0.1.5", 8080, "healthy"), ip("10.0.1.6", 8080, "initial")},
				Explained:  []Target{ip("10.0.1.5", 8080, ""), ip("10.0.1.6", 8080, "")}}},
		{name: "a stray target nothing wants is reported with its group and why",
			g: OwnedTargetGroup{Name: "tf-web", Owners: binding,
				Registered: []Target{ip("10.0.1.5", 8080, "healthy"), ip("10.0.9.9", 8080, "healthy")},
				Explained:  []Target{ip("10.0.1.5", 8080, "")}},
			want:   []string{"tf-web 10.0.9.9:8080"},
			detail: []string{"10.0.9.9:8080 (healthy)", "targetgroupbinding default/web does not want it", "none of the 1 endpoint targets"}},
		{name: "a target on another port than wanted is reported naming the wanted port",
			g: OwnedTargetGroup{Name: "k8s-default-web-1", Owners: []string{"service default/web"},
				Registered: []Target{ip("i-0abc", 31000, "healthy"), ip("i-0abc", 30080, "healthy")},
				Explained:  []Target{ip("i-0abc", 31000, "")}},
			want:   []string{"k8s-default-web-1 i-0abc:30080"},
			detail: []string{"service default/web does not want it", "it wants i-0abc on port 31000"}},
		{name: "a draining target is on its way out and not reported",
			g: OwnedTargetGroup{Name: "tf-web", Owners: binding,
				Registered: []Target{ip("10.0.9.9", 8080, "draining")}}},
		{name: "another cluster's target in a multi-cluster group without a record is left alone",
			g: OwnedTargetGroup{Name: "shared", Owners: binding, MultiCluster: true,
				Registered: []Target{ip("10.0.1.5", 8080, "healthy"), ip("10.8.0.1", 8080, "healthy")},
				Explained:  []Target{ip("10.0.1.5", 8080, "")}}},
		{name: "a multi-cluster target this cluster recorded and no longer wants is reported",
			g: OwnedTargetGroup{Name: "shared", Owners: binding, MultiCluster: true,
				Registered: []Target{ip("10.0.1.5", 8080, "healthy"), ip("10.0.1.7", 8080, "unhealthy"), ip("10.8.0.1", 8080, "healthy")},
				Explained:  []Target{ip("10.0.1.5", 8080, "")},
				Recorded:   []Target{ip("10.0.1.5", 8080, ""), ip("10.0.1.7", 8080, "")}, Records: []string{"default/aws-lbc-targets-web"}},
			want:   []string{"shared 10.0.1.7:8080"},
			detail: []string{"(unhealthy)", "record (default/aws-lbc-targets-web) holds it"}},
		{name: "the targets of a group lbsg leaves alone are not judged",
			g: OwnedTargetGroup{Name: "k8s-default-odd-1", Owners: []string{"service default/odd"}, LeftAlone: "asks for what lbsg does not do",
				Registered: []Target{ip("10.0.9.9", 8080, "healthy")}}},
		{name: "every target of a group whose owner wants none is reported",
			g: OwnedTargetGroup{Name: "tf-web", Owners: binding,
				Registered: []Target{ip("10.0.9.8", 8080, "healthy"), ip("10.0.9.9", 8080, "")}},
			want:   []string{"tf-web 10.0.9.8:8080", "tf-web 10.0.9.9:8080"},
			detail: []string{"it wants no target"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := Audit(Snapshot{Cluster: cluster, OwnedTargets: []OwnedTargetGroup{tt.g}})
			var got []string
			for _, f := range r.Findings {
				if f.Kind != UnexplainedTarget {
					t.Errorf("unexpected finding %+v", f)
					continue
				}
				got = append(got, f.Resource+" "+f.Target)
				if f.Severity != Problem || f.Fixable {
					t.Errorf("%s: severity %s, fixable %v; want a problem --fix leaves", f.Target, f.Severity, f.Fixable)
				}
				for _, w := range tt.detail {
					if !strings.Contains(f.Detail, w) {
						t.Errorf("detail %q lacks %q", f.Detail, w)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings %q, want %q", got, tt.want)
			}
			if fx := PlanFixes(Snapshot{Cluster: cluster}, r); !fx.Empty() {
				t.Errorf("--fix would write %+v", fx)
			}
		})
	}
}
