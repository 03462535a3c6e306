package deploy

import (
	"context"
	"strings"
	"testing"

	"github.com/go-logr/logr/funcr"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/plan"
)

// A customer-owned pool that differs from the existing ALB's is logged, as
// LBC logs it; the same pool, a new ALB or a replaced one is not.
func TestCustomerOwnedPoolDriftIsLogged(t *testing.T) {
	alb := func(pool string) *model.LoadBalancer {
		return &model.LoadBalancer{Type: model.TypeApplication, Scheme: "internal", CustomerOwnedPool: pool}
	}
	for _, tt := range []struct {
		name     string
		desired  *model.LoadBalancer
		observed *plan.ObservedLB
		want     string // "" for no log line
	}{
		{"another pool", alb("ipv4pool-coip-2"), &plan.ObservedLB{ARN: "arn:lb", Scheme: "internal", CustomerOwnedPool: "ipv4pool-coip-1"},
			`"desired"="ipv4pool-coip-2" "current"="ipv4pool-coip-1"`},
		{"a pool asked for on an ALB without one", alb("ipv4pool-coip-1"), &plan.ObservedLB{ARN: "arn:lb", Scheme: "internal"},
			`"desired"="ipv4pool-coip-1" "current"=""`},
		{"the same pool", alb("ipv4pool-coip-1"), &plan.ObservedLB{ARN: "arn:lb", Scheme: "internal", CustomerOwnedPool: "ipv4pool-coip-1"}, ""},
		{"a new ALB", alb("ipv4pool-coip-1"), nil, ""},
		{"an ALB replaced for its scheme", alb("ipv4pool-coip-1"), &plan.ObservedLB{ARN: "arn:lb", Scheme: "internet-facing"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var lines []string
			ctx := logf.IntoContext(context.Background(), funcr.New(func(prefix, args string) { lines = append(lines, args) }, funcr.Options{}))
			logPoolDrift(ctx, model.Stack{LoadBalancer: tt.desired}, plan.Snapshot{LoadBalancer: tt.observed})
			got := strings.Join(lines, "\n")
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("logged %q, want %q", got, tt.want)
			}
		})
	}
}
