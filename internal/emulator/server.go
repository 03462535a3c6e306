package emulator

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/lbsg/lbsg/internal/emulator/acm"
	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/ec2"
	"github.com/lbsg/lbsg/internal/emulator/eks"
	"github.com/lbsg/lbsg/internal/emulator/elbv2"
	"github.com/lbsg/lbsg/internal/emulator/query"
	"github.com/lbsg/lbsg/internal/emulator/route53"
	"github.com/lbsg/lbsg/internal/emulator/shield"
	"github.com/lbsg/lbsg/internal/emulator/sts"
	"github.com/lbsg/lbsg/internal/emulator/wafregional"
	"github.com/lbsg/lbsg/internal/emulator/wafv2"
)

// Service names as they appear in the SigV4 credential scope.
const (
	ServiceEC2   = "ec2"
	ServiceELBv2 = "elasticloadbalancing"
	ServiceEKS   = "eks"
	ServiceACM   = "acm"
	// The awsJson1_1 services of web ACLs and DDoS protection.
	ServiceWAFv2       = "wafv2"
	ServiceWAFRegional = "waf-regional"
	ServiceShield      = "shield"
	ServiceSTS         = "sts"
)

// API versions of the Query services.
const (
	VersionEC2   = "2016-11-15"
	VersionELBv2 = "2015-12-01"
)

// Options configure a Server.
type Options struct {
	// Region and AccountID of the emulated account; defaults us-west-2 and
	// 123456789012.
	Region    string
	AccountID string
	// Seed is applied to an empty state; nil means DefaultSeed("sandbox").
	// Set NoSeed to start empty.
	Seed   *Seed
	NoSeed bool
	// StateFile, when set, is loaded on start (instead of the seed) if it
	// exists, and rewritten atomically after every successful mutation.
	StateFile string
	// Throttle applies AWS's token buckets.
	Throttle bool
	// Faults to inject; see ParseFaults.
	Faults FaultSpec
	// Credentials, when non-empty, maps access key IDs to secrets: requests
	// must then carry a valid SigV4 signature by one of them.
	Credentials map[string]string
	// HealthScale, when positive, makes registered targets "initial" for
	// their target group's interval × healthy threshold × HealthScale
	// (elbv2.Timing.HealthScale); 0 reports them healthy at once.
	HealthScale float64
	// Clock defaults to the real clock.
	Clock clock.Clock
	// IDSeed seeds resource IDs; 0 picks 1.
	IDSeed uint64
	// Logger receives one line per failed request; nil discards.
	Logger *slog.Logger
}

// Server is an emulated AWS account in one Region.
type Server struct {
	opts        Options
	env         *core.Env
	mu          sync.RWMutex
	ec2         *ec2.Backend
	elb         *elbv2.Backend
	eks         *eks.Backend
	acm         *acm.Backend
	route53     *route53.Backend
	wafv2       *wafv2.Backend
	wafRegional *wafregional.Backend
	shield      *shield.Backend
	throttle    *throttler
	faults      *faults
	calls       *callLog
	log         *slog.Logger
	saveMu      sync.Mutex
	saver       saver
	sts         *sts.Backend
}

