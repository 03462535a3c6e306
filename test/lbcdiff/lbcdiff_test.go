package lbcdiff

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/localenv"
)

// diff compares two snapshots after the Replace entries of
// AcceptedDifferences: it returns the lines found on one side only that no
// entry tolerates, the lines each side's entries tolerated, and the IDs of
// the entries that matched something.
func diff(lbc, lbsg []string) (onlyLBC, onlyLBSG []string, tol map[Side][]string, used map[string]bool) {
	used = map[string]bool{}
	tol = map[Side][]string{}
	for _, a := range AcceptedDifferences {
		if a.Replace == "" {
			continue
		}
		for _, l := range map[Side][]string{LBC: lbc, LBSG: lbsg}[a.Side] {
			if a.Pattern.MatchString(l) {
				used[a.ID] = true
			}
		}
	}
	lbc, lbsg = apply(LBC, lbc), apply(LBSG, lbsg)
	in := func(s []string) map[string]bool {
		m := map[string]bool{}
		for _, l := range s {
			m[l] = true
		}
		return m
	}
	inLBC, inLBSG := in(lbc), in(lbsg)
	for _, l := range lbc {
		if !inLBSG[l] {
			if id := tolerated(LBC, l); id != "" {
				used[id] = true
				tol[LBC] = append(tol[LBC], l)
			} else {
				onlyLBC = append(onlyLBC, l)
			}
		}
	}
	for _, l := range lbsg {
		if !inLBC[l] {
			if id := tolerated(LBSG, l); id != "" {
				used[id] = true
				tol[LBSG] = append(tol[LBSG], l)
			} else {
				onlyLBSG = append(onlyLBSG, l)
			}
		}
	}
	return onlyLBC, onlyLBSG, tol, used
}

// checkRanges holds the node-rule-range entries to what they accept: each
// port range LBC opens on a group, for a source and description, must start
// and end on a port lbsg opens for the same, and every port lbsg opens must
// lie in one of LBC's ranges.
func checkRanges(lbc, lbsg []string) []string {
	type rng struct {
		key      string
		from, to int
	}
	parse := func(lines []string) []rng {
		var out []rng
		for _, l := range lines {
			m := nodeRuleFromBackend.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			from, _ := strconv.Atoi(m[1])
			to, _ := strconv.Atoi(m[2])
			group := l[:strings.Index(l, " ")]
			out = append(out, rng{key: group + " " + m[3] + l[len(m[0]):], from: from, to: to})
		}
		return out
	}
	theirs, ours := parse(lbc), parse(lbsg)
	var problems []string
	for _, r := range ours {
		ok := false
		for _, R := range theirs {
			ok = ok || (R.key == r.key && R.from <= r.from && r.to <= R.to)
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("lbsg opens %d-%d on %s outside LBC's ranges", r.from, r.to, r.key))
		}
	}
	for _, R := range theirs {
		lo, hi := false, false
		for _, r := range ours {
			if r.key == R.key {
				lo = lo || (r.from <= R.from && R.from <= r.to)
				hi = hi || (r.from <= R.to && R.to <= r.to)
			}
		}
		if !lo || !hi {
			problems = append(problems, fmt.Sprintf("LBC opens %d-%d on %s; lbsg does not open both ends", R.from, R.to, R.key))
		}
	}
	return problems
}

func TestCheckRangesHoldsLBCRangesToLBSGPorts(t *testing.T) {
	lbc := []string{`sg[node] ingress: tcp 8080-30205 from sg[backend] desc="m"`}
	good := []string{`sg[node] ingress: tcp 8080-8080 from sg[backend] desc="m"`, `sg[node] ingress: tcp 30203-30205 from sg[backend] desc="m"`}
	if p := checkRanges(lbc, good); len(p) != 0 {
		t.Errorf("exact ports within LBC's range: %v", p)
	}
	for name, bad := range map[string][]string{
		"outside":      append(slices.Clone(good), `sg[node] ingress: tcp 30300-30300 from sg[backend] desc="m"`),
		"no low end":   good[1:],
		"other source": {`sg[node] ingress: tcp 8080-8080 from sg[x] desc="m"`, `sg[node] ingress: tcp 30205-30205 from sg[x] desc="m"`},
	} {
		if p := checkRanges(lbc, bad); len(p) == 0 {
			t.Errorf("%s: no problem found", name)
		}
	}
}

