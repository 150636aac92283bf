package client

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
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
// each origin (scheme and host) and of each path on it (its zero value is
// ready to use). A path that keeps failing while others answer (one service
// of the alpha channel down) is stopped alone; an origin is stopped when
// its failures in a row, with no good answer between them, span two paths
// or more. The plain-HTTP origin is apart from the HTTPS one: a port 80
// that drops the probes stops them, not the API, and one that refuses them
// at once (nothing listens) stops nothing.
type breaker struct {
	mu      sync.Mutex
	origins map[string]*originState
	now     func() time.Time
}

func newBreaker() *breaker { return &breaker{now: time.Now} }

// originState is one origin's circuit, the paths among its failures in a
// row, each path's circuit, and what each path has answered in the run.
type originState struct {
	circuit
	failedPaths map[string]bool
	paths       map[string]*pathState
	// verifying is true while a known-good request (the transport's
	// outage control) asks whether the origin is down: until it answers,
	// the origin is not stopped. verified is true once this streak of
	// failures has been asked about.
	verifying, verified bool
}

// pathState is one path's circuit and history.
type pathState struct {
	circuit
	// found: a POST got an answer that shows the path is a route
	// (showsRoute).
	found bool
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

// state returns the origin's and the path's state, made on first use.
func (b *breaker) state(u *url.URL) (*originState, *pathState) {
	if b.origins == nil {
		b.origins = map[string]*originState{}
	}
	origin := strings.ToLower(u.Scheme + "://" + u.Host)
	o := b.origins[origin]
	if o == nil {
		o = &originState{failedPaths: map[string]bool{}, paths: map[string]*pathState{}}
		b.origins[origin] = o
	}
	p := o.paths[u.Path]
	if p == nil {
		p = &pathState{}
		o.paths[u.Path] = p
	}
	return o, p
}

// allow says whether a request to u may be sent; when not, the error
// says why.
func (b *breaker) allow(u *url.URL) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock()
	o, p := b.state(u)
	if o.failures >= BreakerThreshold && len(o.failedPaths) > 1 && !o.verifying {
		if o.allow(now) {
			return nil
		}
		return fmt.Errorf("%w: not sent, %d requests in a row failed (last: %s); the run goes on without waiting for each timeout", ErrTargetUnavailable, o.failures, o.last)
	}
	if !p.allow(now) {
		return fmt.Errorf("%w: not sent, %d requests in a row to %s failed (last: %s) while other paths may answer; the run goes on without waiting for each timeout",
			ErrTargetUnavailable, p.failures, u.Path, p.last)
	}
	return nil
}

// found says whether a POST to u has shown it to be a route (showsRoute)
// before now.
func (b *breaker) found(u *url.URL) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, p := b.state(u)
	return p.found
}

// observe records the outcome of a sent request of method to u: only a
// POST's answer can show that the path is a route (the API refuses other
// methods, often before it looks the path up), and only one given after
// the route was found (showsRoute). With canVerify, the failure that
// would stop the origin asks for a verification instead (verify is true):
// the caller sends a known-good request and reports with verified.
func (b *breaker) observe(u *url.URL, method string, resp *http.Response, err error, canVerify bool) (verify bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, p := b.state(u)
	var last string
	switch {
	case err != nil && u.Scheme == "http" && errors.Is(err, syscall.ECONNREFUSED):
		// Nothing listens for plain HTTP: an answer at once, which the
		// redirect checks judge (no plain HTTP, no redirect), not an
		// outage to stop the probes for. A port that drops them (a
		// timeout) still counts.
		return false
	case err != nil && unavailable(0, err):
		last = err.Error()
	case err != nil:
		// A certificate the client rejects, a refused credential: the
		// target is there and this is about the contract.
	case resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout:
		last = resp.Status
	}
	if last == "" {
		p.reset()
		o.reset()
		clear(o.failedPaths)
		o.verified = false
		if err == nil {
			p.found = p.found || method == http.MethodPost && showsRoute(resp.StatusCode)
		}
		return false
	}
	now := b.clock()
	p.fail(now, last)
	o.fail(now, last)
	o.failedPaths[u.Path] = true
	if canVerify && !o.verified && o.failures >= BreakerThreshold && len(o.failedPaths) > 1 {
		o.verifying, o.verified = true, true
		return true
	}
	return false
}

// verified ends the verification observe asked for on u's origin: when
// the known-good request got an answer, the failures in a row were those
// of a kind of request the target fails (a backend that dies on malformed
// JSON, say), not an outage, and the origin is not stopped; each path's
// own circuit keeps its count. Otherwise the origin is stopped until its
// next probe.
func (b *breaker) verified(u *url.URL, answered bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, _ := b.state(u)
	o.verifying = false
	if answered {
		o.reset()
		clear(o.failedPaths)
		o.verified = false
		return
	}
	o.nextProbe = b.clock().Add(BreakerProbeEvery)
}

// showsRoute reports whether an answer of status shows its path to be a
// route: a 2xx, or a refusal of the request itself (400, 415, 422 ...). A
// 401, 403 or 429 may come before any route is looked up, and a 404 or 405
// says the route (or the method) is not there.
func showsRoute(status int) bool {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusTooManyRequests:
		return false
	}
	return status >= 200 && status < 300 || status >= 400 && status < 500
}

func (b *breaker) clock() time.Time {
	if b.now == nil {
		return time.Now()
	}
	return b.now()
}
