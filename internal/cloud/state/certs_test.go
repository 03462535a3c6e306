package state_test

import (
	"testing"

	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/acm"
	"github.com/lbsg/lbsg/internal/emulator/emutest"
)

// TestCertificateCatalogIsReadOnceAndRefreshedByTheDriftCheck: the first
// need lists and describes; later needs whose hosts are covered, and a
// miss within a minute of the listing, make no call; the drift check
// re-lists (describing only new certificates) and names the stacks that
// use the catalog only when it changed.
func TestCertificateCatalogIsReadOnceAndRefreshedByTheDriftCheck(t *testing.T) {
	env := emutest.Start(t, emutest.WithOptions(emulator.Options{NoSeed: true}))
	ctx := t.Context()
	env.Server.AddCertificate(acm.Seeded{ID: "00000000-0000-0000-0000-000000000001", Domain: "*.example.com", Type: acm.TypeAmazonIssued})
	env.Server.AddCertificate(acm.Seeded{ID: "00000000-0000-0000-0000-000000000002", Domain: "ec.example.com", KeyAlgorithm: "EC_secp384r1"})
	p := state.New(env.EC2, env.ELBv2, "c", "vpc-x")
	p.UseACM(env.ACM)
	calls := func() map[string]int {
		out := map[string]int{}
		for a, s := range env.Server.Calls().Actions {
			out[a] = s.Calls
		}
		env.Server.ResetCalls()
		return out
	}
	if got, err := p.RefreshCertificates(ctx); err != nil || got != nil || len(calls()) != 0 {
		t.Fatalf("a drift check before any discovery: %v, %v", got, err)
	}
	certs, err := p.Certificates(ctx, "ingress/a", []string{"www.example.com"})
	if err != nil || len(certs) != 2 {
		t.Fatalf("catalog %+v, %v: want both certificates (every key type)", certs, err)
	}
	if c := calls(); c["acm:ListCertificates"] != 1 || c["acm:DescribeCertificate"] != 2 {
		t.Errorf("first read: %v", c)
	}
	for _, hosts := range [][]string{{"www.example.com"}, {"missing.example.org"}} {
		if _, err := p.Certificates(ctx, "ingress/a", hosts); err != nil {
			t.Fatal(err)
		}
		if c := calls(); len(c) != 0 {
			t.Errorf("hosts %v within a minute of the listing: %v", hosts, c)
		}
	}
	if got, err := p.RefreshCertificates(ctx); err != nil || got != nil {
		t.Errorf("an unchanged drift check: %v, %v", got, err)
	}
	if c := calls(); c["acm:ListCertificates"] != 1 || c["acm:DescribeCertificate"] != 0 {
		t.Errorf("an unchanged drift check called %v", c)
	}
	env.Server.AddCertificate(acm.Seeded{ID: "00000000-0000-0000-0000-000000000003", Domain: "missing.example.org"})
	got, err := p.RefreshCertificates(ctx)
	if err != nil || len(got) != 1 || got[0] != "ingress/a" {
		t.Errorf("a drift check after a new certificate: %v, %v", got, err)
	}
	if c := calls(); c["acm:ListCertificates"] != 1 || c["acm:DescribeCertificate"] != 1 {
		t.Errorf("the drift check should describe the new certificate only: %v", c)
	}
}
