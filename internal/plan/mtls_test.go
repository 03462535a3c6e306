package plan

import (
	"testing"

	"github.com/lbsg/lbsg/internal/model"
)

func TestMutualAuthChangedAsLBCWithoutEnhancedDefaults(t *testing.T) {
	const ts = "arn:aws:elasticloadbalancing:us-west-2:123456789012:truststore/ca/1"
	verify := func(ignore bool, adv string) *model.MutualAuth {
		return &model.MutualAuth{Mode: "verify", TrustStoreARN: ts, IgnoreClientCertificateExpiry: ignore, AdvertiseTrustStoreCaNames: adv}
	}
	for _, tt := range []struct {
		name    string
		d, o    *model.MutualAuth
		changed bool
	}{
		{"unstated leaves none alone", nil, nil, false},
		{"unstated leaves verify alone", nil, verify(false, "off"), false},
		{"off matches none", &model.MutualAuth{Mode: "off"}, nil, false},
		{"off matches off", &model.MutualAuth{Mode: "off"}, &model.MutualAuth{Mode: "off"}, false},
		{"off turns passthrough off", &model.MutualAuth{Mode: "off"}, &model.MutualAuth{Mode: "passthrough"}, true},
		{"passthrough over none", &model.MutualAuth{Mode: "passthrough"}, nil, true},
		{"passthrough matches passthrough", &model.MutualAuth{Mode: "passthrough"}, &model.MutualAuth{Mode: "passthrough"}, false},
		{"verify matches verify", verify(false, "off"), verify(false, "off"), false},
		{"another expiry setting", verify(true, "off"), verify(false, "off"), true},
		{"another advertise setting", verify(false, "on"), verify(false, "off"), true},
		{"another trust store", verify(false, "off"), &model.MutualAuth{Mode: "verify", TrustStoreARN: ts + "x", AdvertiseTrustStoreCaNames: "off"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := mutualAuthChanged(tt.d, tt.o); got != tt.changed {
				t.Errorf("changed = %v, want %v", got, tt.changed)
			}
		})
	}
}

func TestATargetControlPortChangeReplacesTheTargetGroup(t *testing.T) {
	p := func(v int32) *int32 { return &v }
	d := model.TargetGroup{TargetType: "ip", Protocol: "HTTP", ProtocolVersion: "HTTP1"}
	o := ObservedTG{TargetType: "ip", Protocol: "HTTP", ProtocolVersion: "HTTP1"}
	for _, tt := range []struct {
		name string
		d, o *int32
		want bool
	}{{"none on either", nil, nil, true}, {"equal", p(3000), p(3000), true}, {"changed", p(3001), p(3000), false},
		{"added", p(3000), nil, false}, {"removed", nil, p(3000), false}} {
		t.Run(tt.name, func(t *testing.T) {
			d.TargetControlPort, o.TargetControlPort = tt.d, tt.o
			if got := Compatible(d, o); got != tt.want {
				t.Errorf("Compatible = %v, want %v", got, tt.want)
			}
		})
	}
}
