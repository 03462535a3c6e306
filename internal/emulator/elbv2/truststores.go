package elbv2

import (
	"fmt"
	"regexp"
	"sort"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// trustStore is a CA bundle for listeners with mutual authentication mode
// verify. The emulator has no S3: any bucket and key are accepted and the
// bundle counts one CA certificate [?]; the store is ACTIVE at once.
type trustStore struct {
	Seq     int64     `json:"seq"`
	ARN     string    `json:"arn"`
	Name    string    `json:"name"`
	Bucket  string    `json:"bucket"`
	Key     string    `json:"key"`
	Version string    `json:"version,omitempty"`
	Tags    []tag     `json:"tags,omitempty"`
	Created time.Time `json:"created"`
}

// trustStoreNameRE is AWS's trust store name rule: 1–32 alphanumerics
// and hyphens, not starting or ending with a hyphen.
var trustStoreNameRE = regexp.MustCompile(`^([a-zA-Z0-9]+-)*[a-zA-Z0-9]+$`)

type xTrustStore struct {
	Name                   string `xml:"Name"`
	TrustStoreArn          string `xml:"TrustStoreArn"`
	Status                 string `xml:"Status"`
	NumberOfCaCertificates int    `xml:"NumberOfCaCertificates"`
	TotalRevokedEntries    int    `xml:"TotalRevokedEntries"`
}

type trustStoresResult struct {
	TrustStores []xTrustStore `xml:"TrustStores>member"`
	NextMarker  string        `xml:"NextMarker,omitempty"`
}

func renderTrustStore(ts *trustStore) xTrustStore {
	return xTrustStore{Name: ts.Name, TrustStoreArn: ts.ARN, Status: "ACTIVE", NumberOfCaCertificates: 1}
}

func trustStoreNotFound(ref string) *query.Error {
	return errf("TrustStoreNotFound", "Trust store '%s' not found", ref)
}

func (s *state) trustStoreList() []*trustStore {
	out := make([]*trustStore, 0, len(s.TrustStores))
	for _, ts := range s.TrustStores {
		out = append(out, ts)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

func (b *Backend) createTrustStore(p query.Params) (any, error) {
	name, err := p.Require("Name")
	if err != nil {
		return nil, err
	}
	if len(name) > 32 || !trustStoreNameRE.MatchString(name) {
		return nil, query.ValidationError("Trust store name '%s' is not valid: up to 32 alphanumeric characters and hyphens, not beginning or ending with a hyphen", name)
	}
	bucket, err := p.Require("CaCertificatesBundleS3Bucket")
	if err != nil {
		return nil, err
	}
	key, err := p.Require("CaCertificatesBundleS3Key")
	if err != nil {
		return nil, err
	}
	tags, err := b.parseTags(p, nil)
	if err != nil {
		return nil, err
	}
	for _, ts := range b.st.TrustStores {
		if ts.Name == name {
			return nil, errf("DuplicateTrustStoreName", "A trust store with the name '%s' already exists", name)
		}
	}
	if len(b.st.TrustStores) >= b.Quotas.TrustStores {
		return nil, errf("TooManyTrustStores", "The maximum number of trust stores has been reached")
	}
	now := b.env.Now()
	ts := &trustStore{Seq: b.st.next(), Name: name, Bucket: bucket, Key: key, Version: p.Get("CaCertificatesBundleS3ObjectVersion"), Created: now,
		ARN: fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:truststore/%s/%s", b.env.Region, b.env.Account, name, b.env.IDs.Hex(16))}
	ts.Tags = stamp(tags, now)
	b.st.TrustStores[ts.ARN] = ts
	return &trustStoresResult{TrustStores: []xTrustStore{renderTrustStore(ts)}}, nil
}

func (b *Backend) describeTrustStores(p query.Params) (any, error) {
	arns, names := p.MemberStrings("TrustStoreArns"), p.MemberStrings("Names")
	if len(arns) > 0 && len(names) > 0 {
		return nil, query.ValidationError("Trust store names and trust store ARNs cannot be specified at the same time")
	}
	all := b.st.trustStoreList()
	out := all
	if len(arns) > 0 || len(names) > 0 {
		out = nil
		for _, ts := range all {
			if contains(arns, ts.ARN) || contains(names, ts.Name) {
				out = append(out, ts)
			}
		}
		for _, ref := range append(arns, names...) {
			found := false
			for _, ts := range out {
				found = found || ts.ARN == ref || ts.Name == ref
			}
			if !found {
				return nil, trustStoreNotFound(ref)
			}
		}
	}
	pg, err := core.ELBv2Page(p, len(out))
	if err != nil {
		return nil, err
	}
	res := &trustStoresResult{TrustStores: []xTrustStore{}, NextMarker: pg.Next}
	for _, ts := range out[pg.Start:pg.End] {
		res.TrustStores = append(res.TrustStores, renderTrustStore(ts))
	}
	return res, nil
}

func (b *Backend) deleteTrustStore(p query.Params) (any, error) {
	arn, err := p.Require("TrustStoreArn")
	if err != nil {
		return nil, err
	}
	if err := checkARN(arn, "truststore"); err != nil {
		return nil, err
	}
	if b.st.TrustStores[arn] == nil {
		return nil, trustStoreNotFound(arn)
	}
	for _, l := range b.st.Listeners {
		if l.MutualVerify != nil && l.MutualVerify.TrustStoreArn == arn {
			return nil, errf("TrustStoreInUse", "Trust store '%s' is in use by listener '%s'", arn, l.ARN)
		}
	}
	delete(b.st.TrustStores, arn)
	return nil, nil
}
