package client

import (
	"context"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

// The limiter has a burst of one: N requests at R per second take at least
// (N-1)/R, however many run at once.
func sendN(t *testing.T, c *Client, n int, opts ...Option) time.Duration {
	t.Helper()
	start := time.Now()
	Each(context.Background(), c, make([]int, n), func(int) {
		if r := c.Post(context.Background(), "/api/v2/bills", nil, opts...); r.Err != nil {
			t.Error(r.Err)
		}
	})
	return time.Since(start)
}

func TestRateCap(t *testing.T) {
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, map[string]string{config.EnvMaxRPS: "20", config.EnvConcurrency: "4"})
	if d := sendN(t, c, 6); d < 250*time.Millisecond {
		t.Errorf("6 requests at 20 rps took %s, want at least 250ms", d)
	}
}

func TestRateCapIsSharedAmongProcesses(t *testing.T) {
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, map[string]string{config.EnvMaxRPS: "20", config.EnvConcurrency: "4"}, WithProcessShare(2))
	if d := sendN(t, c, 4); d < 300*time.Millisecond {
		t.Errorf("4 requests at 20 rps shared by 2 processes took %s, want at least 300ms", d)
	}
}

func TestRateCapCanBeBypassedOrOff(t *testing.T) {
	tg := newTLSTarget(t, ok)
	capped := liveClient(t, tg.Server, map[string]string{config.EnvMaxRPS: "2", config.EnvConcurrency: "4"})
	if d := sendN(t, capped, 4, WithoutRateLimit()); d > 400*time.Millisecond {
		t.Errorf("WithoutRateLimit still waited: %s", d)
	}
	off := liveClient(t, tg.Server, map[string]string{config.EnvMaxRPS: "0", config.EnvConcurrency: "4"})
	if d := sendN(t, off, 8); d > 400*time.Millisecond {
		t.Errorf("MaxRPS 0 still waited: %s", d)
	}
}

func TestLimiterHoldAfterA429(t *testing.T) {
	l := newLimiter(0)
	l.hold(150 * time.Millisecond)
	start := time.Now()
	if err := l.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 140*time.Millisecond {
		t.Errorf("hold ignored: waited %s", d)
	}
	l.hold(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.wait(ctx); err == nil {
		t.Error("wait outlived its context")
	}
}
