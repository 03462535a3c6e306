package ec2_test

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/ec2"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

const (
	account = "123456789012"
	nf      = "sg-00000000000000000"
)

// world is aws-api.md §7's fixture reached through aws-sdk-go-v2: vpc-A
// (non-default, subnets in 2a and 2b), no default VPC, instance "one" with
// one ENI, instance "two" with two, a standalone ENI.
type world struct {
	*emutest.Env
	ctx   context.Context
	clock *clocktesting.FakeClock
	vpc   string
	res   map[string]string // names → IDs: subnets, groups, instances, ENIs
}

func start(t *testing.T) *world {
	t.Helper()
	clk := clocktesting.NewFakeClock(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	seed := ec2.Seed{VPCs: []ec2.SeedVPC{{
		Name: "vpc-A", CIDR: "10.0.0.0/16",
		Subnets: []ec2.SeedSubnet{{Name: "a", AZ: "us-west-2a", CIDR: "10.0.1.0/24"}, {Name: "b", AZ: "us-west-2b", CIDR: "10.0.2.0/24"}},
		SecurityGroups: []ec2.SeedSecurityGroup{{Name: "node", Tags: map[string]string{"team": "alpha"},
			Ingress: []ec2.SeedRule{{Protocol: "-1", Group: "node"}}}},
		Instances: []ec2.SeedInstance{
			{Name: "one", Subnet: "a", SecurityGroups: []string{"node"}, PrivateIP: "10.0.1.10"},
			{Name: "two", Subnet: "b", SecurityGroups: []string{"node"}},
		},
		NetworkInterfaces: []ec2.SeedENI{
			{Name: "second", Subnet: "b", Instance: "two", PrivateIP: "10.0.2.50"},
			{Name: "loose", Subnet: "a", PrivateIP: "10.0.1.17"},
		},
	}}}
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{Seed: &emulator.Seed{Seed: seed}, Clock: clk}))
	w := &world{Env: env, ctx: t.Context(), clock: clk, res: map[string]string{}}
	// Look the seed up through the API, as a client would.
	vpcs, err := env.EC2.DescribeVpcs(w.ctx, &awsec2.DescribeVpcsInput{})
	if err != nil || len(vpcs.Vpcs) != 1 {
		t.Fatalf("DescribeVpcs: %v", err)
	}
	w.vpc = aws.ToString(vpcs.Vpcs[0].VpcId)
	subnets, err := env.EC2.DescribeSubnets(w.ctx, &awsec2.DescribeSubnetsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subnets.Subnets {
		w.res[nameTag(s.Tags)] = aws.ToString(s.SubnetId)
	}
	inst, err := env.EC2.DescribeInstances(w.ctx, &awsec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range inst.Reservations {
		for _, i := range r.Instances {
			w.res[nameTag(i.Tags)] = aws.ToString(i.InstanceId)
		}
	}
	sgs, err := env.EC2.DescribeSecurityGroups(w.ctx, &awsec2.DescribeSecurityGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range sgs.SecurityGroups {
		w.res[aws.ToString(g.GroupName)] = aws.ToString(g.GroupId)
	}
	enis, err := env.EC2.DescribeNetworkInterfaces(w.ctx, &awsec2.DescribeNetworkInterfacesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range enis.NetworkInterfaces {
		switch aws.ToString(e.PrivateIpAddress) {
		case "10.0.2.50":
			w.res["second"] = aws.ToString(e.NetworkInterfaceId)
		case "10.0.1.17":
			w.res["loose"] = aws.ToString(e.NetworkInterfaceId)
		case "10.0.1.10":
			w.res["one-eni"] = aws.ToString(e.NetworkInterfaceId)
		}
	}
	return w
}

func nameTag(tags []types.Tag) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == "Name" {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

// wantCode asserts an API error with code and HTTP status.
func wantCode(t *testing.T, err error, code string, status int) smithy.APIError {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if api.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, api.ErrorCode(), api.ErrorMessage())
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Fatalf("%s: HTTP %d, want %d", code, re.HTTPStatusCode(), status)
	}
	return api
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func (w *world) createGroup(t *testing.T, name string) string {
	t.Helper()
	out := must[*awsec2.CreateSecurityGroupOutput](t)(w.EC2.CreateSecurityGroup(w.ctx, &awsec2.CreateSecurityGroupInput{
		GroupName: aws.String(name), Description: aws.String(name), VpcId: aws.String(w.vpc)}))
	return aws.ToString(out.GroupId)
}

func (w *world) group(t *testing.T, id string) types.SecurityGroup {
	t.Helper()
	out := must[*awsec2.DescribeSecurityGroupsOutput](t)(w.EC2.DescribeSecurityGroups(w.ctx, &awsec2.DescribeSecurityGroupsInput{GroupIds: []string{id}}))
	if len(out.SecurityGroups) != 1 {
		t.Fatalf("%d groups", len(out.SecurityGroups))
	}
	return out.SecurityGroups[0]
}

func tcp(port int32, cidrs ...string) types.IpPermission {
	p := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port)}
	for _, c := range cidrs {
		p.IpRanges = append(p.IpRanges, types.IpRange{CidrIp: aws.String(c)})
	}
	return p
}

// §7 item 1.
func TestSDKDescribeVpcs(t *testing.T) {
	w := start(t)
	out := must[*awsec2.DescribeVpcsOutput](t)(w.EC2.DescribeVpcs(w.ctx, &awsec2.DescribeVpcsInput{}))
	v := out.Vpcs[0]
	if aws.ToString(v.CidrBlock) != "10.0.0.0/16" || aws.ToBool(v.IsDefault) || v.State != types.VpcStateAvailable ||
		aws.ToString(v.OwnerId) != account || nameTag(v.Tags) != "vpc-A" || len(v.CidrBlockAssociationSet) != 1 {
		t.Fatalf("vpc %+v", v)
	}
	_, err := w.EC2.DescribeVpcs(w.ctx, &awsec2.DescribeVpcsInput{VpcIds: []string{"vpc-00000000000000000"}})
	wantCode(t, err, "InvalidVpcID.NotFound", 400)
}

func TestSDKDescribeSubnetsAndZones(t *testing.T) {
	w := start(t)
	out := must[*awsec2.DescribeSubnetsOutput](t)(w.EC2.DescribeSubnets(w.ctx, &awsec2.DescribeSubnetsInput{
		Filters: []types.Filter{{Name: aws.String("vpc-id"), Values: []string{w.vpc}}, {Name: aws.String("availability-zone"), Values: []string{"us-west-2b"}}}}))
	if len(out.Subnets) != 1 || aws.ToString(out.Subnets[0].AvailabilityZoneId) != "usw2-az2" || aws.ToInt32(out.Subnets[0].AvailableIpAddressCount) != 256-5-2 {
		t.Fatalf("subnets %+v", out.Subnets)
	}
	az := must[*awsec2.DescribeAvailabilityZonesOutput](t)(w.EC2.DescribeAvailabilityZones(w.ctx, &awsec2.DescribeAvailabilityZonesInput{}))
	if len(az.AvailabilityZones) != 4 || az.AvailabilityZones[0].State != types.AvailabilityZoneStateAvailable ||
		aws.ToString(az.AvailabilityZones[0].ZoneId) != "usw2-az1" || len(az.AvailabilityZones[0].Messages) != 0 {
		t.Fatalf("zones %+v", az.AvailabilityZones)
	}
}

// §7 items 8–10.
func TestSDKCreateSecurityGroup(t *testing.T) {
	w := start(t)
	out := must[*awsec2.CreateSecurityGroupOutput](t)(w.EC2.CreateSecurityGroup(w.ctx, &awsec2.CreateSecurityGroupInput{
		GroupName: aws.String("web"), Description: aws.String("web"), VpcId: aws.String(w.vpc),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSecurityGroup,
			Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("beta")}}}}}))
	id := aws.ToString(out.GroupId)
	if !regexp.MustCompile(`^sg-[0-9a-f]{17}$`).MatchString(id) || len(out.Tags) != 1 ||
		aws.ToString(out.SecurityGroupArn) != "arn:aws:ec2:us-west-2:123456789012:security-group/"+id {
		t.Fatalf("reply %+v", out)
	}
	g := w.group(t, id)
	if len(g.IpPermissions) != 0 || len(g.IpPermissionsEgress) != 1 {
		t.Fatalf("group %+v", g)
	}
	e := g.IpPermissionsEgress[0]
	if aws.ToString(e.IpProtocol) != "-1" || e.FromPort != nil || e.ToPort != nil || aws.ToString(e.IpRanges[0].CidrIp) != "0.0.0.0/0" ||
		e.UserIdGroupPairs == nil || len(e.UserIdGroupPairs) != 0 {
		t.Fatalf("egress %+v", e)
	}
	for _, tt := range []struct {
		name, code, group string
		vpc               *string
	}{
		{"same name", "InvalidGroup.Duplicate", "web", &w.vpc},
		{"same name in other case", "InvalidGroup.Duplicate", "WEB", &w.vpc},
		{"sg- prefix", "InvalidParameterValue", "sg-web", &w.vpc},
		{"256 characters", "InvalidParameterValue", strings.Repeat("x", 256), &w.vpc},
		{"no VPC and no default VPC", "VPCIdNotSpecified", "api", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.EC2.CreateSecurityGroup(w.ctx, &awsec2.CreateSecurityGroupInput{GroupName: aws.String(tt.group),
				Description: aws.String("d"), VpcId: tt.vpc})
			wantCode(t, err, tt.code, 400)
		})
	}
}

