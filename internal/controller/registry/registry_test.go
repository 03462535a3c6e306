package registry

import (
	"slices"
	"testing"

	"github.com/lbsg/lbsg/internal/rules"
)

func TestSetReportsTouchedGroups(t *testing.T) {
	r := New()
	a := rules.Set{rules.MustKey("tcp", 80, 80, "sg-b"): "d"}
	if got := r.Set("ns/a", Entry{Rules: map[string]rules.Set{"sg-1": a}}); !slices.Equal(got, []string{"sg-1"}) {
		t.Errorf("first set touched %v", got)
	}
	if got := r.Set("ns/a", Entry{Rules: map[string]rules.Set{"sg-1": a}}); len(got) != 0 {
		t.Errorf("unchanged set touched %v", got)
	}
	if got := r.Set("ns/a", Entry{Rules: map[string]rules.Set{"sg-2": a}}); !slices.Equal(got, []string{"sg-1", "sg-2"}) {
		t.Errorf("moved set touched %v", got)
	}
	if got := r.Forget("ns/a"); !slices.Equal(got, []string{"sg-2"}) {
		t.Errorf("forget touched %v", got)
	}
	if r.Known("ns/a") {
		t.Error("forgotten stack still known")
	}
}
