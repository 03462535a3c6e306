package eks

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/core"
)

// Cluster is one seeded EKS cluster.
type Cluster struct {
	Name             string            `json:"name"`
	Version          string            `json:"version"`
	VPCID            string            `json:"vpcId"`
	SubnetIDs        []string          `json:"subnetIds,omitempty"`
	SecurityGroupIDs []string          `json:"securityGroupIds,omitempty"`
	ClusterSGID      string            `json:"clusterSecurityGroupId,omitempty"`
	ServiceCIDR      string            `json:"serviceIpv4Cidr,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
	CreatedAt        time.Time         `json:"createdAt"`
}

// Backend holds the clusters.
type Backend struct {
	env      *core.Env
	clusters map[string]*Cluster
}

// New returns an empty backend.
func New(env *core.Env) *Backend { return &Backend{env: env, clusters: map[string]*Cluster{}} }

// Add registers a cluster (seeding).
func (b *Backend) Add(c Cluster) {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = b.env.Now()
	}
	if c.Version == "" {
		c.Version = "1.37"
	}
	if c.ServiceCIDR == "" {
		c.ServiceCIDR = "10.96.0.0/16"
	}
	b.clusters[c.Name] = &c
}

// Snapshot returns the clusters as JSON.
func (b *Backend) Snapshot() (json.RawMessage, error) { return json.Marshal(b.clusters) }

// Restore loads clusters saved by Snapshot.
func (b *Backend) Restore(raw json.RawMessage) error {
	m := map[string]*Cluster{}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &m); err != nil {
			return err
		}
	}
	b.clusters = m
	return nil
}

// Reset drops every cluster.
func (b *Backend) Reset() { b.clusters = map[string]*Cluster{} }

func fnv32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// Error is an EKS REST-JSON error.
type Error struct {
	Status int
	Type   string
	Msg    string
}

func (e *Error) Error() string { return e.Type + ": " + e.Msg }

// Serve answers one EKS request and returns the action name (for the call
// log), the HTTP status and the JSON body.
func (b *Backend) Serve(method string, u *url.URL) (action string, status int, body any, err *Error) {
	path := strings.TrimSuffix(u.Path, "/")
	if method != http.MethodGet {
		return "(unsupported)", 0, nil, &Error{Status: http.StatusBadRequest, Type: "InvalidRequestException", Msg: fmt.Sprintf("%s %s is not emulated", method, u.Path)}
	}
	switch {
	case path == "/clusters":
		out, err := b.list(u.Query())
		return "ListClusters", http.StatusOK, out, err
	case strings.HasPrefix(path, "/clusters/") && !strings.Contains(strings.TrimPrefix(path, "/clusters/"), "/"):
		name, _ := url.PathUnescape(strings.TrimPrefix(path, "/clusters/"))
		c, ok := b.clusters[name]
		if !ok {
			return "DescribeCluster", 0, nil, &Error{Status: http.StatusNotFound, Type: "ResourceNotFoundException", Msg: "No cluster found for name: " + name + "."}
		}
		return "DescribeCluster", http.StatusOK, map[string]any{"cluster": b.render(c)}, nil
	}
	return "(unsupported)", 0, nil, &Error{Status: http.StatusNotFound, Type: "ResourceNotFoundException", Msg: "Unknown path " + u.Path}
}

func (b *Backend) list(q url.Values) (any, *Error) {
	names := make([]string, 0, len(b.clusters))
	for n := range b.clusters {
		names = append(names, n)
	}
	sort.Strings(names)
	start, limit := 0, 100
	if s := q.Get("maxResults"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return nil, &Error{Status: http.StatusBadRequest, Type: "InvalidParameterException", Msg: "maxResults must be between 1 and 100"}
		}
		limit = n
	}
	if s := q.Get("nextToken"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > len(names) {
			return nil, &Error{Status: http.StatusBadRequest, Type: "InvalidParameterException", Msg: "The nextToken is invalid"}
		}
		start = n
	}
	end := min(start+limit, len(names))
	out := map[string]any{"clusters": names[start:end]}
	if end < len(names) {
		out["nextToken"] = strconv.Itoa(end)
	}
	return out, nil
}

func (b *Backend) render(c *Cluster) map[string]any {
	arn := fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", b.env.Region, b.env.Account, c.Name)
	tags := c.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	sgs := c.SecurityGroupIDs
	if sgs == nil {
		sgs = []string{}
	}
	subnets := c.SubnetIDs
	if subnets == nil {
		subnets = []string{}
	}
	return map[string]any{
		"name":      c.Name,
		"arn":       arn,
		"createdAt": float64(c.CreatedAt.UnixMilli()) / 1000,
		"version":   c.Version,
		"endpoint":  fmt.Sprintf("https://%X.gr7.%s.eks.amazonaws.com", fnv32(c.Name), b.env.Region),
		"roleArn":   fmt.Sprintf("arn:aws:iam::%s:role/%s-cluster", b.env.Account, c.Name),
		"resourcesVpcConfig": map[string]any{
			"subnetIds":              subnets,
			"securityGroupIds":       sgs,
			"clusterSecurityGroupId": c.ClusterSGID,
			"vpcId":                  c.VPCID,
			"endpointPublicAccess":   true,
			"endpointPrivateAccess":  true,
			"publicAccessCidrs":      []string{"0.0.0.0/0"},
		},
		"kubernetesNetworkConfig": map[string]any{"serviceIpv4Cidr": c.ServiceCIDR, "ipFamily": "ipv4"},
		"status":                  "ACTIVE",
		"platformVersion":         "eks.1",
		"tags":                    tags,
	}
}
