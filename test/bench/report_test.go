package bench

import (
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/emulator"
)

// delta is after minus before, action by action.
func delta(after, before emulator.CallStats) emulator.CallStats {
	out := emulator.CallStats{Total: after.Total - before.Total, Errors: after.Errors - before.Errors,
		Actions: map[string]emulator.ActionStats{}}
	for k, a := range after.Actions {
		b := before.Actions[k]
		if n := a.Calls - b.Calls; n > 0 {
			d := emulator.ActionStats{Calls: n}
			for code, e := range a.Errors {
				if e > b.Errors[code] {
					if d.Errors == nil {
						d.Errors = map[string]int{}
					}
					d.Errors[code] = e - b.Errors[code]
				}
			}
			out.Actions[k] = d
		}
	}
	return out
}

// keyActions get a metric of their own ("<Action>-calls") when called.
var keyActions = []string{
	"CreateLoadBalancer", "CreateTargetGroup", "CreateListener", "RegisterTargets", "DeregisterTargets",
	"CreateRule", "ModifyRule", "DeleteRule", "SetRulePriorities", "ModifyListener", "DescribeRules",
	"AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress", "CreateSecurityGroup",
	"DescribeSecurityGroups", "DescribeInstances", "DescribeLoadBalancers", "DescribeTargetGroups",
	"DescribeTargetHealth", "DescribeListeners", "DescribeTags",
}

// phaseResult is what one scenario phase measured.
type phaseResult struct {
	name    string
	seconds float64 // to converge (last mutation, or last activity when none is expected)
	calls   emulator.CallStats
	objects int // what calls per object divide by
	// groups: IngressGroups in the world (calls per group divide by it;
	// 0 without Ingresses).
	groups int
	// bucketMin: seconds the emulator's buckets need for calls' mutations
	// (cold start only; 0 when the bursts cover them).
	bucketMin float64
	limiting  string // the bucket that sets bucketMin
	// retried: the controller's retried attempts by operation (phases
	// that assert operation counts set it); calls counts every attempt.
	retried map[string]int
}

// ops is how many operations of action the controller made in the phase:
// its calls less the retried attempts (a retry after a throttle or a
// failed read of the reply is the SDK's, not another read).
func (r phaseResult) ops(action string) int { return r.calls.Count(action) - r.retried[action] }

func isRead(action string) bool {
	return strings.HasPrefix(action, "Describe") || strings.HasPrefix(action, "List") || strings.HasPrefix(action, "Get")
}

func (r phaseResult) mutations() int { return r.calls.Mutations() }

// report writes a phase's metrics and logs its calls by action.
func (r phaseResult) report(b *testing.B) {
	b.Helper()
	b.ReportMetric(0, "ns/op") // one-shot scenario: seconds are reported below
	if r.seconds > 0 {
		b.ReportMetric(r.seconds, "s")
	}
	b.ReportMetric(float64(r.calls.Total), "aws-calls")
	b.ReportMetric(float64(r.mutations()), "mutations")
	if r.calls.Errors > 0 {
		b.ReportMetric(float64(r.calls.Errors), "aws-errors")
	}
	if r.objects > 0 {
		b.ReportMetric(float64(r.calls.Total)/float64(r.objects), "calls/object")
		b.ReportMetric(float64(r.mutations())/float64(r.objects), "mutations/object")
	}
	if r.groups > 0 {
		b.ReportMetric(float64(r.calls.Total)/float64(r.groups), "calls/group")
	}
	for _, a := range keyActions {
		if n := r.calls.Count(a); n > 0 {
			b.ReportMetric(float64(n), a+"-calls")
		}
	}
	if r.bucketMin > 0 {
		b.ReportMetric(r.bucketMin, "bucket-min-s")
		b.ReportMetric(r.seconds/r.bucketMin, "converge/bucket-min")
	}
	// The benchmark log keeps ten lines: the table goes to stderr.
	fmt.Fprintf(os.Stderr, "--- %s\n%s\n", b.Name(), r)
}

