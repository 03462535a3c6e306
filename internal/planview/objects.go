package planview

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
)

// Objects are the Kubernetes objects a plan is computed from.
type Objects struct {
	Services       []corev1.Service
	Nodes          []corev1.Node
	EndpointSlices []discoveryv1.EndpointSlice
}

// ReadPath reads manifests from a file or, for a directory, from every
// *.yaml, *.yml and *.json file in it (not recursive), in name order.
func ReadPath(path string) (Objects, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Objects{}, err
	}
	files := []string{path}
	if st.IsDir() {
		files = nil
		entries, err := os.ReadDir(path)
		if err != nil {
			return Objects{}, err
		}
		for _, e := range entries {
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if !e.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		slices.Sort(files)
	}
	var out Objects
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return Objects{}, err
		}
		if err := out.Decode(b); err != nil {
			return Objects{}, fmt.Errorf("%s: %w", f, err)
		}
	}
	return out, nil
}

// Decode adds the Services, Nodes and EndpointSlices of a multi-document
// YAML or JSON stream (List kinds included); other kinds are skipped.
func (o *Objects) Decode(data []byte) error {
	dec := serializer.NewCodecFactory(scheme.Scheme).UniversalDeserializer()
	rd := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for i := 1; ; i++ {
		doc, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("document %d: %w", i, err)
		}
		if len(bytes.TrimSpace(doc)) == 0 || isComment(doc) {
			continue
		}
		obj, _, err := dec.Decode(doc, nil, nil)
		if err != nil {
			if runtime.IsNotRegisteredError(err) {
				continue
			}
			return fmt.Errorf("document %d: %w", i, err)
		}
		o.add(obj)
	}
}

func (o *Objects) add(obj runtime.Object) {
	switch v := obj.(type) {
	case *corev1.Service:
		o.Services = append(o.Services, *v)
	case *corev1.Node:
		o.Nodes = append(o.Nodes, *v)
	case *discoveryv1.EndpointSlice:
		o.EndpointSlices = append(o.EndpointSlices, *v)
	case *corev1.ServiceList:
		o.Services = append(o.Services, v.Items...)
	case *corev1.NodeList:
		o.Nodes = append(o.Nodes, v.Items...)
	case *discoveryv1.EndpointSliceList:
		o.EndpointSlices = append(o.EndpointSlices, v.Items...)
	case *corev1.List:
		dec := serializer.NewCodecFactory(scheme.Scheme).UniversalDeserializer()
		for _, raw := range v.Items {
			if inner, _, err := dec.Decode(raw.Raw, nil, nil); err == nil {
				o.add(inner)
			}
		}
	}
}

func isComment(doc []byte) bool {
	for line := range strings.SplitSeq(string(doc), "\n") {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "#") {
			return false
		}
	}
	return true
}
