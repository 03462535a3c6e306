# lbsg — run `make help` for targets.
SHELL := /usr/bin/env bash
GO    ?= go
BIN   := $(CURDIR)/bin
# Tools are built once per machine into $(LBSG_TOOLS_CACHE) (default
# ~/.cache/lbsg/tools) and linked into bin/; see hack/tools/build.sh.
# lbc, the AWS Load Balancer Controller, is the oracle of parity tests.
K8S_TOOLS := kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok kwokctl lbc
TEST_ENV  := KUBEBUILDER_ASSETS=$(BIN) LBSG_REQUIRE_ASSETS=1

.PHONY: help
help: ## show this help
	@awk 'BEGIN{FS=":.*## "} /^[a-zA-Z_-]+:.*## /{printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## build bin/lbsg
	$(GO) build -o $(BIN)/lbsg ./cmd/lbsg

.PHONY: test
test: k8s-tools awscli ## run all tests (unit, emulator conformance, envtest, e2e); installs what is missing
	$(TEST_ENV) $(GO) test -race -count=1 -timeout 30m ./...

.PHONY: fmt
fmt: ## gofmt the tree
	gofmt -w $$(git ls-files '*.go')

.PHONY: tools
tools: ## build pinned tools into bin/ (cold ~16 min, cached: seconds)
	hack/tools/build.sh

.PHONY: k8s-tools
k8s-tools:
	@hack/tools/build.sh $(K8S_TOOLS)

# AWS CLI v2 (Debian awscli) for the e2e and CLI conformance suites;
# installed with apt-get (sudo when not root) when missing.
.PHONY: awscli
awscli:
	@hack/awscli.sh

.PHONY: assets
assets: k8s-tools ## print "export KUBEBUILDER_ASSETS=<bin>" for envtest (eval it)
	@echo export KUBEBUILDER_ASSETS=$(BIN)

.PHONY: lint
lint: ## run golangci-lint (config: .golangci.yml)
	@hack/tools/build.sh golangci-lint
	$(BIN)/golangci-lint run --allow-serial-runners ./...

.PHONY: e2e
e2e: k8s-tools awscli ## run the e2e suites: local clusters (localenv) and ./test/e2e when present
	$(TEST_ENV) $(GO) test -count=1 -run 'TestCluster' ./internal/localenv/...
	@if [ -d test/e2e ]; then $(TEST_ENV) $(GO) test -tags e2e -count=1 ./test/e2e/...; fi

.PHONY: sandbox
sandbox: k8s-tools build ## run the sandbox with the demo (state in .lbsg-sandbox; Ctrl-C stops, rerun resumes)
	$(BIN)/lbsg sandbox --dir .lbsg-sandbox --demo

.PHONY: emulator
emulator: build ## serve the AWS emulator on 127.0.0.1:4566 (default seed)
	$(BIN)/lbsg emulator

# test/bench's scenarios run once each (-benchtime 1x), small by default;
# LBSG_BENCH_* variables size them up (docs/performance.md).
.PHONY: bench
bench: k8s-tools ## run the benchmarks (AWS calls per object, emulator throughput, test/bench scale scenarios)
	$(TEST_ENV) $(GO) test -run '^$$' -bench . -benchmem -count 1 $$($(GO) list ./... | grep -v /test/bench)
	$(TEST_ENV) $(GO) test -run '^$$' -bench . -benchtime 1x -count 1 -timeout 2h ./test/bench/

# The issue-22 size of BenchmarkGateways: 200 ALB Gateways × 5 HTTPRoutes (and 20 NLB Gateways) on
# 100 Nodes; the world is built without buckets (200 CreateLoadBalancer
# alone need 16 minutes at 0.2/s), which are on from the restart on.
.PHONY: bench-gateways
bench-gateways: k8s-tools ## run BenchmarkGateways at full size (200 ALB Gateways × 5 HTTPRoutes + 20 NLB Gateways × 5 TCPRoutes, 100 Nodes; ~10 min)
	LBSG_BENCH_GATEWAYS=200 LBSG_BENCH_NLB_GATEWAYS=20 LBSG_BENCH_ROUTES=5 LBSG_BENCH_NODES=100 LBSG_BENCH_CHURN_NODES=$${LBSG_BENCH_CHURN_NODES:-0} \
	LBSG_BENCH_COLD_THROTTLE=false $(TEST_ENV) $(GO) test -run '^$$' -bench BenchmarkGateways -benchtime 1x -count 1 -timeout 2h ./test/bench/

