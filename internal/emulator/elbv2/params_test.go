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
