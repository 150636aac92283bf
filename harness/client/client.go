// Package client is the only way the suite's checks reach HTTP. A Client
// owns the JSON body, the credential variants, the choice of origin, and the
// evidence: every exchange is recorded, redacted, for the report.
//
// The transport chain is: Client (auth, evidence capture) -> the inner
// RoundTripper given to New (a cassette session in replay and record mode,
// NetworkTransport in live mode) -> NetworkTransport's rate cap and retries
// -> a last guard that refuses credentials over http:// -> net/http with TLS
// verification always on. Redirects are never followed: a check sees the
// redirect itself.
package client

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// ErrMutationsOff means a request with a method that changes data (PUT,
// PATCH, DELETE) was refused unsent because mutations are not allowed for
// this target (config.Config.AllowMutations).
var ErrMutationsOff = errors.New("refused to send a request that may change data: mutations are off")

// UserAgent is sent with every request, so a target's logs can tell the
// suite's traffic apart.
const UserAgent = "winston-conformance"

// Client sends the checks' requests. It is safe for concurrent use. Create
// one per spec with New, so that Exchanges holds that spec's evidence.
type Client struct {
	cfg      *config.Config
	fixtures catalogue.Fixtures
	inner    http.RoundTripper
	defaults []Option

	mu        sync.Mutex
	exchanges []evidence.Exchange
}

// New returns a client that sends through inner: a cassette session's
// RoundTripper, or NetworkTransport(cfg). fixtures supply the wrong key and
// wrong app name of the auth variants. opts apply to every request (for
// example WithReplay). A nil inner fails every request with a clear error.
func New(cfg *config.Config, fixtures catalogue.Fixtures, inner http.RoundTripper, opts ...Option) *Client {
	if cfg == nil {
		panic("client.New: nil *config.Config; load one with config.Load")
	}
	if inner == nil {
		inner = noTransport{}
	}
	return &Client{cfg: cfg, fixtures: fixtures, inner: inner, defaults: opts}
}

type noTransport struct{}

func (noTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	return nil, errors.New("no transport: client.New was given a nil RoundTripper (pass a cassette session or client.NetworkTransport)")
}

// Config returns the configuration the client was made with.
func (c *Client) Config() *config.Config { return c.cfg }

// Concurrency is how many requests a check may have in flight at once
// (WINSTON_CONCURRENCY, at least 1).
func (c *Client) Concurrency() int { return max(c.cfg.Concurrency, 1) }

// Exchanges returns everything this client sent (and the requests it
// refused to send), redacted. The order is stable, by URL, method,
// credential and body, not by time: concurrent requests finish in any order,
// and a stable order keeps the reports of replayed runs identical.
func (c *Client) Exchanges() []evidence.Exchange {
	c.mu.Lock()
	out := append([]evidence.Exchange(nil), c.exchanges...)
	c.mu.Unlock()
	slices.SortStableFunc(out, compareExchanges)
	return out
}

// compareExchanges orders exchanges by URL, method, credential, request
// body, status, response body and error.
func compareExchanges(a, b evidence.Exchange) int {
	return cmp.Or(
		strings.Compare(a.URL, b.URL),
		strings.Compare(a.Method, b.Method),
		strings.Compare(a.AuthShape, b.AuthShape),
		strings.Compare(a.RequestBody, b.RequestBody),
		cmp.Compare(a.Status, b.Status),
		strings.Compare(a.ResponseBody, b.ResponseBody),
		strings.Compare(a.Error, b.Error),
	)
}

func (c *Client) record(e evidence.Exchange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.exchanges = append(c.exchanges, e)
}

// Post sends body as JSON to path (which starts with /) on the configured
// https origin, with the valid credential unless an option says otherwise.
// body is any JSON-marshalable value, or nil for no body. Post never
// returns nil: a transport error, a refused request or an unreadable body
// is in Response.Err, redacted, and the exchange is recorded either way.
func (c *Client) Post(ctx context.Context, path string, body any, opts ...Option) *Response {
	if ctx == nil {
		ctx = context.Background()
	}
	s := settings{method: http.MethodPost, auth: AuthValid}
	for _, o := range c.defaults {
		o(&s)
	}
	for _, o := range opts {
		o(&s)
	}
	// The order route places orders whatever the caller said: a request
	// to it is a mutation, gated and never resent.
	s.mutation = s.mutation || catalogue.CreatesData(path)
	ctl := &control{noRetry: s.noRetry, noRateLimit: s.noRateLimit, mutation: s.mutation || changesData(s.method), noBreaker: s.noBreaker, pastBreaker: s.pastBreaker}
	req, reqBody, err := c.build(withControl(ctx, ctl), path, body, &s)
	if err != nil {
		return c.refused(req, reqBody, &s, err)
	}
	start := time.Now()
	hres, err := c.inner.RoundTrip(req) //nolint:bodyclose // readBody closes it
	resp := &Response{Header: http.Header{}, Label: s.label}
	if err != nil {
		resp.Latency = time.Since(start)
		resp.Err = fmt.Errorf("%s %s: %w", req.Method, req.URL.Redacted(), err)
	} else {
		resp.Status, resp.Header = hres.StatusCode, hres.Header
		if resp.Header == nil {
			resp.Header = http.Header{}
		}
		resp.Body, resp.Truncated, err = readBody(hres, c.cfg.MaxBody)
		resp.Latency = time.Since(start)
		if err != nil {
			resp.Err = fmt.Errorf("%s %s: read the answer: %w", req.Method, req.URL.Redacted(), err)
		}
	}
	resp.PathFound = ctl.foundBefore
	if !ctl.mutation {
		resp.again = func(ctx context.Context, more ...Option) *Response {
			return c.Post(ctx, path, body, append(opts[:len(opts):len(opts)], more...)...)
		}
	}
	resp.Latency = max(resp.Latency-time.Duration(ctl.waited.Load()), 0)
	resp.Exchange = c.capture(req, reqBody, &s, resp, int(ctl.retries.Load()))
	resp.Err = redactErr(resp.Err)
	if !s.ifRecorded || !resp.Exchange.ReplayMiss {
		c.record(resp.Exchange)
	}
	return resp
}

