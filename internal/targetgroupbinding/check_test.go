package targetgroupbinding

import (
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
)

const (
	arn    = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/tf/0123456789abcdef"
	vpc    = "vpc-0123456789abcdef0"
	other  = "vpc-0fedcba9876543210"
	tgName = "tf"
)

func ipTG() *TargetGroup {
	return &TargetGroup{ARN: arn, Name: tgName, TargetType: "ip", IPAddressType: "ipv4", VPCID: vpc, Protocol: "TCP", Port: 8080}
}

func bind(mut func(*v1beta1.TargetGroupBindingSpec)) *v1beta1.TargetGroupBinding {
	b := &v1beta1.TargetGroupBinding{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "b", UID: types.UID("u1")},
		Spec: v1beta1.TargetGroupBindingSpec{TargetGroupARN: arn, TargetType: ptr.To(v1beta1.TargetTypeIP)}}
	if mut != nil {
		mut(&b.Spec)
	}
	return b
}

func TestCheckRefusesWhatCannotBeServed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		b      *v1beta1.TargetGroupBinding
		tg     *TargetGroup
		reason string // "" = usable
	}{
		{"a usable binding", bind(nil), ipTG(), ""},
		{"discovery fills what the spec leaves out", bind(func(s *v1beta1.TargetGroupBindingSpec) { s.TargetType = nil }), ipTG(), ""},
		{"no target group", bind(nil), nil, ReasonTargetGroupNotFound},
		{"neither ARN nor name", bind(func(s *v1beta1.TargetGroupBindingSpec) { s.TargetGroupARN = "" }), ipTG(), ReasonInvalidSpec},
		{"spec.vpcID of another VPC", bind(func(s *v1beta1.TargetGroupBindingSpec) { s.VpcID = other }), ipTG(), ReasonVPCMismatch},
		{"a malformed spec.vpcID", bind(func(s *v1beta1.TargetGroupBindingSpec) { s.VpcID = "vpc-1" }), ipTG(), ReasonVPCMismatch},
		{"a target group outside the cluster's VPC", bind(nil), &TargetGroup{ARN: arn, TargetType: "ip", VPCID: other}, ReasonVPCMismatch},
		{"outside the cluster's VPC, named in spec.vpcID", bind(func(s *v1beta1.TargetGroupBindingSpec) { s.VpcID = other }),
			&TargetGroup{ARN: arn, TargetType: "ip", VPCID: other}, ""},
		{"another account's target group (assumed role)", bind(func(s *v1beta1.TargetGroupBindingSpec) { s.IamRoleArnToAssume = "arn:aws:iam::210987654321:role/x" }),
			&TargetGroup{ARN: arn, TargetType: "ip", VPCID: other}, ""},
		{"the wrong target type", bind(func(s *v1beta1.TargetGroupBindingSpec) { s.TargetType = ptr.To(v1beta1.TargetTypeInstance) }), ipTG(), ReasonTargetTypeMismatch},
		{"a lambda target group", bind(func(s *v1beta1.TargetGroupBindingSpec) { s.TargetType = nil }), &TargetGroup{ARN: arn, TargetType: "lambda"}, ReasonTargetTypeMismatch},
		{"the wrong IP address type", bind(func(s *v1beta1.TargetGroupBindingSpec) {
			s.IPAddressType = ptr.To(v1beta1.TargetGroupIPAddressTypeIPv6)
		}), ipTG(), ReasonIPAddressTypeMismatch},
		{"nodeSelector with ip targets", bind(func(s *v1beta1.TargetGroupBindingSpec) { s.NodeSelector = &metav1.LabelSelector{} }), ipTG(), ReasonInvalidSpec},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, p := Check(tc.b, tc.tg, vpc)
			switch {
			case tc.reason == "" && p != nil:
				t.Fatalf("refused: %v", p)
			case tc.reason != "" && (p == nil || p.Reason != tc.reason):
				t.Fatalf("problem %v, want reason %s", p, tc.reason)
			case tc.reason == "" && (r.TargetType != v1beta1.TargetTypeIP || r.IPAddressType != v1beta1.TargetGroupIPAddressTypeIPv4 || r.ARN != arn):
				t.Errorf("resolved %+v", r)
			}
		})
	}
}

