package webhook

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Label values LBC's chart selects on.
const (
	// InjectLabel on a namespace, set to "enabled", asks for readiness gates.
	InjectLabel = "elbv2.k8s.aws/pod-readiness-gate-inject"
	// QUICInjectLabel on a namespace, set to "enabled", asks for QUIC
	// server IDs.
	QUICInjectLabel = "elbv2.k8s.aws/quic-server-id-inject"
	// Enabled is their value.
	Enabled = "enabled"
)

// ConfigOptions shape Configurations.
type ConfigOptions struct {
	// Name of both configurations (LBC's chart: <fullname>-webhook).
	Name string
	// ClientConfig says how the apiserver reaches a path.
	ClientConfig func(path string) admissionregistrationv1.WebhookClientConfig
	// ControllerName is the app.kubernetes.io/name the objectSelectors
	// exclude (the controller's own pods and Services).
	ControllerName string
	// Scope, when set, is ANDed into every webhook's namespaceSelector
	// (tests sharing an apiserver).
	Scope []metav1.LabelSelectorRequirement
	// ServiceMutator adds /mutate-v1-service (LBC's
	// enableServiceMutatorWebhook, on by default).
	ServiceMutator bool
}

// Configurations returns the webhook configurations LBC's chart installs
// with its default values (lbsg's chart renders the same from its
// templates): failure policies Ignore for the readiness-gate pod webhook,
// Fail for the rest; the pod webhooks only in namespaces labelled for
// injection, so pods elsewhere never wait on lbsg.
func Configurations(o ConfigOptions) (*admissionregistrationv1.MutatingWebhookConfiguration, *admissionregistrationv1.ValidatingWebhookConfiguration) {
	none := ptr.To(admissionregistrationv1.SideEffectClassNone)
	notSelf := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
		Key: "app.kubernetes.io/name", Operator: metav1.LabelSelectorOpNotIn, Values: []string{o.ControllerName}}}}
	ns := func(reqs ...metav1.LabelSelectorRequirement) *metav1.LabelSelector {
		if len(reqs)+len(o.Scope) == 0 {
			return nil
		}
		return &metav1.LabelSelector{MatchExpressions: append(reqs, o.Scope...)}
	}
	enabled := func(label string) metav1.LabelSelectorRequirement {
		return metav1.LabelSelectorRequirement{Key: label, Operator: metav1.LabelSelectorOpIn, Values: []string{Enabled}}
	}
	rule := func(group, version, resource string, ops ...admissionregistrationv1.OperationType) []admissionregistrationv1.RuleWithOperations {
		return []admissionregistrationv1.RuleWithOperations{{Operations: ops, Rule: admissionregistrationv1.Rule{
			APIGroups: []string{group}, APIVersions: []string{version}, Resources: []string{resource}}}}
	}
	create, update := admissionregistrationv1.Create, admissionregistrationv1.Update
	mw := func(name, path string, policy admissionregistrationv1.FailurePolicyType, nsSel, objSel *metav1.LabelSelector,
		rules []admissionregistrationv1.RuleWithOperations) admissionregistrationv1.MutatingWebhook {
		return admissionregistrationv1.MutatingWebhook{Name: name, ClientConfig: o.ClientConfig(path), FailurePolicy: ptr.To(policy),
			AdmissionReviewVersions: []string{"v1"}, SideEffects: none, NamespaceSelector: nsSel, ObjectSelector: objSel, Rules: rules}
	}
	m := &admissionregistrationv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: o.Name}}
	m.Webhooks = append(m.Webhooks,
		mw("mpod.elbv2.k8s.aws", PathMutatePod, admissionregistrationv1.Ignore, ns(enabled(InjectLabel)), notSelf, rule("", "v1", "pods", create)),
		mw("quicid.elbv2.k8s.aws", PathMutatePodServerID, admissionregistrationv1.Fail, ns(enabled(QUICInjectLabel)), notSelf, rule("", "v1", "pods", create)))
	if o.ServiceMutator {
		m.Webhooks = append(m.Webhooks, mw("mservice.elbv2.k8s.aws", PathMutateService, admissionregistrationv1.Fail, ns(), notSelf,
			rule("", "v1", "services", create)))
	}
	m.Webhooks = append(m.Webhooks, mw("mtargetgroupbinding.elbv2.k8s.aws", PathMutateTargetGroupBind, admissionregistrationv1.Fail, ns(), nil,
		rule("elbv2.k8s.aws", "v1beta1", "targetgroupbindings", create, update)))

	vw := func(name, path string, objSel *metav1.LabelSelector, rules []admissionregistrationv1.RuleWithOperations) admissionregistrationv1.ValidatingWebhook {
		return admissionregistrationv1.ValidatingWebhook{Name: name, ClientConfig: o.ClientConfig(path), FailurePolicy: ptr.To(admissionregistrationv1.Fail),
			AdmissionReviewVersions: []string{"v1"}, SideEffects: none, NamespaceSelector: ns(), ObjectSelector: objSel, Rules: rules}
	}
	v := &admissionregistrationv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: o.Name}}
	ing := vw("vingress.elbv2.k8s.aws", PathValidateIngress, nil, rule("networking.k8s.io", "v1", "ingresses", create, update))
	ing.MatchPolicy = ptr.To(admissionregistrationv1.Equivalent)
	v.Webhooks = append(v.Webhooks,
		vw("vingressclassparams.elbv2.k8s.aws", PathValidateIngressClassParam, notSelf, rule("elbv2.k8s.aws", "v1beta1", "ingressclassparams", create, update)),
		vw("vtargetgroupbinding.elbv2.k8s.aws", PathValidateTargetGroupBind, nil, rule("elbv2.k8s.aws", "v1beta1", "targetgroupbindings", create, update)),
		ing)
	return m, v
}
