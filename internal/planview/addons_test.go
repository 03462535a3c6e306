package planview

import (
	"slices"
	"strings"
	"testing"
)

// TestPlanShowsTheAddonsANewALBGets: an Ingress asking for a WAFv2 web
// ACL and Shield Advanced protection plans their association and
// protection on the new ALB; "none" and "false" on a new ALB plan nothing
// (it has neither).
func TestPlanShowsTheAddonsANewALBGets(t *testing.T) {
	const acl = "arn:aws:wafv2:us-west-2:111122223333:regional/webacl/shop/0123"
	ing := func(waf, shield string) map[string]string {
		return map[string]string{"all.yaml": `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 30090, protocol: TCP}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/wafv2-acl-arn: "` + waf + `"
    alb.ingress.kubernetes.io/shield-advanced-protection: "` + shield + `"
spec:
  ingressClassName: alb
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
`}
	}
	for _, tt := range []struct {
		name, waf, shield string
		want              []string
	}{
		{name: "asked for", waf: acl, shield: "true", want: []string{
			"+ AssociateWebACL web ACL of load balancer k8s-shop-web-63400ea3d5: " + acl,
			"+ CreateProtection Shield protection of load balancer k8s-shop-web-63400ea3d5: managed by aws-load-balancer-controller"}},
		{name: "asked against", waf: "none", shield: "false"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := ReadPath(writeDir(t, ing(tt.waf, tt.shield)))
			if err != nil {
				t.Fatal(err)
			}
			st := shopSettings()
			objs.AssumeIngressClass(st.Class)
			res, err := Compute(t.Context(), nil, objs, st)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range lines(stackByName(t, res, "ingress group shop/web").Changes) {
				if strings.Contains(l, "web ACL of") || strings.Contains(l, "Shield protection of") {
					got = append(got, l)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("add-on changes %q, want %q", got, tt.want)
			}
		})
	}
}
