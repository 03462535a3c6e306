package audit

import (
	"encoding/json"
	"fmt"
	"io"
)

// RenderText writes the report for people: findings, then the SGs and ENIs
// nearest their quotas (all of them with verbose).
func RenderText(w io.Writer, r Report, verbose bool) error {
	p := &printer{w: w}
	p.f("Audit of cluster %s in %s\n", r.Cluster, r.VPCID)
	if len(r.Findings) == 0 {
		p.f("\nNo findings.\n")
	}
	for _, f := range r.Findings {
		mark := "!"
		if f.Severity == Info {
			mark = "i"
		}
		p.f("%s %-28s %s", mark, f.Kind, f.Resource)
		if f.Rule != "" {
			p.f("  %s", f.Rule)
		}
		if f.Target != "" {
			p.f("  %s", f.Target)
		}
		p.f("\n    %s", f.Detail)
		if f.Fixable {
			p.f(" [fixable]")
		}
		p.f("\n")
	}
	p.f("\nQuota headroom:\n")
	for _, q := range r.Quotas {
		switch {
		case q.Type == "eni" && (verbose || q.Groups*2 > q.Limit):
			p.f("  %-24s %d/%d security groups\n", q.Resource, q.Groups, q.Limit)
		case q.Type == "security-group" && (verbose || max(q.IPv4, q.IPv6)*2 > q.Limit):
			p.f("  %-24s inbound IPv4 %d/%d, IPv6 %d/%d\n", q.Resource, q.IPv4, q.Limit, q.IPv6, q.Limit)
		}
	}
	if !verbose {
		p.f("  (only security groups and ENIs over half their quota; -v lists all)\n")
	}
	p.f("\n%d problems, %d notes.\n", r.Problems(), len(r.Findings)-r.Problems())
	return p.err
}

// RenderJSON writes the report as indented JSON.
func RenderJSON(w io.Writer, r Report) error {
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	if r.Quotas == nil {
		r.Quotas = []Quota{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Report
		Problems int `json:"problems"`
	}{r, r.Problems()})
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}
