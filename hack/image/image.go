package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// The non-root user the image runs as; the Helm chart's securityContext
// (runAsUser/runAsGroup 65532) and distroless's "nonroot" use the same ids.
const (
	UID  = 65532
	User = "65532:65532"
)

// Media types of the blobs.
const (
	mediaTypeIndex    = "application/vnd.oci.image.index.v1+json"
	mediaTypeManifest = "application/vnd.oci.image.manifest.v1+json"
	mediaTypeConfig   = "application/vnd.oci.image.config.v1+json"
	mediaTypeLayer    = "application/vnd.oci.image.layer.v1.tar+gzip"
)

// Files the Dockerfile copies too (COPY hack/image/rootfs/etc/ /etc/).
var (
	//go:embed rootfs/etc/passwd
	passwd []byte
	//go:embed rootfs/etc/group
	group []byte
	//go:embed rootfs/etc/nsswitch.conf
	nsswitch []byte
)

// Spec is everything an image is made of: equal Specs give byte-identical
// archives.
type Spec struct {
	Binary   []byte    // the static lbsg binary, installed as /lbsg
	CACerts  []byte    // PEM bundle, installed as /etc/ssl/certs/ca-certificates.crt
	Arch     string    // GOARCH of Binary
	Created  time.Time // every timestamp: files, config, history
	Name     string    // repository of the tag, e.g. "lbsg"
	Version  string    // tag and org.opencontainers.image.version
	Revision string    // org.opencontainers.image.revision (git commit)
	Source   string    // org.opencontainers.image.source
}

// Ref is the name the archive tags the image with: Name:Version.
func (s Spec) Ref() string { return s.Name + ":" + s.Version }

// Result names the blobs Build wrote.
type Result struct {
	Manifest Descriptor // the image digest: what a registry reports after a push
	Config   Descriptor // docker load's image ID
	Layer    Descriptor
	DiffID   string // sha256 of the uncompressed layer
}

// Descriptor is an OCI content descriptor.
type Descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    *Platform         `json:"platform,omitempty"`
}

// Platform is an OCI platform.
type Platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

// Config is the subset of the OCI image configuration the image sets.
type Config struct {
	Created      string        `json:"created"`
	Architecture string        `json:"architecture"`
	OS           string        `json:"os"`
	Config       RunConfig     `json:"config"`
	RootFS       RootFS        `json:"rootfs"`
	History      []HistoryItem `json:"history"`
}

// RunConfig is the "config" object of an image configuration.
type RunConfig struct {
	User       string            `json:"User"`
	Entrypoint []string          `json:"Entrypoint"`
	Cmd        []string          `json:"Cmd"`
	WorkingDir string            `json:"WorkingDir"`
	Labels     map[string]string `json:"Labels"`
}

// RootFS lists the layers' diff IDs.
type RootFS struct {
	Type    string   `json:"type"`
	DiffIDs []string `json:"diff_ids"`
}

// HistoryItem is one entry of an image's history.
type HistoryItem struct {
	Created   string `json:"created"`
	CreatedBy string `json:"created_by"`
}

// Manifest is an OCI image manifest.
type Manifest struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Config        Descriptor   `json:"config"`
	Layers        []Descriptor `json:"layers"`
}

// Index is an OCI image index (index.json).
type Index struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Manifests     []Descriptor `json:"manifests"`
}

// DockerManifest is one entry of a `docker save` manifest.json.
type DockerManifest struct {
	Config   string   `json:"Config"`
	RepoTags []string `json:"RepoTags"`
	Layers   []string `json:"Layers"`
}

