package naming

import (
	"errors"
	"strconv"
)

// Fixed strings LBC writes.
const (
	ManagedSGDescription = "[k8s] Managed SecurityGroup for LoadBalancer"
	BackendSGDescription = "[k8s] Shared Backend SecurityGroup for LoadBalancer"
	// MaxLBNameLength is the ELBv2 limit on load balancer and target group names.
	MaxLBNameLength = 32
	// backendSGNameMax keeps k8s-traffic-<232>-<10> within EC2's 255.
	backendSGNameMax = 232
)

// Schemes.
const (
	SchemeInternal       = "internal"
	SchemeInternetFacing = "internet-facing"
)

// ErrLBNameTooLong is LBC's error for an explicit name over 32 characters.
var ErrLBNameTooLong = errors.New("load balancer name cannot be longer than 32 characters")

// ManagedSGName is the GroupName of the managed frontend SG of an Ingress
// group (lbc-security-groups.md §3.2). It does not hash the scheme.
func ManagedSGName(cluster string, s Stack) string {
	if s.Explicit() {
		return groupName(s.Group, Hash10(cluster, s.Group))
	}
	return shortName(s.Namespace, s.Name, Hash10(cluster, s.Namespace+"/"+s.Name))
}

// ServiceManagedSGName is the GroupName of a Service's managed frontend SG:
// the hash covers cluster, name, namespace (name first) and UID.
func ServiceManagedSGName(cluster, ns, name, uid string) string {
	return shortName(ns, name, Hash10(cluster, name, ns, uid))
}

// BackendSGName is the shared backend SG's GroupName:
// k8s-traffic-<cut232(sanitize(cluster))>-<h10(cluster)>.
func BackendSGName(cluster string) string {
	return "k8s-traffic-" + Cut(backendSGNameMax, Sanitize(cluster)) + "-" + Hash10(cluster)
}

// IngressLBName is the generated ALB name of an Ingress stack
// (lbc-load-balancers.md §1.2); the scheme is hashed.
func IngressLBName(cluster string, s Stack, scheme string) string {
	if s.Explicit() {
		return groupName(s.Group, Hash10(cluster, s.Group, scheme))
	}
	return shortName(s.Namespace, s.Name, Hash10(cluster, s.Namespace+"/"+s.Name, scheme))
}

// ServiceLBName is the generated NLB name of a Service (§1.3): namespace and
// name are not hashed, the UID and scheme are.
func ServiceLBName(cluster, ns, name, uid, scheme string) string {
	return shortName(ns, name, Hash10(cluster, uid, scheme))
}

// ValidateLBName checks an explicit load-balancer name as LBC does: length
// only; the characters are left to AWS.
func ValidateLBName(name string) error {
	if len(name) > MaxLBNameLength {
		return ErrLBNameTooLong
	}
	return nil
}

// ServiceTargetGroup holds the inputs of a Service target group's name.
type ServiceTargetGroup struct {
	Namespace, Name, UID string
	// LBServiceUID is set only for weighted extra TGs pointing at another
	// Service: the UID of the Service owning the load balancer.
	LBServiceUID        string
	TargetPort          int32  // TG port: NodePort (instance) or target port (ip)
	ServicePort         int32  // spec.ports[].port
	TargetType          string // "instance" | "ip"
	Protocol            string // TCP, UDP, TCP_UDP, TLS, QUIC, TCP_QUIC
	HealthCheckProtocol string // TCP, HTTP, HTTPS
	HealthCheckInterval int32
}

// ServiceTargetGroupName is LBC's name for a Service TG (§2.2).
func ServiceTargetGroupName(cluster string, tg ServiceTargetGroup) string {
	parts := []string{cluster}
	if tg.LBServiceUID != "" {
		parts = append(parts, tg.LBServiceUID)
	}
	parts = append(parts, tg.UID, itoa(tg.TargetPort), itoa(tg.ServicePort), tg.TargetType,
		tg.Protocol, tg.HealthCheckProtocol, itoa(tg.HealthCheckInterval))
	return shortName(tg.Namespace, tg.Name, Hash10(parts...))
}

// IngressTargetGroup holds the inputs of an Ingress target group's name.
type IngressTargetGroup struct {
	GroupID                 string // Stack.ID(): the explicit group name, or ingNs/ingName for an implicit group
	IngressNamespace        string // also the Service's namespace
	IngressName             string
	ServiceName, ServiceUID string
	BackendPort             string // port name or decimal number as written in the Ingress
	TargetPort              int32
	TargetType              string // "instance" | "ip"
	Protocol                string // HTTP | HTTPS
	ProtocolVersion         string // HTTP1 | HTTP2 | GRPC
	TargetControlPort       int32  // 0 = not set
}

// IngressTargetGroupName is LBC's name for an Ingress TG (§2.1).
func IngressTargetGroupName(cluster string, tg IngressTargetGroup) string {
	parts := []string{cluster, tg.GroupID, tg.IngressNamespace, tg.IngressName, tg.ServiceUID,
		tg.BackendPort, itoa(tg.TargetPort), tg.TargetType, tg.Protocol, tg.ProtocolVersion}
	if tg.TargetControlPort != 0 {
		parts = append(parts, itoa(tg.TargetControlPort))
	}
	return shortName(tg.IngressNamespace, tg.ServiceName, Hash10(parts...))
}

func itoa(n int32) string { return strconv.FormatInt(int64(n), 10) }

// FrontendTargetGroupName is LBC's name for a target group of an Ingress
// group's frontend NLB: the hash covers cluster, group ID, NLB port, target
// type alb, protocol TCP, health-check port and protocol.
func FrontendTargetGroupName(cluster string, s Stack, port, hcPort, hcProtocol string) string {
	hash := Hash10(cluster, s.ID(), port, "alb", "TCP", hcPort, hcProtocol)
	if s.Explicit() {
		return groupName(s.Group, hash)
	}
	return shortName(s.Namespace, s.Name, hash)
}
