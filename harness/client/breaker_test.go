package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

func TestAnOutageOpensTheBreakerAndFailsFast(t *testing.T) {
	h, count := failFirst(1000, 503, nil)
	tg := newTLSTarget(t, h)
	c := liveClient(t, tg.Server, nil)
	for i := 0; i < BreakerThreshold; i++ {
		if resp := c.Post(context.Background(), "/api/v2/bills", nil); resp.Status != 503 {
			t.Fatalf("request %d: status %d, want the target's 503", i, resp.Status)
		}
	}
	sent := count.Load()
	resp := c.Post(context.Background(), "/api/v2/bills", nil)
	if !errors.Is(resp.Err, ErrTargetUnavailable) || !resp.Unavailable() {
		t.Errorf("after %d 503s in a row: err %v, unavailable %v; want a fast ErrTargetUnavailable", BreakerThreshold, resp.Err, resp.Unavailable())
	}
	if count.Load() != sent {
		t.Error("an open breaker must not send")
	}
}

func TestTheBreakerProbesAndClosesWhenTheTargetRecovers(t *testing.T) {
	now := time.Unix(0, 0)
	b := newBreaker()
	b.now = func() time.Time { return now }
	down := &http.Response{StatusCode: 503, Status: "503 Service Unavailable"}
	for i := 0; i < BreakerThreshold; i++ {
		if err := b.allow(billsURL); err != nil {
			t.Fatalf("closed breaker refused request %d: %v", i, err)
		}
		b.observe(billsURL, http.MethodPost, down, nil, false)
	}
	if err := b.allow(billsURL); err == nil {
		t.Fatal("the breaker must open after the threshold")
	}
	now = now.Add(BreakerProbeEvery)
	if err := b.allow(billsURL); err != nil {
		t.Fatalf("a probe must be let through after %s: %v", BreakerProbeEvery, err)
	}
	if err := b.allow(billsURL); err == nil {
		t.Fatal("only one probe per interval")
	}
	b.observe(billsURL, http.MethodPost, &http.Response{StatusCode: 200}, nil, false)
	if err := b.allow(billsURL); err != nil {
		t.Fatalf("a good answer must close the breaker: %v", err)
	}
}

// TestAProbeSlowerThanTheIntervalDoesNotChain is the outage a hanging
// target gives: every sent request waits out a timeout longer than
// BreakerProbeEvery. One probe at a time, and none until an interval after
// the last failure ended, or every check of the run would wait a timeout.
func TestAProbeSlowerThanTheIntervalDoesNotChain(t *testing.T) {
	now := time.Unix(0, 0)
	b := newBreaker()
	b.now = func() time.Time { return now }
	timeout := 3 * time.Second
	for i := 0; i < BreakerThreshold+3; i++ { // a few stragglers were sent before it opened
		b.observe(billsURL, http.MethodPost, nil, context.DeadlineExceeded, false)
	}
	now = now.Add(BreakerProbeEvery)
	if err := b.allow(billsURL); err != nil {
		t.Fatalf("a probe is due: %v", err)
	}
	now = now.Add(time.Second)
	if err := b.allow(billsURL); err == nil {
		t.Fatal("a second request went out while the probe was still waiting")
	}
	now = now.Add(timeout - time.Second) // the probe times out, past the interval
	b.observe(billsURL, http.MethodPost, nil, context.DeadlineExceeded, false)
	if err := b.allow(billsURL); err == nil {
		t.Fatal("the request right after a failed probe was let through: probes would chain")
	}
	now = now.Add(BreakerProbeEvery)
	if err := b.allow(billsURL); err != nil {
		t.Fatalf("the next probe is due an interval after the last failure: %v", err)
	}
}

func TestOtherAnswersKeepTheBreakerClosed(t *testing.T) {
	b := newBreaker()
	for i := 0; i < 3*BreakerThreshold; i++ {
		b.observe(billsURL, http.MethodPost, &http.Response{StatusCode: 500}, nil, false)
	}
	if err := b.allow(billsURL); err != nil {
		t.Errorf("500s are answers about the contract, not an outage: %v", err)
	}
}

