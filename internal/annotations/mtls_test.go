package annotations

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseMutualAuthAsLBCValidatesIt(t *testing.T) {
	for _, tt := range []struct {
		name, raw string
		want      string // fmt of the map, or the error's substring after "error: "
	}{
		{"verify by name with defaults", `[{"port":443,"mode":"verify","trustStore":"ca"}]`, "map[443:{verify ca false }]"},
		{"verify by ARN with settings", `[{"port":443,"mode":"verify","trustStore":"arn:aws:elasticloadbalancing:us-west-2:1:truststore/ca/1","ignoreClientCertificateExpiry":true,"advertiseTrustStoreCaNames":"on"}]`,
			"map[443:{verify arn:aws:elasticloadbalancing:us-west-2:1:truststore/ca/1 true on}]"},
		{"passthrough and off", `[{"port":443,"mode":"passthrough"},{"port":8443,"mode":"off"}]`, "map[443:{passthrough  <nil> } 8443:{off  <nil> }]"},
		{"not JSON", `{`, "error: failed to parse mutualAuthentication configuration"},
		{"empty", `[]`, "error: empty mutualAuthentication configuration"},
		{"port out of range", `[{"port":0,"mode":"off"}]`, "error: listen port must be within [1, 65535]: 0"},
		{"no mode", `[{"port":443}]`, "error: mutualAuthentication mode cannot be empty for port 443"},
		{"unknown mode", `[{"port":443,"mode":"strict"}]`, "error: mutualAuthentication mode value must be among [off, passthrough, verify] for protocol HTTPS port 443 : strict"},
		{"verify without a trust store", `[{"port":443,"mode":"verify"}]`, "error: trustStore is required when mutualAuthentication mode is verify for port 443"},
		{"a trust store with passthrough", `[{"port":443,"mode":"passthrough","trustStore":"ca"}]`, "error: Mutual Authentication mode passthrough does not support trustStore for port 443"},
		{"expiry with off", `[{"port":443,"mode":"off","ignoreClientCertificateExpiry":false}]`, "error: Mutual Authentication mode off does not support ignoring client certificate expiry for port 443"},
		{"advertise with passthrough", `[{"port":443,"mode":"passthrough","advertiseTrustStoreCaNames":"on"}]`, "error: Mutual Authentication mode passthrough does not support advertiseTrustStoreCaNames for port 443"},
		{"advertise neither on nor off", `[{"port":443,"mode":"verify","trustStore":"ca","advertiseTrustStoreCaNames":"yes"}]`, `error: advertiseTrustStoreCaNames only supports the values "on" and "off" got value yes for port 443`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMutualAuth(map[string]string{IngMutualAuthentication: tt.raw})
			s := ""
			if err != nil {
				s = "error: " + err.Error()
				if !strings.Contains(s, tt.want) {
					t.Errorf("got %s, want %s", s, tt.want)
				}
				if e, ok := errors.AsType[*Error](err); !ok || e.Annotation != IngMutualAuthentication {
					t.Errorf("error %v does not name the annotation", err)
				}
				return
			}
			out := map[int32]string{}
			for p, m := range got {
				ignore := "<nil>"
				if m.IgnoreClientCertificateExpiry != nil {
					ignore = fmt.Sprint(*m.IgnoreClientCertificateExpiry)
				}
				out[p] = fmt.Sprintf("{%s %s %s %s}", m.Mode, m.TrustStore, ignore, m.AdvertiseTrustStoreCaNames)
			}
			if s = fmt.Sprint(out); s != tt.want {
				t.Errorf("got %s, want %s", s, tt.want)
			}
		})
	}
	if got, err := ParseMutualAuth(nil); got != nil || err != nil {
		t.Errorf("absent: %v %v", got, err)
	}
}
