package sandbox

import (
	"context"
	"fmt"

	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/lbsg/lbsg/internal/apis/crds"
	"github.com/lbsg/lbsg/internal/apis/crds/gatewayapi"
)

// IngressClassName is the IngressClass the sandbox creates, as the chart's
// templates/ingressclass.yaml does (LBC's default --ingress-class).
const IngressClassName = "alb"

// ingressClassController is spec.controller of LBC's IngressClass.
const ingressClassController = "ingress.k8s.aws/alb"

// installIngressAPI installs what the chart installs for Ingresses and
// Gateways: lbsg's CRDs (IngressClassParams, LBC's gateway.k8s.aws CRDs)
// and the IngressClass `alb`; and the Gateway API v1.6 standard CRDs, which
// a cluster gets from the Gateway API release. All are kept when they exist
// (a resumed sandbox).
func installIngressAPI(ctx context.Context, cfg *rest.Config) error {
	if err := crds.Install(ctx, cfg); err != nil {
		return err
	}
	if err := gatewayapi.Install(ctx, cfg); err != nil {
		return fmt.Errorf("installing the Gateway API CRDs: %w", err)
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	class := &networkingv1.IngressClass{
		ObjectMeta: metav1.ObjectMeta{Name: IngressClassName},
		Spec:       networkingv1.IngressClassSpec{Controller: ingressClassController},
	}
	if _, err := kube.NetworkingV1().IngressClasses().Create(ctx, class, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating IngressClass %s: %w", IngressClassName, err)
	}
	return nil
}
