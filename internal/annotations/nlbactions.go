package annotations

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/util/intstr"
)

// SvcActionsPrefix is followed by "<PROTOCOL>-<port>" (the listener's
// protocol as ELBv2 names it, e.g. TCP-80): the NLB listener's default
// action.
const SvcActionsPrefix = ServicePrefix + "actions."

// NLBAction is the JSON of a Service's actions.<PROTOCOL>-<port>
// annotation (LBC's service Action). Unknown JSON fields are ignored, as
// LBC's encoding/json decoding does.
type NLBAction struct {
	Type          string            `json:"type"`
	ForwardConfig *NLBForwardConfig `json:"forwardConfig,omitempty"`
}

// NLBForwardConfig is the forward of an NLB listener: the Service's own
// target group weighted BaseServiceWeight, plus TargetGroups.
type NLBForwardConfig struct {
	BaseServiceWeight *int32           `json:"baseServiceWeight"`
	TargetGroups      []NLBTargetGroup `json:"targetGroups"`
	Stickiness        *NLBStickiness   `json:"targetGroupStickinessConfig,omitempty"`
}

// NLBTargetGroup is one further target group: by ARN, or another Service's
// port (ServiceName, ServicePort).
type NLBTargetGroup struct {
	TargetGroupARN *string             `json:"targetGroupARN"`
	ServiceName    *string             `json:"serviceName"`
	ServicePort    *intstr.IntOrString `json:"servicePort"`
	Decrypt        *bool               `json:"decrypt,omitempty"`
	Weight         *int32              `json:"weight,omitempty"`
}

// NLBStickiness is an NLB forward's stickiness (NLBs have no duration).
type NLBStickiness struct {
	Enabled *bool `json:"enabled,omitempty"`
}

// NLBActionKey is the actions annotation of the listener protocol-port.
func NLBActionKey(protocol string, port int32) string {
	return fmt.Sprintf("%s%s-%d", SvcActionsPrefix, protocol, port)
}

// ParseNLBAction reads the actions annotation of the NLB listener
// protocol-port: false when absent; a malformed or invalid action is an
// *Error naming the annotation, with LBC's texts.
func ParseNLBAction(ann map[string]string, protocol string, port int32) (NLBAction, bool, error) {
	key := NLBActionKey(protocol, port)
	var a NLBAction
	ok, err := jsonAnnotation(ann, key, &a)
	if !ok || err != nil {
		return NLBAction{}, ok, err
	}
	if err := a.validate(); err != nil {
		return NLBAction{}, true, newErr(key, ann[key], err, "%v", err)
	}
	return a, true, nil
}

func (a *NLBAction) validate() error {
	if a.Type != RouteForward {
		return fmt.Errorf("unknown action type: %v", a.Type)
	}
	// LBC dereferences the forward config unchecked (a nil one crashes
	// its build); lbsg refuses it with its own text.
	if a.ForwardConfig == nil {
		return errors.New("invalid ForwardConfig: forwardConfig must be specified for a forward action")
	}
	for _, t := range a.ForwardConfig.TargetGroups {
		if err := t.validate(); err != nil {
			return fmt.Errorf("invalid ForwardConfig: invalid TargetGroupTuple: %w", err)
		}
	}
	if len(a.ForwardConfig.TargetGroups) > 1 {
		for _, t := range a.ForwardConfig.TargetGroups {
			if t.Weight == nil {
				return errors.New("invalid ForwardConfig: weight must be set when routing to multiple target groups")
			}
		}
	}
	return nil
}

func (t NLBTargetGroup) validate() error {
	switch {
	case (t.TargetGroupARN != nil) == (t.ServiceName != nil):
		return errors.New("precisely one of targetGroupARN and serviceName can be specified")
	case t.ServiceName != nil && t.ServicePort == nil:
		return errors.New("missing servicePort")
	case t.Weight != nil && (*t.Weight < 0 || *t.Weight > 999):
		return errors.New("target group weight must be between 0 and 999")
	}
	return nil
}
