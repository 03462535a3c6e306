package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lbsg/lbsg/internal/graph"
	"github.com/lbsg/lbsg/internal/options"
)

// runGraph is `lbsg graph`: who can reach what in the cluster's VPC, read
// from AWS and drawn as SVG (built in, no Graphviz needed) or DOT.
func runGraph(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := options.New()
	o.ClusterName = DefaultCLICluster
	var out string
	fs := newFlagSet("graph", stderr)
	o.AddFlags(fs)
	fs.StringVarP(&out, "output", "o", "reachability.svg", "file to write: .svg (drawn by lbsg) or .dot (Graphviz); - writes DOT to stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	render, err := graphRenderer(out)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err := o.Validate(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	clients, vpc, err := awsClients(ctx, o)
	if err != nil {
		return err
	}
	st, err := graph.Read(ctx, clients.EC2, clients.ELBV2, vpc)
	if err != nil {
		return err
	}
	g := graph.Build(st)
	if out == "-" {
		return render(stdout, g)
	}
	if err := writeFileAtomic(out, func(w io.Writer) error { return render(w, g) }); err != nil {
		return err
	}
	_, _ = fmt.Fprintf(stderr, "graph: %d nodes, %d edges of %s written to %s\n", len(g.Nodes), len(g.Edges), vpc, out)
	return nil
}

func graphRenderer(out string) (func(io.Writer, graph.Graph) error, error) {
	switch ext := strings.ToLower(filepath.Ext(out)); {
	case out == "-" || ext == ".dot" || ext == ".gv":
		return graph.DOT, nil
	case ext == ".svg":
		return graph.SVG, nil
	default:
		return nil, fmt.Errorf("-o %q: want a .svg or .dot file, or - for DOT on stdout", out)
	}
}

// writeFileAtomic writes path through a temporary file in its directory,
// so a failed render leaves no half-written file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	werr := write(f)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