# --- deploy (issue 8): generated RBAC and docs, the Helm chart ---------------
# Files `generate` writes; `verify` fails when they differ from git.
GENERATED := deploy/helm/lbsg/files/rbac docs/flags.md docs/gateway.md deploy/helm/lbsg/crds \
	internal/apis/crds internal/apis/elbv2/v1beta1/zz_generated.deepcopy.go \
	internal/apis/elbv2/v1alpha1/zz_generated.deepcopy.go
GENERATED += docs/annotations.md internal/toolcache/pins docs/migration.md

.PHONY: generate
generate: ## regenerate RBAC, CRDs and deepcopy (controller-gen, from +kubebuilder markers) and docs/flags.md
	@hack/tools/build.sh controller-gen
	$(GO) generate ./internal/apis/crds/ ./internal/cli/ ./hack/gen-flags/
	$(GO) generate ./hack/gen-annotations/ ./hack/gen-lbcdiff/ ./hack/gen-gatewaydoc/
	$(GO) generate ./internal/toolcache/

.PHONY: helm-lint
helm-lint: ## helm lint + helm template the chart (deploy/helm/lbsg)
	@hack/tools/build.sh helm
	$(BIN)/helm lint --strict deploy/helm/lbsg --set clusterName=ci
	$(BIN)/helm template lbsg deploy/helm/lbsg --namespace kube-system --set clusterName=ci >/dev/null

.PHONY: verify
verify: generate helm-lint ## generate, then fail if generated files are stale; helm lint
	@if [ -n "$$(git status --porcelain -- $(GENERATED))" ]; then \
		git status --porcelain -- $(GENERATED); git diff -- $(GENERATED); \
		echo 'verify: generated files are stale: run make generate and commit' >&2; exit 1; fi

# deploy's tests render the chart with bin/helm (they fail without it under
# LBSG_REQUIRE_ASSETS=1), so `make test` builds it too (cached: instant).
.PHONY: helm-bin
helm-bin:
	@hack/tools/build.sh helm
test: helm-bin

# --- image (issue 8): built without a Docker daemon by hack/image ------------
# A scratch image (static /lbsg, nonroot 65532, CA certificates) written as an
# OCI layout that docker/podman load; byte-identical for one commit (times
# from SOURCE_DATE_EPOCH or HEAD's commit). hack/image's tests then check the
# archive and rebuild it to compare digests. IMAGE_ARCH=arm64 cross-builds.
IMAGE      := $(BIN)/lbsg-image.tar
IMAGE_ARCH ?= $(shell $(GO) env GOHOSTARCH)

.PHONY: image
image: ## build bin/lbsg-image.tar (scratch, OCI + docker archive, no daemon), then test it
	$(GO) -C hack/image run . -root $(CURDIR) -o $(IMAGE) -arch $(IMAGE_ARCH)
	LBSG_IMAGE=$(IMAGE) $(GO) -C hack/image test -count=1 ./...

# --- reliability (issue 10): docs/reliability.md ------------------------------
# `make test` runs test/chaos at its small size; this is the full size (50
# objects, at least 20 SIGKILL points per run, 8 foreign-state rounds).
.PHONY: lbcdiff
lbcdiff: k8s-tools ## run the full-size differential suite against LBC v3.6.2 (test/lbcdiff, the corpus 4 times; LBSG_LBCDIFF_DUMP=dir keeps snapshots and logs)
	$(TEST_ENV) LBSG_LBCDIFF_COPIES=$${LBSG_LBCDIFF_COPIES:-4} $(GO) test -count=1 -v -timeout 60m -run TestLBSGMatchesLBC ./test/lbcdiff/

.PHONY: sidebyside
sidebyside: k8s-tools ## LBC and lbsg side by side on the same scenarios (test/lbcdiff BenchmarkSideBySide; LBSG_SIDEBYSIDE_SERVICES=n, default 20)
	$(TEST_ENV) $(GO) test -run '^$$' -bench BenchmarkSideBySide -benchtime 1x -count 1 -timeout 3h -v ./test/lbcdiff/

.PHONY: chaos
chaos: k8s-tools ## run the full-size chaos suites (test/chaos, LBSG_CHAOS_FULL=1; LBSG_CHAOS_SEED=n replays)
	$(TEST_ENV) LBSG_CHAOS_FULL=1 $(GO) test -race -count=1 -timeout 60m -v ./test/chaos/...
