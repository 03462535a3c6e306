package controller_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2 "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/lbsg/lbsg/internal/emulator/emutest"
	"github.com/lbsg/lbsg/internal/lbcsource"
	"github.com/lbsg/lbsg/internal/naming"
	"github.com/lbsg/lbsg/internal/testenv"
)

// docExample is what lbsg does with one fenced YAML block of LBC's
// docs/guide/gateway/*.md, keyed "page.md:line" (the line of the opening
// fence). The zero value means: applied as written, every Gateway is
// Programmed with an address, every GatewayClass of lbsg's is Accepted,
// every route is Accepted with its references resolved on each Gateway it
// names.
type docExample struct {
	// skip says why the block is not applied: a fragment, or an example
	// that cannot be applied or converge anywhere as written.
	skip string
	// with names blocks this one builds on ("page.md:line"): their objects
	// are applied too, but those this block defines again (it updates
	// them).
	with []string
	// refused: the Gateway is refused (Accepted False, InvalidParameters)
	// with a message naming each of these fields; nothing is created.
	refused []string
	// routeRefused: each route is refused on its Gateway (Accepted False,
	// UnsupportedValue, or routeReason) with a message naming each of
	// these; the Gateway itself is Programmed.
	routeRefused []string
	routeReason  string
	// failed: the Gateway is not Programmed and gets a Warning event
	// containing this (an AWS refusal of the example's own values).
	failed string
	// unresolved: routes are Accepted but their backends do not resolve
	// (ResolvedRefs False with this reason).
	unresolved string
	// invalid: the Gateway is not accepted (Accepted False, Invalid) with
	// a message containing this: the example breaks a rule of LBC's.
	invalid string
	// rejected: the apiserver refuses an object of the example with an
	// error containing this (the example is invalid as written).
	rejected string
	// docError: the refusal comes from an error of LBC's example (it
	// names what it does not define), not from a field lbsg lacks; for
	// the summary only.
	docError bool
	// verify names checks of docChecks run on each converged Gateway's
	// load balancer: the emulator holds what the example is about.
	verify []string
}

