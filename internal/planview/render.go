package planview

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/lbsg/lbsg/internal/model"
)

// RenderText writes the plan as a readable diff: one block per Service,
// IngressGroup and Gateway, then one per target SG, then the summary.
func RenderText(w io.Writer, r Result) error {
	p := &printer{w: w}
	against := "nothing (offline: every resource is created; <…> are placeholders)"
	if r.Live {
		against = "live AWS state"
	}
	p.f("Plan for cluster %s against %s\n", r.Cluster, against)
	for _, n := range r.Notes {
		p.f("! note: %s\n", n)
	}
	if len(r.Stacks) == 0 {
		p.f("\nNo Service, Ingress or Gateway handled by lbsg in the input.\n")
	}
	for _, sp := range r.Stacks {
		p.f("\n%s", sp.Stack)
		if sp.LoadBalancer != "" {
			kind := "NLB"
			if sp.LoadBalancerType == model.TypeApplication {
				kind = "ALB"
			}
			p.f(" (%s %s)", kind, sp.LoadBalancer)
		}
		p.f("\n")
		if sp.Error != "" {
			p.f("  ! error: %s\n", sp.Error)
		}
		for _, f := range sp.Failed {
			p.f("  ! error: %s\n", f)
		}
		for _, w := range sp.Warnings {
			p.f("  ! warning: %s\n", w)
		}
		for _, ph := range sp.Placeholders {
			p.f("  ? %s\n", ph)
		}
		if sp.Error == "" && len(sp.Changes) == 0 {
			p.f("  (no changes)\n")
		}
		for _, c := range sp.Changes {
			p.change(c)
		}
	}
	for _, t := range r.TargetSGs {
		p.f("\ntarget security group %s\n", t.GroupID)
		for _, c := range t.Changes {
			p.change(c)
		}
	}
	s := r.Summary
	p.f("\nPlan: %d to create, %d to update, %d to delete", s.Create, s.Update, s.Delete)
	if s.Errors > 0 {
		p.f(", %d failed to build", s.Errors)
	}
	p.f(".\n")
	return p.err
}

// RenderJSON writes the plan as indented JSON.
func RenderJSON(w io.Writer, r Result) error {
	if r.Stacks == nil {
		r.Stacks = []StackPlan{}
	}
	if r.TargetSGs == nil {
		r.TargetSGs = []TargetSGPlan{}
	}
	for i := range r.Stacks {
		if r.Stacks[i].Changes == nil {
			r.Stacks[i].Changes = []Change{}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
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

func (p *printer) change(c Change) {
	if c.Detail == "" {
		p.f("  %s %-19s %s\n", c.Op, c.Action, c.Resource)
		return
	}
	p.f("  %s %-19s %s: %s\n", c.Op, c.Action, c.Resource, c.Detail)
}