// §7 items 11–14.
func TestSDKDescribeSecurityGroups(t *testing.T) {
	w := start(t)
	_, err := w.EC2.DescribeSecurityGroups(w.ctx, &awsec2.DescribeSecurityGroupsInput{GroupIds: []string{nf}})
	api := wantCode(t, err, "InvalidGroup.NotFound", 400)
	if api.ErrorMessage() != "The security group '"+nf+"' does not exist" {
		t.Fatalf("message %q", api.ErrorMessage())
	}
	out := must[*awsec2.DescribeSecurityGroupsOutput](t)(w.EC2.DescribeSecurityGroups(w.ctx, &awsec2.DescribeSecurityGroupsInput{
		Filters: []types.Filter{{Name: aws.String("group-id"), Values: []string{nf}}}}))
	if len(out.SecurityGroups) != 0 {
		t.Fatalf("groups %+v", out.SecurityGroups)
	}
	_, err = w.EC2.DescribeSecurityGroups(w.ctx, &awsec2.DescribeSecurityGroupsInput{GroupIds: []string{"web"}})
	wantCode(t, err, "InvalidGroupId.Malformed", 400)
	_, err = w.EC2.DescribeSecurityGroups(w.ctx, &awsec2.DescribeSecurityGroupsInput{Filters: []types.Filter{{Name: aws.String("bogus"), Values: []string{"x"}}}})
	wantCode(t, err, "InvalidParameterValue", 400)
	for name, f := range map[string]types.Filter{
		"tag wildcard": {Name: aws.String("tag:team"), Values: []string{"a*"}},
		"tag-key":      {Name: aws.String("tag-key"), Values: []string{"team"}},
	} {
		out := must[*awsec2.DescribeSecurityGroupsOutput](t)(w.EC2.DescribeSecurityGroups(w.ctx, &awsec2.DescribeSecurityGroupsInput{Filters: []types.Filter{f}}))
		if len(out.SecurityGroups) != 1 || aws.ToString(out.SecurityGroups[0].GroupName) != "node" {
			t.Fatalf("%s: %+v", name, out.SecurityGroups)
		}
	}
	_, err = w.EC2.DescribeSecurityGroups(w.ctx, &awsec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(4)})
	wantCode(t, err, "InvalidParameterValue", 400)
	for i := 0; i < 5; i++ {
		w.createGroup(t, "g"+string(rune('a'+i)))
	} // 7 with default and node
	var pages []int
	p := awsec2.NewDescribeSecurityGroupsPaginator(w.EC2, &awsec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(5)})
	for p.HasMorePages() {
		out := must[*awsec2.DescribeSecurityGroupsOutput](t)(p.NextPage(w.ctx))
		pages = append(pages, len(out.SecurityGroups))
	}
	if len(pages) != 2 || pages[0] != 5 || pages[1] != 2 {
		t.Fatalf("pages %v", pages)
	}
}

