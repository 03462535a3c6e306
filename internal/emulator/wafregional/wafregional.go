package wafregional

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/jsonapi"
)

// TargetPrefix is the X-Amz-Target prefix of WAF Regional's operations.
const TargetPrefix = "AWSWAF_Regional_20161128."

// WebACL is one WAF Classic regional web ACL.
type WebACL struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	MetricName    string            `json:"metricName"`
	DefaultAction string            `json:"defaultAction"`
	Seq           int64             `json:"seq"`
	Tags          map[string]string `json:"tags,omitempty"`
}

// Backend holds the account's WAF Classic regional state.
type Backend struct {
	env    *core.Env
	acls   map[string]*WebACL // by ID
	assoc  map[string]string  // resource ARN → web ACL ID
	tokens map[string]string  // change token → PROVISIONED | INSYNC
	seq    int64
	// LoadBalancer, when set, answers whether an ELBv2 load balancer
	// exists and its type.
	LoadBalancer func(arn string) (typ string, ok bool)
}

// New returns an empty backend.
func New(env *core.Env) *Backend {
	b := &Backend{env: env}
	b.Reset()
	return b
}

// Mutating reports whether an action changes state.
func Mutating(action string) bool {
	switch action {
	case "GetChangeToken", "CreateWebACL", "DeleteWebACL", "AssociateWebACL", "DisassociateWebACL":
		return true
	}
	return false
}

var metricRE = regexp.MustCompile(`^[a-zA-Z0-9]{1,128}$`)

func invalid(field, param, reason string) *jsonapi.Error {
	return &jsonapi.Error{Status: 400, Type: "WAFInvalidParameterException", Msg: fmt.Sprintf("Error reason: %s, field: %s, parameter: %s", reason, field, param)}
}

func nonexistent() *jsonapi.Error {
	return jsonapi.BadRequest("WAFNonexistentItemException", "The referenced item does not exist.")
}

func (b *Backend) arn(id string) string {
	return fmt.Sprintf("arn:aws:waf-regional:%s:%s:webacl/%s", b.env.Region, b.env.Account, id)
}

func (b *Backend) detail(a *WebACL) map[string]any {
	return map[string]any{
		"WebACLId": a.ID, "Name": a.Name, "MetricName": a.MetricName,
		"DefaultAction": map[string]string{"Type": a.DefaultAction},
		"Rules":         []any{}, "WebACLArn": b.arn(a.ID),
	}
}

type input struct {
	ChangeToken   string `json:"ChangeToken"`
	Name          string `json:"Name"`
	MetricName    string `json:"MetricName"`
	DefaultAction *struct {
		Type string `json:"Type"`
	} `json:"DefaultAction"`
	Tags []struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	} `json:"Tags"`
	WebACLID    string `json:"WebACLId"`
	ResourceArn string `json:"ResourceArn"`
	NextMarker  string `json:"NextMarker"`
	Limit       int    `json:"Limit"`
}

// Serve runs one action on its JSON body and returns the reply body.
func (b *Backend) Serve(action string, body []byte) (any, *jsonapi.Error) {
	var in input
	if err := jsonapi.Decode(body, &in); err != nil {
		return nil, err
	}
	if Mutating(action) {
		b.prune()
	}
	switch action {
	case "GetChangeToken":
		tok := jsonapi.UUID(b.env.IDs)
		b.tokens[tok] = "PROVISIONED"
		return map[string]string{"ChangeToken": tok}, nil
	case "GetChangeTokenStatus":
		st, ok := b.tokens[in.ChangeToken]
		if !ok {
			return nil, nonexistent()
		}
		return map[string]string{"ChangeTokenStatus": st}, nil
	case "CreateWebACL":
		return b.create(in)
	case "GetWebACL":
		a, ok := b.acls[in.WebACLID]
		if !ok {
			return nil, nonexistent()
		}
		return map[string]any{"WebACL": b.detail(a)}, nil
	case "ListWebACLs":
		return b.list(in)
	case "DeleteWebACL":
		a, ok := b.acls[in.WebACLID]
		if !ok {
			return nil, nonexistent()
		}
		for _, id := range b.assoc {
			if id == a.ID {
				return nil, jsonapi.BadRequest("WAFReferencedItemException", "This entity is still in use.")
			}
		}
		if err := b.spend(in.ChangeToken); err != nil {
			return nil, err
		}
		delete(b.acls, a.ID)
		return map[string]string{"ChangeToken": in.ChangeToken}, nil
	case "AssociateWebACL":
		if _, ok := b.acls[in.WebACLID]; !ok {
			return nil, nonexistent()
		}
		if err := b.checkResource(in.ResourceArn); err != nil {
			return nil, err
		}
		b.assoc[in.ResourceArn] = in.WebACLID
		return struct{}{}, nil
	case "DisassociateWebACL":
		if err := b.checkResource(in.ResourceArn); err != nil {
			return nil, err
		}
		delete(b.assoc, in.ResourceArn)
		return struct{}{}, nil
	case "GetWebACLForResource":
		if err := b.checkResource(in.ResourceArn); err != nil {
			return nil, err
		}
		if id, ok := b.assoc[in.ResourceArn]; ok {
			return map[string]any{"WebACLSummary": map[string]string{"WebACLId": id, "Name": b.acls[id].Name}}, nil
		}
		return struct{}{}, nil
	}
	return nil, jsonapi.BadRequest("UnknownOperationException", "operation %s is not emulated", action)
}

