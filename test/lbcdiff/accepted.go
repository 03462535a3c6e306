// Package lbcdiff compares lbsg with the AWS Load Balancer Controller
// v3.6.2 it replaces: the same manifests go to two fresh sandboxes, one run
// by LBC and one by lbsg, and the AWS state each leaves behind is compared
// line by line. Accepted lists every difference the comparison tolerates,
// each with its reason; docs/migration.md renders the list.
package lbcdiff

import (
	"fmt"
	"regexp"
	"strings"
)

// Side says which controller's snapshot an Accepted entry applies to.
type Side string

// The two sides of a comparison.
const (
	LBC  Side = "LBC"
	LBSG Side = "lbsg"
)

// Accepted is one tolerated difference between LBC's and lbsg's AWS state.
//
// With Replace set, Pattern is rewritten to Replace on Side's snapshot lines
// before the comparison (a difference in one part of a line; the rest of the
// line is still compared). Without it, a line found only on Side that
// matches Pattern is tolerated.
type Accepted struct {
	ID      string
	Side    Side
	Pattern *regexp.Regexp
	Replace string
	// Reason says why the difference is accepted.
	Reason string
	// Bug, when set, marks a difference lbsg should not have: a known bug,
	// recorded here so the suite passes while it is open.
	Bug string
}

// AcceptedDifferences is the list the suite tolerates. Every entry must
// match something in a full run, or the suite reports it as stale.
var AcceptedDifferences = []Accepted{
	{
		ID:      "rule-marker-cluster",
		Side:    LBSG,
		Pattern: regexp.MustCompile(`desc="elbv2\.k8s\.aws/targetGroupBinding=shared,elbv2\.k8s\.aws/cluster=[^"]*"`),
		Replace: `desc="elbv2.k8s.aws/targetGroupBinding=shared"`,
		Reason: "lbsg's node/ENI rule descriptions carry the cluster (`elbv2.k8s.aws/targetGroupBinding=shared,elbv2.k8s.aws/cluster=C`), " +
			"so clusters and controllers sharing a node group never revoke each other's rules; LBC's marker has no cluster (LBC #2185, #3325).",
	},
	{
		ID:      "node-rule-range",
		Side:    LBC,
		Pattern: nodeRuleFromBackend,
		Reason: "LBC opens one port range per source on a node/ENI group, from the lowest to the highest port its target groups need, " +
			"every port in between included (LBC #3460). The suite checks that each such range starts and ends on a port lbsg opens and holds all of lbsg's ports.",
	},
	{
		ID:      "node-rule-exact-ports",
		Side:    LBSG,
		Pattern: nodeRuleFromBackend,
		Reason:  "lbsg opens the exact ports its target groups need (adjacent ports merged into one range), within LBC's range; see `node-rule-range`.",
	},
}

// nodeRuleFromBackend matches a snapshot line of a TCP rule that admits the
// backend group (or a frontend group) on a group that is neither.
var nodeRuleFromBackend = regexp.MustCompile(`^sg\[[^ \]]*\] ingress: tcp (\d+)-(\d+) from (sg\[backend\]|sg\[frontend [^\]]*\]) desc=`)

// apply rewrites lines of side by the Replace entries.
func apply(side Side, lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		for _, a := range AcceptedDifferences {
			if a.Side == side && a.Replace != "" {
				l = a.Pattern.ReplaceAllString(l, a.Replace)
			}
		}
		out[i] = l
	}
	return out
}

// tolerated returns the ID of the entry that accepts line, found only on
// side, or "".
func tolerated(side Side, line string) string {
	for _, a := range AcceptedDifferences {
		if a.Side == side && a.Replace == "" && a.Pattern.MatchString(line) {
			return a.ID
		}
	}
	return ""
}

// Markdown renders AcceptedDifferences for docs/migration.md.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| difference | side | reason |\n|---|---|---|\n")
	for _, a := range AcceptedDifferences {
		reason := a.Reason
		if a.Bug != "" {
			reason = "**known lbsg bug**: " + a.Bug + ". " + reason
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", a.ID, a.Side, strings.ReplaceAll(reason, "|", `\|`))
	}
	return b.String()
}