// Build writes the image described by s to w as a tar archive and reports
// its digests.
func Build(w io.Writer, s Spec) (Result, error) {
	if len(s.Binary) == 0 || len(s.CACerts) == 0 {
		return Result{}, errors.New("image: the binary and the CA bundle must not be empty")
	}
	if s.Name == "" || s.Version == "" || s.Arch == "" {
		return Result{}, errors.New("image: name, version and arch are required")
	}
	var r Result
	layerTar, err := rootfs(s)
	if err != nil {
		return r, err
	}
	r.DiffID = digest(layerTar)
	layer, err := gzipped(layerTar)
	if err != nil {
		return r, err
	}
	r.Layer = descriptor(mediaTypeLayer, layer)

	created := s.Created.UTC().Format(time.RFC3339)
	config, err := json.Marshal(Config{
		Created:      created,
		Architecture: s.Arch,
		OS:           "linux",
		Config: RunConfig{
			User:       User,
			Entrypoint: []string{"/lbsg"},
			Cmd:        []string{"controller"},
			WorkingDir: "/",
			Labels: map[string]string{
				"org.opencontainers.image.created":  created,
				"org.opencontainers.image.revision": s.Revision,
				"org.opencontainers.image.source":   s.Source,
				"org.opencontainers.image.title":    "lbsg",
				"org.opencontainers.image.version":  s.Version,
			},
		},
		RootFS:  RootFS{Type: "layers", DiffIDs: []string{r.DiffID}},
		History: []HistoryItem{{Created: created, CreatedBy: "hack/image: /lbsg, /etc, CA certificates"}},
	})
	if err != nil {
		return r, err
	}
	r.Config = descriptor(mediaTypeConfig, config)

	manifest, err := json.Marshal(Manifest{
		SchemaVersion: 2,
		MediaType:     mediaTypeManifest,
		Config:        r.Config,
		Layers:        []Descriptor{r.Layer},
	})
	if err != nil {
		return r, err
	}
	r.Manifest = descriptor(mediaTypeManifest, manifest)

	top := r.Manifest
	top.Platform = &Platform{Architecture: s.Arch, OS: "linux"}
	top.Annotations = map[string]string{
		// Docker ≥ 25 (containerd image store) names the image from this,
		// podman and skopeo from ref.name.
		"io.containerd.image.name":          "docker.io/library/" + s.Ref(),
		"org.opencontainers.image.ref.name": s.Version,
	}
	index, err := json.Marshal(Index{SchemaVersion: 2, MediaType: mediaTypeIndex, Manifests: []Descriptor{top}})
	if err != nil {
		return r, err
	}
	dockerManifest, err := json.Marshal([]DockerManifest{{
		Config:   blobPath(r.Config.Digest),
		RepoTags: []string{s.Ref()},
		Layers:   []string{blobPath(r.Layer.Digest)},
	}})
	if err != nil {
		return r, err
	}

	tw := tar.NewWriter(w)
	mtime := s.Created.UTC()
	entries := []entry{
		{name: "oci-layout", mode: 0o644, data: []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{name: "index.json", mode: 0o644, data: index},
		{name: "manifest.json", mode: 0o644, data: dockerManifest},
		{name: "blobs/", mode: 0o755, dir: true},
		{name: "blobs/sha256/", mode: 0o755, dir: true},
		{name: blobPath(r.Config.Digest), mode: 0o644, data: config},
		{name: blobPath(r.Layer.Digest), mode: 0o644, data: layer},
		{name: blobPath(r.Manifest.Digest), mode: 0o644, data: manifest},
	}
	for _, e := range entries {
		if err := e.write(tw, mtime); err != nil {
			return r, err
		}
	}
	return r, tw.Close()
}

// rootfs is the image's only layer, uncompressed.
func rootfs(s Spec) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mtime := s.Created.UTC()
	for _, e := range []entry{
		{name: "etc/", mode: 0o755, dir: true},
		{name: "etc/group", mode: 0o644, data: group},
		{name: "etc/nsswitch.conf", mode: 0o644, data: nsswitch},
		{name: "etc/passwd", mode: 0o644, data: passwd},
		{name: "etc/ssl/", mode: 0o755, dir: true},
		{name: "etc/ssl/certs/", mode: 0o755, dir: true},
		{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: s.CACerts},
		{name: "home/", mode: 0o755, dir: true},
		{name: "home/nonroot/", mode: 0o700, dir: true, owner: UID},
		{name: "lbsg", mode: 0o755, data: s.Binary},
		{name: "tmp/", mode: 0o1777, dir: true},
	} {
		if err := e.write(tw, mtime); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// entry is one file or directory of a tar archive.
type entry struct {
	name  string
	mode  int64
	dir   bool
	owner int // uid and gid
	data  []byte
}

// write writes e with nothing that varies between machines: fixed mtime, no
// user or group names, no access or change times (USTAR format).
func (e entry) write(tw *tar.Writer, mtime time.Time) error {
	h := &tar.Header{
		Name:    e.name,
		Mode:    e.mode,
		Uid:     e.owner,
		Gid:     e.owner,
		ModTime: mtime,
		Format:  tar.FormatUSTAR,
	}
	if e.dir {
		h.Typeflag = tar.TypeDir
	} else {
		h.Typeflag = tar.TypeReg
		h.Size = int64(len(e.data))
	}
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("image: tar header of %s: %w", e.name, err)
	}
	_, err := tw.Write(e.data)
	return err
}

// gzipped compresses b with an empty gzip header (no name, no time).
func gzipped(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func descriptor(mediaType string, b []byte) Descriptor {
	return Descriptor{MediaType: mediaType, Digest: digest(b), Size: int64(len(b))}
}

// blobPath is where an OCI layout keeps the blob with digest d.
func blobPath(d string) string { return "blobs/sha256/" + d[len("sha256:"):] }
