package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lbsg/lbsg/internal/awsapi"
	"github.com/lbsg/lbsg/internal/cloud/shield"
	"github.com/lbsg/lbsg/internal/cloud/state"
	"github.com/lbsg/lbsg/internal/graph"
	"github.com/lbsg/lbsg/internal/options"
	"github.com/lbsg/lbsg/internal/planview"
)

// runGraph is `lbsg graph`: who can reach what in the cluster's VPC, read
// from AWS and drawn as SVG (built in, no Graphviz needed) or DOT; with
// --kubeconfig also the cluster's Gateways, their listeners and routes.
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
	st, err := graph.Read(ctx, clients.EC2, clients.ELBV2, vpc, graphAddons(ctx, o, clients))
	if err != nil {
		return err
	}
	if fs.Changed("kubeconfig") {
		if st.Gateways, err = graphGateways(ctx, o, clients, vpc); err != nil {
			return err
		}
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

// graphAddons are the add-on readers the controller's flags turn on; Shield
// is read only when the account subscribes (one GetSubscriptionState).
func graphAddons(ctx context.Context, o *options.Controller, clients *awsapi.Clients) graph.Addons {
	var a graph.Addons
	if o.EnableWAFv2 {
		a.WAFv2 = clients.WAFv2
	}
	if o.EnableWAF {
		a.WAFRegional = clients.WAFRegional
	}
	if o.EnableShield {
		// Unreadable (err): the per-ALB reads say why in the drawing.
		if ok, err := shield.New(clients.Shield).Subscribed(ctx); err != nil || ok {
			a.Shield = clients.Shield
		}
	}
	return a
}

// graphGateways builds the cluster's Gateways as the reconcilers do (their
// listeners, attached routes and target groups) for the drawing.
func graphGateways(ctx context.Context, o *options.Controller, clients *awsapi.Clients, vpc string) ([]graph.Gateway, error) {
	kube, err := kubeClient(o.Kubeconfig)
	if err != nil {
		return nil, err
	}
	objs, err := clusterObjects(ctx, kube)
	if err != nil {
		return nil, err
	}
	prov := state.New(clients.EC2, clients.ELBV2, o.ClusterName, vpc)
	prov.UseACM(clients.ACM)
	views, _, err := planview.Gateways(ctx, prov, objs, viewSettings(o))
	if err != nil {
		return nil, err
	}
	return graphOf(views), nil
}

// graphOf converts plan views to the graph's Gateways.
func graphOf(views []planview.GatewayView) []graph.Gateway {
	var out []graph.Gateway
	for _, v := range views {
		gw := graph.Gateway{Namespace: v.Namespace, Name: v.Name, LoadBalancer: v.LoadBalancer, Error: v.Error}
		for _, l := range v.Listeners {
			gl := graph.GatewayListener{Name: l.Name, Protocol: l.Protocol, Port: l.Port, Problem: l.Problem}
			for _, r := range l.Routes {
				gr := graph.GatewayRoute{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
				for _, b := range r.Backends {
					gr.Backends = append(gr.Backends, graph.GatewayBackend{Service: b.Service, Weight: b.Weight, TargetGroup: b.TargetGroup})
				}
				gl.Routes = append(gl.Routes, gr)
			}
			gw.Listeners = append(gw.Listeners, gl)
		}
		out = append(out, gw)
	}
	return out
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
