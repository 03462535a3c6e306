package lbcdiff

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// snapshot is a world's AWS state and Kubernetes status as sorted lines
// "<owner> <what>: <value>", IDs, ARNs and DNS names replaced by labels
// derived from names and ownership tags, so that two worlds compare.
type snapshot struct {
	lines []string
}

// uidHash is the 10-hex suffix of target-group names; LBC derives it from
// the backend Service's UID (and the target group's settings), so it
// differs between worlds.
var uidHash = regexp.MustCompile(`^(k8s-.*-)[0-9a-f]{10}$`)

func stackTag(tags map[string]string) string {
	for _, k := range []string{"service.k8s.aws/stack", "ingress.k8s.aws/stack"} {
		if v, ok := tags[k]; ok {
			return v
		}
	}
	return ""
}

func take(ctx context.Context, wd *world) (*snapshot, error) {
	label := map[string]string{} // ID, ARN or DNS name -> label
	var lines []string
	add := func(owner, what string, v any) {
		var s string
		switch v := v.(type) {
		case string:
			s = v
		default:
			b, _ := json.Marshal(v)
			s = string(b)
		}
		lines = append(lines, owner+" "+what+": "+s)
	}

	// EC2: the VPC, subnets, instances, security groups.
	label[wd.w.AWS.VPCID] = "vpc"
	subnets, err := wd.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil {
		return nil, err
	}
	for _, s := range subnets.Subnets {
		label[aws.ToString(s.SubnetId)] = "subnet[" + aws.ToString(s.CidrBlock) + "]"
	}
	eips, err := wd.ec2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	if err != nil {
		return nil, err
	}
	for _, a := range eips.Addresses {
		for _, t := range a.Tags {
			if aws.ToString(t.Key) == "Name" {
				label[aws.ToString(a.AllocationId)] = "eip[" + aws.ToString(t.Value) + "]"
			}
		}
	}
	inst, err := wd.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil {
		return nil, err
	}
	for _, r := range inst.Reservations {
		for _, in := range r.Instances {
			label[aws.ToString(in.InstanceId)] = "instance[" + aws.ToString(in.PrivateIpAddress) + "]"
			for _, n := range in.NetworkInterfaces {
				label[aws.ToString(n.NetworkInterfaceId)] = "eni[" + aws.ToString(in.PrivateIpAddress) + "]"
			}
		}
	}
	sgs, err := wd.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{wd.w.AWS.VPCID}}}})
	if err != nil {
		return nil, err
	}
	for _, g := range sgs.SecurityGroups {
		tags := ec2Tags(g.Tags)
		l := "sg[" + aws.ToString(g.GroupName) + "]"
		switch {
		case tags["elbv2.k8s.aws/resource"] == "backend-sg":
			l = "sg[backend]"
		case stackTag(tags) != "":
			l = "sg[frontend " + stackTag(tags) + "]"
		}
		label[aws.ToString(g.GroupId)] = l
	}

	// ELBv2: load balancers, listeners, rules, target groups.
	lbs, err := wd.elb.DescribeLoadBalancers(ctx, &elasticloadbalancingv2.DescribeLoadBalancersInput{})
	if err != nil {
		return nil, err
	}
	if lbs.NextMarker != nil {
		return nil, fmt.Errorf("more load balancers than one page")
	}
	tgs, err := wd.elb.DescribeTargetGroups(ctx, &elasticloadbalancingv2.DescribeTargetGroupsInput{})
	if err != nil {
		return nil, err
	}
	if tgs.NextMarker != nil {
		return nil, fmt.Errorf("more target groups than one page")
	}
	var arns []string
	for _, lb := range lbs.LoadBalancers {
		arns = append(arns, aws.ToString(lb.LoadBalancerArn))
	}
	for _, tg := range tgs.TargetGroups {
		arns = append(arns, aws.ToString(tg.TargetGroupArn))
	}
	elbTags := map[string]map[string]string{}
	for chunk := range slices.Chunk(arns, 20) {
		out, err := wd.elb.DescribeTags(ctx, &elasticloadbalancingv2.DescribeTagsInput{ResourceArns: chunk})
		if err != nil {
			return nil, err
		}
		for _, d := range out.TagDescriptions {
			m := map[string]string{}
			for _, t := range d.Tags {
				m[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			elbTags[aws.ToString(d.ResourceArn)] = m
		}
	}
	for _, lb := range lbs.LoadBalancers {
		arn := aws.ToString(lb.LoadBalancerArn)
		l := "lb[" + stackTag(elbTags[arn]) + "]"
		if elbTags[arn]["ingress.k8s.aws/resource"] == "FrontendNlb" {
			l = "lb[" + stackTag(elbTags[arn]) + " frontend]" // an Ingress stack's second load balancer
		}
		if stackTag(elbTags[arn]) == "" {
			l = "lb[" + aws.ToString(lb.LoadBalancerName) + "]"
		}
		label[arn] = l
		label[aws.ToString(lb.DNSName)] = l + ".dns"
	}
	for _, tg := range tgs.TargetGroups {
		arn := aws.ToString(tg.TargetGroupArn)
		t := elbTags[arn]
		l := "tg[" + t["service.k8s.aws/resource"] + t["ingress.k8s.aws/resource"] + " " + stackTag(t) + "]"
		if stackTag(t) == "" {
			l = "tg[" + aws.ToString(tg.TargetGroupName) + "]"
		}
		label[arn] = l
	}

	// Now the lines.
	for _, g := range sgs.SecurityGroups {
		l := label[aws.ToString(g.GroupId)]
		add(l, "name", uidName(ctx, wd, ec2Tags(g.Tags)["service.k8s.aws/stack"], aws.ToString(g.GroupName),
			"k8s-<ns>-<name>-<sha256(cluster, name, namespace, UID)>", wd.w.AWS.ClusterName, svcName(g.Tags), svcNamespace(g.Tags), "UID"))
		add(l, "description", aws.ToString(g.Description))
		for k, v := range ec2Tags(g.Tags) {
			add(l, "tag "+k, v)
		}
		for _, p := range g.IpPermissions {
			for _, r := range permissionLines(p) {
				add(l, "ingress", r)
			}
		}
		for _, p := range g.IpPermissionsEgress {
			for _, r := range permissionLines(p) {
				add(l, "egress", r)
			}
		}
	}
	for _, lb := range lbs.LoadBalancers {
		arn := aws.ToString(lb.LoadBalancerArn)
		l := label[arn]
		add(l, "name", uidName(ctx, wd, elbTags[arn]["service.k8s.aws/stack"], aws.ToString(lb.LoadBalancerName),
			"k8s-<ns>-<name>-<sha256(cluster, UID, scheme)>", wd.w.AWS.ClusterName, "UID", string(lb.Scheme)))
		add(l, "type", string(lb.Type))
		add(l, "scheme", string(lb.Scheme))
		add(l, "ip address type", string(lb.IpAddressType))
		var zones []string
		for _, z := range lb.AvailabilityZones {
			zone := aws.ToString(z.ZoneName) + " " + aws.ToString(z.SubnetId)
			for _, a := range z.LoadBalancerAddresses {
				if id := aws.ToString(a.AllocationId); id != "" {
					zone += " " + cmp.Or(label[id], id)
				}
			}
			zones = append(zones, zone)
		}
		sort.Strings(zones)
		add(l, "subnets", strings.Join(zones, ", "))
		add(l, "security groups", sortedLabels(label, lb.SecurityGroups))
		add(l, "enforce inbound rules on PrivateLink", aws.ToString(lb.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic))
		if res, err := wd.elb.DescribeCapacityReservation(ctx, &elasticloadbalancingv2.DescribeCapacityReservationInput{LoadBalancerArn: lb.LoadBalancerArn}); err != nil {
			return nil, err
		} else if res.MinimumLoadBalancerCapacity != nil {
			add(l, "capacity reservation", fmt.Sprint(aws.ToInt32(res.MinimumLoadBalancerCapacity.CapacityUnits)))
		}
		for k, v := range elbTags[arn] {
			add(l, "tag "+k, v)
		}
		attrs, err := wd.elb.DescribeLoadBalancerAttributes(ctx, &elasticloadbalancingv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: lb.LoadBalancerArn})
		if err != nil {
			return nil, err
		}
		for _, a := range attrs.Attributes {
			add(l, "attribute "+aws.ToString(a.Key), aws.ToString(a.Value))
		}
		ls, err := wd.elb.DescribeListeners(ctx, &elasticloadbalancingv2.DescribeListenersInput{LoadBalancerArn: lb.LoadBalancerArn})
		if err != nil {
			return nil, err
		}
		for _, li := range ls.Listeners {
			ll := fmt.Sprintf("%s.listener[%d]", l, aws.ToInt32(li.Port))
			label[aws.ToString(li.ListenerArn)] = ll
			add(ll, "protocol", string(li.Protocol))
			add(ll, "ssl policy", aws.ToString(li.SslPolicy))
			add(ll, "certificates", li.Certificates)
			add(ll, "alpn", li.AlpnPolicy)
			if li.Protocol == elbv2types.ProtocolEnumHttps || li.Protocol == elbv2types.ProtocolEnumTls {
				certs, err := wd.elb.DescribeListenerCertificates(ctx, &elasticloadbalancingv2.DescribeListenerCertificatesInput{ListenerArn: li.ListenerArn})
				if err != nil {
					return nil, err
				}
				var list []string
				for _, c := range certs.Certificates {
					list = append(list, fmt.Sprintf("%s default=%v", aws.ToString(c.CertificateArn), aws.ToBool(c.IsDefault)))
				}
				slices.Sort(list)
				add(ll, "certificate list", list)
			}
			add(ll, "default actions", normActions(li.DefaultActions))
			lattrs, err := wd.elb.DescribeListenerAttributes(ctx, &elasticloadbalancingv2.DescribeListenerAttributesInput{ListenerArn: li.ListenerArn})
			if err != nil {
				return nil, err
			}
			for _, a := range lattrs.Attributes {
				add(ll, "attribute "+aws.ToString(a.Key), aws.ToString(a.Value))
			}
			rules, err := wd.elb.DescribeRules(ctx, &elasticloadbalancingv2.DescribeRulesInput{ListenerArn: li.ListenerArn})
			if err != nil {
				return nil, err
			}
			for _, r := range rules.Rules {
				if aws.ToBool(r.IsDefault) {
					continue
				}
				rl := ll + ".rule[" + aws.ToString(r.Priority) + "]"
				add(rl, "conditions", normConditions(r.Conditions))
				add(rl, "actions", normActions(r.Actions))
				if len(r.Transforms) > 0 {
					add(rl, "transforms", normTransforms(r.Transforms))
				}
			}
		}
	}
	for _, tg := range tgs.TargetGroups {
		arn := aws.ToString(tg.TargetGroupArn)
		l := label[arn]
		name := aws.ToString(tg.TargetGroupName)
		if m := uidHash.FindStringSubmatch(name); m != nil {
			name = m[1] + "<hash>"
		}
		add(l, "name", name)
		add(l, "protocol", string(tg.Protocol)+" "+aws.ToString(tg.ProtocolVersion))
		add(l, "port", fmt.Sprint(aws.ToInt32(tg.Port)))
		add(l, "target type", string(tg.TargetType))
		add(l, "ip address type", string(tg.IpAddressType))
		add(l, "health check", fmt.Sprintf("%s port=%s path=%s interval=%d timeout=%d healthy=%d unhealthy=%d matcher=%s enabled=%v",
			tg.HealthCheckProtocol, aws.ToString(tg.HealthCheckPort), aws.ToString(tg.HealthCheckPath),
			aws.ToInt32(tg.HealthCheckIntervalSeconds), aws.ToInt32(tg.HealthCheckTimeoutSeconds),
			aws.ToInt32(tg.HealthyThresholdCount), aws.ToInt32(tg.UnhealthyThresholdCount), matcher(tg.Matcher), aws.ToBool(tg.HealthCheckEnabled)))
		add(l, "load balancers", sortedLabels(label, tg.LoadBalancerArns))
		for k, v := range elbTags[arn] {
			add(l, "tag "+k, v)
		}
		attrs, err := wd.elb.DescribeTargetGroupAttributes(ctx, &elasticloadbalancingv2.DescribeTargetGroupAttributesInput{TargetGroupArn: tg.TargetGroupArn})
		if err != nil {
			return nil, err
		}
		for _, a := range attrs.Attributes {
			add(l, "attribute "+aws.ToString(a.Key), aws.ToString(a.Value))
		}
		h, err := wd.elb.DescribeTargetHealth(ctx, &elasticloadbalancingv2.DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn})
		if err != nil {
			return nil, err
		}
		if tg.TargetType == elbv2types.TargetTypeEnumIp {
			// Pod addresses differ between worlds: count them per port
			// (and QUIC server ID).
			ports := map[string]int{}
			for _, d := range h.TargetHealthDescriptions {
				k := fmt.Sprintf("ip targets on port %d", aws.ToInt32(d.Target.Port))
				if id := aws.ToString(d.Target.QuicServerId); id != "" {
					k += " with QUIC server ID " + id
				}
				ports[k]++
			}
			for k, n := range ports {
				add(l, k, fmt.Sprint(n))
			}
			continue
		}
		for _, d := range h.TargetHealthDescriptions {
			// A draining target is deregistered already; whether one is
			// still draining depends on whether a controller registered
			// the node before it was excluded (a race, not an outcome).
			if d.TargetHealth != nil && d.TargetHealth.State == elbv2types.TargetHealthStateEnumDraining {
				continue
			}
			add(l, "target", fmt.Sprintf("%s:%d", aws.ToString(d.Target.Id), aws.ToInt32(d.Target.Port)))
		}
	}

	// Kubernetes status.
	nss, err := wd.kube.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, ns := range nss.Items {
		svcs, err := wd.kube.CoreV1().Services(ns.Name).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, s := range svcs.Items {
			for _, in := range s.Status.LoadBalancer.Ingress {
				add("service["+ns.Name+"/"+s.Name+"]", "status hostname", in.Hostname)
			}
		}
		ings, err := wd.kube.NetworkingV1().Ingresses(ns.Name).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, i := range ings.Items {
			for _, in := range i.Status.LoadBalancer.Ingress {
				add("ingress["+ns.Name+"/"+i.Name+"]", "status hostname", in.Hostname)
			}
		}
		// Multi-cluster target groups: the record of this cluster's
		// targets (LBC's ConfigMap per target group; its list is a set).
		cms, err := wd.kube.CoreV1().ConfigMaps(ns.Name).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, cm := range cms.Items {
			tg, ok := strings.CutPrefix(cm.Name, "aws-lbc-targets-")
			if !ok {
				continue
			}
			if m := uidHash.FindStringSubmatch(tg); m != nil {
				tg = m[1] + "<hash>"
			}
			targets := strings.Split(cm.Data["targets"], ",")
			sort.Strings(targets)
			add("configmap["+ns.Name+"/aws-lbc-targets-"+tg+"]", "targets", strings.Join(targets, ","))
		}
	}

	// Replace IDs, ARNs and DNS names, longest first.
	keys := make([]string, 0, len(label))
	for k := range label {
		if k != "" {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, k, label[k])
	}
	r := strings.NewReplacer(pairs...)
	for i := range lines {
		lines[i] = r.Replace(lines[i])
	}
	sort.Strings(lines)
	return &snapshot{lines: slices.Compact(lines)}, nil
}

