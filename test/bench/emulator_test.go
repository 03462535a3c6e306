package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/lbsg/lbsg/internal/emulator"
	"github.com/lbsg/lbsg/internal/emulator/ec2"
	"github.com/lbsg/lbsg/internal/naming"
)

// childEnv carries the child emulator's config (JSON); when set, TestMain
// serves the emulator instead of running tests.
const childEnv = "LBSG_BENCH_EMULATOR_CHILD"

const (
	clusterName = "sandbox"
	region      = "us-west-2"
)

// emuConfig is what the child emulator is built with.
type emuConfig struct {
	Instances int  `json:"instances"` // running instances (nodes to be)
	Throttle  bool `json:"throttle"`  // AWS's token buckets (--throttle aws)
}

// seedFor is the default sandbox seed with n instances spread over the
// three private subnets.
func seedFor(n int) emulator.Seed {
	s := emulator.DefaultSeed(clusterName, region)
	v := &s.VPCs[0]
	base := v.Instances[0]
	v.Instances = nil
	zones := []string{"a", "b", "c"}
	for i := range n {
		in := base
		in.Name = fmt.Sprintf("%s-node-%d", clusterName, i+1)
		in.Subnet = fmt.Sprintf("%s-private-%s%s", clusterName, region, zones[i%3])
		v.Instances = append(v.Instances, in)
	}
	return s
}

// runEmulatorChild serves the emulator on a loopback port, prints the URL
// on stdout, and exits when stdin closes (the parent is gone or done).
func runEmulatorChild(raw string) int {
	var c emuConfig
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		fmt.Fprintln(os.Stderr, "bench emulator:", err)
		return 2
	}
	seed := seedFor(c.Instances)
	srv, err := emulator.New(emulator.Options{Seed: &seed, Throttle: c.Throttle})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench emulator:", err)
		return 1
	}
	// Quotas a large account has raised: the scenarios are about rates and
	// memory, not about hitting the 50-NLB default.
	srv.ELBv2().Quotas.NetworkLoadBalancers = 100000
	srv.ELBv2().Quotas.ApplicationLoadBalancers = 100000
	srv.ELBv2().Quotas.TargetGroups = 100000
	srv.ELBv2().Quotas.RegistrationsPerTarget = 1 << 30
	srv.EC2().Quotas.GroupsPerRegion = 100000
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench emulator:", err)
		return 1
	}
	mux := http.NewServeMux()
	mux.Handle("/", srv)
	mux.HandleFunc("/_bench/summary", func(w http.ResponseWriter, _ *http.Request) {
		sum, err := summarise(srv)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(sum)
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	fmt.Println("http://" + ln.Addr().String())
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = hs.Close()
	return 0
}

// emu is the child emulator as the benchmark sees it: an endpoint for the
// controller's clients and the inspection API (call log, state), which is
// neither throttled nor counted.
type emu struct {
	url   string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	http  *http.Client
}

// startEmulator runs this test binary again as the emulator.
func startEmulator(tb testing.TB, c emuConfig) *emu {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	raw, _ := json.Marshal(c)
	cmd := exec.Command(exe, "-test.run=^$") // lives until stdin closes (stop)
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	e := &emu{cmd: cmd, stdin: stdin, http: &http.Client{Transport: &http.Transport{
		MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}}}
	tb.Cleanup(e.stop)
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		tb.Fatalf("bench emulator did not start: %v", err)
	}
	e.url = strings.TrimSpace(line)
	return e
}

func (e *emu) stop() {
	_ = e.stdin.Close()
	done := make(chan struct{})
	go func() { _ = e.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
		<-done
	}
}

// awsConfig is an aws.Config for the emulator; awsapi.FromConfig adds
// lbsg's retryer and client-side buckets.
func (e *emu) awsConfig() aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEMULATOR", "emulator-secret", ""),
		HTTPClient:   e.http,
		BaseEndpoint: aws.String(e.url),
	}
}

func (e *emu) get(ctx context.Context, path string, into any) error {
	return e.do(ctx, http.MethodGet, path, nil, into)
}

// setThrottle turns AWS's token buckets on or off in the emulator.
func (e *emu) setThrottle(ctx context.Context, on bool) error {
	body, _ := json.Marshal(map[string]bool{"enabled": on})
	return e.do(ctx, http.MethodPost, "/_lbsg/throttle", body, nil)
}

