package shield

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/jsonapi"
)

// TargetPrefix is the X-Amz-Target prefix of Shield's operations.
const TargetPrefix = "AWSShield_20160616."

// Protection is one Shield Advanced protection.
type Protection struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	ResourceARN string            `json:"resourceArn"`
	Seq         int64             `json:"seq"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// Backend holds the account's subscription and protections.
type Backend struct {
	env         *core.Env
	active      bool
	protections map[string]*Protection // by ID
	seq         int64
	// LoadBalancer, when set, answers whether an ELBv2 load balancer
	// exists and its type.
	LoadBalancer func(arn string) (typ string, ok bool)
}

// New returns an unsubscribed account without protections.
func New(env *core.Env) *Backend {
	b := &Backend{env: env}
	b.Reset()
	return b
}

// Mutating reports whether an action changes state.
func Mutating(action string) bool {
	switch action {
	case "CreateSubscription", "CreateProtection", "DeleteProtection":
		return true
	}
	return false
}

// SetSubscribed sets the subscription state (seed and control API).
func (b *Backend) SetSubscribed(on bool) { b.active = on }

// Protections returns a copy of the protections, in creation order.
func (b *Backend) Protections() []Protection {
	out := make([]Protection, 0, len(b.protections))
	for _, p := range b.protections {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

var nameRE = regexp.MustCompile(`^[ a-zA-Z0-9_\.\-]{1,128}$`)

func notFound(what string) *jsonapi.Error {
	return jsonapi.BadRequest("ResourceNotFoundException", "The referenced %s does not exist.", what)
}

func (b *Backend) render(p *Protection) map[string]any {
	return map[string]any{
		"Id": p.ID, "Name": p.Name, "ResourceArn": p.ResourceARN,
		"ProtectionArn":  fmt.Sprintf("arn:aws:shield::%s:protection/%s", b.env.Account, p.ID),
		"HealthCheckIds": []string{},
	}
}

type input struct {
	Name         string `json:"Name"`
	ResourceArn  string `json:"ResourceArn"`
	ProtectionID string `json:"ProtectionId"`
	Tags         []struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	} `json:"Tags"`
	MaxResults       int    `json:"MaxResults"`
	NextToken        string `json:"NextToken"`
	InclusionFilters *struct {
		ResourceArns    []string `json:"ResourceArns"`
		ProtectionNames []string `json:"ProtectionNames"`
		ResourceTypes   []string `json:"ResourceTypes"`
	} `json:"InclusionFilters"`
}

// Serve runs one action on its JSON body and returns the reply body.
func (b *Backend) Serve(action string, body []byte) (any, *jsonapi.Error) {
	var in input
	if err := jsonapi.Decode(body, &in); err != nil {
		return nil, err
	}
	switch action {
	case "GetSubscriptionState":
		st := "INACTIVE"
		if b.active {
			st = "ACTIVE"
		}
		return map[string]string{"SubscriptionState": st}, nil
	case "CreateSubscription":
		b.active = true
		return struct{}{}, nil
	case "CreateProtection":
		return b.create(in)
	case "DeleteProtection":
		if _, ok := b.protections[in.ProtectionID]; !ok {
			return nil, notFound("protection")
		}
		delete(b.protections, in.ProtectionID)
		return struct{}{}, nil
	case "DescribeProtection":
		if (in.ProtectionID == "") == (in.ResourceArn == "") {
			return nil, jsonapi.BadRequest("InvalidParameterException", "Exactly one of ProtectionId and ResourceArn must be given.")
		}
		for _, p := range b.protections {
			if p.ID == in.ProtectionID || (in.ResourceArn != "" && p.ResourceARN == in.ResourceArn) {
				return map[string]any{"Protection": b.render(p)}, nil
			}
		}
		return nil, notFound("protection")
	case "ListProtections":
		return b.list(in)
	}
	return nil, jsonapi.BadRequest("UnknownOperationException", "operation %s is not emulated", action)
}

func (b *Backend) create(in input) (any, *jsonapi.Error) {
	if !b.active {
		return nil, notFound("subscription")
	}
	if !nameRE.MatchString(in.Name) {
		return nil, jsonapi.BadRequest("InvalidParameterException", "Invalid protection name.")
	}
	if !strings.HasPrefix(in.ResourceArn, "arn:") {
		return nil, jsonapi.BadRequest("InvalidResourceException", "Invalid resource ARN %s.", in.ResourceArn)
	}
	if strings.Contains(in.ResourceArn, ":elasticloadbalancing:") && b.LoadBalancer != nil {
		if _, ok := b.LoadBalancer(in.ResourceArn); !ok {
			return nil, jsonapi.BadRequest("InvalidResourceException", "Unable to find resource %s.", in.ResourceArn)
		}
	}
	for _, p := range b.protections {
		if p.ResourceARN == in.ResourceArn {
			return nil, jsonapi.BadRequest("ResourceAlreadyExistsException", "The referenced protection already exists.")
		}
	}
	b.seq++
	p := &Protection{ID: jsonapi.UUID(b.env.IDs), Name: in.Name, ResourceARN: in.ResourceArn, Seq: b.seq}
	for _, t := range in.Tags {
		if p.Tags == nil {
			p.Tags = map[string]string{}
		}
		p.Tags[t.Key] = t.Value
	}
	b.protections[p.ID] = p
	return map[string]string{"ProtectionId": p.ID}, nil
}

func resourceType(arn string) string {
	switch {
	case strings.Contains(arn, ":loadbalancer/app/"):
		return "APPLICATION_LOAD_BALANCER"
	case strings.Contains(arn, ":elasticloadbalancing:"):
		return "CLASSIC_LOAD_BALANCER"
	case strings.Contains(arn, ":cloudfront:"):
		return "CLOUDFRONT_DISTRIBUTION"
	case strings.Contains(arn, ":eip-allocation/"):
		return "ELASTIC_IP_ALLOCATION"
	case strings.Contains(arn, ":route53:"):
		return "ROUTE_53_HOSTED_ZONE"
	case strings.Contains(arn, ":globalaccelerator:"):
		return "GLOBAL_ACCELERATOR"
	}
	return ""
}

func (b *Backend) list(in input) (any, *jsonapi.Error) {
	if in.MaxResults < 0 || in.MaxResults > 10000 {
		return nil, jsonapi.BadRequest("InvalidParameterException", "Invalid MaxResults.")
	}
	var all []*Protection
	for _, p := range b.Protections() {
		if f := in.InclusionFilters; f != nil {
			if len(f.ResourceArns) > 0 && !slices.Contains(f.ResourceArns, p.ResourceARN) ||
				len(f.ProtectionNames) > 0 && !slices.Contains(f.ProtectionNames, p.Name) ||
				len(f.ResourceTypes) > 0 && !slices.Contains(f.ResourceTypes, resourceType(p.ResourceARN)) {
				continue
			}
		}
		all = append(all, b.protections[p.ID])
	}
	start, end, next, ok := jsonapi.Page(in.NextToken, in.MaxResults, len(all), 100)
	if !ok {
		return nil, jsonapi.BadRequest("InvalidPaginationTokenException", "Invalid pagination token.")
	}
	out := []map[string]any{}
	for _, p := range all[start:end] {
		out = append(out, b.render(p))
	}
	res := map[string]any{"Protections": out}
	if next != "" {
		res["NextToken"] = next
	}
	return res, nil
}

type persisted struct {
	Active      bool                   `json:"active"`
	Seq         int64                  `json:"seq"`
	Protections map[string]*Protection `json:"protections"`
}

// Snapshot returns the state as JSON.
func (b *Backend) Snapshot() (json.RawMessage, error) {
	return json.Marshal(persisted{Active: b.active, Seq: b.seq, Protections: b.protections})
}

// Restore loads what Snapshot saved.
func (b *Backend) Restore(raw json.RawMessage) error {
	p := persisted{}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
	}
	b.Reset()
	b.active, b.seq = p.Active, p.Seq
	if p.Protections != nil {
		b.protections = p.Protections
	}
	return nil
}

// Reset drops the subscription and every protection.
func (b *Backend) Reset() {
	b.active, b.protections, b.seq = false, map[string]*Protection{}, 0
}
