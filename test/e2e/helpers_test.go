package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// lbsgBinary builds cmd/lbsg once per test binary.
func lbsgBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lbsg-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "lbsg")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/lbsg")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building lbsg: %v\n%s", buildErr, binPath)
	}
	return binPath
}

func requireAssets() bool { return os.Getenv("LBSG_REQUIRE_ASSETS") == "1" }

// awsCLI returns the path of AWS CLI v2, preferring Debian's /usr/bin/aws
// over a v1 that may shadow it on PATH.
func awsCLI(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("LBSG_AWS_CLI"), "/usr/bin/aws", "aws"} {
		if p == "" {
			continue
		}
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		out, err := exec.Command(path, "--version").CombinedOutput()
		if err == nil && strings.HasPrefix(string(out), "aws-cli/2.") {
			return path
		}
	}
	if requireAssets() {
		t.Fatal("AWS CLI v2 not found (apt-get install awscli)")
	}
	t.Skip("AWS CLI v2 not found; install the Debian package awscli")
	return ""
}

var urlLine = regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)`)

// startEmulator runs `lbsg emulator` on a free loopback port and returns
// its URL; the process is killed when the test ends.
func startEmulator(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, lbsgBinary(t), append([]string{"emulator", "--listen", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	lines := make(chan string, 8)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("emulator exited: %s", stderr.String())
			}
			if m := urlLine.FindStringSubmatch(l); m != nil {
				go func() {
					for range lines { //nolint:revive // drain
					}
				}()
				return m[1]
			}
		case <-deadline:
			t.Fatalf("emulator did not start: %s", stderr.String())
		}
	}
}

// cli runs the AWS CLI against endpoint and returns stdout, stderr and the
// exit code.
type cli struct {
	t        *testing.T
	path     string
	endpoint string
}

func (c cli) run(args ...string) (string, string, int) {
	c.t.Helper()
	return c.runWith(nil, args...)
}

func (c cli) runWith(env []string, args ...string) (string, string, int) {
	c.t.Helper()
	full := append([]string{"--endpoint-url", c.endpoint, "--region", "us-west-2", "--output", "json", "--cli-connect-timeout", "5"}, args...)
	cmd := exec.Command(c.path, full...)
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_MAX_ATTEMPTS=1",
		"AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("running aws %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// ok runs a command that must succeed and decodes its JSON output.
func (c cli) ok(v any, args ...string) {
	c.t.Helper()
	out, errs, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("aws %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(out), v); err != nil {
			c.t.Fatalf("aws %s: decoding %q: %v", strings.Join(args, " "), out, err)
		}
	}
}

// fails runs a command that must fail with an AWS error code.
func (c cli) fails(code string, args ...string) {
	c.t.Helper()
	_, errs, exit := c.run(args...)
	if exit == 0 || !strings.Contains(errs, "("+code+")") {
		c.t.Fatalf("aws %s: want error %s, got exit %d: %s", strings.Join(args, " "), code, exit, errs)
	}
}

type callStats struct {
	Total   int
	Actions map[string]struct {
		Calls  int
		Errors map[string]int
	}
}

// emulatorCalls reads the emulator's call log from its control API.
func emulatorCalls(t *testing.T, endpoint string) callStats {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, endpoint+"/_lbsg/calls", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var s callStats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}