// New builds a Server, loading StateFile or applying the seed.
func New(opts Options) (*Server, error) {
	if opts.Region == "" {
		opts.Region = "us-west-2"
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	if opts.Clock == nil {
		opts.Clock = clock.RealClock{}
	}
	if opts.IDSeed == 0 {
		opts.IDSeed = 1
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	env := &core.Env{
		Region:  opts.Region,
		Account: opts.AccountID,
		Clock:   opts.Clock,
		IDs:     core.NewIDs(opts.IDSeed),
		Lag:     opts.Faults.Lag,
	}
	s := &Server{opts: opts, env: env, log: log}
	s.ec2 = ec2.New(env)
	s.elb = elbv2.New(env, s.ec2)
	s.elb.Timing.HealthScale = opts.HealthScale
	s.eks = eks.New(env)
	s.acm = acm.New(env)
	s.sts = sts.New(env)
	s.elb.CertificateExists = s.acm.Exists
	s.acm.InUseBy = s.elb.LoadBalancersUsingCertificate
	s.route53 = route53.New(env)
	s.acm.ResolvesRecord = s.route53.HasRecord
	s.route53.Changed = s.acm.Validate
	s.wafv2, s.wafRegional, s.shield = wafv2.New(env), wafregional.New(env), shield.New(env)
	s.wafv2.LoadBalancer = s.elb.LoadBalancerType
	s.wafRegional.LoadBalancer = s.elb.LoadBalancerType
	s.shield.LoadBalancer = s.elb.LoadBalancerType
	s.throttle = newThrottler(opts.Clock, opts.Throttle)
	s.faults = newFaults(opts.Faults)
	s.calls = newCallLog()

	loaded, err := s.load()
	if err != nil {
		return nil, err
	}
	if !loaded && !opts.NoSeed {
		seed := opts.Seed
		if seed == nil {
			d := DefaultSeed("sandbox", opts.Region)
			seed = &d
		}
		if err := s.applySeed(*seed); err != nil {
			return nil, fmt.Errorf("applying seed: %w", err)
		}
		if err := s.save(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Region returns the emulated Region.
func (s *Server) Region() string { return s.opts.Region }

// AccountID returns the emulated account.
func (s *Server) AccountID() string { return s.opts.AccountID }

// Env exposes the shared environment (clock, lag knobs) to tests.
func (s *Server) Env() *core.Env { return s.env }

// EC2 returns the EC2 backend, for tests that need to reach into it. Callers
// must not use it concurrently with requests.
func (s *Server) EC2() *ec2.Backend { return s.ec2 }

// ACM returns the ACM backend (tests and seeding; hold no lock across
// requests).
func (s *Server) ACM() *acm.Backend { return s.acm }

// ELBv2 returns the ELBv2 backend (same caveat as EC2).
func (s *Server) ELBv2() *elbv2.Backend { return s.elb }

// RequireExternalID makes an STS role assumable only with externalID.
func (s *Server) RequireExternalID(role, externalID string) {
	s.sts.RequireExternalID(role, externalID)
}

// SetHealthScale changes elbv2.Timing.HealthScale while serving.
func (s *Server) SetHealthScale(scale float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.elb.Timing.HealthScale = scale
}

// MarkTargetHealth marks a registered target failing its health checks
// (unhealthy) or passing them again, while serving.
func (s *Server) MarkTargetHealth(tgARN, id string, port int, unhealthy bool) error {
	s.mu.Lock()
	err := s.elb.MarkTargetHealth(tgARN, id, port, unhealthy)
	s.mu.Unlock()
	if err == nil {
		s.stateChanged()
	}
	return err
}

// UpdateELBv2Quotas changes the ELBv2 quotas, safely while serving (a
// quota raised by AWS support, in tests).
func (s *Server) UpdateELBv2Quotas(f func(*elbv2.Quotas)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.elb.Quotas)
}

// Faults returns the fault injector.
func (s *Server) Faults() *FaultInjector { return &FaultInjector{f: s.faults} }

// Calls returns a copy of the call log.
func (s *Server) Calls() CallStats { return s.calls.snapshot() }

// ResetCalls empties the call log.
func (s *Server) ResetCalls() { s.calls.reset() }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_lbsg/") {
		s.serveControl(w, r)
		return
	}
	reqID := newRequestID()
	body, err := io.ReadAll(io.LimitReader(r.Body, query.MaxBody+1))
	if err != nil {
		query.WriteXML(w, http.StatusBadRequest, reqID, query.EC2Error(query.BadRequest("MalformedQueryString", "cannot read body"), reqID))
		return
	}
	service := serviceOf(r)
	if service == "" && strings.HasPrefix(r.URL.Path, "/clusters") {
		service = ServiceEKS
	}
	if isRoute53(service, r) {
		s.serveRoute53(w, r, body, reqID)
		return
	}
	if service == ServiceACM || strings.HasPrefix(r.Header.Get("X-Amz-Target"), acm.TargetPrefix) {
		s.serveACM(w, r, body, reqID)
		return
	}
	if js, ok := s.jsonServiceFor(service, r.Header.Get("X-Amz-Target")); ok {
		s.serveJSON(js, w, r, body, reqID)
		return
	}
	if service == ServiceEKS {
		if aerr := s.authenticate(r, body, service); aerr != nil {
			s.calls.record(ServiceEKS, eksAction(r), aerr.Code)
			writeEKSError(w, aerr.Status, aerr.Code, aerr.Message, reqID)
			return
		}
		s.serveEKS(w, r, reqID)
		return
	}
	if len(body) > query.MaxBody {
		s.writeError(w, service, query.BadRequest("RequestEntityTooLarge", "Request body too large"), reqID)
		return
	}
	p, perr := query.Parse(string(body))
	if perr != nil {
		s.writeError(w, service, asQueryError(perr), reqID)
		return
	}
	if r.URL.RawQuery != "" {
		p = p.Merge(query.FromValues(r.URL.Query()))
	}
	if service == "" {
		// No SigV4 scope (unsigned request): fall back to the Version.
		switch p.Get("Version") {
		case VersionELBv2:
			service = ServiceELBv2
		case sts.Version:
			service = ServiceSTS
		default:
			service = ServiceEC2
		}
	}
	action := p.Get("Action")
	status, code := s.serveQuery(w, r, body, service, action, p, reqID)
	s.calls.record(service, action, code)
	if code != "" {
		s.log.Info("request failed", "service", service, "action", action, "status", status, "code", code, "requestId", reqID)
	}
}

// serveQuery handles one EC2 or ELBv2 request and returns the HTTP status
// and the error code ("" on success).
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, body []byte, service, action string, p query.Params, reqID string) (int, string) {
	fail := func(e *query.Error) (int, string) {
		s.writeError(w, service, e, reqID)
		return e.Status, e.Code
	}
	if aerr := s.authenticate(r, body, service); aerr != nil {
		return fail(aerr)
	}
	var backend Backend
	switch service {
	case ServiceEC2:
		backend = s.ec2
	case ServiceELBv2:
		backend = s.elb
	case ServiceSTS:
		backend = s.sts
	default:
		return fail(query.BadRequest("UnknownService", "The service %q is not emulated", service))
	}
	if action == "" {
		return fail(query.MissingParameter("Action"))
	}
	if e := s.throttle.take(service, action, p); e != nil {
		return fail(e)
	}
	if e := s.faults.inject(service, action); e != nil {
		return fail(e)
	}
	mutating := backend.Mutating(action)
	if mutating {
		s.mu.Lock()
	} else {
		s.mu.RLock()
	}
	out, err := s.call(backend, action, p)
	if mutating {
		s.mu.Unlock()
	} else {
		s.mu.RUnlock()
	}
	if err != nil {
		return fail(asQueryError(err))
	}
	if mutating {
		s.stateChanged()
	}
	// Stream the reply: a full DescribeSecurityGroups at scale is tens of
	// MiB, and buffering it whole doubles the garbage.
	query.WriteStreamHeaders(w, reqID)
	bw := bufio.NewWriterSize(w, 64<<10)
	switch service {
	case ServiceEC2:
		err = query.WriteEC2Body(bw, action, reqID, out)
	case ServiceSTS:
		err = query.WriteQueryBody(bw, sts.Namespace, action, reqID, out)
	default:
		err = query.WriteELBv2Body(bw, action, reqID, out)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		// Headers are gone: the client sees a truncated body and retries.
		s.log.Error("writing reply", "action", action, "err", err)
	}
	return http.StatusOK, ""
}

// call runs a backend action, turning a panic into an InternalError so one
// bad request never takes the emulator down.
func (s *Server) call(b Backend, action string, p query.Params) (out any, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			s.log.Error("backend panic", "action", action, "panic", fmt.Sprint(rec))
			out, err = nil, internalError()
		}
	}()
	return b.Handle(action, p)
}

