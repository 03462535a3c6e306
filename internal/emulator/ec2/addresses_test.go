package ec2

import "testing"

func TestElasticIPLifecycle(t *testing.T) {
	f := newFixture(t)
	a := f.ok("AllocateAddress", "Domain", "vpc", "TagSpecification.1.ResourceType", "elastic-ip",
		"TagSpecification.1.Tag.1.Key", "team", "TagSpecification.1.Tag.1.Value", "web").(*allocateAddressReply)
	b := f.ok("AllocateAddress").(*allocateAddressReply)
	if !isID(a.AllocationID, "eipalloc") || a.Domain != "vpc" || a.PublicIP == "" || a.PublicIP == b.PublicIP {
		t.Fatalf("allocations = %+v, %+v", a, b)
	}
	all := f.ok("DescribeAddresses").(*describeAddressesReply).Addresses.Item
	if len(all) != 2 {
		t.Fatalf("addresses = %+v", all)
	}
	byID := f.ok("DescribeAddresses", "AllocationId.1", a.AllocationID).(*describeAddressesReply).Addresses.Item
	if len(byID) != 1 || byID[0].PublicIP != a.PublicIP || len(byID[0].Tags) != 1 || byID[0].Tags[0].Value != "web" {
		t.Fatalf("by ID = %+v", byID)
	}
	byIP := f.ok("DescribeAddresses", "PublicIp.1", b.PublicIP).(*describeAddressesReply).Addresses.Item
	if len(byIP) != 1 || byIP[0].AllocationID != b.AllocationID {
		t.Fatalf("by IP = %+v", byIP)
	}
	byTag := f.ok("DescribeAddresses", "Filter.1.Name", "tag:team", "Filter.1.Value.1", "web").(*describeAddressesReply).Addresses.Item
	if len(byTag) != 1 || byTag[0].AllocationID != a.AllocationID {
		t.Fatalf("by tag = %+v", byTag)
	}
	f.fail("InvalidAllocationID.NotFound", "DescribeAddresses", "AllocationId.1", "eipalloc-0123456789abcdef0")
	f.fail("InvalidAddress.NotFound", "DescribeAddresses", "PublicIp.1", "203.0.113.9")
	f.fail("InvalidParameterValue", "AllocateAddress", "Domain", "standard")
	f.fail("InvalidParameterValue", "AllocateAddress", "TagSpecification.1.ResourceType", "instance",
		"TagSpecification.1.Tag.1.Key", "k", "TagSpecification.1.Tag.1.Value", "v")
	f.ok("CreateTags", "ResourceId.1", b.AllocationID, "Tag.1.Key", "k", "Tag.1.Value", "v")

	// In use by a load balancer's ENI: neither released nor taken twice.
	subnet := f.seed.Subnets["a"]
	eni, err := f.b.CreateServiceENI(subnet, nil, "network_load_balancer", "ELB net/x/1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.b.UseAddress(a.AllocationID, eni); err != nil {
		t.Fatal(err)
	}
	used := f.ok("DescribeAddresses", "AllocationId.1", a.AllocationID).(*describeAddressesReply).Addresses.Item[0]
	if used.NetworkInterfaceID != eni || used.AssociationID == "" || used.PrivateIPAddress == "" {
		t.Fatalf("in use = %+v", used)
	}
	if err := f.b.CheckAddress(a.AllocationID, ""); err == nil {
		t.Fatalf("an associated address is free for another ENI")
	}
	f.fail("InvalidIPAddress.InUse", "ReleaseAddress", "AllocationId", a.AllocationID)
	f.b.ReleaseENI(eni, 0)
	f.ok("ReleaseAddress", "AllocationId", a.AllocationID)
	f.fail("InvalidAllocationID.NotFound", "ReleaseAddress", "AllocationId", a.AllocationID)
	f.fail("MissingParameter", "ReleaseAddress")
}
