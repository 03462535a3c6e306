package planview

import (
	"bytes"
	"strings"
	"testing"
)

const quicManifests = `
apiVersion: v1
kind: Service
metadata:
  name: h3
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip
    service.beta.kubernetes.io/aws-load-balancer-disable-nlb-sg: "true"
    service.beta.kubernetes.io/aws-load-balancer-quic-enabled-ports: "443"
spec:
  type: LoadBalancer
  loadBalancerClass: service.k8s.aws/nlb
  ports:
  - {name: h3, port: 443, targetPort: 3000, protocol: UDP}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: h3-1
  namespace: default
  labels: {kubernetes.io/service-name: h3}
addressType: IPv4
endpoints:
- addresses: [10.0.1.5]
  conditions: {ready: true}
  targetRef: {kind: Pod, name: h3-a}
- addresses: [10.0.1.6]
  conditions: {ready: true}
  targetRef: {kind: Pod, name: h3-b}
ports:
- {name: h3, port: 3000, protocol: UDP}
---
apiVersion: v1
kind: Pod
metadata:
  name: h3-a
  annotations: {service.beta.kubernetes.io/aws-load-balancer-quic-enabled-containers: app}
spec:
  containers:
  - name: app
    image: envoy
    ports: [{containerPort: 3000, protocol: UDP}]
    env: [{name: AWS_LBC_QUIC_SERVER_ID, value: AQIDBAUGBwg=}]
---
apiVersion: v1
kind: Pod
metadata: {name: h3-b}
spec:
  containers: [{name: app, image: envoy}]
`

func TestAnOfflinePlanGivesQUICTargetsTheirPodsServerIDs(t *testing.T) {
	var objs Objects
	if err := objs.Decode([]byte(quicManifests)); err != nil {
		t.Fatal(err)
	}
	res, err := Compute(t.Context(), nil, objs, Settings{Defaults: defaults()})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := RenderText(&text, res); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, want := range []string{"listener 443/QUIC", "RegisterTargets     targets of k8s-default-h3-907854081f: 10.0.1.5:3000:0x0102030405060708\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "10.0.1.6") {
		t.Errorf("the pod without a server ID was planned as a target:\n%s", out)
	}
}
