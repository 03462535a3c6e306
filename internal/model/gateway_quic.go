package model

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/gwconfig"
)

// gatewayQUICUpgrade is LBC's QUIC upgrade of a Gateway NLB listener whose
// listener configuration sets quicEnabled: UDP becomes QUIC and TCP_UDP
// becomes TCP_QUIC (and so do its target groups); any other protocol is
// LBC's error.
func gatewayQUICUpgrade(proto string, lc *gwconfig.ListenerConfiguration) (string, error) {
	if lc == nil || lc.QuicEnabled == nil || !*lc.QuicEnabled {
		return proto, nil
	}
	switch proto {
	case ProtoUDP:
		return ProtoQUIC, nil
	case ProtoTCPUDP:
		return ProtoTCPQUIC, nil
	}
	return "", fmt.Errorf("QUIC protocol upgrade not supported for protocol %v", proto)
}

// gatewayQUICTargets gives the ip targets of a QUIC target group their
// pods' server IDs (targets without one are left out, as LBC). Instance
// targets are refused: each QUIC target needs a server ID, which a node
// has not (AWS would reject LBC's registration).
func gatewayQUICTargets(tg *TargetGroup, p corev1.ServicePort, endpoints []Endpoint) error {
	if !isQUIC(tg.Protocol) {
		return nil
	}
	if tg.TargetType != annotations.TargetTypeIP {
		return fmt.Errorf("%s target groups need ip targets (each target needs a QUIC server ID): set targetType ip in the TargetGroupConfiguration of the Service's port %s/%d",
			tg.Protocol, p.Name, p.Port)
	}
	return quicTargets(tg, p, endpoints)
}

// checkGatewayQUICListeners refuses, before any AWS write, the QUIC
// listeners AWS would refuse: on an NLB with security groups (QUIC needs
// disableSecurityGroup), more than one, or beside UDP or TCP_UDP
// listeners.
func checkGatewayQUICListeners(lb *LoadBalancer, ls []Listener) error {
	quic, udp := quicAndUDPListeners(ls)
	switch {
	case len(quic) == 0:
		return nil
	case len(lb.SecurityGroups) > 0:
		return fmt.Errorf("QUIC listeners (quicEnabled) need an NLB without security groups: set disableSecurityGroup: true")
	case len(quic) > 1:
		return fmt.Errorf("a load balancer can have only one QUIC or TCP_QUIC listener, not %s", strings.Join(quic, " "))
	case len(udp) > 0:
		return fmt.Errorf("QUIC listeners cannot be combined with UDP or TCP_UDP listeners (%s)", strings.Join(udp, " "))
	}
	return nil
}
