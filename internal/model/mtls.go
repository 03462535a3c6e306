package model

import (
	"fmt"
	"maps"
	"slices"

	"github.com/lbsg/lbsg/internal/annotations"
)

// String renders a listener's mutual TLS for messages.
func (a *MutualAuth) String() string {
	if a.Mode != annotations.MTLSVerify {
		return "{mode: " + a.Mode + "}"
	}
	return fmt.Sprintf("{mode: %s, trustStore: %s, ignoreClientCertificateExpiry: %t, advertiseTrustStoreCaNames: %s}",
		a.Mode, a.TrustStoreARN, a.IgnoreClientCertificateExpiry, a.AdvertiseTrustStoreCaNames)
}

// IngressTrustStoreNames are the trust store names (not ARNs) the members'
// mutual-authentication annotations name, sorted; the controller resolves
// them into Facts.TrustStoreARNs. Members whose annotation does not parse
// name none (their build fails on it).
func IngressTrustStoreNames(members []IngressMember) []string {
	var out []string
	for _, im := range members {
		ports, err := annotations.ParseMutualAuth(im.Ingress.Annotations)
		if err != nil {
			continue
		}
		for _, a := range ports {
			if a.TrustStoreName() && !slices.Contains(out, a.TrustStore) {
				out = append(out, a.TrustStore)
			}
		}
	}
	slices.Sort(out)
	return out
}

// mutualAuths is the member's mutual-authentication annotation, by port,
// with trust store names resolved to ARNs through f.TrustStoreARNs (LBC's
// text for one not found) and AdvertiseTrustStoreCaNames defaulted to off
// for verify, as LBC sends it; adv holds the ports whose entry stated
// AdvertiseTrustStoreCaNames (LBC's group merge tells an unstated one from
// a stated off).
func mutualAuths(im IngressMember, f Facts) (out map[int32]*MutualAuth, adv map[int32]bool, err error) {
	ports, err := annotations.ParseMutualAuth(im.Ingress.Annotations)
	if err != nil || ports == nil {
		return nil, nil, err
	}
	out, adv = make(map[int32]*MutualAuth, len(ports)), map[int32]bool{}
	for _, p := range slices.Sorted(maps.Keys(ports)) {
		a := ports[p]
		m := &MutualAuth{Mode: a.Mode}
		if a.Mode == annotations.MTLSVerify {
			m.TrustStoreARN = a.TrustStore
			if a.TrustStoreName() {
				arn, ok := f.TrustStoreARNs[a.TrustStore]
				if !ok {
					return nil, nil, fmt.Errorf("couldn't find TrustStore with name %s", a.TrustStore)
				}
				m.TrustStoreARN = arn
			}
			m.IgnoreClientCertificateExpiry = a.IgnoreClientCertificateExpiry != nil && *a.IgnoreClientCertificateExpiry
			m.AdvertiseTrustStoreCaNames = a.AdvertiseTrustStoreCaNames
			adv[p] = m.AdvertiseTrustStoreCaNames != ""
			if m.AdvertiseTrustStoreCaNames == "" {
				m.AdvertiseTrustStoreCaNames = "off"
			}
		}
		out[p] = m
	}
	return out, adv, nil
}
