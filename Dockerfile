# syntax=docker/dockerfile:1
# lbsg controller image: a static binary on distroless/static (nonroot,
# uid 65532, which the Helm chart's securityContext expects).
#
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) -t lbsg:dev .
#
# BUILDPLATFORM/TARGETPLATFORM make `docker buildx --platform linux/amd64,linux/arm64`
# cross-compile in the builder instead of emulating it.

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
      -o /out/lbsg ./cmd/lbsg

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/lbsg /lbsg
USER 65532:65532
ENTRYPOINT ["/lbsg"]
CMD ["version"]
