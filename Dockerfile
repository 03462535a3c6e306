# syntax=docker/dockerfile:1
# lbsg controller image, built with Docker (e.g. `docker buildx --platform
# linux/amd64,linux/arm64`, cross-compiling in the builder).
#
# The source of truth is `make image` (hack/image): it needs no Docker daemon,
# is byte-reproducible, and is what CI builds and tests (bin/lbsg-image.tar).
# This file mirrors it and CI builds it too where a daemon runs: scratch base,
# the same files (/lbsg, hack/image/rootfs/etc, a CA bundle, /home/nonroot,
# /tmp), the same go build flags, user 65532:65532 (the Helm chart's
# runAsUser), entrypoint /lbsg, cmd controller. Change both together.
#
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) \
#     --build-arg REVISION=$(git rev-parse HEAD) -t lbsg:dev .

ARG GO_VERSION=1.26.8

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
ARG TARGETOS=linux
ARG TARGETARCH
ARG VERSION=dev
WORKDIR /src
# Dependencies first: this layer is reused until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY cmd/ cmd/
COPY internal/ internal/
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/lbsg/lbsg/internal/cli.Version=${VERSION}" \
      -o /rootfs/lbsg ./cmd/lbsg
# The rest of the filesystem, as hack/image/image.go (rootfs) lays it out; the
# CA bundle is the golang image's (Debian ca-certificates).
COPY hack/image/rootfs/etc/ /rootfs/etc/
RUN mkdir -p /rootfs/etc/ssl/certs /rootfs/home/nonroot /rootfs/tmp \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && chmod 0644 /rootfs/etc/passwd /rootfs/etc/group /rootfs/etc/nsswitch.conf \
 && chown 65532:65532 /rootfs/home/nonroot && chmod 0700 /rootfs/home/nonroot \
 && chmod 1777 /rootfs/tmp

FROM scratch
ARG VERSION=dev
ARG REVISION=unknown
COPY --from=build /rootfs/ /
LABEL org.opencontainers.image.source="https://github.com/lbsg/lbsg" \
      org.opencontainers.image.title="lbsg" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
USER 65532:65532
WORKDIR /
ENTRYPOINT ["/lbsg"]
CMD ["controller"]
