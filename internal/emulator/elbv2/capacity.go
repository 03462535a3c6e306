package elbv2

import (
	"time"

	"github.com/lbsg/lbsg/internal/emulator/core"
	"github.com/lbsg/lbsg/internal/emulator/query"
)

// Capacity reservations: ModifyCapacityReservation and
// DescribeCapacityReservation. A reservation is provisioned at once and
// spread evenly over the load balancer's zones; decreases (a reset counts
// as one [?]) are limited to MaxCapacityDecreasesPerDay in any 24 hours.

// MaxCapacityDecreasesPerDay is AWS's daily limit on lowering a reservation.
const MaxCapacityDecreasesPerDay = 2

// capacityReservation is a load balancer's reservation.
type capacityReservation struct {
	Units     int32       `json:"units,omitempty"`
	Modified  time.Time   `json:"modified,omitzero"`
	Decreases []time.Time `json:"decreases,omitempty"`
}

type xCapacityUnits struct {
	CapacityUnits int32 `xml:"CapacityUnits"`
}

type xZonalCapacity struct {
	State                  xCapacityState `xml:"State"`
	AvailabilityZone       string         `xml:"AvailabilityZone"`
	EffectiveCapacityUnits float64        `xml:"EffectiveCapacityUnits"`
}

type xCapacityState struct {
	Code string `xml:"Code"`
}

type capacityResult struct {
	LastModifiedTime            string           `xml:"LastModifiedTime,omitempty"`
	DecreaseRequestsRemaining   int              `xml:"DecreaseRequestsRemaining"`
	MinimumLoadBalancerCapacity *xCapacityUnits  `xml:"MinimumLoadBalancerCapacity,omitempty"`
	CapacityReservationState    []xZonalCapacity `xml:"CapacityReservationState>member"`
}

func (b *Backend) describeCapacityReservation(p query.Params) (any, error) {
	lb, err := b.lookupLB(p)
	if err != nil {
		return nil, err
	}
	return b.capacityResult(lb), nil
}

func (b *Backend) modifyCapacityReservation(p query.Params) (any, error) {
	lb, err := b.lookupLB(p)
	if err != nil {
		return nil, err
	}
	units, hasUnits, err := p.Int("MinimumLoadBalancerCapacity.CapacityUnits", 0, 1<<31-1)
	if err != nil {
		return nil, err
	}
	reset, hasReset, err := p.Bool("ResetCapacityReservation")
	if err != nil {
		return nil, err
	}
	reset = hasReset && reset
	switch {
	case !hasUnits && !reset:
		return nil, query.ValidationError("You must specify either MinimumLoadBalancerCapacity or ResetCapacityReservation")
	case hasUnits && reset:
		return nil, query.ValidationError("You cannot specify both MinimumLoadBalancerCapacity and ResetCapacityReservation")
	case hasUnits && units < 1:
		return nil, query.ValidationError("CapacityUnits must be at least 1")
	case lb.Type == "gateway":
		return nil, invalidConfig("Capacity reservations are not supported for load balancers with type 'gateway'")
	case b.lbState(lb) != "active":
		return nil, errf("OperationNotPermitted", "The load balancer '%s' is not active", lb.ARN)
	}
	if lb.Type == "network" {
		for _, l := range b.st.Listeners {
			if l.LoadBalancer == lb.ARN && l.Protocol == "TLS" {
				return nil, invalidConfig("Capacity reservations are not supported for Network Load Balancers with TLS listeners")
			}
		}
	}
	now := b.env.Now().UTC()
	cur := lb.Capacity
	if cur == nil {
		cur = &capacityReservation{}
	}
	var decreases []time.Time
	for _, t := range cur.Decreases {
		if now.Sub(t) < 24*time.Hour {
			decreases = append(decreases, t)
		}
	}
	want := int32(0)
	if hasUnits {
		want = int32(units)
	}
	if want < cur.Units {
		if len(decreases) >= MaxCapacityDecreasesPerDay {
			return nil, errf("CapacityDecreaseRequestLimitExceeded", "You've exceeded the daily capacity decrease limit for this reservation.")
		}
		decreases = append(decreases, now)
	}
	lb.Capacity = &capacityReservation{Units: want, Modified: now, Decreases: decreases}
	return b.capacityResult(lb), nil
}

func (b *Backend) capacityResult(lb *loadBalancer) *capacityResult {
	now := b.env.Now().UTC()
	out := &capacityResult{DecreaseRequestsRemaining: MaxCapacityDecreasesPerDay}
	c := lb.Capacity
	if c == nil {
		return out
	}
	for _, t := range c.Decreases {
		if now.Sub(t) < 24*time.Hour {
			out.DecreaseRequestsRemaining--
		}
	}
	out.DecreaseRequestsRemaining = max(out.DecreaseRequestsRemaining, 0)
	if !c.Modified.IsZero() {
		out.LastModifiedTime = core.Timestamp(c.Modified)
	}
	if c.Units == 0 {
		return out
	}
	out.MinimumLoadBalancerCapacity = &xCapacityUnits{CapacityUnits: c.Units}
	for _, s := range lb.Subnets {
		out.CapacityReservationState = append(out.CapacityReservationState, xZonalCapacity{
			State: xCapacityState{Code: "provisioned"}, AvailabilityZone: s.Zone,
			EffectiveCapacityUnits: float64(c.Units) / float64(len(lb.Subnets)),
		})
	}
	return out
}
