package state

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/lbsg/lbsg/internal/awserr"
	cloudelbv2 "github.com/lbsg/lbsg/internal/cloud/elbv2"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/plan"
)

// readListeners reads the LB's listeners; for an ALB also their rules
// (the default rule left out) and the tags of both.
func (p *Provider) readListeners(ctx context.Context, lb plan.ObservedLB) ([]plan.ObservedListener, error) {
	ls, err := p.elb.ListListeners(ctx, lb.ARN)
	if awserr.Classify(err) == awserr.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []plan.ObservedListener
	for _, l := range ls {
		o := plan.ObservedListener{ARN: l.ARN, Port: l.Port, Protocol: l.Protocol,
			Certificates: l.Certificates, SSLPolicy: l.SSLPolicy}
		if len(l.ALPNPolicy) > 0 {
			o.ALPNPolicy = l.ALPNPolicy[0]
		}
		o.MutualAuth = modelMutualAuth(l.MutualAuth)
		// NLB listeners: the first target group is the plain forward's;
		// the actions show a weighted forward (actions annotations).
		o.DefaultActions = p.withSecrets(l.ARN, modelActions(l.DefaultActions))
		if lb.Type != model.TypeApplication && len(l.DefaultActions) > 0 && len(l.DefaultActions[0].TargetGroups) > 0 {
			o.TargetGroupARN = l.DefaultActions[0].TargetGroups[0].ARN
		}
		if l.Protocol == "HTTPS" || l.Protocol == "TLS" {
			extra, err := p.elb.ExtraCertificates(ctx, l.ARN)
			if err != nil && awserr.Classify(err) != awserr.NotFound {
				return nil, err
			}
			o.ExtraCertificates = extra
		}
		out = append(out, o)
	}
	if lb.Type != model.TypeApplication {
		return out, nil
	}
	var arns []string
	for i := range out {
		rs, err := p.readRules(ctx, out[i].ARN)
		if err != nil {
			return nil, err
		}
		out[i].Rules = rs
		arns = append(arns, out[i].ARN)
		for _, r := range rs {
			arns = append(arns, r.ARN)
		}
	}
	tags, _, err := p.elb.TagsOrGone(ctx, arns) // a vanished one has no tags
	if err != nil {
		return nil, fmt.Errorf("describing tags of %d listeners and rules: %w", len(arns), err)
	}
	for i := range out {
		out[i].Tags = tagsOf(tags, out[i].ARN)
		for j := range out[i].Rules {
			out[i].Rules[j].Tags = tagsOf(tags, out[i].Rules[j].ARN)
		}
	}
	return out, nil
}

// modelMutualAuth is a listener's reported mutual TLS in the model's terms:
// verify's members only with mode verify.
func modelMutualAuth(m *cloudelbv2.MutualAuth) *model.MutualAuth {
	if m == nil {
		return nil
	}
	out := &model.MutualAuth{Mode: m.Mode}
	if m.Mode == "verify" {
		out.TrustStoreARN, out.IgnoreClientCertificateExpiry, out.AdvertiseTrustStoreCaNames =
			m.TrustStoreARN, m.IgnoreClientCertificateExpiry, m.AdvertiseTrustStoreCaNames
	}
	return out
}

// tagsOf is an ARN's tags, {} when it has none (nil would mean unread).
func tagsOf(all map[string]map[string]string, arn string) map[string]string {
	if t := all[arn]; t != nil {
		return t
	}
	return map[string]string{}
}

func (p *Provider) readRules(ctx context.Context, listenerARN string) ([]plan.ObservedRule, error) {
	rs, err := p.elb.ListRules(ctx, listenerARN)
	if awserr.Classify(err) == awserr.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []plan.ObservedRule
	for _, r := range rs {
		if r.IsDefault {
			continue
		}
		prio, err := strconv.ParseInt(r.Priority, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("rule %s: priority %q: %w", r.ARN, r.Priority, err)
		}
		o := plan.ObservedRule{ARN: r.ARN, Priority: int32(prio), Actions: p.withSecrets(r.ARN, modelActions(r.Actions))}
		for _, c := range r.Conditions {
			o.Conditions = append(o.Conditions, modelCondition(c))
		}
		for _, t := range r.Transforms {
			x := model.Transform{Type: t.Type}
			for _, rw := range t.Rewrites {
				x.Rewrites = append(x.Rewrites, model.Rewrite{Regex: rw.Regex, Replace: rw.Replace})
			}
			o.Transforms = append(o.Transforms, x)
		}
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b plan.ObservedRule) int { return int(a.Priority - b.Priority) })
	return out, nil
}

