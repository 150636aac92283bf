package client

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// ErrTargetUnavailable is returned without sending when the target has
// failed BreakerThreshold requests in a row (no answer, or 502/503/504): an
// outage is reported in seconds instead of after every request's timeout
// and retries. The exchange is classified unavailable, never a violation.
var ErrTargetUnavailable = errors.New("target unavailable")

// BreakerThreshold is how many unavailable answers in a row open the
// breaker; BreakerProbeEvery is how long after the last failure one request
// is let through while it is open, so that a recovered target is noticed.
// It counts from when a failure ends, not from when its request was sent:
// a probe that waits out a timeout longer than the interval must not let
// the next request through too, or every check would wait a timeout.
const (
	BreakerThreshold  = 5
	BreakerProbeEvery = 2 * time.Second
)

// breaker counts consecutive unavailable outcomes of one transport.
type breaker struct {
	mu        sync.Mutex
	failures  int
	last      string
	nextProbe time.Time
	// probing is true while the one request let through is out.
	probing bool
	now     func() time.Time
}

func newBreaker() *breaker { return &breaker{now: time.Now} }

// allow says whether a request may be sent; when not, the error says why.
func (b *breaker) allow() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < BreakerThreshold {
		return nil
	}
	if now := b.now(); !b.probing && !now.Before(b.nextProbe) {
		b.probing = true
		return nil
	}
	return fmt.Errorf("%w: not sent, %d requests in a row failed (last: %s); the run goes on without waiting for each timeout", ErrTargetUnavailable, b.failures, b.last)
}

// observe records the outcome of a sent request.
func (b *breaker) observe(resp *http.Response, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
	switch {
	case err != nil && unavailable(0, err):
		b.failures++
		b.last = err.Error()
	case err != nil:
		// A certificate the client rejects, a refused credential: the
		// target is there and this is about the contract.
		b.failures = 0
		return
	case resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout:
		b.failures++
		b.last = resp.Status
	default:
		b.failures = 0
		return
	}
	if b.failures >= BreakerThreshold {
		// Every failure while open, a probe's or a straggler's sent
		// before the breaker opened, puts the next probe off.
		b.nextProbe = b.now().Add(BreakerProbeEvery)
	}
}
