package bench

import (
	"os"
	"strconv"
	"testing"

	"github.com/lbsg/lbsg/internal/options"
)

// sizes parameterise a run. Defaults are the small `make bench` size; each
// field reads an LBSG_BENCH_* environment variable, so a large run is the
// same code with bigger numbers (docs/performance.md).
type sizes struct {
	Services    int     // LBSG_BENCH_SERVICES: NLB Services (scenarios 1–4)
	Nodes       int     // LBSG_BENCH_NODES: Nodes, each an EC2 instance
	IPFraction  float64 // LBSG_BENCH_IP_FRACTION: share of Services with ip targets
	TLSFraction float64 // LBSG_BENCH_TLS_FRACTION: share of Services whose listener is TLS (ssl-cert)
	Endpoints   int     // LBSG_BENCH_ENDPOINTS: ready endpoints of each ip Service
	ChurnNodes  int     // LBSG_BENCH_CHURN_NODES: Nodes that join, and as many that leave (scenario 4)
	ChurnPct    int     // LBSG_BENCH_CHURN_PCT: percent of Services whose port changes (scenario 4)
	Resyncs     int     // LBSG_BENCH_RESYNCS: resync rounds (scenario 3)
	Concurrency int     // LBSG_BENCH_CONCURRENCY: --max-concurrent-reconciles
	Throttle    bool    // LBSG_BENCH_THROTTLE: AWS's buckets in the emulator and lbsg's client-side ones
	Ingresses   int     // LBSG_BENCH_INGRESSES: Ingresses (BenchmarkMixed)
	Groups      int     // LBSG_BENCH_GROUPS: explicit IngressGroups they are spread over
	IngIPFrac   float64 // LBSG_BENCH_INGRESS_IP_FRACTION: share of Ingresses with target-type ip
	Gateways    int     // LBSG_BENCH_GATEWAYS: ALB Gateways (BenchmarkGateways)
	Routes      int     // LBSG_BENCH_ROUTES: routes per Gateway, each to a NodePort Service of its own
	NLBGateways int     // LBSG_BENCH_NLB_GATEWAYS: NLB Gateways beside the ALB ones (BenchmarkGateways), each with Routes TCP listeners and TCPRoutes
	MemLBs      int     // LBSG_BENCH_MEM_LBS: load balancers (scenario 5)
	MemTargets  int     // LBSG_BENCH_MEM_TARGETS: targets per load balancer (scenario 5)
	// LBSG_BENCH_COLD_THROTTLE=false builds the world without buckets and
	// turns them on from the restart on: a full-size restart is then
	// measured without first waiting an hour for 600 CreateLoadBalancer
	// calls at 0.2/s (the cold start's own figures are then not bucket-bound).
	ColdThrottle bool
	MemThrottle  bool // LBSG_BENCH_MEM_THROTTLE: buckets on in scenario 5 (off: memory does not depend on rate, and 1,000 CreateLoadBalancer calls take 83 min at 0.2/s)
}

func defaultSizes() sizes {
	return sizes{Services: 20, Nodes: 10, IPFraction: 0.5, TLSFraction: 0.25, Endpoints: 5, ChurnNodes: 2, ChurnPct: 10, Resyncs: 10,
		Concurrency: options.DefaultMaxConcurrentReconciles, Throttle: true, ColdThrottle: true, MemLBs: 50, MemTargets: 20,
		Ingresses: 8, Groups: 3, IngIPFrac: 0.25, Gateways: 10, Routes: 5, NLBGateways: 2}
}

// sizesFromEnv returns the defaults overridden by LBSG_BENCH_* variables.
func sizesFromEnv(tb testing.TB) sizes {
	tb.Helper()
	s := defaultSizes()
	ints := map[string]*int{
		"SERVICES": &s.Services, "NODES": &s.Nodes, "ENDPOINTS": &s.Endpoints, "CHURN_NODES": &s.ChurnNodes,
		"CHURN_PCT": &s.ChurnPct, "RESYNCS": &s.Resyncs, "CONCURRENCY": &s.Concurrency, "MEM_LBS": &s.MemLBs, "MEM_TARGETS": &s.MemTargets,
		"INGRESSES": &s.Ingresses, "GROUPS": &s.Groups, "GATEWAYS": &s.Gateways, "ROUTES": &s.Routes,
		"NLB_GATEWAYS": &s.NLBGateways,
	}
	for k, p := range ints {
		if v := os.Getenv("LBSG_BENCH_" + k); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				tb.Fatalf("LBSG_BENCH_%s=%q: want a non-negative integer", k, v)
			}
			*p = n
		}
	}
	bools := map[string]*bool{"THROTTLE": &s.Throttle, "COLD_THROTTLE": &s.ColdThrottle, "MEM_THROTTLE": &s.MemThrottle}
	for k, p := range bools {
		if v := os.Getenv("LBSG_BENCH_" + k); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				tb.Fatalf("LBSG_BENCH_%s=%q: want a boolean", k, v)
			}
			*p = b
		}
	}
	for k, p := range map[string]*float64{"IP_FRACTION": &s.IPFraction, "TLS_FRACTION": &s.TLSFraction, "INGRESS_IP_FRACTION": &s.IngIPFrac} {
		if v := os.Getenv("LBSG_BENCH_" + k); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				tb.Fatalf("LBSG_BENCH_%s=%q: want a number in [0, 1]", k, v)
			}
			*p = f
		}
	}
	if s.Groups < 1 {
		s.Groups = 1
	}
	if s.Concurrency < 1 {
		s.Concurrency = 1
	}
	return s
}
