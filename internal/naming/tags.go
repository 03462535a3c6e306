package naming

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Tag keys LBC writes and reads (lbc-security-groups.md §2.6, §3.4, §5.3).
const (
	TagCluster         = "elbv2.k8s.aws/cluster"
	TagResource        = "elbv2.k8s.aws/resource"
	TagServiceStack    = ServicePrefix + "/stack"
	TagServiceResource = ServicePrefix + "/resource"
	TagIngressStack    = IngressPrefix + "/stack"
	TagIngressResource = IngressPrefix + "/resource"
	// TagLegacyIngressCluster is the pre-v2.2 cluster tag LBC still finds.
	TagLegacyIngressCluster = "ingress.k8s.aws/cluster"
	// TagName is EC2's Name tag, used to resolve manual SGs by name.
	TagName = "Name"
	// ClusterTagPrefix + cluster tags node SGs and subnets.
	ClusterTagPrefix = "kubernetes.io/cluster/"
	// AWSTagPrefix marks AWS-reserved tags nobody may change.
	AWSTagPrefix = "aws:"
)

// Gateway tracking keys, rejected in --default-tags like the others.
const (
	TagGatewayNLBResource = "gateway.k8s.aws.nlb/resource"
	TagGatewayALBResource = "gateway.k8s.aws.alb/resource"
	TagGatewayNLBStack    = "gateway.k8s.aws.nlb/stack"
	TagGatewayALBStack    = "gateway.k8s.aws.alb/stack"
)

// Resource-tag values.
const (
	ResourceManagedLBSecurityGroup = "ManagedLBSecurityGroup"
	ResourceBackendSG              = "backend-sg"
	ResourceLoadBalancer           = "LoadBalancer"
)

// Finalizers (lbc-security-groups.md §8.1).
const (
	FinalizerService            = "service.k8s.aws/resources"
	FinalizerIngress            = "ingress.k8s.aws/resources"
	FinalizerIngressGroupPrefix = "group.ingress.k8s.aws/"
	FinalizerTargetGroupBinding = "elbv2.k8s.aws/resources"
	// FinalizerGatewayNLB and FinalizerGatewayALB: on a Gateway whose load
	// balancer exists (LBC's shared_constants).
	FinalizerGatewayNLB = "gateway.k8s.aws/nlb"
	FinalizerGatewayALB = "gateway.k8s.aws/alb"
	// FinalizerGatewayClass: on a GatewayClass of a controller that runs;
	// removed on deletion once no Gateway names the class (LBC's
	// shared_constants).
	FinalizerGatewayClass = "gateway.k8s.aws/gatewayclass"
)

// TrackingKeys are the keys users may not set in --default-tags or
// --external-managed-tags.
var TrackingKeys = []string{
	TagCluster, TagResource, TagIngressStack, TagIngressResource, TagServiceStack, TagServiceResource,
	TagGatewayNLBResource, TagGatewayALBResource, TagGatewayNLBStack, TagGatewayALBStack,
}

// IsTrackingKey reports whether k is one of TrackingKeys.
func IsTrackingKey(k string) bool { return slices.Contains(TrackingKeys, k) }

// ClusterTagKey is kubernetes.io/cluster/<cluster>.
func ClusterTagKey(cluster string) string { return ClusterTagPrefix + cluster }

// TrackingTags are the tags LBC puts on every resource of a stack:
// cluster, stack and the resource ID (LoadBalancer, "80", "80:1", a TG
// resource ID or ManagedLBSecurityGroup).
func TrackingTags(cluster string, s Stack, resourceID string) map[string]string {
	return map[string]string{
		TagCluster:         cluster,
		s.StackTagKey():    s.ID(),
		s.ResourceTagKey(): resourceID,
	}
}

// ServiceTargetGroupResourceID is ns/name:port.
func ServiceTargetGroupResourceID(ns, name string, port int32) string {
	return fmt.Sprintf("%s/%s:%d", ns, name, port)
}

// IngressTargetGroupResourceID is ingNs/ingName-svc:port (port as written).
func IngressTargetGroupResourceID(ingNs, ingName, svc, port string) string {
	return fmt.Sprintf("%s/%s-%s:%s", ingNs, ingName, svc, port)
}

// ListenerResourceID is the port, e.g. "80".
func ListenerResourceID(port int32) string { return itoa(port) }

