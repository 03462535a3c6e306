package localenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lbsg/lbsg/internal/toolcache"
)

// Environment variables read by this package and by the test helpers.
const (
	// AssetsEnv names a directory holding kube-apiserver, etcd and the other
	// binaries; it is envtest's own variable.
	AssetsEnv = "KUBEBUILDER_ASSETS"
	// RequireAssetsEnv, set to 1, turns "binaries missing, skip" into a
	// test failure. make test sets it.
	RequireAssetsEnv = "LBSG_REQUIRE_ASSETS"
)

// Binaries needed by StartEnvtest and by Start.
var (
	EnvtestBinaries = []string{"kube-apiserver", "etcd"}
	ClusterBinaries = []string{"kube-apiserver", "etcd", "kube-controller-manager", "kube-scheduler", "kwok", "kwokctl", "kubectl"}
)

// ErrAssetsMissing reports that a required binary is not built; run make tools.
var ErrAssetsMissing = errors.New("control-plane binaries missing (run make tools in a clone, or lbsg tools)")

// RequireAssets reports whether missing binaries must fail tests rather than
// skip them.
func RequireAssets() bool { return os.Getenv(RequireAssetsEnv) == "1" }

// AssetsDir returns $KUBEBUILDER_ASSETS if set, else <module root>/bin, where
// the module root is the nearest directory at or above the working directory
// holding a go.mod.
func AssetsDir() (string, error) {
	if d := os.Getenv(AssetsEnv); d != "" {
		return filepath.Abs(d)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding assets: %w", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "bin"), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod at or above %s: %w", wd, ErrAssetsMissing)
		}
	}
}

// FindAssets returns the assets directory after checking that it holds
// every named binary: dir if given; else AssetsDir (KUBEBUILDER_ASSETS, or
// the bin/ of the module around the working directory), falling back, when
// KUBEBUILDER_ASSETS is unset and that has not every binary, to the
// per-machine tools cache (toolcache.Linked), so the lbsg binary finds the
// tools wherever it runs. The error wraps ErrAssetsMissing when one is
// absent.
func FindAssets(dir string, names ...string) (string, error) {
	if dir != "" {
		return checkAssets(dir, names)
	}
	dir, err := AssetsDir()
	if err == nil {
		var found string
		if found, err = checkAssets(dir, names); err == nil || os.Getenv(AssetsEnv) != "" {
			return found, err
		}
	}
	if missing, cerr := toolcache.Missing(names...); cerr != nil || len(missing) > 0 {
		cache, _ := toolcache.Dir()
		return "", fmt.Errorf("%w; the tools cache %s lacks %v too", err, cache, missing)
	}
	return toolcache.Linked(names...)
}

func checkAssets(dir string, names []string) (string, error) {
	var missing []string
	for _, n := range names {
		fi, err := os.Stat(filepath.Join(dir, n))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("%s lacks %v: %w", dir, missing, ErrAssetsMissing)
	}
	return dir, nil
}