// §7 items 15–23.
func TestSDKAuthorizeSecurityGroupIngress(t *testing.T) {
	w := start(t)
	sg := w.createGroup(t, "web")
	sg2 := w.createGroup(t, "peer")
	perm := tcp(443, "10.0.0.0/16")
	perm.IpRanges[0].Description = aws.String("lb")
	out := must[*awsec2.AuthorizeSecurityGroupIngressOutput](t)(w.EC2.AuthorizeSecurityGroupIngress(w.ctx, &awsec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(sg), IpPermissions: []types.IpPermission{perm}}))
	if !aws.ToBool(out.Return) || len(out.SecurityGroupRules) != 1 || aws.ToBool(out.SecurityGroupRules[0].IsEgress) ||
		!strings.HasPrefix(aws.ToString(out.SecurityGroupRules[0].SecurityGroupRuleId), "sgr-") {
		t.Fatalf("reply %+v", out)
	}
	dup := tcp(443, "10.0.0.0/16")
	dup.IpRanges[0].Description = aws.String("other")
	_, err := w.EC2.AuthorizeSecurityGroupIngress(w.ctx, &awsec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(sg), IpPermissions: []types.IpPermission{dup}})
	api := wantCode(t, err, "InvalidPermission.Duplicate", 400)
	if api.ErrorMessage() != `the specified rule "peer: 10.0.0.0/16, TCP, from port: 443, to port: 443, ALLOW" already exists` {
		t.Fatalf("message %q", api.ErrorMessage())
	}
	_, err = w.EC2.AuthorizeSecurityGroupIngress(w.ctx, &awsec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(sg),
		IpPermissions: []types.IpPermission{tcp(80, "1.0.0.0/8", "1.0.0.0/8")}})
	wantCode(t, err, "InvalidParameterValue", 400)
	_, err = w.EC2.AuthorizeSecurityGroupIngress(w.ctx, &awsec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(sg),
		IpPermissions: []types.IpPermission{tcp(80, "2.0.0.0/8"), tcp(443, "10.0.0.0/16")}})
	wantCode(t, err, "InvalidPermission.Duplicate", 400)
	must[*awsec2.AuthorizeSecurityGroupIngressOutput](t)(w.EC2.AuthorizeSecurityGroupIngress(w.ctx, &awsec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(sg), IpPermissions: []types.IpPermission{
			tcp(443, "172.16.5.5/12"),
			{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("192.168.0.0/16")}}},
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(sg2)}}},
		}}))
	g := w.group(t, sg)
	if len(g.IpPermissions) != 2 {
		t.Fatalf("permissions %+v", g.IpPermissions)
	}
	p443, all := g.IpPermissions[0], g.IpPermissions[1]
	if aws.ToInt32(p443.FromPort) != 443 || len(p443.IpRanges) != 2 || aws.ToString(p443.IpRanges[1].CidrIp) != "172.16.0.0/12" ||
		aws.ToString(p443.IpRanges[0].Description) != "lb" || len(p443.UserIdGroupPairs) != 1 ||
		aws.ToString(p443.UserIdGroupPairs[0].UserId) != account || aws.ToString(p443.UserIdGroupPairs[0].GroupId) != sg2 {
		t.Fatalf("443 %+v", p443)
	}
	if aws.ToString(all.IpProtocol) != "-1" || all.FromPort != nil || all.ToPort != nil {
		t.Fatalf("all %+v", all)
	}
	_, err = w.EC2.AuthorizeSecurityGroupEgress(w.ctx, &awsec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(sg),
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}})
	wantCode(t, err, "InvalidPermission.Duplicate", 400)
}

