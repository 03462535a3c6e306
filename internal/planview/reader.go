package planview

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// objectReader is a client.Reader over a fixed set of objects: what the
// Gateway builder (gateway.Builder) reads, served from manifests (or the
// cluster's objects audit listed). Get and List copy; List honours the
// namespace and label selector options. A kind it holds nothing of lists
// empty, and Get of it is NotFound, as for an installed CRD without
// objects.
type objectReader struct {
	scheme *runtime.Scheme
	byGVK  map[schema.GroupVersionKind][]client.Object
}

var _ client.Reader = (*objectReader)(nil)

func newObjectReader(s *runtime.Scheme) *objectReader {
	return &objectReader{scheme: s, byGVK: map[schema.GroupVersionKind][]client.Object{}}
}

// add stores obj; a namespaced object without a namespace is in default
// (as kubectl apply would put it).
func (r *objectReader) add(obj client.Object) error {
	gvk, err := apiutil.GVKForObject(obj, r.scheme)
	if err != nil {
		return err
	}
	obj = obj.DeepCopyObject().(client.Object)
	if obj.GetNamespace() == "" && !clusterScoped[gvk.Kind] {
		obj.SetNamespace(corev1.NamespaceDefault)
	}
	r.byGVK[gvk] = append(r.byGVK[gvk], obj)
	return nil
}

// clusterScoped are the cluster-scoped kinds the builder reads.
var clusterScoped = map[string]bool{"GatewayClass": true, "Namespace": true, "Node": true}

func (r *objectReader) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	gvk, err := apiutil.GVKForObject(obj, r.scheme)
	if err != nil {
		return err
	}
	for _, o := range r.byGVK[gvk] {
		if o.GetNamespace() == key.Namespace && o.GetName() == key.Name {
			return copyInto(obj, o)
		}
	}
	return apierrors.NewNotFound(schema.GroupResource{Group: gvk.Group, Resource: strings.ToLower(gvk.Kind)}, key.Name)
}

func (r *objectReader) List(_ context.Context, list client.ObjectList, opts ...client.ListOption) error {
	gvk, err := apiutil.GVKForObject(list, r.scheme)
	if err != nil {
		return err
	}
	gvk.Kind = strings.TrimSuffix(gvk.Kind, "List")
	lo := (&client.ListOptions{}).ApplyOptions(opts)
	var items []runtime.Object
	for _, o := range r.byGVK[gvk] {
		if lo.Namespace != "" && o.GetNamespace() != lo.Namespace {
			continue
		}
		if lo.LabelSelector != nil && !lo.LabelSelector.Matches(labels.Set(o.GetLabels())) {
			continue
		}
		items = append(items, o.DeepCopyObject())
	}
	return meta.SetList(list, items)
}

func copyInto(dst, src client.Object) error {
	if u, ok := dst.(*unstructured.Unstructured); ok {
		s, ok := src.(*unstructured.Unstructured)
		if !ok {
			return fmt.Errorf("%T read as unstructured", src)
		}
		*u = *s.DeepCopy()
		return nil
	}
	dv, sv := reflect.ValueOf(dst), reflect.ValueOf(src.DeepCopyObject())
	if dv.Type() != sv.Type() {
		return fmt.Errorf("%T read as %T", src, dst)
	}
	dv.Elem().Set(sv.Elem())
	return nil
}
