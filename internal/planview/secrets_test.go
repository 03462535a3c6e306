package planview

import (
	"slices"
	"strings"
	"testing"
)

// TestIngressOIDCSecretFollowsRequiredSecretsLabel: with
// --required-secrets-label set, an Ingress whose OIDC Secret lacks the
// label fails to build with the controller's reason (no rule planned
// without its authentication); with the label, or with none required, its
// rule authenticates.
func TestIngressOIDCSecretFollowsRequiredSecretsLabel(t *testing.T) {
	manifests := func(labels string) map[string]string {
		return map[string]string{"all.yaml": `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 30090, protocol: TCP}]
---
apiVersion: v1
kind: Secret
metadata: {name: idp, namespace: shop` + labels + `}
stringData: {clientID: web-client, clientSecret: s3cret}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS":443}]'
    alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:us-west-2:111122223333:certificate/web
    alb.ingress.kubernetes.io/auth-type: oidc
    alb.ingress.kubernetes.io/auth-idp-oidc: '{"issuer":"https://idp.example.com","authorizationEndpoint":"https://idp.example.com/auth","tokenEndpoint":"https://idp.example.com/token","userInfoEndpoint":"https://idp.example.com/userinfo","secretName":"idp"}'
spec:
  ingressClassName: alb
  rules:
  - http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
`}
	}
	const authenticates = "authenticate with OIDC issuer https://idp.example.com (client web-client)"
	for _, tt := range []struct {
		name, labels, required string
		wantErr                string // "" : the rule authenticates
	}{
		{name: "no label required", labels: "", required: ""},
		{name: "the Secret carries the required label", labels: ", labels: {lbsg-readable: \"yes\"}", required: "lbsg-readable=yes"},
		{name: "the Secret lacks the required label", labels: "", required: "lbsg-readable=yes",
			wantErr: "secret shop/idp lacks the label lbsg-readable=yes that --required-secrets-label requires"},
		{name: "the Secret carries another value", labels: ", labels: {lbsg-readable: \"no\"}", required: "lbsg-readable=yes",
			wantErr: "lacks the label lbsg-readable=yes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := ReadPath(writeDir(t, manifests(tt.labels)))
			if err != nil {
				t.Fatal(err)
			}
			st := shopSettings()
			st.SecretsLabel = tt.required
			objs.AssumeIngressClass(st.Class)
			res, err := Compute(t.Context(), nil, objs, st)
			if err != nil {
				t.Fatal(err)
			}
			sp := stackByName(t, res, "ingress group shop/web")
			all := strings.Join(append(append(lines(sp.Changes), sp.Failed...), sp.Error), "\n")
			authenticated := strings.Contains(all, authenticates)
			switch {
			case tt.wantErr == "" && !authenticated:
				t.Errorf("no authenticating rule planned:\n%s", all)
			case tt.wantErr != "" && (authenticated || !strings.Contains(all, tt.wantErr)):
				t.Errorf("want no authenticating rule and the error %q, got:\n%s", tt.wantErr, all)
			}
		})
	}
}

// TestPlanOfADryRunGatewaySaysTheControllerCreatesNothing: a Gateway with
// LBC's dry-run annotation and no finalizer is planned as usual, with the
// controller's DryRun warning; a provisioned one (finalizer) gets none.
func TestPlanOfADryRunGatewaySaysTheControllerCreatesNothing(t *testing.T) {
	gw := func(finalizers string) map[string]string {
		return map[string]string{"gw.yaml": `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: nlb}
spec: {controllerName: gateway.k8s.aws/nlb}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: echo-gw
  namespace: shop
  annotations: {gateway.k8s.aws/dry-run: "true"}` + finalizers + `
spec:
  gatewayClassName: nlb
  listeners: [{name: tcp, protocol: TCP, port: 80}]
`}
	}
	for _, tt := range []struct {
		name, finalizers string
		warned           bool
	}{
		{name: "not provisioned", warned: true},
		{name: "provisioned", finalizers: "\n  finalizers: [gateway.k8s.aws/nlb]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := ReadPath(writeDir(t, gw(tt.finalizers)))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Compute(t.Context(), nil, objs, shopSettings())
			if err != nil {
				t.Fatal(err)
			}
			sp := stackByName(t, res, "gateway shop/echo-gw")
			warned := slices.ContainsFunc(sp.Warnings, func(w string) bool { return strings.HasPrefix(w, "DryRun: gateway.k8s.aws/dry-run is \"true\"") })
			if warned != tt.warned || !slices.ContainsFunc(lines(sp.Changes), func(l string) bool { return strings.HasPrefix(l, "+ CreateLoadBalancer") }) {
				t.Errorf("warnings %q, changes %q; want the DryRun warning %v and the plan", sp.Warnings, lines(sp.Changes), tt.warned)
			}
		})
	}
}

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