// §7 item 21.
func TestSDKRuleQuota(t *testing.T) {
	w := start(t)
	sg := w.createGroup(t, "web")
	var cidrs []string
	for i := 0; i < 60; i++ {
		cidrs = append(cidrs, "10.0."+itoa(i)+".0/24")
	}
	must[*awsec2.AuthorizeSecurityGroupIngressOutput](t)(w.EC2.AuthorizeSecurityGroupIngress(w.ctx, &awsec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(sg), IpPermissions: []types.IpPermission{tcp(1, cidrs...)}}))
	auth := func(p types.IpPermission) error {
		_, err := w.EC2.AuthorizeSecurityGroupIngress(w.ctx, &awsec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(sg), IpPermissions: []types.IpPermission{p}})
		return err
	}
	wantCode(t, auth(tcp(2, "1.1.1.1/32")), "RulesPerSecurityGroupLimitExceeded", 400)
	if err := auth(types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(2), ToPort: aws.Int32(2),
		Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("::/0")}}}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, auth(types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(2), ToPort: aws.Int32(2),
		UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(sg)}}}), "RulesPerSecurityGroupLimitExceeded", 400)
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// §7 items 24–29.
func TestSDKRevokeAndDelete(t *testing.T) {
	w := start(t)
	sg := w.createGroup(t, "web")
	sg2 := w.createGroup(t, "lb")
	must[*awsec2.AuthorizeSecurityGroupIngressOutput](t)(w.EC2.AuthorizeSecurityGroupIngress(w.ctx, &awsec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(sg), IpPermissions: []types.IpPermission{tcp(443, "10.0.0.0/16", "10.1.0.0/16")}}))
	must[*awsec2.AuthorizeSecurityGroupIngressOutput](t)(w.EC2.AuthorizeSecurityGroupIngress(w.ctx, &awsec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(sg2), IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"),
			UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(sg)}}}}}))
	_, err := w.EC2.RevokeSecurityGroupIngress(w.ctx, &awsec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(sg),
		IpPermissions: []types.IpPermission{tcp(443, "10.0.0.0/16", "10.9.0.0/16")}})
	wantCode(t, err, "InvalidPermission.NotFound", 400)
	rv := must[*awsec2.RevokeSecurityGroupIngressOutput](t)(w.EC2.RevokeSecurityGroupIngress(w.ctx, &awsec2.RevokeSecurityGroupIngressInput{
		GroupId: aws.String(sg), IpPermissions: []types.IpPermission{tcp(443, "10.0.0.0/16")}}))
	if !aws.ToBool(rv.Return) || len(rv.RevokedSecurityGroupRules) != 1 || aws.ToString(rv.RevokedSecurityGroupRules[0].CidrIpv4) != "10.0.0.0/16" {
		t.Fatalf("revoke %+v", rv)
	}
	rules := must[*awsec2.DescribeSecurityGroupRulesOutput](t)(w.EC2.DescribeSecurityGroupRules(w.ctx, &awsec2.DescribeSecurityGroupRulesInput{
		Filters: []types.Filter{{Name: aws.String("group-id"), Values: []string{sg}}}}))
	if len(rules.SecurityGroupRules) != 2 {
		t.Fatalf("rules %+v", rules.SecurityGroupRules)
	}
	var ingress string
	for _, r := range rules.SecurityGroupRules {
		if !aws.ToBool(r.IsEgress) {
			ingress = aws.ToString(r.SecurityGroupRuleId)
			if aws.ToString(r.CidrIpv4) != "10.1.0.0/16" || aws.ToString(r.GroupOwnerId) != account || aws.ToInt32(r.FromPort) != 443 {
				t.Fatalf("rule %+v", r)
			}
		}
	}
	rv = must[*awsec2.RevokeSecurityGroupIngressOutput](t)(w.EC2.RevokeSecurityGroupIngress(w.ctx, &awsec2.RevokeSecurityGroupIngressInput{
		GroupId: aws.String(sg), SecurityGroupRuleIds: []string{ingress}}))
	if len(rv.RevokedSecurityGroupRules) != 1 || aws.ToString(rv.RevokedSecurityGroupRules[0].SecurityGroupRuleId) != ingress {
		t.Fatalf("revoke %+v", rv)
	}
	_, err = w.EC2.DeleteSecurityGroup(w.ctx, &awsec2.DeleteSecurityGroupInput{GroupId: aws.String(sg)})
	wantCode(t, err, "DependencyViolation", 400)
	must[*awsec2.RevokeSecurityGroupIngressOutput](t)(w.EC2.RevokeSecurityGroupIngress(w.ctx, &awsec2.RevokeSecurityGroupIngressInput{
		GroupId: aws.String(sg2), IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"),
			UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(sg)}}}}}))
	del := must[*awsec2.DeleteSecurityGroupOutput](t)(w.EC2.DeleteSecurityGroup(w.ctx, &awsec2.DeleteSecurityGroupInput{GroupId: aws.String(sg)}))
	if aws.ToString(del.GroupId) != sg || !aws.ToBool(del.Return) {
		t.Fatalf("delete %+v", del)
	}
	_, err = w.EC2.DeleteSecurityGroup(w.ctx, &awsec2.DeleteSecurityGroupInput{GroupId: aws.String(w.res["node"])})
	wantCode(t, err, "DependencyViolation", 400)
	_, err = w.EC2.DeleteSecurityGroup(w.ctx, &awsec2.DeleteSecurityGroupInput{GroupId: aws.String(w.res["default"])})
	wantCode(t, err, "CannotDelete", 400)
	_, err = w.EC2.DeleteSecurityGroup(w.ctx, &awsec2.DeleteSecurityGroupInput{GroupId: aws.String(nf)})
	wantCode(t, err, "InvalidGroup.NotFound", 400)
}