// lbcName is LBC's name for a thing of a Service: k8s-<ns>-<name>-<hash>,
// the hash a SHA-256 of parts (with the Service's UID in place of "UID").
func lbcName(ns, name string, uid types.UID, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		if p == "UID" {
			p = string(uid)
		}
		_, _ = h.Write([]byte(p))
	}
	clean := regexp.MustCompile(`[[:^alnum:]]`)
	return fmt.Sprintf("k8s-%.8s-%.8s-%.10s", clean.ReplaceAllString(ns, ""), clean.ReplaceAllString(name, ""), hex.EncodeToString(h.Sum(nil)))
}

// uidName renders the name of a Service's load balancer or security group
// as LBC's formula when it follows it (UIDs differ between worlds, so the
// names do too), else as it is. stack is the Service's ns/name.
func uidName(ctx context.Context, wd *world, stack, name, formula string, parts ...string) string {
	ns, svcName, ok := strings.Cut(stack, "/")
	if !ok {
		return name
	}
	svc, err := wd.kube.CoreV1().Services(ns).Get(ctx, svcName, metav1.GetOptions{})
	if err != nil || name != lbcName(ns, svcName, svc.UID, parts...) {
		return name
	}
	return formula
}

func svcName(ts []ec2types.Tag) string {
	_, n, _ := strings.Cut(ec2Tags(ts)["service.k8s.aws/stack"], "/")
	return n
}

