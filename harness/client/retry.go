package client

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// control carries one request's wishes from the Client down to
// NetworkTransport through the request's context (a cassette recorder sits
// between them and passes the request on as is), and carries the retry
// count back up.
type control struct {
	noRetry, noRateLimit bool
	// mutation is true for a request that may change data: it is never
	// sent twice on a transport error (the first may have arrived).
	mutation bool
	retries  atomic.Int32
	// waited is the time spent held back by the rate cap or between
	// retries, in nanoseconds: it is not the target's latency.
	waited atomic.Int64
	// noBreaker keeps the outcome out of the breaker's count
	// (WithoutBreakerCount); pastBreaker sends it whatever the breaker
	// says (WithoutBreaker).
	noBreaker, pastBreaker bool
	// foundBefore is whether an earlier POST of this run showed the path
	// to be a route (breaker.found), set by the network transport before
	// it sends.
	foundBefore bool
}

type controlKey struct{}

func withControl(ctx context.Context, c *control) context.Context {
	return context.WithValue(ctx, controlKey{}, c)
}

func controlFrom(ctx context.Context) *control {
	if c, ok := ctx.Value(controlKey{}).(*control); ok {
		return c
	}
	// A request that did not come through Client.Post says nothing of
	// what it does: it is taken for one that may change data, which is
	// never sent twice on a transport error.
	return &control{mutation: true}
}

// retryTransport applies the rate cap, the per-attempt timeout, retries and
// the body cap around the network.
type retryTransport struct {
	next http.RoundTripper
	// mutations sends the requests that may change data (next when
	// nil): one connection each, never resent below this layer.
	mutations http.RoundTripper
	breaker   *breaker
	// outageControl, when set, sends a known-good request through rt
	// and says whether the target answered it (WithOutageControl).
	outageControl func(ctx context.Context, rt http.RoundTripper) bool
	// controlOrigin is the origin the outage control asks (scheme and
	// host of WINSTON_BASE_URL).
	controlOrigin string
	limiter       *limiter
	timeout       time.Duration
	retries       int
	maxBody       int64
	backoff       time.Duration
	maxWait       time.Duration
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctl := controlFrom(req.Context())
	body := req.Body
	if !ctl.pastBreaker {
		if err := t.breaker.allow(req.URL); err != nil {
			closeBody(body)
			return nil, err
		}
	}
	ctl.foundBefore = t.breaker.found(req.URL)
	resp, err := t.attempts(req, body, ctl)
	// Only the origin the control asks (the HTTPS API) is verified by
	// it; another (the plain-HTTP port) stops on its own failures.
	if !ctl.noBreaker && t.breaker.observe(req.URL, req.Method, resp, err, t.verifies(req.URL)) {
		t.breaker.verified(req.URL, t.verifyOutage())
	}
	return resp, err
}

// verifies reports whether the outage control can verify an outage of
// u's origin: only the origin it asks.
func (t *retryTransport) verifies(u *url.URL) bool {
	return t.outageControl != nil && strings.EqualFold(u.Scheme+"://"+u.Host, t.controlOrigin)
}

// verifyOutage asks the outage control whether the target answers a
// known-good request, within a few timeouts whatever the triggering
// request's context (a spec's timeout must not decide an outage).
func (t *retryTransport) verifyOutage() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*t.timeout+time.Second)
	defer cancel()
	return t.outageControl(ctx, t)
}

// attempts sends req, retrying as retryAfter decides.
func (t *retryTransport) attempts(req *http.Request, body io.ReadCloser, ctl *control) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		if attempt > 0 && req.GetBody != nil {
			b, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			body = b
		}
		if !ctl.noRateLimit {
			start := time.Now()
			err := t.limiter.wait(req.Context())
			ctl.waited.Add(int64(time.Since(start)))
			if err != nil {
				closeBody(body)
				return nil, err
			}
		}
		resp, err := t.once(req, body, ctl)
		if err != nil {
			if !t.resend(req, err, attempt, ctl) {
				return nil, err
			}
			ctl.retries.Add(1)
			continue
		}
		wait, again := t.retryAfter(resp, attempt, ctl)
		if again && req.GetBody == nil && body != nil && body != http.NoBody {
			again = false // the body cannot be sent a second time
		}
		if !again {
			return resp, nil
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			t.limiter.hold(wait)
		}
		drain(resp.Body)
		start := time.Now()
		err = sleep(req.Context(), wait)
		ctl.waited.Add(int64(time.Since(start)))
		if err != nil {
			return nil, err
		}
		ctl.retries.Add(1)
	}
}

