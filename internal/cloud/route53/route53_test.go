package route53

import "testing"

func TestNearestZoneIsTheLongestSuffixByLabels(t *testing.T) {
	zones := []Zone{
		{ID: "ZCOM", Name: "example.com."},
		{ID: "ZSHOP", Name: "shop.example.com."},
		{ID: "ZPRIV", Name: "api.shop.example.com.", Private: true},
		{ID: "ZOTHER", Name: "ample.com."},
	}
	for _, tt := range []struct {
		name       string
		host       string
		publicOnly bool
		want       string
	}{
		{"the most specific zone", "www.shop.example.com", false, "ZSHOP"},
		{"a private zone when any will do", "v1.api.shop.example.com", false, "ZPRIV"},
		{"the nearest public zone for validation", "v1.api.shop.example.com", true, "ZSHOP"},
		{"the zone apex itself", "example.com", true, "ZCOM"},
		{"a wildcard name", "*.shop.example.com", true, "ZSHOP"},
		{"labels, not characters", "xample.com", true, ""},
		{"case and the trailing dot do not matter", "WWW.Example.COM.", true, "ZCOM"},
		{"no zone", "example.org", false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := NearestZone(zones, tt.host, tt.publicOnly); got != tt.want {
				t.Errorf("NearestZone(%q, public=%v) = %q, want %q", tt.host, tt.publicOnly, got, tt.want)
			}
		})
	}
}
