// Package planview computes and renders what lbsg would change for a set of
// Kubernetes objects: `lbsg plan`. It gathers model.Facts from the objects
// and, when given a Cloud (awsstate.Provider), from AWS — a thin adapter of
// the service controller's unexported facts/nodes/endpoints readers — then
// calls model.Build and plan.Diff, the controller's own engine, and turns the
// actions into Changes rendered as a text diff or JSON.
//
// Invariants: nothing here writes to AWS or Kubernetes; a Cloud is only
// read. Without a Cloud everything is a create, and unknown cloud facts
// (subnets, node SGs, the backend SG) are placeholders in angle brackets.
//
// Limits: target-SG revokes are shown only for owned rules citing a planned
// Service's managed SG (rules citing the shared backend SG may belong to
// Services not in the input); Ingresses are not planned.
package planview
