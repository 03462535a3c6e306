package targetgroupbinding

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/types"

	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	cloudelbv2 "github.com/lbsg/lbsg/internal/cloud/elbv2"
)

// TargetGroup is what the checks need of the bound target group.
type TargetGroup struct {
	ARN, Name     string
	TargetType    string // instance | ip | lambda | alb
	IPAddressType string // ipv4 | ipv6 ("" read as ipv4)
	VPCID         string
	Protocol      string
	Port          int32
	// LoadBalancerARNs that forward to it.
	LoadBalancerARNs []string
}

// Condition reasons of a binding that cannot be used (status condition
// Ready=False and the Warning event).
const (
	ReasonTargetGroupNotFound   = "TargetGroupNotFound"
	ReasonVPCMismatch           = "VpcIDMismatch"
	ReasonTargetTypeMismatch    = "TargetTypeMismatch"
	ReasonIPAddressTypeMismatch = "IPAddressTypeMismatch"
	ReasonInvalidSpec           = "InvalidSpec"
)

// Problem is why a binding cannot be reconciled: nothing is written.
type Problem struct {
	Reason  string
	Message string
}

func (p *Problem) Error() string { return p.Message }

// Resolved is a binding's effective settings: the spec's, else the target
// group's.
type Resolved struct {
	ARN           string
	TargetType    v1beta1.TargetType
	IPAddressType v1beta1.TargetGroupIPAddressType
	VPCID         string
	Protocol      string
}

var vpcIDPattern = regexp.MustCompile(`^(?:vpc-[0-9a-f]{8}|vpc-[0-9a-f]{17}|vpc-[0-9a-f]{32})$`)

// ipType is the binding-facing IP address type of a target group.
func ipType(tg TargetGroup) (v1beta1.TargetGroupIPAddressType, error) {
	switch tg.IPAddressType {
	case "ipv6":
		return v1beta1.TargetGroupIPAddressTypeIPv6, nil
	case "ipv4", "":
		return v1beta1.TargetGroupIPAddressTypeIPv4, nil
	}
	return "", fmt.Errorf("unsupported IPAddressType: %v", tg.IPAddressType)
}

// Check is the controller's guard: the target group must exist (tg nil:
// not found), be in the binding's VPC (spec.vpcID, else the cluster's,
// unless the role of another account is assumed), and match the spec's
// target type and IP address type. The result fills in what the spec
// leaves to discovery.
func Check(b *v1beta1.TargetGroupBinding, tg *TargetGroup, clusterVPC string) (Resolved, *Problem) {
	s := b.Spec
	ref := s.TargetGroupARN
	if ref == "" {
		ref = s.TargetGroupName
	}
	if ref == "" {
		return Resolved{}, &Problem{ReasonInvalidSpec, "TargetGroupBinding must specify these fields: either TargetGroupARN or TargetGroupName"}
	}
	if tg == nil {
		return Resolved{}, &Problem{ReasonTargetGroupNotFound, fmt.Sprintf("target group %s not found", ref)}
	}
	r := Resolved{ARN: tg.ARN, VPCID: tg.VPCID, Protocol: tg.Protocol}
	switch tg.TargetType {
	case "instance", "ip":
		r.TargetType = v1beta1.TargetType(tg.TargetType)
	default:
		return r, &Problem{ReasonTargetTypeMismatch, fmt.Sprintf("unsupported TargetType: %v", tg.TargetType)}
	}
	if s.TargetType != nil && *s.TargetType != r.TargetType {
		return r, &Problem{ReasonTargetTypeMismatch, fmt.Sprintf("targetType %s does not match TargetGroup %s of type %s", *s.TargetType, tg.ARN, r.TargetType)}
	}
	it, err := ipType(*tg)
	if err != nil {
		return r, &Problem{ReasonIPAddressTypeMismatch, err.Error()}
	}
	r.IPAddressType = it
	if s.IPAddressType != nil && *s.IPAddressType != it {
		return r, &Problem{ReasonIPAddressTypeMismatch, fmt.Sprintf("invalid IP address type %v for TargetGroup %v", it, tg.ARN)}
	}
	if s.VpcID != "" {
		if !vpcIDPattern.MatchString(s.VpcID) {
			return r, &Problem{ReasonVPCMismatch, fmt.Sprintf("ValidationError: vpcID %v failed to satisfy constraint: VPC Id must begin with 'vpc-' followed by 8, 17 or 32 lowercase letters (a-f) or numbers.", s.VpcID)}
		}
		if s.VpcID != tg.VPCID {
			return r, &Problem{ReasonVPCMismatch, fmt.Sprintf("invalid VpcID %v doesnt match VpcID from TargetGroup %v", s.VpcID, tg.ARN)}
		}
	} else if s.IamRoleArnToAssume == "" && clusterVPC != "" && tg.VPCID != clusterVPC {
		return r, &Problem{ReasonVPCMismatch, fmt.Sprintf("TargetGroup %v is in VPC %v, not the cluster's VPC %v; set spec.vpcID to bind it", tg.ARN, tg.VPCID, clusterVPC)}
	}
	if s.TargetGroupProtocol != nil && string(*s.TargetGroupProtocol) != tg.Protocol {
		return r, &Problem{ReasonInvalidSpec, fmt.Sprintf("TargetGroup %v protocol differs (got %v, expected %v)", tg.ARN, *s.TargetGroupProtocol, tg.Protocol)}
	}
	if r.TargetType == v1beta1.TargetTypeIP && b.Spec.NodeSelector != nil {
		return r, &Problem{ReasonInvalidSpec, "TargetGroupBinding cannot set NodeSelector when TargetType is ip"}
	}
	if s.IamRoleArnToAssume != "" && r.TargetType == v1beta1.TargetTypeInstance {
		return r, &Problem{ReasonInvalidSpec, "Unable to use instance target type while using assume role"}
	}
	return r, nil
}