// lbcGatewayDocExamples is every YAML block of LBC v3.6.2's Gateway guide.
// A block missing here, or an entry matching no block, fails the test.
var lbcGatewayDocExamples = map[string]docExample{
	"customization.md:15":  {},
	"customization.md:33":  {skip: "fragment: the Gateway's listeners are elided (...)"},
	"customization.md:53":  {with: []string{"customization.md:15"}},
	"customization.md:108": {},
	"customization.md:131": {},
	"customization.md:197": {with: []string{"gateway_chaining.md:30"}, verify: []string{"sourceIP"}},
	// The route names port 90 of a Gateway listening on 80 and 443.
	"customization.md:241": {with: []string{"gateway_chaining.md:30"}, routeRefused: []string{"No listener"}, routeReason: "NoMatchingParent", docError: true},

	"gateway.md:100": {skip: "the TCPRoute of l4gateway.md:46 alone, to show a missing Service"},
	"gateway.md:125": {skip: "the HTTPRoute of gateway_chaining.md:30 with another Service, alone, to show a missing Service"},
	"gateway.md:158": {skip: "names a Gateway nlb-gw and a target group test-gw-import123 that no example defines"},
	"gateway.md:202": {skip: "fragment: a listener"},

	"gateway_chaining.md:30": {},
	// Gateway chaining: the TCPRoutes' backendRefs of kind Gateway resolve
	// to the ALB Gateway of gateway_chaining.md:30 (alb target groups on 80
	// and 443, checked as the TargetGroupConfiguration of kind Gateway says).
	"gateway_chaining.md:105": {with: []string{"gateway_chaining.md:30"}},
	"gateway_chaining.md:224": {skip: "the TargetGroupConfiguration of gateway_chaining.md:105 again"},
	"gateway_chaining.md:257": {},

	"l4gateway.md:46":  {},
	"l4gateway.md:109": {},
	"l4gateway.md:153": {with: []string{"l4gateway.md:109"}},
	"l4gateway.md:170": {},

	"l7gateway.md:41":  {},
	"l7gateway.md:213": {skip: "fragment: route filters"},
	"l7gateway.md:228": {skip: "fragment: route filters"},
	// The Gateway names test-gw-lbconfig-1; the block defines example-config.
	"l7gateway.md:254": {refused: []string{"test-gw-lbconfig-1 not found"}, docError: true},
	"l7gateway.md:315": {skip: "a route for Gateway my-http-gateway, which no example defines"},
	"l7gateway.md:359": {skip: "a route for Gateway my-http-gateway, which no example defines"},

	// A ListenerRuleConfiguration alone is applied through an HTTPRoute of
	// a probe ALB naming it (with the RequestRedirect filter a redirect
	// configuration completes; on an HTTPS listener for authentication).
	"listenerruleconfig.md:9":   {verify: []string{"stickyForward"}},
	"listenerruleconfig.md:32":  {verify: []string{"redirectQuery"}},
	"listenerruleconfig.md:51":  {verify: []string{"fixedResponse"}},
	"listenerruleconfig.md:72":  {rejected: `Unsupported value: "authenticate/deny/allow"`},
	"listenerruleconfig.md:94":  {rejected: `Unsupported value: "authenticate/deny/allow"`},
	"listenerruleconfig.md:121": {verify: []string{"jwtValidation"}},
	"listenerruleconfig.md:155": {verify: []string{"sourceIP"}},

	"listenersets.md:22": {},
	"listenersets.md:50": {skip: "fragment: allowedListeners"},
	// An ALB listens on a port once a route attaches to it (as LBC).
	"listenersets.md:63":  {with: []string{"listenersets.md:22"}},
	"listenersets.md:88":  {with: []string{"listenersets.md:22", "listenersets.md:63"}, verify: []string{"listenerSetPort"}},
	"listenersets.md:108": {skip: "fragment: parentRefs"},
	"listenersets.md:143": {skip: "fragment: a Gateway's status"},
	"listenersets.md:155": {skip: "fragment: a ListenerSet's status"},

	"loadbalancerconfig.md:9":  {},
	"loadbalancerconfig.md:31": {},
	"loadbalancerconfig.md:49": {},
	// The default seed's subnets have no IPv6 block: a dualstack NLB finds
	// none (LBC's discovery error).
	"loadbalancerconfig.md:72": {failed: "don't have an associated IPv6 CIDR block, which is required for dualstack load balancers"},
	// YAML's on is a boolean; the CRD's field is a string ("on", "off").
	"loadbalancerconfig.md:99": {rejected: "must be of type string"},
	// LBC's doc errors: values no AWS account can hold, as AWS's IDs and
	// ARNs have a form (coip-1234 is no ipv4pool-coip-…, subnet-1234 no
	// subnet ID, my-cert no certificate ARN, pl1 no prefix list ID, k1 no
	// attribute, my-web-acl no web ACL ARN). lbsg reports AWS's or its own
	// refusal as a Warning event.
	"loadbalancerconfig.md:121": {failed: "coip-1234"},
	// The test seeds IPAM pool ipam-1234 (the emulator takes any ID), but
	// the example's ALB is internal (the default scheme).
	"loadbalancerconfig.md:141": {failed: "IPAM pools are only supported for internet-facing load balancers"},
	"loadbalancerconfig.md:161": {failed: "want: [subnet-1234], found: []"},
	// The test tags the public subnets key1=k1 and k2.
	"loadbalancerconfig.md:184": {verify: []string{"selectedSubnets"}},
	"loadbalancerconfig.md:208": {failed: "Certificate 'my-cert' not found"},
	// sg1 and sg2 are groups' Name tags; the test creates them.
	"loadbalancerconfig.md:228": {verify: []string{"namedSecurityGroups"}},
	"loadbalancerconfig.md:251": {failed: `invalid peer "pl1"`},
	"loadbalancerconfig.md:271": {},
	"loadbalancerconfig.md:291": {failed: "Key k1 not valid"},
	"loadbalancerconfig.md:314": {verify: []string{"tags"}},
	"loadbalancerconfig.md:334": {},
	"loadbalancerconfig.md:354": {},
	"loadbalancerconfig.md:372": {verify: []string{"capacity"}},
	"loadbalancerconfig.md:389": {failed: "Certificate 'my-cert' not found"},
	// The test creates trust store ts-1234: the certificate fails.
	"loadbalancerconfig.md:467": {failed: "Certificate 'my-cert' not found"},
	"loadbalancerconfig.md:500": {failed: "Certificate 'my-cert' not found"},
	// LBC's own page: QUIC needs an NLB without security groups and ip
	// targets, which the example does not ask for.
	"loadbalancerconfig.md:537": {invalid: "QUIC target groups need ip targets"},
	"loadbalancerconfig.md:566": {failed: "Certificate 'my-cert' not found"},
	// Every allocation at once on an internal NLB: LBC's first check fails.
	"loadbalancerconfig.md:626": {failed: "EIPAllocation can only be set for internet facing load balancers"},
	"loadbalancerconfig.md:692": {failed: "my-web-acl"},
	// The test's account has a Shield Advanced subscription.
	"loadbalancerconfig.md:713": {verify: []string{"shield"}},
	"loadbalancerconfig.md:737": {verify: []string{"noSecurityGroups"}},
	// The test adds TargetGroupConfiguration my-default-tgc, named only.
	"loadbalancerconfig.md:759": {},

	"targetgroupconfig.md:7":   {},
	"targetgroupconfig.md:59":  {skip: "a TargetGroupConfiguration without targetReference: only a default through defaultTargetGroupConfiguration (targetgroupconfig.md:78)"},
	"targetgroupconfig.md:78":  {with: []string{"targetgroupconfig.md:59"}},
	"targetgroupconfig.md:91":  {skip: "its gatewayClassName gateway.k8s.aws/alb can name no GatewayClass (a name has no /; see targetgroupconfig.md:134)"},
	"targetgroupconfig.md:111": {},
	"targetgroupconfig.md:134": {rejected: "gateway.k8s.aws/alb"},
	"targetgroupconfig.md:176": {},
	"targetgroupconfig.md:200": {},
	"targetgroupconfig.md:247": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:276": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:288": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:304": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:327": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:341": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:357": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:373": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:393": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:411": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:424": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:436": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:452": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:464": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:476": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:488": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:500": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:517": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:529": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:541": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:546": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:563": {skip: "fragment: a field of defaultConfiguration"},
	"targetgroupconfig.md:575": {skip: "fragment: a field of defaultConfiguration"},
}

