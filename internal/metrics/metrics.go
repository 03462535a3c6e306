package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics holds lbsg's collectors.
type Metrics struct {
	Reconciles   *prometheus.CounterVec   // controller, result
	ReconcileDur *prometheus.HistogramVec // controller
	AWSCalls     *prometheus.CounterVec   // service, operation, code ("" = success)
	AWSThrottled *prometheus.CounterVec   // service, operation
	RulesPerSG   *prometheus.GaugeVec     // security_group
	DriftRepairs *prometheus.CounterVec   // kind
	Leaked       *prometheus.GaugeVec     // kind
	Unsupported  *prometheus.GaugeVec     // kind

	mu          sync.Mutex
	unsupported map[string]map[string]bool // kind → object keys
}

// New builds the collectors, unregistered.
func New() *Metrics {
	return &Metrics{
		Reconciles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lbsg_reconciles_total", Help: "Reconciles by controller and result (success, requeue, error, terminal).",
		}, []string{"controller", "result"}),
		ReconcileDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lbsg_reconcile_duration_seconds", Help: "Time one reconcile took, AWS calls included, by controller.",
			Buckets: []float64{0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"controller"}),
		AWSCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lbsg_aws_calls_total", Help: "AWS API calls by service, operation and error code (empty on success).",
		}, []string{"service", "operation", "code"}),
		AWSThrottled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lbsg_aws_throttled_calls_total", Help: "AWS API calls that failed with throttling, server- or client-side.",
		}, []string{"service", "operation"}),
		RulesPerSG: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "lbsg_security_group_inbound_rules", Help: "Inbound rules lbsg wants on a security group, after packing.",
		}, []string{"security_group"}),
		DriftRepairs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lbsg_drift_detected_total", Help: "Objects the drift check found differing from the desired state.",
		}, []string{"kind"}),
		Leaked: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "lbsg_leaked_resources", Help: "Resources carrying this cluster's stack tags whose stack no object holds, by kind, as of the last drift check (lbsg audit --fix removes them).",
		}, []string{"kind"}),
		Unsupported: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "lbsg_unsupported_objects", Help: "Objects (Service, IngressGroup) left alone because they ask for something lbsg does not do (event UnsupportedAnnotation), by kind.",
		}, []string{"kind"}),
		unsupported: map[string]map[string]bool{},
	}
}

// SetUnsupported records whether one object of a kind is held as
// unsupported; nil-safe.
func (m *Metrics) SetUnsupported(kind, key string, held bool) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	set := m.unsupported[kind]
	if set == nil {
		set = map[string]bool{}
		m.unsupported[kind] = set
	}
	if held {
		set[key] = true
	} else {
		delete(set, key)
	}
	m.Unsupported.WithLabelValues(kind).Set(float64(len(set)))
}

// Register registers every collector on r.
func (m *Metrics) Register(r prometheus.Registerer) error {
	for _, c := range m.collectors() {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Unregister takes m's collectors out of r again (a controller that stops
// in a process that may start another, as the sandbox's takeover tests do).
func (m *Metrics) Unregister(r prometheus.Registerer) {
	for _, c := range m.collectors() {
		r.Unregister(c)
	}
}

func (m *Metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.Reconciles, m.ReconcileDur, m.AWSCalls, m.AWSThrottled, m.RulesPerSG, m.DriftRepairs, m.Leaked, m.Unsupported}
}

// Reconciled counts one reconcile; nil-safe.
func (m *Metrics) Reconciled(controller, result string) {
	if m != nil {
		m.Reconciles.WithLabelValues(controller, result).Inc()
	}
}

// ReconcileTook records how long one reconcile took; nil-safe.
func (m *Metrics) ReconcileTook(controller string, d time.Duration) {
	if m != nil {
		m.ReconcileDur.WithLabelValues(controller).Observe(d.Seconds())
	}
}

// AWSCall counts one AWS call; nil-safe.
func (m *Metrics) AWSCall(service, operation, code string, throttled bool) {
	if m == nil {
		return
	}
	m.AWSCalls.WithLabelValues(service, operation, code).Inc()
	if throttled {
		m.AWSThrottled.WithLabelValues(service, operation).Inc()
	}
}

// SetRules records the desired rule count of an SG; nil-safe.
func (m *Metrics) SetRules(sgID string, n int) {
	if m != nil {
		m.RulesPerSG.WithLabelValues(sgID).Set(float64(n))
	}
}

// Drift counts drift found; nil-safe.
func (m *Metrics) Drift(kind string) {
	if m != nil {
		m.DriftRepairs.WithLabelValues(kind).Inc()
	}
}

// SetLeaked records the leaks of one kind found by the last drift check;
// nil-safe.
func (m *Metrics) SetLeaked(kind string, n int) {
	if m != nil {
		m.Leaked.WithLabelValues(kind).Set(float64(n))
	}
}
