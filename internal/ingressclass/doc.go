// Package ingressclass decides whether lbsg manages an Ingress and which
// IngressClassParams apply to it (lbc-load-balancers.md §6.1), as LBC's
// class and group loaders do.
//
// Classify is a pure function: the caller lists the IngressClasses and
// IngressClassParams and reads the Ingress namespace's labels, so the same
// decision serves the Ingress reconciler, `lbsg plan` and tests. The package
// imports only Kubernetes API types and internal/apis/elbv2/v1beta1.
//
// Order of the rules:
//
//  1. The kubernetes.io/ingress.class annotation, when present, decides
//     alone: managed iff it equals Config.IngressClass, or is "alb" while
//     Config.IngressClass is empty. No IngressClass is read and no
//     IngressClassParams apply.
//  2. Else the class is spec.ingressClassName, or the one IngressClass
//     annotated ingressclass.kubernetes.io/is-default-class: "true" (two
//     such classes are an error). The Ingress is managed iff the class's
//     spec.controller is ingress.k8s.aws/alb. Only then are its
//     spec.parameters read: they must name an elbv2.k8s.aws
//     IngressClassParams that exists and whose namespaceSelector, if any,
//     matches the Ingress's namespace.
//  3. With neither, the Ingress is managed only when Config.IngressClass is
//     empty.
//
// Errors are the class's fault (LBC's texts, *InvalidClassError for all but
// "multiple default IngressClasses found"). What to do with them is the
// caller's decision: LBC ignores them for Ingresses that do not hold its
// finalizer and fails those that do ("Ingress has invalid IngressClass
// configuration: …").
//
// Known limits: the IngressClass's spec.parameters.scope and namespace are
// not consulted (LBC does not either); IngressClassParams are looked up by
// name among the cluster-scoped objects.
package ingressclass