func TestDefaultIsLBCsMutator(t *testing.T) {
	b := bind(func(s *v1beta1.TargetGroupBindingSpec) {
		s.TargetGroupARN, s.TargetGroupName, s.TargetType = "", tgName, nil
	})
	if err := Default(b, *ipTG()); err != nil {
		t.Fatal(err)
	}
	s := b.Spec
	if s.TargetGroupARN != arn || *s.TargetType != v1beta1.TargetTypeIP || *s.IPAddressType != v1beta1.TargetGroupIPAddressTypeIPv4 ||
		s.VpcID != vpc || *s.TargetGroupProtocol != "TCP" {
		t.Errorf("defaulted spec %+v", s)
	}
	keep := bind(func(s *v1beta1.TargetGroupBindingSpec) { s.VpcID = other })
	if err := Default(keep, *ipTG()); err != nil || keep.Spec.VpcID != other {
		t.Errorf("a set field is overwritten: %v %s", err, keep.Spec.VpcID)
	}
	if err := Default(bind(func(s *v1beta1.TargetGroupBindingSpec) { s.TargetGroupARN = "" }), *ipTG()); err == nil {
		t.Error("a binding without ARN and name is defaulted")
	}
}

func TestValidateIsLBCsWebhook(t *testing.T) {
	ok := Facts{ClusterVPC: vpc, TargetGroup: ipTG()}
	for _, tc := range []struct {
		name    string
		old, b  *v1beta1.TargetGroupBinding
		facts   Facts
		wantErr string // "" = admitted
	}{
		{"a complete binding is admitted", nil, bind(nil), ok, ""},
		{"no target group reference", nil, bind(func(s *v1beta1.TargetGroupBindingSpec) { s.TargetGroupARN = "" }), ok,
			"TargetGroupBinding must specify these fields: either TargetGroupARN or TargetGroupName"},
		{"no target type", nil, bind(func(s *v1beta1.TargetGroupBindingSpec) { s.TargetType = nil }), ok,
			"TargetGroupBinding must specify these fields: spec.targetType"},
		{"a name with no target group", nil, bind(func(s *v1beta1.TargetGroupBindingSpec) { s.TargetGroupARN, s.TargetGroupName = "", "nope" }),
			Facts{ClusterVPC: vpc}, "searching TargetGroup with name nope"},
		{"a missing target group", nil, bind(nil), Facts{ClusterVPC: vpc}, "expecting a single targetGroup"},
		{"a failed read", nil, bind(nil), Facts{ClusterVPC: vpc, TargetGroupErr: errors.New("throttled")}, "throttled"},
		{"nodeSelector with ip", nil, bind(func(s *v1beta1.TargetGroupBindingSpec) { s.NodeSelector = &metav1.LabelSelector{} }), ok,
			"TargetGroupBinding cannot set NodeSelector when TargetType is ip"},
		{"the wrong IP address type", nil, bind(func(s *v1beta1.TargetGroupBindingSpec) {
			s.IPAddressType = ptr.To(v1beta1.TargetGroupIPAddressTypeIPv6)
		}), ok,
			"invalid IP address type ipv4 for TargetGroup"},
		{"a malformed vpcID", nil, bind(func(s *v1beta1.TargetGroupBindingSpec) { s.VpcID = "vpc-12" }), ok, "ValidationError: vpcID vpc-12 failed to satisfy constraint"},
		{"another VPC", nil, bind(func(s *v1beta1.TargetGroupBindingSpec) { s.VpcID = other }), ok, "invalid VpcID " + other + " doesnt match VpcID from TargetGroup"},
		{"instance targets with an assumed role", nil, bind(func(s *v1beta1.TargetGroupBindingSpec) {
			s.TargetType, s.IamRoleArnToAssume = ptr.To(v1beta1.TargetTypeInstance), "arn:aws:iam::1:role/r"
		}), Facts{ClusterVPC: vpc, TargetGroup: &TargetGroup{ARN: arn, TargetType: "instance", VPCID: vpc}}, "Unable to use instance target type while using assume role"},
		{"pod zones without a role", nil, bind(func(s *v1beta1.TargetGroupBindingSpec) { s.RegisterTargetsWithPodAvailabilityZone = ptr.To(true) }), ok,
			"Unable to use registerTargetsWithPodAvailabilityZone without assume role"},
		{"another protocol", nil, bind(func(s *v1beta1.TargetGroupBindingSpec) { s.TargetGroupProtocol = ptr.To(v1beta1.Protocol("UDP")) }), ok,
			"protocol differs (got UDP, expected TCP)"},
		{"the wrong target type (lbsg's check)", nil, bind(func(s *v1beta1.TargetGroupBindingSpec) { s.TargetType = ptr.To(v1beta1.TargetTypeInstance) }), ok,
			"does not match TargetGroup"},
		{"a second binding of the target group", nil, bind(nil), Facts{ClusterVPC: vpc, TargetGroup: ipTG(),
			Bindings: []v1beta1.TargetGroupBinding{*other2(false)}}, "is already bound to following TargetGroupBindings [ns/other]"},
		{"a second multi-cluster binding", nil, bind(func(s *v1beta1.TargetGroupBindingSpec) { s.MultiClusterTargetGroup = true }),
			Facts{ClusterVPC: vpc, TargetGroup: ipTG(), Bindings: []v1beta1.TargetGroupBinding{*other2(true)}}, ""},
		{"an update keeps the immutable fields", bind(nil), bind(func(s *v1beta1.TargetGroupBindingSpec) { s.MultiClusterTargetGroup = true }), ok, ""},
		{"an update changes the ARN", bind(nil), bind(func(s *v1beta1.TargetGroupBindingSpec) { s.TargetGroupARN = arn + "x" }), ok,
			"TargetGroupBinding update may not change these immutable fields: spec.targetGroupARN"},
		{"an update changes type, IP type and VPC", bind(func(s *v1beta1.TargetGroupBindingSpec) { s.VpcID = vpc }),
			bind(func(s *v1beta1.TargetGroupBindingSpec) {
				s.TargetType, s.IPAddressType, s.VpcID = ptr.To(v1beta1.TargetTypeInstance), ptr.To(v1beta1.TargetGroupIPAddressTypeIPv6), other
			}), ok, "immutable fields: spec.targetType,spec.ipAddressType,spec.vpcID"},
		{"an update sets ipv4 where it was unset", bind(nil), bind(func(s *v1beta1.TargetGroupBindingSpec) {
			s.IPAddressType = ptr.To(v1beta1.TargetGroupIPAddressTypeIPv4)
		}), ok, ""},
		{"an update sets the cluster's VPC where it was unset", bind(nil), bind(func(s *v1beta1.TargetGroupBindingSpec) { s.VpcID = vpc }), ok, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.old, tc.b, tc.facts)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func other2(multi bool) *v1beta1.TargetGroupBinding {
	b := bind(func(s *v1beta1.TargetGroupBindingSpec) { s.MultiClusterTargetGroup = multi })
	b.Name, b.UID = "other", "u2"
	return b
}

func TestImmutableFieldsAreLBCs(t *testing.T) {
	want := "spec.targetGroupARN spec.targetType spec.ipAddressType spec.vpcID"
	if got := strings.Join(ImmutableFields, " "); got != want {
		t.Errorf("ImmutableFields = %s, want %s", got, want)
	}
}

func TestLBCStackBindingIsRecognisedByLBCsStackLabels(t *testing.T) {
	for _, tc := range []struct {
		labels map[string]string
		want   bool
	}{
		{map[string]string{"service.k8s.aws/stack-name": "web", "service.k8s.aws/stack-namespace": "ns"}, true},
		{map[string]string{"ingress.k8s.aws/stack-name": "web"}, true},
		{map[string]string{"ingress.k8s.aws/stack": "shared"}, true},
		{map[string]string{"gateway.k8s.aws.nlb/stack-name": "gw"}, true},
		{map[string]string{"app": "web"}, false},
		{nil, false},
	} {
		b := bind(nil)
		b.Labels = tc.labels
		if got := LBCStackBinding(b); got != tc.want {
			t.Errorf("LBCStackBinding(%v) = %v, want %v", tc.labels, got, tc.want)
		}
	}
}
