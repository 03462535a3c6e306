// Package targetgroupbinding is the pure logic of LBC's TargetGroupBinding
// (elbv2.k8s.aws/v1beta1): which target group a binding means and whether
// it may use it (Check, Validate), the fields LBC's mutating webhook fills
// in (Default), the targets it wants (Targets: ready EndpointSlice
// addresses for ip, the selected nodes on the NodePort for instance) and
// the networking rules it asks for on the targets' security groups
// (Rules), and whether its Service's pods get its readiness gate
// (InjectsGate). No I/O (FromCloud converts what cloud/elbv2 read): the
// controller (internal/controller/tgb), the webhooks and `lbsg audit` read
// the facts and call these.
//
// LBC v3.6.2 is the spec (pkg/targetgroupbinding, pkg/backend,
// webhooks/elbv2/targetgroupbinding_*): error texts are its own where a
// user sees them.
//
// Validate is what LBC's validating webhook checks, for the webhook to
// call: required fields, immutable fields, nodeSelector only with instance
// targets, one binding per target group unless every binding of it is
// multi-cluster, the target group's IP address type, VPC ID and protocol,
// and the assume-role restrictions; lbsg adds the target type check that
// LBC leaves to a failing RegisterTargets.
package targetgroupbinding
