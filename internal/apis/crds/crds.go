package crds

//go:generate ../../../bin/controller-gen object crd paths=../... output:crd:dir=.
//go:generate cp elbv2.k8s.aws_ingressclassparams.yaml elbv2.k8s.aws_targetgroupbindings.yaml ../../../deploy/helm/lbsg/crds/
//go:generate go run ../../../hack/gen-gatewaycrds

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

//go:embed *.yaml
var files embed.FS

// establishTimeout bounds Install's wait for the apiserver to serve a CRD;
// a fresh apiserver takes well under a second.
const establishTimeout = 30 * time.Second

// List returns fresh copies of the embedded CRDs, ordered by file name.
func List() ([]*apiextensionsv1.CustomResourceDefinition, error) { return ListFS(files) }

// ListFS decodes the CRDs of every *.yaml file of fsys, ordered by file
// name.
func ListFS(fsys fs.FS) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	var out []*apiextensionsv1.CustomResourceDefinition
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(raw), 4096)
		for {
			crd := &apiextensionsv1.CustomResourceDefinition{}
			if err := dec.Decode(crd); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, fmt.Errorf("decoding %s: %w", name, err)
			}
			if crd.Name == "" {
				continue // an empty YAML document
			}
			out = append(out, crd)
		}
	}
	return out, nil
}

// Install creates the embedded CRDs, or updates them to the embedded
// version, and waits until the apiserver reports each Established.
func Install(ctx context.Context, cfg *rest.Config) error { return InstallFS(ctx, cfg, files) }

// InstallFS is Install for the CRDs of the *.yaml files of fsys (another
// controller's, e.g. LBC's for `lbsg sandbox --controller lbc`).
func InstallFS(ctx context.Context, cfg *rest.Config, fsys fs.FS) error {
	s := runtime.NewScheme()
	if err := apiextensionsv1.AddToScheme(s); err != nil {
		return err
	}
	c, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		return fmt.Errorf("crds: client: %w", err)
	}
	want, err := ListFS(fsys)
	if err != nil {
		return err
	}
	for _, crd := range want {
		if err := apply(ctx, c, crd); err != nil {
			return fmt.Errorf("installing CRD %s: %w", crd.Name, err)
		}
	}
	for _, crd := range want {
		if err := waitEstablished(ctx, c, crd.Name); err != nil {
			return fmt.Errorf("waiting for CRD %s: %w", crd.Name, err)
		}
	}
	return nil
}

func apply(ctx context.Context, c client.Client, crd *apiextensionsv1.CustomResourceDefinition) error {
	err := c.Create(ctx, crd.DeepCopy())
	if !apierrors.IsAlreadyExists(err) {
		return err
	}
	cur := &apiextensionsv1.CustomResourceDefinition{}
	if err := c.Get(ctx, client.ObjectKeyFromObject(crd), cur); err != nil {
		return err
	}
	cur.Spec = crd.Spec
	return c.Update(ctx, cur)
}

func waitEstablished(ctx context.Context, c client.Client, name string) error {
	return wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, establishTimeout, true, func(ctx context.Context) (bool, error) {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := c.Get(ctx, client.ObjectKey{Name: name}, crd); err != nil {
			return false, err
		}
		for _, cond := range crd.Status.Conditions {
			if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
}
