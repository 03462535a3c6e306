package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/lbsg/lbsg/internal/localenv"
	"github.com/lbsg/lbsg/internal/toolcache"
)

// runTools is `lbsg tools`: builds the control-plane binaries the sandbox
// needs into the per-machine tools cache, at the versions this binary was
// built with (hack/tools' pins), and prints the directory that holds them.
func runTools(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("tools", stderr)
	fs.Usage = func() {
		_, _ = fmt.Fprintf(stderr, "usage: lbsg tools\n\nBuilds %v into the tools cache ($%s, default ~/.cache/lbsg/tools)\n"+
			"from the Go module proxy, once per machine (about 16 minutes on 2 cores; needs go), and prints the\n"+
			"directory of links to them, for KUBEBUILDER_ASSETS. lbsg sandbox does this by itself when they are missing.\n",
			localenv.ClusterBinaries, toolcache.CacheEnv)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := toolcache.Build(ctx, stderr, localenv.ClusterBinaries...); err != nil {
		return err
	}
	dir, err := toolcache.Linked(localenv.ClusterBinaries...)
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintln(stdout, dir)
	return nil
}
