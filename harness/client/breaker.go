package client

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// ErrTargetUnavailable is returned without sending when the target, or the
// path asked for, has failed BreakerThreshold requests in a row (no answer,
// or 502/503/504): an outage is reported in seconds instead of after every
// request's timeout and retries. The exchange is classified unavailable,
// never a violation.
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

// breaker counts the consecutive unavailable outcomes of one transport, of
// the target and of each path (its zero value is ready to use). A path that keeps failing while others
// answer (one service of the alpha channel down) is stopped alone; the
// whole target is stopped when the failures in a row, with no good answer
// between them, span two paths or more.
type breaker struct {
	mu     sync.Mutex
	target circuit
	// failedPaths are the paths among the target's failures in a row.
	failedPaths map[string]bool
	paths       map[string]*circuit
	now         func() time.Time
}

func newBreaker() *breaker {
	return &breaker{now: time.Now, failedPaths: map[string]bool{}, paths: map[string]*circuit{}}
}

// circuit is one breaker's state: failures in a row, and the probe.
type circuit struct {
	failures  int
	last      string
	nextProbe time.Time
	// probing is true while the one request let through is out.
	probing bool
}

// allow reports whether a request may go through c.
func (c *circuit) allow(now time.Time) bool {
	if c.failures < BreakerThreshold {
		return true
	}
	if !c.probing && !now.Before(c.nextProbe) {
		c.probing = true
		return true
	}
	return false
}

// fail records an unavailable outcome; every failure while open, a
// probe's or a straggler's sent before it opened, puts the next probe off.
func (c *circuit) fail(now time.Time, last string) {
	c.probing = false
	c.failures++
	c.last = last
	if c.failures >= BreakerThreshold {
		c.nextProbe = now.Add(BreakerProbeEvery)
	}
}

// reset records an answer that says something about the contract.
func (c *circuit) reset() {
	c.probing = false
	c.failures = 0
}

// allow says whether a request to path may be sent; when not, the error
// says why.
func (b *breaker) allow(path string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock()
	if b.target.failures >= BreakerThreshold && len(b.failedPaths) > 1 {
		if b.target.allow(now) {
			return nil
		}
		return fmt.Errorf("%w: not sent, %d requests in a row failed (last: %s); the run goes on without waiting for each timeout", ErrTargetUnavailable, b.target.failures, b.target.last)
	}
	if c := b.paths[path]; c != nil && !c.allow(now) {
		return fmt.Errorf("%w: not sent, %d requests in a row to %s failed (last: %s) while other paths may answer; the run goes on without waiting for each timeout",
			ErrTargetUnavailable, c.failures, path, c.last)
	}
	return nil
}

// observe records the outcome of a sent request to path.
func (b *breaker) observe(path string, resp *http.Response, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.paths == nil {
		b.paths, b.failedPaths = map[string]*circuit{}, map[string]bool{}
	}
	c := b.paths[path]
	if c == nil {
		c = &circuit{}
		b.paths[path] = c
	}
	var last string
	switch {
	case err != nil && unavailable(0, err):
		last = err.Error()
	case err != nil:
		// A certificate the client rejects, a refused credential: the
		// target is there and this is about the contract.
	case resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout:
		last = resp.Status
	}
	if last == "" {
		c.reset()
		b.target.reset()
		clear(b.failedPaths)
		return
	}
	now := b.clock()
	c.fail(now, last)
	b.target.fail(now, last)
	b.failedPaths[path] = true
}

func (b *breaker) clock() time.Time {
	if b.now == nil {
		return time.Now()
	}
	return b.now()
}
