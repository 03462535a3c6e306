package graph_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/graph"
	"github.com/lbsg/lbsg/internal/rules"
)

// world is an emulator holding one NLB the way lbsg builds it: a frontend
// SG open on 443 to the Internet and to a prefix list, the shared backend
// SG, a rule on the node SG from the backend SG, an ip target group with a
// pod IP (inside a node's delegated prefix) and an instance target group.
type world struct {
	env                     *emutest.Env
	seed                    emutest.Seeded
	front, backend, bastion string
	nodeENI, podENI         string // primary ENIs of the instance target and of the pod's node
	lbName                  string
}

func newWorld(t *testing.T) world {
	t.Helper()
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{}))
	w := world{env: env, seed: env.Seeded(t), lbName: "k8s-demo-web-0123456789"}
	ctx := t.Context()
	sg := func(name string) string {
		out, err := env.EC2.CreateSecurityGroup(ctx, &awsec2.CreateSecurityGroupInput{
			GroupName: aws.String(name), Description: aws.String(name), VpcId: aws.String(w.seed.VPCID)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.GroupId)
	}
	allow := func(group string, proto string, port int32, perm ec2types.IpPermission) {
		perm.IpProtocol, perm.FromPort, perm.ToPort = aws.String(proto), aws.Int32(port), aws.Int32(port)
		if _, err := env.EC2.AuthorizeSecurityGroupIngress(ctx, &awsec2.AuthorizeSecurityGroupIngressInput{
			GroupId: aws.String(group), IpPermissions: []ec2types.IpPermission{perm}}); err != nil {
			t.Fatal(err)
		}
	}
	w.front, w.backend, w.bastion = sg("k8s-demo-web-front"), sg("k8s-traffic-sandbox-abc"), sg("bastion")
	allow(w.front, "tcp", 443, ec2types.IpPermission{IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}})
	allow(w.front, "tcp", 443, ec2types.IpPermission{PrefixListIds: []ec2types.PrefixListId{{PrefixListId: aws.String("pl-0123abcd")}}})
	allow(w.seed.NodeSG, "tcp", 8443, ec2types.IpPermission{UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(w.backend)}}})
	allow(w.seed.NodeSG, "tcp", 30080, ec2types.IpPermission{UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(w.backend)}}})
	allow(w.seed.NodeSG, "tcp", 22, ec2types.IpPermission{UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(w.bastion)}}})

	// A pod IP in a prefix delegated to the second instance's primary ENI.
	enis, err := env.EC2.DescribeNetworkInterfaces(ctx, &awsec2.DescribeNetworkInterfacesInput{})
	if err != nil {
		t.Fatal(err)
	}
	primary := map[string]string{}
	for _, e := range enis.NetworkInterfaces {
		if e.Attachment != nil && aws.ToInt32(e.Attachment.DeviceIndex) == 0 {
			primary[aws.ToString(e.Attachment.InstanceId)] = aws.ToString(e.NetworkInterfaceId)
		}
	}
	w.nodeENI, w.podENI = primary[w.seed.Instances[0]], primary[w.seed.Instances[1]]
	assigned, err := env.EC2.AssignPrivateIpAddresses(ctx, &awsec2.AssignPrivateIpAddressesInput{
		NetworkInterfaceId: aws.String(w.podENI), Ipv4PrefixCount: aws.Int32(1)})
	if err != nil || len(assigned.AssignedIpv4Prefixes) != 1 {
		t.Fatalf("delegating a prefix: %v %+v", err, assigned)
	}
	prefix := netip.MustParsePrefix(aws.ToString(assigned.AssignedIpv4Prefixes[0].Ipv4Prefix))
	podIP := prefix.Addr().Next().Next().String()

	lb, err := env.ELBv2.CreateLoadBalancer(ctx, &awselbv2.CreateLoadBalancerInput{
		Name: aws.String(w.lbName), Type: elbv2types.LoadBalancerTypeEnumNetwork, Scheme: elbv2types.LoadBalancerSchemeEnumInternetFacing,
		Subnets: w.seed.PublicSubnets, SecurityGroups: []string{w.front, w.backend}})
	if err != nil {
		t.Fatal(err)
	}
	lbARN := lb.LoadBalancers[0].LoadBalancerArn
	tg := func(name string, typ elbv2types.TargetTypeEnum, port int32, target string) {
		out, err := env.ELBv2.CreateTargetGroup(ctx, &awselbv2.CreateTargetGroupInput{
			Name: aws.String(name), Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(port),
			TargetType: typ, VpcId: aws.String(w.seed.VPCID)})
		if err != nil {
			t.Fatal(err)
		}
		arn := out.TargetGroups[0].TargetGroupArn
		if _, err := env.ELBv2.RegisterTargets(ctx, &awselbv2.RegisterTargetsInput{TargetGroupArn: arn,
			Targets: []elbv2types.TargetDescription{{Id: aws.String(target), Port: aws.Int32(port)}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.ELBv2.CreateListener(ctx, &awselbv2.CreateListenerInput{
			LoadBalancerArn: lbARN, Protocol: elbv2types.ProtocolEnumTcp, Port: aws.Int32(port - 8000),
			DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: arn}}}); err != nil {
			t.Fatal(err)
		}
	}
	tg("k8s-demo-web-ip", elbv2types.TargetTypeEnumIp, 8443, podIP)
	tg("k8s-demo-web-inst", elbv2types.TargetTypeEnumInstance, 30080, w.seed.Instances[0])
	return w
}

