#!/usr/bin/env bash
# Builds the pinned development tools from source and links them into bin/.
#
# Usage: hack/tools/build.sh [TOOL...]      (no TOOL: all of them)
#
# Tools: kube-apiserver kube-controller-manager kube-scheduler kubectl etcd
#        kwok kwokctl controller-gen golangci-lint helm lbc
#
# Versions come from hack/tools/go.mod (and hack/tools/lint/go.mod for
# golangci-lint, hack/tools/helm/go.mod for helm). Each binary is built once into a cache outside the repo,
#   ${LBSG_TOOLS_CACHE:-$HOME/.cache/lbsg/tools}/<tool>-<version>/<tool>
# so fresh clones on the same machine (CI) reuse it, and is then symlinked
# into ${LBSG_BIN:-<repo>/bin}. A tool is rebuilt only when its cached binary
# is missing or its --version output does not name the pinned version.
#
# A cold build of everything takes about 16 minutes on 2 cores
# (kube-apiserver alone about 11); a warm run takes a few seconds.
# Never add -trimpath: it changes every cache key and costs a full rebuild.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${LBSG_BIN:-$ROOT/bin}
CACHE=${LBSG_TOOLS_CACHE:-${HOME}/.cache/lbsg/tools}
ALL=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok kwokctl controller-gen golangci-lint helm lbc)

log() { printf 'tools: %s\n' "$*" >&2; }

# modver MODULE GOMOD: the version GOMOD requires MODULE at, read without
# loading the module graph (instant, works before anything is downloaded).
modver() {
	awk -v m="$1" '
		$1 == "require" && $2 == m { print $3; exit }
		$1 == m && $2 ~ /^v/       { print $2; exit }' "$2"
}

KUBE_VERSION=$(modver k8s.io/kubernetes "$HERE/go.mod")
ETCD_VERSION=$(modver go.etcd.io/etcd/server/v3 "$HERE/go.mod")
KWOK_VERSION=$(modver sigs.k8s.io/kwok "$HERE/go.mod")
CTRLTOOLS_VERSION=$(modver sigs.k8s.io/controller-tools "$HERE/go.mod")
LINT_VERSION=$(modver github.com/golangci/golangci-lint/v2 "$HERE/lint/go.mod")
HELM_VERSION=$(modver helm.sh/helm/v3 "$HERE/helm/go.mod")
LBC_VERSION=$(modver sigs.k8s.io/aws-load-balancer-controller/v3 "$HERE/lbc/go.mod")

# kube_ldflags: version stamping for Kubernetes binaries. Without it they
# report v0.0.0-master and kwokctl picks the wrong component flags.
kube_ldflags() {
	local v=$KUBE_VERSION maj min x="" p
	maj=${v#v}; maj=${maj%%.*}
	min=${v#v*.}; min=${min%%.*}
	for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		x+=" -X $p.gitVersion=$v -X $p.gitMajor=$maj -X $p.gitMinor=$min"
		x+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
	done
	printf '%s' "$x"
}

# spec TOOL: sets MODDIR PKG VERSION LDFLAGS for TOOL.
spec() {
	MODDIR=$HERE
	LDFLAGS="-s -w"
	VERSION_ARGS=(--version)
	case $1 in
	kube-apiserver | kube-controller-manager | kube-scheduler | kubectl)
		PKG=k8s.io/kubernetes/cmd/$1 VERSION=$KUBE_VERSION
		LDFLAGS+=$(kube_ldflags)
		[[ $1 != kubectl ]] || VERSION_ARGS=(version --client) ;;
	etcd) PKG=go.etcd.io/etcd/server/v3 VERSION=$ETCD_VERSION ;;
	kwok | kwokctl) PKG=sigs.k8s.io/kwok/cmd/$1 VERSION=$KWOK_VERSION ;;
	controller-gen)
		PKG=sigs.k8s.io/controller-tools/cmd/controller-gen VERSION=$CTRLTOOLS_VERSION
		LDFLAGS+=" -X sigs.k8s.io/controller-tools/pkg/version.version=$VERSION" ;;
	golangci-lint)
		MODDIR=$HERE/lint PKG=github.com/golangci/golangci-lint/v2/cmd/golangci-lint VERSION=$LINT_VERSION
		LDFLAGS+=" -X main.version=${VERSION#v} -X main.commit=$VERSION -X main.date=1970-01-01T00:00:00Z" ;;
	helm)
		MODDIR=$HERE/helm PKG=helm.sh/helm/v3/cmd/helm VERSION=$HELM_VERSION
		LDFLAGS+=" -X helm.sh/helm/v3/internal/version.version=$VERSION"
		# The Kubernetes version helm lint/template assume (default 1.20), from
		# client-go v0.X.Y → 1.X, as helm's Makefile does.
		local kmin; kmin=$(modver k8s.io/client-go "$MODDIR/go.mod"); kmin=${kmin#v0.}; kmin=${kmin%%.*}
		for p in pkg/lint/rules pkg/chartutil; do
			LDFLAGS+=" -X helm.sh/helm/v3/$p.k8sVersionMajor=1 -X helm.sh/helm/v3/$p.k8sVersionMinor=$kmin"
		done
		VERSION_ARGS=(version --short) ;;
	lbc)
		# The AWS Load Balancer Controller itself, the oracle of parity
		# tests. It has no --version; --help logs the stamped version first.
		MODDIR=$HERE/lbc PKG=sigs.k8s.io/aws-load-balancer-controller/v3 VERSION=$LBC_VERSION
		LDFLAGS+=" -X sigs.k8s.io/aws-load-balancer-controller/v3/pkg/version.GitVersion=$VERSION"
		VERSION_ARGS=(--help) ;;
	*) log "unknown tool $1 (known: ${ALL[*]})"; exit 2 ;;
	esac
	[[ -n $VERSION ]] || { log "no version for $1 in $MODDIR/go.mod"; exit 1; }
}

# reports_version BINARY VERSION: BINARY ${VERSION_ARGS[@]} (--version)
# mentions VERSION (with or without the leading v) as a whole version number.
reports_version() {
	local out
	[[ -x $1 ]] || return 1
	out=$("$1" "${VERSION_ARGS[@]}" 2>&1) || return 1
	grep -qE "(^|[^0-9.])v?${2#v}([^0-9.]|$)" <<<"$out"
}

build() {
	local tool=$1 dir out start
	spec "$tool"
	dir=$CACHE/$tool-$VERSION
	out=$dir/$tool
	if ! reports_version "$out" "$VERSION"; then
		log "building $tool $VERSION (cache: $dir)"
		mkdir -p "$dir"
		start=$SECONDS
		(cd "$MODDIR" && go build -ldflags "$LDFLAGS" -o "$out.tmp" "$PKG")
		mv -f "$out.tmp" "$out"
		reports_version "$out" "$VERSION" || {
			log "$out does not report version $VERSION:"; "$out" "${VERSION_ARGS[@]}" >&2 || true; exit 1
		}
		log "built $tool in $((SECONDS - start))s"
	fi
	ln -sfn "$out" "$BIN/$tool"
}

tools=("$@")
((${#tools[@]})) || tools=("${ALL[@]}")
mkdir -p "$CACHE" "$BIN"
# One builder at a time per cache: CI and a developer may share it.
exec 9>"$CACHE/.lock"
flock 9
for t in "${tools[@]}"; do build "$t"; done
