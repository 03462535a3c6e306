// Package multicluster keeps, for each multi-cluster target group (the
// multi-cluster-target-group annotations), the record of the targets this
// cluster registered in it, so that lbsg deregisters only those and leaves
// the targets of other clusters alone.
//
// The record is where and how LBC v3.6.2 keeps it: a ConfigMap named
// "aws-lbc-targets-<target group name>" in the namespace of the target
// group's Service (LBC's TargetGroupBinding carries the target group's name
// and the Service's namespace), its key "targets" a comma-separated list of
// "<instance ID or IP>:<port>". lbsg's own applied-state record
// (internal/controller/applied) was the alternative; it is one ConfigMap
// per cluster keyed by stack, which LBC never reads. Keeping LBC's format
// makes a takeover safe in both directions: lbsg taking over from LBC
// continues LBC's record (and deregisters what LBC registered and no
// longer wants, nothing else), and LBC taking over from lbsg finds lbsg's.
//
// The protocol is LBC's, made crash-safe for lbsg's plan-then-execute:
// with no record yet nothing is deregistered (the first reconcile only
// registers and writes the record); before a reconcile registers or
// deregisters, the record grows to hold every target it may register;
// once the stack converged it is set to the targets wanted. A crash in
// between leaves a target recorded that was not registered (harmless)
// but never one registered and unrecorded (it would be stranded as
// another cluster's).
//
// The ConfigMaps are read and written through the API server, not an
// informer (which would cache every ConfigMap in the cluster), with an
// in-memory copy of what this process last read or wrote. Read reads one
// uncached through any client.Reader (`lbsg audit`).
package multicluster
