package cache_test

import (
	"context"
	"errors"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/lbsg/lbsg/internal/cache"
)

func TestEntriesLiveExactlyTheirTTL(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(time.Unix(1000, 0))
	c := cache.New[string, int](clk, time.Minute)
	c.Set("a", 1)
	for _, tt := range []struct {
		name    string
		advance time.Duration
		want    bool
	}{
		{"a fresh entry is served", 0, true},
		{"an entry just before its TTL is served", 59 * time.Second, true},
		{"an entry at its TTL is gone", time.Second, false},
		{"an expired entry stays gone", time.Hour, false},
	} {
		clk.SetTime(clk.Now().Add(tt.advance))
		if _, ok := c.Get("a"); ok != tt.want {
			t.Errorf("%s: Get ok = %v, want %v", tt.name, ok, tt.want)
		}
	}
}

func TestReadsDoNotExtendLifetime(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(time.Unix(0, 0))
	c := cache.New[string, int](clk, 10*time.Second)
	c.Set("a", 1)
	for range 9 {
		clk.SetTime(clk.Now().Add(time.Second))
		c.Get("a")
	}
	clk.SetTime(clk.Now().Add(time.Second))
	if _, ok := c.Get("a"); ok {
		t.Fatal("reading kept the entry alive past its TTL")
	}
}

func TestInvalidation(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(time.Unix(0, 0))
	for _, tt := range []struct {
		name       string
		invalidate func(c *cache.TTL[string, int])
		wantLeft   []string
	}{
		{"Delete drops the named keys only", func(c *cache.TTL[string, int]) { c.Delete("a", "b") }, []string{"c"}},
		{"DeleteFunc drops matching entries", func(c *cache.TTL[string, int]) {
			c.DeleteFunc(func(_ string, v int) bool { return v >= 2 })
		}, []string{"a"}},
		{"Clear drops everything", func(c *cache.TTL[string, int]) { c.Clear() }, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := cache.New[string, int](clk, time.Minute)
			c.Set("a", 1)
			c.Set("b", 2)
			c.Set("c", 3)
			tt.invalidate(c)
			if c.Len() != len(tt.wantLeft) {
				t.Fatalf("Len = %d, want %d", c.Len(), len(tt.wantLeft))
			}
			for _, k := range tt.wantLeft {
				if _, ok := c.Get(k); !ok {
					t.Errorf("%s was dropped", k)
				}
			}
		})
	}
}

func TestGetOrLoadLoadsOnceAndNeverCachesErrors(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(time.Unix(0, 0))
	c := cache.New[string, string](clk, time.Minute)
	loads := 0
	boom := errors.New("boom")
	fail := true
	load := func(context.Context) (string, error) {
		loads++
		if fail {
			return "", boom
		}
		return "v", nil
	}
	if _, err := c.GetOrLoad(t.Context(), "k", load); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	fail = false
	for range 3 {
		v, err := c.GetOrLoad(t.Context(), "k", load)
		if err != nil || v != "v" {
			t.Fatalf("got %q, %v", v, err)
		}
	}
	if loads != 2 {
		t.Errorf("loads = %d, want 2 (one failure, one success, then cached)", loads)
	}
}

func TestExpiredEntriesArePurgedAsTheMapGrows(t *testing.T) {
	clk := clocktesting.NewFakePassiveClock(time.Unix(0, 0))
	c := cache.New[int, int](clk, time.Second)
	for i := range 1000 {
		c.Set(i, i)
		clk.SetTime(clk.Now().Add(100 * time.Millisecond))
	}
	if c.Len() > 300 {
		t.Errorf("Len = %d: expired entries pile up", c.Len())
	}
	clk.SetTime(clk.Now().Add(time.Hour))
	c.Purge()
	if c.Len() != 0 {
		t.Errorf("Len after Purge = %d", c.Len())
	}
}