// refused records a request that was never sent and returns its Response.
func (c *Client) refused(req *http.Request, reqBody []byte, s *settings, err error) *Response {
	resp := &Response{Header: http.Header{}, Label: s.label, Err: err}
	if req == nil {
		req = &http.Request{Method: s.method, URL: &url.URL{}, Header: http.Header{}}
	}
	resp.Exchange = c.capture(req, reqBody, s, resp, 0)
	resp.Exchange.Error = "not sent: " + resp.Exchange.Error
	resp.Err = redactErr(resp.Err)
	c.record(resp.Exchange)
	return resp
}

// build makes the request. On error it still returns what it could build,
// so the refusal is recorded with its URL.
func (c *Client) build(ctx context.Context, path string, body any, s *settings) (*http.Request, []byte, error) {
	base := c.cfg.BaseURL
	if s.plainHTTP {
		base = c.cfg.HTTPURL
	}
	if base == nil || base.Host == "" {
		return nil, nil, errors.New("no origin configured: set WINSTON_BASE_URL (and WINSTON_HTTP_URL for plain-http checks)")
	}
	if !strings.HasPrefix(path, "/") {
		return nil, nil, fmt.Errorf("path %q must start with / (for example /api/v2/bills)", path)
	}
	ref, err := url.Parse(path)
	if err != nil {
		return nil, nil, fmt.Errorf("path %q is not a valid URL path: %w", path, err)
	}
	cred, credErr := c.credentialFor(s.auth)
	u := *base
	u.Path, u.RawPath = ref.Path, ref.RawPath
	q := ref.Query()
	for k, vs := range s.query {
		q[k] = append(q[k], vs...)
	}
	for k, vs := range cred.query {
		q[k] = append(q[k], vs...)
	}
	u.RawQuery = q.Encode()

	var payload []byte
	switch {
	case s.hasRawBody:
		payload = s.rawBody
	case body != nil:
		payload, err = json.Marshal(body)
		if err != nil {
			return nil, nil, fmt.Errorf("encode the request body as JSON: %w", err)
		}
	}
	var rdr *bytes.Reader
	if payload != nil {
		rdr = bytes.NewReader(payload)
	}
	req, err := newRequest(ctx, s.method, u.String(), rdr)
	if err != nil {
		return nil, payload, fmt.Errorf("build the request: %w", err)
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "application/json")
	switch {
	case s.contentType != nil && *s.contentType != "":
		req.Header.Set("Content-Type", *s.contentType)
	case s.contentType == nil && payload != nil:
		req.Header.Set("Content-Type", "application/json")
	}
	if cred.header != "" {
		req.Header.Set("Authorization", cred.header)
	}
	switch {
	case credErr != nil:
		return req, payload, credErr
	case !c.cfg.AllowMutations && (s.mutation || changesData(s.method)):
		return req, payload, fmt.Errorf("%w: %s %s; %s (set WINSTON_ALLOW_MUTATIONS=true to send it)",
			ErrMutationsOff, s.method, u.Redacted(), c.cfg.MutationsReason)
	case u.Scheme != "https" && (s.auth != AuthNone || carriesCredentials(req) || redact.Global().Contains(payload)):
		return req, payload, fmt.Errorf("%w: the %s credential may not go to %s; only client.AuthNone may be sent with WithPlainHTTP",
			ErrCredentialsOverHTTP, s.auth, u.Redacted())
	}
	return req, payload, nil
}

// changesData reports whether a request of method may change data
// whatever its body: PUT, PATCH and DELETE (compared without case, as a
// server may). POST, which the API uses for reads too, is gated by the
// checks per endpoint (catalogue.Endpoint.Mutating).
func changesData(method string) bool {
	switch strings.ToUpper(method) {
	case http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// newRequest builds a request to rawURL, which is always the configured
// target's origin (WINSTON_BASE_URL or WINSTON_HTTP_URL) with a catalogue
// path: sending requests to the target the user names is the suite's job.
func newRequest(ctx context.Context, method, rawURL string, body *bytes.Reader) (*http.Request, error) {
	if body == nil {
		return http.NewRequestWithContext(ctx, method, rawURL, nil) // #nosec G704 -- the configured target, see above
	}
	return http.NewRequestWithContext(ctx, method, rawURL, body) // #nosec G704 -- the configured target, see above
}

// Each runs fn over items with at most c.Concurrency() running at once and
// returns when all have finished. It stops starting new items when ctx is
// done or when fn panics; a panic (a Ginkgo failure, for example) is raised
// again in the caller's goroutine, where the test framework expects it.
func Each[T any](ctx context.Context, c *Client, items []T, fn func(T)) {
	if ctx == nil {
		ctx = context.Background()
	}
	sem := make(chan struct{}, c.Concurrency())
	var (
		wg       sync.WaitGroup
		once     sync.Once
		panicked atomic.Bool
		value    any
	)
	for _, it := range items {
		if panicked.Load() || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case sem <- struct{}{}:
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				defer func() {
					if r := recover(); r != nil {
						once.Do(func() { value = r })
						panicked.Store(true)
					}
				}()
				fn(it)
			}()
			continue
		}
		break
	}
	wg.Wait()
	if panicked.Load() {
		panic(value)
	}
}
