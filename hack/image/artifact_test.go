package main

import (
	"bytes"
	"crypto/x509"
	"debug/buildinfo"
	"debug/elf"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests below check the archive `make image` wrote, named by
// LBSG_IMAGE; without it they skip.
func artifact(t *testing.T) (*archive, []byte) {
	t.Helper()
	p := os.Getenv("LBSG_IMAGE")
	if p == "" {
		t.Skip("LBSG_IMAGE not set: run make image")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return readArchive(t, b), b
}

func TestImageRunsAsNonRootWithNoShell(t *testing.T) {
	a, _ := artifact(t)
	checkImage(t, a, a.config.Config.Labels["org.opencontainers.image.version"])
}

func TestImageBinaryIsStaticAndPrintsItsVersion(t *testing.T) {
	a, _ := artifact(t)
	dir := a.unpack(t)
	bin := filepath.Join(dir, "lbsg")

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("/lbsg is not ELF: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("/lbsg has a %v program header: dynamically linked", p.Type)
		}
	}
	if want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[a.config.Architecture]; want != 0 && f.Machine != want {
		t.Errorf("/lbsg is for %v, config says %s", f.Machine, a.config.Architecture)
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	for k, v := range map[string]string{"CGO_ENABLED": "0", "-trimpath": "true", "GOOS": "linux", "GOARCH": a.config.Architecture} {
		if settings[k] != v {
			t.Errorf("/lbsg built with %s=%q, want %q", k, settings[k], v)
		}
	}

	if a.config.Architecture != runtime.GOARCH {
		t.Skipf("image is %s, this machine %s: not running it", a.config.Architecture, runtime.GOARCH)
	}
	// Run it the way the image does: from the unpacked root, with no
	// environment, as the entrypoint.
	cmd := exec.CommandContext(t.Context(), bin, "version")
	cmd.Dir = dir
	cmd.Env = []string{}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("/lbsg version: %v\n%s", err, out)
	}
	if want := "lbsg " + a.config.Config.Labels["org.opencontainers.image.version"] + "\n"; string(out) != want {
		t.Errorf("/lbsg version printed %q, want %q", out, want)
	}
}

// The controller calls AWS over TLS: the bundle must hold the roots AWS's
// endpoints chain to.
func TestImageTrustsAmazonRoots(t *testing.T) {
	a, _ := artifact(t)
	rest := a.file(t, "etc/ssl/certs/ca-certificates.crt").data
	found := map[string]bool{}
	n := 0
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			continue
		}
		n++
		found[c.Subject.CommonName] = true
	}
	for _, cn := range []string{"Amazon Root CA 1", "Starfield Services Root Certificate Authority - G2"} {
		if !found[cn] {
			t.Errorf("CA bundle (%d certificates) lacks %q", n, cn)
		}
	}
}

// Rebuilding from the same tree (binary included) with the inputs recorded
// in the image's labels gives the same bytes, hence the same digest.
func TestImageRebuildIsByteIdentical(t *testing.T) {
	a, want := artifact(t)
	if testing.Short() {
		t.Skip("rebuilds lbsg")
	}
	labels := a.config.Config.Labels
	created, err := time.Parse(time.RFC3339, a.config.Created)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := resolve(options{
		root:     "../..",
		caFile:   "/etc/ssl/certs/ca-certificates.crt",
		arch:     a.config.Architecture,
		name:     strings.Split(a.docker[0].RepoTags[0], ":")[0],
		source:   labels["org.opencontainers.image.source"],
		version:  labels["org.opencontainers.image.version"],
		revision: labels["org.opencontainers.image.revision"],
		epoch:    strconv.FormatInt(created.Unix(), 10),
	})
	if err != nil {
		t.Fatal(err)
	}
	if spec.Binary, err = buildBinary("../..", spec.Arch, spec.Version); err != nil {
		t.Fatal(err)
	}
	got, res := build(t, spec)
	if bytes.Equal(got, want) {
		return
	}
	b := readArchive(t, got)
	t.Errorf("rebuild has digest %s, %s has %s", res.Manifest.Digest, os.Getenv("LBSG_IMAGE"), a.index.Manifests[0].Digest)
	if !bytes.Equal(b.file(t, "lbsg").data, a.file(t, "lbsg").data) {
		t.Error("/lbsg differs: the Go build is not reproducible (toolchain, flags or sources changed?)")
	}
	if !bytes.Equal(b.file(t, "etc/ssl/certs/ca-certificates.crt").data, a.file(t, "etc/ssl/certs/ca-certificates.crt").data) {
		t.Error("the CA bundle differs (ca-certificates updated?)")
	}
}
