package ingress

import (
	"context"

	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/plan"
)

// FactsSource is what Facts reads from AWS (state.Provider, or lbsg
// plan's offline stand-in).
type FactsSource interface {
	Subnets(ctx context.Context) ([]model.Subnet, error)
	ExistingLoadBalancer(ctx context.Context, st naming.Stack) (*plan.ObservedLB, error)
	LookupSecurityGroups(ctx context.Context, items []string) (model.SecurityGroupLookup, error)
	// TargetGroupARNsByName resolves actions annotations' targetGroupName
	// (names without a target group are left out).
	TargetGroupARNsByName(ctx context.Context, names []string) (map[string]string, error)
	// Certificates are the ISSUED ACM certificates for the certificate
	// discovery of stack st's hosts (model.IngressCertificateHosts).
	Certificates(ctx context.Context, stackKey string, hosts []string) ([]model.Certificate, error)
}

// Facts reads the AWS facts of group st's ALB model: subnets, the existing
// ALB, the members' security-groups items and the target groups their
// actions annotations name, and the ACM certificates when a member
// discovers its certificates. Nodes are the caller's
// (service.NodeFacts). The reconciler and `lbsg plan` share it; it makes
// no per-stack read (the existing ALB comes from the batched listing).
func Facts(ctx context.Context, src FactsSource, st naming.Stack, members []model.IngressMember) (model.Facts, error) {
	var f model.Facts
	var err error
	if f.Subnets, err = src.Subnets(ctx); err != nil {
		return f, err
	}
	lb, err := src.ExistingLoadBalancer(ctx, st)
	if err != nil {
		return f, err
	}
	if lb != nil {
		f.ExistingLB = &model.ExistingLB{Scheme: lb.Scheme, SecurityGroups: lb.SecurityGroups, Subnets: lb.Subnets}
	}
	if items := model.IngressSecurityGroupItems(members); len(items) > 0 {
		l, err := src.LookupSecurityGroups(ctx, items)
		if err != nil {
			return f, err
		}
		f.SecurityGroupLookup = &l
	}
	if names := model.IngressTargetGroupNames(members); len(names) > 0 {
		if f.TargetGroupARNs, err = src.TargetGroupARNsByName(ctx, names); err != nil {
			return f, err
		}
	}
	if hosts, discovers := model.IngressCertificateHosts(members); discovers {
		if f.Certificates, err = src.Certificates(ctx, st.Key(), hosts); err != nil {
			return f, err
		}
	}
	return f, nil
}