func TestLatencyLeavesOutTheRateCapWait(t *testing.T) {
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, map[string]string{config.EnvMaxRPS: "4"})
	var worst time.Duration
	for i := 0; i < 3; i++ {
		resp := c.Post(context.Background(), "/api/v2/bills", nil)
		worst = max(worst, resp.Latency)
	}
	// The cap spaces the requests 250ms apart; a loopback answer takes a
	// few milliseconds.
	if worst > 150*time.Millisecond {
		t.Errorf("latency %s includes the rate cap's wait", worst)
	}
}

func TestCertificateErrorsDoNotOpenTheBreaker(t *testing.T) {
	tg := newTLSTarget(t, ok)
	cfg := liveConfig(t, tg.Server, nil)
	cfg.CAFile = ""
	rt, err := NetworkTransport(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := New(cfg, testFixtures, rt)
	for i := 0; i < 2*BreakerThreshold; i++ {
		resp := c.Post(context.Background(), "/api/v2/bills", nil)
		if resp.Err == nil || errors.Is(resp.Err, ErrTargetUnavailable) || resp.Unavailable() {
			t.Fatalf("request %d: an untrusted certificate is a contract failure, not an outage: %v", i, resp.Err)
		}
	}
}

// One path down while the others answer (one service of the alpha channel
// down) stops that path alone; failures in a row across two paths stop the
// whole target.
func TestOnePathDownStopsThatPathAlone(t *testing.T) {
	b := newBreaker()
	down := &http.Response{StatusCode: 503, Status: "503 Service Unavailable"}
	up := &http.Response{StatusCode: 200}
	for i := 0; i < 2*BreakerThreshold; i++ {
		if err := b.allow(mustParse("https://t.example/api/v2/list/revenueGroups")); err != nil {
			break
		}
		b.observe(mustParse("https://t.example/api/v2/list/revenueGroups"), http.MethodPost, down, nil, false)
	}
	if err := b.allow(mustParse("https://t.example/api/v2/list/revenueGroups")); !errors.Is(err, ErrTargetUnavailable) || !strings.Contains(err.Error(), "/api/v2/list/revenueGroups") {
		t.Errorf("a path that failed %d times in a row must be stopped, naming it: %v", BreakerThreshold, err)
	}
	if err := b.allow(billsURL); err != nil {
		t.Errorf("another path must still be sent: %v", err)
	}
	b.observe(billsURL, http.MethodPost, up, nil, false)
	if err := b.allow(mustParse("https://t.example/api/v2/tables")); err != nil {
		t.Errorf("another path after a good answer: %v", err)
	}
	// Failures in a row on two paths: the target is down.
	b.observe(billsURL, http.MethodPost, down, nil, false)
	for i := 0; i < BreakerThreshold; i++ {
		b.observe(mustParse("https://t.example/api/v2/tables"), http.MethodPost, down, nil, false)
	}
	if err := b.allow(mustParse("https://t.example/api/v2/list/categories")); !errors.Is(err, ErrTargetUnavailable) || strings.Contains(err.Error(), "while other paths") {
		t.Errorf("failures in a row on two paths must stop every path: %v", err)
	}
}

var billsURL = mustParse("https://t.example/api/v2/bills")

func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// The plain-HTTP origin has circuits of its own: a closed port 80 stops
// the redirect probes, not the API over HTTPS.
func TestThePlainHTTPOriginIsApart(t *testing.T) {
	b := newBreaker()
	for _, p := range []string{"/api/v2/bills", "/api/v2/tables", "/api/v2/list/categories"} {
		for i := 0; i < BreakerThreshold; i++ {
			b.observe(mustParse("http://t.example"+p), http.MethodPost, nil, context.DeadlineExceeded, false)
		}
	}
	if err := b.allow(mustParse("http://t.example/api/v2/list/products")); !errors.Is(err, ErrTargetUnavailable) {
		t.Errorf("the plain-HTTP origin failed on three paths and must be stopped: %v", err)
	}
	if err := b.allow(billsURL); err != nil {
		t.Errorf("the HTTPS origin answered nothing wrong and must be sent: %v", err)
	}
}

// A plain-HTTP port that refuses connections at once (nothing listens)
// answers, in its way: the redirect checks judge it, so the probes are
// not stopped. The same refusal over HTTPS is an outage, as before.
func TestARefusedPlainHTTPPortDoesNotStopTheProbes(t *testing.T) {
	b := newBreaker()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, p := range []string{"/api/v2/bills", "/api/v2/tables", "/api/v2/list/categories"} {
		for i := 0; i < BreakerThreshold; i++ {
			b.observe(mustParse("http://t.example"+p), http.MethodPost, nil, refused, false)
			b.observe(mustParse("https://t.example"+p), http.MethodPost, nil, refused, false)
		}
	}
	if err := b.allow(mustParse("http://t.example/api/v2/list/products")); err != nil {
		t.Errorf("refusals at once on the plain-HTTP port must not stop its probes: %v", err)
	}
	if err := b.allow(mustParse("https://t.example/api/v2/list/products")); !errors.Is(err, ErrTargetUnavailable) {
		t.Errorf("refusals over HTTPS are an outage and must stop the origin: %v", err)
	}
}

// found says whether a POST showed the path to be a route: a 404 at a
// guessed path is then no missing route. A refused method, a refused key
// or a throttled request, which may come before routing, show nothing.
func TestFoundIsWhatAPOSTShowedOfThePath(t *testing.T) {
	b := newBreaker()
	if b.found(billsURL) {
		t.Error("a path never asked is not found")
	}
	b.observe(billsURL, http.MethodGet, &http.Response{StatusCode: 405}, nil, false)
	for _, status := range []int{404, 401, 429} {
		b.observe(billsURL, http.MethodPost, &http.Response{StatusCode: status}, nil, false)
	}
	if b.found(billsURL) {
		t.Error("a 405, 404, 401 or 429 showed the path to be a route")
	}
	b.observe(billsURL, http.MethodPost, &http.Response{StatusCode: 503, Status: "503"}, nil, false)
	b.observe(billsURL, http.MethodPost, &http.Response{StatusCode: 400}, nil, false)
	if !b.found(billsURL) {
		t.Error("a POST's 400 shows the route")
	}
}

// A request sent again to see whether it fails the same way is kept out of
// the breaker's count: repeats of one bad request do not stop the run.
func TestARequestWithoutBreakerCountLeavesTheBreakerClosed(t *testing.T) {
	h, _ := failFirst(1000, 503, nil)
	tg := newTLSTarget(t, h)
	c := liveClient(t, tg.Server, nil)
	for i := 0; i < 2*BreakerThreshold; i++ {
		if resp := c.Post(context.Background(), "/api/v2/bills", nil, WithoutBreakerCount()); resp.Status != 503 {
			t.Fatalf("request %d: %d %v, want the target's 503", i, resp.Status, resp.Err)
		}
	}
	if resp := c.Post(context.Background(), "/api/v2/bills", nil); errors.Is(resp.Err, ErrTargetUnavailable) {
		t.Errorf("uncounted failures opened the breaker: %v", resp.Err)
	}
}

// malformedFails answers 503 to a request marked malformed (the test
// target reads the body before the handler, so a query marks it), on
// every path, and 200 to everything else: a backend that dies on one kind
// of request.
func malformedFails(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("malformed") != "" {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("[]"))
}

// malformedRun sends twice the threshold of malformed bodies over three
// paths (fewer than the threshold on each), then a good request to a
// fourth, and returns the good request's answer.
func malformedRun(c *Client) *Response {
	paths := []string{"/api/v2/bills", "/api/v2/tables", "/api/v2/list/categories"}
	for i := 0; i < 2*BreakerThreshold-2; i++ {
		c.Post(context.Background(), paths[i%len(paths)], nil, WithRawBody([]byte("{")), WithQuery(url.Values{"malformed": {"1"}}))
	}
	return c.Post(context.Background(), "/api/v2/list/revenueGroups", map[string]any{})
}

// Failures of one kind of request, on several paths in a row, stop the
// origin only when a known-good request gets no answer either: with the
// outage control the target answers, and the run goes on.
func TestFailuresOfOneKindOfRequestDoNotStopTheOrigin(t *testing.T) {
	tg := newTLSTarget(t, malformedFails)
	cfg := liveConfig(t, tg.Server, nil)
	rt, err := NetworkTransport(cfg, WithOutageControl(ExampleControl(cfg, testFixtures, Example{"/api/v2/bills", map[string]any{}})))
	if err != nil {
		t.Fatal(err)
	}
	if resp := malformedRun(New(cfg, testFixtures, rt)); resp.Err != nil || resp.Status != 200 {
		t.Errorf("a good request after failures of malformed ones: %d %v, want it sent and answered", resp.Status, resp.Err)
	}
	// Without the control, the same failures stop the origin: the test
	// can fail.
	if resp := malformedRun(liveClient(t, tg.Server, nil)); !errors.Is(resp.Err, ErrTargetUnavailable) {
		t.Errorf("without the control: %d %v, want the origin stopped", resp.Status, resp.Err)
	}
}

// In a real outage the control gets no answer either, and the origin is
// stopped as before.
func TestAnOutageStillStopsTheOriginWithTheControl(t *testing.T) {
	h, _ := failFirst(1000, 503, nil)
	tg := newTLSTarget(t, h)
	cfg := liveConfig(t, tg.Server, nil)
	rt, err := NetworkTransport(cfg, WithOutageControl(ExampleControl(cfg, testFixtures, Example{"/api/v2/bills", map[string]any{}})))
	if err != nil {
		t.Fatal(err)
	}
	if resp := malformedRun(New(cfg, testFixtures, rt)); !errors.Is(resp.Err, ErrTargetUnavailable) {
		t.Errorf("in an outage: %d %v, want the origin stopped", resp.Status, resp.Err)
	}
}

// The control is sent past the breaker: a path circuit that is open (its
// own path failed five times) must not turn "is the target there?" into
// "no answer". And it verifies only the origin it asks: a plain-HTTP
// origin that keeps failing is stopped on its own failures.
func TestTheOutageControlGoesPastTheBreakerAndVerifiesItsOwnOrigin(t *testing.T) {
	tg := newTLSTarget(t, malformedFails)
	cfg := liveConfig(t, tg.Server, nil)
	rt, err := NetworkTransport(cfg, WithOutageControl(ExampleControl(cfg, testFixtures, Example{"/api/v2/bills", map[string]any{}})))
	if err != nil {
		t.Fatal(err)
	}
	c := New(cfg, testFixtures, rt)
	bad := []Option{WithRawBody([]byte("{")), WithQuery(url.Values{"malformed": {"1"}})}
	for range BreakerThreshold {
		c.Post(context.Background(), "/api/v2/bills", nil, bad...) // opens the bills path
	}
	c.Post(context.Background(), "/api/v2/tables", nil, bad...) // the origin's threshold, over two paths
	if resp := c.Post(context.Background(), "/api/v2/list/revenueGroups", map[string]any{}); resp.Err != nil || resp.Status != 200 {
		t.Errorf("a good request after the control: %d %v, want it sent and answered", resp.Status, resp.Err)
	}

	if got := (&retryTransport{outageControl: func(context.Context, http.RoundTripper) bool { return true }, controlOrigin: "https://t.example"}).verifies(mustParse("http://t.example/x")); got {
		t.Error("the control of the HTTPS origin verifies the plain-HTTP one")
	}
}