func (w world) read(t *testing.T) graph.Graph {
	t.Helper()
	st, err := graph.Read(t.Context(), w.env.EC2, w.env.ELBv2, w.seed.VPCID, graph.Addons{})
	if err != nil {
		t.Fatal(err)
	}
	return graph.Build(st)
}

func TestGraphOfAnNLBFollowsClientsToTargetPorts(t *testing.T) {
	w := newWorld(t)
	g := w.read(t)
	lb := "lb:" + w.lbName
	want := []graph.Edge{
		{From: "src:0.0.0.0/0", To: w.front, Label: "tcp 443"},
		{From: "src:pl-0123abcd", To: w.front, Label: "tcp 443"},
		{From: w.front, To: lb, Label: graph.LabelGuards},
		{From: lb, To: w.backend, Label: graph.LabelCarries},
		{From: w.backend, To: w.seed.NodeSG, Label: "tcp 8443, tcp 30080"},
		{From: w.bastion, To: w.seed.NodeSG, Label: "tcp 22"},
		{From: w.seed.NodeSG, To: w.nodeENI, Label: "tcp 30080"},
		{From: w.seed.NodeSG, To: w.podENI, Label: "tcp 8443"},
	}
	for _, e := range want {
		if !slices.Contains(g.Edges, e) {
			t.Errorf("missing edge %+v\ngot %+v", e, g.Edges)
		}
	}
	kinds := map[string]graph.Kind{
		"src:0.0.0.0/0": graph.KindSource, w.bastion: graph.KindSource, w.front: graph.KindFrontendSG,
		lb: graph.KindLoadBalancer, w.backend: graph.KindBackendSG, w.seed.NodeSG: graph.KindTargetSG, w.podENI: graph.KindTarget,
	}
	for id, k := range kinds {
		n, ok := g.Node(id)
		if !ok || n.Kind != k {
			t.Errorf("node %s: %+v (found %v), want kind %v", id, n, ok, k)
		}
	}
	if n, _ := g.Node(lb); !slices.Contains(n.Label, "listens TCP:443 TCP:22080") {
		t.Errorf("load balancer label %q lacks its listeners", n.Label)
	}
	// Every edge joins two nodes of the graph.
	for _, e := range g.Edges {
		if _, ok := g.Node(e.From); !ok {
			t.Errorf("edge from unknown node %+v", e)
		}
		if _, ok := g.Node(e.To); !ok {
			t.Errorf("edge to unknown node %+v", e)
		}
	}
}