func TestSDKModifyAndDescribeRules(t *testing.T) {
	w := start(t)
	sg := w.createGroup(t, "web")
	out := must[*awsec2.AuthorizeSecurityGroupIngressOutput](t)(w.EC2.AuthorizeSecurityGroupIngress(w.ctx, &awsec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(sg), IpPermissions: []types.IpPermission{tcp(443, "10.0.0.0/16")}}))
	id := aws.ToString(out.SecurityGroupRules[0].SecurityGroupRuleId)
	must[*awsec2.ModifySecurityGroupRulesOutput](t)(w.EC2.ModifySecurityGroupRules(w.ctx, &awsec2.ModifySecurityGroupRulesInput{
		GroupId: aws.String(sg), SecurityGroupRules: []types.SecurityGroupRuleUpdate{{SecurityGroupRuleId: aws.String(id),
			SecurityGroupRule: &types.SecurityGroupRuleRequest{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(8443), ToPort: aws.Int32(8443),
				ReferencedGroupId: aws.String(w.res["node"]), Description: aws.String("nodes")}}}}))
	rules := must[*awsec2.DescribeSecurityGroupRulesOutput](t)(w.EC2.DescribeSecurityGroupRules(w.ctx, &awsec2.DescribeSecurityGroupRulesInput{
		SecurityGroupRuleIds: []string{id}}))
	r := rules.SecurityGroupRules[0]
	if aws.ToInt32(r.FromPort) != 8443 || r.ReferencedGroupInfo == nil || aws.ToString(r.ReferencedGroupInfo.GroupId) != w.res["node"] ||
		aws.ToString(r.ReferencedGroupInfo.UserId) != account || aws.ToString(r.Description) != "nodes" {
		t.Fatalf("rule %+v", r)
	}
	must[*awsec2.UpdateSecurityGroupRuleDescriptionsIngressOutput](t)(w.EC2.UpdateSecurityGroupRuleDescriptionsIngress(w.ctx,
		&awsec2.UpdateSecurityGroupRuleDescriptionsIngressInput{GroupId: aws.String(sg),
			SecurityGroupRuleDescriptions: []types.SecurityGroupRuleDescription{{SecurityGroupRuleId: aws.String(id), Description: aws.String("renamed")}}}))
	if g := w.group(t, sg); aws.ToString(g.IpPermissions[0].UserIdGroupPairs[0].Description) != "renamed" {
		t.Fatalf("group %+v", g.IpPermissions)
	}
}

