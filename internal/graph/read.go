package graph

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/awserr"
	"github.com/lbsg/lbsg/internal/cloud/ec2"
	"github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/cloud/shield"
	"github.com/lbsg/lbsg/internal/cloud/wafregional"
	"github.com/lbsg/lbsg/internal/cloud/wafv2"
)

// Addons are the optional readers of the ALBs' web ACLs and Shield
// protections; a nil one is not read (as the controller's --enable-wafv2,
// --enable-waf and --enable-shield turn them off).
type Addons struct {
	WAFv2       awsapi.WAFV2API
	WAFRegional awsapi.WAFRegionalAPI
	Shield      awsapi.ShieldAPI
}

// Read observes vpcID: its security groups and their inbound rules, its
// network interfaces, and its load balancers with listeners (an ALB's with
// their rules), target groups and registered targets, and each ALB's web
// ACL and Shield protection when add-ons give their readers. Only
// Describe, List and Get calls, through cloud/ec2, cloud/elbv2,
// cloud/wafv2, cloud/wafregional and cloud/shield. An add-on that cannot
// be read (e.g. AccessDenied) is said in the ALB's label, not an error:
// the rest of the drawing stands.
func Read(ctx context.Context, ec2API awsapi.EC2API, elbAPI awsapi.ELBV2API, vpcID string, addons Addons) (State, error) {
	s := State{VPCID: vpcID}
	ec2p, elbp := ec2.New(ec2API), elbv2.New(elbAPI)
	sgs, err := ec2p.VPCSecurityGroups(ctx, vpcID)
	if err != nil {
		return s, fmt.Errorf("reading security groups: %w", err)
	}
	for _, g := range sgs {
		// Rules it cannot key are left out of the drawing.
		s.SecurityGroups = append(s.SecurityGroups, SecurityGroup{ID: g.ID, Name: g.Name, Ingress: g.Ingress.Keys()})
	}
	enis, err := ec2p.VPCNetworkInterfaces(ctx, vpcID)
	if err != nil {
		return s, fmt.Errorf("reading network interfaces: %w", err)
	}
	for _, e := range enis {
		s.ENIs = append(s.ENIs, ENI{ID: e.ID, Type: e.Type, Description: e.Description, InstanceID: e.InstanceID, DeviceIndex: e.DeviceIndex,
			PrivateIPs: slices.Concat(e.PrivateIPs, e.IPv6s), Prefixes: e.Prefixes, Groups: e.GroupIDs})
	}
	lbs, err := elbp.ListLoadBalancers(ctx, vpcID)
	if err != nil {
		return s, fmt.Errorf("reading load balancers: %w", err)
	}
	for _, l := range lbs {
		lb := LoadBalancer{ARN: l.ARN, Name: l.Name, Type: l.Type, Scheme: l.Scheme, SecurityGroups: l.SecurityGroups}
		for _, z := range l.Zones {
			if z.AllocationID != "" {
				lb.EIPs = append(lb.EIPs, z.SubnetID+"="+z.AllocationID)
			}
		}
		if err := readLoadBalancer(ctx, elbp, &lb); err != nil {
			return s, err
		}
		if lb.Type == "application" {
			readAddons(ctx, addons, &lb)
		}
		s.LoadBalancers = append(s.LoadBalancers, lb)
	}
	return s, nil
}

func readLoadBalancer(ctx context.Context, elbp *elbv2.Provider, lb *LoadBalancer) error {
	ls, err := elbp.ListListeners(ctx, lb.ARN)
	if err != nil {
		return fmt.Errorf("reading listeners of %s: %w", lb.Name, err)
	}
	for _, l := range ls {
		x := Listener{Protocol: l.Protocol, Port: l.Port, Certificates: l.Certificates, SSLPolicy: l.SSLPolicy}
		if l.Protocol == "HTTP" || l.Protocol == "HTTPS" {
			if x.Rules, err = elbp.ListRules(ctx, l.ARN); err != nil {
				return fmt.Errorf("reading rules of listener %s: %w", l.ARN, err)
			}
		}
		if l.Protocol == "HTTPS" || l.Protocol == "TLS" {
			extra, err := elbp.ExtraCertificates(ctx, l.ARN)
			if err != nil {
				return fmt.Errorf("reading certificates of listener %s: %w", l.ARN, err)
			}
			for _, c := range extra {
				if !slices.Contains(x.Certificates, c) {
					x.Certificates = append(x.Certificates, c)
				}
			}
		}
		lb.Listeners = append(lb.Listeners, x)
	}
	tgs, err := elbp.TargetGroupsOf(ctx, lb.ARN)
	if err != nil {
		return fmt.Errorf("reading target groups of %s: %w", lb.Name, err)
	}
	for _, g := range tgs {
		tg := TargetGroup{ARN: g.ARN, Name: g.Name, Protocol: g.Protocol, TargetType: g.TargetType, Port: g.Port}
		health, err := elbp.Targets(ctx, g.ARN)
		if err != nil {
			return fmt.Errorf("reading targets of %s: %w", tg.Name, err)
		}
		for _, h := range health {
			if h.ID != "" {
				tg.Targets = append(tg.Targets, Target{ID: h.ID, Port: h.Port})
			}
		}
		lb.TargetGroups = append(lb.TargetGroups, tg)
	}
	return nil
}

// readAddons reads an ALB's web ACL (WAFv2, else WAF Regional) and Shield
// protection into lb.
func readAddons(ctx context.Context, a Addons, lb *LoadBalancer) {
	var unread []string
	if a.WAFv2 != nil {
		acl, err := wafv2.New(a.WAFv2).Association(ctx, lb.ARN)
		if err != nil {
			unread = append(unread, "WAFv2 "+why(err))
		}
		lb.WebACL = acl
	}
	if a.WAFRegional != nil && lb.WebACL == "" {
		acl, err := wafregional.New(a.WAFRegional).Association(ctx, lb.ARN)
		if err != nil {
			unread = append(unread, "WAF Regional "+why(err))
		}
		lb.WebACL = acl
	}
	if a.Shield != nil {
		p, err := shield.New(a.Shield).Protection(ctx, lb.ARN)
		if err != nil {
			unread = append(unread, "Shield "+why(err))
		}
		lb.Shield = p != nil
	}
	lb.AddonsUnread = strings.Join(unread, ", ")
}

// why is an error's AWS code, or its text when it carries none.
func why(err error) string {
	if c := awserr.Code(err); c != "" {
		return c
	}
	return err.Error()
}
