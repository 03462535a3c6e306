package graph

import (
	"context"
	"fmt"
	"slices"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/cloud/ec2"
	"github.com/lbsg/lbsg/internal/cloud/elbv2"
)

// Read observes vpcID: its security groups and their inbound rules, its
// network interfaces, and its load balancers with listeners, target groups
// and registered targets. Only Describe calls, all paged, through cloud/ec2
// and cloud/elbv2.
func Read(ctx context.Context, ec2API awsapi.EC2API, elbAPI awsapi.ELBV2API, vpcID string) (State, error) {
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
		tg := TargetGroup{Name: g.Name, Protocol: g.Protocol, TargetType: g.TargetType, Port: g.Port}
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
