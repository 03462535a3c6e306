package toolcache

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPinsAreHackToolsPins: the embedded copy is hack/tools' go.mod and
// go.sum byte for byte (go generate ./internal/toolcache refreshes it), so
// the binary looks for and builds what make tools builds.
func TestPinsAreHackToolsPins(t *testing.T) {
	for embedded, file := range map[string][]byte{"go.mod": goMod, "go.sum": goSum} {
		want, err := os.ReadFile(filepath.Join("..", "..", "hack", "tools", embedded))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(file, want) {
			t.Errorf("pins/%s.txt differs from hack/tools/%s: run go generate ./internal/toolcache", embedded, embedded)
		}
	}
}

func TestVersionsComeFromTheRequiredModules(t *testing.T) {
	gomod := []byte("module x\n\nrequire k8s.io/kubernetes v1.2.3\n\nrequire (\n\tgo.etcd.io/etcd/server/v3 v3.4.5\n\tsigs.k8s.io/kwok v0.6.7 // indirect\n)\n")
	for module, want := range map[string]string{"k8s.io/kubernetes": "v1.2.3", "go.etcd.io/etcd/server/v3": "v3.4.5", "sigs.k8s.io/kwok": "v0.6.7", "absent": ""} {
		if got := requiredVersion(gomod, module); got != want {
			t.Errorf("requiredVersion(%s) = %q, want %q", module, got, want)
		}
	}
	for name := range known {
		if v, err := Version(name); err != nil || !strings.HasPrefix(v, "v") {
			t.Errorf("Version(%s) = %q, %v", name, v, err)
		}
	}
	if _, err := Version("helm"); err == nil {
		t.Error("Version of a tool the cache does not build: no error")
	}
}

// TestTheCacheIsLaidOutAsBuildShLaysItOut: <cache>/<tool>-<version>/<tool>,
// under LBSG_TOOLS_CACHE, and Linked gives one directory of links to it.
func TestTheCacheIsLaidOutAsBuildShLaysItOut(t *testing.T) {
	cache := t.TempDir()
	t.Setenv(CacheEnv, cache)
	v, _ := Version("etcd")
	p, err := Path("etcd")
	if err != nil || p != filepath.Join(cache, "etcd-"+v, "etcd") {
		t.Fatalf("Path(etcd) = %q, %v", p, err)
	}
	if missing, _ := Missing("etcd", "kwok"); len(missing) != 2 {
		t.Errorf("empty cache: missing %v, want both", missing)
	}
	if _, err := Linked("etcd"); err == nil {
		t.Error("Linked on an empty cache: no error")
	}
	for _, n := range []string{"etcd", "kwok"} {
		p, _ := Path(n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if missing, _ := Missing("etcd", "kwok"); len(missing) != 0 {
		t.Errorf("filled cache: missing %v", missing)
	}
	dir, err := Linked("etcd", "kwok")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(dir, cache) {
		t.Errorf("links in %s, outside the cache %s", dir, cache)
	}
	for _, n := range []string{"etcd", "kwok"} {
		want, _ := Path(n)
		if got, err := os.Readlink(filepath.Join(dir, n)); err != nil || got != want {
			t.Errorf("link %s → %q (%v), want %q", n, got, err, want)
		}
	}
	again, err := Linked("etcd", "kwok")
	if err != nil || again != dir {
		t.Errorf("Linked again: %q, %v; want %q", again, err, dir)
	}
}

func TestBuildingWithoutGoSaysWhatIsNeeded(t *testing.T) {
	t.Setenv(CacheEnv, t.TempDir())
	t.Setenv("PATH", t.TempDir())
	if err := Build(t.Context(), &bytes.Buffer{}, "etcd"); !errors.Is(err, ErrNoGo) {
		t.Errorf("Build without go: %v, want ErrNoGo", err)
	}
}

func TestBuildOfACachedToolDoesNothing(t *testing.T) {
	t.Setenv(CacheEnv, t.TempDir())
	t.Setenv("PATH", t.TempDir()) // no go: it must not be needed
	p, _ := Path("kwok")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Build(t.Context(), &out, "kwok"); err != nil || out.Len() != 0 {
		t.Errorf("Build of a cached tool: %v, output %q", err, out.String())
	}
}

func TestKubernetesBinariesAreStampedWithTheirVersion(t *testing.T) {
	f := kubeLDFlags("v1.37.2")
	for _, want := range []string{"k8s.io/component-base/version.gitVersion=v1.37.2", "k8s.io/component-base/version.gitMinor=37",
		"k8s.io/client-go/pkg/version.gitMajor=1", "gitTreeState=clean"} {
		if !strings.Contains(f, want) {
			t.Errorf("ldflags %q lack %q", f, want)
		}
	}
}
