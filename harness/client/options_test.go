package client

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

func TestDefaultRequestIsAJSONPost(t *testing.T) {
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, nil)
	resp := c.Post(context.Background(), "/api/v2/bills", map[string]any{"sort": map[string]any{"createdAt": 1}, "limit": 5})
	got := tg.lastSeen()
	if got.Method != http.MethodPost || got.Path != "/api/v2/bills" || string(got.Body) != `{"limit":5,"sort":{"createdAt":1}}` {
		t.Errorf("sent %s %s %s", got.Method, got.Path, got.Body)
	}
	if got.Header.Get("Content-Type") != "application/json" || got.Header.Get("User-Agent") != UserAgent || got.Header.Get("Accept") != "application/json" {
		t.Errorf("headers %v", got.Header)
	}
	if resp.Status != 200 || string(resp.Body) != `[{"_id":"b1","total":12.5}]` || resp.Latency <= 0 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("response %+v", resp)
	}
	if c.Config() == nil || c.Concurrency() != 4 {
		t.Errorf("Config/Concurrency: %v %d", c.Config(), c.Concurrency())
	}
}

func TestRequestOptions(t *testing.T) {
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, nil)
	ctx := context.Background()

	c.Post(ctx, "/api/v2/bills", nil, WithMethod(http.MethodGet))
	if got := tg.lastSeen(); got.Method != http.MethodGet || len(got.Body) != 0 || got.Header.Get("Content-Type") != "" {
		t.Errorf("WithMethod(GET) with no body sent %s, %q, Content-Type %q", got.Method, got.Body, got.Header.Get("Content-Type"))
	}

	c.Post(ctx, "/api/v2/bills", map[string]any{"ignored": true}, WithRawBody([]byte(`{"limit": `)), WithContentType("text/plain"))
	if got := tg.lastSeen(); string(got.Body) != `{"limit": ` || got.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("WithRawBody/WithContentType sent %q as %q", got.Body, got.Header.Get("Content-Type"))
	}

	c.Post(ctx, "/api/v2/bills", map[string]any{}, WithContentType(""))
	if got := tg.lastSeen(); got.Header.Get("Content-Type") != "" || string(got.Body) != "{}" {
		t.Errorf(`WithContentType("") sent Content-Type %q`, got.Header.Get("Content-Type"))
	}

	c.Post(ctx, "/api/v2/bills?x=1", nil, WithQuery(url.Values{"b": {"2"}}), WithQuery(url.Values{"a": {"1"}}))
	if got := tg.lastSeen(); got.RawQuery != "a=1&b=2&x=1" {
		t.Errorf("WithQuery sent %q", got.RawQuery)
	}

	resp := c.Post(ctx, "/api/v2/bills", nil, WithLabel("bills"))
	if resp.Label != "bills" || !strings.Contains(resp.Describe(), "[bills]") {
		t.Errorf("WithLabel: %q / %s", resp.Label, resp.Describe())
	}

	resp = c.Post(ctx, "/api/v2/bills", make(chan int))
	if resp.Err == nil || !strings.Contains(resp.Err.Error(), "encode the request body as JSON") {
		t.Errorf("unmarshalable body: %v", resp.Err)
	}
	for _, bad := range []string{"api/v2/bills", "/%zz"} {
		if r := c.Post(ctx, bad, nil); r.Err == nil {
			t.Errorf("path %q accepted", bad)
		}
	}
}

func TestReplayAndCassetteStamps(t *testing.T) {
	tg := newTLSTarget(t, ok)
	cfg := liveConfig(t, tg.Server, nil)
	rt, err := NetworkTransport(cfg)
	if err != nil {
		t.Fatal(err)
	}
	replay := New(cfg, testFixtures, rt, WithReplay("cassettes/AUTH-001.yaml"))
	resp := replay.Post(context.Background(), "/api/v2/bills", nil)
	if e := resp.Exchange; !e.Replayed || e.Cassette != "cassettes/AUTH-001.yaml" || e.Latency != 0 {
		t.Errorf("WithReplay exchange: %+v", e)
	}
	if !strings.Contains(resp.Describe(), "replayed from cassettes/AUTH-001.yaml") {
		t.Errorf("Describe: %s", resp.Describe())
	}
	rec := New(cfg, testFixtures, rt, WithCassette("cassettes/AUTH-002.yaml"))
	if e := rec.Post(context.Background(), "/api/v2/bills", nil).Exchange; e.Replayed || e.Cassette != "cassettes/AUTH-002.yaml" || e.Latency <= 0 {
		t.Errorf("WithCassette exchange: %+v", e)
	}
}