// A docBlock is one fenced block of a page.
type docBlock struct {
	key  string // page.md:line
	text string
}

var fenceLine = regexp.MustCompile("^( *)```")

// docBlocks returns the fenced blocks of a Markdown page, dedented by their
// fence's indentation. A fence opened and closed on one line is no block.
func docBlocks(page, text string) []docBlock {
	var out []docBlock
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		m := fenceLine.FindStringSubmatch(lines[i])
		if m == nil || strings.Count(lines[i], "```") > 1 {
			continue
		}
		indent, start := len(m[1]), i
		var body []string
		for i++; i < len(lines) && !fenceLine.MatchString(lines[i]); i++ {
			body = append(body, strings.TrimPrefix(lines[i], strings.Repeat(" ", indent)))
		}
		out = append(out, docBlock{key: fmt.Sprintf("%s:%d", page, start+1), text: strings.Join(body, "\n")})
	}
	return out
}

// placeholders are the values LBC's examples ask the reader to fill in;
// the test fills them in (and nothing else).
func placeholders(cert string) *strings.Replacer {
	return strings.NewReplacer("<my cert arn>", cert, "<your service>", "my-service", "<your service port>", "80")
}

// docObjects parses a block into Kubernetes objects; a block that is not
// whole objects (no apiVersion and kind, or not YAML) is a fragment.
func docObjects(text string) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(text, -1) {
		if strings.TrimSpace(regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAllString(doc, "")) == "" {
			continue
		}
		// As kubectl reads YAML (sigs.k8s.io/yaml: YAML 1.1, so on is true).
		j, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			return nil, fmt.Errorf("not YAML: %w", err)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(j); err != nil {
			return nil, fmt.Errorf("not an object: %w", err)
		}
		if u.GetAPIVersion() == "" || u.GetKind() == "" || u.GetName() == "" {
			return nil, errors.New("not a whole object (no apiVersion, kind and name)")
		}
		out = append(out, u)
	}
	if len(out) == 0 {
		return nil, errors.New("no objects")
	}
	return out, nil
}

// TestLBCGatewayDocExamples applies every YAML example of LBC v3.6.2's
// Gateway guide (read from LBC's module source) as written, adding only
// what an example names without defining (namespaces, GatewayClasses,
// backend Services, a default TargetGroupConfiguration, security groups
// by name, ACM certificates for "<my cert arn>" and the hostnames, and in
// the emulator's account the IPAM pool, trust store, subnet tags and
// Shield subscription, see startDocGateway) and, for an example that is
// only a configuration object, the Gateway (and route) that would use
// it. Each converges (and the emulator holds what it is about, where
// verify says), or is refused naming the field lbsg does not build, or
// fails as LBC's would on the example's own values, as listed in
// lbcGatewayDocExamples; deleting it leaves no load balancer behind.
// Examples run in parallel, each in namespaces of its own.
func TestLBCGatewayDocExamples(t *testing.T) {
	dir := filepath.Join(lbcsource.Dir(t), "docs", "guide", "gateway")
	pages, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no pages in %s: %v", dir, err)
	}
	h := startDocGateway(t)
	cert := emutest.ImportCertificate(t, h.emu.ACM, "example.com")
	// listenersets.md's HTTPS listener of hostname app.example.com.
	emutest.ImportCertificate(t, h.emu.ACM, "app.example.com")
	fill := placeholders(cert)
	blocks := map[string]docBlock{}
	var order []string
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, blk := range docBlocks(filepath.Base(p), string(b)) {
			blk.text = fill.Replace(blk.text)
			blocks[blk.key] = blk
			order = append(order, blk.key)
		}
	}
	for key := range lbcGatewayDocExamples {
		if _, ok := blocks[key]; !ok {
			t.Errorf("lbcGatewayDocExamples lists %s, which is no block of LBC's Gateway guide", key)
		}
	}
	counts := map[string]int{}
	for _, ex := range lbcGatewayDocExamples {
		counts[ex.outcome()]++
	}
	t.Logf("expected outcomes: %v", counts)
	// Examples run side by side, each in namespaces and GatewayClasses of
	// its own (isolate), a few at a time.
	slots := make(chan struct{}, docParallel)
	var running sync.WaitGroup
	defer running.Wait()
	for i, key := range order {
		ex, listed := lbcGatewayDocExamples[key]
		objs, parseErr := docObjects(blocks[key].text)
		switch {
		case !listed:
			t.Errorf("%s is not in lbcGatewayDocExamples (a new example?); parsed: %v\n%s", key, parseErr, blocks[key].text)
			if parseErr != nil {
				continue
			}
		case ex.skip != "":
			if fragment := strings.HasPrefix(ex.skip, "fragment"); fragment != (parseErr != nil) {
				t.Errorf("%s: skipped as %q, but parsing it says: %v", key, ex.skip, parseErr)
			}
			t.Logf("%s skipped: %s", key, ex.skip)
			continue
		case parseErr != nil:
			t.Errorf("%s: %v\n%s", key, parseErr, blocks[key].text)
			continue
		}
		var base []*unstructured.Unstructured
		for _, w := range ex.with {
			more, err := docObjects(blocks[w].text)
			if err != nil {
				t.Fatalf("%s builds on %s: %v", key, w, err)
			}
			for _, m := range more {
				if !slices.ContainsFunc(objs, func(o *unstructured.Unstructured) bool {
					return o.GetKind() == m.GetKind() && o.GetNamespace() == m.GetNamespace() && o.GetName() == m.GetName()
				}) {
					base = append(base, m)
				}
			}
		}
		suffix := fmt.Sprintf("-d%02d", i)
		// Not t.Parallel: go test runs only GOMAXPROCS parallel subtests
		// at once, and an example mostly waits for the controllers.
		running.Add(1)
		go func() {
			defer running.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			t.Run(key, func(t *testing.T) { h.docExample(t, ex, suffix, base, objs) })
		}()
	}
}