func (p *Provider) lbAttributes(ctx context.Context, arn string) (map[string]string, error) {
	attrs, err := p.elb.LoadBalancerAttributes(ctx, arn)
	if awserr.Classify(err) == awserr.NotFound {
		return nil, nil
	}
	return attrs, err
}

// ModifyTargetGroupAttributes writes the given attributes (only those).
func (p *Provider) ModifyTargetGroupAttributes(ctx context.Context, arn string, attrs map[string]string) error {
	if err := p.elb.ModifyTargetGroupAttributes(ctx, arn, attrs); err != nil {
		return err
	}
	p.learnAttrs(arn, attrs)
	return nil
}

// ModifyLoadBalancerAttributes writes the given attributes (only those).
func (p *Provider) ModifyLoadBalancerAttributes(ctx context.Context, arn string, attrs map[string]string) error {
	if err := p.elb.ModifyLoadBalancerAttributes(ctx, arn, attrs); err != nil {
		return err
	}
	p.learnAttrs(arn, attrs)
	return nil
}

// ModifyListenerAttributes writes the given attributes (only those).
func (p *Provider) ModifyListenerAttributes(ctx context.Context, arn string, attrs map[string]string) error {
	if err := p.elb.ModifyListenerAttributes(ctx, arn, attrs); err != nil {
		return err
	}
	p.learnAttrs(arn, attrs)
	return nil
}

// modelActions converts AWS actions to plan's observed form: a forward to
// one target group without stickiness names it by ARN in TargetGroup;
// any other forward is a Forward of ARNs with their weights.
func modelActions(as []cloudelbv2.Action) []model.Action {
	out := make([]model.Action, 0, len(as))
	for _, a := range as {
		x := model.Action{Type: a.Type}
		switch {
		case len(a.TargetGroups) == 1 && a.Stickiness == nil:
			x.TargetGroup = a.TargetGroups[0].ARN
		case len(a.TargetGroups) > 0:
			x.Forward = &model.Forward{}
			for _, t := range a.TargetGroups {
				x.Forward.TargetGroups = append(x.Forward.TargetGroups, model.WeightedTarget{ARN: t.ARN, Weight: t.Weight})
			}
			if s := a.Stickiness; s != nil {
				x.Forward.Stickiness = &model.Stickiness{Enabled: &s.Enabled}
				if s.DurationSeconds != 0 {
					x.Forward.Stickiness.DurationSeconds = &s.DurationSeconds
				}
			}
		}
		if r := a.Redirect; r != nil {
			x.Redirect = &model.Redirect{Protocol: r.Protocol, Port: r.Port, Host: r.Host, Path: r.Path, Query: r.Query, StatusCode: r.StatusCode}
		}
		if f := a.FixedResponse; f != nil {
			x.FixedResponse = &model.FixedResponse{StatusCode: f.StatusCode, ContentType: f.ContentType, MessageBody: f.MessageBody}
		}
		if c := a.Cognito; c != nil {
			x.AuthCognito = &model.AuthCognito{UserPoolARN: c.UserPoolARN, UserPoolClientID: c.UserPoolClientID,
				UserPoolDomain: c.UserPoolDomain, AuthSession: modelSession(c.AuthSession)}
		}
		if c := a.OIDC; c != nil {
			x.AuthOIDC = &model.AuthOIDC{Issuer: c.Issuer, AuthorizationEndpoint: c.AuthorizationEndpoint,
				TokenEndpoint: c.TokenEndpoint, UserInfoEndpoint: c.UserInfoEndpoint, ClientID: c.ClientID,
				AuthSession: modelSession(c.AuthSession)}
		}
		if j := a.JWT; j != nil {
			x.JWT = &model.JWTValidation{JwksEndpoint: j.JwksEndpoint, Issuer: j.Issuer}
			for _, c := range j.AdditionalClaims {
				x.JWT.AdditionalClaims = append(x.JWT.AdditionalClaims, model.JWTClaim{Format: c.Format, Name: c.Name, Values: c.Values})
			}
		}
		out = append(out, x)
	}
	return out
}

