package naming

import "strings"

// Kind is the Kubernetes side of a stack.
type Kind int

// Kinds.
const (
	KindService Kind = iota + 1
	KindIngress
	// KindGatewayNLB and KindGatewayALB: a Gateway of a class whose
	// controllerName is gateway.k8s.aws/nlb or gateway.k8s.aws/alb (LBC's
	// two gateway controllers, each with its own tag prefix).
	KindGatewayNLB
	KindGatewayALB
	// KindTargetGroupBinding: a TargetGroupBinding's networking rules (it
	// owns no AWS resource; the key names its registry entry).
	KindTargetGroupBinding
)

// Tag-key prefixes per kind.
const (
	ServicePrefix    = "service.k8s.aws"
	IngressPrefix    = "ingress.k8s.aws"
	GatewayNLBPrefix = "gateway.k8s.aws.nlb"
	GatewayALBPrefix = "gateway.k8s.aws.alb"
)

// GatewayNLBStack is the stack of Gateway ns/name of an NLB class.
func GatewayNLBStack(ns, name string) Stack {
	return Stack{Kind: KindGatewayNLB, Namespace: ns, Name: name}
}

// GatewayALBStack is the stack of Gateway ns/name of an ALB class.
func GatewayALBStack(ns, name string) Stack {
	return Stack{Kind: KindGatewayALB, Namespace: ns, Name: name}
}

// IsGateway reports whether the stack is a Gateway's.
func (s Stack) IsGateway() bool { return s.Kind == KindGatewayNLB || s.Kind == KindGatewayALB }

// Stack identifies the desired state of one Service or one Ingress group,
// as LBC's stack ID: `ns/name` for a Service or an implicit Ingress group, the
// group name for an explicit group.
type Stack struct {
	Kind Kind
	// Namespace and Name: the Service, or the lone Ingress of an implicit group.
	Namespace, Name string
	// Group is the explicit IngressGroup name ("" for implicit groups and Services).
	Group string
}

// ServiceStack is the stack of Service ns/name.
func ServiceStack(ns, name string) Stack { return Stack{Kind: KindService, Namespace: ns, Name: name} }

// ImplicitIngressStack is the stack of a lone Ingress ns/name.
func ImplicitIngressStack(ns, name string) Stack {
	return Stack{Kind: KindIngress, Namespace: ns, Name: name}
}

// ExplicitIngressStack is the stack of IngressGroup g.
func ExplicitIngressStack(g string) Stack { return Stack{Kind: KindIngress, Group: g} }

// Explicit reports whether the stack is an explicit Ingress group.
func (s Stack) Explicit() bool { return s.Kind == KindIngress && s.Group != "" }

// ID is the stack ID LBC writes in <prefix>/stack: group name or ns/name.
func (s Stack) ID() string {
	if s.Explicit() {
		return s.Group
	}
	return s.Namespace + "/" + s.Name
}

// Prefix is the tag-key prefix of the stack's kind.
func (s Stack) Prefix() string {
	switch s.Kind {
	case KindIngress:
		return IngressPrefix
	case KindGatewayNLB:
		return GatewayNLBPrefix
	case KindGatewayALB:
		return GatewayALBPrefix
	case KindService, KindTargetGroupBinding: // a binding tags nothing
	}
	return ServicePrefix
}

// StackTagKey is <prefix>/stack.
func (s Stack) StackTagKey() string { return s.Prefix() + "/stack" }

// ResourceTagKey is <prefix>/resource.
func (s Stack) ResourceTagKey() string { return s.Prefix() + "/resource" }

// Finalizer is the finalizer LBC puts on the stack's objects: Service
// service.k8s.aws/resources, implicit Ingress ingress.k8s.aws/resources,
// explicit group group.ingress.k8s.aws/<group>, Gateway gateway.k8s.aws/nlb
// or gateway.k8s.aws/alb.
func (s Stack) Finalizer() string {
	switch {
	case s.Kind == KindService:
		return FinalizerService
	case s.Kind == KindGatewayNLB:
		return FinalizerGatewayNLB
	case s.Kind == KindGatewayALB:
		return FinalizerGatewayALB
	case s.Explicit():
		return FinalizerIngressGroupPrefix + s.Group
	}
	return FinalizerIngress
}

// TargetGroupBindingStack is the registry entry of TargetGroupBinding ns/name.
func TargetGroupBindingStack(ns, name string) Stack {
	return Stack{Kind: KindTargetGroupBinding, Namespace: ns, Name: name}
}

// String is "service ns/name", "targetgroupbinding ns/name", "ingress group <id>"
// or "gateway ns/name".
func (s Stack) String() string {
	switch s.Kind {
	case KindService:
		return "service " + s.ID()
	case KindGatewayNLB, KindGatewayALB:
		return "gateway " + s.ID()
	case KindTargetGroupBinding:
		return "targetgroupbinding " + s.ID()
	case KindIngress:
	}
	return "ingress group " + s.ID()
}

// Key identifies the stack among all of the cluster's stacks: a Service and
// an implicit Ingress group share the ID ns/name, so the kind is part of
// the key ("service:ns/name", "ingress:ns/name", "ingress:group",
// "gateway-nlb:ns/name", "gateway-alb:ns/name").
func (s Stack) Key() string {
	switch s.Kind {
	case KindService:
		return "service:" + s.ID()
	case KindGatewayNLB:
		return "gateway-nlb:" + s.ID()
	case KindGatewayALB:
		return "gateway-alb:" + s.ID()
	case KindTargetGroupBinding:
		return "targetgroupbinding:" + s.ID()
	case KindIngress:
	}
	return "ingress:" + s.ID()
}

// StackFromTags returns the stack an LB, TG or managed SG belongs to, from
// its <prefix>/stack tag (ok false when it carries neither prefix's tag).
// An Ingress stack ID with a slash is an implicit group.
func StackFromTags(tags map[string]string) (Stack, bool) {
	if id, ok := tags[TagServiceStack]; ok {
		ns, name, _ := strings.Cut(id, "/")
		return ServiceStack(ns, name), true
	}
	if id, ok := tags[TagIngressStack]; ok {
		if ns, name, found := strings.Cut(id, "/"); found {
			return ImplicitIngressStack(ns, name), true
		}
		return ExplicitIngressStack(id), true
	}
	if id, ok := tags[TagGatewayNLBStack]; ok {
		ns, name, _ := strings.Cut(id, "/")
		return GatewayNLBStack(ns, name), true
	}
	if id, ok := tags[TagGatewayALBStack]; ok {
		ns, name, _ := strings.Cut(id, "/")
		return GatewayALBStack(ns, name), true
	}
	return Stack{}, false
}

// ParseKey is the inverse of Key.
func ParseKey(key string) (Stack, bool) {
	kind, id, ok := strings.Cut(key, ":")
	if !ok {
		return Stack{}, false
	}
	switch kind {
	case "service":
		return StackFromTags(map[string]string{TagServiceStack: id})
	case "ingress":
		return StackFromTags(map[string]string{TagIngressStack: id})
	case "gateway-nlb":
		return StackFromTags(map[string]string{TagGatewayNLBStack: id})
	case "gateway-alb":
		return StackFromTags(map[string]string{TagGatewayALBStack: id})
	case "targetgroupbinding":
		ns, name, ok := strings.Cut(id, "/")
		return TargetGroupBindingStack(ns, name), ok
	}
	return Stack{}, false
}