// outcome is the class of an expected outcome, for the test's summary.
func (ex docExample) outcome() string {
	switch {
	case ex.skip != "":
		return "skipped"
	case ex.docError, ex.failed != "", ex.rejected != "", ex.invalid != "":
		return "LBC doc error"
	case len(ex.refused) > 0, len(ex.routeRefused) > 0, ex.unresolved != "":
		return "refused by field"
	}
	return "converge"
}

// docParallel is how many examples run at once: on 2 cores under -race
// more do not finish sooner (the controllers and emulator are CPU-bound)
// and 10 starved the controllers past the 30 s waits.
const docParallel = 3

// isolate renames an example's namespaces and GatewayClasses, and every
// reference to them, by appending suffix, so that examples reusing names
// (most are example-config in echoserver) run side by side.
func isolate(objs []*unstructured.Unstructured, suffix string) {
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && s != "" && (k == "namespace" || k == "gatewayClassName") {
					v[k] = s + suffix
					continue
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	for _, o := range objs {
		if ns := o.GetNamespace(); ns != "" {
			o.SetNamespace(ns + suffix)
		}
		if k := o.GetKind(); k == "Namespace" || k == "GatewayClass" {
			o.SetName(o.GetName() + suffix)
		}
		walk(o.Object["spec"])
	}
}

func isRoute(kind string) bool {
	return slices.Contains([]string{"HTTPRoute", "GRPCRoute", "TCPRoute", "UDPRoute", "TLSRoute"}, kind)
}

// docExample applies one example with what it needs, checks its outcome
// and deletes it again.
func (h *gwHarness) docExample(t *testing.T, ex docExample, suffix string, base, own []*unstructured.Unstructured) {
	ctx := t.Context()
	objs := append(slices.Clone(base), own...)
	nss, support := h.docSupport(objs)
	all := append(append(nss, objs...), support...)
	isolate(all, suffix)
	var created []*unstructured.Unstructured
	var groups []string
	defer func() {
		h.deleteDocObjects(t, created)
		for _, id := range groups {
			if _, err := h.emu.EC2.DeleteSecurityGroup(context.WithoutCancel(ctx), &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)}); err != nil {
				t.Errorf("deleting security group %s: %v", id, err)
			}
		}
	}()
	// Security groups the example names by Name tag.
	for _, o := range objs {
		names, _, _ := unstructured.NestedStringSlice(o.Object, "spec", "securityGroups")
		for _, n := range names {
			if o.GetKind() != "LoadBalancerConfiguration" || strings.HasPrefix(n, "sg-") {
				continue
			}
			out, err := h.emu.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(n), Description: aws.String(n),
				VpcId: aws.String(h.seed.VPCID), TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup,
					Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(n)}}}}})
			if err != nil {
				t.Fatal(err)
			}
			groups = append(groups, aws.ToString(out.GroupId))
		}
	}
	for _, o := range all {
		if err := h.kube.Client.Create(ctx, o); err != nil {
			if apierrors.IsAlreadyExists(err) && o.GetKind() == "Namespace" {
				continue
			}
			if ex.rejected != "" && strings.Contains(err.Error(), ex.rejected) {
				return
			}
			t.Fatalf("applying %s %s/%s: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
		}
		created = append(created, o)
	}
	if ex.rejected != "" {
		t.Fatalf("the apiserver took the example; want it refused with %q", ex.rejected)
	}
	var gateways, routes, classes, sets []*unstructured.Unstructured
	// The expectations on routes are for this example's routes (and the
	// probe's), not for those of the blocks it builds on.
	ownRoute := func(o *unstructured.Unstructured) bool { return !slices.Contains(base, o) }
	for _, o := range all {
		switch k := o.GetKind(); {
		case k == "Gateway":
			gateways = append(gateways, o)
		case k == "GatewayClass":
			classes = append(classes, o)
		case isRoute(k):
			routes = append(routes, o)
		case k == "ListenerSet":
			sets = append(sets, o)
		}
	}
	for _, c := range classes {
		h.waitDocStatus(t, c, "class Accepted", func(u *unstructured.Unstructured) error {
			return wantCondition(conditionsAt(u.Object, "status", "conditions"), "Accepted", "True", "")
		})
	}
	for _, gw := range gateways {
		switch {
		case len(ex.refused) > 0:
			h.waitDocStatus(t, gw, "refused", func(u *unstructured.Unstructured) error {
				return wantCondition(conditionsAt(u.Object, "status", "conditions"), "Accepted", "False", "InvalidParameters", ex.refused...)
			})
		case ex.invalid != "":
			h.waitDocStatus(t, gw, "invalid", func(u *unstructured.Unstructured) error {
				return wantCondition(conditionsAt(u.Object, "status", "conditions"), "Accepted", "False", "Invalid", ex.invalid)
			})
		case ex.failed != "":
			docEventually(t, "gateway "+gw.GetName()+" Warning event "+ex.failed, func(context.Context) error {
				got := h.warnings(gw)
				for _, e := range got {
					if strings.Contains(e, ex.failed) {
						t.Logf("event %s", e)
						return nil
					}
				}
				return fmt.Errorf("events %v", got)
			})
		default:
			h.waitDocStatus(t, gw, "Programmed with an address", func(u *unstructured.Unstructured) error {
				if err := wantCondition(conditionsAt(u.Object, "status", "conditions"), "Programmed", "True", ""); err != nil {
					return fmt.Errorf("%w; Warning events: %v", err, h.warnings(gw))
				}
				if addrs, _, _ := unstructured.NestedSlice(u.Object, "status", "addresses"); len(addrs) == 0 {
					return errors.New("no address")
				}
				return nil
			})
			for _, v := range ex.verify {
				check, ok := docChecks[v]
				if !ok {
					t.Fatalf("no check %q in docChecks", v)
				}
				docEventually(t, fmt.Sprintf("Gateway %s/%s: %s", gw.GetNamespace(), gw.GetName(), v), func(ctx context.Context) error {
					cur := gw.DeepCopy()
					if err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(gw), cur); err != nil {
						return err
					}
					lb, err := h.docLB(ctx, cur)
					if err == nil {
						err = check(ctx, h, lb)
					}
					if err != nil {
						return fmt.Errorf("%w; Warning events: %v", err, h.warnings(gw))
					}
					return nil
				})
			}
		}
	}
	if len(ex.refused) > 0 || ex.failed != "" || ex.invalid != "" {
		return
	}
	for _, ls := range sets {
		h.waitDocStatus(t, ls, "Accepted and Programmed", func(u *unstructured.Unstructured) error {
			conds := conditionsAt(u.Object, "status", "conditions")
			if err := wantCondition(conds, "Accepted", "True", ""); err != nil {
				return err
			}
			return wantCondition(conds, "Programmed", "True", "")
		})
	}
	for _, rt := range routes {
		parents, _, _ := unstructured.NestedSlice(rt.Object, "spec", "parentRefs")
		for _, p := range parents {
			pm, _ := p.(map[string]any)
			if k, _ := pm["kind"].(string); k != "" && k != "Gateway" && k != "ListenerSet" {
				continue
			}
			name, _ := pm["name"].(string)
			ns, _ := pm["namespace"].(string)
			if ns == "" {
				ns = rt.GetNamespace()
			}
			h.waitDocStatus(t, rt, "parent "+name, func(u *unstructured.Unstructured) error {
				conds := routeConditions(u, ns, name)
				if len(ex.routeRefused) > 0 && ownRoute(rt) {
					reason := cmp.Or(ex.routeReason, "UnsupportedValue")
					return wantCondition(conds, "Accepted", "False", reason, ex.routeRefused...)
				}
				if err := wantCondition(conds, "Accepted", "True", ""); err != nil {
					return err
				}
				if ex.unresolved != "" && ownRoute(rt) {
					return wantCondition(conds, "ResolvedRefs", "False", ex.unresolved)
				}
				return wantCondition(conds, "ResolvedRefs", "True", "")
			})
		}
	}
}