func TestGraphLeavesOutGroupsThatGuardNothing(t *testing.T) {
	w := newWorld(t)
	out, err := w.env.EC2.CreateSecurityGroup(t.Context(), &awsec2.CreateSecurityGroupInput{
		GroupName: aws.String("orphan"), Description: aws.String("orphan"), VpcId: aws.String(w.seed.VPCID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.read(t).Node(aws.ToString(out.GroupId)); ok {
		t.Fatal("an SG on no load balancer or interface, and source of no rule, was drawn")
	}
}

func TestBuildManagedSGAsSourceWhenBackendSGIsOff(t *testing.T) {
	// --enable-backend-security-group=false: the frontend SG is both the
	// clients' gate and the source of the node rule.
	st := graph.State{
		SecurityGroups: []graph.SecurityGroup{
			{ID: "sg-front", Ingress: []rules.Key{rules.MustKey("tcp", 80, 80, "10.0.0.0/8")}},
			{ID: "sg-node", Ingress: []rules.Key{rules.MustKey("tcp", 30000, 30001, "sg-front"), rules.MustKey("-1", 0, 0, "sg-node")}},
		},
		LoadBalancers: []graph.LoadBalancer{{Name: "nlb", SecurityGroups: []string{"sg-front"}, EIPs: []string{"subnet-1=eipalloc-1"}}},
		ENIs:          []graph.ENI{{ID: "eni-1", Groups: []string{"sg-node"}}, {ID: "eni-lb", Description: "ELB net/nlb/1", Groups: []string{"sg-front"}}},
	}
	g := graph.Build(st)
	if n, _ := g.Node("lb:nlb"); !slices.Contains(n.Label, "EIPs subnet-1=eipalloc-1") {
		t.Errorf("load balancer label %q lacks its EIPs", n.Label)
	}
	for _, e := range []graph.Edge{
		{From: "src:10.0.0.0/8", To: "sg-front", Label: "tcp 80"},
		{From: "sg-front", To: "lb:nlb", Label: graph.LabelGuards},
		{From: "sg-front", To: "sg-node", Label: "tcp 30000-30001"},
		{From: "sg-node", To: "sg-node", Label: "all traffic"},
		{From: "sg-node", To: "eni-1"},
	} {
		if !slices.Contains(g.Edges, e) {
			t.Errorf("missing edge %+v in %+v", e, g.Edges)
		}
	}
	if _, ok := g.Node("eni-lb"); ok {
		t.Error("the load balancer's own interface was drawn as a target")
	}
}

var dotEdge = regexp.MustCompile(`^\s*"((?:[^"\\]|\\.)*)" -> "((?:[^"\\]|\\.)*)"(?: \[label="((?:[^"\\]|\\.)*)"\])?;$`)

func TestDOTHasOneStatementPerEdge(t *testing.T) {
	w := newWorld(t)
	g := w.read(t)
	var buf bytes.Buffer
	if err := graph.DOT(&buf, g); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	if !strings.HasPrefix(text, "digraph reachability {\n") || !strings.HasSuffix(text, "}\n") {
		t.Fatalf("not a digraph:\n%s", text)
	}
	var got []graph.Edge
	for _, line := range strings.Split(text, "\n") {
		if m := dotEdge.FindStringSubmatch(line); m != nil {
			got = append(got, graph.Edge{From: m[1], To: m[2], Label: m[3]})
		} else if strings.Contains(line, "->") {
			t.Errorf("edge line DOT parse failed: %q", line)
		}
	}
	if !slices.Equal(got, g.Edges) {
		t.Fatalf("DOT edges\n%+v\nwant\n%+v", got, g.Edges)
	}
	for _, n := range g.Nodes {
		if !strings.Contains(text, `"`+n.ID+`" [label="`+strings.Join(n.Label, `\n`)+`"`) {
			t.Errorf("node %s not declared with its label", n.ID)
		}
	}
}

func TestSVGIsWellFormedAndShowsEveryLabel(t *testing.T) {
	w := newWorld(t)
	g := w.read(t)
	var buf bytes.Buffer
	if err := graph.SVG(&buf, g); err != nil {
		t.Fatal(err)
	}
	texts := svgTexts(t, buf.Bytes())
	for _, n := range g.Nodes {
		for _, l := range n.Label {
			if !slices.Contains(texts, l) {
				t.Errorf("SVG lacks label %q of node %s", l, n.ID)
			}
		}
	}
	for _, e := range g.Edges {
		if e.Label != "" && !slices.Contains(texts, e.Label) {
			t.Errorf("SVG lacks edge label %q", e.Label)
		}
	}
}

func TestSVGOfAnEmptyVPCSaysSo(t *testing.T) {
	var buf bytes.Buffer
	if err := graph.SVG(&buf, graph.Build(graph.State{})); err != nil {
		t.Fatal(err)
	}
	if texts := svgTexts(t, buf.Bytes()); !slices.ContainsFunc(texts, func(s string) bool { return strings.HasPrefix(s, "nothing reachable") }) {
		t.Fatalf("empty graph texts %q", texts)
	}
}

// svgTexts checks that doc is well-formed XML with an <svg> root and
// returns the content of its <text> elements.
func svgTexts(t *testing.T, doc []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var texts []string
	var cur *strings.Builder
	root := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v\n%s", err, doc)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tk.Name.Space + " " + tk.Name.Local
			}
			if tk.Name.Local == "text" {
				cur = &strings.Builder{}
			}
		case xml.CharData:
			if cur != nil {
				cur.Write(tk)
			}
		case xml.EndElement:
			if tk.Name.Local == "text" && cur != nil {
				texts = append(texts, cur.String())
				cur = nil
			}
		}
	}
	if root != "http://www.w3.org/2000/svg svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	return texts
}