// Default fills in, on a new binding, what LBC's mutating webhook does:
// the ARN from the name, then targetType, ipAddressType, vpcID and
// targetGroupProtocol from the target group, each only when unset.
func Default(b *v1beta1.TargetGroupBinding, tg TargetGroup) error {
	s := &b.Spec
	if s.TargetGroupARN == "" && s.TargetGroupName == "" {
		return errors.New("must provide either TargetGroupARN or TargetGroupName")
	}
	if s.TargetGroupARN == "" {
		s.TargetGroupARN = tg.ARN
	}
	if s.TargetType == nil {
		switch tg.TargetType {
		case "instance", "ip":
			tt := v1beta1.TargetType(tg.TargetType)
			s.TargetType = &tt
		default:
			return fmt.Errorf("couldn't determine TargetType: unsupported TargetType: %v", tg.TargetType)
		}
	}
	if s.IPAddressType == nil {
		it, err := ipType(tg)
		if err != nil {
			return fmt.Errorf("unable to get target group IP address type: %w", err)
		}
		s.IPAddressType = &it
	}
	if s.VpcID == "" {
		s.VpcID = tg.VPCID
	}
	if s.TargetGroupProtocol == nil {
		p := v1beta1.Protocol(tg.Protocol)
		s.TargetGroupProtocol = &p
	}
	return nil
}

// Facts are what Validate needs beyond the objects.
type Facts struct {
	// ClusterVPC is the cluster's VPC (--aws-vpc-id or discovered).
	ClusterVPC string
	// TargetGroup is the bound target group (nil: not found); TargetGroupErr
	// a failure to read it.
	TargetGroup    *TargetGroup
	TargetGroupErr error
	// Bindings are the cluster's other TargetGroupBindings.
	Bindings []v1beta1.TargetGroupBinding
}