// warnings are the Warning events of object o.
func (h *gwHarness) warnings(o client.Object) []string {
	h.events.mu.Lock()
	defer h.events.mu.Unlock()
	var out []string
	for _, e := range h.events.namespaced {
		if strings.HasPrefix(e, o.GetNamespace()+"/"+o.GetName()+" Warning") {
			out = append(out, e)
		}
	}
	return out
}

func conditionsAt(obj map[string]any, path ...string) []any {
	c, _, _ := unstructured.NestedSlice(obj, path...)
	return c
}

// routeConditions are the route's status conditions for Gateway ns/name.
func routeConditions(rt *unstructured.Unstructured, ns, name string) []any {
	parents, _, _ := unstructured.NestedSlice(rt.Object, "status", "parents")
	for _, p := range parents {
		pm, _ := p.(map[string]any)
		ref, _ := pm["parentRef"].(map[string]any)
		rns, _ := ref["namespace"].(string)
		if rns == "" {
			rns = rt.GetNamespace()
		}
		if ref["name"] == name && rns == ns {
			return conditionsAt(pm, "conditions")
		}
	}
	return nil
}

// wantCondition checks condition typ has status (and reason, unless ""),
// its message naming each of names.
func wantCondition(conds []any, typ, status, reason string, names ...string) error {
	for _, c := range conds {
		cm, _ := c.(map[string]any)
		if cm["type"] != typ {
			continue
		}
		msg, _ := cm["message"].(string)
		if cm["status"] != status || (reason != "" && cm["reason"] != reason) {
			return fmt.Errorf("%s is %v/%v: %s", typ, cm["status"], cm["reason"], msg)
		}
		for _, n := range names {
			if !strings.Contains(msg, n) {
				return fmt.Errorf("%s message %q does not name %s", typ, msg, n)
			}
		}
		return nil
	}
	return fmt.Errorf("no %s condition", typ)
}

