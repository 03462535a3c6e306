package localenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
var ErrAssetsMissing = errors.New("control-plane binaries missing (run make tools)")

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

// FindAssets returns the assets directory (dir, or AssetsDir if dir is
// empty) after checking that it holds every named binary. The error wraps
// ErrAssetsMissing when one is absent.
func FindAssets(dir string, names ...string) (string, error) {
	if dir == "" {
		var err error
		if dir, err = AssetsDir(); err != nil {
			return "", err
		}
	}
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
