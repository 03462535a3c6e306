package planview

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/plan"
	"github.com/lbsg/lbsg/internal/rules"
)

const manifests = `
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing
spec:
  type: LoadBalancer
  loadBalancerClass: service.k8s.aws/nlb
  ports:
  - {port: 80, targetPort: 8080, nodePort: 30080, protocol: TCP}
---
# a comment-only document
---
apiVersion: v1
kind: Service
metadata: {name: plain, namespace: default}
spec: {type: ClusterIP, ports: [{port: 80}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ignored}
---
apiVersion: v1
kind: Node
metadata: {name: node-a}
spec: {providerID: "aws:///us-west-2a/i-0aaa"}
`

func defaults() model.Defaults {
	o := options.New()
	o.ClusterName = "demo"
	return model.Defaults{ClusterName: o.ClusterName, EnableBackendSG: o.EnableBackendSecurityGroup,
		NLBSecurityGroups: true, LoadBalancerClass: o.LoadBalancerClass, DefaultTags: map[string]string{}}
}

func TestOfflinePlanCreatesEverythingWithPlaceholders(t *testing.T) {
	var objs Objects
	if err := objs.Decode([]byte(manifests)); err != nil {
		t.Fatal(err)
	}
	if len(objs.Services) != 2 || len(objs.Nodes) != 1 {
		t.Fatalf("decoded %d services, %d nodes", len(objs.Services), len(objs.Nodes))
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
	for _, want := range []string{
		"Plan for cluster demo against nothing",
		"service default/web (NLB k8s-default-web-",
		"+ CreateSecurityGroup security group k8s-default-web-",
		"+ AuthorizeIngress    ingress of <new managed SG>: tcp 80 ← 0.0.0.0/0",
		"+ RegisterTargets     targets of k8s-default-web-",
		"subnets [<public-subnet-a> <public-subnet-b>] security groups [<new managed SG> sg-<backend>]",
		"target security group sg-<node>\n  + AuthorizeIngress    sg-<node>: tcp 30080 ← sg-<backend> \"elbv2.k8s.aws/targetGroupBinding=shared,elbv2.k8s.aws/cluster=demo\"",
		"Plan: 7 to create, 0 to update, 0 to delete.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text plan lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "plain") {
		t.Errorf("a ClusterIP Service was planned:\n%s", out)
	}
	var js bytes.Buffer
	if err := RenderJSON(&js, res); err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Summary != (Summary{Create: 7}) || len(back.Stacks) != 1 || back.Live {
		t.Errorf("JSON round trip: %+v", back)
	}
}

func TestChangesRenderEachActionKind(t *testing.T) {
	lb := &model.LoadBalancer{Name: "lb", Scheme: "internal", IPAddressType: "ipv4", Subnets: []string{"subnet-1"},
		SecurityGroups: []model.SGRef{{Kind: model.RefManaged}, {Kind: model.RefBackend}}}
	tg := &model.TargetGroup{Name: "tg", ResourceID: "ns/web:80", Port: 30080, Protocol: "TCP", TargetType: "instance", IPAddressType: "ipv4",
		HealthCheck: model.HealthCheck{Protocol: "TCP", Port: "traffic-port", Interval: 10, Timeout: 10, Healthy: 3, Unhealthy: 3}}
	k := rules.MustKey("tcp", 443, 443, "10.0.0.0/8")
	for _, tt := range []struct {
		name string
		a    plan.Action
		want string
	}{
		{name: "a revoked rule is a deletion naming the SG and the rule",
			a: plan.Action{Kind: plan.RevokeIngress, SecurityGroup: "sg-1", Rules: rules.Set{k: ""}}, want: "- RevokeIngress ingress of sg-1: tcp 443 ← 10.0.0.0/8"},
		{name: "a tag drive is an update listing set and removed keys",
			a:    plan.Action{Kind: plan.TagSecurityGroup, SecurityGroup: "sg-1", SetTags: map[string]string{"b": "2", "a": "1"}, RemoveTags: []string{"z", "y"}},
			want: "~ TagSecurityGroup tags of sg-1: set a=1,b=2; remove y,z"},
		{name: "SG drift on an existing LB resolves managed and backend IDs",
			a: plan.Action{Kind: plan.SetSecurityGroups, ARN: "arn:lb", LoadBalancer: lb}, want: "~ SetSecurityGroups security groups of arn:lb: [sg-m sg-b]"},
		{name: "a health-check change is an update of the target group",
			a: plan.Action{Kind: plan.ModifyTargetGroup, ARN: "arn:tg", TargetGroup: tg}, want: "~ ModifyTargetGroup target group arn:tg: health check TCP port traffic-port interval 10s timeout 10s healthy 3 unhealthy 3"},
		{name: "a new target group's attributes name the group",
			a:    plan.Action{Kind: plan.ModifyTargetGroupAttributes, TargetGroup: tg, Attributes: map[string]string{"proxy_protocol_v2.enabled": "true"}},
			want: "~ ModifyTargetGroupAttributes attributes of target group tg: proxy_protocol_v2.enabled=true"},
		{name: "listener attributes name the listener and its ARN",
			a: plan.Action{Kind: plan.ModifyListenerAttributes, ARN: "arn:l", Listener: &model.Listener{Port: 80, Protocol: "TCP"},
				Attributes: map[string]string{"tcp.idle_timeout.seconds": "600"}},
			want: "~ ModifyListenerAttributes attributes of listener 80/TCP (arn:l): tcp.idle_timeout.seconds=600"},
		{name: "a replaced LB is deleted first",
			a: plan.Action{Kind: plan.DeleteLoadBalancer, ARN: "arn:lb"}, want: "- DeleteLoadBalancer load balancer arn:lb: replaced: the scheme or type changed"},
		{name: "an obsolete listener is deleted",
			a: plan.Action{Kind: plan.DeleteListener, ARN: "arn:l"}, want: "- DeleteListener Listener arn:l"},
		{name: "a subnet change lists each subnet with its EIP",
			a: plan.Action{Kind: plan.SetSubnets, ARN: "arn:lb", LoadBalancer: &model.LoadBalancer{Subnets: []string{"subnet-1", "subnet-2"},
				SubnetMappings: []model.SubnetMapping{{SubnetID: "subnet-1", AllocationID: "eipalloc-1"}, {SubnetID: "subnet-2", AllocationID: "eipalloc-2"}}}},
			want: "~ SetSubnets subnets of arn:lb: [subnet-1=eipalloc-1 subnet-2=eipalloc-2]"},
		{name: "an IP address type change",
			a:    plan.Action{Kind: plan.SetIPAddressType, ARN: "arn:lb", LoadBalancer: &model.LoadBalancer{IPAddressType: "dualstack"}},
			want: "~ SetIpAddressType IP address type of arn:lb: dualstack"},
		{name: "a capacity reservation",
			a:    plan.Action{Kind: plan.ModifyCapacityReservation, ARN: "arn:lb", LoadBalancer: &model.LoadBalancer{MinimumCapacity: ptr.To[int32](1000)}},
			want: "~ ModifyCapacityReservation capacity reservation of arn:lb: 1000 capacity units"},
		{name: "an IPAM pool is set",
			a:    plan.Action{Kind: plan.SetIPAMPool, ARN: "arn:lb", LoadBalancer: &model.LoadBalancer{IPAMPool: "ipam-pool-1"}},
			want: "~ ModifyIpPools IPAM pool of arn:lb: ipam-pool-1"},
		{name: "an IPAM pool is removed",
			a:    plan.Action{Kind: plan.RemoveIPAMPool, ARN: "arn:lb", LoadBalancer: &model.LoadBalancer{}},
			want: "~ ModifyIpPools IPAM pool of arn:lb: removed"},
		{name: "a listener's mutual TLS",
			a: plan.Action{Kind: plan.ModifyListener, ARN: "arn:l", Listener: &model.Listener{Port: 443, Protocol: "HTTPS",
				DefaultAction: &model.Action{Type: model.ActionFixedResponse, FixedResponse: &model.FixedResponse{StatusCode: "404"}},
				MutualAuth:    &model.MutualAuth{Mode: "verify", TrustStoreARN: "arn:ts", AdvertiseTrustStoreCaNames: "off"}}},
			want: "~ ModifyListener listener 443/HTTPS: default fixed-response 404 mtls {mode: verify, trustStore: arn:ts, ignoreClientCertificateExpiry: false, advertiseTrustStoreCaNames: off}"},
		{name: "an unused managed SG is deleted",
			a: plan.Action{Kind: plan.DeleteSecurityGroup, SecurityGroup: "sg-old"}, want: "- DeleteSecurityGroup security group sg-old"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ch := Changes([]plan.Action{tt.a}, "sg-m", "sg-b")
			if len(ch) != 1 {
				t.Fatalf("got %d changes: %+v", len(ch), ch)
			}
			got := string(ch[0].Op) + " " + ch[0].Action + " " + ch[0].Resource
			if ch[0].Detail != "" {
				got += ": " + ch[0].Detail
			}
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestTargetsTheInputCannotDecideAreLeftOutWithAWarning(t *testing.T) {
	ip := &model.TargetGroup{Name: "tg-ip", TargetType: "ip"}
	inst := &model.TargetGroup{Name: "tg-inst", TargetType: "instance"}
	acts := []plan.Action{
		{Kind: plan.DeregisterTargets, TargetGroup: ip, ARN: "arn:ip", Targets: []model.Target{{ID: "10.0.0.1", Port: 80}}},
		{Kind: plan.RegisterTargets, TargetGroup: inst, Targets: []model.Target{{ID: "i-1", Port: 30080}}},
		{Kind: plan.CreateListener, Listener: &model.Listener{Port: 80, Protocol: "TCP"}},
	}
	for _, tt := range []struct {
		name              string
		slices, nodes     bool
		wantKept          int
		wantWarningSubstr string
	}{
		{name: "with slices and nodes every change is kept", slices: true, nodes: true, wantKept: 3},
		{name: "without EndpointSlices ip targets are not planned", nodes: true, wantKept: 2, wantWarningSubstr: "no EndpointSlice"},
		{name: "without Nodes instance targets are not planned", slices: true, wantKept: 2, wantWarningSubstr: "no Node given"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, warn := withoutUnknownTargets(acts, tt.slices, tt.nodes)
			if len(got) != tt.wantKept || (tt.wantWarningSubstr == "") != (warn == "") || !strings.Contains(warn, tt.wantWarningSubstr) {
				t.Errorf("kept %d, warning %q", len(got), warn)
			}
		})
	}
}