func (h *gwHarness) waitDocStatus(t *testing.T, o *unstructured.Unstructured, what string, check func(*unstructured.Unstructured) error) {
	t.Helper()
	docEventually(t, fmt.Sprintf("%s %s/%s %s", o.GetKind(), o.GetNamespace(), o.GetName(), what), func(ctx context.Context) error {
		cur := &unstructured.Unstructured{}
		cur.SetGroupVersionKind(o.GroupVersionKind())
		if err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(o), cur); err != nil {
			return err
		}
		return check(cur)
	})
}

// docEventually polls cond every 250 ms for up to 30 s (fewer reads than
// testenv.Eventually: an example has many objects to wait for, and the
// test client's rate limit is shared by them).
func docEventually(t *testing.T, what string, cond func(context.Context) error) {
	t.Helper()
	deadline := time.Now().Add(testenv.DefaultTimeout)
	for {
		err := cond(t.Context())
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %v", what, err)
		}
		time.Sleep(250 * time.Millisecond) //nolint:forbidigo // polls the apiserver
	}
}

// docSupport returns what the example names without defining it.
// (namespaces apart, to be applied first) and, for an example that is
// only configuration objects, the Gateway and routes that use them.
func (h *gwHarness) docSupport(objs []*unstructured.Unstructured) (namespaces, support []*unstructured.Unstructured) {
	defined := map[string]bool{}
	key := func(kind, ns, name string) string { return kind + "/" + ns + "/" + name }
	nsNames := map[string]bool{}
	for _, o := range objs {
		defined[key(o.GetKind(), o.GetNamespace(), o.GetName())] = true
		if o.GetNamespace() != "" {
			nsNames[o.GetNamespace()] = true
		}
	}
	var out []*unstructured.Unstructured
	add := func(u *unstructured.Unstructured) {
		k := key(u.GetKind(), u.GetNamespace(), u.GetName())
		if !defined[k] {
			defined[k] = true
			out = append(out, u)
		}
	}
	services := map[string]*unstructured.Unstructured{}
	service := func(ns, name string, port int64, proto string) {
		p := map[string]any{"name": fmt.Sprintf("%s-%d", strings.ToLower(proto), port), "port": port, "protocol": proto, "targetPort": int64(8080)}
		if svc := services[ns+"/"+name]; svc != nil {
			ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports")
			for _, q := range ports {
				if q.(map[string]any)["name"] == p["name"] {
					return
				}
			}
			_ = unstructured.SetNestedSlice(svc.Object, append(ports, p), "spec", "ports")
			return
		}
		svc := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Service",
			"metadata": map[string]any{"namespace": ns, "name": name},
			"spec":     map[string]any{"type": "NodePort", "selector": map[string]any{"app": name}, "ports": []any{p}}}}
		if !defined[key("Service", ns, name)] {
			services[ns+"/"+name] = svc
			add(svc)
		}
	}
	var probes []*unstructured.Unstructured
	var defaultTGCs [][2]string
	configs := map[string]*unstructured.Unstructured{}
	referenced := map[string]bool{}
	for _, o := range objs {
		ns := o.GetNamespace()
		switch k := o.GetKind(); {
		case k == "Gateway":
			class, _, _ := unstructured.NestedString(o.Object, "spec", "gatewayClassName")
			controller := "gateway.k8s.aws/nlb"
			if strings.Contains(class, "alb") {
				controller = "gateway.k8s.aws/alb"
			}
			add(&unstructured.Unstructured{Object: map[string]any{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
				"metadata": map[string]any{"name": class}, "spec": map[string]any{"controllerName": controller}}})
			if n, ok, _ := unstructured.NestedString(o.Object, "spec", "infrastructure", "parametersRef", "name"); ok {
				referenced[key("LoadBalancerConfiguration", ns, n)] = true
			}
		case k == "GatewayClass":
			n, _, _ := unstructured.NestedString(o.Object, "spec", "parametersRef", "name")
			pns, _, _ := unstructured.NestedString(o.Object, "spec", "parametersRef", "namespace")
			referenced[key("LoadBalancerConfiguration", pns, n)] = true
			if pns != "" {
				nsNames[pns] = true
			}
		case isRoute(k):
			rules, _, _ := unstructured.NestedSlice(o.Object, "spec", "rules")
			for _, r := range rules {
				rm, _ := r.(map[string]any)
				refs, _, _ := unstructured.NestedSlice(rm, "backendRefs")
				for _, b := range refs {
					bm, _ := b.(map[string]any)
					if kind, _ := bm["kind"].(string); kind != "" && kind != "Service" {
						continue
					}
					bns, _ := bm["namespace"].(string)
					if bns == "" {
						bns = ns
					}
					port, _ := bm["port"].(int64)
					if port == 0 {
						port = 80
					}
					proto := "TCP"
					if k == "UDPRoute" {
						proto = "UDP"
					}
					service(bns, bm["name"].(string), port, proto)
				}
				filters, _, _ := unstructured.NestedSlice(rm, "filters")
				for _, f := range filters {
					if n, ok, _ := unstructured.NestedString(f.(map[string]any), "extensionRef", "name"); ok {
						referenced[key("ListenerRuleConfiguration", ns, n)] = true
					}
				}
			}
		case k == "ReferenceGrant":
			from, _, _ := unstructured.NestedSlice(o.Object, "spec", "from")
			for _, f := range from {
				if n, _ := f.(map[string]any)["namespace"].(string); n != "" {
					nsNames[n] = true
				}
			}
		case k == "LoadBalancerConfiguration", k == "TargetGroupConfiguration", k == "ListenerRuleConfiguration":
			configs[key(k, ns, o.GetName())] = o
			if n, ok, _ := unstructured.NestedString(o.Object, "spec", "defaultTargetGroupConfiguration", "name"); ok {
				defaultTGCs = append(defaultTGCs, [2]string{ns, n})
				referenced[key("TargetGroupConfiguration", ns, n)] = true
			}
		}
	}
	onlyConfig := !slices.ContainsFunc(objs, func(o *unstructured.Unstructured) bool {
		return isRoute(o.GetKind()) || o.GetKind() == "Gateway" || o.GetKind() == "GatewayClass"
	})
	for _, k := range slices.Sorted(maps.Keys(configs)) {
		if onlyConfig && !referenced[k] {
			probes = append(probes, h.docProbe(configs[k], service)...)
		}
	}
	for _, o := range objs {
		if o.GetKind() == "TargetGroupConfiguration" {
			if n, ok, _ := unstructured.NestedString(o.Object, "spec", "targetReference", "name"); ok {
				if kind, _, _ := unstructured.NestedString(o.Object, "spec", "targetReference", "kind"); kind == "" || kind == "Service" {
					service(o.GetNamespace(), n, 80, "TCP")
				}
			}
		}
	}
	// A default TargetGroupConfiguration the example names but does not
	// define: one with no settings of its own.
	for _, d := range defaultTGCs {
		add(&unstructured.Unstructured{Object: map[string]any{"apiVersion": "gateway.k8s.aws/v1", "kind": "TargetGroupConfiguration",
			"metadata": map[string]any{"namespace": d[0], "name": d[1]}, "spec": map[string]any{"defaultConfiguration": map[string]any{}}}})
	}
	for _, n := range slices.Sorted(maps.Keys(nsNames)) {
		namespaces = append(namespaces, &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": n}}})
	}
	return namespaces, append(out, probes...)
}

