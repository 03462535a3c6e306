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
