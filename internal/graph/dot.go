package graph

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// kindStyle is how a kind is drawn in both renderers.
var kindStyle = [Columns]struct{ shape, fill string }{
	KindSource:       {"ellipse", "#fde2e2"},
	KindFrontendSG:   {"box", "#fff2cc"},
	KindLoadBalancer: {"box", "#dae8fc"},
	KindGateway:      {"box", "#e1d5e7"},
	KindListener:     {"box", "#e1d5e7"},
	KindRoute:        {"box", "#e1d5e7"},
	KindBackend:      {"box", "#e1d5e7"},
	KindBackendSG:    {"box", "#fff2cc"},
	KindTargetSG:     {"box", "#fff2cc"},
	KindTarget:       {"box", "#d5e8d4"},
}

// DOT writes g in Graphviz's DOT language: left to right, one rank per
// column, one statement per node and per edge.
func DOT(w io.Writer, g Graph) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { _, _ = fmt.Fprintf(bw, format, args...) }
	p("digraph reachability {\n")
	p("  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n")
	p("  edge [fontname=\"Helvetica\", fontsize=10];\n")
	for k := range Columns {
		var ids []string
		for _, n := range g.Nodes {
			if int(n.Kind) == k {
				ids = append(ids, dotQuote(n.ID))
			}
		}
		if len(ids) == 0 {
			continue
		}
		p("  // %s\n", Kind(k))
		for _, n := range g.Nodes {
			if int(n.Kind) == k {
				st := kindStyle[k]
				p("  %s [label=%s, shape=%s, fillcolor=%s];\n", dotQuote(n.ID), dotQuote(strings.Join(n.Label, "\n")), st.shape, dotQuote(st.fill))
			}
		}
		p("  { rank=same; %s; }\n", strings.Join(ids, "; "))
	}
	for _, e := range g.Edges {
		if e.Label == "" {
			p("  %s -> %s;\n", dotQuote(e.From), dotQuote(e.To))
			continue
		}
		p("  %s -> %s [label=%s];\n", dotQuote(e.From), dotQuote(e.To), dotQuote(e.Label))
	}
	p("}\n")
	return bw.Flush()
}

// dotQuote makes a DOT double-quoted string; newlines become DOT's \n
// (centred line break).
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