func TestALoadBalancerLabelShowsItsTLSListenersCertificatesAndPolicy(t *testing.T) {
	g := graph.Build(graph.State{LoadBalancers: []graph.LoadBalancer{{ARN: "arn:lb", Name: "tls", Type: "network", Scheme: "internal",
		Listeners: []graph.Listener{
			{Protocol: "TLS", Port: 443, SSLPolicy: "ELBSecurityPolicy-2016-08",
				Certificates: []string{"arn:aws:acm:us-west-2:123456789012:certificate/a", "arn:aws:acm:us-west-2:123456789012:certificate/b"}},
			{Protocol: "TCP", Port: 80},
		}}}})
	n, ok := g.Node("lb:tls")
	if !ok {
		t.Fatalf("no load balancer node in %+v", g)
	}
	for _, want := range []string{"listens TCP:80 TLS:443", "certificates 443: a,b ELBSecurityPolicy-2016-08"} {
		if !slices.Contains(n.Label, want) {
			t.Errorf("label %q lacks %q", n.Label, want)
		}
	}
}

func TestGraphShowsAFrontendNLBForwardingToItsALB(t *testing.T) {
	g := graph.Build(graph.State{LoadBalancers: []graph.LoadBalancer{
		{ARN: "arn:alb", Name: "web", Type: "application"},
		{ARN: "arn:nlb", Name: "web-nlb", Type: "network", TargetGroups: []graph.TargetGroup{
			{Name: "front", Protocol: "TCP", TargetType: "alb", Port: 8443, Targets: []graph.Target{{ID: "arn:alb", Port: 443}}}}},
	}})
	if !slices.Contains(g.Edges, graph.Edge{From: "lb:web-nlb", To: "lb:web", Label: graph.LabelFronts + " 443"}) {
		t.Errorf("edges %+v", g.Edges)
	}
}

