// Package targetsg is the single writer of lbsg's rules on node/ENI
// security groups (key = target SG ID, so the workqueue serialises all
// writes to one SG). Desired = the union of every Service stack's
// contribution in the registry, merged and packed under the rule quota left
// by rules lbsg does not own. It authorizes before it revokes, revokes only
// rules whose description carries lbsg's marker for this cluster
// (naming.OwnsRule), only once every Service has reported since start
// (registry complete), and re-reads the SG from AWS before any revoke.
package targetsg
