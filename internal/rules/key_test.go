package rules_test

import (
	"strings"
	"testing"

	"github.com/lbsg/lbsg/internal/rules"
)

func TestNewKeyCanonicalises(t *testing.T) {
	for _, tt := range []struct {
		name           string
		proto          string
		from, to       int32
		peer           string
		want           rules.Key
		wantKind       rules.PeerKind
		wantErrContain string
	}{
		{name: "host bits in an IPv4 CIDR are masked (LBC #4893)", proto: "tcp", from: 80, to: 80, peer: "100.68.0.18/18",
			want: rules.Key{Protocol: "tcp", FromPort: 80, ToPort: 80, Peer: "100.68.0.0/18"}, wantKind: rules.PeerIPv4},
		{name: "IPv6 CIDR is masked and compressed", proto: "tcp", from: 80, to: 80, peer: "2002::1234:ABCD:ffff:c0a8:101/64",
			want: rules.Key{Protocol: "tcp", FromPort: 80, ToPort: 80, Peer: "2002:0:0:1234::/64"}, wantKind: rules.PeerIPv6},
		{name: "upper-case protocol names are lowered", proto: "TCP", from: 443, to: 443, peer: "0.0.0.0/0",
			want: rules.Key{Protocol: "tcp", FromPort: 443, ToPort: 443, Peer: "0.0.0.0/0"}, wantKind: rules.PeerIPv4},
		{name: "protocol number 6 is tcp", proto: "6", from: 1, to: 2, peer: "sg-0abc",
			want: rules.Key{Protocol: "tcp", FromPort: 1, ToPort: 2, Peer: "sg-0abc"}, wantKind: rules.PeerSecurityGroup},
		{name: "protocol number 17 is udp", proto: "17", from: 53, to: 53, peer: "pl-123",
			want: rules.Key{Protocol: "udp", FromPort: 53, ToPort: 53, Peer: "pl-123"}, wantKind: rules.PeerPrefixList},
		{name: "protocol number 1 is icmp", proto: "1", from: 3, to: 4, peer: "0.0.0.0/0",
			want: rules.Key{Protocol: "icmp", FromPort: 3, ToPort: 4, Peer: "0.0.0.0/0"}, wantKind: rules.PeerIPv4},
		{name: "protocol number 58 is icmpv6", proto: "58", from: 2, to: 0, peer: "::/0",
			want: rules.Key{Protocol: "icmpv6", FromPort: 2, ToPort: 0, Peer: "::/0"}, wantKind: rules.PeerIPv6},
		{name: "all protocols (-1) carry no ports", proto: "-1", from: -1, to: -1, peer: "10.0.0.0/8",
			want: rules.Key{Protocol: "-1", Peer: "10.0.0.0/8"}, wantKind: rules.PeerIPv4},
		{name: "other protocol numbers carry no ports", proto: "50", from: 10, to: 20, peer: "10.0.0.0/8",
			want: rules.Key{Protocol: "50", Peer: "10.0.0.0/8"}, wantKind: rules.PeerIPv4},
		{name: "icmp type -1 forces code -1", proto: "icmp", from: -1, to: 5, peer: "10.0.0.0/8",
			want: rules.Key{Protocol: "icmp", FromPort: -1, ToPort: -1, Peer: "10.0.0.0/8"}, wantKind: rules.PeerIPv4},
		{name: "reversed port range is rejected", proto: "tcp", from: 90, to: 80, peer: "10.0.0.0/8", wantErrContain: "port range"},
		{name: "port above 65535 is rejected", proto: "udp", from: 1, to: 70000, peer: "10.0.0.0/8", wantErrContain: "port range"},
		{name: "bare IP address is rejected as EC2 rejects it", proto: "tcp", from: 80, to: 80, peer: "10.0.0.1", wantErrContain: "invalid peer"},
		{name: "unknown protocol name is rejected", proto: "sctpx", from: 80, to: 80, peer: "10.0.0.0/8", wantErrContain: "unknown protocol"},
		{name: "protocol number above 255 is rejected", proto: "300", from: 80, to: 80, peer: "10.0.0.0/8", wantErrContain: "unknown protocol"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rules.NewKey(tt.proto, tt.from, tt.to, tt.peer)
			if tt.wantErrContain != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrContain) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErrContain)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
			if got.PeerKind() != tt.wantKind {
				t.Errorf("kind %v, want %v", got.PeerKind(), tt.wantKind)
			}
		})
	}
}

func TestKeyString(t *testing.T) {
	for want, k := range map[string]rules.Key{
		"tcp 80 ← 0.0.0.0/0":   rules.MustKey("tcp", 80, 80, "0.0.0.0/0"),
		"udp 8080-8443 ← sg-2": rules.MustKey("udp", 8080, 8443, "sg-2"),
		"icmp 3/4 ← 0.0.0.0/0": rules.MustKey("icmp", 3, 4, "0.0.0.0/0"),
		"-1 ← ::/0":            rules.MustKey("-1", 0, 0, "::/0"),
	} {
		if k.String() != want {
			t.Errorf("String() = %q, want %q", k.String(), want)
		}
	}
}
