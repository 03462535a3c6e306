package route53

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/core"
)

// Namespace is Route 53's XML namespace.
const Namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

// APIPrefix starts every Route 53 request path.
const APIPrefix = "/2013-04-01/"

// maxRecordsPerZone is Route 53's default quota of records per zone.
const maxRecordsPerZone = 10000

// Record is one resource record set.
type Record struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	TTL    int64    `json:"ttl"`
	Values []string `json:"values"`
}

// Zone is one hosted zone.
type Zone struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	Private         bool      `json:"private,omitempty"`
	Comment         string    `json:"comment,omitempty"`
	CallerReference string    `json:"callerReference"`
	Records         []*Record `json:"records"`
}

// Change is one applied change batch.
type Change struct {
	ID          string    `json:"id"`
	SubmittedAt time.Time `json:"submittedAt"`
	Comment     string    `json:"comment,omitempty"`
}

// Backend holds the account's hosted zones.
type Backend struct {
	env     *core.Env
	zones   map[string]*Zone
	changes map[string]*Change
	// Changed, when set, is called after a change batch is applied (ACM's
	// DNS validation looks at the records then).
	Changed func()
}

// New returns an empty backend.
func New(env *core.Env) *Backend {
	return &Backend{env: env, zones: map[string]*Zone{}, changes: map[string]*Change{}}
}

// Error is a Route 53 error reply.
type Error struct {
	Status int
	Code   string
	Msg    string
}

func (e *Error) Error() string { return e.Code + ": " + e.Msg }

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Msg: fmt.Sprintf(format, args...)}
}

func invalidInput(format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, "InvalidInput", format, args...)
}

