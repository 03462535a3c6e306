// Package gatewayapi embeds the Gateway API standard-channel CRDs (v1.6,
// from the sigs.k8s.io/gateway-api module go.mod requires) that lbsg's
// Gateway controllers need, and installs them: envtest and `lbsg sandbox`
// use them; a cluster gets them from the Gateway API release (the Helm
// chart does not ship them, as LBC's does not).
//
// The YAML files are copied byte for byte by hack/gen-gatewaycrds (make
// generate); a test fails when they differ from the module.
package gatewayapi

import (
	"context"
	"embed"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/client-go/rest"

	"github.com/lbsg/lbsg/internal/apis/crds"
)

//go:embed *.yaml
var files embed.FS

// List returns fresh copies of the embedded CRDs, ordered by file name.
func List() ([]*apiextensionsv1.CustomResourceDefinition, error) { return crds.ListFS(files) }

// Install creates or updates the embedded CRDs and waits until each is
// Established.
func Install(ctx context.Context, cfg *rest.Config) error { return crds.InstallFS(ctx, cfg, files) }
