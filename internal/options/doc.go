// Package options holds the flags of `lbsg controller`, named as the AWS Load
// Balancer Controller (LBC) names them, parsed into a Controller value that
// validates itself (style R11). Validate reports every problem at once with
// LBC's error texts (lbc-security-groups.md §2.6).
//
// Imports: pflag, naming (tracking tag keys). No I/O.
//
// Known limits: only the SG-relevant subset of LBC's flags and feature gates
// exists; unknown feature gates are an error rather than ignored.
package options
