package naming

import "testing"

func TestStackKeySeparatesServicesFromImplicitIngressGroups(t *testing.T) {
	cases := []struct {
		name  string
		stack Stack
		key   string
	}{
		{"service", ServiceStack("ns", "web"), "service:ns/web"},
		{"implicit ingress group with the same ns/name", ImplicitIngressStack("ns", "web"), "ingress:ns/web"},
		{"explicit ingress group", ExplicitIngressStack("team.a"), "ingress:team.a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.stack.Key(); got != c.key {
				t.Fatalf("Key() = %q, want %q", got, c.key)
			}
			back, ok := ParseKey(c.key)
			if !ok || back != c.stack {
				t.Fatalf("ParseKey(%q) = %+v, %v; want %+v", c.key, back, ok, c.stack)
			}
			fromTags, ok := StackFromTags(TrackingTags("c", c.stack, "LoadBalancer"))
			if !ok || fromTags != c.stack {
				t.Fatalf("StackFromTags(tracking tags) = %+v, %v; want %+v", fromTags, ok, c.stack)
			}
		})
	}
}

func TestParseKeyRejectsUnknownKinds(t *testing.T) {
	for _, k := range []string{"", "ns/web", "gateway:ns/web"} {
		if st, ok := ParseKey(k); ok {
			t.Errorf("ParseKey(%q) = %+v, want not ok", k, st)
		}
	}
	if st, ok := StackFromTags(map[string]string{"elbv2.k8s.aws/cluster": "c"}); ok {
		t.Errorf("StackFromTags without a stack tag = %+v, want not ok", st)
	}
}
