package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"k8s.io/client-go/rest"

	"github.com/lbsg/lbsg/internal/awsapi"
	cloudec2 "github.com/lbsg/lbsg/internal/cloud/ec2"
	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/acm"
	"github.com/lbsg/lbsg/internal/emulator/ec2"
	"github.com/lbsg/lbsg/internal/localenv"
	"github.com/lbsg/lbsg/internal/toolcache"
)

// Controller runs a controller against the sandbox until ctx ends.
type Controller func(ctx context.Context, w *World) error

// AWSEndpoint tells a controller where the emulator is.
type AWSEndpoint struct {
	URL         string
	Region      string
	ClusterName string
	VPCID       string
}

// Options configure a sandbox.
type Options struct {
	Dir         string
	Nodes       int
	ClusterName string
	Region      string
	// AWSListen is the emulator's address; a resumed sandbox reuses the
	// address written in aws.env.
	AWSListen string
	// Throttle turns on the emulator's AWS token buckets (default on).
	Throttle bool
	// Certificates are ACM certificates to seed besides the default seed's
	// (fixed IDs: two sandboxes get the same ARNs).
	Certificates []acm.Seeded
	// BinDir holds the control-plane binaries; default: next to the lbsg
	// executable, else the repository's bin/, else the per-machine tools
	// cache (built there when missing).
	BinDir string
	// Controller, when set, runs beside the cluster.
	Controller Controller
	// AfterReady runs once everything is up (the demo).
	AfterReady func(ctx context.Context, w *World) error
	Out        io.Writer
}

// World is a running sandbox.
type World struct {
	Dir        string
	Kubeconfig string
	Kube       *rest.Config
	AWS        AWSEndpoint
	Emulator   *emulator.Server
	Cluster    *localenv.Cluster
	Out        io.Writer
}

// Files written into Dir.
const (
	KubeconfigFile = "kubeconfig"
	AWSEnvFile     = "aws.env"
	ReadyFile      = "ready"
	stateFile      = "aws-state.json"
)