func modelSession(s cloudelbv2.AuthSession) model.AuthSession {
	extra := s.ExtraParams
	if len(extra) == 0 {
		extra = nil
	}
	return model.AuthSession{ExtraParams: extra, OnUnauthenticatedRequest: s.OnUnauthenticatedRequest,
		Scope: s.Scope, SessionCookieName: s.SessionCookieName, SessionTimeout: s.SessionTimeout}
}

func cloudSession(s model.AuthSession) cloudelbv2.AuthSession {
	return cloudelbv2.AuthSession{ExtraParams: s.ExtraParams, OnUnauthenticatedRequest: s.OnUnauthenticatedRequest,
		Scope: s.Scope, SessionCookieName: s.SessionCookieName, SessionTimeout: s.SessionTimeout}
}

// learnSecret remembers the OIDC client secret digest of the actions lbsg
// just wrote to the listener or rule arn (forgets it when they have none).
func (p *Provider) learnSecret(arn string, as []model.Action) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.oidcSecrets == nil {
		p.oidcSecrets = map[string]string{}
	}
	delete(p.oidcSecrets, arn)
	for _, a := range as {
		if a.AuthOIDC != nil {
			p.oidcSecrets[arn] = a.AuthOIDC.SecretHash
		}
	}
}

// withSecrets fills in the OIDC secret digests lbsg knows for arn's
// observed actions.
func (p *Provider) withSecrets(arn string, as []model.Action) []model.Action {
	p.mu.Lock()
	h := p.oidcSecrets[arn]
	p.mu.Unlock()
	for i := range as {
		if as[i].AuthOIDC != nil {
			as[i].AuthOIDC.SecretHash = h
		}
	}
	return as
}

// cloudActions converts desired actions, target groups resolved through
// tgARNs (resource ID → ARN), with Order 1..n as LBC sends them.
func cloudActions(as []model.Action, tgARNs map[string]string) ([]cloudelbv2.Action, error) {
	out := make([]cloudelbv2.Action, 0, len(as))
	resolve := func(id string) (string, error) {
		arn := tgARNs[id]
		if arn == "" {
			return "", fmt.Errorf("target group %s has no ARN", id)
		}
		return arn, nil
	}
	for i, a := range as {
		x := cloudelbv2.Action{Type: a.Type, Order: int32(i + 1)}
		if a.TargetGroup != "" {
			arn, err := resolve(a.TargetGroup)
			if err != nil {
				return nil, err
			}
			x.TargetGroups = []cloudelbv2.WeightedTargetGroup{{ARN: arn}}
		}
		if fw := a.Forward; fw != nil {
			for _, t := range fw.TargetGroups {
				arn := t.ARN
				if t.TargetGroup != "" {
					var err error
					if arn, err = resolve(t.TargetGroup); err != nil {
						return nil, err
					}
				}
				x.TargetGroups = append(x.TargetGroups, cloudelbv2.WeightedTargetGroup{ARN: arn, Weight: t.Weight})
			}
			if s := fw.Stickiness; s != nil {
				x.Stickiness = &cloudelbv2.Stickiness{}
				if s.Enabled != nil {
					x.Stickiness.Enabled = *s.Enabled
				}
				if s.DurationSeconds != nil {
					x.Stickiness.DurationSeconds = *s.DurationSeconds
				}
			}
		}
		if r := a.Redirect; r != nil {
			x.Redirect = &cloudelbv2.Redirect{Protocol: r.Protocol, Port: r.Port, Host: r.Host, Path: r.Path, Query: r.Query, StatusCode: r.StatusCode}
		}
		if f := a.FixedResponse; f != nil {
			x.FixedResponse = &cloudelbv2.FixedResponse{StatusCode: f.StatusCode, ContentType: f.ContentType, MessageBody: f.MessageBody}
		}
		if c := a.AuthCognito; c != nil {
			x.Cognito = &cloudelbv2.AuthenticateCognito{UserPoolARN: c.UserPoolARN, UserPoolClientID: c.UserPoolClientID,
				UserPoolDomain: c.UserPoolDomain, AuthSession: cloudSession(c.AuthSession)}
		}
		if c := a.AuthOIDC; c != nil {
			x.OIDC = &cloudelbv2.AuthenticateOIDC{Issuer: c.Issuer, AuthorizationEndpoint: c.AuthorizationEndpoint,
				TokenEndpoint: c.TokenEndpoint, UserInfoEndpoint: c.UserInfoEndpoint, ClientID: c.ClientID,
				ClientSecret: c.ClientSecret, AuthSession: cloudSession(c.AuthSession)}
		}
		if j := a.JWT; j != nil {
			x.JWT = &cloudelbv2.JWTValidation{JwksEndpoint: j.JwksEndpoint, Issuer: j.Issuer}
			for _, c := range j.AdditionalClaims {
				x.JWT.AdditionalClaims = append(x.JWT.AdditionalClaims, cloudelbv2.JWTClaim{Format: c.Format, Name: c.Name, Values: c.Values})
			}
		}
		out = append(out, x)
	}
	return out, nil
}