func internalError() *query.Error {
	return query.Errorf(http.StatusInternalServerError, "InternalError", "An internal error has occurred")
}

func asQueryError(err error) *query.Error {
	var qe *query.Error
	if errors.As(err, &qe) {
		return qe
	}
	return internalError()
}

func (s *Server) writeError(w http.ResponseWriter, service string, e *query.Error, reqID string) {
	if service == ServiceSTS {
		query.WriteXML(w, e.Status, reqID, query.QueryError(sts.Namespace, e, reqID))
		return
	}
	if service == ServiceELBv2 {
		if e.Code == "InternalError" {
			e = &query.Error{Status: e.Status, Code: "InternalFailure", Message: e.Message}
		}
		query.WriteXML(w, e.Status, reqID, query.ELBv2Error(e, reqID))
		return
	}
	query.WriteXML(w, e.Status, reqID, query.EC2Error(e, reqID))
}

// serviceOf reads the service from the SigV4 credential scope in the
// Authorization header or the X-Amz-Credential query parameter.
func serviceOf(r *http.Request) string {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		if _, rest, ok := strings.Cut(auth, "Credential="); ok {
			cred, _, _ = strings.Cut(rest, ",")
		}
	} else {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) == 5 {
		return parts[3]
	}
	return ""
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// Transport returns an http.RoundTripper that serves requests in-process,
// with no socket: give it to an SDK client's HTTPClient.
func (s *Server) Transport() http.RoundTripper { return inProcess{h: s} }