// RuleResourceID is port:priority, e.g. "80:1".
func RuleResourceID(port, priority int32) string { return itoa(port) + ":" + itoa(priority) }

// MergeUserTags merges --default-tags with the stack's user tags (annotation
// or IngressClassParams). Defaults win on equal keys unless the
// EnableDefaultTagsLowPriority gate is on (scenario 11).
func MergeUserTags(defaults, user map[string]string, defaultsLowPriority bool) map[string]string {
	out := make(map[string]string, len(defaults)+len(user))
	if defaultsLowPriority {
		maps.Copy(out, defaults)
		maps.Copy(out, user)
	} else {
		maps.Copy(out, user)
		maps.Copy(out, defaults)
	}
	return out
}

// WithTracking returns extra ∪ tracking, tracking winning on collisions.
func WithTracking(tracking, extra map[string]string) map[string]string {
	out := maps.Clone(extra)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, tracking)
	return out
}

// ManagedSGTags is the full tag map of a stack's managed frontend SG:
// tracking tags with resource ManagedLBSecurityGroup over the merged user tags.
func ManagedSGTags(cluster string, s Stack, userTags map[string]string) map[string]string {
	return WithTracking(TrackingTags(cluster, s, ResourceManagedLBSecurityGroup), userTags)
}

// BackendSGTags is the backend SG's tag map: default tags plus
// elbv2.k8s.aws/cluster and elbv2.k8s.aws/resource=backend-sg.
func BackendSGTags(cluster string, defaultTags map[string]string) map[string]string {
	return WithTracking(map[string]string{TagCluster: cluster, TagResource: ResourceBackendSG}, defaultTags)
}

// Tag is one key/value, for ordered output.
type Tag struct{ Key, Value string }

// SortedTags lists m sorted by key, the order LBC sends tags on create.
func SortedTags(m map[string]string) []Tag {
	out := make([]Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, Tag{k, m[k]})
	}
	return out
}

// BackendSGCreateTags is the backend SG's create-time tag list in LBC's order:
// default tags sorted by key, then the cluster and resource tags
// (scenario 43).
func BackendSGCreateTags(cluster string, defaultTags map[string]string) []Tag {
	d := maps.Clone(defaultTags)
	delete(d, TagCluster)
	delete(d, TagResource)
	return append(SortedTags(d), Tag{TagCluster, cluster}, Tag{TagResource, ResourceBackendSG})
}

// KeepTag reports whether a tag key found on an lbsg-owned resource must be
// left alone when driving its tags to the desired map: aws:*, the legacy keys
// of lbc-security-groups.md §3.4, and --external-managed-tags keys.
func KeepTag(key, cluster string, externalManaged []string) bool {
	if strings.HasPrefix(key, AWSTagPrefix) || slices.Contains(externalManaged, key) {
		return true
	}
	switch key {
	case ClusterTagKey(cluster), "kubernetes.io/cluster-name", "kubernetes.io/namespace",
		"kubernetes.io/ingress-name", "kubernetes.io/service-name", "kubernetes.io/service-port",
		TagLegacyIngressCluster:
		return true
	}
	return false
}

// TagChanges says how to drive current tags to desired: set (CreateTags/
// AddTags) the missing or changed, delete the extra keys keep does not
// protect. keep nil protects only aws:* keys.
func TagChanges(current, desired map[string]string, keep func(key string) bool) (set map[string]string, remove []string) {
	if keep == nil {
		keep = func(k string) bool { return strings.HasPrefix(k, AWSTagPrefix) }
	}
	set = map[string]string{}
	for k, v := range desired {
		if cur, ok := current[k]; !ok || cur != v {
			set[k] = v
		}
	}
	for k := range current {
		if _, ok := desired[k]; !ok && !keep(k) {
			remove = append(remove, k)
		}
	}
	slices.Sort(remove)
	return set, remove
}

// ValidateUserTags rejects keys in --external-managed-tags, with LBC's
// message; kind is "Service" for the Service form
// ("… cannot be specified on Service"), "" otherwise.
func ValidateUserTags(tags map[string]string, externalManaged []string, kind string) error {
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if slices.Contains(externalManaged, k) {
			if kind != "" {
				return fmt.Errorf("external managed tag key %s cannot be specified on %s", k, kind)
			}
			return fmt.Errorf("external managed tag key %s cannot be specified", k)
		}
	}
	return nil
}
