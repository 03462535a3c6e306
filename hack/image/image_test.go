package main

import (
	"archive/tar"
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

// rootfsNames is the image's whole filesystem: no shell, no package
// manager, nothing executable but /lbsg.
var rootfsNames = []string{
	"etc/", "etc/group", "etc/nsswitch.conf", "etc/passwd", "etc/ssl/", "etc/ssl/certs/",
	"etc/ssl/certs/ca-certificates.crt", "home/", "home/nonroot/", "lbsg", "tmp/",
}

func fakeSpec() Spec {
	return Spec{
		Binary:   []byte("\x7fELF not really"),
		CACerts:  []byte("-----BEGIN CERTIFICATE-----\n"),
		Arch:     "amd64",
		Created:  time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
		Name:     "lbsg",
		Version:  "v0.1.0-3-gabcdef0",
		Revision: "abcdef0123456789abcdef0123456789abcdef01",
		Source:   "https://github.com/lbsg/lbsg",
	}
}

func build(t *testing.T, s Spec) ([]byte, Result) {
	t.Helper()
	var buf bytes.Buffer
	res, err := Build(&buf, s)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), res
}

func TestSameSpecGivesByteIdenticalArchives(t *testing.T) {
	a, ra := build(t, fakeSpec())
	b, rb := build(t, fakeSpec())
	if !bytes.Equal(a, b) || ra.Manifest.Digest != rb.Manifest.Digest {
		t.Fatalf("two builds differ: %s vs %s", ra.Manifest.Digest, rb.Manifest.Digest)
	}
	later := fakeSpec()
	later.Created = later.Created.Add(time.Second)
	if _, rc := build(t, later); rc.Manifest.Digest == ra.Manifest.Digest {
		t.Error("a different timestamp gave the same digest")
	}
}

func TestArchiveIsAnOCILayoutAndADockerArchive(t *testing.T) {
	s := fakeSpec()
	b, res := build(t, s)
	a := readArchive(t, b)
	checkImage(t, a, s.Version)

	top := a.index.Manifests[0]
	if top.Digest != res.Manifest.Digest || top.Platform == nil || top.Platform.Architecture != "amd64" {
		t.Errorf("index.json manifest = %+v, want %s for linux/amd64", top, res.Manifest.Digest)
	}
	if got := top.Annotations["io.containerd.image.name"]; got != "docker.io/library/lbsg:"+s.Version {
		t.Errorf("io.containerd.image.name = %q", got)
	}
	if got := a.docker[0].RepoTags; !slices.Equal(got, []string{"lbsg:" + s.Version}) {
		t.Errorf("manifest.json RepoTags = %v", got)
	}
	if got := a.config.Created; got != "2026-11-25T12:00:00Z" {
		t.Errorf("created = %q", got)
	}
	if got := a.file(t, "lbsg").data; !bytes.Equal(got, s.Binary) {
		t.Errorf("/lbsg = %q, want the binary", got)
	}
	if got := a.file(t, "etc/ssl/certs/ca-certificates.crt").data; !bytes.Equal(got, s.CACerts) {
		t.Errorf("CA bundle = %q, want the build machine's", got)
	}
}

// checkImage asserts what every lbsg image must be, fake binary or real.
func checkImage(t *testing.T, a *archive, version string) {
	t.Helper()
	c := a.config
	if c.OS != "linux" || c.Config.User != "65532:65532" || c.Config.WorkingDir != "/" ||
		!slices.Equal(c.Config.Entrypoint, []string{"/lbsg"}) || !slices.Equal(c.Config.Cmd, []string{"controller"}) {
		t.Errorf("config = %+v, want linux, user 65532:65532, entrypoint [/lbsg], cmd [controller], workdir /", c)
	}
	for _, k := range []string{"source", "version", "revision", "created"} {
		if c.Config.Labels["org.opencontainers.image."+k] == "" {
			t.Errorf("label org.opencontainers.image.%s missing", k)
		}
	}
	if got := c.Config.Labels["org.opencontainers.image.version"]; got != version {
		t.Errorf("version label = %q, want %q", got, version)
	}

	var names []string
	created, _ := time.Parse(time.RFC3339, c.Created)
	for _, f := range a.layer {
		h := f.hdr
		names = append(names, h.Name)
		if !h.ModTime.Equal(created) || h.Uname != "" || h.Gname != "" || h.Format != tar.FormatUSTAR {
			t.Errorf("/%s: mtime %v, owner names %q/%q, format %v; want %v, none, USTAR", h.Name, h.ModTime, h.Uname, h.Gname, h.Format, created)
		}
		executable := h.Typeflag == tar.TypeReg && h.Mode&0o111 != 0
		if executable != (h.Name == "lbsg") {
			t.Errorf("/%s: mode %o; only /lbsg may be executable", h.Name, h.Mode)
		}
	}
	if !slices.Equal(names, rootfsNames) {
		t.Errorf("filesystem = %v, want exactly %v (no shell)", names, rootfsNames)
	}
	if f := a.file(t, "lbsg"); f.hdr.Mode != 0o755 || f.hdr.Uid != 0 {
		t.Errorf("/lbsg: mode %o uid %d, want 0755 root", f.hdr.Mode, f.hdr.Uid)
	}
	if f := a.file(t, "home/nonroot/"); f.hdr.Uid != UID || f.hdr.Gid != UID {
		t.Errorf("/home/nonroot owned by %d:%d, want 65532", f.hdr.Uid, f.hdr.Gid)
	}
	if got := string(a.file(t, "etc/passwd").data); !strings.Contains(got, "\nnonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd has no nonroot 65532:\n%s", got)
	}
	if got := string(a.file(t, "etc/group").data); !strings.Contains(got, "\nnonroot:x:65532:") {
		t.Errorf("/etc/group has no nonroot 65532:\n%s", got)
	}
}