// resend decides whether a request that failed with err is sent once
// more: only when the server closed a kept-alive connection it had not
// read the request from (a keep-alive timeout shorter than the client's
// meeting the next request: no answer, and not an outage), the request
// changes nothing, and its body can be sent again. net/http retries this
// itself only for idempotent methods, which POST is not.
func (t *retryTransport) resend(req *http.Request, err error, attempt int, ctl *control) bool {
	return attempt == 0 && serverClosedIdle(err) && !ctl.noRetry && !ctl.mutation && t.retries > 0 &&
		(req.GetBody != nil || req.Body == nil || req.Body == http.NoBody) && req.Context().Err() == nil
}

// once sends one attempt under the timeout; the timeout keeps running while
// the body is read and ends when it is closed.
func (t *retryTransport) once(req *http.Request, body io.ReadCloser, ctl *control) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	r := req.Clone(ctx)
	r.Body = body
	next := t.next
	if ctl.mutation && t.mutations != nil {
		next = t.mutations
	}
	resp, err := next.RoundTrip(r)
	if err != nil {
		cancel()
		return nil, err
	}
	limit := t.maxBody
	if limit <= 0 {
		limit = 16 << 20
	}
	resp.Body = &cappedBody{rc: resp.Body, left: limit + 1, cancel: cancel}
	return resp, nil
}

// retryAfter decides whether resp is retried, and after how long: a 429 or
// 503 with Retry-After waits as asked (up to maxWait, beyond which it is not
// retried); otherwise 429, 502, 503 and 504 back off exponentially. A
// request that may change data is retried only on a 429, or a 503 with
// Retry-After, answers that say it was not served: a 502 or 504 from a
// gateway may come after the server placed the order, and a second send
// would place another.
func (t *retryTransport) retryAfter(resp *http.Response, attempt int, ctl *control) (time.Duration, bool) {
	if ctl.noRetry || attempt >= t.retries {
		return 0, false
	}
	wait, waitGiven := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
	case http.StatusServiceUnavailable:
		if ctl.mutation && !waitGiven {
			// No Retry-After that can be read: nothing says the request
			// was not served.
			return 0, false
		}
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		if ctl.mutation {
			return 0, false
		}
	default:
		return 0, false
	}
	if waitGiven {
		return wait, wait <= t.maxWait
	}
	d := t.backoff << attempt
	if d > t.maxWait || d <= 0 {
		d = t.maxWait
	}
	return d, true
}

// parseRetryAfter reads seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, false
		}
		// Far beyond any wait a run allows, and short of overflowing
		// a Duration (which would wrap to "now", or below zero).
		return time.Duration(min(n, 1<<30)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// drain reads a little of a discarded body so the connection can be reused,
// then closes it.
func drain(rc io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, 64<<10))
	_ = rc.Close()
}

func closeBody(rc io.ReadCloser) {
	if rc != nil {
		_ = rc.Close()
	}
}

// cappedBody ends a body after left bytes, so that no reader above it (the
// client, or a cassette recorder that reads everything) takes in more than
// WINSTON_MAX_BODY and one byte; closing it ends the attempt's timeout.
type cappedBody struct {
	rc     io.ReadCloser
	left   int64
	cancel context.CancelFunc
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error {
	err := b.rc.Close()
	b.cancel()
	return err
}

// limiter spaces requests evenly at rps per second (a burst of one), and
// can be held back for a while after a 429. It is shared by every request
// of one NetworkTransport.
type limiter struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func newLimiter(rps float64) *limiter {
	l := &limiter{}
	if rps > 0 {
		l.interval = time.Duration(float64(time.Second) / rps)
	}
	return l
}

// wait blocks until the request may go.
func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	slot := now
	if l.next.After(now) {
		slot = l.next
	}
	if l.interval > 0 {
		l.next = slot.Add(l.interval)
	}
	l.mu.Unlock()
	return sleep(ctx, time.Until(slot))
}

// hold keeps every request of this transport back for d: a 429 speaks for
// the whole client, not for one request.
func (l *limiter) hold(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := time.Now().Add(d); until.After(l.next) {
		l.next = until
	}
}
