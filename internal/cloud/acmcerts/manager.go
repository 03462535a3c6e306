package acmcerts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/lbsg/lbsg/internal/awserr"
	cloudacm "github.com/lbsg/lbsg/internal/cloud/acm"
	cloudroute53 "github.com/lbsg/lbsg/internal/cloud/route53"
	"github.com/lbsg/lbsg/internal/model"
	"github.com/lbsg/lbsg/internal/naming"
)

// Timing (LBC's).
const (
	// ReissueAfter: a certificate still pending this long after its
	// request is requested anew.
	ReissueAfter = 5 * time.Minute
	// ZonesTTL: how long the hosted zone list is used before it is read
	// again.
	ZonesTTL = 5 * time.Minute
	// ZonesFresh: a name without a zone reads the list again unless it is
	// younger than this.
	ZonesFresh = 30 * time.Second
)

// ErrNoPublicZone is an Amazon issued certificate's name without a public
// hosted zone: its DNS validation cannot be written.
var ErrNoPublicZone = errors.New("no public Route 53 hosted zone found")

// owned is a certificate of the catalog.
type owned struct {
	arn, status string
	sans        []string
	tags        map[string]string
	createdAt   time.Time
}

// Manager requests, validates and deletes the certificates lbsg owns. It
// is safe for concurrent use; the caller serializes the calls of one
// stack.
type Manager struct {
	ACM     *cloudacm.Manager
	Route53 *cloudroute53.Provider
	Cluster string
	Clock   clock.PassiveClock

	loadMu  sync.Mutex
	mu      sync.Mutex
	loaded  bool
	certs   map[string]*owned // every certificate of the account, by ARN
	zones   []cloudroute53.Zone
	zonesAt time.Time
}

// Result is what Ensure found.
type Result struct {
	// Issued are the usable certificates, resource ID → ARN.
	Issued map[string]string
	// Pending are the certificates not issued yet.
	Pending []model.ManagedCertificate
	// keep are the ARNs Ensure chose (Prune keeps them).
	keep []string
}

// Keep returns the ARNs Prune must keep.
func (r Result) Keep() []string { return r.keep }

func (m *Manager) now() time.Time {
	if m.Clock == nil {
		return time.Now()
	}
	return m.Clock.Now()
}

// load lists the account's certificates and their tags once.
func (m *Manager) load(ctx context.Context) error {
	m.loadMu.Lock()
	defer m.loadMu.Unlock()
	m.mu.Lock()
	loaded := m.loaded
	m.mu.Unlock()
	if loaded {
		return nil
	}
	list, err := m.ACM.List(ctx)
	if err != nil {
		return err
	}
	certs := make(map[string]*owned, len(list))
	for _, s := range list {
		tags, err := m.ACM.Tags(ctx, s.ARN)
		if err != nil {
			return err
		}
		if tags == nil {
			continue // deleted since the listing
		}
		certs[s.ARN] = &owned{arn: s.ARN, status: s.Status, sans: s.SANs, tags: tags}
	}
	m.mu.Lock()
	m.certs, m.loaded = certs, true
	m.mu.Unlock()
	return nil
}

// ownedBy lists the catalog's certificates of a stack, by ARN.
func (m *Manager) ownedBy(st naming.Stack) []*owned {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*owned
	for _, c := range m.certs {
		if naming.OwnsStackResource(c.tags, m.Cluster, st) && c.tags[st.ResourceTagKey()] != "" {
			cp := *c
			out = append(out, &cp)
		}
	}
	slices.SortFunc(out, func(a, b *owned) int { return strings.Compare(a.arn, b.arn) })
	return out
}

func (m *Manager) put(c *owned) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := *c
	m.certs[c.arn] = &cp
}

func (m *Manager) forget(arn string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.certs, arn)
}

