package gwconfig_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/lbsg/lbsg/internal/apis/crds"
	"github.com/lbsg/lbsg/internal/gwconfig"
)

// schemaPaths lists the property paths of a CRD's v1 spec, "[]" marking
// list items, down to every depth.
func schemaPaths(t *testing.T, kind string) map[string]bool {
	t.Helper()
	list, err := crds.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, crd := range list {
		if crd.Spec.Names.Kind != kind {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if v.Name != gwconfig.Version {
				continue
			}
			out := map[string]bool{}
			spec := v.Schema.OpenAPIV3Schema.Properties["spec"]
			var walk func(string, apiextensionsv1.JSONSchemaProps)
			walk = func(path string, s apiextensionsv1.JSONSchemaProps) {
				if s.Items != nil && s.Items.Schema != nil {
					path += "[]"
					s = *s.Items.Schema
				}
				for name, p := range s.Properties {
					out[path+"."+name] = true
					walk(path+"."+name, p)
				}
			}
			walk("spec", spec)
			return out
		}
	}
	t.Fatalf("no %s CRD at %s", kind, gwconfig.Version)
	return nil
}

// Every field of LBC's schema is in the table, at the depth the table
// decides on, and every entry names a field of the schema.
func TestTableCoversLBCsSchema(t *testing.T) {
	for _, kind := range []string{gwconfig.KindLoadBalancerConfiguration, gwconfig.KindTargetGroupConfiguration, gwconfig.KindListenerRuleConfiguration} {
		paths := schemaPaths(t, kind)
		table := map[string]gwconfig.Support{}
		for _, f := range gwconfig.Fields {
			if f.Kind != kind {
				continue
			}
			table[f.Path] = f.Support
			if !paths[f.Path] {
				t.Errorf("%s: table entry %s is not in LBC's schema", kind, f.Path)
			}
		}
		for p := range paths {
			parent := p[:strings.LastIndex(p, ".")]
			parent = strings.TrimSuffix(parent, "[]")
			if parent == "spec" || table[parent] == gwconfig.Partial {
				if _, ok := table[p]; !ok {
					t.Errorf("%s: %s is in LBC's schema but not in the table", kind, p)
				}
			}
		}
	}
}

func TestUnsupportedFieldsAreFound(t *testing.T) {
	obj := map[string]any{
		"metadata": map[string]any{"namespace": "ns", "name": "cfg"},
		"spec": map[string]any{
			"scheme": "internet-facing",
			"loadBalancerSubnets": []any{map[string]any{"identifier": "subnet-1", "eipAllocation": "eipalloc-1",
				"ipv6Allocation": "2600::1", "sourceNatIPv6Prefix": "auto_assigned"}},
			"listenerConfigurations": []any{map[string]any{"protocolPort": "TLS:443", "defaultCertificate": "arn:cert"}},
			"unknownField":           true,
		},
	}
	got := gwconfig.UnsupportedFields(gwconfig.KindLoadBalancerConfiguration, obj)
	want := []string{"spec.unknownField"}
	if !slices.Equal(got, want) {
		t.Errorf("UnsupportedFields = %v, want %v", got, want)
	}
	_, err := gwconfig.ParseLoadBalancerConfiguration(obj)
	if err == nil || !strings.Contains(err.Error(), "LoadBalancerConfiguration ns/cfg uses fields lbsg does not support: spec.unknownField") {
		t.Errorf("Parse error = %v", err)
	}
}

func TestDualstackFieldsDecode(t *testing.T) {
	lbObj := map[string]any{
		"metadata": map[string]any{"namespace": "ns", "name": "cfg"},
		"spec": map[string]any{
			"ipAddressType": "dualstack",
			"loadBalancerSubnets": []any{map[string]any{"identifier": "subnet-1",
				"ipv6Allocation": "2600::1", "sourceNatIPv6Prefix": "auto_assigned"}},
		},
	}
	lb, err := gwconfig.ParseLoadBalancerConfiguration(lbObj)
	if err != nil {
		t.Fatal(err)
	}
	s := (*lb.Spec.LoadBalancerSubnets)[0]
	if *lb.Spec.IPAddressType != "dualstack" || *s.IPv6Allocation != "2600::1" || *s.SourceNatIPv6Prefix != "auto_assigned" {
		t.Errorf("decoded %+v", lb.Spec)
	}
	tgObj := map[string]any{
		"metadata": map[string]any{"namespace": "ns", "name": "tgc"},
		"spec": map[string]any{
			"defaultConfiguration": map[string]any{"ipAddressType": "ipv6"},
			"routeConfigurations": []any{map[string]any{"routeIdentifier": map[string]any{"kind": "TCPRoute"},
				"targetGroupProps": map[string]any{"ipAddressType": "ipv4"}}},
		},
	}
	tg, err := gwconfig.ParseTargetGroupConfiguration(tgObj)
	if err != nil {
		t.Fatal(err)
	}
	if *tg.Spec.DefaultConfiguration.IPAddressType != "ipv6" || *tg.Spec.ForRoute("TCPRoute", "ns", "r").IPAddressType != "ipv4" {
		t.Errorf("decoded %+v", tg.Spec)
	}
}

