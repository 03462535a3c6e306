package localenv

import (
	"fmt"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Envtest is a running etcd and kube-apiserver started by StartEnvtest.
type Envtest struct {
	// Env is the underlying environment, for CRD and webhook helpers.
	Env *envtest.Environment
	// Config authenticates as a cluster admin.
	Config *rest.Config

	forget func()
}

// envtestMarker is in the command line of every envtest process (their
// data and cert directories).
const envtestMarker = "k8s_test_framework_"

// EnvtestOptions configures StartEnvtest. The zero value is usable.
type EnvtestOptions struct {
	// BinDir holds kube-apiserver and etcd; default AssetsDir().
	BinDir string
	// CRDDirectoryPaths are installed before StartEnvtest returns.
	CRDDirectoryPaths []string
	// StartTimeout bounds the control plane's start; default 60s.
	StartTimeout time.Duration
	// APIServerFlags are set on kube-apiserver's command line, without the
	// leading dashes (e.g. "service-cluster-ip-range": envtest's default
	// /24 holds about 250 Services; test/bench needs thousands).
	APIServerFlags map[string]string
}

// StartEnvtest starts an envtest control plane from locally built binaries.
// It takes about 4 s. The caller must call Stop. An error wrapping
// ErrAssetsMissing means the binaries are not built.
func StartEnvtest(opts EnvtestOptions) (*Envtest, error) {
	dir, err := FindAssets(opts.BinDir, EnvtestBinaries...)
	if err != nil {
		return nil, err
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 60 * time.Second
	}
	killOrphans()
	env := &envtest.Environment{
		BinaryAssetsDirectory:    dir,
		CRDDirectoryPaths:        opts.CRDDirectoryPaths,
		ErrorIfCRDPathMissing:    len(opts.CRDDirectoryPaths) > 0,
		ControlPlaneStartTimeout: opts.StartTimeout,
		ControlPlaneStopTimeout:  30 * time.Second,
	}
	// envtest prefers $KUBEBUILDER_ASSETS over BinaryAssetsDirectory; pin
	// both binaries to the directory just checked.
	env.ControlPlane.GetAPIServer().Path = dir + "/kube-apiserver"
	for k, v := range opts.APIServerFlags {
		env.ControlPlane.GetAPIServer().Configure().Set(k, v)
	}
	env.ControlPlane.Etcd = &envtest.Etcd{Path: dir + "/etcd"}
	cfg, err := env.Start()
	if err != nil {
		_ = env.Stop()
		return nil, fmt.Errorf("starting envtest from %s: %w", dir, err)
	}
	pids, _ := childrenMatching(envtestMarker)
	return &Envtest{Env: env, Config: cfg, forget: track(envtestMarker, pids)}, nil
}

// Stop stops the control plane and removes its temporary state.
func (e *Envtest) Stop() error {
	if err := e.Env.Stop(); err != nil {
		return fmt.Errorf("stopping envtest: %w", err)
	}
	e.forget()
	return nil
}
