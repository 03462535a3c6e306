// Command image builds lbsg's container image without a Docker daemon: a
// scratch image holding the statically linked binary, written as an archive
// that is both an OCI image layout (index.json, for `podman load`, skopeo,
// crane and Docker ≥ 25) and a `docker save` archive (manifest.json, for
// older Docker).
//
//	go run . -root ../.. -o ../../bin/lbsg-image.tar      (make image)
//
// The image has one layer:
//
//	/lbsg                                0755, CGO_ENABLED=0 -trimpath -ldflags '-s -w -X …cli.Version=…'
//	/etc/passwd, /etc/group              root and nonroot (65532), from rootfs/
//	/etc/nsswitch.conf                   hosts: files dns, from rootfs/
//	/etc/ssl/certs/ca-certificates.crt   the build machine's CA bundle (real AWS over TLS)
//	/home/nonroot (0700, 65532), /tmp (1777)
//
// and runs as 65532:65532 with Entrypoint ["/lbsg"], Cmd ["controller"],
// WorkingDir "/", as the Helm chart's securityContext expects. The Dockerfile
// at the root mirrors it (same rootfs/ files, flags, user and entrypoint).
//
// Reproducible: every timestamp is SOURCE_DATE_EPOCH or else the commit
// time of HEAD, tar headers carry no names or access times, gzip no name or
// time, JSON is marshalled from structs and sorted maps. Two builds from the
// same tree, Go toolchain and CA bundle are byte-identical; the tests in this
// module rebuild the archive `make image` wrote and compare.
//
// Contract: standard library only (no go-containerregistry); one platform
// per archive (-arch, default $GOARCH); never pushes.
package main
