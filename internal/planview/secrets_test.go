package planview

import (
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
