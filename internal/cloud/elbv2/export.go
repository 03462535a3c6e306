package elbv2

import elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

// ListenerFromSDK converts a listener as DescribeListeners returns it (no
// tags), for callers that read listeners themselves.
func ListenerFromSDK(l elbv2types.Listener) Listener { return listenerFromSDK(l) }

// RuleFromSDK converts a rule of listenerARN as DescribeRules returns it
// (no tags).
func RuleFromSDK(listenerARN string, r elbv2types.Rule) Rule { return ruleFromSDK(listenerARN, r) }
