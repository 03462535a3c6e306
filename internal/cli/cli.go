package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/spf13/pflag"
)

// command is one lbsg subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// errUsage marks an error that is the user's fault; Run prints it with usage
// hints and exits 2.
var errUsage = errors.New("usage error")

func commands() map[string]command {
	return map[string]command{
		"audit":      {summary: "find leaked, over-open and near-quota security groups and rules; --fix removes owned leaks", run: runAudit},
		"controller": {summary: controllerSummary(), run: runController},
		"emulator":   {summary: "serve a local emulator of the EC2, ELBv2 and EKS APIs", run: runEmulator},
		"graph":      {summary: "draw who can reach what (clients → SGs → load balancers → nodes; with --kubeconfig Gateways → listeners → routes → target groups) as SVG or DOT", run: runGraph},
		"plan":       {summary: "show what lbsg would create, update or delete for manifests (no writes)", run: runPlan},
		"sandbox":    {summary: "run an AWS emulator, a Kubernetes cluster and the controller on this machine", run: runSandbox},
		"tools":      {summary: "build the control-plane binaries the sandbox runs into the per-machine cache", run: runTools},
		"version":    {summary: "print the version", run: runVersion},
	}
}

// Version is stamped at build time with -ldflags "-X github.com/lbsg/lbsg/internal/cli.Version=...".
var Version = "dev"

// Run executes lbsg with args (without the program name) and returns the
// process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stdout, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		_, _ = fmt.Fprintf(stderr, "lbsg: unknown command %q\n\n", args[0])
		printUsage(stderr, cmds)
		return 2
	}
	err := cmd.run(ctx, args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, pflag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		_, _ = fmt.Fprintf(stderr, "lbsg %s: %v\n", args[0], err)
		return 2
	default:
		var ec exitCoder
		if errors.As(err, &ec) {
			if msg := err.Error(); msg != "" {
				_, _ = fmt.Fprintf(stderr, "lbsg %s: %s\n", args[0], msg)
			}
			return ec.ExitCode()
		}
		_, _ = fmt.Fprintf(stderr, "lbsg %s: %v\n", args[0], err)
		return 1
	}
}

// exitCoder lets a subcommand choose its exit code (audit exits 1 on findings).
type exitCoder interface {
	error
	ExitCode() int
}

func printUsage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	_, _ = fmt.Fprintln(w, "usage: lbsg <command> [flags]\n\ncommands:")
	for _, n := range names {
		_, _ = fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	_, _ = fmt.Fprintln(w, "\nRun 'lbsg <command> --help' for a command's flags.")
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet("lbsg "+name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %v", errUsage, fs.Args())
	}
	return nil
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	_, _ = fmt.Fprintf(stdout, "lbsg %s\n", Version)
	return nil
}