// §7 items 30–32.
func TestSDKTags(t *testing.T) {
	w := start(t)
	sg := w.createGroup(t, "web")
	_, err := w.EC2.CreateTags(w.ctx, &awsec2.CreateTagsInput{Resources: []string{sg}, Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}})
	wantCode(t, err, "InvalidParameterValue", 400)
	var tags []types.Tag
	for i := 0; i < 50; i++ {
		tags = append(tags, types.Tag{Key: aws.String("k" + itoa(i)), Value: aws.String("v")})
	}
	must[*awsec2.CreateTagsOutput](t)(w.EC2.CreateTags(w.ctx, &awsec2.CreateTagsInput{Resources: []string{sg}, Tags: tags}))
	_, err = w.EC2.CreateTags(w.ctx, &awsec2.CreateTagsInput{Resources: []string{sg}, Tags: []types.Tag{{Key: aws.String("k50"), Value: aws.String("v")}}})
	wantCode(t, err, "TagLimitExceeded", 400)
	must[*awsec2.CreateTagsOutput](t)(w.EC2.CreateTags(w.ctx, &awsec2.CreateTagsInput{Resources: []string{sg}, Tags: []types.Tag{{Key: aws.String("k49"), Value: aws.String("new")}}}))
	must[*awsec2.DeleteTagsOutput](t)(w.EC2.DeleteTags(w.ctx, &awsec2.DeleteTagsInput{Resources: []string{sg}, Tags: []types.Tag{{Key: aws.String("k0")}}}))
	out := must[*awsec2.DescribeTagsOutput](t)(w.EC2.DescribeTags(w.ctx, &awsec2.DescribeTagsInput{Filters: []types.Filter{
		{Name: aws.String("resource-id"), Values: []string{sg}}, {Name: aws.String("key"), Values: []string{"k0", "k49"}}}}))
	if len(out.Tags) != 1 || aws.ToString(out.Tags[0].Value) != "new" || out.Tags[0].ResourceType != types.ResourceTypeSecurityGroup {
		t.Fatalf("tags %+v", out.Tags)
	}
}

