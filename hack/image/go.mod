// Separate module: the image builder uses the standard library only, and
// keeping it out of ../../go.mod means its tests run from `make image`, not
// `make test`. Run by `make image`.
module github.com/lbsg/lbsg/hack/image

go 1.26.0
