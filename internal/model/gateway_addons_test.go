package model

import (
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/gwconfig"
	"github.com/lbsg/lbsg/internal/naming"
)

func httpPort(p int32, proto string, props *gwconfig.TargetGroupProps) GatewayPort {
	return GatewayPort{Port: p, Protocols: []string{proto}, HTTPRoutes: []GatewayHTTPRoute{
		{Namespace: "app", Name: "r", Rules: []GatewayHTTPRule{{Backends: []GatewayBackend{be(gwService(false), 1, props)}}}}}}
}

const aclARN = "arn:aws:wafv2:us-west-2:111122223333:regional/webacl/a/1"

// LBC's add-on builder: what the configuration asks for is applied; an
// add-on it no longer asks for is removed when the Gateway records it as
// enabled, and left alone (nil) when it never was.
func TestBuildGatewayAddons(t *testing.T) {
	all := map[string]bool{GatewayAddonWAFv2: true, GatewayAddonShield: true, GatewayAddonProvisionedCapacity: true}
	for _, c := range []struct {
		name     string
		alb      bool
		cfg      gwconfig.LoadBalancerConfigurationSpec
		active   map[string]bool
		noGate   bool
		want     string // "waf shield capacity ipam coip"
		enabled  string
		wantFail string
	}{
		{name: "nothing asked, nothing recorded: every add-on left alone", alb: true, want: "- - - _ _"},
		{name: "every ALB add-on asked for", alb: true, cfg: gwconfig.LoadBalancerConfigurationSpec{
			WAFv2: &gwconfig.WAFv2Configuration{ACL: aclARN}, ShieldConfiguration: &gwconfig.ShieldConfiguration{Enabled: true},
			MinimumLoadBalancerCapacity: &gwconfig.MinimumLoadBalancerCapacity{CapacityUnits: 100},
			IPv4IPAMPoolId:              ptr.To("ipam-pool-1"), CustomerOwnedIpv4Pool: ptr.To("ipv4pool-coip-1")},
			want: aclARN + " true 100 ipam-pool-1 ipv4pool-coip-1", enabled: "ProvisionedCapacity Shield WAFv2"},
		{name: "fields removed after being applied: each add-on removed", alb: true, active: all, want: "\"\" false 0 _ _"},
		{name: "empty webACL, shield disabled, capacity 0 after being applied: removed", alb: true, active: all,
			cfg: gwconfig.LoadBalancerConfigurationSpec{WAFv2: &gwconfig.WAFv2Configuration{}, ShieldConfiguration: &gwconfig.ShieldConfiguration{},
				MinimumLoadBalancerCapacity: &gwconfig.MinimumLoadBalancerCapacity{}}, want: "\"\" false 0 _ _"},
		{name: "shield disabled, never recorded: left alone", alb: true, cfg: gwconfig.LoadBalancerConfigurationSpec{
			ShieldConfiguration: &gwconfig.ShieldConfiguration{}}, want: "- - - _ _"},
		{name: "NLB capacity reservation", cfg: gwconfig.LoadBalancerConfigurationSpec{
			MinimumLoadBalancerCapacity: &gwconfig.MinimumLoadBalancerCapacity{CapacityUnits: 5500}}, want: "- - 5500 _ _", enabled: "ProvisionedCapacity"},
		{name: "NLB ignores the ALB add-ons' records", active: all, want: "- - 0 _ _"},
		{name: "capacity gate off: no reservation", alb: true, noGate: true, cfg: gwconfig.LoadBalancerConfigurationSpec{
			MinimumLoadBalancerCapacity: &gwconfig.MinimumLoadBalancerCapacity{CapacityUnits: 100}}, want: "- - - _ _"},
		{name: "NLB refuses wafV2 and the IPAM pool", cfg: gwconfig.LoadBalancerConfigurationSpec{
			WAFv2: &gwconfig.WAFv2Configuration{ACL: aclARN}, IPv4IPAMPoolId: ptr.To("ipam-pool-1")},
			wantFail: "wafV2, ipv4IPAMPoolId only apply to Application Load Balancer Gateways"},
		{name: "webACL must be an ARN", alb: true, cfg: gwconfig.LoadBalancerConfigurationSpec{
			WAFv2: &gwconfig.WAFv2Configuration{ACL: "my-web-acl"}}, wantFail: "must be a web ACL ARN"},
		{name: "empty customer-owned pool", alb: true, cfg: gwconfig.LoadBalancerConfigurationSpec{
			CustomerOwnedIpv4Pool: ptr.To("")}, wantFail: "cannot use empty value for customerOwnedIpv4Pool"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			g := gw(&cfg, port(80, "TCPRoute", []string{ProtoTCP}, be(gwService(false), 1, nil)))
			if c.alb {
				g = albGW(&cfg, httpPort(80, ProtoHTTP, nil))
			}
			g.ActiveAddons = c.active
			d := defaults()
			d.NoCapacityReservation = c.noGate
			st, _, err := BuildGateway(g, facts(), d)
			if c.wantFail != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantFail) {
					t.Fatalf("error %v, want %q", err, c.wantFail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			str := func(p *string) string {
				switch {
				case p == nil:
					return "-"
				case *p == "":
					return `""`
				}
				return *p
			}
			opt := func(v string) string { return map[bool]string{true: "_", false: v}[v == ""] }
			got := []string{str(st.Addons.WAFv2), "-", "-", opt(st.LoadBalancer.IPAMPool), opt(st.LoadBalancer.CustomerOwnedPool)}
			if s := st.Addons.Shield; s != nil {
				got[1] = map[bool]string{true: "true", false: "false"}[*s]
			}
			if m := st.LoadBalancer.MinimumCapacity; m != nil {
				got[2] = itoa(*m)
			}
			eq(t, "add-ons", strings.Join(got, " "), c.want)
			var en []string
			for _, a := range []string{GatewayAddonProvisionedCapacity, GatewayAddonShield, GatewayAddonWAFv2} {
				if EnabledGatewayAddons(st)[a] {
					en = append(en, a)
				}
			}
			eq(t, "enabled", strings.Join(en, " "), c.enabled)
		})
	}
}

