package planview

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/yaml"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/ingressclass"
)

// Objects are the Kubernetes objects a plan is computed from.
type Objects struct {
	Services       []corev1.Service
	Nodes          []corev1.Node
	EndpointSlices []discoveryv1.EndpointSlice
	// Pods give the targets of QUIC target groups their server IDs.
	Pods           []corev1.Pod
	Ingresses      []networkingv1.Ingress
	IngressClasses []networkingv1.IngressClass
	// IngressClassParams are elbv2.k8s.aws/v1beta1 objects.
	IngressClassParams []v1beta1.IngressClassParams
	// Secrets are the OIDC Secrets Ingresses name (auth-idp-oidc) and
	// ListenerRuleConfigurations name; one not given is not found, so its
	// group is not planned (its route is refused).
	Secrets []corev1.Secret
	// Namespaces give their labels to IngressClassParams namespace
	// selectors; a namespace not listed has no labels.
	Namespaces []corev1.Namespace
	// ClusterServices are the cluster's copies of Services (plan --live
	// --kubeconfig). They are not planned: a Service of the input without
	// a NodePort takes the one its cluster copy was allocated, and an
	// Ingress backend Service not in the input is the cluster's.
	ClusterServices []corev1.Service

	// GatewayAPI are the Gateway API objects (GatewayClasses, Gateways,
	// HTTPRoutes, GRPCRoutes, TCPRoutes, UDPRoutes, TLSRoutes, ListenerSets,
	// ReferenceGrants; of API version v1, other versions of those kinds
	// read as v1) and LBC's gateway.k8s.aws configurations
	// (LoadBalancerConfiguration, TargetGroupConfiguration,
	// ListenerRuleConfiguration) as *unstructured.Unstructured.
	GatewayAPI []client.Object

	// backends are the Ingress backend Services not in Services: cluster
	// copies or stand-ins (withPlaceholderPorts).
	backends []corev1.Service
}

// scheme holds the kinds of client-go's scheme, IngressClassParams and
// the Gateway API's v1 kinds.
func scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s) // static registrations; cannot fail
	_ = v1beta1.AddToScheme(s)
	_ = gwv1.Install(s)
	return s
}

// decoder reads the kinds of scheme().
func decoder() runtime.Decoder {
	return serializer.NewCodecFactory(scheme()).UniversalDeserializer()
}

// decodeOther reads a document of a kind decoder does not know: LBC's
// gateway configurations as unstructured objects, a Gateway API kind of
// another version than v1 as its v1 type (as the apiserver serves it).
// Other kinds give nil.
func decodeOther(doc []byte) (runtime.Object, error) {
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(js); err != nil {
		return nil, err
	}
	gvk := u.GroupVersionKind()
	if gvk.Group != gwconfig.Group && gvk.Group != gwv1.GroupName {
		return nil, nil
	}
	if gvk.Group == gwconfig.Group {
		if gvk.Kind != gwconfig.KindLoadBalancerConfiguration && gvk.Kind != gwconfig.KindTargetGroupConfiguration &&
			gvk.Kind != gwconfig.KindListenerRuleConfiguration {
			return nil, nil
		}
		return u, nil
	}
	v1 := gwv1.SchemeGroupVersion.WithKind(gvk.Kind)
	typed, err := scheme().New(v1)
	if err != nil {
		return nil, nil //nolint:nilerr // a kind lbsg does not read
	}
	u.SetAPIVersion(v1.GroupVersion().String())
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, typed); err != nil {
		return nil, err
	}
	return typed, nil
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

// Decode adds the Services, Nodes, EndpointSlices, Ingresses,
// IngressClasses, IngressClassParams, Namespaces and Gateway API objects
// (GatewayAPI) of a multi-document YAML or JSON stream (List kinds
// included); other kinds are skipped.
func (o *Objects) Decode(data []byte) error {
	dec := decoder()
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
			if !runtime.IsNotRegisteredError(err) {
				return fmt.Errorf("document %d: %w", i, err)
			}
			if obj, err = decodeOther(doc); err != nil {
				return fmt.Errorf("document %d: %w", i, err)
			}
			if obj == nil {
				continue
			}
		}
		o.add(dec, obj)
	}
}

func (o *Objects) add(dec runtime.Decoder, obj runtime.Object) {
	switch v := obj.(type) {
	case *corev1.Service:
		o.Services = append(o.Services, *v)
	case *corev1.Node:
		o.Nodes = append(o.Nodes, offlineNodes([]corev1.Node{*v})...)
	case *discoveryv1.EndpointSlice:
		o.EndpointSlices = append(o.EndpointSlices, *v)
	case *corev1.ServiceList:
		o.Services = append(o.Services, v.Items...)
	case *corev1.NodeList:
		o.Nodes = append(o.Nodes, offlineNodes(v.Items)...)
	case *discoveryv1.EndpointSliceList:
		o.EndpointSlices = append(o.EndpointSlices, v.Items...)
	case *corev1.Pod:
		o.Pods = append(o.Pods, *v)
	case *corev1.PodList:
		o.Pods = append(o.Pods, v.Items...)
	case *networkingv1.Ingress:
		o.Ingresses = append(o.Ingresses, *v)
	case *networkingv1.IngressList:
		o.Ingresses = append(o.Ingresses, v.Items...)
	case *networkingv1.IngressClass:
		o.IngressClasses = append(o.IngressClasses, *v)
	case *networkingv1.IngressClassList:
		o.IngressClasses = append(o.IngressClasses, v.Items...)
	case *v1beta1.IngressClassParams:
		o.IngressClassParams = append(o.IngressClassParams, *v)
	case *v1beta1.IngressClassParamsList:
		o.IngressClassParams = append(o.IngressClassParams, v.Items...)
	case *corev1.Secret:
		o.Secrets = append(o.Secrets, applied(*v))
	case *corev1.SecretList:
		for _, sec := range v.Items {
			o.Secrets = append(o.Secrets, applied(sec))
		}
	case *corev1.Namespace:
		o.Namespaces = append(o.Namespaces, *v)
	case *corev1.NamespaceList:
		o.Namespaces = append(o.Namespaces, v.Items...)
	case *corev1.List:
		for _, raw := range v.Items {
			inner, _, err := dec.Decode(raw.Raw, nil, nil)
			if err != nil && runtime.IsNotRegisteredError(err) {
				inner, err = decodeOther(raw.Raw)
			}
			if err == nil && inner != nil {
				o.add(dec, inner)
			}
		}
	default:
		o.addGatewayAPI(obj)
	}
}

