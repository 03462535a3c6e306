package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/lbsg/lbsg/internal/emulator"
)

// emulatorOptions are the flags of `lbsg emulator`.
type emulatorOptions struct {
	Listen      string
	Region      string
	StateFile   string
	SeedFile    string
	ClusterName string
	Throttle    string
	Faults      string
	Credentials []string
	HealthScale float64
	AllowRemote bool
}

func (o *emulatorOptions) validate() error {
	var problems []string
	switch o.Throttle {
	case "off", "aws":
	default:
		problems = append(problems, fmt.Sprintf("--throttle must be off or aws, not %q", o.Throttle))
	}
	for _, c := range o.Credentials {
		if k, s, ok := strings.Cut(c, ":"); !ok || k == "" || s == "" {
			problems = append(problems, fmt.Sprintf("--credentials %q: want KEY:SECRET", c))
		}
	}
	if o.HealthScale < 0 {
		problems = append(problems, fmt.Sprintf("--health-scale must not be negative, got %v", o.HealthScale))
	}
	if o.SeedFile != "" && o.ClusterName != "sandbox" {
		problems = append(problems, "--cluster-name only names the built-in seed; it cannot be combined with --seed")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", errUsage, strings.Join(problems, "; "))
	}
	return nil
}

func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o emulatorOptions
	fs := newFlagSet("emulator", stderr)
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:4566", "address to serve on (loopback unless --allow-remote)")
	fs.StringVar(&o.Region, "region", "us-west-2", "emulated AWS Region")
	fs.StringVar(&o.StateFile, "state-file", "", "load state from this file if it exists and save it after every change")
	fs.StringVar(&o.SeedFile, "seed", "", "YAML seed (VPCs, subnets, security groups, instances, EKS clusters); default: the built-in sandbox world")
	fs.StringVar(&o.ClusterName, "cluster-name", "sandbox", "cluster name used by the built-in seed's tags and EKS record")
	fs.StringVar(&o.Throttle, "throttle", "off", "request throttling: off, or aws for AWS's documented token buckets")
	fs.StringVar(&o.Faults, "faults", "", "fault injection, e.g. throttle=0.3,internal=0.05,create-lag=2s,tag-lag=2s,seed=7")
	fs.StringSliceVar(&o.Credentials, "credentials", nil, "KEY:SECRET pairs; when set, requests must be SigV4-signed by one of them")
	fs.Float64Var(&o.HealthScale, "health-scale", 0, "target health timing: a registered target is initial for its group's interval × healthy threshold × this (0: healthy at once)")
	fs.BoolVar(&o.AllowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := o.validate(); err != nil {
		return err
	}
	faults, err := emulator.ParseFaults(o.Faults)
	if err != nil {
		return fmt.Errorf("%w: --faults: %v", errUsage, err)
	}
	opts := emulator.Options{
		Region:      o.Region,
		StateFile:   o.StateFile,
		Throttle:    o.Throttle == "aws",
		Faults:      faults,
		HealthScale: o.HealthScale,
		Logger:      slog.New(slog.NewTextHandler(stderr, nil)),
	}
	if len(o.Credentials) > 0 {
		opts.Credentials = map[string]string{}
		for _, c := range o.Credentials {
			k, s, _ := strings.Cut(c, ":")
			opts.Credentials[k] = s
		}
	}
	if o.SeedFile != "" {
		seed, err := emulator.LoadSeed(o.SeedFile)
		if err != nil {
			return err
		}
		opts.Seed = &seed
	} else {
		seed := emulator.DefaultSeed(o.ClusterName, o.Region)
		opts.Seed = &seed
	}
	srv, err := emulator.New(opts)
	if err != nil {
		return err
	}
	url, done, err := srv.Listen(ctx, o.Listen, o.AllowRemote)
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintf(stdout, "lbsg emulator serving EC2, ELBv2 and EKS for %s on %s\n", o.Region, url)
	_, _ = fmt.Fprintf(stdout, "try:  aws --endpoint-url %s --region %s ec2 describe-vpcs\n", url, o.Region)
	_, _ = fmt.Fprintf(stdout, "      curl %s/_lbsg/calls\n", url)
	err = <-done
	if cerr := srv.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("saving state: %w", cerr)
	}
	return err
}
