package core

import (
	"encoding/hex"
	"math/rand/v2"
	"sync"
	"time"

	"k8s.io/utils/clock"
)

// Lag holds the eventual-consistency knobs: how long a fresh write stays
// invisible to Describe calls. All zero by default.
type Lag struct {
	// Create hides a new resource (security group, load balancer…) from
	// Describe calls, as EC2's "InvalidGroup.NotFound right after create".
	Create time.Duration
	// Tags hides new tags from Describe calls and tag filters.
	Tags time.Duration
	// Rules hides newly authorized rules from Describe calls.
	Rules time.Duration
	// ENIRelease keeps a deleted load balancer's ENIs (and so its security
	// groups' DependencyViolation) alive this long.
	ENIRelease time.Duration
	// Provisioning is how long a new load balancer stays "provisioning".
	Provisioning time.Duration
}

// Env is the shared environment of one emulated account and Region.
type Env struct {
	Region  string
	Account string
	Clock   clock.PassiveClock
	IDs     *IDs
	Lag     Lag
}

// Now is the emulator's current time.
func (e *Env) Now() time.Time { return e.Clock.Now() }

// Visible reports whether something written at t, with lag d, is visible now.
func (e *Env) Visible(written time.Time, d time.Duration) bool {
	return d <= 0 || !e.Clock.Now().Before(written.Add(d))
}

// IDs generates resource IDs deterministically from a seed, so seeded runs
// are reproducible.
type IDs struct {
	mu  sync.Mutex
	rnd *rand.Rand
}

// NewIDs returns a generator seeded with seed.
func NewIDs(seed uint64) *IDs {
	return &IDs{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Hex returns n random lower-case hex digits.
func (g *IDs) Hex(n int) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	b := make([]byte, (n+1)/2)
	for i := range b {
		b[i] = byte(g.rnd.Uint32())
	}
	return hex.EncodeToString(b)[:n]
}

// Digits returns n random decimal digits, the first non-zero.
func (g *IDs) Digits(n int) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	b := make([]byte, n)
	for i := range b {
		d := g.rnd.IntN(10)
		if i == 0 {
			d = 1 + g.rnd.IntN(9)
		}
		b[i] = byte('0' + d)
	}
	return string(b)
}

// New returns prefix-<17 hex>, the format of current EC2 IDs (sg-, sgr-,
// vpc-, subnet-, eni-, i-, r-, eni-attach-).
func (g *IDs) New(prefix string) string { return prefix + "-" + g.Hex(17) }

// Timestamp formats t as AWS does in XML: ISO 8601 UTC with milliseconds.
func Timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