// docProbe is the Gateway and routes that use an example which is only a
// configuration object: a Gateway naming a LoadBalancerConfiguration, with
// a listener for each of its listenerConfigurations (TCP 80 without any),
// or a Gateway whose route sends to the Service a TargetGroupConfiguration
// configures, or whose HTTPRoute names a ListenerRuleConfiguration; each
// listener gets a route to a Service "probe" (or the configured one).
func (h *gwHarness) docProbe(cfg *unstructured.Unstructured, service func(ns, name string, port int64, proto string)) []*unstructured.Unstructured {
	ns := cfg.GetNamespace()
	spec := map[string]any{}
	listener := func(proto string, port int64) map[string]any {
		l := map[string]any{"name": fmt.Sprintf("%s-%d", strings.ToLower(proto), port), "protocol": proto, "port": port}
		if proto == "TLS" || proto == "HTTPS" {
			// The Gateway API requires a mode, and a certificate reference
			// with Terminate; lbsg's certificates come from the
			// configuration or, on an ALB, from ACM by hostname.
			l["tls"] = map[string]any{"mode": "Terminate", "certificateRefs": []any{map[string]any{"name": "probe"}}}
		}
		if proto == "HTTPS" {
			l["hostname"] = "example.com"
		}
		return l
	}
	alb, redirect, backend := false, false, "probe"
	var listeners []any
	var filters []any
	switch cfg.GetKind() {
	case "LoadBalancerConfiguration":
		spec["infrastructure"] = map[string]any{"parametersRef": map[string]any{
			"group": "gateway.k8s.aws", "kind": "LoadBalancerConfiguration", "name": cfg.GetName()}}
		lcs, _, _ := unstructured.NestedSlice(cfg.Object, "spec", "listenerConfigurations")
		for _, lc := range lcs {
			pp, _ := lc.(map[string]any)["protocolPort"].(string)
			proto, portStr, _ := strings.Cut(pp, ":")
			var port int64
			_, _ = fmt.Sscan(portStr, &port)
			switch proto {
			case "HTTP", "HTTPS":
				alb = true
				listeners = append(listeners, listener(proto, port))
			case "TCP_UDP":
				listeners = append(listeners, listener("TCP", port), listener("UDP", port))
			default:
				listeners = append(listeners, listener(proto, port))
			}
		}
		// Fields LBC builds on ALBs only (refused on NLBs).
		for _, f := range []string{"customerOwnedIpv4Pool", "ipv4IPAMPoolId", "wafV2", "shieldConfiguration"} {
			if _, ok := cfg.Object["spec"].(map[string]any)[f]; ok {
				alb = true
			}
		}
	case "TargetGroupConfiguration":
		backend, _, _ = unstructured.NestedString(cfg.Object, "spec", "targetReference", "name")
	case "ListenerRuleConfiguration":
		alb = true
		filters = []any{map[string]any{"type": "ExtensionRef", "extensionRef": map[string]any{
			"group": "gateway.k8s.aws", "kind": "ListenerRuleConfiguration", "name": cfg.GetName()}}}
		actions, _, _ := unstructured.NestedSlice(cfg.Object, "spec", "actions")
		for _, a := range actions {
			switch t, _ := a.(map[string]any)["type"].(string); t {
			case "redirect":
				// A redirect configuration completes a RequestRedirect
				// filter of the rule.
				redirect = true
				filters = append(filters, map[string]any{"type": "RequestRedirect",
					"requestRedirect": map[string]any{"hostname": "example.com", "statusCode": int64(301)}})
			case "authenticate-cognito", "authenticate-oidc", "jwt-validation":
				// Authentication is served on HTTPS listeners only; the
				// listener's certificate is discovered by its hostname.
				listeners = append(listeners, listener("HTTPS", 443))
			}
		}
	}
	if len(listeners) == 0 && alb {
		listeners = append(listeners, listener("HTTP", 80))
	} else if len(listeners) == 0 {
		listeners = append(listeners, listener("TCP", 80))
	}
	class, controller := "probe-nlb", "gateway.k8s.aws/nlb"
	if alb {
		class, controller = "probe-alb", "gateway.k8s.aws/alb"
	}
	spec["gatewayClassName"], spec["listeners"] = class, listeners
	out := []*unstructured.Unstructured{
		{Object: map[string]any{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
			"metadata": map[string]any{"name": class}, "spec": map[string]any{"controllerName": controller}}},
		{Object: map[string]any{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
			"metadata": map[string]any{"namespace": ns, "name": "probe"}, "spec": spec}},
	}
	kinds := map[string]bool{}
	for _, l := range listeners {
		switch l.(map[string]any)["protocol"] {
		case "HTTP", "HTTPS":
			kinds["HTTPRoute"] = true
		case "UDP":
			kinds["UDPRoute"] = true
		case "TLS":
			kinds["TLSRoute"] = true
		default:
			kinds["TCPRoute"] = true
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(kinds)) {
		proto := "TCP"
		if kind == "UDPRoute" {
			proto = "UDP"
		}
		service(ns, backend, 80, proto)
		rule := map[string]any{}
		if !redirect {
			rule["backendRefs"] = []any{map[string]any{"name": backend, "port": int64(80)}}
		}
		if filters != nil {
			rule["filters"] = filters
		}
		rspec := map[string]any{"parentRefs": []any{map[string]any{"name": "probe"}}, "rules": []any{rule}}
		if kind == "TLSRoute" {
			rspec["hostnames"] = []any{"probe.example.com"}
		}
		out = append(out, &unstructured.Unstructured{Object: map[string]any{"apiVersion": "gateway.networking.k8s.io/v1", "kind": kind,
			"metadata": map[string]any{"namespace": ns, "name": "probe-" + strings.ToLower(strings.TrimSuffix(kind, "Route"))}, "spec": rspec}})
	}
	return out
}

// deleteDocObjects deletes an example's objects but namespaces (envtest
// never finishes deleting one), Gateways first, and waits until they and
// the classes are gone and their load balancers with them.
func (h *gwHarness) deleteDocObjects(t *testing.T, objs []*unstructured.Unstructured) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), time.Minute)
	defer cancel()
	namespaces := map[string]bool{}
	for _, o := range objs {
		if ns := o.GetNamespace(); ns != "" {
			namespaces[ns] = true
		}
	}
	slices.SortStableFunc(objs, func(a, b *unstructured.Unstructured) int {
		rank := func(o *unstructured.Unstructured) int {
			switch o.GetKind() {
			case "Gateway":
				return 0
			case "GatewayClass", "Namespace":
				return 2
			}
			return 1
		}
		return rank(a) - rank(b)
	})
	for _, o := range objs {
		if o.GetKind() == "Namespace" {
			continue
		}
		if err := h.kube.Client.Delete(ctx, o); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting %s %s: %v", o.GetKind(), o.GetName(), err)
		}
		// A class goes once its Gateways have (its finalizer), before the
		// next example creates it again.
		if o.GetKind() != "Gateway" && o.GetKind() != "GatewayClass" {
			continue
		}
		for {
			err := h.kube.Client.Get(ctx, client.ObjectKeyFromObject(o), o.DeepCopy())
			if apierrors.IsNotFound(err) {
				break
			}
			if ctx.Err() != nil {
				t.Errorf("%s %s/%s not deleted", o.GetKind(), o.GetNamespace(), o.GetName())
				return
			}
			time.Sleep(250 * time.Millisecond) //nolint:forbidigo // cleanup polls after the test's context ended
		}
	}
	if left, err := h.docStacks(ctx, namespaces); err != nil {
		t.Error(err)
	} else if len(left) != 0 {
		t.Errorf("load balancers left after deleting the example: %v", left)
	}
}

// docStacks are the Gateway stacks (namespace/name) of the load balancers
// of Gateways in namespaces.
func (h *gwHarness) docStacks(ctx context.Context, namespaces map[string]bool) ([]string, error) {
	lbs, err := h.emu.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, lb := range lbs.LoadBalancers {
		tags, err := h.emu.ELBv2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: []string{aws.ToString(lb.LoadBalancerArn)}})
		if err != nil {
			return nil, err
		}
		for _, td := range tags.TagDescriptions {
			for _, tg := range td.Tags {
				if k := aws.ToString(tg.Key); k != naming.TagGatewayNLBStack && k != naming.TagGatewayALBStack {
					continue
				}
				if ns, _, _ := strings.Cut(aws.ToString(tg.Value), "/"); namespaces[ns] {
					out = append(out, aws.ToString(tg.Value))
				}
			}
		}
	}
	return out, nil
}