// HTTPClient returns an *http.Client using Transport.
func (s *Server) HTTPClient() *http.Client { return &http.Client{Transport: s.Transport()} }

type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	rec := newRecorder()
	// Handlers read the body; give them a fresh request value.
	r2 := req.Clone(req.Context())
	if req.Body == nil {
		r2.Body = http.NoBody
	}
	t.h.ServeHTTP(rec, r2)
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return rec.result(req), nil
}

type recorder struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.buf.Write(b)
}

func (r *recorder) result(req *http.Request) *http.Response {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", r.status, http.StatusText(r.status)),
		StatusCode:    r.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        r.header,
		Body:          io.NopCloser(bytes.NewReader(r.buf.Bytes())),
		ContentLength: int64(r.buf.Len()),
		Request:       req,
	}
}

// Listen serves on addr (host:port; port 0 picks one) until ctx ends, and
// returns the base URL. It refuses non-loopback addresses unless
// allowRemote is set.
func (s *Server) Listen(ctx context.Context, addr string, allowRemote bool) (string, <-chan error, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", nil, fmt.Errorf("listen address %q: %w", addr, err)
	}
	if !allowRemote {
		ip := net.ParseIP(host)
		if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return "", nil, fmt.Errorf("listen address %q is not loopback; pass --allow-remote to expose the emulator", addr)
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		done <- err
	}()
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
		if err := s.Flush(); err != nil {
			s.log.Error("saving state", "err", err)
		}
	}()
	return "http://" + ln.Addr().String(), done, nil
}

// persisted is the state file's format.
type persisted struct {
	Version     int             `json:"version"`
	Region      string          `json:"region"`
	Account     string          `json:"account"`
	EC2         json.RawMessage `json:"ec2"`
	ELBv2       json.RawMessage `json:"elbv2"`
	EKS         json.RawMessage `json:"eks"`
	ACM         json.RawMessage `json:"acm,omitempty"`
	Route53     json.RawMessage `json:"route53,omitempty"`
	WAFv2       json.RawMessage `json:"wafv2,omitempty"`
	WAFRegional json.RawMessage `json:"wafRegional,omitempty"`
	Shield      json.RawMessage `json:"shield,omitempty"`
}