func (o *Options) defaults() error {
	if o.Dir == "" {
		return errors.New("--dir is required")
	}
	if o.Nodes == 0 {
		o.Nodes = 3
	}
	if o.Nodes < 1 || o.Nodes > maxNodes {
		return fmt.Errorf("--nodes must be between 1 and %d, not %d", maxNodes, o.Nodes)
	}
	if o.ClusterName == "" {
		o.ClusterName = "sandbox"
	}
	if o.Region == "" {
		o.Region = "us-west-2"
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.BinDir == "" {
		if exe, err := os.Executable(); err == nil {
			if d, err := localenv.FindAssets(filepath.Dir(exe), localenv.ClusterBinaries...); err == nil {
				o.BinDir = d
			}
		}
	}
	return nil
}

// controlPlaneTools finds the control-plane binaries (localenv.FindAssets:
// the repository's bin/, else the per-machine tools cache) and, when they are
// in neither and KUBEBUILDER_ASSETS does not name a directory, builds them
// into the cache, with progress on out.
func controlPlaneTools(ctx context.Context, out io.Writer, step func(string, ...any)) (string, error) {
	d, err := localenv.FindAssets("", localenv.ClusterBinaries...)
	if err == nil || !errors.Is(err, localenv.ErrAssetsMissing) || os.Getenv(localenv.AssetsEnv) != "" {
		return d, err
	}
	step("control-plane binaries not found (%v): building them from the Go module proxy, once per machine", err)
	if err := toolcache.Build(ctx, out, localenv.ClusterBinaries...); err != nil {
		return "", fmt.Errorf("building the control-plane binaries: %w (or run make tools in a clone of lbsg)", err)
	}
	return toolcache.Linked(localenv.ClusterBinaries...)
}

// Run starts (or resumes) the sandbox and blocks until ctx ends, then stops
// everything, keeping the state in Dir.
func Run(ctx context.Context, o Options) error {
	if err := o.defaults(); err != nil {
		return err
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(dir, ReadyFile))
	step := func(format string, args ...any) { _, _ = fmt.Fprintf(o.Out, "==> "+format+"\n", args...) }
	if o.BinDir == "" {
		if o.BinDir, err = controlPlaneTools(ctx, o.Out, step); err != nil {
			return err
		}
	}

	// 1. AWS emulator, state in dir.
	listen := o.AWSListen
	if listen == "" {
		listen = previousListen(dir)
	}
	if listen == "" {
		listen = "127.0.0.1:4566"
	}
	seed := emulator.DefaultSeed(o.ClusterName, o.Region)
	withInstances(&seed.Seed, o.Nodes)
	seed.Certificates = append(seed.Certificates, o.Certificates...)
	step("starting the AWS emulator (state in %s)", filepath.Join(dir, stateFile))
	srv, err := emulator.New(emulator.Options{
		Region: o.Region, Seed: &seed, StateFile: filepath.Join(dir, stateFile), Throttle: o.Throttle,
	})
	if err != nil {
		return fmt.Errorf("starting the emulator: %w", err)
	}
	defer func() { _ = srv.Close() }()
	emuCtx, stopEmu := context.WithCancel(context.WithoutCancel(ctx))
	defer stopEmu()
	url, emuDone, err := srv.Listen(emuCtx, listen, false)
	if err != nil && o.AWSListen == "" && listen != "127.0.0.1:0" {
		step("%s is busy (%v); picking a free port", listen, err)
		url, emuDone, err = srv.Listen(emuCtx, "127.0.0.1:0", false)
	}
	if err != nil {
		return fmt.Errorf("emulator listen: %w", err)
	}
	step("AWS emulator serving on %s", url)

	// 2. Nodes from the emulator's instances.
	client := cloudec2.New(awsapi.FromConfig(aws.Config{
		Region:       o.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("sandbox", "sandbox", ""),
		HTTPClient:   srv.HTTPClient(),
		BaseEndpoint: aws.String(url),
	}, awsapi.Options{}).EC2)
	nodes, vpcID, err := nodesFromInstances(ctx, client, o.ClusterName, o.Region)
	if err != nil {
		return err
	}

	// 3. The cluster.
	step("starting Kubernetes (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok) with %d nodes", len(nodes))
	start := time.Now()
	cluster, err := localenv.Start(ctx, localenv.Config{
		Dir: filepath.Join(dir, "kube"), Name: o.ClusterName, BinDir: o.BinDir, Nodes: nodes,
	})
	if err != nil {
		return fmt.Errorf("starting the cluster: %w", err)
	}
	defer func() {
		step("stopping Kubernetes (state kept in %s)", filepath.Join(dir, "kube"))
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := cluster.Stop(sctx); err != nil {
			_, _ = fmt.Fprintf(o.Out, "stopping the cluster: %v\n", err)
		}
	}()
	step("Kubernetes ready in %s", time.Since(start).Round(100*time.Millisecond))
	if err := installIngressAPI(ctx, cluster.RESTConfig()); err != nil {
		return fmt.Errorf("installing the IngressClassParams CRD and IngressClass %s: %w", IngressClassName, err)
	}

	w := &World{
		Dir: dir, Kubeconfig: filepath.Join(dir, KubeconfigFile), Kube: cluster.RESTConfig(),
		AWS:      AWSEndpoint{URL: url, Region: o.Region, ClusterName: o.ClusterName, VPCID: vpcID},
		Emulator: srv, Cluster: cluster, Out: o.Out,
	}
	if err := writeFiles(w, cluster.Kubeconfig()); err != nil {
		return err
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	ctrlDone := make(chan error, 1)
	if o.Controller != nil {
		step("starting the controller")
		go func() { ctrlDone <- o.Controller(runCtx, w) }()
	}
	if err := os.WriteFile(filepath.Join(dir, ReadyFile), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		return err
	}
	printNext(o.Out, w)
	if o.AfterReady != nil {
		if err := o.AfterReady(runCtx, w); err != nil {
			_, _ = fmt.Fprintf(o.Out, "demo: %v\n", err)
		}
	}
	select {
	case <-ctx.Done():
		step("shutting down")
	case err := <-ctrlDone:
		if err != nil {
			return fmt.Errorf("controller: %w", err)
		}
	case err := <-emuDone:
		return fmt.Errorf("emulator stopped: %w", err)
	}
	cancel()
	if o.Controller != nil {
		<-ctrlDone
	}
	_ = os.Remove(filepath.Join(dir, ReadyFile))
	return nil
}

// maxNodes is what the default network holds: 32 pod /26s in the upper
// half of each of the three private /20 subnets.
const maxNodes = 96

// withInstances resizes the seed's instance list to n, spreading them over
// the private subnets round-robin.
func withInstances(s *ec2.Seed, n int) {
	if len(s.VPCs) == 0 || len(s.VPCs[0].Instances) == 0 {
		return
	}
	v := &s.VPCs[0]
	tmpl := v.Instances
	out := make([]ec2.SeedInstance, 0, n)
	for i := 0; i < n; i++ {
		in := tmpl[i%len(tmpl)]
		// Seed names end in -<n> (<cluster>-node-1); renumber them.
		in.Name = fmt.Sprintf("%s-%d", in.Name[:strings.LastIndexByte(in.Name, '-')], i+1)
		out = append(out, in)
	}
	v.Instances = out
}

// nodesFromInstances maps the emulator's running instances to node specs,
// registering each node's pod CIDR as an IPv4 prefix on the instance's
// primary ENI (once: a resumed sandbox finds them there).
func nodesFromInstances(ctx context.Context, c *cloudec2.Provider, cluster, region string) ([]localenv.NodeSpec, string, error) {
	instances, err := c.RunningInstances(ctx)
	if err != nil {
		return nil, "", err
	}
	if len(instances) == 0 {
		return nil, "", fmt.Errorf("the emulator has no running instances for cluster %s", cluster)
	}
	vpcID := instances[len(instances)-1].VPCID
	subnets, err := c.Subnets(ctx, vpcID)
	if err != nil {
		return nil, "", fmt.Errorf("listing subnets: %w", err)
	}
	subnetCIDR := map[string]string{}
	for _, s := range subnets {
		subnetCIDR[s.ID] = s.CIDR
	}
	used := map[string]bool{}
	for _, in := range instances {
		for _, p := range in.Prefixes {
			used[p] = true
		}
	}
	nodes := make([]localenv.NodeSpec, 0, len(instances))
	for _, in := range instances {
		spec := localenv.NodeSpec{
			Name:             "ip-" + strings.ReplaceAll(in.PrivateIP, ".", "-") + "." + region + ".compute.internal",
			InstanceID:       in.ID,
			AvailabilityZone: in.AZ,
			Region:           region,
			InstanceType:     in.Type,
			PrivateIP:        in.PrivateIP,
		}
		if n := len(in.Prefixes); n > 0 {
			spec.PodCIDR = in.Prefixes[n-1]
		} else {
			cidr, err := freePodCIDR(subnetCIDR[in.SubnetID], used)
			if err != nil {
				return nil, "", fmt.Errorf("node %s: %w", spec.Name, err)
			}
			if err := c.AssignIPv4Prefix(ctx, in.ENIID, cidr); err != nil {
				return nil, "", fmt.Errorf("registering the pod CIDR of node %s: %w", spec.Name, err)
			}
			used[cidr] = true
			spec.PodCIDR = cidr
		}
		nodes = append(nodes, spec)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
	return nodes, vpcID, nil
}

// freePodCIDR returns the first unused /26 in the upper half of subnet, where
// instance addresses (allocated from the bottom) never reach.
func freePodCIDR(subnet string, used map[string]bool) (string, error) {
	p, err := netip.ParsePrefix(subnet)
	if err != nil || !p.Addr().Is4() || p.Bits() > 24 {
		return "", fmt.Errorf("subnet %q cannot hold pod /26s", subnet)
	}
	base := p.Masked().Addr().As4()
	start := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	size := uint32(1) << (32 - p.Bits())
	for off := size / 2; off+64 <= size; off += 64 {
		a := start + off
		c := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), 26).String()
		if !used[c] {
			return c, nil
		}
	}
	return "", fmt.Errorf("subnet %s has no free pod /26 left", subnet)
}

func previousListen(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, AWSEnvFile))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "export AWS_ENDPOINT_URL="); ok {
			v = strings.TrimPrefix(strings.Trim(v, `"`), "http://")
			if _, _, err := net.SplitHostPort(v); err == nil {
				return v
			}
		}
	}
	return ""
}