func cloudConditions(cs []model.Condition) []cloudelbv2.Condition {
	out := make([]cloudelbv2.Condition, 0, len(cs))
	for _, c := range cs {
		x := cloudelbv2.Condition{Field: c.Field, Values: slices.Clone(c.Values), RegexValues: slices.Clone(c.RegexValues),
			HTTPHeaderName: c.HTTPHeaderName}
		for _, q := range c.QueryString {
			x.QueryString = append(x.QueryString, cloudelbv2.QueryPair{Key: q.Key, Value: q.Value})
		}
		out = append(out, x)
	}
	return out
}

func cloudTransforms(ts []model.Transform) []cloudelbv2.Transform {
	var out []cloudelbv2.Transform
	for _, t := range ts {
		x := cloudelbv2.Transform{Type: t.Type}
		for _, rw := range t.Rewrites {
			x.Rewrites = append(x.Rewrites, cloudelbv2.Rewrite{Regex: rw.Regex, Replace: rw.Replace})
		}
		out = append(out, x)
	}
	return out
}

func modelCondition(c cloudelbv2.Condition) model.Condition {
	x := model.Condition{Field: c.Field, Values: c.Values, RegexValues: c.RegexValues, HTTPHeaderName: c.HTTPHeaderName}
	for _, q := range c.QueryString {
		x.QueryString = append(x.QueryString, model.QueryPair{Key: q.Key, Value: q.Value})
	}
	return x
}

// listenerSpec is what Create and ModifyListener send: an NLB listener
// forwards to l.TargetGroup; an ALB listener runs its default action. An
// HTTPS or TLS listener carries its default certificate, SSL policy and a
// stated ALPN policy; the certificate list is written by
// Add/RemoveListenerCertificates.
func listenerSpec(l model.Listener, tgARNs map[string]string) (cloudelbv2.ListenerSpec, error) {
	s := cloudelbv2.ListenerSpec{Protocol: l.Protocol, Port: l.Port}
	defs := []model.Action{{Type: model.ActionForward, TargetGroup: l.TargetGroup}}
	if l.DefaultAction != nil {
		defs = l.DefaultActions()
	}
	if l.Protocol == "HTTPS" || l.Protocol == "TLS" {
		s.SSLPolicy = l.SSLPolicy
		if len(l.Certificates) > 0 {
			s.Certificates = l.Certificates[:1]
		}
		if l.ALPNPolicy != "" {
			s.ALPNPolicy = []string{l.ALPNPolicy}
		}
		if m := l.MutualAuth; m != nil && l.Protocol == "HTTPS" {
			s.MutualAuth = &cloudelbv2.MutualAuth{Mode: m.Mode, TrustStoreARN: m.TrustStoreARN,
				IgnoreClientCertificateExpiry: m.IgnoreClientCertificateExpiry, AdvertiseTrustStoreCaNames: m.AdvertiseTrustStoreCaNames}
		}
	}
	var err error
	s.DefaultActions, err = cloudActions(defs, tgARNs)
	if err != nil {
		return s, fmt.Errorf("listener %d: %w", l.Port, err)
	}
	return s, nil
}

