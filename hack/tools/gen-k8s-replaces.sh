#!/bin/sh
# Usage: ./gen-k8s-replaces.sh v1.37.2 [apply]
# Prints a go.mod `replace (...)` block mapping every k8s.io module that
# k8s.io/kubernetes@VERSION requires at v0.0.0 to the published tag
# v0.MINOR.PATCH. With "apply": runs go mod edit -replace instead.
# Needed because k8s.io/kubernetes requires its 31 staging modules at v0.0.0
# and replace directives inside a dependency are ignored.
set -eu
V=${1:?usage: $0 v1.MINOR.PATCH [apply]}
case $V in v1.*) ;; *) echo "version must look like v1.37.2" >&2; exit 2;; esac
STAGING="v0.${V#v1.}"
GOMOD=$(go mod download -json "k8s.io/kubernetes@$V" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
[ -f "$GOMOD" ] || { echo "cannot find go.mod for k8s.io/kubernetes@$V" >&2; exit 1; }
MODS=$(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "$GOMOD")
if [ "${2:-}" = apply ]; then
  for m in $MODS; do go mod edit -replace="$m=$m@$STAGING"; done
else
  echo "replace ("; for m in $MODS; do printf '\t%s => %s %s\n' "$m" "$m" "$STAGING"; done; echo ")"
fi