func writeFiles(w *World, kubeconfig string) error {
	b, err := os.ReadFile(kubeconfig)
	if err != nil {
		return fmt.Errorf("reading the cluster's kubeconfig: %w", err)
	}
	if err := os.WriteFile(w.Kubeconfig, b, 0o600); err != nil {
		return err
	}
	env := fmt.Sprintf(`# Source this file: . %[1]s
export AWS_ENDPOINT_URL=%[2]s
export AWS_REGION=%[3]s
export AWS_DEFAULT_REGION=%[3]s
export AWS_ACCESS_KEY_ID=sandbox
export AWS_SECRET_ACCESS_KEY=sandbox
export AWS_PAGER=
export KUBECONFIG=%[4]s
# AWS CLI versions before 2.13 ignore AWS_ENDPOINT_URL:
alias aws='aws --endpoint-url %[2]s'
`, filepath.Join(w.Dir, AWSEnvFile), w.AWS.URL, w.AWS.Region, w.Kubeconfig)
	return os.WriteFile(filepath.Join(w.Dir, AWSEnvFile), []byte(env), 0o644)
}

func printNext(out io.Writer, w *World) {
	_, _ = fmt.Fprintf(out, `
Sandbox ready: AWS emulator on %s, Kubernetes cluster %q (VPC %s).
In another shell:
    . %s
    kubectl get nodes
    aws ec2 describe-security-groups --query 'SecurityGroups[].[GroupId,GroupName]' --output table
Press Ctrl-C to stop; run the same command again to resume.
`, w.AWS.URL, w.AWS.ClusterName, w.AWS.VPCID, filepath.Join(w.Dir, AWSEnvFile))
}
