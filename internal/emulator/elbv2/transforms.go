package elbv2

import (
	"regexp"

	"github.com/lbsg/lbsg/internal/emulator/query"
)

// transform is a stored rule transform.
type transform struct {
	Type     string    `json:"type"`
	Rewrites []rewrite `json:"rewrites"`
}

type rewrite struct {
	Regex   string `json:"regex"`
	Replace string `json:"replace"`
}

// transformConfigs maps a transform type to its config member.
var transformConfigs = map[string][]string{
	"host-header-rewrite": {"HostHeaderRewriteConfig"},
	"url-rewrite":         {"UrlRewriteConfig"},
}

// maxRewriteLength is AWS's limit on a rewrite's regex and replacement.
const maxRewriteLength = 1024

// parseTransforms reads Transforms.member.N: a type, its config's
// rewrites (each a compiling regex and a replacement, both required and
// at most 1,024 characters), at most one transform of each type.
func parseTransforms(p query.Params) ([]transform, error) {
	var out []transform
	seen := map[string]bool{}
	for _, m := range p.Members("Transforms") {
		t := transform{Type: m.Get("Type")}
		cfg, known := transformConfigs[t.Type]
		switch {
		case t.Type == "":
			return nil, query.ValidationError("A transform type must be specified")
		case !known:
			return nil, query.ValidationError("Transform type '%s' is not valid", t.Type)
		case seen[t.Type]:
			return nil, query.ValidationError("A rule can have only one '%s' transform", t.Type)
		}
		seen[t.Type] = true
		if err := configFor(m, "transform type", t.Type, transformConfigs); err != nil {
			return nil, err
		}
		for _, rw := range m.Sub(cfg[0]).Members("Rewrites") {
			r := rewrite{Regex: rw.Get("Regex"), Replace: rw.Get("Replace")}
			switch {
			case r.Regex == "" || !rw.Has("Replace"):
				return nil, query.ValidationError("A rewrite must have a regex and a replacement")
			case len(r.Regex) > maxRewriteLength || len(r.Replace) > maxRewriteLength:
				return nil, query.ValidationError("A rewrite regex and replacement can be at most %d characters", maxRewriteLength)
			}
			if _, err := regexp.Compile(r.Regex); err != nil {
				return nil, query.ValidationError("Rewrite regex '%s' is not a valid regular expression", r.Regex)
			}
			t.Rewrites = append(t.Rewrites, r)
		}
		if len(t.Rewrites) == 0 {
			return nil, query.ValidationError("A '%s' transform must have at least one rewrite", t.Type)
		}
		out = append(out, t)
	}
	return out, nil
}

type xRewrite struct {
	Regex   string `xml:"Regex"`
	Replace string `xml:"Replace"`
}

type xRewrites struct {
	Rewrites []xRewrite `xml:"Rewrites>member"`
}

type xTransform struct {
	Type                    string     `xml:"Type"`
	HostHeaderRewriteConfig *xRewrites `xml:"HostHeaderRewriteConfig,omitempty"`
	URLRewriteConfig        *xRewrites `xml:"UrlRewriteConfig,omitempty"`
}

// xTransforms is rendered only for a rule with transforms.
type xTransforms struct {
	Members []xTransform `xml:"member"`
}

func renderTransforms(ts []transform) *xTransforms {
	if len(ts) == 0 {
		return nil
	}
	out := &xTransforms{}
	for _, t := range ts {
		rws := &xRewrites{}
		for _, r := range t.Rewrites {
			rws.Rewrites = append(rws.Rewrites, xRewrite(r))
		}
		x := xTransform{Type: t.Type}
		if t.Type == "host-header-rewrite" {
			x.HostHeaderRewriteConfig = rws
		} else {
			x.URLRewriteConfig = rws
		}
		out.Members = append(out.Members, x)
	}
	return out
}

// membersOrNil is the rendered transforms (nil: none).
func (x *xTransforms) membersOrNil() []xTransform {
	if x == nil {
		return nil
	}
	return x.Members
}
