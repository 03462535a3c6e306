package elbv2

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// DefaultSSLPolicy is the policy an HTTPS or TLS listener gets when none is
// given.
const DefaultSSLPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

// sslPolicies are the predefined policies the emulator knows.
var sslPolicies = []string{
	"ELBSecurityPolicy-2016-08",
	"ELBSecurityPolicy-TLS-1-0-2015-04",
	"ELBSecurityPolicy-TLS-1-1-2017-01",
	"ELBSecurityPolicy-TLS-1-2-2017-01",
	"ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
	"ELBSecurityPolicy-FS-2018-06",
	"ELBSecurityPolicy-FS-1-1-2019-08",
	"ELBSecurityPolicy-FS-1-2-2019-08",
	"ELBSecurityPolicy-FS-1-2-Res-2019-08",
	"ELBSecurityPolicy-FS-1-2-Res-2020-10",
	"ELBSecurityPolicy-TLS13-1-0-2021-06",
	"ELBSecurityPolicy-TLS13-1-1-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
	"ELBSecurityPolicy-TLS13-1-3-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
	"ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
}

var certARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:(acm:[a-z0-9-]+:\d{12}:certificate/.+|iam::\d{12}:server-certificate/.+)$`)

var alpnPolicies = []string{"HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred", "None"}

func secure(protocol string) bool { return protocol == "HTTPS" || protocol == "TLS" }

func (b *Backend) renderListener(l *listener) xListener {
	x := xListener{
		ListenerArn:     l.ARN,
		LoadBalancerArn: l.LoadBalancer,
		Port:            l.Port,
		Protocol:        l.Protocol,
		SslPolicy:       l.SslPolicy,
		DefaultActions:  renderActions(l.DefaultActions),
		AlpnPolicy:      l.AlpnPolicy,
	}
	if l.MutualAuth != "" {
		x.MutualAuth = &xMutualAuth{Mode: l.MutualAuth}
		if l.MutualEmptyTrustStore {
			x.MutualAuth.TrustStoreArn = new("")
		}
		if v := l.MutualVerify; v != nil {
			ignore, ts := v.IgnoreExpiry, v.TrustStoreArn
			x.MutualAuth.TrustStoreArn, x.MutualAuth.IgnoreClientCertificateExpiry = &ts, &ignore
			x.MutualAuth.AdvertiseTrustStoreCaNames, x.MutualAuth.TrustStoreAssociationStatus = v.Advertise, "active"
		}
	}
	for _, c := range l.Certificates {
		if c.IsDefault {
			x.Certificates = append(x.Certificates, xCertificate{CertificateArn: c.ARN})
		}
	}
	return x
}

// listenerSettings is what Create and ModifyListener set, validated.
type listenerSettings struct {
	protocol  string
	port      int
	sslPolicy string
	cert      string
	alpn      []string
	mutual    string        // MutualAuthentication.Mode
	verify    *mutualVerify // mode verify's settings
	emptyTS   bool          // off or passthrough with an empty TrustStoreArn
}

func (b *Backend) protocolFor(lb *loadBalancer, protocol string) error {
	allowed := albProtocols
	switch lb.Type {
	case "network":
		allowed = nlbProtocols
	case "gateway":
		allowed = nil
	}
	if !contains(allowed, protocol) {
		return errf("UnsupportedProtocol", "Protocol '%s' is not supported for load balancers of type '%s'", protocol, lb.Type)
	}
	return nil
}

func (b *Backend) checkCert(arn string) error {
	if !certARNRe.MatchString(arn) {
		return errf("CertificateNotFound", "Certificate '%s' not found", arn)
	}
	own := fmt.Sprintf("arn:aws:acm:%s:%s:certificate/", b.env.Region, b.env.Account)
	if strings.HasPrefix(arn, own) && b.CertificateExists != nil && !b.CertificateExists(arn) {
		return errf("CertificateNotFound", "Certificate '%s' not found", arn)
	}
	return nil
}

// LoadBalancersUsingCertificate lists the load balancers with a listener
// that names the certificate (ACM's InUseBy).
func (b *Backend) LoadBalancersUsingCertificate(arn string) []string {
	var out []string
	for _, l := range b.st.Listeners {
		for _, c := range l.Certificates {
			if c.ARN == arn && !contains(out, l.LoadBalancer) {
				out = append(out, l.LoadBalancer)
			}
		}
	}
	sortStrings(out)
	return out
}

// protocolAndPort reads Protocol and Port into s; creating requires both
// (except on gateway load balancers, which take neither).
func (b *Backend) protocolAndPort(p query.Params, lb *loadBalancer, s *listenerSettings, creating bool) error {
	if lb.Type == "gateway" {
		if p.Has("Protocol") || p.Has("Port") {
			return query.ValidationError("Protocol and port cannot be specified for load balancers of type 'gateway'")
		}
		return nil
	}
	proto, err := enumParam(p, "Protocol", "protocol", allProtocols...)
	if err != nil {
		return err
	}
	port, hasPort, err := intParam(p, "Port", "port", 1, 65535)
	switch {
	case err != nil:
		return err
	case creating && proto == "":
		return query.ValidationError("A listener protocol must be specified")
	case creating && !hasPort:
		return query.ValidationError("A listener port must be specified")
	}
	if proto != "" {
		if err := b.protocolFor(lb, proto); err != nil {
			return err
		}
		s.protocol = proto
	}
	if hasPort {
		s.port = port
	}
	return nil
}

func (b *Backend) createListener(p query.Params) (any, error) {
	lb, err := b.lookupLB(p)
	if err != nil {
		return nil, err
	}
	s := listenerSettings{}
	if err := b.protocolAndPort(p, lb, &s, true); err != nil {
		return nil, err
	}
	if err := b.securitySettings(p, &s, true); err != nil {
		return nil, err
	}
	actions, err := b.parseActions(p, "DefaultActions", lb, s.protocol, nil)
	if err != nil {
		return nil, err
	}
	tags, err := b.parseTags(p, nil)
	if err != nil {
		return nil, err
	}
	existing := b.st.listenersOf(lb.ARN)
	if l := samePort(existing, s.port); l != nil {
		if l.Protocol == s.protocol && l.SslPolicy == s.sslPolicy && defaultCert(l) == s.cert && l.MutualAuth == s.mutual &&
			reflect.DeepEqual(l.MutualVerify, s.verify) && l.MutualEmptyTrustStore == s.emptyTS && reflect.DeepEqual(l.DefaultActions, actions) {
			return &listenersResult{Listeners: []xListener{b.renderListener(l)}}, nil // an identical repeat
		}
		return nil, errf("DuplicateListener", "A listener with the specified port already exists")
	}
	limit := b.Quotas.ListenersPerALB
	if lb.Type != "application" {
		limit = b.Quotas.ListenersPerNLB
	}
	if len(existing) >= limit {
		return nil, errf("TooManyListeners", "You've reached the limit on the number of listeners per load balancer (%d)", limit)
	}
	if err := checkQUICListener(lb, s.protocol, existing, ""); err != nil {
		return nil, err
	}
	if err := b.checkLBTargetGroups(lb, actions); err != nil {
		return nil, err
	}
	l := b.addListener(lb, s, actions, tags)
	return &listenersResult{Listeners: []xListener{b.renderListener(l)}}, nil
}

func quicProtocol(p string) bool { return p == "QUIC" || p == "TCP_QUIC" }

// checkQUICListener applies AWS's rules for a listener of protocol on lb
// beside its other listeners (self, the listener modified, excluded): a
// QUIC or TCP_QUIC listener needs an NLB without security groups that is
// not dualstack, is its only QUIC listener, and shares it with no UDP or
// TCP_UDP listener; a UDP or TCP_UDP listener cannot join a QUIC one.
func checkQUICListener(lb *loadBalancer, protocol string, others []*listener, self string) error {
	udp := func(p string) bool { return p == "UDP" || p == "TCP_UDP" }
	for _, o := range others {
		switch {
		case o.ARN == self:
		case quicProtocol(protocol) && quicProtocol(o.Protocol):
			return invalidConfig("A load balancer can have only one QUIC or TCP_QUIC listener")
		case quicProtocol(protocol) && udp(o.Protocol), udp(protocol) && quicProtocol(o.Protocol):
			return invalidConfig("QUIC and TCP_QUIC listeners cannot be combined with UDP or TCP_UDP listeners on a load balancer")
		}
	}
	switch {
	case !quicProtocol(protocol):
	case len(lb.SecurityGroups) > 0:
		return invalidConfig("%s listeners are not supported on load balancers with security groups", protocol)
	case strings.HasPrefix(lb.IPAddressType, "dualstack"):
		return invalidConfig("%s listeners are not supported on dualstack load balancers", protocol)
	}
	return nil
}

func samePort(ls []*listener, port int) *listener {
	for _, l := range ls {
		if l.Port == port {
			return l
		}
	}
	return nil
}

// addListener stores a new listener and its default rule.
func (b *Backend) addListener(lb *loadBalancer, s listenerSettings, actions []action, tags []tag) *listener {
	now := b.env.Now()
	id := b.env.IDs.Hex(16)
	l := &listener{
		Seq:                   b.st.next(),
		ARN:                   fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:listener/%s/%s/%s/%s", b.env.Region, b.env.Account, typeSegment(lb.Type), lb.Name, lb.ID, id),
		LoadBalancer:          lb.ARN,
		Protocol:              s.protocol,
		Port:                  s.port,
		SslPolicy:             s.sslPolicy,
		AlpnPolicy:            s.alpn,
		MutualAuth:            s.mutual,
		MutualVerify:          s.verify,
		MutualEmptyTrustStore: s.emptyTS,
		DefaultActions:        actions,
		Attributes:            defaultListenerAttributes(s.protocol),
		Tags:                  stamp(tags, now),
		Created:               now,
	}
	if s.cert != "" {
		l.Certificates = []certificate{{ARN: s.cert, IsDefault: true}}
	}
	def := &rule{Seq: b.st.next(), ARN: b.ruleARN(lb, id), Listener: l.ARN, IsDefault: true, Created: now}
	l.DefaultRule = def.ARN
	b.st.Listeners[l.ARN] = l
	b.st.Rules[def.ARN] = def
	return l
}

func (b *Backend) ruleARN(lb *loadBalancer, listenerID string) string {
	return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:listener-rule/%s/%s/%s/%s/%s", b.env.Region, b.env.Account,
		typeSegment(lb.Type), lb.Name, lb.ID, listenerID, b.env.IDs.Hex(16))
}

func defaultCert(l *listener) string {
	for _, c := range l.Certificates {
		if c.IsDefault {
			return c.ARN
		}
	}
	return ""
}

// securitySettings reads SslPolicy, Certificates and AlpnPolicy into s for
// s.protocol. creating is false for ModifyListener, where s holds the
// current values.
func (b *Backend) securitySettings(p query.Params, s *listenerSettings, creating bool) error {
	if err := b.readSecurity(p, s); err != nil {
		return err
	}
	if err := b.mutualAuth(p, s); err != nil {
		return err
	}
	if s.protocol != "TLS" && len(p.MemberStrings("AlpnPolicy")) > 0 {
		return query.ValidationError("ALPN policies can only be specified for TLS listeners")
	}
	if !secure(s.protocol) {
		if creating && (len(p.Members("Certificates")) > 0 || p.Get("SslPolicy") != "") {
			return query.ValidationError("Certificates and SSL policies can only be specified for HTTPS and TLS listeners")
		}
		s.cert, s.sslPolicy, s.alpn = "", "", nil
		return nil
	}
	switch {
	case s.cert == "":
		return query.ValidationError("A certificate must be specified for %s listeners", s.protocol)
	case len(s.alpn) > 0 && s.protocol != "TLS":
		return query.ValidationError("ALPN policies can only be specified for TLS listeners")
	case s.sslPolicy == "":
		s.sslPolicy = DefaultSSLPolicy
	}
	return nil
}

// mutualAuth reads MutualAuthentication into s for an HTTPS listener; a
// listener that stops being HTTPS loses it. An empty TrustStoreArn counts
// as absent (LBC sends one with modes off and passthrough). Mode verify
// needs an existing, active trust store; IgnoreClientCertificateExpiry
// defaults to false and AdvertiseTrustStoreCaNames to off.
func (b *Backend) mutualAuth(p query.Params, s *listenerSettings) error {
	m := p.Sub("MutualAuthentication")
	if m.Len() == 0 {
		if s.protocol != "HTTPS" {
			s.mutual, s.verify, s.emptyTS = "", nil, false
		}
		return nil
	}
	if s.protocol != "HTTPS" {
		return invalidConfig("Mutual authentication is only supported for HTTPS listeners")
	}
	mode, err := enumDefault(m, "Mode", "mutualAuthentication.mode", "off", "off", "passthrough", "verify")
	if err != nil {
		return err
	}
	if _, ok := m.Lookup("TrustStoreAssociationStatus"); ok {
		return query.ValidationError("TrustStoreAssociationStatus cannot be specified in a request")
	}
	ts := m.Get("TrustStoreArn")
	if mode != "verify" {
		if ts != "" || m.Has("IgnoreClientCertificateExpiry") || m.Has("AdvertiseTrustStoreCaNames") {
			return query.ValidationError("A trust store can only be configured for mutual authentication mode 'verify'")
		}
		_, given := m.Lookup("TrustStoreArn")
		s.mutual, s.verify, s.emptyTS = mode, nil, given
		return nil
	}
	if ts == "" {
		return query.ValidationError("A trust store ARN must be specified for mutual authentication mode 'verify'")
	}
	if arnKind(ts) != "truststore" || b.st.TrustStores[ts] == nil {
		return trustStoreNotFound(ts)
	}
	v := &mutualVerify{TrustStoreArn: ts}
	if v.IgnoreExpiry, _, err = boolParam(m, "IgnoreClientCertificateExpiry", "mutualAuthentication.ignoreClientCertificateExpiry"); err != nil {
		return err
	}
	if v.Advertise, err = enumDefault(m, "AdvertiseTrustStoreCaNames", "mutualAuthentication.advertiseTrustStoreCaNames", "off", "on", "off"); err != nil {
		return err
	}
	s.mutual, s.verify, s.emptyTS = mode, v, false
	return nil
}

func (b *Backend) readSecurity(p query.Params, s *listenerSettings) error {
	certs := p.Members("Certificates")
	if len(certs) > 1 {
		return query.ValidationError("Only one default certificate can be specified; use AddListenerCertificates for more")
	}
	if err := noIsDefault(certs); err != nil {
		return err
	}
	if len(certs) == 1 {
		c := certs[0].Get("CertificateArn")
		if err := b.checkCert(c); err != nil {
			return err
		}
		s.cert = c
	}
	if v, ok := p.Lookup("SslPolicy"); ok {
		if !contains(sslPolicies, v) {
			return errf("SSLPolicyNotFound", "SSL policy '%s' not found", v)
		}
		s.sslPolicy = v
	}
	if alpn := p.MemberStrings("AlpnPolicy"); len(alpn) > 0 {
		if len(alpn) > 1 || !contains(alpnPolicies, alpn[0]) {
			return query.ValidationError("ALPN policy '%s' is not valid", strings.Join(alpn, ","))
		}
		s.alpn = alpn
	}
	return nil
}

func (b *Backend) lookupListener(p query.Params) (*listener, error) {
	arn, err := p.Require("ListenerArn")
	if err != nil {
		return nil, err
	}
	if err := checkARN(arn, "listener"); err != nil {
		return nil, err
	}
	l := b.st.Listeners[arn]
	if l == nil {
		return nil, listenerNotFound()
	}
	return l, nil
}

func (b *Backend) describeListeners(p query.Params) (any, error) {
	lbARN := p.Get("LoadBalancerArn")
	arns := p.MemberStrings("ListenerArns")
	var out []*listener
	switch {
	case lbARN != "" && len(arns) > 0:
		return nil, query.ValidationError("Listener ARNs and a load balancer ARN cannot be specified at the same time")
	case lbARN != "":
		if err := checkARN(lbARN, "loadbalancer"); err != nil {
			return nil, err
		}
		if b.st.LoadBalancers[lbARN] == nil {
			return nil, lbNotFound()
		}
		out = b.st.listenersOf(lbARN)
	case len(arns) > 0:
		for _, a := range dedupe(arns) {
			if err := checkARN(a, "listener"); err != nil {
				return nil, err
			}
			l := b.st.Listeners[a]
			if l == nil {
				return nil, listenerNotFound()
			}
			out = append(out, l)
		}
	default:
		return nil, query.ValidationError("You must specify either listener ARNs or a load balancer ARN")
	}
	pg, err := core.ELBv2Page(p, len(out))
	if err != nil {
		return nil, err
	}
	res := &listenersResult{Listeners: []xListener{}, NextMarker: pg.Next}
	for _, l := range out[pg.Start:pg.End] {
		res.Listeners = append(res.Listeners, b.renderListener(l))
	}
	return res, nil
}

func (b *Backend) modifyListener(p query.Params) (any, error) {
	l, err := b.lookupListener(p)
	if err != nil {
		return nil, err
	}
	lb := b.st.LoadBalancers[l.LoadBalancer]
	s := listenerSettings{protocol: l.Protocol, port: l.Port, sslPolicy: l.SslPolicy, cert: defaultCert(l), alpn: l.AlpnPolicy, mutual: l.MutualAuth, verify: l.MutualVerify, emptyTS: l.MutualEmptyTrustStore}
	if err := b.protocolAndPort(p, lb, &s, false); err != nil {
		return nil, err
	}
	if err := b.securitySettings(p, &s, false); err != nil {
		return nil, err
	}
	if o := samePort(b.st.listenersOf(lb.ARN), s.port); o != nil && o.ARN != l.ARN {
		return nil, errf("DuplicateListener", "A listener with the specified port already exists")
	}
	if err := checkQUICListener(lb, s.protocol, b.st.listenersOf(lb.ARN), l.ARN); err != nil {
		return nil, err
	}
	actions, err := b.modifiedActions(p, l, lb, s.protocol)
	if err != nil {
		return nil, err
	}
	l.Protocol, l.Port, l.SslPolicy, l.AlpnPolicy, l.MutualAuth, l.MutualVerify, l.DefaultActions = s.protocol, s.port, s.sslPolicy, s.alpn, s.mutual, s.verify, actions
	l.MutualEmptyTrustStore = s.emptyTS
	setDefaultCert(l, s.cert)
	if !reflect.DeepEqual(keysOf(l.Attributes), keysOf(defaultListenerAttributes(s.protocol))) {
		l.Attributes = defaultListenerAttributes(s.protocol) // the protocol family changed
	}
	return &listenersResult{Listeners: []xListener{b.renderListener(l)}}, nil
}

// modifiedActions returns ModifyListener's default actions: the new ones,
// or the current ones re-checked against a changed protocol.
func (b *Backend) modifiedActions(p query.Params, l *listener, lb *loadBalancer, protocol string) ([]action, error) {
	if p.Has("DefaultActions") {
		actions, err := b.parseActions(p, "DefaultActions", lb, protocol, l.DefaultActions)
		if err != nil {
			return nil, err
		}
		return actions, b.checkLBTargetGroups(lb, actions)
	}
	if protocol == l.Protocol {
		return l.DefaultActions, nil
	}
	for _, a := range l.DefaultActions {
		if protocol != "HTTPS" && (a.Auth != nil || a.JWT != nil) {
			return nil, invalidConfig("Authenticate actions are only supported on HTTPS listeners")
		}
		for _, t := range a.targetGroups() {
			if err := b.checkForwardTarget(t, lb, protocol); err != nil {
				return nil, err
			}
		}
	}
	return l.DefaultActions, nil
}

// setDefaultCert replaces the default certificate, keeping the certificate
// list (which may name the default one too); "" drops every certificate
// (HTTPS → HTTP).
func setDefaultCert(l *listener, cert string) {
	switch {
	case cert == "":
		l.Certificates = nil
	case defaultCert(l) != cert:
		kept := []certificate{{ARN: cert, IsDefault: true}}
		for _, c := range l.Certificates {
			if !c.IsDefault {
				kept = append(kept, c)
			}
		}
		l.Certificates = kept
	}
}

func keysOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

func (b *Backend) deleteListener(p query.Params) (any, error) {
	l, err := b.lookupListener(p)
	if err != nil {
		return nil, err
	}
	b.removeListener(l)
	return nil, nil
}

// removeListener deletes a listener and its rules.
func (b *Backend) removeListener(l *listener) {
	for arn, r := range b.st.Rules {
		if r.Listener == l.ARN {
			delete(b.st.Rules, arn)
		}
	}
	delete(b.st.Listeners, l.ARN)
}

// LoadBalancerType returns the type of the load balancer arn names
// ("application", "network", "gateway"), for the services that attach to
// load balancers (WAF, Shield).
func (b *Backend) LoadBalancerType(arn string) (string, bool) {
	lb, ok := b.st.LoadBalancers[arn]
	if !ok {
		return "", false
	}
	return lb.Type, true
}