// Validate is LBC's validating webhook for TargetGroupBindings: old is nil
// on create. The checks and their texts are LBC v3.6.2's, in its order;
// the target type check is lbsg's.
func Validate(old, b *v1beta1.TargetGroupBinding, f Facts) error {
	if err := checkRequired(b, f); err != nil {
		return err
	}
	if old != nil {
		if err := checkImmutable(old, b, f.ClusterVPC); err != nil {
			return err
		}
	}
	if *b.Spec.TargetType == v1beta1.TargetTypeIP && b.Spec.NodeSelector != nil {
		return errors.New("TargetGroupBinding cannot set NodeSelector when TargetType is ip")
	}
	if old != nil {
		if err := checkAssumeRole(b); err != nil {
			return err
		}
		return checkDuplicates(b, f.Bindings)
	}
	if err := checkDuplicates(b, f.Bindings); err != nil {
		return err
	}
	tg, err := f.TargetGroup, f.TargetGroupErr
	if err == nil && tg == nil {
		err = fmt.Errorf("expecting a single targetGroup with query [%s] but got 0", b.Spec.TargetGroupARN)
	}
	if err != nil {
		return fmt.Errorf("unable to get target group IP address type: %w", err)
	}
	it, err := ipType(*tg)
	if err != nil {
		return fmt.Errorf("unable to get target group IP address type: %w", err)
	}
	if (b.Spec.IPAddressType != nil && *b.Spec.IPAddressType != it) || (b.Spec.IPAddressType == nil && it != v1beta1.TargetGroupIPAddressTypeIPv4) {
		return fmt.Errorf("invalid IP address type %v for TargetGroup %v", it, b.Spec.TargetGroupARN)
	}
	if v := b.Spec.VpcID; v != "" {
		if !vpcIDPattern.MatchString(v) {
			return fmt.Errorf("ValidationError: vpcID %v failed to satisfy constraint: VPC Id must begin with 'vpc-' followed by 8, 17 or 32 lowercase letters (a-f) or numbers.", v)
		}
		if v != tg.VPCID {
			return fmt.Errorf("invalid VpcID %v doesnt match VpcID from TargetGroup %v", v, b.Spec.TargetGroupARN)
		}
	}
	if err := checkAssumeRole(b); err != nil {
		return err
	}
	if p := b.Spec.TargetGroupProtocol; p != nil {
		if string(*p) != tg.Protocol {
			return fmt.Errorf("TargetGroup %v protocol differs (got %v, expected %v)", b.Spec.TargetGroupARN, *p, tg.Protocol)
		}
		if (tg.Protocol == "QUIC" || tg.Protocol == "TCP_QUIC") && *b.Spec.TargetType == v1beta1.TargetTypeInstance {
			return errors.New("QUIC protocol is not supported for Instance target types.")
		}
	}
	if string(*b.Spec.TargetType) != tg.TargetType {
		return fmt.Errorf("targetType %s does not match TargetGroup %s of type %s", *b.Spec.TargetType, b.Spec.TargetGroupARN, tg.TargetType)
	}
	return nil
}

func checkRequired(b *v1beta1.TargetGroupBinding, f Facts) error {
	var absent []string
	if b.Spec.TargetGroupARN == "" {
		if b.Spec.TargetGroupName == "" {
			absent = append(absent, "either TargetGroupARN or TargetGroupName")
		} else {
			if f.TargetGroupErr != nil {
				return fmt.Errorf("searching TargetGroup with name %s: %w", b.Spec.TargetGroupName, f.TargetGroupErr)
			}
			if f.TargetGroup == nil {
				return fmt.Errorf("searching TargetGroup with name %s: expecting a single targetGroup with query [%s] but got 0", b.Spec.TargetGroupName, b.Spec.TargetGroupName)
			}
			b.Spec.TargetGroupARN = f.TargetGroup.ARN
		}
	}
	if b.Spec.TargetType == nil {
		absent = append(absent, "spec.targetType")
	}
	if len(absent) > 0 {
		return fmt.Errorf("TargetGroupBinding must specify these fields: %s", strings.Join(absent, ","))
	}
	return nil
}

// ImmutableFields lists what LBC refuses to change on update.
var ImmutableFields = []string{"spec.targetGroupARN", "spec.targetType", "spec.ipAddressType", "spec.vpcID"}

