package awsapi

import (
	"sync"
)

// Counter is an Observer that counts attempts sent to AWS per operation,
// for benchmarks and tests. The zero value is ready to use.
type Counter struct {
	mu        sync.Mutex
	calls     map[string]int
	throttled int
	waited    int
}

// Observe records one attempt; pass c.Observe as Options.Observer.
func (c *Counter) Observe(call Call) {
	if !call.Sent {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[call.Operation]++
	if call.Throttled {
		c.throttled++
	}
	if call.Waited > 0 {
		c.waited++
	}
}

// Count is the number of attempts of one operation.
func (c *Counter) Count(operation string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[operation]
}

// Total is the number of attempts of all operations.
func (c *Counter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.calls {
		n += v
	}
	return n
}

// Throttled is the number of attempts AWS throttled.
func (c *Counter) Throttled() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.throttled
}

// Delayed is the number of attempts the client-side buckets held back.
func (c *Counter) Delayed() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waited
}

// Reset forgets everything counted.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls, c.throttled, c.waited = nil, 0, 0
}
