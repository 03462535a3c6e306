package elbv2

import (
	"errors"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awselbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// captureBody is an SDK HTTP client that keeps the request body and sends
// nothing.
type captureBody struct{ body string }

var errCaptured = errors.New("captured")

func (c *captureBody) Do(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	c.body = string(b)
	return nil, errCaptured
}

// fillInput sets every exported field reachable from v: scalars to a
// non-zero value, and each list and map to n elements (n = 0 makes them
// empty but present).
func fillInput(v reflect.Value, n int) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillInput(v.Elem(), n)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillInput(v.Field(i), n)
			}
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := 0; i < n; i++ {
			fillInput(s.Index(i), n)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := 0; i < n; i++ {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillInput(k, n)
			fillInput(e, n)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	default:
		panic("fillInput: unhandled kind " + v.Kind().String() + " (" + v.Type().String() + ")")
	}
}

// sdkForm returns the form the SDK sends for action with every member of its
// input set (lists of n elements).
func sdkForm(t *testing.T, action string, n int) query.Params {
	t.Helper()
	c := &captureBody{}
	client := awselbv2.New(awselbv2.Options{Region: "us-west-2", Credentials: aws.AnonymousCredentials{},
		BaseEndpoint: aws.String("http://emulator.invalid"), HTTPClient: c, RetryMaxAttempts: 1})
	m := reflect.ValueOf(client).MethodByName(action)
	if !m.IsValid() {
		t.Fatalf("%s is served but is not an SDK operation", action)
	}
	in := reflect.New(m.Type().In(1).Elem())
	fillInput(in.Elem(), n)
	out := m.Call([]reflect.Value{reflect.ValueOf(t.Context()), in})
	if err, _ := out[1].Interface().(error); !errors.Is(err, errCaptured) {
		t.Fatalf("%s: the SDK sent nothing: %v", action, err)
	}
	p, err := query.Parse(c.body)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The parameter lists are the SDK's: every key the SDK can send for a
// served action (with lists full or empty) is known, and every listed key
// is one the SDK sends. A parameter added to the API by a newer SDK fails
// here until it is handled (stored and returned, or refused).
func TestParamsCoverSDK(t *testing.T) {
	for _, action := range Actions() {
		t.Run(action, func(t *testing.T) {
			sent := map[string]bool{}
			for _, n := range []int{1, 0} {
				p := sdkForm(t, action, n)
				if err := checkParams(action, p); err != nil {
					t.Errorf("lists of %d: %v", n, err)
				}
				if n == 1 {
					for _, k := range p.Keys() {
						sent[paramPattern(k)] = true
					}
				}
			}
			var extra []string
			for _, k := range actionParams[action] {
				if !sent[k] {
					extra = append(extra, k)
				}
			}
			sort.Strings(extra)
			if len(extra) > 0 {
				t.Errorf("listed but never sent by the SDK: %s", strings.Join(extra, ", "))
			}
		})
	}
}

func TestUnknownParametersAreRefused(t *testing.T) {
	for _, tt := range []struct {
		name   string
		action string
		pairs  []string
	}{
		{"an unknown top-level parameter", "DescribeLoadBalancers", []string{"Bogus", "1"}},
		{"another action's parameter", "DescribeLoadBalancers", []string{"LoadBalancerArn", "x"}},
		{"an unknown member of a subnet mapping", "CreateLoadBalancer",
			[]string{"Name", "web", "SubnetMappings.member.1.SubnetId", subA, "SubnetMappings.member.1.Bogus", "x"}},
		{"an EC2-style flattened list", "DescribeLoadBalancers", []string{"Names.1", "web"}},
		{"a list index without member", "CreateLoadBalancer", []string{"Name", "web", "Subnets.1", subA}},
		{"an unknown field of an action", "CreateRule", []string{"ListenerArn", "x", "Actions.member.1.Bogus", "x"}},
		{"a parameter of a newer action (ModifyCapacityReservation)", "DescribeLoadBalancers",
			[]string{"MinimumLoadBalancerCapacity.CapacityUnits", "100"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.fail("ValidationError", tt.action, tt.pairs...)
		})
	}
	t.Run("nothing happens before the refusal", func(t *testing.T) {
		h := newHarness(t)
		h.fail("ValidationError", "CreateLoadBalancer", "Name", "web", "Subnets.member.1", subA, "Subnets.member.2", subB, "Bogus", "1")
		if n := len(h.ok("DescribeLoadBalancers").(*loadBalancersResult).LoadBalancers); n != 0 {
			t.Errorf("%d load balancers after a refused create", n)
		}
	})
}

func TestKnownParametersPass(t *testing.T) {
	for _, tt := range []struct {
		name   string
		action string
		pairs  []string
	}{
		{"an empty list by its bare name", "SetSecurityGroups", []string{"SecurityGroups", ""}},
		{"a two-digit list index", "DescribeLoadBalancers", []string{"Names.member.12", "web"}},
		{"presigned-request signing keys", "DescribeLoadBalancers", []string{"X-Amz-Date", "20261125T120000Z"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkParams(tt.action, kvs(append([]string{"Action", tt.action, "Version", "2015-12-01"}, tt.pairs...)...)); err != nil {
				t.Errorf("refused: %v", err)
			}
		})
	}
}

const testCert = "arn:aws:acm:us-west-2:123456789012:certificate/11111111-2222-3333-4444-555555555555"

// paramWorld is an ALB with an HTTP listener (rules) and an HTTPS listener, and
// an NLB and a target group, for the refusal table.
type paramWorld struct {
	alb, nlb, http, https, rule, tg string
}

func newParamWorld(h *harness) paramWorld {
	alb := h.alb("web")
	w := paramWorld{alb: alb.LoadBalancerArn, nlb: h.nlb("net").LoadBalancerArn}
	w.http = h.listener(w.alb, "80", fixed404()...).ListenerArn
	w.https = h.listener(w.alb, "443", append([]string{"Protocol", "HTTPS", "Certificates.member.1.CertificateArn", testCert}, fixed404()...)...).ListenerArn
	w.rule = h.rule(w.http, "1", "a.example.com").RuleArn
	w.tg = h.tg("g").TargetGroupArn
	return w
}

// Parameters of the API the emulator does not implement are refused with
// the error AWS gives in the emulated account (doc.go), never dropped.
func TestUnimplementedParametersAreRefused(t *testing.T) {
	ruleBase := func(w paramWorld) []string {
		return []string{"ListenerArn", w.http, "Priority", "9", "Conditions.member.1.Field", "path-pattern",
			"Conditions.member.1.Values.member.1", "/x", "Actions.member.1.Type", "fixed-response",
			"Actions.member.1.FixedResponseConfig.StatusCode", "200"}
	}
	for _, tt := range []struct {
		name   string
		action string
		pairs  func(paramWorld) []string
		code   string
	}{
		{"a source-ip IP address type", "CreateRule", func(w paramWorld) []string {
			return join(ruleBase(w), []string{"Conditions.member.2.Field", "source-ip", "Conditions.member.2.SourceIpConfig.IpAddressType", "ipv4"})
		}, "ValidationError"},
		{"a config of another condition field", "CreateRule", func(w paramWorld) []string {
			return join(ruleBase(w), []string{"Conditions.member.1.HostHeaderConfig.Values.member.1", "a.example.com"})
		}, "ValidationError"},
		{"a config of another action type", "CreateRule", func(w paramWorld) []string {
			return join(ruleBase(w), []string{"Actions.member.1.RedirectConfig.StatusCode", "HTTP_301"})
		}, "ValidationError"},
		{"a JWT validation config", "ModifyListener", func(w paramWorld) []string {
			return []string{"ListenerArn", w.https, "DefaultActions.member.1.Type", "jwt-validation",
				"DefaultActions.member.1.JwtValidationConfig.Issuer", "https://issuer.example.com"}
		}, "ValidationError"},
		{"mutual authentication verify with an unknown trust store", "ModifyListener", func(w paramWorld) []string {
			return []string{"ListenerArn", w.https, "MutualAuthentication.Mode", "verify",
				"MutualAuthentication.TrustStoreArn", "arn:aws:elasticloadbalancing:us-west-2:123456789012:truststore/ts/0123456789abcdef"}
		}, "TrustStoreNotFound"},
		{"mutual authentication on HTTP", "ModifyListener", func(w paramWorld) []string {
			return []string{"ListenerArn", w.http, "MutualAuthentication.Mode", "passthrough"}
		}, "InvalidConfigurationRequest"},
		{"a trust store association status", "ModifyListener", func(w paramWorld) []string {
			return []string{"ListenerArn", w.https, "MutualAuthentication.Mode", "off", "MutualAuthentication.TrustStoreAssociationStatus", "active"}
		}, "ValidationError"},
		{"IsDefault on a listener's certificate", "ModifyListener", func(w paramWorld) []string {
			return []string{"ListenerArn", w.https, "Certificates.member.1.CertificateArn", testCert, "Certificates.member.1.IsDefault", "true"}
		}, "ValidationError"},
		{"IsDefault on an extra certificate", "AddListenerCertificates", func(w paramWorld) []string {
			return []string{"ListenerArn", w.https, "Certificates.member.1.CertificateArn", testCert, "Certificates.member.1.IsDefault", "false"}
		}, "ValidationError"},
		{"a target control port on a TCP group", "CreateTargetGroup", func(paramWorld) []string {
			return []string{"Name", "tcp", "Protocol", "TCP", "Port", "80", "VpcId", vpcA, "TargetControlPort", "3000"}
		}, "InvalidConfigurationRequest"},
		{"an SSL policy list for an unknown type", "DescribeSSLPolicies", func(paramWorld) []string {
			return []string{"LoadBalancerType", "classic"}
		}, "ValidationError"},
		{"an unknown Include value", "DescribeTargetHealth", func(w paramWorld) []string {
			return []string{"TargetGroupArn", w.tg, "Include.member.1", "Nope"}
		}, "ValidationError"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			w := newParamWorld(h)
			before := render(t, "DescribeRules", h.ok("DescribeRules", "ListenerArn", w.http))
			h.fail(tt.code, tt.action, tt.pairs(w)...)
			if after := render(t, "DescribeRules", h.ok("DescribeRules", "ListenerArn", w.http)); after != before {
				t.Errorf("rules changed by a refused call:\n%s\n%s", before, after)
			}
		})
	}
}

