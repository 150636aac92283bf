package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

// failFirst answers status (with header h) to the first n requests, then 200.
func failFirst(n int32, status int, h map[string]string) (http.HandlerFunc, *atomic.Int32) {
	var count atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1) <= n {
			for k, v := range h {
				w.Header().Set(k, v)
			}
			w.WriteHeader(status)
			_, _ = io.WriteString(w, "try later")
			return
		}
		ok(w, r)
	}, &count
}

func TestA503ThenA200IsRetriedAndReported(t *testing.T) {
	h, count := failFirst(1, 503, nil)
	tg := newTLSTarget(t, h)
	c := liveClient(t, tg.Server, map[string]string{config.EnvRetries: "1"}, WithBackoff(10*time.Millisecond))
	resp := c.Post(context.Background(), "/api/v2/bills", map[string]any{"limit": 5})
	if resp.Err != nil || resp.Status != 200 || resp.Exchange.Retries != 1 || count.Load() != 2 {
		t.Errorf("status %d, retries %d, hits %d, err %v", resp.Status, resp.Exchange.Retries, count.Load(), resp.Err)
	}
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if len(tg.all) != 2 || string(tg.all[1].Body) != `{"limit":5}` || tg.all[1].Header.Get("Authorization") == "" {
		t.Errorf("the retry did not resend the same request: %+v", tg.all)
	}
}

func TestRetriesAreBounded(t *testing.T) {
	h, count := failFirst(100, 502, nil)
	tg := newTLSTarget(t, h)
	c := liveClient(t, tg.Server, map[string]string{config.EnvRetries: "2"}, WithBackoff(50*time.Millisecond))
	start := time.Now()
	resp := c.Post(context.Background(), "/api/v2/bills", nil)
	// 50ms then 100ms: the backoff doubles, and WithBackoff replaced the
	// default 500ms.
	if d := time.Since(start); d < 150*time.Millisecond || d > time.Second {
		t.Errorf("two backoffs took %s, want 150ms to 1s", d)
	}
	if resp.Status != 502 || resp.Exchange.Retries != 2 || count.Load() != 3 || !resp.Unavailable() {
		t.Errorf("status %d, retries %d, hits %d", resp.Status, resp.Exchange.Retries, count.Load())
	}
	if string(resp.Body) != "try later" {
		t.Errorf("the last answer's body is lost: %q", resp.Body)
	}
	count.Store(0)
	resp = c.Post(context.Background(), "/api/v2/bills", nil, WithoutRetry())
	if resp.Status != 502 || resp.Exchange.Retries != 0 || count.Load() != 1 {
		t.Errorf("WithoutRetry: status %d, retries %d, hits %d", resp.Status, resp.Exchange.Retries, count.Load())
	}
}

func TestOtherStatusesAreNotRetried(t *testing.T) {
	h, count := failFirst(1, 500, nil)
	tg := newTLSTarget(t, h)
	c := liveClient(t, tg.Server, map[string]string{config.EnvRetries: "2"}, WithBackoff(time.Millisecond))
	if resp := c.Post(context.Background(), "/api/v2/bills", nil); resp.Status != 500 || count.Load() != 1 {
		t.Errorf("a 500 was retried: status %d, hits %d", resp.Status, count.Load())
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	h, count := failFirst(1, 429, map[string]string{"Retry-After": "1"})
	tg := newTLSTarget(t, h)
	c := liveClient(t, tg.Server, map[string]string{config.EnvRetries: "1"}, WithBackoff(time.Millisecond))
	var resp *Response
	d := within(t, 5*time.Second, func() { resp = c.Post(context.Background(), "/api/v2/bills", nil) })
	if resp.Status != 200 || resp.Exchange.Retries != 1 || count.Load() != 2 || resp.Unavailable() {
		t.Errorf("status %d, retries %d, hits %d", resp.Status, resp.Exchange.Retries, count.Load())
	}
	if d < time.Second {
		t.Errorf("Retry-After: 1 was not waited for: retried after %s", d)
	}
}

func TestARetryAfterBeyondTheCapIsNotWaitedFor(t *testing.T) {
	h, count := failFirst(1, 503, map[string]string{"Retry-After": "3600"})
	tg := newTLSTarget(t, h)
	c := liveClient(t, tg.Server, map[string]string{config.EnvRetries: "2"}, WithMaxRetryWait(time.Second))
	var resp *Response
	within(t, 2*time.Second, func() { resp = c.Post(context.Background(), "/api/v2/bills", nil) })
	if resp.Status != 503 || count.Load() != 1 || resp.Exchange.Retries != 0 {
		t.Errorf("status %d, hits %d", resp.Status, count.Load())
	}
}

func TestAnEndedContextStopsTheRetryWait(t *testing.T) {
	h, _ := failFirst(100, 503, nil)
	tg := newTLSTarget(t, h)
	c := liveClient(t, tg.Server, map[string]string{config.EnvRetries: "3"}, WithBackoff(10*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var resp *Response
	within(t, 3*time.Second, func() { resp = c.Post(ctx, "/api/v2/bills", nil) })
	if resp.Err == nil {
		t.Error("the wait outlived the context")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		d  time.Duration
		ok bool
	}{
		"2":                             {2 * time.Second, true},
		" 0 ":                           {0, true},
		"Sat, 21 Nov 2026 12:00:05 GMT": {5 * time.Second, true},
		"Sat, 21 Nov 2026 11:00:00 GMT": {0, true},
		"-1":                            {0, false},
		"soon":                          {0, false},
		"":                              {0, false},
	}
	for in, want := range cases {
		if d, ok := parseRetryAfter(in, now); d != want.d || ok != want.ok {
			t.Errorf("parseRetryAfter(%q) = %s %v, want %s %v", in, d, ok, want.d, want.ok)
		}
	}
}

func TestA429HoldsBackTheOtherRequests(t *testing.T) {
	var (
		count     atomic.Int32
		mu        sync.Mutex
		arrivals  []time.Time
		first429  = make(chan struct{})
		closeOnce sync.Once
	)
	tg := newTLSTarget(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		if count.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			closeOnce.Do(func() { close(first429) })
			return
		}
		ok(w, r)
	})
	c := liveClient(t, tg.Server, map[string]string{config.EnvRetries: "1", config.EnvMaxRPS: "100"})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); c.Post(context.Background(), "/api/v2/bills", nil) }()
	<-first429
	time.Sleep(50 * time.Millisecond)
	other := c.Post(context.Background(), "/api/v2/tables", nil)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if other.Status != 200 || len(arrivals) != 3 {
		t.Fatalf("status %d, %d arrivals", other.Status, len(arrivals))
	}
	if gap := arrivals[1].Sub(arrivals[0]); gap < 900*time.Millisecond {
		t.Errorf("a request went %s after a 429 that asked for 1s", gap)
	}
}