func svcNamespace(ts []ec2types.Tag) string {
	ns, _, _ := strings.Cut(ec2Tags(ts)["service.k8s.aws/stack"], "/")
	return ns
}

func ec2Tags(ts []ec2types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func sortedLabels(label map[string]string, s []string) string {
	c := make([]string, len(s))
	for i, v := range s {
		c[i] = label[v]
		if c[i] == "" {
			c[i] = v
		}
	}
	sort.Strings(c)
	return strings.Join(c, ", ")
}

func matcher(m *elbv2types.Matcher) string {
	if m == nil {
		return ""
	}
	return aws.ToString(m.HttpCode) + aws.ToString(m.GrpcCode)
}

// permissionLines flattens a permission to one line per peer.
func permissionLines(p ec2types.IpPermission) []string {
	ports := fmt.Sprintf("%s %d-%d", aws.ToString(p.IpProtocol), aws.ToInt32(p.FromPort), aws.ToInt32(p.ToPort))
	var out []string
	for _, r := range p.IpRanges {
		out = append(out, fmt.Sprintf("%s from %s desc=%q", ports, aws.ToString(r.CidrIp), aws.ToString(r.Description)))
	}
	for _, r := range p.Ipv6Ranges {
		out = append(out, fmt.Sprintf("%s from %s desc=%q", ports, aws.ToString(r.CidrIpv6), aws.ToString(r.Description)))
	}
	for _, r := range p.UserIdGroupPairs {
		out = append(out, fmt.Sprintf("%s from %s desc=%q", ports, aws.ToString(r.GroupId), aws.ToString(r.Description)))
	}
	for _, r := range p.PrefixListIds {
		out = append(out, fmt.Sprintf("%s from %s desc=%q", ports, aws.ToString(r.PrefixListId), aws.ToString(r.Description)))
	}
	return out
}

// normActions renders actions without the order of the lists inside them.
func normActions(as []elbv2types.Action) string {
	b, _ := json.Marshal(as)
	return string(b)
}

// normTransforms renders transforms sorted by type (AWS allows one of each).
func normTransforms(ts []elbv2types.RuleTransform) string {
	sort.Slice(ts, func(i, j int) bool { return ts[i].Type < ts[j].Type })
	b, _ := json.Marshal(ts)
	return string(b)
}

func normConditions(cs []elbv2types.RuleCondition) string {
	sort.Slice(cs, func(i, j int) bool { return aws.ToString(cs[i].Field) < aws.ToString(cs[j].Field) })
	b, _ := json.Marshal(cs)
	return string(b)
}
