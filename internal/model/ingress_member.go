package model

import (
	"fmt"
	"maps"
	"net"
	"strconv"

	"github.com/lbsg/lbsg/internal/annotations"
	"github.com/lbsg/lbsg/internal/apis/elbv2/v1beta1"
	"github.com/lbsg/lbsg/internal/naming"
)

// member is one Ingress's settings after its IngressClassParams are laid
// over its annotations (lbc-load-balancers.md §6.2: a set field wins), with
// its target groups and routes already built. Everything here depends on
// the member alone; group merging is albBuilder's.
type member struct {
	IngressMember
	key string
	cfg annotations.Ingress

	lbName      string // explicit name ("" = none)
	scheme      string // "" = not set
	ipType      string // "" = not set
	subnets     []string
	subnetsICP  *v1beta1.SubnetSelector
	sgs         []string // nil = annotation absent
	manage      *bool
	cidrs       []string // inbound CIDRs ("" entries never)
	prefixLists []string
	ports       []annotations.ListenPort
	certs       []string
	sslPolicy   string
	sslRedirect *int32
	tags        map[string]string     // ICP ⊕ annotation, ICP winning
	lbAttrs     map[string]string     // annotation
	icpAttrs    map[string]string     // ICP loadBalancerAttributes
	mtls        map[int32]*MutualAuth // mutual-authentication, by port, trust stores resolved
	mtlsAdv     map[int32]bool        // ports whose entry states advertiseTrustStoreCaNames

	tgs           map[string]*TargetGroup // by ResourceID
	tgNodes       map[string]map[string]bool
	routes        []route
	defaultAction *Action // spec.defaultBackend
	defaultAuth   routeAuth
}

func newMember(stack naming.Stack, im IngressMember, f Facts, d Defaults) (*member, error) {
	cfg, err := annotations.ParseIngress(im.Ingress)
	if err != nil {
		return nil, err
	}
	m := &member{
		IngressMember: im, key: im.Key(), cfg: cfg,
		lbName: cfg.LoadBalancerName, scheme: cfg.Scheme, ipType: cfg.IPAddressType,
		subnets: cfg.Subnets, sgs: cfg.SecurityGroups, manage: cfg.ManageBackendSGRules,
		cidrs: cfg.InboundCIDRs, prefixLists: cfg.PrefixLists,
		certs: cfg.CertificateARNs, sslPolicy: cfg.SSLPolicy, sslRedirect: cfg.SSLRedirect,
		tags: maps.Clone(cfg.Tags), lbAttrs: cfg.LoadBalancerAttrs,
	}
	if err := m.applyParams(); err != nil {
		return nil, err
	}
	if m.mtls, m.mtlsAdv, err = mutualAuths(im, f); err != nil {
		return nil, err
	}
	creates := d.CertificateManagement && createsCertificate(cfg, im)
	m.ports = cfg.EffectiveListenPorts(creates || (m.Params != nil && len(m.Params.CertificateArn) > 0))
	if err := m.managedCertificate(f, d); err != nil {
		return nil, err
	}
	if err := m.discoverCertificates(f, d); err != nil {
		return nil, err
	}
	if err := naming.ValidateUserTags(m.tags, d.ExternalManagedTags, ""); err != nil {
		return nil, fmt.Errorf("failed build tags for Ingress %s: %w", m.key, err)
	}
	if err := m.buildRoutes(stack, f, d); err != nil {
		return nil, err
	}
	return m, nil
}

// applyParams lays the IngressClassParams fields over the annotations.
func (m *member) applyParams() error {
	p := m.Params
	if p == nil {
		return nil
	}
	if p.LoadBalancerName != "" {
		if err := naming.ValidateLBName(p.LoadBalancerName); err != nil {
			return err
		}
		m.lbName = p.LoadBalancerName
	}
	if p.Scheme != "" {
		m.scheme = string(p.Scheme)
	}
	if p.IPAddressType != "" {
		m.ipType = string(p.IPAddressType)
	}
	if p.Subnets != nil && (len(p.Subnets.IDs) > 0 || len(p.Subnets.Tags) > 0) {
		m.subnetsICP = p.Subnets
	}
	if len(p.InboundCIDRs) > 0 {
		for _, c := range p.InboundCIDRs {
			if _, _, err := net.ParseCIDR(c); err != nil {
				return fmt.Errorf("invalid CIDR in IngressClassParams InboundCIDR %s: %w", c, err)
			}
		}
		m.cidrs = p.InboundCIDRs
	}
	if pl := p.PrefixLists(); len(pl) > 0 {
		m.prefixLists = pl
	}
	if len(p.CertificateArn) > 0 {
		m.certs = p.CertificateArn
	}
	if p.SSLPolicy != "" {
		m.sslPolicy = p.SSLPolicy
	}
	if p.SSLRedirectPort != "" {
		// LBC: an unparsable port silently turns the redirect off.
		m.sslRedirect = nil
		if n, err := strconv.ParseInt(p.SSLRedirectPort, 10, 32); err == nil {
			port := int32(n)
			m.sslRedirect = &port
		}
	}
	if len(p.Tags) > 0 && m.tags == nil {
		m.tags = map[string]string{}
	}
	for _, t := range p.Tags {
		m.tags[t.Key] = t.Value
	}
	if len(p.LoadBalancerAttributes) > 0 {
		m.icpAttrs = map[string]string{}
		for _, a := range p.LoadBalancerAttributes {
			m.icpAttrs[a.Key] = a.Value
		}
	}
	return nil
}

// targetTypeParam is the ICP targetType, "" when unset.
func (m *member) targetTypeParam() string {
	if m.Params == nil {
		return ""
	}
	return string(m.Params.TargetType)
}

// isDualStack reports whether an IP address type carries IPv6.
func isDualStack(ipType string) bool {
	return ipType == annotations.IPAddressTypeDualStack || ipType == annotations.IPAddressTypeDualStackWithoutPublicIPv4
}