func checkImmutable(old, b *v1beta1.TargetGroupBinding, clusterVPC string) error {
	var changed []string
	o, n := old.Spec, b.Spec
	if n.TargetGroupARN != o.TargetGroupARN {
		changed = append(changed, "spec.targetGroupARN")
	}
	if (n.TargetType == nil) != (o.TargetType == nil) || (n.TargetType != nil && o.TargetType != nil && *n.TargetType != *o.TargetType) {
		changed = append(changed, "spec.targetType")
	}
	if (o.IPAddressType == nil && n.IPAddressType != nil && *n.IPAddressType != v1beta1.TargetGroupIPAddressTypeIPv4) ||
		(n.IPAddressType == nil && o.IPAddressType != nil) ||
		(o.IPAddressType != nil && n.IPAddressType != nil && *o.IPAddressType != *n.IPAddressType) {
		changed = append(changed, "spec.ipAddressType")
	}
	if (n.VpcID != "" && o.VpcID != "" && n.VpcID != o.VpcID) || (o.VpcID != "" && n.VpcID == "") ||
		(o.VpcID == "" && n.VpcID != "" && n.VpcID != clusterVPC) {
		changed = append(changed, "spec.vpcID")
	}
	if len(changed) > 0 {
		return fmt.Errorf("TargetGroupBinding update may not change these immutable fields: %s", strings.Join(changed, ","))
	}
	return nil
}

func checkDuplicates(b *v1beta1.TargetGroupBinding, all []v1beta1.TargetGroupBinding) error {
	var dups []string
	multi := b.Spec.MultiClusterTargetGroup
	for _, o := range all {
		if o.UID == b.UID || o.Spec.TargetGroupARN != b.Spec.TargetGroupARN {
			continue
		}
		if !o.Spec.MultiClusterTargetGroup {
			multi = false
		}
		dups = append(dups, types.NamespacedName{Namespace: o.Namespace, Name: o.Name}.String())
	}
	if len(dups) > 0 && !multi {
		slices.Sort(dups)
		return fmt.Errorf("TargetGroup %v is already bound to following TargetGroupBindings [%s]. Please enable MultiCluster mode on all TargetGroupBindings referencing %v or choose a different Target Group ARN.",
			b.Spec.TargetGroupARN, strings.Join(dups, " "), b.Spec.TargetGroupARN)
	}
	return nil
}

func checkAssumeRole(b *v1beta1.TargetGroupBinding) error {
	if b.Spec.IamRoleArnToAssume == "" {
		if p := b.Spec.RegisterTargetsWithPodAvailabilityZone; p != nil && *p {
			return errors.New("Unable to use registerTargetsWithPodAvailabilityZone without assume role")
		}
		return nil
	}
	if b.Spec.TargetType != nil && *b.Spec.TargetType == v1beta1.TargetTypeInstance {
		return errors.New("Unable to use instance target type while using assume role")
	}
	return nil
}

// LBCStackBinding reports whether LBC made b for one of its own stacks (a
// Service, an Ingress group, a Gateway): LBC labels those with the stack
// (service.k8s.aws/stack-name, ingress.k8s.aws/stack-name,
// ingress.k8s.aws/stack, gateway.k8s.aws.*/stack…). lbsg registers the
// targets of the stacks it took over itself, so it leaves such bindings
// alone: no finalizer, no targets, no cleanup (docs/migration.md deletes
// them).
func LBCStackBinding(b *v1beta1.TargetGroupBinding) bool {
	for k := range b.Labels {
		prefix, key, ok := strings.Cut(k, "/")
		if !ok || (key != "stack-name" && key != "stack") {
			continue
		}
		if prefix == "service.k8s.aws" || prefix == "ingress.k8s.aws" || strings.HasPrefix(prefix, "gateway.k8s.aws") {
			return true
		}
	}
	return false
}

// FromCloud is the checks' view of a target group read by cloud/elbv2
// (nil: not found).
func FromCloud(tg *cloudelbv2.TargetGroup) *TargetGroup {
	if tg == nil {
		return nil
	}
	return &TargetGroup{ARN: tg.ARN, Name: tg.Name, TargetType: tg.TargetType, IPAddressType: tg.IPAddressType,
		VPCID: tg.VPCID, Protocol: tg.Protocol, Port: tg.Port, LoadBalancerARNs: tg.LoadBalancerARNs}
}

// InjectsGate reports whether the pod webhook gives the pods b's Service
// selects b's readiness gate: LBC injects for bindings whose targetType is
// ip (set by its mutating webhook; a binding without one gets no gate).
// lbsg also skips a binding being deleted, whose gates it opens.
func InjectsGate(b *v1beta1.TargetGroupBinding) bool {
	return b.Spec.TargetType != nil && *b.Spec.TargetType == v1beta1.TargetTypeIP && b.DeletionTimestamp.IsZero()
}
