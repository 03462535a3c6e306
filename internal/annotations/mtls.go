package annotations

import (
	"fmt"
	"strings"
)

// IngMutualAuthentication is the listeners' mutual TLS configuration (a
// JSON list, one entry per port), read on Ingresses only.
const IngMutualAuthentication = IngressPrefix + "mutual-authentication"

// Mutual authentication modes.
const (
	MTLSOff         = "off"
	MTLSPassthrough = "passthrough"
	MTLSVerify      = "verify"
)

// MutualAuth is one port's mutual TLS configuration as LBC models it:
// mode verify has a trust store (a name until resolved to an ARN),
// IgnoreClientCertificateExpiry (default false) and an optional
// AdvertiseTrustStoreCaNames ("" unset, on, off); the other modes have
// none of them.
type MutualAuth struct {
	Mode                          string
	TrustStore                    string
	IgnoreClientCertificateExpiry *bool
	AdvertiseTrustStoreCaNames    string
}

// mtlsEntry is one entry of the annotation's JSON.
type mtlsEntry struct {
	Port                          int32   `json:"port"`
	Mode                          string  `json:"mode"`
	TrustStore                    *string `json:"trustStore,omitempty"`
	IgnoreClientCertificateExpiry *bool   `json:"ignoreClientCertificateExpiry,omitempty"`
	AdvertiseTrustStoreCaNames    *string `json:"advertiseTrustStoreCaNames,omitempty"`
}

// ParseMutualAuth reads the mutual-authentication annotation (nil when
// absent): per port, the configuration, validated with LBC's texts. It
// applies to the Ingress's HTTPS listen ports only; entries for other ports
// are ignored, as LBC ignores them. A later entry for a port replaces an
// earlier one.
func ParseMutualAuth(ann map[string]string) (map[int32]MutualAuth, error) {
	raw, ok := ann[IngMutualAuthentication]
	if !ok {
		return nil, nil
	}
	var entries []mtlsEntry
	if err := jsonUnmarshal(raw, &entries); err != nil {
		return nil, newErr(IngMutualAuthentication, raw, err,
			"failed to parse mutualAuthentication configuration from ingress annotation: `%s`: %v", raw, err)
	}
	if len(entries) == 0 {
		return nil, newErr(IngMutualAuthentication, raw, nil, "empty mutualAuthentication configuration from ingress annotation: `%s`", raw)
	}
	out := make(map[int32]MutualAuth, len(entries))
	for _, e := range entries {
		if err := checkMTLSEntry(e); err != nil {
			return nil, newErr(IngMutualAuthentication, raw, nil, "%s", err.Error())
		}
		m := MutualAuth{Mode: e.Mode, IgnoreClientCertificateExpiry: e.IgnoreClientCertificateExpiry}
		if e.TrustStore != nil {
			m.TrustStore = *e.TrustStore
		}
		if e.AdvertiseTrustStoreCaNames != nil {
			m.AdvertiseTrustStoreCaNames = *e.AdvertiseTrustStoreCaNames
		}
		if m.Mode == MTLSVerify && m.IgnoreClientCertificateExpiry == nil {
			m.IgnoreClientCertificateExpiry = new(false)
		}
		out[e.Port] = m
	}
	return out, nil
}

// checkMTLSEntry is LBC's validation of one entry, in LBC's order.
func checkMTLSEntry(e mtlsEntry) error {
	ts := ""
	if e.TrustStore != nil {
		ts = *e.TrustStore
	}
	modes := []string{MTLSOff, MTLSPassthrough, MTLSVerify}
	switch {
	case e.Port < 1 || e.Port > 65535:
		return fmt.Errorf("listen port must be within [1, 65535]: %d", e.Port)
	case e.Mode == "":
		return fmt.Errorf("mutualAuthentication mode cannot be empty for port %d", e.Port)
	case e.Mode != MTLSOff && e.Mode != MTLSPassthrough && e.Mode != MTLSVerify:
		return fmt.Errorf("mutualAuthentication mode value must be among [%s] for protocol HTTPS port %d : %s", strings.Join(modes, ", "), e.Port, e.Mode)
	case e.Mode == MTLSVerify && ts == "":
		return fmt.Errorf("trustStore is required when mutualAuthentication mode is verify for port %d", e.Port)
	case e.Mode != MTLSVerify && ts != "":
		return fmt.Errorf("Mutual Authentication mode %s does not support trustStore for port %d", e.Mode, e.Port)
	case e.Mode != MTLSVerify && e.IgnoreClientCertificateExpiry != nil:
		return fmt.Errorf("Mutual Authentication mode %s does not support ignoring client certificate expiry for port %d", e.Mode, e.Port)
	case e.AdvertiseTrustStoreCaNames != nil && e.Mode != MTLSVerify:
		return fmt.Errorf("Mutual Authentication mode %s does not support advertiseTrustStoreCaNames for port %d", e.Mode, e.Port)
	case e.AdvertiseTrustStoreCaNames != nil && *e.AdvertiseTrustStoreCaNames != "on" && *e.AdvertiseTrustStoreCaNames != "off":
		return fmt.Errorf("advertiseTrustStoreCaNames only supports the values \"on\" and \"off\" got value %s for port %d", *e.AdvertiseTrustStoreCaNames, e.Port)
	}
	return nil
}

// TrustStoreName reports whether a verify configuration names its trust
// store by name (anything not starting with "arn:", as LBC decides).
func (m MutualAuth) TrustStoreName() bool {
	return m.Mode == MTLSVerify && !strings.HasPrefix(m.TrustStore, "arn:")
}