func TestMarkdownMarksKnownBugs(t *testing.T) {
	saved := AcceptedDifferences
	t.Cleanup(func() { AcceptedDifferences = saved })
	AcceptedDifferences = append(slices.Clone(saved), Accepted{ID: "x", Side: LBSG, Pattern: nodeRuleFromBackend,
		Reason: "a | b", Bug: "lbsg opens too much"})
	md := Markdown()
	if !strings.Contains(md, "| `x` | lbsg | **known lbsg bug**: lbsg opens too much. a \\| b |") {
		t.Errorf("bug entry not rendered as a known bug:\n%s", md)
	}
	for _, a := range saved {
		if !strings.Contains(md, "`"+a.ID+"`") {
			t.Errorf("%s missing:\n%s", a.ID, md)
		}
	}
}

func TestDiffAppliesAcceptedDifferences(t *testing.T) {
	lbc := []string{
		`sg[node] ingress: tcp 30101-30101 from sg[backend] desc="elbv2.k8s.aws/targetGroupBinding=shared"`,
		`lb[a/b] scheme: internal`,
	}
	lbsg := []string{
		`sg[node] ingress: tcp 30101-30101 from sg[backend] desc="elbv2.k8s.aws/targetGroupBinding=shared,elbv2.k8s.aws/cluster=sandbox"`,
		`lb[a/b] scheme: internet-facing`,
	}
	onlyLBC, onlyLBSG, _, used := diff(lbc, lbsg)
	if !slices.Equal(onlyLBC, []string{`lb[a/b] scheme: internal`}) || !slices.Equal(onlyLBSG, []string{`lb[a/b] scheme: internet-facing`}) {
		t.Errorf("diff: only LBC %q, only lbsg %q", onlyLBC, onlyLBSG)
	}
	if !used["rule-marker-cluster"] {
		t.Errorf("the rule-marker entry did not apply: %v", used)
	}
}

// TestLBSGMatchesLBC applies the corpus to a world run by LBC and one run
// by lbsg and compares the AWS state they converge to.
func TestLBSGMatchesLBC(t *testing.T) {
	bins, err := localenv.FindAssets("", append(slices.Clone(localenv.ClusterBinaries), "lbc")...)
	if err != nil {
		if localenv.RequireAssets() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	// The emulator takes any credentials; lbsg's SDK chain still wants some.
	t.Setenv("AWS_ACCESS_KEY_ID", "sandbox")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "sandbox")
	cases := copies(selected(t, corpus), copiesWanted(t))
	start := time.Now()
	worlds := map[Side]*world{}
	errs := map[Side]error{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, side := range []Side{LBC, LBSG} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := startWorld(t, side, bins)
			mu.Lock()
			worlds[side], errs[side] = w, err
			mu.Unlock()
		}()
	}
	wg.Wait()
	for side, err := range errs {
		if err != nil {
			t.Fatalf("%s: %v", side, err)
		}
	}
	t.Logf("both worlds up in %s", time.Since(start).Round(time.Second))
	ctx := t.Context()
	snaps := map[Side]*snapshot{}
	for side, w := range worlds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			err := w.apply(ctx, cases)
			applied := time.Since(t0)
			var done, lastCall time.Duration
			var slowest []string
			if err == nil {
				done, lastCall, slowest, err = w.converge(ctx, cases, 2*time.Second, convergeTimeout(len(cases)))
			}
			t.Logf("%s: %d cases applied in %s, converged %s later (everything provisioned by %s, the last being %v; last AWS call by %s)",
				side, len(cases), applied.Round(time.Second), (time.Since(t0) - applied).Round(time.Second), done.Round(time.Second), slowest, lastCall.Round(time.Second))
			var s *snapshot
			if err == nil {
				s, err = take(context.WithoutCancel(ctx), w)
			}
			mu.Lock()
			snaps[side], errs[side] = s, err
			mu.Unlock()
		}()
	}
	wg.Wait()
	for side, err := range errs {
		if err != nil {
			t.Fatalf("%s: %v", side, err)
		}
	}
	t.Logf("both worlds converged in %s", time.Since(start).Round(time.Second))
	for side, w := range worlds {
		log, err := w.callLog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byCode := map[string]int{}
		for action, a := range log.Actions {
			for code, n := range a.Errors {
				byCode[code] += n
				switch code {
				case "InvalidAction", "UnknownParameter", "ValidationError", "UnsupportedOperation", "InternalError":
					t.Errorf("%s's %s got %s %d times: an answer AWS would not give, or a request it would refuse", side, action, code, n)
				}
			}
		}
		t.Logf("%s made %d AWS calls (errors by code: %v)", side, log.Total, byCode)
		warnings, err := w.warnings(ctx, cases)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range warnings {
			t.Errorf("%s: Warning event on a valid manifest: %s", side, e)
		}
	}
	if d := os.Getenv(DumpEnv); d != "" {
		for side, s := range snaps {
			_ = os.WriteFile(filepath.Join(d, string(side)+".txt"), []byte(strings.Join(s.lines, "\n")+"\n"), 0o644)
		}
	}
	onlyLBC, onlyLBSG, tol, used := diff(snaps[LBC].lines, snaps[LBSG].lines)
	for _, p := range checkRanges(tol[LBC], tol[LBSG]) {
		t.Error(p)
	}
	for _, c := range cases {
		var lines []string
		for _, l := range onlyLBC {
			if mentions(l, c.name) {
				lines = append(lines, "- "+l)
			}
		}
		for _, l := range onlyLBSG {
			if mentions(l, c.name) {
				lines = append(lines, "+ "+l)
			}
		}
		if len(lines) > 0 {
			t.Errorf("case %s: LBC (-) and lbsg (+) differ:\n%s", c.name, strings.Join(lines, "\n"))
		}
	}
	var shared []string
	for _, l := range onlyLBC {
		if !mentionsCase(l, cases) {
			shared = append(shared, "- "+l)
		}
	}
	for _, l := range onlyLBSG {
		if !mentionsCase(l, cases) {
			shared = append(shared, "+ "+l)
		}
	}
	if len(shared) > 0 {
		t.Errorf("shared resources: LBC (-) and lbsg (+) differ:\n%s", strings.Join(shared, "\n"))
	}
	for _, a := range AcceptedDifferences {
		if !used[a.ID] && os.Getenv(CasesEnv) == "" { // a subset may not exercise every entry
			t.Errorf("accepted difference %s matched nothing: remove it from accepted.go (and regenerate docs/migration.md)", a.ID)
		}
	}
	t.Logf("compared %d LBC lines with %d lbsg lines", len(snaps[LBC].lines), len(snaps[LBSG].lines))
	takeOver(t, worlds, cases, snaps)
}

