// Package toolcache owns the per-machine cache of the Kubernetes
// control-plane binaries that envtest, the local clusters and `lbsg sandbox`
// run (kube-apiserver, etcd, kube-controller-manager, kube-scheduler,
// kubectl, kwok, kwokctl), so that the lbsg binary finds them wherever it
// runs, not only inside a clone of the repository.
//
// The cache is ${LBSG_TOOLS_CACHE:-~/.cache/lbsg/tools}, laid out as
// hack/tools/build.sh lays it out: <tool>-<version>/<tool>. The versions are
// hack/tools/go.mod's pins, embedded into the binary as a copy (pins/,
// refreshed by go generate and checked equal by a test), so a binary built
// at a commit looks for, and builds, the same tools as `make tools` at that
// commit.
//
// Build compiles missing tools from the Go module proxy with the embedded
// go.mod and go.sum, the ldflags build.sh uses, and the same lock file, so
// `make tools` and `lbsg tools` never build into the cache at once. It
// needs the go command; without it, the error names the command to run.
//
// Imports only the standard library.
package toolcache

//go:generate cp ../../hack/tools/go.mod pins/go.mod.txt
//go:generate cp ../../hack/tools/go.sum pins/go.sum.txt
