package emulator

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// FaultSpec is what --faults parses into: random failures drawn from a
// seeded generator (so a run is reproducible) and eventual-consistency lags.
type FaultSpec struct {
	// InternalError is the fraction of calls answered with InternalError
	// (HTTP 500) before they reach the backend.
	InternalError float64
	// Unavailable is the fraction answered with EC2 Unavailable /
	// ELBv2 ServiceUnavailable (HTTP 503).
	Unavailable float64
	// Throttle is the fraction answered with the service's throttling
	// error, on top of the token buckets.
	Throttle float64
	// Lag delays the visibility of writes.
	Lag core.Lag
	// Seed of the fault generator.
	Seed uint64
	// Only limits random faults to these actions (empty: all).
	Only []string
}

// ParseFaults reads a comma-separated spec, e.g.
// "throttle=0.3,internal=0.05,unavailable=0.01,create-lag=2s,tag-lag=2s,rule-lag=1s,eni-release=30s,provisioning=5s,seed=42,only=AuthorizeSecurityGroupIngress+CreateTags".
func ParseFaults(spec string) (FaultSpec, error) {
	var f FaultSpec
	f.Seed = 1
	if strings.TrimSpace(spec) == "" {
		return f, nil
	}
	for _, item := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return f, fmt.Errorf("fault %q: want key=value", item)
		}
		var err error
		switch k {
		case "internal":
			f.InternalError, err = fraction(v)
		case "unavailable":
			f.Unavailable, err = fraction(v)
		case "throttle":
			f.Throttle, err = fraction(v)
		case "create-lag":
			f.Lag.Create, err = time.ParseDuration(v)
		case "tag-lag":
			f.Lag.Tags, err = time.ParseDuration(v)
		case "rule-lag":
			f.Lag.Rules, err = time.ParseDuration(v)
		case "eni-release":
			f.Lag.ENIRelease, err = time.ParseDuration(v)
		case "provisioning":
			f.Lag.Provisioning, err = time.ParseDuration(v)
		case "seed":
			f.Seed, err = strconv.ParseUint(v, 10, 64)
		case "only":
			f.Only = strings.Split(v, "+")
		default:
			return f, fmt.Errorf("unknown fault %q (want internal, unavailable, throttle, create-lag, tag-lag, rule-lag, eni-release, provisioning, seed, only)", k)
		}
		if err != nil {
			return f, fmt.Errorf("fault %s: %w", k, err)
		}
	}
	return f, nil
}

func fraction(v string) (float64, error) {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || x < 0 || x > 1 {
		return 0, fmt.Errorf("%q is not a fraction between 0 and 1", v)
	}
	return x, nil
}

type scripted struct {
	code string
	n    int
}

type faults struct {
	mu       sync.Mutex
	spec     FaultSpec
	rnd      *rand.Rand
	only     map[string]bool
	scripted map[string][]scripted
	injected map[string]int
}

func newFaults(spec FaultSpec) *faults {
	f := &faults{scripted: map[string][]scripted{}, injected: map[string]int{}}
	f.set(spec)
	return f
}

func (f *faults) set(spec FaultSpec) {
	f.spec = spec
	seed := spec.Seed
	if seed == 0 {
		seed = 1
	}
	f.rnd = rand.New(rand.NewPCG(seed, seed*31+7))
	f.only = nil
	if len(spec.Only) > 0 {
		f.only = map[string]bool{}
		for _, a := range spec.Only {
			f.only[a] = true
		}
	}
}

// inject returns the error to answer instead of running the call, if any.
func (f *faults) inject(service, action string) *query.Error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if q := f.scripted[action]; len(q) > 0 {
		code := q[0].code
		q[0].n--
		if q[0].n <= 0 {
			q = q[1:]
		}
		f.scripted[action] = q
		f.injected[code]++
		return errorForCode(service, code)
	}
	if f.only != nil && !f.only[action] {
		return nil
	}
	s := f.spec
	if s.InternalError+s.Unavailable+s.Throttle == 0 {
		return nil
	}
	x := f.rnd.Float64()
	switch {
	case x < s.Throttle:
		f.injected["throttle"]++
		return throttleError(service)
	case x < s.Throttle+s.InternalError:
		f.injected["InternalError"]++
		return internalError()
	case x < s.Throttle+s.InternalError+s.Unavailable:
		f.injected["Unavailable"]++
		if service == ServiceELBv2 {
			return query.Errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "Service is unavailable")
		}
		return query.Errorf(http.StatusServiceUnavailable, "Unavailable", "The server is overloaded and can't handle the request.")
	}
	return nil
}

// errorForCode builds a reply for a scripted code with a plausible status.
func errorForCode(service, code string) *query.Error {
	switch code {
	case "RequestLimitExceeded", "Throttling":
		return throttleError(service)
	case "InternalError", "InternalFailure":
		return internalError()
	case "Unavailable", "ServiceUnavailable":
		return query.Errorf(http.StatusServiceUnavailable, code, "Service is unavailable")
	}
	return query.BadRequest(code, "Injected fault %s", code)
}

// FaultInjector scripts failures from tests.
type FaultInjector struct{ f *faults }

// Fail makes the next n calls of action fail with code (queued after any
// earlier script for the same action).
func (fi *FaultInjector) Fail(action, code string, n int) {
	fi.f.mu.Lock()
	defer fi.f.mu.Unlock()
	fi.f.scripted[action] = append(fi.f.scripted[action], scripted{code: code, n: n})
}

// Set replaces the random fault spec (lags are not changed here; see
// Server.Env().Lag).
func (fi *FaultInjector) Set(spec FaultSpec) {
	fi.f.mu.Lock()
	defer fi.f.mu.Unlock()
	fi.f.set(spec)
}

// Injected returns how many faults were injected, by kind.
func (fi *FaultInjector) Injected() map[string]int {
	fi.f.mu.Lock()
	defer fi.f.mu.Unlock()
	out := make(map[string]int, len(fi.f.injected))
	for k, v := range fi.f.injected {
		out[k] = v
	}
	return out
}

// Clear drops scripted failures and random faults.
func (fi *FaultInjector) Clear() {
	fi.f.mu.Lock()
	defer fi.f.mu.Unlock()
	fi.f.scripted = map[string][]scripted{}
	fi.f.set(FaultSpec{Seed: fi.f.spec.Seed})
}
