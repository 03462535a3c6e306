// Package gwconfig reads LBC's gateway.k8s.aws configuration objects —
// LoadBalancerConfiguration, TargetGroupConfiguration and
// ListenerRuleConfiguration — for lbsg's Gateway controllers, and holds the
// table of their fields (surface.go): every field of LBC's v3.6.2 schema is
// Supported or Unsupported, nothing is ignored silently.
//
// The CRDs are LBC's own (internal/apis/crds), so an object keeps every
// field it was written with. Parse* take the object as the API server
// returns it (unstructured), list the unsupported fields it carries (by
// path, e.g. spec.wafV2) and decode the supported ones into this package's
// types (LBC's JSON names). A caller refuses an object with unsupported
// fields as a whole: a status condition and an event, and the AWS
// resources it configures are left as they are.
//
// tgprops.go is LBC's arithmetic of target-group settings: a
// TargetGroupConfiguration's settings for one route (ForRoute: the best
// routeConfigurations match over defaultConfiguration), the field-by-field
// merge of two settings (a Service's over the Gateway's default) and of
// the class's and the Gateway's default TargetGroupConfigurations.
//
// docs/gateway.md's field table is generated from Fields (make generate;
// a test fails when it is stale).
//
// Imports: apimachinery and encoding/json. No I/O.
package gwconfig
