package model

import (
	"testing"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/naming"
)

const (
	aclA = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/a/11111111-1111-4111-a111-111111111111"
	aclB = "arn:aws:wafv2:us-west-2:123456789012:regional/webacl/b/22222222-2222-4222-a222-222222222222"
)

func TestAddonsAreBuiltAsLBCBuildsThem(t *testing.T) {
	str := func(s string) *string { return &s }
	yes, no := true, false
	ann := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m["alb.ingress.kubernetes.io/"+kv[i]] = kv[i+1]
		}
		return m
	}
	withParams := func(m IngressMember, p v1beta1.IngressClassParamsSpec) IngressMember { m.Params = &p; return m }
	for _, tt := range []struct {
		name    string
		members []IngressMember
		want    Addons
		wantErr string
	}{
		{name: "no annotation leaves every association alone", members: []IngressMember{simple("ns", "a", ann())}},
		{name: "an empty annotation is no ask", members: []IngressMember{simple("ns", "a", ann("wafv2-acl-arn", "", "waf-acl-id", ""))}},
		{name: "wafv2-acl-arn associates that ACL", members: []IngressMember{simple("ns", "a", ann("wafv2-acl-arn", aclA))},
			want: Addons{WAFv2: str(aclA)}},
		{name: "wafv2-acl-arn none disassociates", members: []IngressMember{simple("ns", "a", ann("wafv2-acl-arn", "none"))},
			want: Addons{WAFv2: str("")}},
		{name: "wafv2-acl-name is resolved to its ARN", members: []IngressMember{simple("ns", "a", ann("wafv2-acl-name", "a"))},
			want: Addons{WAFv2: str(aclA)}},
		{name: "wafv2-acl-name none disassociates", members: []IngressMember{simple("ns", "a", ann("wafv2-acl-name", "none"))},
			want: Addons{WAFv2: str("")}},
		{name: "a name anywhere in the group beats every ARN", members: []IngressMember{
			simple("ns", "a", ann("wafv2-acl-arn", aclA)), simple("ns", "b", ann("wafv2-acl-name", "b"))}, want: Addons{WAFv2: str(aclB)}},
		{name: "IngressClassParams wafv2AclArn beats the member's annotation", members: []IngressMember{
			withParams(simple("ns", "a", ann("wafv2-acl-arn", aclA)), v1beta1.IngressClassParamsSpec{WAFv2ACLArn: aclB})}, want: Addons{WAFv2: str(aclB)}},
		{name: "IngressClassParams wafv2AclName beats the member's annotation", members: []IngressMember{
			withParams(simple("ns", "a", ann("wafv2-acl-name", "a")), v1beta1.IngressClassParamsSpec{WAFv2ACLName: "b"})}, want: Addons{WAFv2: str(aclB)}},
		{name: "members agreeing on an ARN", members: []IngressMember{
			simple("ns", "a", ann("wafv2-acl-arn", aclA)), simple("ns", "b", ann("wafv2-acl-arn", aclA)), simple("ns", "c", ann())}, want: Addons{WAFv2: str(aclA)}},
		{name: "members disagreeing on the ARN fail the group", members: []IngressMember{
			simple("ns", "a", ann("wafv2-acl-arn", aclA)), simple("ns", "b", ann("wafv2-acl-arn", "none"))},
			wantErr: "conflicting WAFv2 WebACL ARNs: [" + aclA + " none]"},
		{name: "members disagreeing on the name fail the group", members: []IngressMember{
			simple("ns", "a", ann("wafv2-acl-name", "a")), simple("ns", "b", ann("wafv2-acl-name", "b"))},
			wantErr: "conflicting WAFv2 WebACL names: [a b]"},
		{name: "an unknown name fails the group", members: []IngressMember{simple("ns", "a", ann("wafv2-acl-name", "nope"))},
			wantErr: "couldn't find WAFv2 WebACL with name: nope (alb.ingress.kubernetes.io/wafv2-acl-name)"},
		{name: "waf-acl-id associates a WAF Classic ACL", members: []IngressMember{simple("ns", "a", ann("waf-acl-id", "classic-1"))},
			want: Addons{WAFRegional: str("classic-1")}},
		{name: "web-acl-id is read when waf-acl-id is absent", members: []IngressMember{simple("ns", "a", ann("web-acl-id", "classic-2"))},
			want: Addons{WAFRegional: str("classic-2")}},
		{name: "an empty waf-acl-id hides web-acl-id", members: []IngressMember{simple("ns", "a", ann("waf-acl-id", "", "web-acl-id", "classic-2"))}},
		{name: "waf-acl-id none disassociates", members: []IngressMember{simple("ns", "a", ann("waf-acl-id", "none"))}, want: Addons{WAFRegional: str("")}},
		{name: "members disagreeing on the WAF Classic ACL fail the group", members: []IngressMember{
			simple("ns", "a", ann("waf-acl-id", "x")), simple("ns", "b", ann("web-acl-id", "y"))}, wantErr: "conflicting WAFClassic WebACL IDs: [x y]"},
		{name: "shield-advanced-protection true", members: []IngressMember{simple("ns", "a", ann("shield-advanced-protection", "true"))}, want: Addons{Shield: &yes}},
		{name: "shield-advanced-protection false", members: []IngressMember{simple("ns", "a", ann("shield-advanced-protection", "0"))}, want: Addons{Shield: &no}},
		{name: "members disagreeing on Shield fail the group", members: []IngressMember{
			simple("ns", "a", ann("shield-advanced-protection", "true")), simple("ns", "b", ann("shield-advanced-protection", "false"))},
			wantErr: "conflicting enable shield advanced protection"},
		{name: "a shield value that is not a bool", members: []IngressMember{simple("ns", "a", ann("shield-advanced-protection", "on"))},
			wantErr: `failed to parse bool annotation, alb.ingress.kubernetes.io/shield-advanced-protection: on: strconv.ParseBool: parsing "on": invalid syntax`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := ingFacts()
			f.WebACLARNs = map[string]string{"a": aclA, "b": aclB}
			for i := range tt.members {
				tt.members[i].Ingress.Annotations["alb.ingress.kubernetes.io/group.name"] = "g"
			}
			st, _, _, err := BuildIngressGroup(naming.ExplicitIngressStack("g"), tt.members, f, ingDefaults())
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Addons; !sameAddons(got, tt.want) {
				t.Errorf("addons %s, want %s", render(got), render(tt.want))
			}
		})
	}
}

func TestIngressWebACLNamesAreWhatTheControllerLooksUp(t *testing.T) {
	a := simple("ns", "a", map[string]string{"alb.ingress.kubernetes.io/wafv2-acl-name": "x"})
	b := simple("ns", "b", map[string]string{"alb.ingress.kubernetes.io/wafv2-acl-name": "none"})
	c := simple("ns", "c", nil)
	c.Params = &v1beta1.IngressClassParamsSpec{WAFv2ACLName: "p"}
	if got := IngressWebACLNames([]IngressMember{a, b, c}); len(got) != 2 || got[0] != "p" || got[1] != "x" {
		t.Errorf("names %v, want [p x]", got)
	}
}

func sameAddons(a, b Addons) bool { return render(a) == render(b) }

func render(a Addons) string {
	s := func(p *string) string {
		if p == nil {
			return "-"
		}
		return "'" + *p + "'"
	}
	b := "-"
	if a.Shield != nil {
		b = map[bool]string{true: "true", false: "false"}[*a.Shield]
	}
	return "wafv2=" + s(a.WAFv2) + " waf=" + s(a.WAFRegional) + " shield=" + b
}
