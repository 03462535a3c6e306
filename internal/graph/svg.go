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
	boldWidth  = 7.8  // the same, bold (a node's first line)
	lineHeight = 15.0 // one label line
	padX, padY = 10.0, 7.0
	colGap     = 150.0 // room between columns for edge labels
	rowGap     = 18.0
	margin     = 20.0
	headerH    = 40.0
	laneGap    = 22.0 // between the lanes of edges that skip columns
)

type box struct {
	x, y, w, h float64
}

// SVG writes g as a standalone SVG document laid out in columns: one per
// kind, except that a client security group (members of an SG admitted by
// another SG) stands just left of the groups it reaches, so its edges stay
// short. Within a column, nodes are ordered by the mean row of their
// predecessors (one left-to-right sweep). Edges that skip a column run in
// lanes below the nodes, so they cross no box.
func SVG(w io.Writer, g Graph) error {
	cols, colOf := layoutColumns(g)
	boxes := map[string]box{}
	x := margin
	var height float64
	for c := range cols {
		if len(cols[c]) == 0 {
			continue
		}
		width := charWidth * float64(len(columnTitle(c, cols[c])))
		for _, n := range cols[c] {
			for i, l := range n.Label {
				cw := charWidth
				if i == 0 {
					cw = boldWidth
				}
				width = max(width, cw*float64(len([]rune(l)))+2*padX)
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
	lane := height // next free lane for a column-skipping edge
	for _, e := range g.Edges {
		if colOf[e.To]-colOf[e.From] > 1 {
			lane += laneGap
		}
	}
	height = lane + margin
	if len(g.Nodes) == 0 {
		width, height = 420, 80
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
		p(`<text x="%.1f" y="%.1f" font-weight="bold" fill="#333">%s</text>`+"\n", b.x, margin+12, esc(columnTitle(c, cols[c])))
	}
	lane = height - margin
	for i := len(g.Edges) - 1; i >= 0; i-- { // lanes bottom-up, so the first edge is nearest the nodes
		e := g.Edges[i]
		from, ok1 := boxes[e.From]
		to, ok2 := boxes[e.To]
		if !ok1 || !ok2 {
			continue
		}
		var d string
		var lx, ly float64 // label position
		x1, y1 := from.x+from.w, from.y+from.h/2
		x2, y2 := to.x, to.y+to.h/2
		switch span := colOf[e.To] - colOf[e.From]; {
		case span > 1: // down into a lane, along it, up into the target
			lane -= laneGap
			d = fmt.Sprintf("M %.1f %.1f C %.1f %.1f, %.1f %.1f, %.1f %.1f L %.1f %.1f C %.1f %.1f, %.1f %.1f, %.1f %.1f",
				x1, y1, x1+50, y1, x1+20, lane, x1+70, lane, x2-70, lane, x2-20, lane, x2-50, y2, x2, y2)
			lx, ly = (x1+x2)/2, lane-4
		case e.From == e.To: // a loop over the top right corner
			ax, bx, top := from.x+from.w-44, from.x+from.w-12, from.y
			d = fmt.Sprintf("M %.1f %.1f C %.1f %.1f, %.1f %.1f, %.1f %.1f", ax, top, ax, top-26, bx, top-26, bx, top)
			lx, ly = (ax+bx)/2, top-22
		case span < 1: // same column or backwards: loop out to the right
			x2 = to.x + to.w
			c := max(x1, x2) + 60
			d = fmt.Sprintf("M %.1f %.1f C %.1f %.1f, %.1f %.1f, %.1f %.1f", x1, y1, c, y1, c, y2, x2, y2)
			lx, ly = c-10, (y1+y2)/2+4
		default:
			c := x1 + (x2-x1)/2
			d = fmt.Sprintf("M %.1f %.1f C %.1f %.1f, %.1f %.1f, %.1f %.1f", x1, y1, c, y1, c, y2, x2, y2)
			lx, ly = c, (y1+y2)/2-3
		}
		p(`<g class="edge" data-from="%s" data-to="%s">`, esc(e.From), esc(e.To))
		p(`<path d="%s" fill="none" stroke="#555" stroke-width="1.2" marker-end="url(#arrow)"/>`, d)
		if e.Label != "" {
			p(`<text x="%.1f" y="%.1f" text-anchor="middle" font-size="11" fill="#222" stroke="white" stroke-width="3" paint-order="stroke">%s</text>`, lx, ly, esc(e.Label))
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

// layoutColumns places nodes in columns by kind, moves client security
// groups next to what they reach, and orders each column by the mean row
// of its nodes' predecessors in earlier columns, then by ID.
func layoutColumns(g Graph) ([Columns][]Node, map[string]int) {
	colOf := map[string]int{}
	for _, n := range g.Nodes {
		colOf[n.ID] = int(n.Kind)
	}
	for _, n := range g.Nodes {
		if n.Kind != KindSource || !strings.HasPrefix(n.ID, "sg-") {
			continue
		}
		c := Columns
		for _, e := range g.Edges {
			if e.From == n.ID {
				c = min(c, colOf[e.To]-1)
			}
		}
		if c < Columns {
			colOf[n.ID] = max(c, 0)
		}
	}
	var cols [Columns][]Node
	for _, n := range g.Nodes {
		cols[colOf[n.ID]] = append(cols[colOf[n.ID]], n)
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
				if r, ok := row[p]; ok && colOf[p] < c {
					sum, cnt = sum+r, cnt+1
				}
			}
			if cnt == 0 {
				return 1e9 // unconnected from the left: last
			}
			return sum / cnt
		}
		slices.SortStableFunc(cols[c], func(a, b Node) int {
			return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.Kind, b.Kind), strings.Compare(a.ID, b.ID))
		})
		for i, n := range cols[c] {
			row[n.ID] = float64(i)
		}
	}
	// Spans count drawn columns: an empty kind (no Gateways) is no column.
	drawn, next := map[int]int{}, 0
	for c := range cols {
		if len(cols[c]) > 0 {
			drawn[c] = next
			next++
		}
	}
	for id, c := range colOf {
		colOf[id] = drawn[c]
	}
	return cols, colOf
}

// columnTitle names column c after what it holds: its kind, and client
// SGs moved there.
func columnTitle(c int, nodes []Node) string {
	var names []string
	if slices.ContainsFunc(nodes, func(n Node) bool { return int(n.Kind) == c }) {
		names = append(names, Kind(c).String())
	}
	if slices.ContainsFunc(nodes, func(n Node) bool { return int(n.Kind) != c }) {
		names = append(names, "client SGs")
	}
	return strings.Join(names, ", ")
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
