package model

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/annotations"
)

const otherTG = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/canary/0123456789abcdef"

func TestNLBListenerActions(t *testing.T) {
	own := "default/nlb-ip-svc-tls:80"
	w := func(v int32) *int32 { return &v }
	on := true
	for _, tc := range []struct {
		name string
		ann  map[string]string
		want *Action // nil: the plain forward to own
	}{
		{"no annotation: plain forward", nil, nil},
		{"another listener's key is ignored",
			map[string]string{annotations.SvcActionsPrefix + "UDP-80": `{"type":"forward","forwardConfig":{"baseServiceWeight":1}}`}, nil},
		{"weighted forward to the own and an ARN target group",
			map[string]string{annotations.SvcActionsPrefix + "TCP-80": `{"type":"forward","forwardConfig":{"baseServiceWeight":80,
				"targetGroups":[{"targetGroupARN":"` + otherTG + `","weight":20}]}}`},
			&Action{Type: ActionForward, Forward: &Forward{TargetGroups: []WeightedTarget{
				{TargetGroup: own, Weight: w(80)}, {ARN: otherTG, Weight: w(20)}}}}},
		{"stickiness enabled, base weight unset",
			map[string]string{annotations.SvcActionsPrefix + "TCP-80": `{"type":"forward","forwardConfig":{
				"targetGroups":[{"targetGroupARN":"` + otherTG + `"}],"targetGroupStickinessConfig":{"enabled":true}}}`},
			&Action{Type: ActionForward, Forward: &Forward{TargetGroups: []WeightedTarget{
				{TargetGroup: own}, {ARN: otherTG}}, Stickiness: &Stickiness{Enabled: &on}}}},
		{"TLS listener reads actions.TLS-<port>",
			map[string]string{annotations.SvcSSLCert: certA, annotations.SvcActionsPrefix + "TLS-80": `{"type":"forward","forwardConfig":{"baseServiceWeight":5}}`},
			&Action{Type: ActionForward, Forward: &Forward{TargetGroups: []WeightedTarget{{TargetGroup: own, Weight: w(5)}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _ := mustBuild(t, svcTLS(tc.ann), facts(), defaults())
			l := st.Listeners[0]
			if l.TargetGroup != own {
				t.Errorf("listener target group %q, want %q", l.TargetGroup, own)
			}
			got, _ := json.Marshal(l.DefaultAction)
			want, _ := json.Marshal(tc.want)
			if string(got) != string(want) {
				t.Errorf("default action\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestNLBListenerActionErrorsNameTheAnnotation(t *testing.T) {
	key := annotations.SvcActionsPrefix + "TCP-80"
	arn := `"targetGroupARN":"` + otherTG + `"`
	for _, tc := range []struct {
		name, value, want string
	}{
		{"malformed JSON", `{"type":`, "failed to parse json annotation, " + key},
		{"unknown type", `{"type":"redirect"}`, "unknown action type: redirect"},
		{"forward without forwardConfig", `{"type":"forward"}`, "invalid ForwardConfig: forwardConfig must be specified"},
		{"neither ARN nor service", `{"type":"forward","forwardConfig":{"targetGroups":[{"weight":1}]}}`,
			"invalid ForwardConfig: invalid TargetGroupTuple: precisely one of targetGroupARN and serviceName can be specified"},
		{"both ARN and service", `{"type":"forward","forwardConfig":{"targetGroups":[{` + arn + `,"serviceName":"b","servicePort":80}]}}`,
			"precisely one of targetGroupARN and serviceName can be specified"},
		{"service without port", `{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"b"}]}}`,
			"invalid ForwardConfig: invalid TargetGroupTuple: missing servicePort"},
		{"weight out of range", `{"type":"forward","forwardConfig":{"targetGroups":[{` + arn + `,"weight":1000}]}}`,
			"invalid ForwardConfig: invalid TargetGroupTuple: target group weight must be between 0 and 999"},
		{"several target groups without weights", `{"type":"forward","forwardConfig":{"targetGroups":[{` + arn + `,"weight":1},{"targetGroupARN":"x"}]}}`,
			"invalid ForwardConfig: weight must be set when routing to multiple target groups"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Build(svcTLS(map[string]string{key: tc.value}), facts(), defaults())
			var ae *annotations.Error
			if !errors.As(err, &ae) || ae.Annotation != key {
				t.Fatalf("error %v, want an annotation error of %s", err, key)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), key) {
				t.Errorf("error %q, want it to contain %q and the key", err, tc.want)
			}
		})
	}
}

func TestNLBListenerActionServiceTargetsAreRefused(t *testing.T) {
	key := annotations.SvcActionsPrefix + "TCP-80"
	_, _, err := Build(svcTLS(map[string]string{key: `{"type":"forward","forwardConfig":{"baseServiceWeight":1,
		"targetGroups":[{"serviceName":"canary","servicePort":80,"weight":1}]}}`}), facts(), defaults())
	var ue *UnsupportedError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "serviceName") {
		t.Fatalf("error %v, want an UnsupportedError naming %s and serviceName targets", err, key)
	}
}

func TestNLBListenerActionsWithWeightedTargetGroupsOff(t *testing.T) {
	key := annotations.SvcActionsPrefix + "TCP-80"
	d := defaults()
	d.NoWeightedTargetGroups = true
	st, _ := mustBuild(t, svcTLS(map[string]string{key: `{"type":"forward","forwardConfig":{"baseServiceWeight":3,
		"targetGroupStickinessConfig":{"enabled":true}}}`}), facts(), d)
	if l := st.Listeners[0]; l.DefaultAction != nil || l.TargetGroup != "default/nlb-ip-svc-tls:80" {
		t.Errorf("a lone target group with the gate off: %+v, want the plain forward", l)
	}
	_, _, err := Build(svcTLS(map[string]string{key: `{"type":"forward","forwardConfig":{"baseServiceWeight":3,
		"targetGroups":[{"targetGroupARN":"` + otherTG + `","weight":1}]}}`}), facts(), d)
	var ae *annotations.Error
	if !errors.As(err, &ae) || ae.Annotation != key || !strings.Contains(err.Error(), "weighted target groups feature is disabled") {
		t.Errorf("several target groups with the gate off: %v, want LBC's error naming %s", err, key)
	}
}
