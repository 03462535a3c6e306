package v1beta1_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
)

// An object written for LBC, with LBC's JSON field names.
const lbcObject = `{
  "apiVersion": "elbv2.k8s.aws/v1beta1",
  "kind": "IngressClassParams",
  "metadata": {"name": "shared"},
  "spec": {
    "namespaceSelector": {"matchLabels": {"team": "a"}},
    "group": {"name": "g1"},
    "scheme": "internet-facing",
    "ipAddressType": "dualstack",
    "subnets": {"ids": ["subnet-0a"], "tags": {"tier": ["public"]}},
    "certificateArn": ["arn:aws:acm:us-west-2:1:certificate/x"],
    "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "sslRedirectPort": "443",
    "inboundCIDRs": ["10.0.0.0/8"],
    "prefixListsIDs": ["pl-1"],
    "tags": [{"key": "k", "value": "v"}],
    "targetType": "ip",
    "loadBalancerName": "my-alb",
    "loadBalancerAttributes": [{"key": "idle_timeout.timeout_seconds", "value": "60"}]
  }
}`

func TestIngressClassParamsDecodesLBCObjects(t *testing.T) {
	s := runtime.NewScheme()
	if err := v1beta1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	obj, gvk, err := serializer.NewCodecFactory(s).UniversalDeserializer().Decode([]byte(lbcObject), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if gvk.Kind != v1beta1.IngressClassParamsKind || gvk.GroupVersion() != v1beta1.GroupVersion {
		t.Fatalf("gvk = %v", gvk)
	}
	icp, ok := obj.(*v1beta1.IngressClassParams)
	if !ok {
		t.Fatalf("decoded %T", obj)
	}
	sp := icp.DeepCopy().Spec
	switch {
	case sp.NamespaceSelector.MatchLabels["team"] != "a",
		sp.Group.Name != "g1",
		sp.Scheme != v1beta1.LoadBalancerSchemeInternetFacing,
		sp.IPAddressType != v1beta1.IPAddressTypeDualStack,
		sp.Subnets.IDs[0] != "subnet-0a", sp.Subnets.Tags["tier"][0] != "public",
		len(sp.CertificateArn) != 1, sp.SSLPolicy == "", sp.SSLRedirectPort != "443",
		sp.InboundCIDRs[0] != "10.0.0.0/8", sp.PrefixLists()[0] != "pl-1",
		sp.Tags[0] != (v1beta1.Tag{Key: "k", Value: "v"}),
		sp.TargetType != v1beta1.TargetTypeIP, sp.LoadBalancerName != "my-alb",
		sp.LoadBalancerAttributes[0].Value != "60":
		t.Errorf("spec decoded wrongly: %+v", sp)
	}
}

func TestPrefixListsFallsBackToTheLegacyField(t *testing.T) {
	for _, tt := range []struct {
		name string
		spec v1beta1.IngressClassParamsSpec
		want []string
	}{
		{name: "prefixListsIDs wins", spec: v1beta1.IngressClassParamsSpec{PrefixListsIDs: []string{"pl-new"}, PrefixListsIDsLegacy: []string{"pl-old"}}, want: []string{"pl-new"}},
		{name: "legacy PrefixListsIDs is used when prefixListsIDs is empty", spec: v1beta1.IngressClassParamsSpec{PrefixListsIDsLegacy: []string{"pl-old"}}, want: []string{"pl-old"}},
		{name: "neither gives none", want: nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.spec.PrefixLists()
			if len(got) != len(tt.want) || (len(got) == 1 && got[0] != tt.want[0]) {
				t.Errorf("PrefixLists() = %v, want %v", got, tt.want)
			}
		})
	}
}
