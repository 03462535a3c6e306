// Package localenv runs real Kubernetes control planes on this machine from
// the binaries that hack/tools builds (make tools): no downloads, no
// containers.
//
// It offers two shapes:
//
//   - StartEnvtest: controller-runtime's envtest, an etcd plus a
//     kube-apiserver and nothing else. No controllers run, so Deployments get
//     no pods and namespaces never finish deleting. For controller tests.
//   - Start: a whole simulated cluster through kwokctl's binary runtime
//     (etcd, kube-apiserver, kube-controller-manager, kube-scheduler and the
//     kwok node/pod simulator). Nodes are created from NodeSpecs as AWS would
//     register them (providerID aws:///<az>/<instance-id>, topology labels,
//     InternalIP, podCIDR); kwok marks them Ready and runs the pods scheduled
//     on them, giving each pod an IP from its node's podCIDR, so EndpointSlices
//     and NodePorts behave as on a real cluster. For the sandbox and e2e tests.
//
// Binaries are found in $KUBEBUILDER_ASSETS, else in bin/ at the root of the
// module containing the working directory (found by walking up to go.mod),
// else in the per-machine tools cache at hack/tools' pins (toolcache), so a
// binary run outside the repository finds them too. A missing binary is
// reported as ErrAssetsMissing, so tests can skip.
//
// Invariants: every process a Cluster starts is recorded in a pid file under
// its Dir and is gone when Stop returns (Stop waits, kills stragglers, and
// reaps them: on Linux, Start makes the calling process a child subreaper,
// PR_SET_CHILD_SUBREAPER, so the detached components stay its descendants);
// a test binary that dies without stopping its control planes (go test
// -timeout, SIGKILL) leaves a record in $TMPDIR/lbsg-localenv, and the next
// StartEnvtest or Start on the machine kills those orphans; all state lives
// under Config.Dir, and Start on a Dir holding a stopped
// cluster resumes it. Start chooses the components' ports itself, from
// 20000-32767, each leased machine-wide in $TMPDIR/lbsg-ports under a flock
// (ports.go), so clusters started at the same time by any number of
// processes never share one; the leases last until Delete or until Dir is
// removed. The service CIDR defaults to 10.96.0.0/16, away from
// the apiserver's default 10.0.0.0/24 which collides with kwok's default pod
// range.
//
// Limits: nothing fills Service.status.loadBalancer (no cloud controller);
// node capacity is a fixed default; kubelet features (exec, logs, probes)
// are simulated by kwok or absent. This package imports client-go and
// controller-runtime's envtest, never the AWS emulator: callers map emulator
// instances to NodeSpecs.
package localenv