func TestActiveGatewayAddonsReadsLBCsAnnotations(t *testing.T) {
	got := ActiveGatewayAddons(map[string]string{"gateway.k8s.aws.addon.wafv2": "true", "gateway.k8s.aws.addon.shield": "false",
		"gateway.k8s.aws.addon.provisionedcapacity": "yes"})
	eq(t, "active", got, map[string]bool{GatewayAddonWAFv2: true})
}

// mutualAuthentication: LBC's attributes on an ALB HTTPS listener; a
// trust store name resolved through the facts; refused elsewhere.
func TestBuildGatewayMutualAuthentication(t *testing.T) {
	httpsCfg := func(port string, ma *gwconfig.MutualAuthentication) *gwconfig.LoadBalancerConfigurationSpec {
		return &gwconfig.LoadBalancerConfigurationSpec{ListenerConfigurations: &[]gwconfig.ListenerConfiguration{
			{ProtocolPort: port, DefaultCertificate: ptr.To("arn:cert"), MutualAuthentication: ma}}}
	}
	for _, c := range []struct {
		name string
		g    Gateway
		want *MutualAuth
		fail string
	}{
		{"verify by trust store name, defaults", albGW(httpsCfg("HTTPS:443", &gwconfig.MutualAuthentication{Mode: "verify", TrustStore: ptr.To("ts")}), httpPort(443, ProtoHTTPS, nil)),
			&MutualAuth{Mode: "verify", TrustStoreARN: "arn:ts", AdvertiseTrustStoreCaNames: "off"}, ""},
		{"verify by ARN with its options", albGW(httpsCfg("HTTPS:443", &gwconfig.MutualAuthentication{Mode: "verify", TrustStore: ptr.To("arn:other"),
			IgnoreClientCertificateExpiry: ptr.To(true), AdvertiseTrustStoreCaNames: ptr.To("on")}), httpPort(443, ProtoHTTPS, nil)),
			&MutualAuth{Mode: "verify", TrustStoreARN: "arn:other", IgnoreClientCertificateExpiry: true, AdvertiseTrustStoreCaNames: "on"}, ""},
		{"passthrough", albGW(httpsCfg("HTTPS:443", &gwconfig.MutualAuthentication{Mode: "passthrough"}), httpPort(443, ProtoHTTPS, nil)),
			&MutualAuth{Mode: "passthrough"}, ""},
		{"unknown trust store name", albGW(httpsCfg("HTTPS:443", &gwconfig.MutualAuthentication{Mode: "verify", TrustStore: ptr.To("gone")}), httpPort(443, ProtoHTTPS, nil)),
			nil, "couldn't find TrustStore with name gone"},
		{"verify without a trust store", albGW(httpsCfg("HTTPS:443", &gwconfig.MutualAuthentication{Mode: "verify"}), httpPort(443, ProtoHTTPS, nil)),
			nil, "needs a trustStore"},
		{"on an HTTP listener", albGW(httpsCfg("HTTP:80", &gwconfig.MutualAuthentication{Mode: "passthrough"}), httpPort(80, ProtoHTTP, nil)),
			nil, "HTTPS listeners of Application Load Balancer Gateways only"},
		{"on an NLB TLS listener", func() Gateway {
			p := port(443, "TLSRoute", []string{ProtoTLS}, be(gwService(false), 1, nil))
			p.TLSTerminate = true
			return gw(httpsCfg("TLS:443", &gwconfig.MutualAuthentication{Mode: "passthrough"}), p)
		}(), nil, "HTTPS listeners of Application Load Balancer Gateways only"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := facts()
			f.TrustStoreARNs = map[string]string{"ts": "arn:ts"}
			st, _, err := BuildGateway(c.g, f, defaults())
			if c.fail != "" {
				if err == nil || !strings.Contains(err.Error(), c.fail) {
					t.Fatalf("error %v, want %q", err, c.fail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "mutual auth", st.Listeners[0].MutualAuth, c.want)
		})
	}
	cfg := httpsCfg("HTTPS:443", &gwconfig.MutualAuthentication{Mode: "verify", TrustStore: ptr.To("ts")})
	*cfg.ListenerConfigurations = append(*cfg.ListenerConfigurations, gwconfig.ListenerConfiguration{ProtocolPort: "HTTPS:8443",
		MutualAuthentication: &gwconfig.MutualAuthentication{Mode: "verify", TrustStore: ptr.To("arn:x")}})
	eq(t, "trust store names", GatewayTrustStoreNames(cfg), []string{"ts"})
}

// targetControlPort: ALB ip target groups carry it, in their name and
// resource ID as LBC; instance targets and NLB groups refuse it.
func TestBuildGatewayTargetControlPort(t *testing.T) {
	ip := &gwconfig.TargetGroupProps{TargetType: ptr.To("ip"), TargetControlPort: ptr.To(int32(3000))}
	st, _, err := BuildGateway(albGW(nil, httpPort(80, ProtoHTTP, ip)), facts(), defaults())
	if err != nil {
		t.Fatal(err)
	}
	tg := st.TargetGroups[0]
	eq(t, "control port", ptrValue(tg.TargetControlPort), int32(3000))
	id := naming.GatewayTargetGroup{GatewayNamespace: "infra", GatewayName: "gw", RouteNamespace: "app", RouteName: "r", RouteKind: "HTTPRoute",
		ServiceNamespace: "app", ServiceName: "echo", IdentifierPort: "8080", TargetPort: 8080, TargetType: "ip", Protocol: ProtoHTTP,
		ProtocolVersion: ProtocolVersionHTTP1, TargetControlPort: ptr.To(int32(3000))}
	eq(t, "resource ID", tg.ResourceID, "infra/gw:app-r:HTTPRoute-app-echo:8080-3000")
	eq(t, "name", tg.Name, naming.GatewayTargetGroupName(cluster, id))
	id.TargetControlPort = nil
	if tg.Name == naming.GatewayTargetGroupName(cluster, id) {
		t.Error("the target control port is not in the name's hash")
	}
	found := false
	for _, r := range st.TargetRules {
		if r.FromPort == 3000 && r.ToPort == 3000 {
			found = true
		}
	}
	if !found {
		t.Errorf("no target rule admits the control port: %v", st.TargetRules)
	}

	for _, c := range []struct {
		name string
		g    Gateway
		fail string
	}{
		{"instance targets", albGW(nil, httpPort(80, ProtoHTTP, &gwconfig.TargetGroupProps{TargetControlPort: ptr.To(int32(3000))})),
			"not supported for instance target"},
		{"NLB target group", gw(nil, port(80, "TCPRoute", []string{ProtoTCP}, be(gwService(false), 1, ip))),
			"only supported for HTTP and HTTPS protocols, got: TCP"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, _, err := BuildGateway(c.g, facts(), defaults()); err == nil || !strings.Contains(err.Error(), c.fail) {
				t.Fatalf("error %v, want %q", err, c.fail)
			}
		})
	}
}
