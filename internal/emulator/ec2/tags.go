package ec2

import (
	"sort"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// MaxTagResources is CreateTags' and DeleteTags' limit on ResourceId.N.
const MaxTagResources = 1000

// taggable is a resource's tag list with its type and creation time.
type taggable struct {
	id, typ string
	tags    *Tags
}

// resource finds a taggable resource by ID, answering its NotFound code.
func (b *Backend) resource(id string) (taggable, error) {
	prefix, _, _ := strings.Cut(id, "-")
	switch prefix {
	case "vpc":
		if v := b.st.vpcs[id]; v != nil {
			return taggable{id, "vpc", &v.Tags}, nil
		}
		return taggable{}, notFound("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", id)
	case "subnet":
		if s := b.st.subnets[id]; s != nil {
			return taggable{id, "subnet", &s.Tags}, nil
		}
		return taggable{}, notFound("InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist", id)
	case "sg":
		if g := b.st.groups[id]; g != nil {
			return taggable{id, "security-group", &g.Tags}, nil
		}
		return taggable{}, notFound("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
	case "sgr":
		if r := b.st.rules[id]; r != nil {
			return taggable{id, "security-group-rule", &r.Tags}, nil
		}
		return taggable{}, notFound("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
	case "i":
		if i := b.st.instances[id]; i != nil {
			return taggable{id, "instance", &i.Tags}, nil
		}
		return taggable{}, notFound("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
	case "eni":
		if e := b.st.enis[id]; e != nil && b.alive(e) {
			return taggable{id, "network-interface", &e.Tags}, nil
		}
		return taggable{}, notFound("InvalidNetworkInterfaceID.NotFound", "The networkInterface ID '%s' does not exist", id)
	case "eipalloc":
		if a := b.st.addresses[id]; a != nil {
			return taggable{id, "elastic-ip", &a.Tags}, nil
		}
		return taggable{}, notFound("InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist", id)
	}
	return taggable{}, query.BadRequest("InvalidID", "The ID '%s' is not valid", id)
}

func (b *Backend) tagTargets(p query.Params) ([]taggable, error) {
	ids := p.Strings("ResourceId")
	if len(ids) == 0 {
		return nil, query.MissingParameter("ResourceId")
	}
	if len(ids) > MaxTagResources {
		return nil, query.BadRequest("InvalidParameterValue", "The maximum number of resources per request is %d", MaxTagResources)
	}
	out := make([]taggable, 0, len(ids))
	for _, id := range dedupe(ids) {
		t, err := b.resource(id)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (b *Backend) createTags(p query.Params) (any, error) {
	targets, err := b.tagTargets(p)
	if err != nil {
		return nil, err
	}
	tags, err := parseTags(p, true)
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, query.MissingParameter("Tag")
	}
	// The last value of a repeated key wins.
	for _, t := range targets {
		n := len(*t.tags)
		seen := map[string]bool{}
		for _, tp := range tags {
			if !seen[tp.Key] && t.tags.find(tp.Key) < 0 {
				n++
			}
			seen[tp.Key] = true
		}
		if n > b.Quotas.TagsPerResource {
			return nil, query.BadRequest("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.")
		}
	}
	for _, t := range targets {
		*t.tags = b.applyTags(*t.tags, tags)
	}
	return nil, nil
}

func (b *Backend) deleteTags(p query.Params) (any, error) {
	targets, err := b.tagTargets(p)
	if err != nil {
		return nil, err
	}
	type del struct {
		key      string
		value    string
		hasValue bool
	}
	var dels []del
	for _, t := range p.Indexed("Tag") {
		k, err := t.Require("Key")
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, query.BadRequest("InvalidParameterValue",
				"Value ( %s ) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use", k)
		}
		v, has := t.Lookup("Value")
		dels = append(dels, del{k, v, has})
	}
	for _, t := range targets {
		if len(dels) == 0 {
			*t.tags = (*t.tags)[:0]
			continue
		}
		for _, d := range dels {
			if i := t.tags.find(d.key); i >= 0 && (!d.hasValue || (*t.tags)[i].Value == d.value) {
				*t.tags = t.tags.remove(i)
			}
		}
	}
	return nil, nil
}

var tagFilters = core.Names("key", "value", "resource-id", "resource-type", "tag-key", "tag-value")

func (b *Backend) describeTags(p query.Params) (any, error) {
	fs, err := core.ParseFilters(p, tagFilters)
	if err != nil {
		return nil, err
	}
	var res []taggable
	addIf := func(id, typ string, t *Tags, created bool) {
		if created && len(*t) > 0 {
			res = append(res, taggable{id, typ, t})
		}
	}
	if ids := exactFilter(fs, "resource-id"); ids != nil {
		for _, id := range dedupe(ids) {
			if t, err := b.resource(id); err == nil {
				addIf(t.id, t.typ, t.tags, b.createdVisible(id))
			}
		}
	} else {
		for _, v := range b.st.vpcs {
			addIf(v.ID, "vpc", &v.Tags, true)
		}
		for _, s := range b.st.subnets {
			addIf(s.ID, "subnet", &s.Tags, true)
		}
		for _, g := range b.st.groups {
			addIf(g.ID, "security-group", &g.Tags, b.visible(g.Created, b.env.Lag.Create))
		}
		for _, r := range b.st.rules {
			addIf(r.ID, "security-group-rule", &r.Tags, b.ruleVisible(r))
		}
		for _, i := range b.st.instances {
			addIf(i.ID, "instance", &i.Tags, b.visible(i.Created, b.env.Lag.Create))
		}
		for _, e := range b.st.enis {
			addIf(e.ID, "network-interface", &e.Tags, b.alive(e) && b.visible(e.Created, b.env.Lag.Create))
		}
		for _, a := range b.st.addresses {
			addIf(a.AllocationID, "elastic-ip", &a.Tags, true)
		}
	}
	sort.Slice(res, func(i, j int) bool { return res[i].id < res[j].id })
	var match []tagDescription
	for _, r := range res {
		for _, tg := range *r.tags {
			if !b.visible(tg.At, b.env.Lag.Tags) {
				continue
			}
			ok := true
			for _, f := range fs {
				var val string
				switch f.Name {
				case "key", "tag-key":
					val = tg.Key
				case "value", "tag-value":
					val = tg.Value
				case "resource-id":
					val = r.id
				case "resource-type":
					val = r.typ
				default: // tag:<k> on the resource
					_, ok2 := b.matchTags(f, *r.tags)
					ok = ok && ok2
					continue
				}
				ok = ok && core.MatchAny(f.Values, val)
			}
			if ok {
				match = append(match, tagDescription{ResourceID: r.id, ResourceType: r.typ, Key: tg.Key, Value: tg.Value})
			}
		}
	}
	pg, err := core.EC2Page(p, len(match))
	if err != nil {
		return nil, err
	}
	return &describeTagsReply{Tags: query.ItemsOf(match[pg.Start:pg.End]), NextToken: pg.Next}, nil
}

// createdVisible reports whether a resource is past its create lag.
func (b *Backend) createdVisible(id string) bool {
	if g := b.st.groups[id]; g != nil {
		return b.visible(g.Created, b.env.Lag.Create)
	}
	if r := b.st.rules[id]; r != nil {
		return b.ruleVisible(r)
	}
	if i := b.st.instances[id]; i != nil {
		return b.visible(i.Created, b.env.Lag.Create)
	}
	if e := b.st.enis[id]; e != nil {
		return b.visible(e.Created, b.env.Lag.Create)
	}
	return true
}