func TestPlainHTTPGoesToTheHTTPOriginWithoutCredentials(t *testing.T) {
	plain := newPlainTarget(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://example.invalid"+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, map[string]string{config.EnvHTTPURL: plain.URL})
	resp := c.Post(context.Background(), "/api/v2/bills", map[string]any{}, WithPlainHTTP(), WithAuth(AuthNone),
		WithQuery(url.Values{"conformance_probe": {"redirect"}}))
	if resp.Err != nil || resp.Status != http.StatusPermanentRedirect {
		t.Fatalf("plain probe: %v %d", resp.Err, resp.Status)
	}
	if loc := resp.Header.Get("Location"); loc != "https://example.invalid/api/v2/bills?conformance_probe=redirect" {
		t.Errorf("Location %q", loc)
	}
	if plain.hits.Load() != 1 || tg.hits.Load() != 0 {
		t.Errorf("hits: plain %d, tls %d", plain.hits.Load(), tg.hits.Load())
	}
	if got := plain.lastSeen(); got.Header.Get("Authorization") != "" {
		t.Errorf("credential sent over http: %q", got.Header.Get("Authorization"))
	}
}

func TestEachBoundsConcurrency(t *testing.T) {
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, map[string]string{config.EnvConcurrency: "3"})
	var mu sync.Mutex
	inFlight, peak, done := 0, 0, 0
	items := make([]int, 12)
	Each(context.Background(), c, items, func(int) {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		inFlight--
		done++
		mu.Unlock()
	})
	if peak != 3 || done != 12 {
		t.Errorf("peak %d (want 3), done %d (want 12)", peak, done)
	}
}

func TestEachRaisesAPanicInTheCaller(t *testing.T) {
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, map[string]string{config.EnvConcurrency: "2"})
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recovered %v, want boom", r)
		}
	}()
	Each(context.Background(), c, []int{1, 2, 3}, func(i int) {
		if i == 2 {
			panic("boom")
		}
	})
	t.Error("Each returned without raising the panic")
}

func TestEachStopsWhenTheContextEnds(t *testing.T) {
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, map[string]string{config.EnvConcurrency: "1"})
	ctx, cancel := context.WithCancel(context.Background())
	ran := 0
	Each(ctx, c, make([]int, 10), func(int) {
		ran++
		if ran == 2 {
			cancel()
		}
	})
	if ran != 2 {
		t.Errorf("ran %d items after cancel, want 2", ran)
	}
}

func TestExchangesAreCompleteAndStablyOrdered(t *testing.T) {
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, map[string]string{config.EnvConcurrency: "4"})
	paths := []string{"/api/v2/d", "/api/v2/b", "/api/v2/a", "/api/v2/c", "/api/v2/e", "/api/v2/f"}
	Each(context.Background(), c, paths, func(p string) { c.Post(context.Background(), p, nil) })
	ex := c.Exchanges()
	if len(ex) != len(paths) {
		t.Fatalf("%d exchanges, want %d", len(ex), len(paths))
	}
	for i := 1; i < len(ex); i++ {
		if ex[i-1].URL > ex[i].URL {
			t.Errorf("not in stable order: %s before %s", ex[i-1].URL, ex[i].URL)
		}
	}
}

func TestNilInnerTransportFailsClearly(t *testing.T) {
	tg := newTLSTarget(t, ok)
	c := New(liveConfig(t, tg.Server, nil), testFixtures, nil)
	resp := c.Post(context.Background(), "/api/v2/bills", map[string]any{})
	if resp == nil || resp.Err == nil || !strings.Contains(resp.Err.Error(), "nil RoundTripper") {
		t.Errorf("nil inner: %v", resp.Err)
	}
	defer func() {
		if recover() == nil {
			t.Error("New(nil config) must panic with a message")
		}
	}()
	New(nil, testFixtures, nil)
}