func TestGraphDrawsGatewaysListenersRoutesTargetGroupsAndTheirNodeSGs(t *testing.T) {
	st := graph.State{
		SecurityGroups: []graph.SecurityGroup{
			{ID: "sg-front", Ingress: []rules.Key{rules.MustKey("tcp", 80, 80, "0.0.0.0/0")}},
			{ID: "sg-back"},
			{ID: "sg-node", Ingress: []rules.Key{rules.MustKey("tcp", 30080, 30080, "sg-back")}},
		},
		LoadBalancers: []graph.LoadBalancer{{Name: "k8s-shop-webgw", Type: "application", SecurityGroups: []string{"sg-front", "sg-back"},
			Listeners: []graph.Listener{{Protocol: "HTTP", Port: 80}},
			TargetGroups: []graph.TargetGroup{{Name: "k8s-shop-web-1", Protocol: "HTTP", TargetType: "instance", Port: 30080,
				Targets: []graph.Target{{ID: "i-1"}}}}}},
		ENIs: []graph.ENI{{ID: "eni-1", InstanceID: "i-1", Groups: []string{"sg-node"}}},
		Gateways: []graph.Gateway{
			{Namespace: "shop", Name: "web-gw", LoadBalancer: "k8s-shop-webgw", Listeners: []graph.GatewayListener{
				{Name: "http", Protocol: "HTTP", Port: 80, Routes: []graph.GatewayRoute{{Kind: "HTTPRoute", Namespace: "shop", Name: "web",
					Backends: []graph.GatewayBackend{{Service: "shop/web:80", Weight: 1, TargetGroup: "k8s-shop-web-1"}}}}},
				{Name: "bad", Protocol: "UDP", Port: 53, Problem: "protocol UDP is not served by gateway.k8s.aws/alb"},
			}},
			{Namespace: "shop", Name: "held", Error: "LoadBalancerConfiguration shop/x not found"},
		},
	}
	g := graph.Build(st)
	for _, e := range []graph.Edge{
		{From: "lb:k8s-shop-webgw", To: "gw:shop/web-gw", Label: graph.LabelServes},
		{From: "gw:shop/web-gw", To: "gw:shop/web-gw/http"},
		{From: "gw:shop/web-gw", To: "gw:shop/web-gw/bad"},
		{From: "gw:shop/web-gw/http", To: "route:HTTPRoute/shop/web"},
		{From: "route:HTTPRoute/shop/web", To: "tg:k8s-shop-web-1", Label: "weight 1"},
		{From: "tg:k8s-shop-web-1", To: "sg-node", Label: "tcp 30080"},
		{From: "sg-node", To: "eni-1", Label: "tcp 30080"},
	} {
		if !slices.Contains(g.Edges, e) {
			t.Errorf("missing edge %+v in %+v", e, g.Edges)
		}
	}
	for id, want := range map[string]struct {
		kind  graph.Kind
		label []string
	}{
		"gw:shop/web-gw":           {graph.KindGateway, []string{"gateway shop/web-gw"}},
		"gw:shop/web-gw/http":      {graph.KindListener, []string{"listener http", "HTTP:80"}},
		"gw:shop/web-gw/bad":       {graph.KindListener, []string{"listener bad", "UDP:53", "invalid: protocol UDP is not served by gateway.k8s.aws/alb"}},
		"route:HTTPRoute/shop/web": {graph.KindRoute, []string{"HTTPRoute shop/web"}},
		"tg:k8s-shop-web-1":        {graph.KindBackend, []string{"service shop/web:80", "target group k8s-shop-web-1"}},
		"gw:shop/held":             {graph.KindGateway, []string{"gateway shop/held", "not built: LoadBalancerConfiguration shop/x not found"}},
	} {
		n, ok := g.Node(id)
		if !ok || n.Kind != want.kind || !slices.Equal(n.Label, want.label) {
			t.Errorf("node %s: %+v (present %v), want kind %s label %q", id, n, ok, want.kind, want.label)
		}
	}
	var buf bytes.Buffer
	if err := graph.SVG(&buf, g); err != nil {
		t.Fatal(err)
	}
	texts := svgTexts(t, buf.Bytes())
	for _, title := range []string{"gateways", "listeners", "routes", "services / target groups"} {
		if !slices.Contains(texts, title) {
			t.Errorf("SVG lacks column %q", title)
		}
	}
}

func TestSVGOfAVPCWithoutGatewaysDrawsNoGatewayColumns(t *testing.T) {
	g := graph.Build(graph.State{
		SecurityGroups: []graph.SecurityGroup{{ID: "sg-front", Ingress: []rules.Key{rules.MustKey("tcp", 80, 80, "0.0.0.0/0")}}},
		LoadBalancers:  []graph.LoadBalancer{{Name: "nlb", SecurityGroups: []string{"sg-front"}}},
	})
	var buf bytes.Buffer
	if err := graph.SVG(&buf, g); err != nil {
		t.Fatal(err)
	}
	if texts := svgTexts(t, buf.Bytes()); slices.Contains(texts, "gateways") || slices.Contains(texts, "routes") {
		t.Errorf("empty Gateway columns are drawn: %q", texts)
	}
}