func TestTargetControlPortIsStoredAndReturned(t *testing.T) {
	h := newHarness(t)
	created := h.tg("opt", "TargetControlPort", "3000")
	described := h.ok("DescribeTargetGroups", "TargetGroupArns.member.1", created.TargetGroupArn).(*targetGroupsResult).TargetGroups[0]
	same(t, "create, describe", []int{created.TargetControlPort, described.TargetControlPort}, []int{3000, 3000})
	mustContain(t, render(t, "DescribeTargetGroups", &targetGroupsResult{TargetGroups: []xTargetGroup{described}}),
		"<TargetControlPort>3000</TargetControlPort>")
	if plain := h.tg("plain"); plain.TargetControlPort != 0 {
		t.Errorf("a group created without one reports %d", plain.TargetControlPort)
	}
	h.fail("DuplicateTargetGroupName", "CreateTargetGroup", "Name", "opt", "Protocol", "HTTP", "Port", "80", "VpcId", vpcA, "TargetControlPort", "3001")
}

func TestQuicServerIDs(t *testing.T) {
	const id1, id2 = "0x0123456789abcdef", "0x1111111111111111"
	quicTG := func(h *harness) string {
		return h.ok("CreateTargetGroup", "Name", "quic", "Protocol", "QUIC", "Port", "443", "VpcId", vpcA).(*targetGroupsResult).TargetGroups[0].TargetGroupArn
	}
	t.Run("stored and returned", func(t *testing.T) {
		h := newHarness(t)
		tg := quicTG(h)
		h.ok("RegisterTargets", "TargetGroupArn", tg, "Targets.member.1.Id", inst1, "Targets.member.1.QuicServerId", id1)
		if got := h.health(tg); len(got) != 1 || got[0].Target.QuicServerID != id1 {
			t.Errorf("DescribeTargetHealth %+v", got)
		}
	})
	for _, tt := range []struct {
		name  string
		quic  bool
		pairs []string
	}{
		{"missing on a QUIC group", true, []string{"Targets.member.1.Id", inst1}},
		{"malformed", true, []string{"Targets.member.1.Id", inst1, "Targets.member.1.QuicServerId", "0xABCDEF0123456789"}},
		{"on an HTTP group", false, []string{"Targets.member.1.Id", inst1, "Targets.member.1.QuicServerId", id1}},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			h := newHarness(t)
			tg := h.tg("http").TargetGroupArn
			if tt.quic {
				tg = quicTG(h)
			}
			h.fail("ValidationError", "RegisterTargets", append([]string{"TargetGroupArn", tg}, tt.pairs...)...)
			if got := h.health(tg); len(got) != 0 {
				t.Errorf("registered after a refusal: %+v", got)
			}
		})
	}
	t.Run("a registered target keeps its ID", func(t *testing.T) {
		h := newHarness(t)
		tg := quicTG(h)
		h.ok("RegisterTargets", "TargetGroupArn", tg, "Targets.member.1.Id", inst1, "Targets.member.1.QuicServerId", id1)
		h.fail("ValidationError", "RegisterTargets", "TargetGroupArn", tg, "Targets.member.1.Id", inst1, "Targets.member.1.QuicServerId", id2)
	})
}