// CreateListener creates a listener with its default action and tags and
// returns its ARN; tgARNs maps target group resource IDs to ARNs.
func (p *Provider) CreateListener(ctx context.Context, lbARN string, l model.Listener, tgARNs map[string]string) (string, error) {
	s, err := listenerSpec(l, tgARNs)
	if err != nil {
		return "", err
	}
	out, err := p.elb.CreateListener(ctx, lbARN, s, l.Tags)
	if err == nil {
		p.learnSecret(out.ARN, l.DefaultActions())
	}
	return out.ARN, err
}

// ModifyListener sets a listener's protocol, default action and, for
// HTTPS, its default certificate and SSL policy.
func (p *Provider) ModifyListener(ctx context.Context, arn string, l model.Listener, tgARNs map[string]string) error {
	s, err := listenerSpec(l, tgARNs)
	if err != nil {
		return err
	}
	if _, err = p.elb.ModifyListener(ctx, arn, s); err == nil {
		p.learnSecret(arn, l.DefaultActions())
	}
	return err
}

// AddListenerCertificates adds certificates to a listener's list.
func (p *Provider) AddListenerCertificates(ctx context.Context, arn string, certs []string) error {
	return p.elb.AddListenerCertificates(ctx, arn, certs)
}

// RemoveListenerCertificates removes certificates from a listener's list.
func (p *Provider) RemoveListenerCertificates(ctx context.Context, arn string, certs []string) error {
	return p.elb.RemoveListenerCertificates(ctx, arn, certs)
}

// CreateRule creates an ALB listener rule, tagged, and returns its ARN.
func (p *Provider) CreateRule(ctx context.Context, listenerARN string, r model.ListenerRule, tgARNs map[string]string) (string, error) {
	acts, err := cloudActions(r.Actions, tgARNs)
	if err != nil {
		return "", fmt.Errorf("rule %d: %w", r.Priority, err)
	}
	out, err := p.elb.CreateRule(ctx, listenerARN, cloudelbv2.RuleSpec{Priority: r.Priority, Conditions: cloudConditions(r.Conditions), Actions: acts,
		Transforms: cloudTransforms(r.Transforms)}, r.Tags)
	if err == nil {
		p.learnSecret(out.ARN, r.Actions)
	}
	return out.ARN, err
}

// ModifyRule replaces a rule's conditions, actions and transforms (not its
// priority).
func (p *Provider) ModifyRule(ctx context.Context, arn string, r model.ListenerRule, tgARNs map[string]string) error {
	acts, err := cloudActions(r.Actions, tgARNs)
	if err != nil {
		return fmt.Errorf("rule %d: %w", r.Priority, err)
	}
	if _, err = p.elb.ModifyRule(ctx, arn, cloudelbv2.RuleSpec{Conditions: cloudConditions(r.Conditions), Actions: acts,
		Transforms: cloudTransforms(r.Transforms)}); err == nil {
		p.learnSecret(arn, r.Actions)
	}
	return err
}

// DeleteRule deletes a rule; a vanished one counts as deleted.
func (p *Provider) DeleteRule(ctx context.Context, arn string) error {
	return p.elb.DeleteRule(ctx, arn)
}

// SetRulePriorities moves rules (ARN → priority) in one atomic call.
func (p *Provider) SetRulePriorities(ctx context.Context, priorities map[string]int32) error {
	return p.elb.SetRulePriorities(ctx, priorities)
}
