// Package gatewayapi embeds the Gateway API standard-channel CRDs (v1.6,
// from the sigs.k8s.io/gateway-api module go.mod requires) that lbsg's
// Gateway controllers need, and installs them: envtest and `lbsg sandbox`
// use them; a cluster gets them from the Gateway API release (the Helm
// chart does not ship them, as LBC's does not).
//
// The YAML files are copied byte for byte by hack/gen-gatewaycrds (make
// generate); a test fails when they differ from the module.
package gatewayapi
