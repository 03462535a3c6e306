package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// versionVar is the variable `lbsg version` prints (internal/cli/cli.go).
const versionVar = "github.com/lbsg/lbsg/internal/cli.Version"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

// options are the command line; empty values are derived from the
// repository (git) by resolve.
type options struct {
	root, out, caFile  string
	arch, name, source string
	version, revision  string
	epoch              string
}

func run(args []string) error {
	var o options
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	fs.StringVar(&o.root, "root", "../..", "repository root (module github.com/lbsg/lbsg)")
	fs.StringVar(&o.out, "o", "", "output archive (default <root>/bin/lbsg-image.tar)")
	fs.StringVar(&o.caFile, "ca-certs", "/etc/ssl/certs/ca-certificates.crt", "CA bundle to install")
	fs.StringVar(&o.arch, "arch", "", "GOARCH to build for (default this machine's)")
	fs.StringVar(&o.name, "name", "lbsg", "repository of the tag in the archive")
	fs.StringVar(&o.source, "source", "https://github.com/lbsg/lbsg", "org.opencontainers.image.source")
	fs.StringVar(&o.version, "version", "", "version to stamp and tag (default git describe --tags --always --dirty)")
	fs.StringVar(&o.revision, "revision", "", "org.opencontainers.image.revision (default git rev-parse HEAD)")
	fs.StringVar(&o.epoch, "epoch", "", "timestamp, Unix seconds (default $SOURCE_DATE_EPOCH, else HEAD's commit time)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	start := time.Now()
	spec, err := resolve(o)
	if err != nil {
		return err
	}
	if o.out == "" {
		o.out = filepath.Join(o.root, "bin", "lbsg-image.tar")
	}
	if spec.Binary, err = buildBinary(o.root, spec.Arch, spec.Version); err != nil {
		return err
	}
	var buf bytes.Buffer
	res, err := Build(&buf, spec)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(o.out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("image: %s  %s  linux/%s  layer %.1f MB  archive %.1f MB  (%s)\n",
		o.out, spec.Ref(), spec.Arch, float64(res.Layer.Size)/1e6, float64(buf.Len())/1e6,
		time.Since(start).Round(100*time.Millisecond))
	fmt.Printf("image: config %s (docker load's image ID)\n", res.Config.Digest)
	fmt.Printf("image: digest %s\n", res.Manifest.Digest)
	return nil
}

// resolve fills a Spec (all but the binary) from o, the environment and git.
func resolve(o options) (Spec, error) {
	s := Spec{Arch: o.arch, Name: o.name, Source: o.source, Version: o.version, Revision: o.revision}
	if s.Arch == "" {
		s.Arch = runtime.GOARCH
	}
	var err error
	if s.Version == "" {
		if s.Version, err = git(o.root, "describe", "--tags", "--always", "--dirty"); err != nil {
			return s, err
		}
	}
	if s.Revision == "" {
		if s.Revision, err = git(o.root, "rev-parse", "HEAD"); err != nil {
			return s, err
		}
	}
	epoch := o.epoch
	if epoch == "" {
		epoch = os.Getenv("SOURCE_DATE_EPOCH")
	}
	if epoch == "" {
		if epoch, err = git(o.root, "log", "-1", "--format=%ct", "HEAD"); err != nil {
			return s, err
		}
	}
	sec, err := strconv.ParseInt(epoch, 10, 64)
	if err != nil {
		return s, fmt.Errorf("epoch %q: %w", epoch, err)
	}
	s.Created = time.Unix(sec, 0).UTC()
	if s.CACerts, err = os.ReadFile(o.caFile); err != nil {
		return s, fmt.Errorf("CA bundle (Debian: apt-get install ca-certificates): %w", err)
	}
	return s, nil
}

func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			err = fmt.Errorf("%w: %s", err, bytes.TrimSpace(ee.Stderr))
		}
		return "", fmt.Errorf("git %s (or set the flag): %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// goBuildArgs is how the image's /lbsg is built; the Dockerfile's build stage
// uses the same flags.
func goBuildArgs(version, out string) []string {
	return []string{"build", "-trimpath", "-buildvcs=false",
		"-ldflags", "-s -w -X " + versionVar + "=" + version,
		"-o", out, "./cmd/lbsg"}
}

// buildBinary builds lbsg for linux/arch, statically (CGO_ENABLED=0), in
// the repository at root.
func buildBinary(root, arch, version string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "lbsg-image-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	goCmd := os.Getenv("GO")
	if goCmd == "" {
		goCmd = "go"
	}
	out := filepath.Join(tmp, "lbsg")
	cmd := exec.Command(goCmd, goBuildArgs(version, out)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOWORK=off")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %s: %w", strings.Join(cmd.Args[1:], " "), err)
	}
	return os.ReadFile(out)
}