// §7 items 33–36.
func TestSDKNetworkInterfacesAndInstances(t *testing.T) {
	w := start(t)
	must[*awsec2.AssignPrivateIpAddressesOutput](t)(w.EC2.AssignPrivateIpAddresses(w.ctx, &awsec2.AssignPrivateIpAddressesInput{
		NetworkInterfaceId: aws.String(w.res["second"]), PrivateIpAddresses: []string{"10.0.2.33"}}))
	enis := must[*awsec2.DescribeNetworkInterfacesOutput](t)(w.EC2.DescribeNetworkInterfaces(w.ctx, &awsec2.DescribeNetworkInterfacesInput{
		Filters: []types.Filter{{Name: aws.String("vpc-id"), Values: []string{w.vpc}},
			{Name: aws.String("addresses.private-ip-address"), Values: []string{"10.0.2.33", "10.0.1.10"}}}}))
	if len(enis.NetworkInterfaces) != 2 {
		t.Fatalf("enis %+v", enis.NetworkInterfaces)
	}
	for _, e := range enis.NetworkInterfaces {
		if len(e.Groups) != 1 || aws.ToString(e.Groups[0].GroupName) == "" || e.Attachment == nil || e.Status != types.NetworkInterfaceStatusInUse {
			t.Fatalf("eni %+v", e)
		}
	}
	var groups []string
	for i := 0; i < 6; i++ {
		groups = append(groups, w.createGroup(t, "g"+itoa(i)))
	}
	_, err := w.EC2.ModifyNetworkInterfaceAttribute(w.ctx, &awsec2.ModifyNetworkInterfaceAttributeInput{
		NetworkInterfaceId: aws.String(w.res["loose"]), Groups: groups})
	wantCode(t, err, "SecurityGroupsPerInterfaceLimitExceeded", 400)
	must[*awsec2.ModifyNetworkInterfaceAttributeOutput](t)(w.EC2.ModifyNetworkInterfaceAttribute(w.ctx, &awsec2.ModifyNetworkInterfaceAttributeInput{
		NetworkInterfaceId: aws.String(w.res["loose"]), Groups: groups[:5]}))
	_, err = w.EC2.ModifyInstanceAttribute(w.ctx, &awsec2.ModifyInstanceAttributeInput{InstanceId: aws.String(w.res["two"]), Groups: groups[:1]})
	wantCode(t, err, "InvalidInstanceID", 400)
	must[*awsec2.ModifyInstanceAttributeOutput](t)(w.EC2.ModifyInstanceAttribute(w.ctx, &awsec2.ModifyInstanceAttributeInput{
		InstanceId: aws.String(w.res["one"]), Groups: groups[:2]}))

	_, err = w.EC2.DescribeInstances(w.ctx, &awsec2.DescribeInstancesInput{InstanceIds: []string{w.res["one"]}, MaxResults: aws.Int32(5)})
	wantCode(t, err, "InvalidParameterCombination", 400)
	_, err = w.EC2.DescribeInstances(w.ctx, &awsec2.DescribeInstancesInput{InstanceIds: []string{"i-1a2b3c4d"}})
	wantCode(t, err, "InvalidInstanceID.NotFound", 400)
	inst := must[*awsec2.DescribeInstancesOutput](t)(w.EC2.DescribeInstances(w.ctx, &awsec2.DescribeInstancesInput{InstanceIds: []string{w.res["one"]}}))
	if len(inst.Reservations) != 1 || len(inst.Reservations[0].Instances) != 1 {
		t.Fatalf("reservations %+v", inst.Reservations)
	}
	i := inst.Reservations[0].Instances[0]
	if i.State.Name != types.InstanceStateNameRunning || aws.ToInt32(i.State.Code) != 16 || aws.ToString(i.PrivateIpAddress) != "10.0.1.10" ||
		len(i.SecurityGroups) != 2 || aws.ToString(i.SecurityGroups[0].GroupId) != groups[0] || i.InstanceType != types.InstanceTypeM5Large ||
		len(i.NetworkInterfaces) != 1 || aws.ToInt32(i.NetworkInterfaces[0].Attachment.DeviceIndex) != 0 || i.LaunchTime == nil {
		t.Fatalf("instance %+v", i)
	}
}

func TestSDKAssignPodCIDRPrefix(t *testing.T) {
	w := start(t)
	eni := w.res["one-eni"]
	out := must[*awsec2.AssignPrivateIpAddressesOutput](t)(w.EC2.AssignPrivateIpAddresses(w.ctx, &awsec2.AssignPrivateIpAddressesInput{
		NetworkInterfaceId: aws.String(eni), Ipv4Prefixes: []string{"10.0.1.128/25"}}))
	if len(out.AssignedIpv4Prefixes) != 1 || aws.ToString(out.AssignedIpv4Prefixes[0].Ipv4Prefix) != "10.0.1.128/25" {
		t.Fatalf("reply %+v", out)
	}
	inst := must[*awsec2.DescribeInstancesOutput](t)(w.EC2.DescribeInstances(w.ctx, &awsec2.DescribeInstancesInput{InstanceIds: []string{w.res["one"]}}))
	if px := inst.Reservations[0].Instances[0].NetworkInterfaces[0].Ipv4Prefixes; len(px) != 1 || aws.ToString(px[0].Ipv4Prefix) != "10.0.1.128/25" {
		t.Fatalf("prefixes %+v", px)
	}
	_, err := w.EC2.AssignPrivateIpAddresses(w.ctx, &awsec2.AssignPrivateIpAddressesInput{NetworkInterfaceId: aws.String(eni), Ipv4Prefixes: []string{"10.0.1.192/26"}})
	wantCode(t, err, "PrivateIpAddressInUse", 400)
}