// spend uses a change token once.
func (b *Backend) spend(tok string) *jsonapi.Error {
	if b.tokens[tok] != "PROVISIONED" {
		return jsonapi.BadRequest("WAFStaleDataException", "The input token is no longer current.")
	}
	b.tokens[tok] = "INSYNC"
	return nil
}

func (b *Backend) create(in input) (any, *jsonapi.Error) {
	if in.Name == "" || len(in.Name) > 128 {
		return nil, invalid("NAME", in.Name, "The name is not valid")
	}
	if !metricRE.MatchString(in.MetricName) {
		return nil, invalid("METRIC_NAME", in.MetricName, "The metric name is not valid")
	}
	if in.DefaultAction == nil {
		return nil, invalid("WAF_ACTION", "null", "A required field is missing")
	}
	switch in.DefaultAction.Type {
	case "BLOCK", "ALLOW", "COUNT":
	default:
		return nil, invalid("WAF_ACTION", in.DefaultAction.Type, "The action type is not valid")
	}
	for _, a := range b.acls {
		if a.Name == in.Name {
			return nil, jsonapi.BadRequest("WAFDisallowedNameException", "The name %s is already in use.", in.Name)
		}
	}
	if err := b.spend(in.ChangeToken); err != nil {
		return nil, err
	}
	a := b.add(in.Name, jsonapi.UUID(b.env.IDs), in.MetricName, in.DefaultAction.Type)
	for _, t := range in.Tags {
		if a.Tags == nil {
			a.Tags = map[string]string{}
		}
		a.Tags[t.Key] = t.Value
	}
	return map[string]any{"WebACL": b.detail(a), "ChangeToken": in.ChangeToken}, nil
}

func (b *Backend) add(name, id, metric, action string) *WebACL {
	b.seq++
	a := &WebACL{ID: id, Name: name, MetricName: metric, DefaultAction: action, Seq: b.seq}
	b.acls[id] = a
	return a
}

func (b *Backend) list(in input) (any, *jsonapi.Error) {
	if in.Limit < 0 || in.Limit > 100 {
		return nil, invalid("LIMIT", fmt.Sprint(in.Limit), "The limit is not valid")
	}
	all := make([]*WebACL, 0, len(b.acls))
	for _, a := range b.acls {
		all = append(all, a)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Seq < all[j].Seq })
	start, end, next, ok := jsonapi.Page(in.NextMarker, in.Limit, len(all), 100)
	if !ok {
		return nil, invalid("NEXT_MARKER", in.NextMarker, "The marker is not valid")
	}
	out := []map[string]string{}
	for _, a := range all[start:end] {
		out = append(out, map[string]string{"WebACLId": a.ID, "Name": a.Name})
	}
	res := map[string]any{"WebACLs": out}
	if next != "" {
		res["NextMarker"] = next
	}
	return res, nil
}

func (b *Backend) checkResource(arn string) *jsonapi.Error {
	if !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":elasticloadbalancing:") || !strings.Contains(arn, ":loadbalancer/app/") {
		return invalid("RESOURCE_ARN", arn, "The ARN is not valid")
	}
	if !b.live(arn) {
		return nonexistent()
	}
	return nil
}

func (b *Backend) live(res string) bool {
	if b.LoadBalancer == nil {
		return true
	}
	_, ok := b.LoadBalancer(res)
	return ok
}

func (b *Backend) prune() {
	for res := range b.assoc {
		if !b.live(res) {
			delete(b.assoc, res)
		}
	}
}

// Seeded is a web ACL placed by a seed under a fixed ID (default action
// ALLOW, no rules).
type Seeded struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

// Add stores a seeded web ACL.
func (b *Backend) Add(s Seeded) {
	metric := regexp.MustCompile(`[^a-zA-Z0-9]`).ReplaceAllString(s.Name, "")
	b.add(s.Name, s.ID, metric, "ALLOW")
}

// Association returns the ID of the web ACL associated with a resource.
func (b *Backend) Association(resourceARN string) string {
	if !b.live(resourceARN) {
		return ""
	}
	return b.assoc[resourceARN]
}

// Snapshot returns the state as JSON (change tokens are not kept).
func (b *Backend) Snapshot() (json.RawMessage, error) {
	return jsonapi.SnapshotACLs(b.seq, b.acls, b.assoc, b.live)
}

// Restore loads what Snapshot saved.
func (b *Backend) Restore(raw json.RawMessage) error {
	p, err := jsonapi.RestoreACLs[WebACL](raw)
	if err != nil {
		return err
	}
	b.Reset()
	b.seq, b.acls, b.assoc = p.Seq, p.ACLs, p.Assoc
	return nil
}

// Reset drops everything.
func (b *Backend) Reset() {
	b.acls, b.assoc, b.tokens, b.seq = map[string]*WebACL{}, map[string]string{}, map[string]string{}, 0
}
