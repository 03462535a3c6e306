package naming

// GatewayLBName is LBC's generated load-balancer name of a Gateway: the
// hash covers cluster, UID and scheme (as a Service's, ServiceLBName).
func GatewayLBName(cluster, ns, name, uid, scheme string) string {
	return shortName(ns, name, Hash10(cluster, uid, scheme))
}

// GatewayManagedSGName is LBC's managed frontend SG name of a Gateway:
// the hash covers cluster, name, namespace and UID (as a Service's).
func GatewayManagedSGName(cluster, ns, name, uid string) string {
	return shortName(ns, name, Hash10(cluster, name, ns, uid))
}

// GatewayTargetGroup holds the inputs of a Gateway target group's name
// and resource ID.
type GatewayTargetGroup struct {
	GatewayNamespace, GatewayName string
	RouteNamespace, RouteName     string
	RouteKind                     string // TCPRoute | UDPRoute | TLSRoute | HTTPRoute | GRPCRoute
	ServiceNamespace, ServiceName string
	// IdentifierPort is the Service port's targetPort as written (a
	// number or a name): the resource ID's and, for ip targets, the name
	// hash's; TargetPort is the TG port (hashed for instance targets).
	IdentifierPort  string
	TargetPort      int32
	TargetType      string // instance | ip
	Protocol        string
	ProtocolVersion string // "" for NLB groups
	// TargetControlPort of an ALB group (nil: none): hashed into the name
	// and appended to the resource ID, as LBC.
	TargetControlPort *int32
}

// GatewayTargetGroupName is LBC's name for a Gateway TG: k8s-<route ns>-
// <route name>-<hash>, the hash over cluster, Gateway, route (namespace,
// name, kind), Service, port, target type, protocol, protocol version and
// target control port.
func GatewayTargetGroupName(cluster string, tg GatewayTargetGroup) string {
	port := itoa(tg.TargetPort)
	if tg.TargetType != "instance" {
		port = tg.IdentifierPort
	}
	parts := []string{cluster, tg.GatewayNamespace, tg.GatewayName,
		tg.RouteNamespace, tg.RouteName, tg.RouteKind, tg.ServiceNamespace, tg.ServiceName, port, tg.TargetType,
		tg.Protocol, tg.ProtocolVersion}
	if tg.TargetControlPort != nil {
		parts = append(parts, itoa(*tg.TargetControlPort))
	}
	return shortName(tg.RouteNamespace, tg.RouteName, Hash10(parts...))
}

// GatewayTargetGroupResourceID is LBC's resource ID of a Gateway TG:
// gwNs/gwName:routeNs-routeName:routeKind-svcNs-svcName:identifierPort,
// then -targetControlPort when set.
func GatewayTargetGroupResourceID(tg GatewayTargetGroup) string {
	id := tg.GatewayNamespace + "/" + tg.GatewayName + ":" + tg.RouteNamespace + "-" + tg.RouteName + ":" +
		tg.RouteKind + "-" + tg.ServiceNamespace + "-" + tg.ServiceName + ":" + tg.IdentifierPort
	if tg.TargetControlPort != nil {
		id += "-" + itoa(*tg.TargetControlPort)
	}
	return id
}
