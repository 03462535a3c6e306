package emulator

import (
	"fmt"
	"os"
	"sort"

	"sigs.k8s.io/yaml"

	"github.com/lbsg/lbsg/internal/emulator/acm"
	"github.com/lbsg/lbsg/internal/emulator/ec2"
	"github.com/lbsg/lbsg/internal/emulator/eks"
	"github.com/lbsg/lbsg/internal/emulator/wafregional"
	"github.com/lbsg/lbsg/internal/emulator/wafv2"
)

// Seed is the --seed file: EC2 resources, EKS cluster records and ACM
// certificates.
type Seed struct {
	ec2.Seed `json:",inline"`
	Clusters []SeedCluster `json:"clusters,omitempty"`
	// Certificates are ACM certificates placed under fixed IDs, so
	// manifests can name them before anything is imported.
	Certificates []acm.Seeded `json:"certificates,omitempty"`
	// HostedZones are Route 53 hosted zones (public unless private), where
	// DNS validation records of requested certificates go.
	HostedZones []SeedHostedZone `json:"hostedZones,omitempty"`
	// IPAMPools are the IDs of the account's public IPv4 IPAM pools, which
	// internet-facing ALBs may take addresses from (the emulated EC2 has no
	// IPAM API).
	IPAMPools []string `json:"ipamPools,omitempty"`
	// WebACLs are WAFv2 REGIONAL web ACLs and WAFClassicWebACLs WAF
	// Classic regional ones, under fixed IDs, for the wafv2-acl-* and
	// waf-acl-id annotations.
	WebACLs           []wafv2.Seeded       `json:"webACLs,omitempty"`
	WAFClassicWebACLs []wafregional.Seeded `json:"wafClassicWebACLs,omitempty"`
	// ShieldSubscription makes the account's Shield Advanced subscription
	// ACTIVE (a new account's is INACTIVE).
	ShieldSubscription bool `json:"shieldSubscription,omitempty"`
	// SingleSubnetALB lets the account create an ALB on a single subnet,
	// as AWS lets accounts it has enabled (LBC's gate ALBSingleSubnet).
	SingleSubnetALB bool `json:"singleSubnetALB,omitempty"`
}

// SeedHostedZone is a Route 53 hosted zone of a seed.
type SeedHostedZone struct {
	Name    string `json:"name"`
	Private bool   `json:"private,omitempty"`
}

// SandboxIPAMPoolID is the public IPv4 IPAM pool of the default seed.
const SandboxIPAMPoolID = "ipam-pool-0123456789abcdef0"

// IDs of the default seed's web ACLs: WAFv2 sandbox-web-acl and
// sandbox-strict-acl (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<ID>),
// WAF Classic sandbox-classic-acl.
const (
	SandboxWebACLID        = "a1b2c3d4-0000-4000-a000-000000000001"
	SandboxStrictWebACLID  = "a1b2c3d4-0000-4000-a000-000000000002"
	SandboxClassicWebACLID = "c1a55100-0000-4000-a000-000000000001"
)

// SandboxCertificateID is the ID of the ACM certificate of the default
// seed (domain *.sandbox.example): its ARN,
// arn:aws:acm:<region>:<account>:certificate/<ID>, serves HTTPS and TLS
// listeners in the sandbox and in tests without an import.
const SandboxCertificateID = "11111111-2222-3333-4444-555555555555"

// SeedCluster is an EKS cluster record; VPC names a seeded VPC (by its Name
// tag) or gives a VPC ID.
type SeedCluster struct {
	Name    string            `json:"name"`
	Version string            `json:"version,omitempty"`
	VPC     string            `json:"vpc"`
	Tags    map[string]string `json:"tags,omitempty"`
}

// DefaultSeed is the built-in world: one VPC 10.0.0.0/16 with three public
// and three private subnets tagged for cluster, a node security group owned
// by the cluster, three running instances, and an EKS cluster record.
func DefaultSeed(cluster, region string) Seed {
	s := Seed{Seed: ec2.DefaultSeed(cluster, region)}
	if len(s.VPCs) > 0 {
		s.Clusters = []SeedCluster{{Name: cluster, VPC: s.VPCs[0].Name}}
	}
	s.Certificates = []acm.Seeded{{ID: SandboxCertificateID, Domain: "*.sandbox.example"}}
	s.HostedZones = []SeedHostedZone{{Name: "sandbox.example"}}
	s.IPAMPools = []string{SandboxIPAMPoolID}
	s.WebACLs = []wafv2.Seeded{{Name: "sandbox-web-acl", ID: SandboxWebACLID}, {Name: "sandbox-strict-acl", ID: SandboxStrictWebACLID}}
	s.WAFClassicWebACLs = []wafregional.Seeded{{Name: "sandbox-classic-acl", ID: SandboxClassicWebACLID}}
	return s
}

// LoadSeed reads a YAML (or JSON) seed file.
func LoadSeed(path string) (Seed, error) {
	var s Seed
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := yaml.UnmarshalStrict(b, &s); err != nil {
		return s, fmt.Errorf("seed %s: %w", path, err)
	}
	return s, nil
}

func (s *Server) applySeed(seed Seed) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.ec2.ApplySeed(seed.Seed)
	if err != nil {
		return err
	}
	for _, c := range seed.Clusters {
		vpcID := c.VPC
		if id, ok := res.VPCs[c.VPC]; ok {
			vpcID = id
		}
		if _, ok := s.ec2.VPC(vpcID); !ok {
			return fmt.Errorf("cluster %s: unknown VPC %q", c.Name, c.VPC)
		}
		cl := eks.Cluster{Name: c.Name, Version: c.Version, VPCID: vpcID, Tags: c.Tags}
		for _, id := range res.Subnets {
			if sub, ok := s.ec2.Subnet(id); ok && sub.VPCID == vpcID {
				cl.SubnetIDs = append(cl.SubnetIDs, id)
			}
		}
		sort.Strings(cl.SubnetIDs) // map order must not reach the state file
		s.eks.Add(cl)
	}
	for _, z := range seed.HostedZones {
		if _, err := s.route53.AddZone(z.Name, z.Private, ""); err != nil {
			return fmt.Errorf("hosted zone %s: %w", z.Name, err)
		}
	}
	for _, c := range seed.Certificates {
		s.acm.Add(c)
	}
	for _, id := range seed.IPAMPools {
		s.elb.AddIPAMPool(id)
	}
	for _, a := range seed.WebACLs {
		s.wafv2.Add(a)
	}
	for _, a := range seed.WAFClassicWebACLs {
		s.wafRegional.Add(a)
	}
	s.shield.SetSubscribed(seed.ShieldSubscription)
	s.elb.AllowSingleSubnetALB(seed.SingleSubnetALB)
	return nil
}