// Discoverable reports whether certificate discovery may use a
// certificate: not one carrying the cluster and Ingress stack tag keys
// (LBC's rule with the gate on). The catalog is loaded on first use.
func (m *Manager) Discoverable(ctx context.Context) (func(arn string) bool, error) {
	if err := m.load(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	managed := map[string]bool{}
	for arn, c := range m.certs {
		_, cl := c.tags[naming.TagCluster]
		_, st := c.tags[naming.TagIngressStack]
		managed[arn] = cl && st
	}
	m.mu.Unlock()
	return func(arn string) bool { return !managed[arn] }, nil
}

func sameNames(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// Ensure finds or requests each desired certificate of stack st.
func (m *Manager) Ensure(ctx context.Context, st naming.Stack, desired []model.ManagedCertificate) (Result, error) {
	res := Result{Issued: map[string]string{}}
	if len(desired) == 0 {
		return res, nil
	}
	if err := m.load(ctx); err != nil {
		return res, err
	}
	have := m.ownedBy(st)
	for _, mc := range desired {
		var match *owned
		for _, c := range have {
			if c.tags[st.ResourceTagKey()] == mc.ResourceID && sameNames(c.sans, mc.SANs) &&
				(match == nil || (match.status != cloudacm.StatusIssued && c.status == cloudacm.StatusIssued)) {
				match = c
			}
		}
		var err error
		if match == nil {
			match, err = m.request(ctx, mc)
		} else if match.status != cloudacm.StatusIssued {
			match, err = m.refresh(ctx, mc, match)
		}
		if err != nil {
			return res, err
		}
		res.keep = append(res.keep, match.arn)
		if match.status == cloudacm.StatusIssued {
			res.Issued[mc.ResourceID] = match.arn
		} else {
			res.Pending = append(res.Pending, mc)
		}
	}
	return res, nil
}

// request requests mc's certificate and writes its validation records.
func (m *Manager) request(ctx context.Context, mc model.ManagedCertificate) (*owned, error) {
	if mc.Type == model.CertificateAmazonIssued {
		// LBC's pre-check: no certificate that could never be validated.
		zones, err := m.hostedZones(ctx, false)
		if err != nil {
			return nil, err
		}
		for _, h := range mc.SANs {
			if cloudroute53.NearestZone(zones, h, true) != "" {
				continue
			}
			// A zone made since the list was read counts.
			if zones, err = m.hostedZones(ctx, true); err != nil {
				return nil, err
			}
			if cloudroute53.NearestZone(zones, h, true) == "" {
				return nil, fmt.Errorf("certificate for Ingress %s: %w for %q", mc.Ingress, ErrNoPublicZone, h)
			}
		}
	}
	arn, err := m.ACM.RequestCertificate(ctx, cloudacm.Request{DomainName: mc.DomainName, SANs: mc.SANs,
		CertificateAuthorityARN: mc.CertificateAuthorityARN, Tags: mc.Tags})
	if err != nil {
		return nil, err
	}
	c := &owned{arn: arn, status: cloudacm.StatusPendingValidation, sans: slices.Clone(mc.SANs), tags: mc.Tags, createdAt: m.now()}
	m.put(c)
	return m.refresh(ctx, mc, c)
}

// refresh describes a pending certificate: written validation records
// when it asks for them, its status after that, and a new request when
// it has waited ReissueAfter.
func (m *Manager) refresh(ctx context.Context, mc model.ManagedCertificate, c *owned) (*owned, error) {
	d, err := m.ACM.Describe(ctx, c.arn)
	if err != nil {
		return nil, err
	}
	if d == nil { // deleted outside lbsg
		m.forget(c.arn)
		return m.request(ctx, mc)
	}
	c.status, c.createdAt = d.Status, d.CreatedAt
	if d.Status == cloudacm.StatusIssued {
		m.put(c)
		return c, nil
	}
	if !d.CreatedAt.IsZero() && m.now().Sub(d.CreatedAt) > ReissueAfter {
		if err := m.delete(ctx, d); err != nil {
			return nil, err
		}
		m.forget(c.arn)
		return m.request(ctx, mc)
	}
	if d.Type == cloudacm.TypeAmazonIssued && len(d.Validations) > 0 {
		wrote, err := m.writeValidation(ctx, d)
		if err != nil {
			return nil, err
		}
		if wrote {
			if d, err = m.ACM.Describe(ctx, c.arn); err != nil {
				return nil, err
			}
			if d != nil {
				c.status = d.Status
			}
		}
	}
	m.put(c)
	return c, nil
}

// writeValidation creates the validation CNAMEs of d in the public zone
// of each name; wrote is false when ACM has not published them all yet.
func (m *Manager) writeValidation(ctx context.Context, d *cloudacm.Detail) (wrote bool, _ error) {
	zones, err := m.hostedZones(ctx, false)
	if err != nil {
		return false, err
	}
	for _, v := range d.Validations {
		if v.Name == "" {
			return false, nil // ACM publishes the records within seconds
		}
	}
	done := map[string]bool{}
	for _, v := range d.Validations {
		if done[v.Name] {
			continue
		}
		zone := cloudroute53.NearestZone(zones, v.Domain, true)
		if zone == "" {
			return false, fmt.Errorf("certificate %s: %w for %q", d.ARN, ErrNoPublicZone, v.Domain)
		}
		if err := m.Route53.CreateRecord(ctx, zone, cloudroute53.Record{Name: v.Name, Type: v.Type, Value: v.Value, TTL: cloudroute53.ValidationRecordTTL}); err != nil {
			return false, err
		}
		done[v.Name] = true
	}
	return true, nil
}

// hostedZones are the account's zones, read again after ZonesTTL (or now,
// with fresh, unless read within ZonesFresh).
func (m *Manager) hostedZones(ctx context.Context, fresh bool) ([]cloudroute53.Zone, error) {
	m.mu.Lock()
	zones, at := m.zones, m.zonesAt
	m.mu.Unlock()
	ttl := ZonesTTL
	if fresh {
		ttl = ZonesFresh
	}
	if zones != nil && m.now().Sub(at) < ttl {
		return zones, nil
	}
	zones, err := m.Route53.HostedZones(ctx)
	if err != nil {
		return nil, err
	}
	if zones == nil {
		zones = []cloudroute53.Zone{}
	}
	m.mu.Lock()
	m.zones, m.zonesAt = zones, m.now()
	m.mu.Unlock()
	return zones, nil
}

// InUseError is a certificate to delete that a listener still uses.
type InUseError struct{ ARN string }

func (e *InUseError) Error() string { return "certificate " + e.ARN + " is still in use" }

// Prune deletes the certificates lbsg owns for st except keep (nil: all of
// them, after the load balancer is gone). A certificate still in use is an
// *InUseError (retry later).
func (m *Manager) Prune(ctx context.Context, st naming.Stack, keep []string) error {
	if err := m.load(ctx); err != nil {
		return err
	}
	var inUse error
	for _, c := range m.ownedBy(st) {
		if slices.Contains(keep, c.arn) {
			continue
		}
		d, err := m.ACM.Describe(ctx, c.arn)
		if err != nil {
			return err
		}
		if d == nil {
			m.forget(c.arn)
			continue
		}
		err = m.delete(ctx, d)
		if awserr.Is(err, awserr.ACMResourceInUse) {
			inUse = &InUseError{ARN: c.arn}
			continue
		}
		if err != nil {
			return err
		}
		m.forget(c.arn)
	}
	return inUse
}

// delete removes an Amazon issued certificate's validation records (from
// its nearest zone and its nearest public zone, as LBC does), then the
// certificate.
func (m *Manager) delete(ctx context.Context, d *cloudacm.Detail) error {
	if d.Type == cloudacm.TypeAmazonIssued {
		zones, err := m.hostedZones(ctx, false)
		if err != nil {
			return err
		}
		for _, v := range d.Validations {
			if v.Name == "" {
				continue
			}
			var ids []string
			for _, public := range []bool{false, true} {
				if id := cloudroute53.NearestZone(zones, v.Domain, public); id != "" && !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
			for _, id := range ids {
				if err := m.Route53.DeleteRecord(ctx, id, cloudroute53.Record{Name: v.Name, Type: v.Type, Value: v.Value, TTL: cloudroute53.ValidationRecordTTL}); err != nil {
					return err
				}
			}
		}
	}
	return m.ACM.Delete(ctx, d.ARN)
}
