package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lbsg/lbsg/internal/localenv"
)

// step is one ```sh block of a README walkthrough and the lines of the
// ```text block right after it (none when it has no such block).
type step struct {
	script string
	want   []string
}

var (
	walkthroughStart = regexp.MustCompile(`(?m)^<!-- walkthrough:([a-z0-9-]+) -->\n`)
	fence            = regexp.MustCompile("(?ms)^```(sh|text)\n(.*?)^```\n")
)

// walkthrough is one README walkthrough: the fenced blocks between
// <!-- walkthrough:NAME --> and <!-- /walkthrough -->.
type walkthrough struct {
	name  string
	steps []step
}

// walkthroughs returns README.md's walkthroughs in README order.
func walkthroughs(t *testing.T) []walkthrough {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	var out []walkthrough
	for _, m := range walkthroughStart.FindAllStringSubmatchIndex(readme, -1) {
		name := readme[m[2]:m[3]]
		body := readme[m[1]:]
		end := strings.Index(body, "<!-- /walkthrough -->")
		if end < 0 {
			t.Fatalf("README walkthrough %s has no <!-- /walkthrough --> end marker", name)
		}
		body = body[:end]
		var steps []step
		last := -1 // end of the previous block
		for _, f := range fence.FindAllStringSubmatchIndex(body, -1) {
			kind, text := body[f[2]:f[3]], body[f[4]:f[5]]
			switch kind {
			case "sh":
				steps = append(steps, step{script: text})
			case "text":
				if len(steps) == 0 || strings.TrimSpace(body[last:f[0]]) != "" {
					t.Fatalf("walkthrough %s: a ```text block must follow a ```sh block directly:\n%s", name, text)
				}
				for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
					steps[len(steps)-1].want = append(steps[len(steps)-1].want, l)
				}
			}
			last = f[1]
		}
		if len(steps) == 0 {
			t.Fatalf("walkthrough %s has no ```sh blocks", name)
		}
		out = append(out, walkthrough{name: name, steps: steps})
	}
	return out
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// TestREADMEWalkthroughs runs each README walkthrough verbatim, as a user
// would in a shell next to `make sandbox`: one sandbox with the demo, from
// the built binary; each walkthrough's blocks in one bash session (aliases
// on, as in an interactive shell) with the AWS CLI v2 and kubectl. Every
// line of a block's expected output must appear in its output, in order
// ("…" stands for any text); after each walkthrough the sandbox's security
// groups and load balancers must be those it started with, and `lbsg audit`
// must be clean.
func TestREADMEWalkthroughs(t *testing.T) {
	all := walkthroughs(t)
	if len(all) == 0 {
		t.Fatal("README.md has no <!-- walkthrough:NAME --> sections")
	}
	awsPath := awsCLI(t)
	// The user's view: a directory with bin/ (lbsg, kubectl and the control
	// plane, as make sandbox leaves them) and the sandbox's .lbsg-sandbox.
	work := userDir(t, localenv.ClusterBinaries...)
	env := append(os.Environ(),
		// AWS CLI v2 before any v1 on PATH; no user AWS configuration.
		"PATH="+filepath.Dir(awsPath)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "KUBECONFIG=")
	sandboxDir := filepath.Join(work, ".lbsg-sandbox")
	stop := startSandbox(t, work, env, sandboxDir)
	if warnings := lbsgWarnings(t, work, env, sandboxDir); warnings != "" {
		t.Errorf("the demo's plain NLB Service and ALB Ingress got Warning events from lbsg:\n%s", warnings)
	}
	aws := cli{t: t, path: awsPath, endpoint: sandboxEndpoint(t, sandboxDir)}
	for _, w := range all {
		t.Run(w.name, func(t *testing.T) {
			aws.t = t
			before := worldNames(t, aws)
			runWalkthrough(t, w.steps, work, env)
			if after := worldNames(t, aws); !slices.Equal(after, before) {
				t.Errorf("the walkthrough left the sandbox changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
	stop()
}

// userDir is a directory as `make sandbox` leaves the user's: bin/ with
// lbsg and the named tools (skipping the test when one is not built,
// failing it under LBSG_REQUIRE_ASSETS=1).
func userDir(t *testing.T, tools ...string) string {
	t.Helper()
	assets, err := localenv.FindAssets("", tools...)
	if err != nil {
		if requireAssets() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	work := t.TempDir()
	bin := filepath.Join(work, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(lbsgBinary(t), filepath.Join(bin, "lbsg")); err != nil {
		t.Fatal(err)
	}
	for _, b := range tools {
		if err := os.Symlink(filepath.Join(assets, b), filepath.Join(bin, b)); err != nil {
			t.Fatal(err)
		}
	}
	return work
}

// lbsgWarnings lists the Warning events lbsg reported in the sandbox, one
// per line ("" when none), read with kubectl as a user would.
func lbsgWarnings(t *testing.T, work string, env []string, dir string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), filepath.Join(work, "bin", "kubectl"), "--kubeconfig", filepath.Join(dir, "kubeconfig"),
		"get", "events", "-A", "--field-selector", "type=Warning",
		"-o", `jsonpath={range .items[*]}{.reportingComponent}{.source.component} {.involvedObject.kind}/{.involvedObject.name} {.reason}: {.message}{"\n"}{end}`)
	cmd.Dir, cmd.Env = work, env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl get events: %v", err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "lbsg") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func runWalkthrough(t *testing.T, steps []step, work string, env []string) {
	var script strings.Builder
	script.WriteString("set -eo pipefail\nexec 2>&1\n")
	for i, s := range steps {
		fmt.Fprintf(&script, "echo \"@@@ step %d $EPOCHREALTIME\"\n%s\n", i, s.script)
	}
	script.WriteString("echo \"@@@ done $EPOCHREALTIME\"\n")
	scriptPath := filepath.Join(t.TempDir(), "walkthrough.sh")
	if err := os.WriteFile(scriptPath, []byte(script.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute) // ~30 s idle; the AWS CLI starts slowly on a loaded machine
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-O", "expand_aliases", scriptPath)
	cmd.Dir, cmd.Env = work, env
	start := time.Now()
	out, err := cmd.Output()
	t.Logf("walkthrough ran in %s", time.Since(start).Round(100*time.Millisecond))
	outputs, took := splitSteps(string(out), len(steps))
	t.Logf("seconds per step: %v", took)
	for i, s := range steps {
		if i >= len(outputs) {
			t.Fatalf("step %d did not run (the one before failed: %v):\n%s\n--- its output:\n%s", i-1, err, steps[i-1].script, outputs[i-1])
		}
		if missing := matchLines(outputs[i], s.want); missing != "" {
			t.Errorf("step %d: expected line %q not found in order\n--- script:\n%s\n--- output:\n%s", i, missing, s.script, outputs[i])
		}
	}
	if err != nil {
		t.Fatalf("walkthrough failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "@@@ done") {
		t.Fatalf("walkthrough stopped early:\n%s", out)
	}

	// Nothing left behind as lbsg sees it (the caller compares AWS before
	// and after).
	audit := exec.CommandContext(t.Context(), "bash", "-c", ". .lbsg-sandbox/aws.env && exec bin/lbsg audit")
	audit.Dir, audit.Env = work, env
	if b, err := audit.CombinedOutput(); err != nil {
		t.Errorf("lbsg audit after the walkthrough: %v\n%s", err, b)
	}
}

// worldNames lists the sandbox VPC's security groups and the load
// balancers, by name.
func worldNames(t *testing.T, aws cli) []string {
	t.Helper()
	var sgs, lbs []string
	aws.ok(&sgs, "ec2", "describe-security-groups", "--filters", "Name=vpc-id,Values="+vpcOf(t, aws), "--query", "SecurityGroups[].GroupName")
	aws.ok(&lbs, "elbv2", "describe-load-balancers", "--query", "LoadBalancers[].LoadBalancerName")
	for i := range lbs {
		lbs[i] = "lb " + lbs[i]
	}
	out := append(sgs, lbs...)
	slices.Sort(out)
	return out
}

func vpcOf(t *testing.T, aws cli) string {
	t.Helper()
	var vpc string
	aws.ok(&vpc, "eks", "describe-cluster", "--name", "sandbox", "--query", "cluster.resourcesVpcConfig.vpcId")
	return vpc
}

// startSandbox runs `lbsg sandbox --demo` in work, as `make sandbox` does
// (but on a free emulator port), and waits for DIR/ready and for the demo's
// load balancers. The returned stop sends Ctrl-C and checks a clean exit;
// it also runs at cleanup.
func startSandbox(t *testing.T, work string, env []string, dir string, extra ...string) (stop func()) {
	t.Helper()
	var out syncBuffer
	cmd := exec.Command(filepath.Join(work, "bin", "lbsg"), append([]string{"sandbox", "--dir", dir, "--aws-listen", "127.0.0.1:0", "--demo"}, extra...)...)
	cmd.Dir, cmd.Env = work, env
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	done, stop := runSandbox(t, cmd, &out)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(2 * time.Minute)
	ready := false
	for {
		if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil && !ready {
			ready = true
			t.Logf("sandbox ready in %s", time.Since(start).Round(100*time.Millisecond))
		}
		switch o := out.String(); {
		case ready && strings.Contains(o, "    inspect: "):
			t.Logf("demo load balancers provisioned %s after start", time.Since(start).Round(100*time.Millisecond))
			for _, gw := range []string{"echo-gw", "web-gw"} {
				if len(extra) == 0 && !strings.Contains(o, "Gateway demo/"+gw+" → ") { // lbsg's, not LBC's
					t.Errorf("the demo's Gateway %s got no address:\n%s", gw, o)
				}
			}
			return stop
		case strings.Contains(o, "\ndemo: "):
			t.Fatalf("the demo failed:\n%s", o)
		}
		select {
		case err := <-done:
			done <- err // for stop, at cleanup
			t.Fatalf("sandbox exited before ready (%v):\n%s", err, out.String())
		case <-deadline:
			t.Fatalf("sandbox and demo not ready after 2 minutes:\n%s", out.String())
		case <-tick.C:
		}
	}
}

// runSandbox starts an `lbsg sandbox` command writing to out; stop (also
// run at cleanup) sends Ctrl-C and checks a clean exit within 45 s. done
// reports an early exit.
func runSandbox(t *testing.T, cmd *exec.Cmd, out *syncBuffer) (done chan error, stop func()) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done = make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("sandbox exited with %v:\n%s", err, out.String())
			}
		case <-time.After(45 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("sandbox did not stop within 45s of Ctrl-C:\n%s", out.String())
		}
	}
	t.Cleanup(stop)
	return done, stop
}

// syncBuffer is a bytes.Buffer a process writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// sandboxEndpoint reads AWS_ENDPOINT_URL from DIR/aws.env.
func sandboxEndpoint(t *testing.T, dir string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "aws.env"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "export AWS_ENDPOINT_URL="); ok {
			return v
		}
	}
	t.Fatal("aws.env has no AWS_ENDPOINT_URL")
	return ""
}

// splitSteps cuts the session's output at the "@@@ step N T" markers (T:
// bash's $EPOCHREALTIME) and returns each step's output and duration.
func splitSteps(out string, n int) ([]string, []float64) {
	marker := regexp.MustCompile(`(?m)^@@@ (step \d+|done) ([0-9.]+)\n`)
	ms := marker.FindAllStringSubmatchIndex(out, -1)
	var parts []string
	var took []float64
	for i := 0; i < len(ms) && i < n; i++ {
		if out[ms[i][2]:ms[i][3]] != fmt.Sprintf("step %d", i) {
			break
		}
		end := len(out)
		if i+1 < len(ms) {
			end = ms[i+1][0]
			t0, _ := strconv.ParseFloat(out[ms[i][4]:ms[i][5]], 64)
			t1, _ := strconv.ParseFloat(out[ms[i+1][4]:ms[i+1][5]], 64)
			took = append(took, math.Round((t1-t0)*10)/10)
		}
		parts = append(parts, out[ms[i][1]:end])
	}
	return parts, took
}

var spaces = regexp.MustCompile(`\s+`)

// matchLines reports the first wanted line that does not match a line of
// out after the previous match, or "" when all do. Runs of white space
// compare equal (the CLI's text output uses tabs); "…" matches any text.
func matchLines(out string, want []string) string {
	lines := strings.Split(out, "\n")
	i := 0
	for _, w := range want {
		w = strings.TrimSpace(spaces.ReplaceAllString(w, " "))
		if w == "" {
			continue
		}
		parts := strings.Split(w, "…")
		for k, p := range parts {
			parts[k] = regexp.QuoteMeta(p)
		}
		re := regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
		for ; i < len(lines); i++ {
			if re.MatchString(strings.TrimSpace(spaces.ReplaceAllString(lines[i], " "))) {
				break
			}
		}
		if i == len(lines) {
			return w
		}
		i++
	}
	return ""
}
