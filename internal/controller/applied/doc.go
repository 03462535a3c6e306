// Package applied owns the record of which model each stack last had
// applied in full: one ConfigMap per cluster ("lbsg-applied-<cluster>", in
// the leader-election namespace) mapping a stack key ("service:ns/name",
// "ingress:ns/name", "ingress:group") to the fingerprint of that model. After
// a restart, a stack whose desired model still has the recorded fingerprint
// skips the per-stack AWS reads (listeners, targets) that would otherwise
// cost minutes under AWS read rate limits at 1,000 load balancers.
//
// Crash safety is the callers' protocol, which the Store makes cheap: Clear
// a stack's record (durable when Clear returns) before mutating its AWS
// resources, Set it only after everything succeeded. Set is written
// asynchronously and batched, so losing one in a crash costs one full read
// later, never a wrong skip. Concurrent Clears share writes (group commit).
//
// The record is read once, on first use; after that the leader's in-memory
// map is the truth and every write replaces the whole record.
package applied
