package wafv2

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/jsonapi"
)

// TargetPrefix is the X-Amz-Target prefix of WAFv2's operations.
const TargetPrefix = "AWSWAF_20190729."

// WebACL is one REGIONAL web ACL.
type WebACL struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	ARN              string            `json:"arn"`
	Description      string            `json:"description,omitempty"`
	LockToken        string            `json:"lockToken"`
	Seq              int64             `json:"seq"`
	DefaultAction    json.RawMessage   `json:"defaultAction,omitempty"`
	VisibilityConfig json.RawMessage   `json:"visibilityConfig,omitempty"`
	Rules            json.RawMessage   `json:"rules,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
}

// Backend holds the account's web ACLs and associations.
type Backend struct {
	env   *core.Env
	acls  map[string]*WebACL // by ARN
	assoc map[string]string  // resource ARN → web ACL ARN
	seq   int64
	// LoadBalancer, when set, answers whether an ELBv2 load balancer
	// exists and its type ("application", "network", …).
	LoadBalancer func(arn string) (typ string, ok bool)
}

// New returns an empty backend.
func New(env *core.Env) *Backend {
	return &Backend{env: env, acls: map[string]*WebACL{}, assoc: map[string]string{}}
}

// Mutating reports whether an action changes state.
func Mutating(action string) bool {
	switch action {
	case "CreateWebACL", "DeleteWebACL", "AssociateWebACL", "DisassociateWebACL":
		return true
	}
	return false
}

var nameRE = regexp.MustCompile(`^[\w\-]{1,128}$`)

func invalid(field, param, reason string) *jsonapi.Error {
	return jsonapi.BadRequest("WAFInvalidParameterException", "Error reason: %s, field: %s, parameter: %s", reason, field, param)
}

func nonexistent() *jsonapi.Error {
	return jsonapi.BadRequest("WAFNonexistentItemException", "WAF couldn’t perform the operation because your resource doesn’t exist.")
}

func checkScope(scope string) *jsonapi.Error {
	switch scope {
	case "REGIONAL":
		return nil
	case "CLOUDFRONT":
		return invalid("SCOPE_VALUE", scope, "The scope is not valid")
	}
	return invalid("SCOPE_VALUE", scope, "The scope is not valid")
}

type summary struct {
	ARN         string `json:"ARN"`
	Description string `json:"Description,omitempty"`
	ID          string `json:"Id"`
	LockToken   string `json:"LockToken"`
	Name        string `json:"Name"`
}

func (a *WebACL) summary() summary {
	return summary{ARN: a.ARN, Description: a.Description, ID: a.ID, LockToken: a.LockToken, Name: a.Name}
}

func (a *WebACL) detail() map[string]any {
	d := map[string]any{
		"ARN": a.ARN, "Id": a.ID, "Name": a.Name, "Capacity": 0,
		"DefaultAction": a.DefaultAction, "VisibilityConfig": a.VisibilityConfig,
		"LabelNamespace":               fmt.Sprintf("awswaf:%s:webacl:%s:", strings.Split(a.ARN, ":")[4], a.Name),
		"ManagedByFirewallManager":     false,
		"RetrofittedByFirewallManager": false,
	}
	if a.Description != "" {
		d["Description"] = a.Description
	}
	if len(a.Rules) > 0 {
		d["Rules"] = a.Rules
	} else {
		d["Rules"] = []any{}
	}
	return d
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type createInput struct {
	Name             string          `json:"Name"`
	Scope            string          `json:"Scope"`
	Description      string          `json:"Description"`
	DefaultAction    json.RawMessage `json:"DefaultAction"`
	VisibilityConfig json.RawMessage `json:"VisibilityConfig"`
	Rules            json.RawMessage `json:"Rules"`
	Tags             []tag           `json:"Tags"`
}

type namedInput struct {
	Name      string `json:"Name"`
	Scope     string `json:"Scope"`
	ID        string `json:"Id"`
	ARN       string `json:"ARN"`
	LockToken string `json:"LockToken"`
}

type listInput struct {
	Scope      string `json:"Scope"`
	Limit      int    `json:"Limit"`
	NextMarker string `json:"NextMarker"`
}

type assocInput struct {
	WebACLArn    string `json:"WebACLArn"`
	ResourceArn  string `json:"ResourceArn"`
	ResourceType string `json:"ResourceType"`
}

// Serve runs one action on its JSON body and returns the reply body.
func (b *Backend) Serve(action string, body []byte) (any, *jsonapi.Error) {
	if Mutating(action) {
		b.prune() // under the write lock only
	}
	switch action {
	case "CreateWebACL":
		var in createInput
		if err := jsonapi.Decode(body, &in); err != nil {
			return nil, err
		}
		return b.create(in)
	case "GetWebACL":
		var in namedInput
		if err := jsonapi.Decode(body, &in); err != nil {
			return nil, err
		}
		a, err := b.lookup(in)
		if err != nil {
			return nil, err
		}
		return map[string]any{"WebACL": a.detail(), "LockToken": a.LockToken}, nil
	case "ListWebACLs":
		var in listInput
		if err := jsonapi.Decode(body, &in); err != nil {
			return nil, err
		}
		return b.list(in)
	case "DeleteWebACL":
		var in namedInput
		if err := jsonapi.Decode(body, &in); err != nil {
			return nil, err
		}
		return b.delete(in)
	case "AssociateWebACL":
		var in assocInput
		if err := jsonapi.Decode(body, &in); err != nil {
			return nil, err
		}
		a, ok := b.acls[in.WebACLArn]
		if !ok {
			return nil, nonexistent()
		}
		if err := b.checkResource(in.ResourceArn); err != nil {
			return nil, err
		}
		b.assoc[in.ResourceArn] = a.ARN
		return struct{}{}, nil
	case "DisassociateWebACL":
		var in assocInput
		if err := jsonapi.Decode(body, &in); err != nil {
			return nil, err
		}
		if err := b.checkResource(in.ResourceArn); err != nil {
			return nil, err
		}
		delete(b.assoc, in.ResourceArn)
		return struct{}{}, nil
	case "GetWebACLForResource":
		var in assocInput
		if err := jsonapi.Decode(body, &in); err != nil {
			return nil, err
		}
		if err := b.checkResource(in.ResourceArn); err != nil {
			return nil, err
		}
		if arn, ok := b.assoc[in.ResourceArn]; ok {
			return map[string]any{"WebACL": b.acls[arn].detail()}, nil
		}
		return struct{}{}, nil
	case "ListResourcesForWebACL":
		var in assocInput
		if err := jsonapi.Decode(body, &in); err != nil {
			return nil, err
		}
		if _, ok := b.acls[in.WebACLArn]; !ok {
			return nil, nonexistent()
		}
		if in.ResourceType != "" && in.ResourceType != "APPLICATION_LOAD_BALANCER" {
			return map[string]any{"ResourceArns": []string{}}, nil
		}
		out := []string{}
		for res, acl := range b.assoc {
			if acl == in.WebACLArn && b.live(res) {
				out = append(out, res)
			}
		}
		sort.Strings(out)
		return map[string]any{"ResourceArns": out}, nil
	}
	return nil, jsonapi.BadRequest("UnknownOperationException", "operation %s is not emulated", action)
}

func (b *Backend) create(in createInput) (any, *jsonapi.Error) {
	if err := checkScope(in.Scope); err != nil {
		return nil, err
	}
	if !nameRE.MatchString(in.Name) {
		return nil, invalid("NAME", in.Name, "The name is not valid")
	}
	if len(in.DefaultAction) == 0 || string(in.DefaultAction) == "null" {
		return nil, invalid("DEFAULT_ACTION", "null", "A required field is missing")
	}
	if len(in.VisibilityConfig) == 0 || string(in.VisibilityConfig) == "null" {
		return nil, invalid("VISIBILITY_CONFIG", "null", "A required field is missing")
	}
	for _, a := range b.acls {
		if a.Name == in.Name {
			return nil, jsonapi.BadRequest("WAFDuplicateItemException", "AWS WAF couldn’t perform the operation because some resource in your request is a duplicate of an existing one.")
		}
	}
	a := b.add(in.Name, jsonapi.UUID(b.env.IDs))
	a.Description, a.DefaultAction, a.VisibilityConfig, a.Rules = in.Description, in.DefaultAction, in.VisibilityConfig, in.Rules
	for _, t := range in.Tags {
		if a.Tags == nil {
			a.Tags = map[string]string{}
		}
		a.Tags[t.Key] = t.Value
	}
	return map[string]any{"Summary": a.summary()}, nil
}

func (b *Backend) add(name, id string) *WebACL {
	b.seq++
	a := &WebACL{
		ID: id, Name: name, Seq: b.seq, LockToken: jsonapi.UUID(b.env.IDs),
		ARN: fmt.Sprintf("arn:aws:wafv2:%s:%s:regional/webacl/%s/%s", b.env.Region, b.env.Account, name, id),
	}
	b.acls[a.ARN] = a
	return a
}

func (b *Backend) lookup(in namedInput) (*WebACL, *jsonapi.Error) {
	if in.ARN != "" {
		if a, ok := b.acls[in.ARN]; ok {
			return a, nil
		}
		return nil, nonexistent()
	}
	if err := checkScope(in.Scope); err != nil {
		return nil, err
	}
	for _, a := range b.acls {
		if a.ID == in.ID && a.Name == in.Name {
			return a, nil
		}
	}
	return nil, nonexistent()
}

func (b *Backend) sorted() []*WebACL {
	out := make([]*WebACL, 0, len(b.acls))
	for _, a := range b.acls {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

func (b *Backend) list(in listInput) (any, *jsonapi.Error) {
	if err := checkScope(in.Scope); err != nil {
		return nil, err
	}
	if in.Limit < 0 || in.Limit > 100 {
		return nil, invalid("LIMIT", fmt.Sprint(in.Limit), "Your input is not valid")
	}
	all := b.sorted()
	start, end, next, ok := jsonapi.Page(in.NextMarker, in.Limit, len(all), 100)
	if !ok {
		return nil, invalid("NEXT_MARKER", in.NextMarker, "The marker is not valid")
	}
	out := []summary{}
	for _, a := range all[start:end] {
		out = append(out, a.summary())
	}
	res := map[string]any{"WebACLs": out}
	if next != "" {
		res["NextMarker"] = next
	}
	return res, nil
}

func (b *Backend) delete(in namedInput) (any, *jsonapi.Error) {
	a, err := b.lookup(in)
	if err != nil {
		return nil, err
	}
	if in.LockToken != a.LockToken {
		return nil, jsonapi.BadRequest("WAFOptimisticLockException", "AWS WAF couldn’t save your changes because you tried to update or delete a resource that has changed since you last retrieved it. Get the resource again, make any changes you need to make to the new copy, and retry your operation.")
	}
	for _, acl := range b.assoc {
		if acl == a.ARN {
			return nil, jsonapi.BadRequest("WAFAssociatedItemException", "AWS WAF couldn’t perform the operation because your resource is being used by another resource or it’s associated with another resource.")
		}
	}
	delete(b.acls, a.ARN)
	return map[string]any{}, nil
}

// checkResource accepts an existing Application Load Balancer's ARN.
func (b *Backend) checkResource(arn string) *jsonapi.Error {
	if !strings.HasPrefix(arn, "arn:") {
		return invalid("RESOURCE_ARN", arn, "The ARN isn’t valid")
	}
	if !strings.Contains(arn, ":elasticloadbalancing:") {
		return nonexistent() // other resource types are not emulated
	}
	if !strings.Contains(arn, ":loadbalancer/app/") {
		return invalid("RESOURCE_ARN", arn, "The ARN isn’t valid")
	}
	if b.LoadBalancer != nil {
		if _, ok := b.LoadBalancer(arn); !ok {
			return nonexistent()
		}
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

// prune drops the associations of load balancers that are gone.
func (b *Backend) prune() {
	if b.LoadBalancer == nil {
		return
	}
	for res := range b.assoc {
		if _, ok := b.LoadBalancer(res); !ok {
			delete(b.assoc, res)
		}
	}
}

// Seeded is a web ACL placed by a seed under a fixed ID, default action
// ALLOW.
type Seeded struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

// Add stores a seeded web ACL and returns its ARN.
func (b *Backend) Add(s Seeded) string {
	a := b.add(s.Name, s.ID)
	a.DefaultAction = json.RawMessage(`{"Allow":{}}`)
	a.VisibilityConfig = json.RawMessage(fmt.Sprintf(`{"SampledRequestsEnabled":false,"CloudWatchMetricsEnabled":false,"MetricName":%q}`, s.Name))
	return a.ARN
}

// Association returns the ARN of the web ACL associated with a resource.
func (b *Backend) Association(resourceARN string) string {
	if !b.live(resourceARN) {
		return ""
	}
	return b.assoc[resourceARN]
}

// Snapshot returns the state as JSON.
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

// Reset drops every web ACL and association.
func (b *Backend) Reset() {
	b.acls, b.assoc, b.seq = map[string]*WebACL{}, map[string]string{}, 0
}