// closedIdleOnce fails its first round trip as net/http does when the
// server closed the kept-alive connection the request went out on, then
// answers 200; it keeps the bodies it was sent.
type closedIdleOnce struct {
	calls  atomic.Int32
	bodies []string
}

func (c *closedIdleOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	c.bodies = append(c.bodies, string(b))
	if c.calls.Add(1) == 1 {
		return nil, &url.Error{Op: "Post", URL: r.URL.String(), Err: errors.New("http: server closed idle connection")}
	}
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("[]")), Request: r}, nil
}

// A keep-alive timeout on the server shorter than the client's meets the
// next request: it was never read, so a request that changes nothing is
// sent once more (and the retry is counted); one that may change data, or
// that asked for no retry, is not.
func TestARequestOnAConnectionTheServerClosedIdleIsSentOnceMore(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ctl   *control
		calls int32
	}{
		{"a read", &control{}, 2},
		{"a mutation", &control{mutation: true}, 1},
		{"no retry asked", &control{noRetry: true}, 1},
	} {
		next := &closedIdleOnce{}
		rt := &retryTransport{next: next, breaker: &breaker{}, limiter: &limiter{}, timeout: time.Second, retries: 2}
		body := `{"limit":5}`
		req, err := http.NewRequestWithContext(withControl(context.Background(), tc.ctl), http.MethodPost, "https://example.test/api/v2/bills", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := rt.RoundTrip(req)
		if resp != nil {
			_ = resp.Body.Close()
		}
		if next.calls.Load() != tc.calls || (tc.calls == 2) != (err == nil) || int32(tc.ctl.retries.Load()) != tc.calls-1 {
			t.Errorf("%s: %d sends, err %v, %d retries counted; want %d sends", tc.name, next.calls.Load(), err, tc.ctl.retries.Load(), tc.calls)
		}
		for _, b := range next.bodies {
			if b != body {
				t.Errorf("%s: sent body %q, want %q each time", tc.name, b, body)
			}
		}
	}
	// A request that did not come through Client.Post may change data.
	next := &closedIdleOnce{}
	rt := &retryTransport{next: next, breaker: &breaker{}, limiter: &limiter{}, timeout: time.Second, retries: 2}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, "https://example.test/api/v2/tables/order", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.RoundTrip(req); err == nil || next.calls.Load() != 1 {
		t.Errorf("a request without the client's control: %d sends, err %v; want 1 and the error", next.calls.Load(), err)
	}
}

// A request that may change data (an order) is not sent again after a 502
// or 504 (the gateway may answer after the server placed it) nor a 503
// without Retry-After; a 429, or a 503 with Retry-After, said it was not
// served, so it is.
func TestAMutationIsRetriedOnlyWhenTheAnswerSaysItWasNotServed(t *testing.T) {
	for _, tc := range []struct {
		status int
		header map[string]string
		hits   int32
	}{
		{502, nil, 1},
		{504, nil, 1},
		{503, nil, 1},
		{503, map[string]string{"Retry-After": "0"}, 2},
		// A Retry-After that cannot be read says nothing either.
		{503, map[string]string{"Retry-After": "soon"}, 1},
		{503, map[string]string{"Retry-After": "-1"}, 1},
		{503, map[string]string{"Retry-After": "Sun, 29 Nov 2026"}, 1},
		// Centuries: never "now", as an overflowing multiplication gave.
		{503, map[string]string{"Retry-After": "9223372037"}, -1},
		{503, map[string]string{"Retry-After": "18446744074"}, -1},
		{429, nil, 2},
	} {
		h, count := failFirst(1, tc.status, tc.header)
		tg := newTLSTarget(t, h)
		c := liveClient(t, tg.Server, map[string]string{config.EnvRetries: "2", config.EnvAllowMutations: "true"}, WithBackoff(time.Millisecond))
		c.Post(context.Background(), "/api/v2/tables/order", map[string]any{"number": 12}, WithMutation())
		if count.Load() != max(tc.hits, 1) {
			t.Errorf("an order answered %d %v: sent %d times, want %d", tc.status, tc.header, count.Load(), max(tc.hits, 1))
		}
		// A read answered the same is retried whatever the status,
		// unless the wait asked for is beyond any a run allows (-1:
		// neither is sent again).
		count.Store(0)
		c.Post(context.Background(), "/api/v2/bills", map[string]any{"limit": 5})
		if want := map[bool]int32{true: 1, false: 2}[tc.hits < 0]; count.Load() != want {
			t.Errorf("a read answered %d %v: sent %d times, want %d", tc.status, tc.header, count.Load(), want)
		}
	}
}