// State returns the whole state as JSON.
func (s *Server) State() ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.stateLocked()
}

func (s *Server) stateLocked() ([]byte, error) {
	var p persisted
	var err error
	p.Version, p.Region, p.Account = 1, s.opts.Region, s.opts.AccountID
	if p.EC2, err = s.ec2.Snapshot(); err != nil {
		return nil, err
	}
	if p.ELBv2, err = s.elb.Snapshot(); err != nil {
		return nil, err
	}
	if p.EKS, err = s.eks.Snapshot(); err != nil {
		return nil, err
	}
	if p.ACM, err = s.acm.Snapshot(); err != nil {
		return nil, err
	}
	if p.Route53, err = s.route53.Snapshot(); err != nil {
		return nil, err
	}
	if p.WAFv2, err = s.wafv2.Snapshot(); err != nil {
		return nil, err
	}
	if p.WAFRegional, err = s.wafRegional.Snapshot(); err != nil {
		return nil, err
	}
	if p.Shield, err = s.shield.Snapshot(); err != nil {
		return nil, err
	}
	return json.MarshalIndent(p, "", " ")
}

// save writes the state file atomically (temp file + rename).
func (s *Server) save() error {
	if s.opts.StateFile == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	return s.saveLocked()
}

func (s *Server) saveLocked() error {
	if s.opts.StateFile == "" {
		return nil
	}
	b, err := s.State()
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.opts.StateFile)
	tmp, err := os.CreateTemp(dir, ".emulator-state-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), s.opts.StateFile)
}

func (s *Server) load() (bool, error) {
	if s.opts.StateFile == "" {
		return false, nil
	}
	b, err := os.ReadFile(s.opts.StateFile)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := s.restore(b); err != nil {
		return false, fmt.Errorf("loading state file %s: %w", s.opts.StateFile, err)
	}
	return true, nil
}

func (s *Server) restore(b []byte) error {
	var p persisted
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.Region != "" && p.Region != s.opts.Region {
		return fmt.Errorf("state is for region %s, emulator runs %s", p.Region, s.opts.Region)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ec2.Restore(p.EC2); err != nil {
		return fmt.Errorf("ec2: %w", err)
	}
	if err := s.elb.Restore(p.ELBv2); err != nil {
		return fmt.Errorf("elbv2: %w", err)
	}
	if err := s.eks.Restore(p.EKS); err != nil {
		return fmt.Errorf("eks: %w", err)
	}
	if err := s.acm.Restore(p.ACM); err != nil {
		return fmt.Errorf("acm: %w", err)
	}
	if err := s.route53.Restore(p.Route53); err != nil {
		return fmt.Errorf("route53: %w", err)
	}
	if err := s.wafv2.Restore(p.WAFv2); err != nil {
		return fmt.Errorf("wafv2: %w", err)
	}
	if err := s.wafRegional.Restore(p.WAFRegional); err != nil {
		return fmt.Errorf("waf-regional: %w", err)
	}
	if err := s.shield.Restore(p.Shield); err != nil {
		return fmt.Errorf("shield: %w", err)
	}
	return nil
}

// Reset empties the state and, unless NoSeed, applies the seed again.
func (s *Server) Reset() error {
	s.mu.Lock()
	s.ec2.Reset()
	s.elb.Reset()
	s.eks.Reset()
	s.acm.Reset()
	s.route53.Reset()
	s.wafv2.Reset()
	s.wafRegional.Reset()
	s.shield.Reset()
	s.sts.Reset()
	s.mu.Unlock()
	s.calls.reset()
	if !s.opts.NoSeed {
		seed := s.opts.Seed
		if seed == nil {
			d := DefaultSeed("sandbox", s.opts.Region)
			seed = &d
		}
		if err := s.applySeed(*seed); err != nil {
			return err
		}
	}
	return s.save()
}