// Fqdn lowercases a DNS name and ends it with a dot, as Route 53 stores it.
func Fqdn(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

// zoneID strips the /hostedzone/ prefix callers may send.
func zoneID(id string) string {
	return strings.TrimPrefix(strings.TrimPrefix(id, "/hostedzone/"), "hostedzone/")
}

// AddZone creates a hosted zone (the control API's and seeds'; the API
// cannot): its SOA and NS records included. It returns the zone ID.
func (b *Backend) AddZone(name string, private bool, comment string) (string, error) {
	if name == "" || len(name) > 1024 {
		return "", fmt.Errorf("invalid zone name %q", name)
	}
	name = Fqdn(name)
	for _, z := range b.zones {
		if z.Name == name && z.Private == private {
			return "", fmt.Errorf("a %s hosted zone %s already exists (%s)", visibility(private), name, z.ID)
		}
	}
	id := "Z" + strings.ToUpper(b.env.IDs.Hex(20))
	z := &Zone{ID: id, Name: name, Private: private, Comment: comment, CallerReference: "lbsg-" + id}
	z.Records = []*Record{
		{Name: name, Type: "NS", TTL: 172800, Values: []string{"ns-1.awsdns-01.org.", "ns-2.awsdns-02.co.uk.", "ns-3.awsdns-03.com.", "ns-4.awsdns-04.net."}},
		{Name: name, Type: "SOA", TTL: 900, Values: []string{"ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"}},
	}
	b.zones[id] = z
	return id, nil
}

func visibility(private bool) string {
	if private {
		return "private"
	}
	return "public"
}

// HasRecord reports whether a public hosted zone holds a record set of
// name and type with value (what ACM's DNS validation resolves).
func (b *Backend) HasRecord(name, typ, value string) bool {
	name = Fqdn(name)
	for _, z := range b.zones {
		if z.Private {
			continue
		}
		for _, r := range z.Records {
			if r.Name == name && r.Type == typ && slices.ContainsFunc(r.Values, func(v string) bool { return Fqdn(v) == Fqdn(value) }) {
				return true
			}
		}
	}
	return false
}

// Zones lists the zones (tests).
func (b *Backend) Zones() []Zone {
	out := make([]Zone, 0, len(b.zones))
	for _, z := range b.sortedZones() {
		out = append(out, *z)
	}
	return out
}

// Mutating reports whether an operation changes state.
func Mutating(op string) bool { return op == "ChangeResourceRecordSets" }

// Operation names the operation of a request path and method ("" when
// none matches).
func Operation(method, path string) string {
	rest, ok := strings.CutPrefix(path, APIPrefix)
	if !ok {
		return ""
	}
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	switch {
	case method == http.MethodGet && len(parts) == 1 && parts[0] == "hostedzone":
		return "ListHostedZones"
	case method == http.MethodGet && len(parts) == 1 && parts[0] == "hostedzonesbyname":
		return "ListHostedZonesByName"
	case method == http.MethodGet && len(parts) == 2 && parts[0] == "hostedzone":
		return "GetHostedZone"
	case method == http.MethodPost && len(parts) == 3 && parts[0] == "hostedzone" && parts[2] == "rrset":
		return "ChangeResourceRecordSets"
	case method == http.MethodGet && len(parts) == 3 && parts[0] == "hostedzone" && parts[2] == "rrset":
		return "ListResourceRecordSets"
	case method == http.MethodGet && len(parts) == 2 && parts[0] == "change":
		return "GetChange"
	}
	return ""
}

// pathID is the {Id} of a path (its third segment after the version).
func pathID(path string) string {
	parts := strings.Split(strings.TrimPrefix(path, APIPrefix), "/")
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}

// Serve runs one operation and returns the reply document.
func (b *Backend) Serve(op string, r *http.Request, body []byte) (any, *Error) {
	q := r.URL.Query()
	switch op {
	case "ListHostedZones":
		return b.listHostedZones(q.Get("marker"), q.Get("maxitems"))
	case "ListHostedZonesByName":
		return b.listHostedZonesByName(q.Get("dnsname"), q.Get("hostedzoneid"), q.Get("maxitems"))
	case "GetHostedZone":
		z, err := b.zone(pathID(r.URL.Path))
		if err != nil {
			return nil, err
		}
		return &getHostedZoneResponse{HostedZone: z.xml(), DelegationSet: &delegationSet{NameServers: z.Records[0].Values}}, nil
	case "ChangeResourceRecordSets":
		var in changeRequest
		if err := xml.Unmarshal(body, &in); err != nil {
			return nil, errorf(http.StatusBadRequest, "InvalidInput", "Could not parse the request body: %v", err)
		}
		return b.change(pathID(r.URL.Path), in)
	case "ListResourceRecordSets":
		return b.listRecords(pathID(r.URL.Path), q.Get("name"), q.Get("type"), q.Get("maxitems"))
	case "GetChange":
		id := strings.TrimPrefix(pathID(r.URL.Path), "change/")
		c, ok := b.changes[id]
		if !ok {
			return nil, errorf(http.StatusNotFound, "NoSuchChange", "Could not find resource with ID: %s", id)
		}
		return &getChangeResponse{ChangeInfo: c.xml()}, nil
	}
	return nil, errorf(http.StatusBadRequest, "InvalidAction", "operation is not emulated")
}

func (b *Backend) zone(id string) (*Zone, *Error) {
	id = zoneID(id)
	if id == "" || len(id) > 32 {
		return nil, invalidInput("1 validation error detected: Value '%s' at 'hostedZoneId' failed to satisfy constraint: Member must have length less than or equal to 32", id)
	}
	z, ok := b.zones[id]
	if !ok {
		return nil, errorf(http.StatusNotFound, "NoSuchHostedZone", "No hosted zone found with ID: %s", id)
	}
	return z, nil
}

// maxItems reads a maxitems parameter (default and cap: limit).
func maxItems(s string, limit int) (int, *Error) {
	if s == "" {
		return limit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, invalidInput("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must be a positive integer", s)
	}
	return min(n, limit), nil
}

func (b *Backend) sortedZones() []*Zone {
	out := make([]*Zone, 0, len(b.zones))
	for _, z := range b.zones {
		out = append(out, z)
	}
	slices.SortFunc(out, func(x, y *Zone) int { return strings.Compare(x.ID, y.ID) })
	return out
}

func (b *Backend) listHostedZones(marker, max string) (any, *Error) {
	n, err := maxItems(max, 100)
	if err != nil {
		return nil, err
	}
	zones := b.sortedZones()
	start := 0
	if marker != "" {
		start = slices.IndexFunc(zones, func(z *Zone) bool { return z.ID == marker })
		if start < 0 {
			return nil, invalidInput("Invalid marker: %s", marker)
		}
	}
	out := &listHostedZonesResponse{Marker: marker, MaxItems: strconv.Itoa(n), HostedZones: []hostedZoneXML{}}
	end := min(start+n, len(zones))
	for _, z := range zones[start:end] {
		out.HostedZones = append(out.HostedZones, z.xml())
	}
	if end < len(zones) {
		out.IsTruncated, out.NextMarker = true, zones[end].ID
	}
	return out, nil
}

// reversedName orders names as ListHostedZonesByName does: labels
// reversed (com.example.www).
func reversedName(name string) string {
	labels := strings.Split(strings.TrimSuffix(name, "."), ".")
	slices.Reverse(labels)
	return strings.Join(labels, ".")
}

func (b *Backend) listHostedZonesByName(dnsName, id, max string) (any, *Error) {
	n, err := maxItems(max, 100)
	if err != nil {
		return nil, err
	}
	if id != "" && dnsName == "" {
		return nil, invalidInput("The DNSName parameter is required when HostedZoneId is specified")
	}
	zones := b.sortedZones()
	slices.SortStableFunc(zones, func(x, y *Zone) int { return strings.Compare(reversedName(x.Name), reversedName(y.Name)) })
	start := 0
	if dnsName != "" {
		want := reversedName(Fqdn(dnsName))
		start = slices.IndexFunc(zones, func(z *Zone) bool {
			c := strings.Compare(reversedName(z.Name), want)
			return c > 0 || (c == 0 && (id == "" || z.ID >= zoneID(id)))
		})
		if start < 0 {
			start = len(zones)
		}
	}
	out := &listHostedZonesByNameResponse{DNSName: dnsName, HostedZoneID: id, MaxItems: strconv.Itoa(n), HostedZones: []hostedZoneXML{}}
	end := min(start+n, len(zones))
	for _, z := range zones[start:end] {
		out.HostedZones = append(out.HostedZones, z.xml())
	}
	if end < len(zones) {
		out.IsTruncated, out.NextDNSName, out.NextHostedZoneID = true, zones[end].Name, zones[end].ID
	}
	return out, nil
}

// recordTypes are the record types Route 53 accepts.
var recordTypes = []string{"A", "AAAA", "CAA", "CNAME", "DS", "HTTPS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV", "SSHFP", "SVCB", "TLSA", "TXT"}

// change applies a change batch all or nothing, as Route 53 does.
func (b *Backend) change(id string, in changeRequest) (any, *Error) {
	z, err := b.zone(id)
	if err != nil {
		return nil, err
	}
	changes := in.ChangeBatch.Changes
	if len(changes) == 0 {
		return nil, invalidInput("1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(changes) > 1000 {
		return nil, invalidInput("1 validation error detected: Value at 'changeBatch.changes' failed to satisfy constraint: Member must have length less than or equal to 1000")
	}
	recs := make([]*Record, 0, len(z.Records))
	for _, r := range z.Records {
		c := *r
		c.Values = slices.Clone(r.Values)
		recs = append(recs, &c)
	}
	var msgs []string
	for _, c := range changes {
		rs := c.Set
		name, typ := Fqdn(rs.Name), rs.Type
		desc := fmt.Sprintf("resource record set [name='%s', type='%s']", name, typ)
		switch {
		case c.Action != "CREATE" && c.Action != "DELETE" && c.Action != "UPSERT":
			return nil, invalidInput("1 validation error detected: Value '%s' at 'changeBatch.changes.1.member.action' failed to satisfy constraint: Member must satisfy enum value set: [DELETE, CREATE, UPSERT]", c.Action)
		case !slices.Contains(recordTypes, typ):
			return nil, invalidInput("1 validation error detected: Value '%s' at 'changeBatch.changes.1.member.resourceRecordSet.type' failed to satisfy constraint: Member must satisfy enum value set: [%s]", typ, strings.Join(recordTypes, ", "))
		case rs.Name == "":
			return nil, invalidInput("1 validation error detected: Value null at 'changeBatch.changes.1.member.resourceRecordSet.name' failed to satisfy constraint: Member must not be null")
		}
		if name != z.Name && !strings.HasSuffix(name, "."+z.Name) {
			msgs = append(msgs, fmt.Sprintf("RRSet with DNS name %s is not permitted in zone %s", name, z.Name))
			continue
		}
		var values []string
		for _, v := range rs.Records {
			values = append(values, v.Value)
		}
		if c.Action != "DELETE" && (len(values) == 0 || rs.TTL == nil) {
			msgs = append(msgs, fmt.Sprintf("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=%s, Name=%s, Type=%s, SetIdentifier=null]", c.Action, name, typ))
			continue
		}
		if typ == "CNAME" && len(values) > 1 {
			msgs = append(msgs, fmt.Sprintf("%s has more than one value; a CNAME record set holds one", desc))
			continue
		}
		at := slices.IndexFunc(recs, func(r *Record) bool { return r.Name == name && r.Type == typ })
		if typ != "CNAME" && slices.ContainsFunc(recs, func(r *Record) bool { return r.Name == name && r.Type == "CNAME" }) ||
			typ == "CNAME" && slices.ContainsFunc(recs, func(r *Record) bool { return r.Name == name && r.Type != "CNAME" }) {
			if c.Action != "DELETE" {
				msgs = append(msgs, fmt.Sprintf("RRSet of type %s with DNS name %s is not permitted because a conflicting RRSet of type %s with the same DNS name already exists", typ, name, map[bool]string{true: "CNAME", false: "other than CNAME"}[typ != "CNAME"]))
				continue
			}
		}
		switch c.Action {
		case "CREATE":
			if at >= 0 {
				msgs = append(msgs, fmt.Sprintf("Tried to create %s but it already exists", desc))
				continue
			}
			recs = append(recs, &Record{Name: name, Type: typ, TTL: *rs.TTL, Values: values})
		case "UPSERT":
			if (typ == "SOA" || typ == "NS") && name == z.Name && at < 0 {
				msgs = append(msgs, fmt.Sprintf("Tried to create %s but it already exists", desc))
				continue
			}
			if at >= 0 {
				recs[at] = &Record{Name: name, Type: typ, TTL: *rs.TTL, Values: values}
			} else {
				recs = append(recs, &Record{Name: name, Type: typ, TTL: *rs.TTL, Values: values})
			}
		case "DELETE":
			if at < 0 {
				msgs = append(msgs, fmt.Sprintf("Tried to delete %s but it was not found", desc))
				continue
			}
			cur := recs[at]
			if (rs.TTL != nil && *rs.TTL != cur.TTL) || !sameValues(cur.Values, values) {
				msgs = append(msgs, fmt.Sprintf("Tried to delete %s but the values provided do not match the current values", desc))
				continue
			}
			if (typ == "SOA" || typ == "NS") && name == z.Name {
				msgs = append(msgs, fmt.Sprintf("A HostedZone must contain at least one NS record and one SOA record for the zone itself; cannot delete %s", desc))
				continue
			}
			recs = slices.Delete(recs, at, at+1)
		}
	}
	if len(msgs) > 0 {
		return nil, errorf(http.StatusBadRequest, "InvalidChangeBatch", "[%s]", strings.Join(msgs, ", "))
	}
	if len(recs) > maxRecordsPerZone {
		return nil, errorf(http.StatusBadRequest, "InvalidChangeBatch", "[Tried to create %d records in zone %s, exceeding the limit of %d]", len(recs), z.Name, maxRecordsPerZone)
	}
	z.Records = recs
	c := &Change{ID: "C" + strings.ToUpper(b.env.IDs.Hex(20)), SubmittedAt: b.env.Now().UTC(), Comment: in.ChangeBatch.Comment}
	b.changes[c.ID] = c
	if b.Changed != nil {
		b.Changed()
	}
	return &changeResponse{ChangeInfo: c.xml()}, nil
}

func sameValues(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// recordLess is ListResourceRecordSets' order: by name with labels
// reversed, then type.
func recordLess(x, y *Record) int {
	if c := strings.Compare(reversedName(x.Name), reversedName(y.Name)); c != 0 {
		return c
	}
	return strings.Compare(x.Type, y.Type)
}

func (b *Backend) listRecords(id, name, typ, max string) (any, *Error) {
	z, err := b.zone(id)
	if err != nil {
		return nil, err
	}
	n, err := maxItems(max, 300)
	if err != nil {
		return nil, err
	}
	if typ != "" && name == "" {
		return nil, invalidInput("The input is not valid: a type requires a name")
	}
	if typ != "" && !slices.Contains(recordTypes, typ) {
		return nil, invalidInput("1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [%s]", typ, strings.Join(recordTypes, ", "))
	}
	recs := slices.Clone(z.Records)
	slices.SortFunc(recs, recordLess)
	start := 0
	if name != "" {
		from := &Record{Name: Fqdn(name), Type: typ}
		start = slices.IndexFunc(recs, func(r *Record) bool { return recordLess(r, from) >= 0 })
		if start < 0 {
			start = len(recs)
		}
	}
	end := min(start+n, len(recs))
	out := &listRecordsResponse{MaxItems: strconv.Itoa(n), Sets: []recordXML{}}
	for _, r := range recs[start:end] {
		x := recordXML{Name: r.Name, Type: r.Type, TTL: r.TTL}
		for _, v := range r.Values {
			x.Records = append(x.Records, valueXML{Value: v})
		}
		out.Sets = append(out.Sets, x)
	}
	if end < len(recs) {
		out.IsTruncated, out.NextRecordName, out.NextRecordType = true, recs[end].Name, recs[end].Type
	}
	return out, nil
}

type persisted struct {
	Zones   map[string]*Zone   `json:"zones"`
	Changes map[string]*Change `json:"changes,omitempty"`
}

// Snapshot returns the zones as JSON.
func (b *Backend) Snapshot() (json.RawMessage, error) {
	return json.Marshal(persisted{Zones: b.zones, Changes: b.changes})
}

// Restore loads what Snapshot saved.
func (b *Backend) Restore(raw json.RawMessage) error {
	p := persisted{}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
	}
	if p.Zones == nil {
		p.Zones = map[string]*Zone{}
	}
	if p.Changes == nil {
		p.Changes = map[string]*Change{}
	}
	b.zones, b.changes = p.Zones, p.Changes
	return nil
}

// Reset drops every zone.
func (b *Backend) Reset() { b.zones, b.changes = map[string]*Zone{}, map[string]*Change{} }
