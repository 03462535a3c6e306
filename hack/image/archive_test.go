package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// archive is an image archive read back and cross-checked the way a loader
// would: every blob under its digest, index.json → manifest → config and
// layer, and manifest.json naming the same blobs.
type archive struct {
	names    []string // entries in archive order
	files    map[string][]byte
	index    Index
	manifest Manifest
	config   Config
	docker   []DockerManifest
	layer    []layerFile // the rootfs layer, in tar order
}

type layerFile struct {
	hdr  *tar.Header
	data []byte
}

func readArchive(t *testing.T, b []byte) *archive {
	t.Helper()
	a := &archive{files: map[string][]byte{}}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading the archive: %v", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		a.names = append(a.names, h.Name)
		a.files[h.Name] = data
	}
	for name, data := range a.files {
		if hex, ok := strings.CutPrefix(name, "blobs/sha256/"); ok && hex != "" {
			if got := digest(data); got != "sha256:"+hex {
				t.Errorf("blob %s has digest %s", name, got)
			}
		}
	}
	if got := string(a.files["oci-layout"]); got != `{"imageLayoutVersion":"1.0.0"}` {
		t.Errorf("oci-layout = %q", got)
	}
	a.unmarshal(t, "index.json", &a.index)
	if len(a.index.Manifests) != 1 {
		t.Fatalf("index.json has %d manifests, want 1", len(a.index.Manifests))
	}
	a.unmarshal(t, a.blob(t, a.index.Manifests[0]), &a.manifest)
	a.unmarshal(t, a.blob(t, a.manifest.Config), &a.config)
	if len(a.manifest.Layers) != 1 || a.manifest.Layers[0].MediaType != mediaTypeLayer {
		t.Fatalf("manifest layers = %+v, want one %s", a.manifest.Layers, mediaTypeLayer)
	}
	zr, err := gzip.NewReader(bytes.NewReader(a.files[a.blob(t, a.manifest.Layers[0])]))
	if err != nil {
		t.Fatal(err)
	}
	layerTar, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.config.RootFS.DiffIDs; len(got) != 1 || got[0] != digest(layerTar) {
		t.Errorf("config diff_ids = %v, want [%s]", got, digest(layerTar))
	}
	tr = tar.NewReader(bytes.NewReader(layerTar))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading the layer: %v", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		a.layer = append(a.layer, layerFile{hdr: h, data: data})
	}
	a.unmarshal(t, "manifest.json", &a.docker)
	want := []DockerManifest{{
		Config:   blobPath(a.manifest.Config.Digest),
		RepoTags: a.docker[0].RepoTags,
		Layers:   []string{blobPath(a.manifest.Layers[0].Digest)},
	}}
	if len(a.docker) != 1 || !slices.Equal(a.docker[0].Layers, want[0].Layers) || a.docker[0].Config != want[0].Config {
		t.Errorf("manifest.json = %+v, want %+v", a.docker, want)
	}
	return a
}

// blob checks d against the blob it names and returns the blob's path.
func (a *archive) blob(t *testing.T, d Descriptor) string {
	t.Helper()
	p := blobPath(d.Digest)
	data, ok := a.files[p]
	if !ok {
		t.Fatalf("blob %s missing", p)
	}
	if int64(len(data)) != d.Size {
		t.Errorf("blob %s: %d bytes, descriptor says %d", p, len(data), d.Size)
	}
	return p
}

func (a *archive) unmarshal(t *testing.T, name string, v any) {
	t.Helper()
	data, ok := a.files[name]
	if !ok {
		t.Fatalf("%s missing from the archive", name)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// file returns the layer's file at path p (no leading slash).
func (a *archive) file(t *testing.T, p string) layerFile {
	t.Helper()
	for _, f := range a.layer {
		if f.hdr.Name == p {
			return f
		}
	}
	t.Fatalf("/%s not in the image", p)
	return layerFile{}
}

// unpack writes the layer into a new directory, as a container runtime
// would (modes, no ownership), and returns it.
func (a *archive) unpack(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range a.layer {
		p := filepath.Join(dir, filepath.FromSlash(f.hdr.Name))
		switch f.hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			if err := os.WriteFile(p, f.data, os.FileMode(f.hdr.Mode).Perm()); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("/%s: unexpected tar type %q", f.hdr.Name, f.hdr.Typeflag)
		}
	}
	return dir
}