// addGatewayAPI adds a Gateway API object or list, or a gateway.k8s.aws
// configuration; anything else is skipped.
func (o *Objects) addGatewayAPI(obj runtime.Object) {
	gvk := obj.GetObjectKind().GroupVersionKind()
	if u, ok := obj.(*unstructured.Unstructured); ok && gvk.Group == gwconfig.Group {
		o.GatewayAPI = append(o.GatewayAPI, u)
		return
	}
	if gvk.Empty() {
		if gvks, _, err := scheme().ObjectKinds(obj); err == nil && len(gvks) > 0 {
			gvk = gvks[0]
		}
	}
	if gvk.Group != gwv1.GroupName {
		return
	}
	if meta.IsListType(obj) {
		items, err := meta.ExtractList(obj)
		if err != nil {
			return
		}
		for _, it := range items {
			o.addGatewayAPI(it)
		}
		return
	}
	if co, ok := obj.(client.Object); ok {
		o.GatewayAPI = append(o.GatewayAPI, co)
	}
}

// applied is a Secret as the apiserver stores it: stringData merged into
// data (stringData wins).
func applied(sec corev1.Secret) corev1.Secret {
	if len(sec.StringData) == 0 {
		return sec
	}
	out := *sec.DeepCopy()
	if out.Data == nil {
		out.Data = map[string][]byte{}
	}
	for k, v := range out.StringData {
		out.Data[k] = []byte(v)
	}
	out.StringData = nil
	return out
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

// AssumeIngressClass adds the IngressClass the Helm chart installs — named
// cfg.IngressClass (default alb), controller ingress.k8s.aws/alb, no
// parameters — unless the objects already hold a class of that name: what
// a plan without the cluster takes for granted.
func (o *Objects) AssumeIngressClass(cfg ingressclass.Config) {
	name := cmp.Or(cfg.IngressClass, ingressclass.DefaultAnnotationClass)
	for _, c := range o.IngressClasses {
		if c.Name == name {
			return
		}
	}
	o.IngressClasses = append(o.IngressClasses, networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: networkingv1.IngressClassSpec{Controller: ingressclass.Controller}})
}

// unique keeps the last of the objects sharing a namespace and name (a
// later file, or the cluster's copy, stands for the same object), in the
// order of their first appearance.
func unique[T any](objs []T, key func(*T) string) []T {
	last := map[string]int{}
	for i := range objs {
		last[key(&objs[i])] = i
	}
	var out []T
	seen := map[string]bool{}
	for i := range objs {
		k := key(&objs[i])
		if !seen[k] {
			seen[k] = true
			out = append(out, objs[last[k]])
		}
	}
	return out
}

func metaKey(m *metav1.ObjectMeta) string { return m.Namespace + "/" + m.Name }

// deduped returns the objects with one copy of each.
func (o Objects) deduped() Objects {
	return Objects{
		Services:           unique(o.Services, func(v *corev1.Service) string { return metaKey(&v.ObjectMeta) }),
		Nodes:              unique(o.Nodes, func(v *corev1.Node) string { return metaKey(&v.ObjectMeta) }),
		EndpointSlices:     unique(o.EndpointSlices, func(v *discoveryv1.EndpointSlice) string { return metaKey(&v.ObjectMeta) }),
		Pods:               unique(o.Pods, func(v *corev1.Pod) string { return metaKey(&v.ObjectMeta) }),
		Ingresses:          unique(o.Ingresses, func(v *networkingv1.Ingress) string { return metaKey(&v.ObjectMeta) }),
		IngressClasses:     unique(o.IngressClasses, func(v *networkingv1.IngressClass) string { return metaKey(&v.ObjectMeta) }),
		IngressClassParams: unique(o.IngressClassParams, func(v *v1beta1.IngressClassParams) string { return metaKey(&v.ObjectMeta) }),
		Namespaces:         unique(o.Namespaces, func(v *corev1.Namespace) string { return metaKey(&v.ObjectMeta) }),
		ClusterServices:    unique(o.ClusterServices, func(v *corev1.Service) string { return metaKey(&v.ObjectMeta) }),
		Secrets:            unique(o.Secrets, func(v *corev1.Secret) string { return metaKey(&v.ObjectMeta) }),
		GatewayAPI: unique(o.GatewayAPI, func(v *client.Object) string {
			o := *v
			return fmt.Sprintf("%T/%s/%s/%s", o, o.GetObjectKind().GroupVersionKind().Kind, o.GetNamespace(), o.GetName())
		}),
	}
}
