// Package bench measures lbsg at scale (issue 9): the controller runs in
// this process against the AWS emulator in a child process (with AWS's
// token buckets, --throttle aws) and an envtest apiserver holding the
// workload and simulated Nodes. Benchmarks report, with b.ReportMetric,
// seconds to converge, AWS calls (total, mutating, by key action, per
// object), the ratio of the cold-start time to the minimum the emulator's
// buckets allow, and peak heap and RSS of this process, which therefore
// holds the controller and its informer caches but not the emulator's
// state.
//
// Scenarios (scenarios_test.go): cold start, restart against converged
// state, steady-state resyncs plus a drift check, churn (ports and nodes),
// and memory (many load balancers × targets). Sizes come from LBSG_BENCH_*
// environment variables (config_test.go) so the same code runs small in
// `make bench` and CI and large by hand; docs/performance.md has the
// measured tables and the commands.
//
// Workloads are generators behind one interface (workload_test.go): NLB
// Services with instance and ip targets, and Ingresses in explicit
// IngressGroups (ingress_workload_test.go), each routing a path of its own
// to a NodePort Service (instance targets) or, for a share, to a ClusterIP
// Service with an EndpointSlice (target-type ip). BenchmarkServices runs
// the scenarios on Services alone, BenchmarkMixed on both together.
// BenchmarkGateways runs them on ALB Gateways of HTTPRoutes and a few NLB
// Gateways of TCPRoutes (gateway_workload_test.go), every route to a
// NodePort Service of its own; TestGatewayScaleTiny is its `make test`
// size.
//
// Limits: the emulator's ELBv2 quotas (50 NLBs, 100 registrations per
// target) are raised in the child, as a large account would have them
// raised; EndpointSlices are written directly (envtest runs no
// EndpointSlice controller); the apiserver is shared with nothing else
// but is not isolated from the machine's other load. It serves the Gateway
// API CRDs, so lbsg's Gateway controllers run (idle) in every benchmark.
package bench
