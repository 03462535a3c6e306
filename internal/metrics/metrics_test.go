package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func TestRegisterAndCount(t *testing.T) {
	m := New()
	if err := m.Register(prometheus.NewRegistry()); err != nil {
		t.Fatal(err)
	}
	m.AWSCall("ec2", "AuthorizeSecurityGroupIngress", "RequestLimitExceeded", true)
	var out dto.Metric
	if err := m.AWSThrottled.WithLabelValues("ec2", "AuthorizeSecurityGroupIngress").Write(&out); err != nil {
		t.Fatal(err)
	}
	if got := out.GetCounter().GetValue(); got != 1 {
		t.Errorf("throttled = %v", got)
	}
	var nilM *Metrics
	nilM.Reconciled("service", "success") // must not panic
}

func TestReconcileTookObservesPerController(t *testing.T) {
	m := New()
	reg := prometheus.NewRegistry()
	if err := m.Register(reg); err != nil {
		t.Fatal(err)
	}
	m.ReconcileTook("ingress", 300*time.Millisecond)
	m.ReconcileTook("ingress", 2*time.Second)
	m.ReconcileTook("service", time.Millisecond)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	for _, f := range families {
		if f.GetName() != "lbsg_reconcile_duration_seconds" {
			continue
		}
		for _, mm := range f.GetMetric() {
			got[mm.GetLabel()[0].GetValue()] = mm.GetHistogram().GetSampleCount()
		}
	}
	if got["ingress"] != 2 || got["service"] != 1 {
		t.Errorf("samples per controller = %v, want ingress 2, service 1", got)
	}
	var nilM *Metrics
	nilM.ReconcileTook("service", time.Second) // must not panic
}
