package ec2

import (
	"net/url"
	"runtime"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// buildLarge creates groups security groups with rules ingress rules each
// (tcp ports from 1000, alternating IPv4 CIDRs and references to the
// previous group), through Handle.
func buildLarge(tb testing.TB, groups, rules int) *Backend {
	tb.Helper()
	b := New(&core.Env{Region: region, Account: account, Clock: clocktesting.NewFakePassiveClock(time.Unix(1e9, 0)), IDs: core.NewIDs(3)})
	b.Quotas.GroupsPerRegion = groups + 10
	res, err := b.ApplySeed(Seed{VPCs: []SeedVPC{{Name: "big", CIDR: "10.0.0.0/16"}}})
	if err != nil {
		tb.Fatal(err)
	}
	vpc := res.VPCs["big"]
	prev := res.DefaultGroups["big"]
	for g := 0; g < groups; g++ {
		out, err := b.Handle("CreateSecurityGroup", query.FromValues(url.Values{
			"GroupName": {"g" + itoa(g)}, "GroupDescription": {"group " + itoa(g)}, "VpcId": {vpc},
			"TagSpecification.1.ResourceType": {"security-group"}, "TagSpecification.1.Tag.1.Key": {"elbv2.k8s.aws/cluster"},
			"TagSpecification.1.Tag.1.Value": {"sandbox"},
		}))
		if err != nil {
			tb.Fatal(err)
		}
		id := out.(*createSecurityGroupReply).GroupID
		v := url.Values{"GroupId": {id}}
		for r := 0; r < rules; r++ {
			pre := "IpPermissions." + itoa(r+1) + "."
			v.Set(pre+"IpProtocol", "tcp")
			v.Set(pre+"FromPort", itoa(1000+r))
			v.Set(pre+"ToPort", itoa(1000+r))
			if r%2 == 0 {
				v.Set(pre+"IpRanges.1.CidrIp", "10."+itoa(r)+"."+itoa(g%250)+".0/24")
				v.Set(pre+"IpRanges.1.Description", "elbv2.k8s.aws/targetGroupBinding=shared")
			} else {
				v.Set(pre+"Groups.1.GroupId", prev)
			}
		}
		if _, err := b.Handle("AuthorizeSecurityGroupIngress", query.FromValues(v)); err != nil {
			tb.Fatal(err)
		}
		prev = id
	}
	return b
}

var benchBackend *Backend

func largeBackend(b *testing.B) *Backend {
	if benchBackend == nil {
		benchBackend = buildLarge(b, 10000, 20)
	}
	return benchBackend
}

// BenchmarkDescribeSecurityGroups10kx20 describes all 10,000 groups of 20
// ingress rules (plus the default egress rule) in one unpaginated call,
// through Handle and the XML rendering.
func BenchmarkDescribeSecurityGroups10kx20(b *testing.B) {
	be := largeBackend(b)
	p := query.FromValues(url.Values{})
	b.ReportAllocs()
	b.ResetTimer()
	var size int
	cpu := processCPU()
	for b.Loop() {
		out, err := be.Handle("DescribeSecurityGroups", p)
		if err != nil {
			b.Fatal(err)
		}
		body, err := query.EC2Body("DescribeSecurityGroups", "req", out)
		if err != nil {
			b.Fatal(err)
		}
		size = len(body)
	}
	b.ReportMetric(float64(size)/(1<<20), "MiB/reply")
	b.ReportMetric(float64(processCPU()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkDescribeSecurityGroups10kx20Paged is what LBC-like callers do: a
// vpc-id filter and pages of 1000.
func BenchmarkDescribeSecurityGroups10kx20Paged(b *testing.B) {
	be := largeBackend(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		tok := ""
		for {
			v := url.Values{"MaxResults": {"1000"}, "Filter.1.Name": {"tag-key"}, "Filter.1.Value.1": {"elbv2.k8s.aws/cluster"}}
			if tok != "" {
				v.Set("NextToken", tok)
			}
			out, err := be.Handle("DescribeSecurityGroups", query.FromValues(v))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := query.EC2Body("DescribeSecurityGroups", "req", out); err != nil {
				b.Fatal(err)
			}
			if tok = out.(*describeSecurityGroupsReply).NextToken; tok == "" {
				break
			}
		}
	}
	b.ReportMetric(float64(processCPU()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkDescribeSecurityGroupByID10kx20 is one group by ID in the large
// state: it must not scale with the number of groups.
func BenchmarkDescribeSecurityGroupByID10kx20(b *testing.B) {
	be := largeBackend(b)
	p := query.FromValues(url.Values{"GroupId.1": {be.st.groupIDs[5000]}})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, err := be.Handle("DescribeSecurityGroups", p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := query.EC2Body("DescribeSecurityGroups", "req", out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStateMemory10kx20 reports the live heap of a 10,000 × 20 state.
func BenchmarkStateMemory10kx20(b *testing.B) {
	var heap float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		be := buildLarge(b, 10000, 20)
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
		runtime.KeepAlive(be)
	}
	b.ReportMetric(heap, "heap-MiB")
}

func TestLargeStateStaysConsistent(t *testing.T) {
	if testing.Short() {
		t.Skip("large state")
	}
	b := buildLarge(t, 500, 20)
	out, err := b.Handle("DescribeSecurityGroups", query.FromValues(url.Values{}))
	if err != nil {
		t.Fatal(err)
	}
	groups := out.(*describeSecurityGroupsReply).Groups.Item
	if len(groups) != 501 {
		t.Fatalf("%d groups", len(groups))
	}
	for _, g := range groups {
		if g.GroupName != "default" && len(g.IPPermissions.Item) != 20 {
			t.Fatalf("%s: %d permissions", g.GroupID, len(g.IPPermissions.Item))
		}
	}
	// Every group but the last is referenced by the next one.
	if n := len(b.st.refs); n != 500 {
		t.Fatalf("%d referenced groups", n)
	}
}

// BenchmarkSnapshot10kx20 is what the server pays per mutation when it keeps
// a state file.
func BenchmarkSnapshot10kx20(b *testing.B) {
	be := largeBackend(b)
	b.ReportAllocs()
	b.ResetTimer()
	var size int
	for b.Loop() {
		raw, err := be.Snapshot()
		if err != nil {
			b.Fatal(err)
		}
		size = len(raw)
	}
	b.ReportMetric(float64(size)/(1<<20), "MiB/snapshot")
}