func TestSDKDryRun(t *testing.T) {
	w := start(t)
	_, err := w.EC2.CreateSecurityGroup(w.ctx, &awsec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("web"),
		VpcId: aws.String(w.vpc), DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperation", 412)
}

func TestSDKCreateLagAndWaiter(t *testing.T) {
	w := start(t)
	w.Server.Env().Lag.Create = 5 * time.Second
	sg := w.createGroup(t, "web")
	_, err := w.EC2.DescribeSecurityGroups(w.ctx, &awsec2.DescribeSecurityGroupsInput{GroupIds: []string{sg}})
	wantCode(t, err, "InvalidGroup.NotFound", 400)
	w.clock.Step(5 * time.Second)
	if err := awsec2.NewSecurityGroupExistsWaiter(w.EC2).Wait(w.ctx, &awsec2.DescribeSecurityGroupsInput{GroupIds: []string{sg}}, time.Minute); err != nil {
		t.Fatal(err)
	}
}

// The default seed, as emutest starts it, is what lbsg's tests build on.
func TestSDKDefaultSeed(t *testing.T) {
	env := emutest.Start(t)
	s := env.Seeded(t)
	if len(s.PublicSubnets) != 3 || len(s.PrivateSubnets) != 3 || len(s.Instances) != 3 || s.NodeSG == "" {
		t.Fatalf("seeded %+v", s)
	}
	out := must[*awsec2.DescribeSecurityGroupsOutput](t)(env.EC2.DescribeSecurityGroups(t.Context(), &awsec2.DescribeSecurityGroupsInput{
		Filters: []types.Filter{{Name: aws.String("tag:kubernetes.io/cluster/sandbox"), Values: []string{"owned"}}}}))
	if len(out.SecurityGroups) != 1 || aws.ToString(out.SecurityGroups[0].GroupId) != s.NodeSG || aws.ToString(out.SecurityGroups[0].GroupName) != "sandbox-node" {
		t.Fatalf("node groups %+v", out.SecurityGroups)
	}
}

// The seed example of doc.go loads with the emulator's strict YAML reader.
func TestDocSeedExampleLoads(t *testing.T) {
	const doc = `
vpcs:
- name: demo                      # the Name tag
  cidr: 10.0.0.0/16
  ipv6Cidr: 2600:1f14:abc:de00::/56 # optional; the default group then also allows ::/0 out
  tags: {kubernetes.io/cluster/demo: shared}
  subnets:
  - {name: public-a, az: us-west-2a, cidr: 10.0.0.0/20, tags: {kubernetes.io/role/elb: "1"}}
  securityGroups:
  - name: demo-node
    tags: {kubernetes.io/cluster/demo: owned}
    ingress: [{protocol: "-1", group: demo-node}]   # or cidr, ipv6Cidr, prefixListId; fromPort/toPort
  instances:
  - {name: node-1, subnet: public-a, securityGroups: [demo-node], instanceType: m5.large, privateIp: 10.0.0.10}
  networkInterfaces:                # standalone, or a second ENI of an instance
  - {name: extra, subnet: public-a, instance: node-1}
`
	path := t.TempDir() + "/seed.yaml"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	seed, err := emulator.LoadSeed(path)
	if err != nil {
		t.Fatal(err)
	}
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{Seed: &seed}))
	out := must[*awsec2.DescribeInstancesOutput](t)(env.EC2.DescribeInstances(t.Context(), &awsec2.DescribeInstancesInput{}))
	if len(out.Reservations) != 1 || len(out.Reservations[0].Instances[0].NetworkInterfaces) != 2 ||
		aws.ToString(out.Reservations[0].Instances[0].PrivateIpAddress) != "10.0.0.10" {
		t.Fatalf("instances %+v", out.Reservations)
	}
}
