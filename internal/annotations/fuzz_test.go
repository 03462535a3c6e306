package annotations_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/annotations"
)

var serviceKeys = []string{
	annotations.SvcType, annotations.SvcNLBTargetType, annotations.SvcName, annotations.SvcScheme, annotations.SvcInternal,
	annotations.SvcSubnets, annotations.SvcIPAddressType, annotations.SvcSecurityGroups, annotations.SvcManageBackendSGRules,
	annotations.SvcSourceRanges, annotations.SvcSGPrefixLists, annotations.SvcICMPForPathMTU, annotations.SvcDisableNLBSG,
	annotations.SvcPrivateLinkInboundSGRules, annotations.SvcAdditionalResourceTags, annotations.SvcHealthCheckProtocol,
	annotations.SvcHealthCheckPort, annotations.SvcHealthCheckPath, annotations.SvcHealthCheckInterval, annotations.SvcHealthCheckTimeout,
	annotations.SvcHealthCheckHealthyThreshold, annotations.SvcHealthCheckUnhealthy, annotations.SvcHealthCheckSuccessCodes,
	annotations.SvcTargetGroupAttributes, annotations.SvcLoadBalancerAttributes, annotations.SvcSSLCert, annotations.SvcSSLPorts,
	annotations.SvcSSLNegotiationPolicy, annotations.SvcALPNPolicy, annotations.SvcBackendProtocol, annotations.SvcProxyProtocol,
	annotations.SvcEIPAllocations, annotations.SvcPrivateIPv4Addresses, annotations.SvcIPv6Addresses, annotations.SvcEnableTCPUDPListener,
}

var ingressKeys = []string{
	annotations.IngGroupName, annotations.IngGroupOrder, annotations.IngLoadBalancerName, annotations.IngScheme, annotations.IngSubnets,
	annotations.IngIPAddressType, annotations.IngTargetType, annotations.IngSecurityGroups, annotations.IngManageBackendSGRules,
	annotations.IngInboundCIDRs, annotations.IngSGPrefixLists, annotations.IngListenPorts, annotations.IngCertificateARN,
	annotations.IngSSLPolicy, annotations.IngSSLRedirect, annotations.IngTags, annotations.IngLoadBalancerAttributes,
	annotations.IngTargetGroupAttributes, annotations.IngBackendProtocol, annotations.IngBackendProtocolVersion,
	annotations.IngHealthCheckProtocol, annotations.IngHealthCheckPort, annotations.IngHealthCheckPath, annotations.IngHealthCheckInterval,
	annotations.IngHealthCheckTimeout, annotations.IngHealthyThreshold, annotations.IngUnhealthyThreshold, annotations.IngSuccessCodes,
	annotations.IngFrontendNLBSecurityGroup, annotations.IngUseRegexPathMatch,
}

// checkErrors asserts every joined error is an *Error naming one of the keys set.
func checkErrors(t *testing.T, err error, ann map[string]string) {
	t.Helper()
	if err == nil {
		return
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var ae *annotations.Error
		if !errors.As(e, &ae) {
			t.Fatalf("error %q is not an *annotations.Error", e)
		}
		if _, ok := ann[ae.Annotation]; !ok {
			t.Fatalf("error names %q, which was not set: %v", ae.Annotation, e)
		}
		if !strings.Contains(e.Error(), ae.Annotation) {
			t.Fatalf("error text %q does not name %q", e, ae.Annotation)
		}
	}
}

func FuzzParseService(f *testing.F) {
	f.Add(uint8(0), "external", uint8(1), "ip")
	f.Add(uint8(14), `a=b\,c,d=e`, uint8(9), "10.0.0.0/8,::/0")
	f.Add(uint8(6), "dualstack", uint8(19), "x")
	f.Fuzz(func(t *testing.T, k1 uint8, v1 string, k2 uint8, v2 string) {
		ann := map[string]string{
			serviceKeys[int(k1)%len(serviceKeys)]: v1,
			serviceKeys[int(k2)%len(serviceKeys)]: v2,
		}
		_, err := annotations.ParseService(ann)
		checkErrors(t, err, ann)
	})
}

func FuzzParseIngress(f *testing.F) {
	f.Add(uint8(11), `[{"HTTP":80},{"HTTPS":443}]`, uint8(9), "10.0.0.0/8")
	f.Add(uint8(0), "shared.alb", uint8(1), "-1000")
	f.Add(uint8(15), `k=v,\,`, uint8(5), "dualstack")
	f.Fuzz(func(t *testing.T, k1 uint8, v1 string, k2 uint8, v2 string) {
		ann := map[string]string{
			ingressKeys[int(k1)%len(ingressKeys)]: v1,
			ingressKeys[int(k2)%len(ingressKeys)]: v2,
		}
		in, err := annotations.ParseIngressAnnotations("ns", "name", ann)
		checkErrors(t, err, ann)
		if err == nil {
			for _, lp := range in.EffectiveListenPorts(false) {
				if lp.Port < 1 || lp.Port > 65535 || (lp.Protocol != "HTTP" && lp.Protocol != "HTTPS") {
					t.Fatalf("invalid listen port accepted: %v", lp)
				}
			}
			if in.GroupName != "" && annotations.ValidateGroupName(in.GroupName) != nil {
				t.Fatalf("invalid group name accepted: %q", in.GroupName)
			}
		}
	})
}

func FuzzParseListenPorts(f *testing.F) {
	for _, s := range []string{`[{"HTTP":80}]`, `[]`, `[{"HTTP":0}]`, `[{"TCP":1}]`, `{}`, `[{"HTTP":80,"HTTPS":443}]`, `null`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		ports, err := annotations.ParseListenPorts(raw)
		checkErrors(t, err, map[string]string{annotations.IngListenPorts: raw})
		if err == nil && len(ports) == 0 {
			t.Fatalf("no error and no ports for %q", raw)
		}
	})
}

func FuzzStringMapAnnotation(f *testing.F) {
	for _, s := range []string{`a=b`, `a=b\,c`, `=x`, `a`, `,,`, `a=b=c`, `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		ann := map[string]string{annotations.SvcAdditionalResourceTags: raw}
		s, err := annotations.ParseService(ann)
		checkErrors(t, err, ann)
		if err == nil {
			for k := range s.AdditionalTags {
				if k == "" || k != strings.TrimSpace(k) {
					t.Fatalf("bad key %q from %q", k, raw)
				}
			}
		}
	})
}