// do calls the emulator's control API; into (if not nil) receives the JSON
// answer.
func (e *emu) do(ctx context.Context, method, path string, body []byte, into any) error {
	req, err := http.NewRequestWithContext(ctx, method, e.url+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := e.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if into == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(into)
}

// calls returns the call log.
func (e *emu) calls(ctx context.Context) (emulator.CallStats, error) {
	var c emulator.CallStats
	err := e.get(ctx, "/_lbsg/calls", &c)
	return c, err
}

// dump is the part of the emulator's state file the benchmarks read.
type dump struct {
	EC2 struct {
		VPCs           []struct{ ID string } `json:"vpcs"`
		SecurityGroups []struct {
			ID      string     `json:"id"`
			Name    string     `json:"name"`
			Ingress []ec2.Rule `json:"ingress"`
		} `json:"securityGroups"`
		Instances []struct {
			ID   string   `json:"id"`
			AZ   string   `json:"availabilityZone"`
			ENIs []string `json:"networkInterfaces"`
		} `json:"instances"`
		NetworkInterfaces []struct {
			ID        string `json:"id"`
			PrivateIP string `json:"privateIp"`
		} `json:"networkInterfaces"`
	} `json:"ec2"`
	ELBv2 struct {
		LoadBalancers map[string]struct {
			Name string  `json:"name"`
			Type string  `json:"type"`
			Tags []kvTag `json:"tags"`
		} `json:"loadBalancers"`
		TargetGroups map[string]struct {
			Name       string `json:"name"`
			TargetType string `json:"targetType"`
			Targets    []struct {
				ID           string     `json:"id"`
				Deregistered *time.Time `json:"deregistered"`
			} `json:"targets"`
			Tags []kvTag `json:"tags"`
		} `json:"targetGroups"`
		Listeners map[string]struct {
			LoadBalancer string `json:"loadBalancer"`
			Port         int32  `json:"port"`
		} `json:"listeners"`
		Rules map[string]struct {
			Listener   string `json:"listener"`
			IsDefault  bool   `json:"isDefault"`
			Conditions []struct {
				Field  string   `json:"field"`
				Values []string `json:"values"`
			} `json:"conditions"`
		} `json:"rules"`
	} `json:"elbv2"`
}

type kvTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// stackTag returns an ELBv2 resource's kind ("service", "ingress",
// "gateway-alb" or "gateway-nlb", from its stack tag; "" without one) and
// stack ID.
func stackTag(tags []kvTag) (kind, id string) {
	for _, t := range tags {
		switch t.Key {
		case naming.TagServiceStack:
			return "service", t.Value
		case naming.TagIngressStack:
			return "ingress", t.Value
		case naming.TagGatewayALBStack:
			return "gateway-alb", t.Value
		case naming.TagGatewayNLBStack:
			return "gateway-nlb", t.Value
		}
	}
	return "", ""
}

// summary is what the child reports of its state: small, so checking
// convergence costs the measured process nothing worth counting. Load
// balancers, target groups and listeners are split by the stack tag:
// Service ones are counted in LoadBalancers and ListenerPorts, Ingress
// ones are in ALBs, ALB Gateway ones in GatewayALBs.
type summary struct {
	VPCID          string                `json:"vpcId"`
	NodeSG         string                `json:"nodeSG"`
	Instances      []instance            `json:"instances"`
	SecurityGroups int                   `json:"securityGroups"`
	NodeSGRules    []ruleSummary         `json:"nodeSGRules"`
	LoadBalancers  int                   `json:"loadBalancers"` // of Services
	TargetGroups   map[string]tgSummary  `json:"targetGroups"`  // by name
	ListenerPorts  map[int32]int         `json:"listenerPorts"` // of Services' load balancers
	ALBs           map[string]albSummary `json:"albs"`          // by Ingress stack ID (the group name)
	GatewayALBs    map[string]albSummary `json:"gatewayAlbs"`   // by Gateway stack ID (namespace/name)
	GatewayNLBs    int                   `json:"gatewayNlbs"`
}

// albSummary is an Ingress stack's ALB: listeners, non-default rules and
// the path patterns of those rules, sorted.
type albSummary struct {
	Listeners int      `json:"listeners"`
	Rules     int      `json:"rules"`
	Paths     []string `json:"paths"`
}

// ruleSummary is one ingress rule: protocol, ports, peer.
type ruleSummary struct {
	Protocol string `json:"protocol"`
	From     int32  `json:"from"`
	To       int32  `json:"to"`
	Peer     string `json:"peer"`
}

type instance struct {
	ID, AZ, IP string
}

// tgSummary: a TG's kind (stack tag: "service" or "ingress"), type,
// registered (not draining) targets, and a hash of their IDs.
type tgSummary struct {
	Kind    string `json:"kind"`
	Type    string `json:"type"`
	Targets int    `json:"targets"`
	IDs     uint64 `json:"ids"`
}

func summarise(srv *emulator.Server) (summary, error) {
	raw, err := srv.State()
	if err != nil {
		return summary{}, err
	}
	var d dump
	if err := json.Unmarshal(raw, &d); err != nil {
		return summary{}, err
	}
	s := summary{TargetGroups: map[string]tgSummary{}, ListenerPorts: map[int32]int{}, ALBs: map[string]albSummary{},
		GatewayALBs: map[string]albSummary{}, SecurityGroups: len(d.EC2.SecurityGroups)}
	albOf := map[string]albRef{} // LB ARN → its ALB's map and stack ID
	for arn, lb := range d.ELBv2.LoadBalancers {
		switch kind, id := stackTag(lb.Tags); kind {
		case "ingress":
			albOf[arn] = albRef{s.ALBs, id}
			s.ALBs[id] = albSummary{}
		case "gateway-alb":
			albOf[arn] = albRef{s.GatewayALBs, id}
			s.GatewayALBs[id] = albSummary{}
		case "gateway-nlb":
			albOf[arn] = albRef{} // not a Service's: its listeners are not counted
			s.GatewayNLBs++
		default:
			s.LoadBalancers++
		}
	}
	if len(d.EC2.VPCs) > 0 {
		s.VPCID = d.EC2.VPCs[0].ID
	}
	for _, g := range d.EC2.SecurityGroups {
		if g.Name == clusterName+"-node" {
			s.NodeSG = g.ID
			for _, r := range g.Ingress {
				s.NodeSGRules = append(s.NodeSGRules, ruleSummary{Protocol: r.Protocol, From: r.From, To: r.To, Peer: r.Peer})
			}
		}
	}
	ips := map[string]string{}
	for _, e := range d.EC2.NetworkInterfaces {
		ips[e.ID] = e.PrivateIP
	}
	for _, in := range d.EC2.Instances {
		i := instance{ID: in.ID, AZ: in.AZ}
		if len(in.ENIs) > 0 {
			i.IP = ips[in.ENIs[0]]
		}
		s.Instances = append(s.Instances, i)
	}
	for _, tg := range d.ELBv2.TargetGroups {
		var ids []string
		for _, t := range tg.Targets {
			if t.Deregistered == nil {
				ids = append(ids, t.ID)
			}
		}
		kind, _ := stackTag(tg.Tags)
		s.TargetGroups[tg.Name] = tgSummary{Kind: kind, Type: tg.TargetType, Targets: len(ids), IDs: idsHash(ids)}
	}
	listenerALB := map[string]albRef{}
	for arn, l := range d.ELBv2.Listeners {
		ref, alb := albOf[l.LoadBalancer]
		switch {
		case !alb:
			s.ListenerPorts[l.Port]++
			continue
		case ref.in == nil:
			continue
		}
		listenerALB[arn] = ref
		a := ref.in[ref.id]
		a.Listeners++
		ref.in[ref.id] = a
	}
	for _, r := range d.ELBv2.Rules {
		ref, alb := listenerALB[r.Listener]
		if !alb || r.IsDefault {
			continue
		}
		a := ref.in[ref.id]
		a.Rules++
		for _, c := range r.Conditions {
			if c.Field == "path-pattern" {
				a.Paths = append(a.Paths, c.Values...)
			}
		}
		ref.in[ref.id] = a
	}
	for _, m := range []map[string]albSummary{s.ALBs, s.GatewayALBs} {
		for id, a := range m {
			slices.Sort(a.Paths)
			m[id] = a
		}
	}
	return s, nil
}

// albRef is where summarise counts an ALB: the summary's map (Ingress or
// Gateway ALBs; nil for an NLB Gateway's load balancer) and its key.
type albRef struct {
	in map[string]albSummary
	id string
}

// idsHash is an order-independent hash of a set of IDs.
func idsHash(ids []string) uint64 {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	h := fnv.New64a()
	for _, id := range ids {
		_, _ = h.Write([]byte(id))
		_, _ = h.Write([]byte{0})
	}
	return h.Sum64()
}

func (e *emu) summary(ctx context.Context) (summary, error) {
	var s summary
	err := e.get(ctx, "/_bench/summary", &s)
	return s, err
}
