package model

import (
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
)

// Target-group protocols of QUIC ports.
const (
	ProtoQUIC    = "QUIC"
	ProtoTCPQUIC = "TCP_QUIC"
)

// QUICServerIDEnv is the container variable holding a pod's QUIC server ID
// (LBC's --quic-environment-variable-name default).
const QUICServerIDEnv = "AWS_LBC_QUIC_SERVER_ID"

// PodQUIC is the QUIC server ID of a pod's ports: ByPort for the ports of
// containers that carry an ID, Default (the first container's) otherwise.
type PodQUIC struct {
	ByPort  map[int32]string
	Default string
}

// ServerID is the ID of a target on pod port port ("" when the pod has none).
func (q *PodQUIC) ServerID(port int32) string {
	if q == nil {
		return ""
	}
	if id, ok := q.ByPort[port]; ok {
		return id
	}
	return q.Default
}

// PodQUICServerIDs reads pod's QUIC server IDs as LBC does: only on a pod
// annotated quic-enabled-containers, from the QUICServerIDEnv variable of
// its containers and sidecars (restartable init containers), a base64
// value written as 0x and lower-case hex; a value that is not base64 is
// ignored. Nil when the pod has none.
func PodQUICServerIDs(pod *corev1.Pod) *PodQUIC {
	if _, ok := pod.Annotations[annotations.PodQUICEnabledContainers]; !ok {
		return nil
	}
	containers := slices.Clone(pod.Spec.Containers)
	for _, c := range pod.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			containers = append(containers, c)
		}
	}
	var q *PodQUIC
	for _, c := range containers {
		id, ok := containerQUICServerID(c)
		if !ok {
			continue
		}
		if q == nil {
			q = &PodQUIC{ByPort: map[int32]string{}, Default: id}
		}
		for _, p := range c.Ports {
			q.ByPort[p.ContainerPort] = id
		}
	}
	return q
}

func containerQUICServerID(c corev1.Container) (string, bool) {
	for _, e := range c.Env {
		if e.Name != QUICServerIDEnv {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(e.Value)
		if err != nil {
			return "", false
		}
		return "0x" + hex.EncodeToString(raw), true
	}
	return "", false
}

// quicPort reports whether the quic-enabled-ports annotation lists p.
func quicPort(cfg annotations.Service, p corev1.ServicePort) bool {
	return slices.ContainsFunc(cfg.QUICPorts, func(item string) bool { return matchesPort(item, p) })
}

// quicUpgrade turns the listener and target-group protocol of a listed
// port to QUIC (from UDP) or TCP_QUIC (from TCP_UDP), with LBC's error for
// any other listener protocol; an unlisted port keeps its protocols.
func quicUpgrade(cfg annotations.Service, p corev1.ServicePort, listenerProto, tgProto string) (string, string, error) {
	if !quicPort(cfg, p) {
		return listenerProto, tgProto, nil
	}
	switch listenerProto {
	case ProtoUDP:
		return ProtoQUIC, ProtoQUIC, nil
	case ProtoTCPUDP:
		return ProtoTCPQUIC, ProtoTCPQUIC, nil
	}
	return "", "", annotations.NewError(annotations.SvcQUICEnabledPorts, strings.Join(cfg.QUICPorts, ","),
		"Unsupported QUIC upgrade for protocol %s", listenerProto)
}

// quicTargets gives ip targets of a QUIC target group their pods' server
// IDs; targets whose pod has none are left out, as LBC does. QUIC on
// instance targets is refused: LBC registers nodes without a server ID,
// which AWS rejects.
func quicTargets(tg *TargetGroup, p corev1.ServicePort, endpoints []Endpoint) error {
	if !isQUIC(tg.Protocol) {
		return nil
	}
	if tg.TargetType != annotations.TargetTypeIP {
		return annotations.NewError(annotations.SvcQUICEnabledPorts, p.Name+"/"+strconv.Itoa(int(p.Port)),
			"%s target groups need ip targets (each target needs a QUIC server ID)", tg.Protocol)
	}
	var out []Target
	for _, e := range endpoints {
		port, ok := endpointPort(p, e)
		if !ok {
			continue
		}
		if id := e.QUIC.ServerID(port); id != "" {
			out = append(out, Target{ID: e.IP, Port: port, QUICServerID: id})
		}
	}
	slices.SortFunc(out, func(a, c Target) int { return cmp.Or(cmp.Compare(a.ID, c.ID), cmp.Compare(a.Port, c.Port)) })
	tg.Targets = slices.Compact(out)
	return nil
}

// checkQUICListeners refuses, before any AWS write, the QUIC listeners AWS
// would refuse: on an NLB with security groups or a dualstack one, more
// than one, or beside UDP or TCP_UDP listeners.
func checkQUICListeners(cfg annotations.Service, lb *LoadBalancer, ls []Listener) error {
	quic, udp := quicAndUDPListeners(ls)
	raw := strings.Join(cfg.QUICPorts, ",")
	switch {
	case len(quic) == 0:
		return nil
	case lb != nil && len(lb.SecurityGroups) > 0:
		return annotations.NewError(annotations.SvcQUICEnabledPorts, raw,
			"QUIC listeners need a load balancer without security groups (set %s: \"true\")", annotations.SvcDisableNLBSG)
	case lb != nil && lb.IPAddressType == annotations.IPAddressTypeDualStack:
		return annotations.NewError(annotations.SvcQUICEnabledPorts, raw, "QUIC listeners are not supported on dualstack load balancers")
	case len(quic) > 1:
		return annotations.NewError(annotations.SvcQUICEnabledPorts, raw,
			"a load balancer can have only one QUIC or TCP_QUIC listener, not %s", strings.Join(quic, " "))
	case len(udp) > 0:
		return annotations.NewError(annotations.SvcQUICEnabledPorts, raw,
			"QUIC listeners cannot be combined with UDP or TCP_UDP listeners (%s)", strings.Join(udp, " "))
	}
	return nil
}

// quicAndUDPListeners names ("PROTOCOL-port") the QUIC and TCP_QUIC
// listeners of ls, and its UDP and TCP_UDP ones, for the QUIC checks.
func quicAndUDPListeners(ls []Listener) (quic, udp []string) {
	for _, l := range ls {
		switch l.Protocol {
		case ProtoQUIC, ProtoTCPQUIC:
			quic = append(quic, l.Protocol+"-"+strconv.Itoa(int(l.Port)))
		case ProtoUDP, ProtoTCPUDP:
			udp = append(udp, l.Protocol+"-"+strconv.Itoa(int(l.Port)))
		}
	}
	return quic, udp
}

// transportProto is the protocol a target group's traffic rides on, for
// security-group rules: QUIC is UDP and TCP_QUIC is TCP_UDP, as in LBC.
func transportProto(proto string) string {
	switch proto {
	case ProtoQUIC:
		return ProtoUDP
	case ProtoTCPQUIC:
		return ProtoTCPUDP
	}
	return proto
}

// isQUIC reports whether a target-group protocol needs QUIC server IDs.
func isQUIC(proto string) bool { return proto == ProtoQUIC || proto == ProtoTCPQUIC }

// String prints a target as {id port} or, with a QUIC server ID,
// {id port id}.
func (t Target) String() string {
	if t.QUICServerID == "" {
		return "{" + t.ID + " " + strconv.Itoa(int(t.Port)) + "}"
	}
	return "{" + t.ID + " " + strconv.Itoa(int(t.Port)) + " " + t.QUICServerID + "}"
}