func mentionsCase(l string, cases []testCase) bool {
	for _, c := range cases {
		if mentions(l, c.name) {
			return true
		}
	}
	return false
}

// mentions tells whether a snapshot line belongs to the case in namespace
// ns: its labels name the namespace as "[ns/" or "[ns]" (or " ns]").
func mentions(l, ns string) bool {
	for _, pre := range []string{"[", " "} {
		for _, post := range []string{"/", "]"} {
			if strings.Contains(l, pre+ns+post) {
				return true
			}
		}
	}
	return false
}

// DumpEnv names a directory where the suite writes both snapshots
// (LBC.txt, lbsg.txt) and both controllers' logs.
const DumpEnv = "LBSG_LBCDIFF_DUMP"

// CasesEnv, when set, is a regular expression: only the corpus cases whose
// names match it run (for working on one case; CI runs them all).
const CasesEnv = "LBSG_LBCDIFF_CASES"

func selected(t *testing.T, cases []testCase) []testCase {
	v := os.Getenv(CasesEnv)
	if v == "" {
		return cases
	}
	re, err := regexp.Compile(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", CasesEnv, v, err)
	}
	var out []testCase
	for _, c := range cases {
		if re.MatchString(c.name) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s=%q matches no case", CasesEnv, v)
	}
	return out
}

// FullCopiesEnv sets how many copies of the corpus the suite applies (each
// in its own namespaces); make lbcdiff sets it for the full-size run.
const FullCopiesEnv = "LBSG_LBCDIFF_COPIES"

func copiesWanted(t *testing.T) int {
	v := os.Getenv(FullCopiesEnv)
	if v == "" {
		return 1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 20 {
		t.Fatalf("%s=%q: want 1 to 20", FullCopiesEnv, v)
	}
	return n
}

// copies returns n copies of cases, the k-th (k ≥ 2) in namespaces suffixed
// -k.
func copies(cases []testCase, n int) []testCase {
	out := slices.Clone(cases)
	for k := 2; k <= n; k++ {
		for _, c := range cases {
			out = append(out, testCase{name: fmt.Sprintf("%s-%d", c.name, k), build: c.build})
		}
	}
	return out
}

// convergeTimeout grows with the corpus. lbsg paces CreateLoadBalancer and
// SetSubnets at AWS's published rate (its client-side ELBv2 "intensive"
// bucket, 0.2 a second past a burst of 9) even though the emulator here does
// not throttle, so a corpus whose cases make about one load balancer each
// needs (cases - burst) / rate seconds for the creates alone: 165 s for 42
// cases, measured 2m54s to the last one on this 2-core machine. The bound
// is two minutes plus that pace with half again as slack.
func convergeTimeout(cases int) time.Duration {
	b := awsapi.DefaultLimits()[awsapi.ELBV2Intensive]
	pace := time.Duration(float64(max(0, cases-b.Burst)) / b.Rate * float64(time.Second))
	return 2*time.Minute + pace*3/2
}
