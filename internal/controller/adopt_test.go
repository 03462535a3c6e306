package controller_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/rules"
)

// LBC wrote its restricted node rule as one range spanning the Service's
// NodePorts, with its bare marker (lbc-security-groups.md §6.8), and maybe an
// exact rule too. With --adopt-lbc-rules lbsg authorizes its exact rules
// with its own marker, rewrites the description of an LBC rule with the same
// key in place, then revokes LBC's range; without, LBC's rules are left
// alone.
func TestAdoptLBCRulesRewritesLBCMarkedNodeRulesOnlyWhenOn(t *testing.T) {
	for _, adopt := range []bool{true, false} {
		t.Run(fmt.Sprintf("adopt-lbc-rules=%v", adopt), func(t *testing.T) {
			h := start(t, func(o *options.Controller) { o.AdoptLBCRules = adopt })
			svc := h.nlbService("web", 80, 443)
			h.create(svc)
			var exact rules.Set
			var backendID string
			h.eventually("converged", func(w world) string {
				ours, _ := h.nodeRules(w)
				_, backend := w.ownedSGs()
				if len(ours) != 2 || len(backend) != 1 {
					return fmt.Sprintf("node rules %v", ruleList(ours))
				}
				exact, backendID = ours, backend[0].ID
				return ""
			})
			// Replace lbsg's rules by what LBC would have written: the lower
			// NodePort's rule relabelled with LBC's bare marker (same key),
			// the other gone, and LBC's spanning range.
			lo, hi := int32(rules.MaxPort), int32(0)
			for k := range exact {
				lo, hi = min(lo, k.FromPort), max(hi, k.ToPort)
			}
			low := rules.MustKey("tcp", lo, lo, backendID)
			span := rules.MustKey("tcp", lo, hi, backendID)
			ctx := t.Context()
			if _, err := h.emu.EC2.RevokeSecurityGroupIngress(ctx, &awsec2.RevokeSecurityGroupIngressInput{
				GroupId: aws.String(h.seed.NodeSG), IpPermissions: toSDK(exact.Minus(rules.Set{low: ""}))}); err != nil {
				t.Fatal(err)
			}
			if _, err := h.emu.EC2.UpdateSecurityGroupRuleDescriptionsIngress(ctx, &awsec2.UpdateSecurityGroupRuleDescriptionsIngressInput{
				GroupId: aws.String(h.seed.NodeSG), IpPermissions: toSDK(rules.Set{low: naming.LBCRuleDescription})}); err != nil {
				t.Fatal(err)
			}
			if _, err := h.emu.EC2.AuthorizeSecurityGroupIngress(ctx, &awsec2.AuthorizeSecurityGroupIngressInput{
				GroupId: aws.String(h.seed.NodeSG), IpPermissions: toSDK(rules.Set{span: naming.LBCRuleDescription})}); err != nil {
				t.Fatal(err)
			}
			if _, err := h.ctrls.Drift.Check(ctx); err != nil {
				t.Fatal(err)
			}
			h.eventually("node rules repaired", func(w world) string {
				in := w.sgs[h.seed.NodeSG].Ingress
				ours, _ := h.nodeRules(w)
				if adopt {
					// Every exact rule with lbsg's marker, LBC's range gone.
					if _, ok := in[span]; ok || !ours.SameKeys(exact) {
						return fmt.Sprintf("node rules %v", ruleList(in))
					}
					return ""
				}
				// LBC's rules untouched; lbsg adds only the rule AWS lacks.
				if in[low] != naming.LBCRuleDescription || in[span] != naming.LBCRuleDescription || !ours.SameKeys(exact.Minus(rules.Set{low: ""})) {
					return fmt.Sprintf("node rules %v", ruleList(in))
				}
				return ""
			})
		})
	}
}
