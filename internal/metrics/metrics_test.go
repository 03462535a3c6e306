package metrics

import (
	"testing"

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
