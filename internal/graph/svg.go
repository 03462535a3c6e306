package graph

import (
	"bufio"
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Layout constants of the built-in SVG renderer (pixels).
const (
	charWidth  = 7.0  // average width of a 12px sans-serif character
	lineHeight = 15.0 // one label line
	padX, padY = 10.0, 7.0
	colGap     = 150.0 // room between columns for edge labels
	rowGap     = 18.0
	margin     = 20.0
	headerH    = 30.0
)

type box struct {
	x, y, w, h float64
}

// SVG writes g as a standalone SVG document laid out in columns by kind.
// Within a column, nodes are ordered by the mean row of their predecessors
// (one left-to-right sweep), which keeps most edges short and uncrossed.
func SVG(w io.Writer, g Graph) error {
	cols := columns(g)
	boxes := map[string]box{}
	x := margin
	var height float64
	for c := range cols {
		if len(cols[c]) == 0 {
			continue
		}
		width := charWidth * float64(len(Kind(c).String()))
		for _, n := range cols[c] {
			for _, l := range n.Label {
				width = max(width, charWidth*float64(len([]rune(l)))+2*padX)
			}
		}
		y := margin + headerH
		for _, n := range cols[c] {
			h := lineHeight*float64(len(n.Label)) + 2*padY
			boxes[n.ID] = box{x: x, y: y, w: width, h: h}
			y += h + rowGap
		}
		height = max(height, y)
		x += width + colGap
	}
	width := x - colGap + margin
	if len(g.Nodes) == 0 {
		width, height = 300, 80
	}

	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { _, _ = fmt.Fprintf(bw, format, args...) }
	p(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n", width, height, width, height)
	p("<title>lbsg reachability</title>\n")
	p(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>` + "\n")
	p(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
	if len(g.Nodes) == 0 {
		p(`<text x="20" y="45">nothing reachable: no load balancers or target interfaces found</text>` + "\n")
	}
	for c := range cols {
		if len(cols[c]) == 0 {
			continue
		}
		b := boxes[cols[c][0].ID]
		p(`<text x="%.1f" y="%.1f" font-weight="bold" fill="#333">%s</text>`+"\n", b.x, margin+12, esc(Kind(c).String()))
	}
	for _, e := range g.Edges {
		from, ok1 := boxes[e.From]
		to, ok2 := boxes[e.To]
		if !ok1 || !ok2 {
			continue
		}
		x1, y1 := from.x+from.w, from.y+from.h/2
		x2, y2 := to.x, to.y+to.h/2
		c1, c2 := x1+(x2-x1)/2, x1+(x2-x1)/2
		if x2 <= x1 { // same column or backwards: loop out to the right
			x2 = to.x + to.w
			c1, c2 = max(x1, x2)+60, max(x1, x2)+60
			if e.From == e.To {
				y1, y2 = from.y+from.h/4, from.y+3*from.h/4
			}
		}
		p(`<g class="edge" data-from="%s" data-to="%s">`, esc(e.From), esc(e.To))
		p(`<path d="M %.1f %.1f C %.1f %.1f, %.1f %.1f, %.1f %.1f" fill="none" stroke="#555" stroke-width="1.2" marker-end="url(#arrow)"/>`, x1, y1, c1, y1, c2, y2, x2, y2)
		if e.Label != "" {
			// The cubic's midpoint.
			mx, my := (x1+3*c1+3*c2+x2)/8, (y1+y2)/2
			p(`<text x="%.1f" y="%.1f" text-anchor="middle" font-size="11" fill="#222" stroke="white" stroke-width="3" paint-order="stroke">%s</text>`, mx, my-3, esc(e.Label))
		}
		p("</g>\n")
	}
	for _, n := range g.Nodes {
		b := boxes[n.ID]
		st := kindStyle[n.Kind]
		p(`<g class="node" data-id="%s">`, esc(n.ID))
		rx := 6.0
		if st.shape == "ellipse" {
			rx = b.h / 2
		}
		p(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="%.1f" fill="%s" stroke="#666"/>`, b.x, b.y, b.w, b.h, rx, st.fill)
		for i, l := range n.Label {
			weight := ""
			if i == 0 {
				weight = ` font-weight="bold"`
			}
			p(`<text x="%.1f" y="%.1f" text-anchor="middle"%s>%s</text>`, b.x+b.w/2, b.y+padY+lineHeight*float64(i)+11, weight, esc(l))
		}
		p("</g>\n")
	}
	p("</svg>\n")
	return bw.Flush()
}

// columns groups the nodes by kind and orders each column by the mean
// position of its nodes' predecessors in earlier columns, then by ID.
func columns(g Graph) [Columns][]Node {
	var cols [Columns][]Node
	for _, n := range g.Nodes {
		cols[n.Kind] = append(cols[n.Kind], n)
	}
	row := map[string]float64{}
	preds := map[string][]string{}
	for _, e := range g.Edges {
		preds[e.To] = append(preds[e.To], e.From)
	}
	for c := range cols {
		rank := func(n Node) float64 {
			var sum, cnt float64
			for _, p := range preds[n.ID] {
				if r, ok := row[p]; ok {
					sum, cnt = sum+r, cnt+1
				}
			}
			if cnt == 0 {
				return 1e9 // unconnected from the left: last
			}
			return sum / cnt
		}
		slices.SortStableFunc(cols[c], func(a, b Node) int {
			return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a.ID, b.ID))
		})
		for i, n := range cols[c] {
			row[n.ID] = float64(i)
		}
	}
	return cols
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