func TestDescribeTargetHealthIncludesAnomalyDetection(t *testing.T) {
	for _, tt := range []struct {
		name    string
		include []string
		proto   string
		want    *xAnomalyDetection
	}{
		{"not asked", nil, "HTTP", nil},
		{"AnomalyDetection on an HTTP group", []string{"Include.member.1", "AnomalyDetection"}, "HTTP", &xAnomalyDetection{Result: "normal", MitigationInEffect: "no"}},
		{"All on an HTTP group", []string{"Include.member.1", "All"}, "HTTP", &xAnomalyDetection{Result: "normal", MitigationInEffect: "no"}},
		{"All on a TCP group", []string{"Include.member.1", "All"}, "TCP", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tg := h.tg("g", "Protocol", tt.proto).TargetGroupArn
			h.ok("RegisterTargets", "TargetGroupArn", tg, "Targets.member.1.Id", inst1)
			got := h.ok("DescribeTargetHealth", append([]string{"TargetGroupArn", tg}, tt.include...)...).(*targetHealthResult).TargetHealthDescriptions
			same(t, "AnomalyDetection", got[0].AnomalyDetection, tt.want)
		})
	}
}

func TestDescribeSSLPoliciesByLoadBalancerType(t *testing.T) {
	for _, tt := range []struct {
		typ  string
		want int
	}{{"", len(sslPolicies)}, {"application", len(sslPolicies)}, {"network", len(sslPolicies)}, {"gateway", 0}} {
		t.Run("type "+tt.typ, func(t *testing.T) {
			h := newHarness(t)
			var args []string
			if tt.typ != "" {
				args = []string{"LoadBalancerType", tt.typ}
			}
			if got := len(h.ok("DescribeSSLPolicies", args...).(*sslPoliciesResult).SslPolicies); got != tt.want {
				t.Errorf("%d policies, want %d", got, tt.want)
			}
		})
	}
}

func TestMutualAuthenticationModes(t *testing.T) {
	h := newHarness(t)
	w := newParamWorld(h)
	describe := func() *xMutualAuth {
		return h.ok("DescribeListeners", "ListenerArns.member.1", w.https).(*listenersResult).Listeners[0].MutualAuth
	}
	if got := describe(); got != nil {
		t.Errorf("a new HTTPS listener reports %+v", got)
	}
	h.ok("ModifyListener", "ListenerArn", w.https, "MutualAuthentication.Mode", "passthrough")
	same(t, "after passthrough", describe(), &xMutualAuth{Mode: "passthrough"})
	mustContain(t, render(t, "DescribeListeners", h.ok("DescribeListeners", "ListenerArns.member.1", w.https)),
		"<MutualAuthentication><Mode>passthrough</Mode></MutualAuthentication>")
	h.ok("ModifyListener", "ListenerArn", w.https, "Port", "8443")
	same(t, "kept by an unrelated change", describe(), &xMutualAuth{Mode: "passthrough"})
	h.ok("ModifyListener", "ListenerArn", w.https, "MutualAuthentication.Mode", "off")
	same(t, "after off", describe(), &xMutualAuth{Mode: "off"})
}