// String is the phase's calls by action, for logs.
func (r phaseResult) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %.1fs, %d calls (%d mutations, %d errors) for %d objects", r.name, r.seconds, r.calls.Total,
		r.mutations(), r.calls.Errors, r.objects)
	if r.groups > 0 {
		fmt.Fprintf(&sb, " (%d IngressGroups: %.1f calls/group)", r.groups, float64(r.calls.Total)/float64(r.groups))
	}
	if r.bucketMin > 0 {
		fmt.Fprintf(&sb, "; bucket minimum %.1fs (%s), ratio %.2f", r.bucketMin, r.limiting, r.seconds/r.bucketMin)
	}
	for _, k := range r.calls.Sorted() {
		a := r.calls.Actions[k]
		fmt.Fprintf(&sb, "\n\t%-50s %d", k, a.Calls)
		if _, op, _ := strings.Cut(k, ":"); r.retried[op] > 0 {
			fmt.Fprintf(&sb, " (%d retried)", r.retried[op])
		}
		for _, code := range slices.Sorted(maps.Keys(a.Errors)) {
			fmt.Fprintf(&sb, " %s×%d", code, a.Errors[code])
		}
	}
	return sb.String()
}

// The emulator's buckets (internal/emulator bucketSpecs) are AWS's, which
// awsapi.AWSBuckets lists under the same class names with an "ec2-" prefix
// where the emulator has none; these classify a mutating action the way the
// emulator's ec2Category and elbv2Category do.
func ec2MutatingClass(action string) string {
	switch action {
	case "AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress":
		return awsapi.EC2ResourceIntensive
	case "CreateTags", "DeleteTags":
		return awsapi.EC2Tags
	}
	return awsapi.EC2Mutating
}

func elbv2MutatingClass(action string) string {
	switch action {
	case "CreateLoadBalancer", "SetSubnets":
		return awsapi.ELBV2Intensive
	case "RegisterTargets", "DeregisterTargets":
		return awsapi.ELBV2Registration
	}
	return awsapi.ELBV2Mutating
}

// bucketMinimum is the least time in which the emulator's buckets, full at
// the start, admit calls' mutations (and, with reads, its Describes too):
// per bucket (EC2: one per action; ELBv2: one per class plus the account
// bucket all ELBv2 calls share), (calls − capacity) / refill; the slowest
// bucket sets the time. EC2 reads are taken as filtered (lbsg filters or
// pages every Describe), so they pay the non-mutating bucket.
func bucketMinimum(calls emulator.CallStats, reads bool) (float64, string) {
	spec := awsapi.AWSBuckets()
	need := map[string]int{} // bucket key → calls
	class := map[string]string{}
	for k, a := range calls.Actions {
		svc, action, _ := strings.Cut(k, ":")
		read := isRead(action)
		if read && !reads {
			continue
		}
		switch svc {
		case emulator.ServiceEC2:
			key, c := "ec2/"+action, ec2MutatingClass(action)
			if read {
				c = awsapi.EC2NonMutating
			}
			need[key] += a.Calls
			class[key] = c
		case emulator.ServiceELBv2:
			c := elbv2MutatingClass(action)
			if read {
				c = awsapi.ELBV2NonMutating
			}
			need["elbv2/"+c] += a.Calls
			class["elbv2/"+c] = c
			need["elbv2/account"] += a.Calls
			class["elbv2/account"] = awsapi.ELBV2Account
		}
	}
	best, which := 0.0, ""
	for _, key := range slices.Sorted(maps.Keys(need)) {
		b := spec[class[key]]
		if t := float64(need[key]-b.Burst) / b.Rate; t > best {
			best, which = t, fmt.Sprintf("%s: %d calls, burst %d, %.1f/s", key, need[key], b.Burst, b.Rate)
		}
	}
	return best, which
}

// memResult is a memory measurement.
type memResult struct {
	heapPeak, livePeak, liveAfterGC, rssPeak, rss uint64
	objects                                       int
}

func mib(n uint64) float64 { return math.Round(float64(n)/(1<<20)*10) / 10 }

func (m memResult) report(b *testing.B) {
	b.Helper()
	b.ReportMetric(mib(m.heapPeak), "heap-peak-MiB")
	b.ReportMetric(mib(m.livePeak), "heap-live-peak-MiB")
	b.ReportMetric(mib(m.liveAfterGC), "heap-live-MiB")
	if m.rssPeak > 0 {
		b.ReportMetric(mib(m.rssPeak), "rss-peak-MiB")
	}
	if m.objects > 0 {
		b.ReportMetric(float64(m.liveAfterGC)/float64(m.objects)/1024, "heap-KiB/lb")
	}
}

func since(t0, t time.Time) float64 { return t.Sub(t0).Seconds() }