func TestSupportedFieldsDecode(t *testing.T) {
	obj := map[string]any{
		"metadata": map[string]any{"namespace": "ns", "name": "cfg", "generation": int64(3)},
		"spec": map[string]any{
			"scheme": "internet-facing", "sourceRanges": []any{"10.0.0.0/8"},
			"listenerConfigurations": []any{map[string]any{"protocolPort": "TLS:443", "defaultCertificate": "arn:cert"}},
		},
	}
	cfg, err := gwconfig.ParseLoadBalancerConfiguration(obj)
	if err != nil {
		t.Fatal(err)
	}
	if *cfg.Spec.Scheme != "internet-facing" || (*cfg.Spec.SourceRanges)[0] != "10.0.0.0/8" || cfg.Generation != 3 ||
		*(*cfg.Spec.ListenerConfigurations)[0].DefaultCertificate != "arn:cert" {
		t.Errorf("decoded %+v", cfg)
	}
}

func TestAddonFieldsDecode(t *testing.T) {
	obj := map[string]any{
		"metadata": map[string]any{"namespace": "ns", "name": "cfg"},
		"spec": map[string]any{
			"wafV2":                       map[string]any{"webACL": "arn:aws:wafv2:acl"},
			"shieldConfiguration":         map[string]any{"enabled": true},
			"minimumLoadBalancerCapacity": map[string]any{"capacityUnits": int64(100)},
			"ipv4IPAMPoolId":              "ipam-pool-1",
			"customerOwnedIpv4Pool":       "ipv4pool-coip-1",
			"listenerConfigurations": []any{map[string]any{"protocolPort": "HTTPS:443",
				"mutualAuthentication": map[string]any{"mode": "verify", "trustStore": "ts", "ignoreClientCertificateExpiry": true}}},
		},
	}
	cfg, err := gwconfig.ParseLoadBalancerConfiguration(obj)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Spec
	ma := (*s.ListenerConfigurations)[0].MutualAuthentication
	if s.WAFv2.ACL != "arn:aws:wafv2:acl" || !s.ShieldConfiguration.Enabled || s.MinimumLoadBalancerCapacity.CapacityUnits != 100 ||
		*s.IPv4IPAMPoolId != "ipam-pool-1" || *s.CustomerOwnedIpv4Pool != "ipv4pool-coip-1" ||
		ma == nil || ma.Mode != "verify" || *ma.TrustStore != "ts" || !*ma.IgnoreClientCertificateExpiry {
		t.Errorf("decoded %+v", s)
	}
	tgc := map[string]any{
		"metadata": map[string]any{"namespace": "ns", "name": "tgc"},
		"spec": map[string]any{"targetReference": map[string]any{"name": "echo"},
			"defaultConfiguration": map[string]any{"targetControlPort": int64(3000)}},
	}
	tc, err := gwconfig.ParseTargetGroupConfiguration(tgc)
	if err != nil {
		t.Fatal(err)
	}
	if p := tc.Spec.DefaultConfiguration.TargetControlPort; p == nil || *p != 3000 {
		t.Errorf("targetControlPort = %v", p)
	}
}

func TestTargetGroupProtocolVersionDecodes(t *testing.T) {
	obj := map[string]any{
		"metadata": map[string]any{"namespace": "ns", "name": "tgc"},
		"spec": map[string]any{"targetReference": map[string]any{"name": "echo"},
			"defaultConfiguration": map[string]any{"protocolVersion": "GRPC",
				"healthCheckConfig": map[string]any{"matcher": map[string]any{"grpcCode": "0-99"}}}},
	}
	cfg, err := gwconfig.ParseTargetGroupConfiguration(obj)
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Spec.DefaultConfiguration
	if d.ProtocolVersion == nil || *d.ProtocolVersion != "GRPC" || *d.HealthCheckConfig.Matcher.GRPCCode != "0-99" {
		t.Errorf("decoded %+v", d)
	}
}

func TestDocsTableIsCurrent(t *testing.T) {
	doc, err := os.ReadFile("../../docs/gateway.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), gwconfig.Markdown()) {
		t.Error("docs/gateway.md's field table is stale: go run ./hack/gen-gatewaydoc (make generate)")
	}
}
