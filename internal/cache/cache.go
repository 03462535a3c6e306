package cache

import (
	"context"
	"sync"
	"time"

	"k8s.io/utils/clock"
)

// TTL is a map whose entries expire a fixed time after they were stored.
type TTL[K comparable, V any] struct {
	clock clock.PassiveClock
	ttl   time.Duration

	mu        sync.Mutex
	entries   map[K]entry[V]
	lastPurge int
}

type entry[V any] struct {
	value   V
	expires time.Time
}

// New returns an empty cache whose entries live for ttl, timed by clk
// (clock.RealClock{} in production, a fake clock in tests).
func New[K comparable, V any](clk clock.PassiveClock, ttl time.Duration) *TTL[K, V] {
	return &TTL[K, V]{clock: clk, ttl: ttl, entries: map[K]entry[V]{}}
}

// Get returns the live value for k.
func (c *TTL[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok {
		var zero V
		return zero, false
	}
	if !c.clock.Now().Before(e.expires) {
		delete(c.entries, k)
		var zero V
		return zero, false
	}
	return e.value, true
}

// Set stores v for k for the cache's TTL.
func (c *TTL[K, V]) Set(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	c.entries[k] = entry[V]{value: v, expires: now.Add(c.ttl)}
	if len(c.entries) > 2*max(c.lastPurge, 64) {
		c.purge(now)
	}
}

// Delete invalidates the given keys.
func (c *TTL[K, V]) Delete(keys ...K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		delete(c.entries, k)
	}
}

// DeleteFunc invalidates every entry for which drop returns true.
func (c *TTL[K, V]) DeleteFunc(drop func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		if drop(k, e.value) {
			delete(c.entries, k)
		}
	}
}

// Clear invalidates everything.
func (c *TTL[K, V]) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	c.lastPurge = 0
}

// Len counts the entries held, expired ones not yet dropped included.
func (c *TTL[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Purge drops expired entries.
func (c *TTL[K, V]) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.purge(c.clock.Now())
}

func (c *TTL[K, V]) purge(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	c.lastPurge = len(c.entries)
}

// GetOrLoad returns the live value for k, or calls load, stores its result
// and returns it. Errors are returned, not cached.
func (c *TTL[K, V]) GetOrLoad(ctx context.Context, k K, load func(context.Context) (V, error)) (V, error) {
	if v, ok := c.Get(k); ok {
		return v, nil
	}
	v, err := load(ctx)
	if err != nil {
		return v, err
	}
	c.Set(k, v)
	return v, nil
}
