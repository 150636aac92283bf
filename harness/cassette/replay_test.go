package cassette

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// nonRoutable is an address nothing answers on: a replay that dialed it
// would hang until the test's timeout, not answer.
const nonRoutable = "https://10.255.255.1"

// authVariants builds the calls of each auth variant for a key pair and a
// base URL, as the client sends them.
func authVariants(base, key, key2 string) map[string]call {
	bills := base + "/api/v2/bills"
	basic := base64.StdEncoding.EncodeToString([]byte("api_test:" + key))
	return map[string]call{
		"valid":           {url: bills, auth: "Token api_test@" + key, body: `{"limit":5}`},
		"none":            {url: bills, body: `{"limit":5}`},
		"wrong-key":       {url: bills, auth: "Token api_test@" + wrongKey, body: `{"limit":5}`},
		"wrong-app":       {url: bills, auth: "Token not_an_app@" + key, body: `{"limit":5}`},
		"malformed-no-at": {url: bills, auth: "Token api_test" + key, body: `{"limit":5}`},
		"other-scheme":    {url: bills, auth: "Bearer " + key, body: `{"limit":5}`},
		"basic":           {url: bills, auth: "Basic " + basic, body: `{"limit":5}`},
		"second-tenant":   {url: bills, auth: "Token api_test@" + key2, body: `{"limit":5}`},
		"v1-query":        {url: bills + "?api_key=" + key + "&app_name=api_test", body: `{"limit":5}`},
	}
}

func TestAuthVariantsReplayDistinctAnswers(t *testing.T) {
	_, srv := newStub(t, plantedKey, plantedKey2)
	dir := t.TempDir()
	lib := recordLib(t, dir, srv, keyRedactor(plantedKey, plantedKey2))
	s, err := lib.Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]string{}
	for name, c := range authVariants(srv.URL, plantedKey, plantedKey2) {
		code, body := mustDo(t, s.RoundTripper(), c)
		recorded[name] = string(rune('0'+code/100)) + " " + body
	}
	if err := s.Finish(true); err != nil {
		t.Fatal(err)
	}

	rs, err := replayLib(t, dir, keyRedactor(standInKey, standInKey2)).Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rs.Finish(true) }()
	seen := map[string]string{}
	for name, c := range authVariants(nonRoutable, standInKey, standInKey2) {
		code, body, err := do(t, rs.RoundTripper(), c)
		if err != nil {
			t.Errorf("variant %s did not replay: %v", name, err)
			continue
		}
		got := string(rune('0'+code/100)) + " " + body
		if got != recorded[name] {
			t.Errorf("variant %s replayed %q, recorded %q", name, got, recorded[name])
		}
		if other, dup := seen[got]; dup {
			t.Errorf("variants %s and %s replay the same answer %q", name, other, got)
		}
		seen[got] = name
	}
	if !strings.HasPrefix(recorded["valid"], "2 ") || !strings.Contains(recorded["second-tenant"], `"tenant":"two"`) {
		t.Errorf("stub answered unexpectedly: %v", recorded)
	}
}

func TestReplayServesSameKeyInOrderThenMisses(t *testing.T) {
	_, srv := newStub(t, plantedKey, plantedKey2)
	dir := t.TempDir()
	c := call{url: srv.URL + "/api/v2/counter", body: `{}`}
	recordSpec(t, recordLib(t, dir, srv, keyRedactor(plantedKey, plantedKey2)), testID, true, []call{c, c, c})

	lib := replayLib(t, dir, keyRedactor(standInKey, standInKey2))
	for round := 0; round < 2; round++ {
		s, err := lib.Session(testID)
		if err != nil {
			t.Fatal(err)
		}
		rc := call{url: nonRoutable + "/api/v2/counter", body: `{ }`}
		for want := 1; want <= 3; want++ {
			if _, body := mustDo(t, s.RoundTripper(), rc); !strings.Contains(body, `"n":`+string(rune('0'+want))) {
				t.Errorf("round %d answer %d = %s", round, want, body)
			}
		}
		_, _, err = do(t, s.RoundTripper(), rc)
		var miss *MissError
		if !errors.As(err, &miss) || miss.Replayed != 3 || !strings.Contains(err.Error(), "already replayed 3 times") {
			t.Errorf("fourth request: %v, want a miss saying it was already replayed 3 times", err)
		}
		if err := s.Finish(true); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReplayNeverSleeps(t *testing.T) {
	dir := t.TempDir()
	it := &vcr.Interaction{
		Request:  vcr.Request{Method: "POST", URL: "https://sandbox.test/api/v2/bills", Body: `{}`},
		Response: vcr.Response{Code: 200, Body: `{"ok":true}`, Duration: 10 * time.Second},
	}
	writeCassette(t, dir, testID, Meta{Requirement: testID}, it)
	s, err := replayLib(t, dir, keyRedactor(standInKey, standInKey2)).Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Finish(true) }()
	start := time.Now()
	if code, _ := mustDo(t, s.RoundTripper(), call{url: nonRoutable + "/api/v2/bills", body: `{}`}); code != 200 {
		t.Errorf("code %d", code)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("replay took %v: it slept for the recorded latency", d)
	}
}

// oneBillsCassette writes a cassette of one bills interaction for id into
// dir; it returns the interaction and the cassette's path.
func oneBillsCassette(t *testing.T, dir, id string) (*vcr.Interaction, string) {
	t.Helper()
	it := &vcr.Interaction{
		Request:  vcr.Request{Method: "POST", URL: "https://sandbox.test/api/v2/bills", Body: `{}`},
		Response: vcr.Response{Code: 200, Body: `{}`},
	}
	return it, writeCassette(t, dir, id, Meta{Requirement: id, ReferenceNow: fixedRecTime}, it)
}

func TestReplayLoadsEachCassetteOnce(t *testing.T) {
	dir := t.TempDir()
	_, path := oneBillsCassette(t, dir, testID)
	lib := replayLib(t, dir, keyRedactor(standInKey, standInKey2))
	s, err := lib.Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Meta().ReferenceNow != fixedRecTime || s.File() != path {
		t.Errorf("session meta %+v file %s", s.Meta(), s.File())
	}
	if err := s.Finish(true); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("not: [a cassette"), 0o644); err != nil {
		t.Fatal(err)
	}
	s2, err := lib.Session(testID)
	if err != nil {
		t.Fatalf("second session re-read the file instead of the cached index: %v", err)
	}
	if err := s2.Finish(true); err != nil {
		t.Fatal(err)
	}
	if _, err := replayLib(t, dir, keyRedactor(standInKey, standInKey2)).Session(testID); !errors.Is(err, ErrCassetteCorrupt) {
		t.Errorf("a new library must read the file again: %v", err)
	}
}

func TestPrefetchLoadsAheadAndLeavesFailuresToTheSpec(t *testing.T) {
	dir := t.TempDir()
	_, path := oneBillsCassette(t, dir, testID)
	lib := replayLib(t, dir, keyRedactor(standInKey, standInKey2))
	lib.Prefetch([]string{"NONE-001", testID})
	// The prefetch and the specs race for the same cassettes: every
	// caller must get the one index, read once.
	var wg sync.WaitGroup
	got := make([]*indexed, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ix, err := lib.load(testID)
			if err != nil {
				t.Error(err)
			}
			got[i] = ix
		}()
	}
	wg.Wait()
	for _, ix := range got[1:] {
		if ix != got[0] {
			t.Fatal("a cassette was indexed twice")
		}
	}
	if err := os.WriteFile(path, []byte("not: [a cassette"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err := lib.Session(testID); err != nil {
		t.Errorf("the prefetched index should serve the session: %v", err)
	} else if err := s.Finish(true); err != nil {
		t.Fatal(err)
	}
	// A cassette the prefetch could not load is read again by its spec,
	// which reports what is wrong.
	if _, err := lib.Session("NONE-001"); !errors.Is(err, ErrCassetteMissing) {
		t.Errorf("want the missing cassette reported to the spec, got %v", err)
	}
	oneBillsCassette(t, dir, "NONE-001")
	if _, err := lib.Session("NONE-001"); err != nil {
		t.Errorf("a failed load must not be cached: %v", err)
	}
}

func TestReplayAfterFinishFails(t *testing.T) {
	dir := t.TempDir()
	writeCassette(t, dir, testID, Meta{}, &vcr.Interaction{
		Request:  vcr.Request{Method: "POST", URL: "https://sandbox.test/x"},
		Response: vcr.Response{Code: 204},
	})
	s, err := replayLib(t, dir, keyRedactor(standInKey, standInKey2)).Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := do(t, s.RoundTripper(), call{url: nonRoutable + "/x"}); err == nil || !strings.Contains(err.Error(), "finished") {
		t.Errorf("request after Finish: %v", err)
	}
}

// writeCassette writes interactions as a cassette file the way recording
// does, for tests that need exact contents.
func writeCassette(t testing.TB, dir, id string, m Meta, its ...*vcr.Interaction) string {
	t.Helper()
	m.Requirement = id
	for i, it := range its {
		it.ID = i
	}
	data, err := encodeFile(m, its, keyRedactor(standInKey, standInKey2))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, id+".yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestConcurrentReplayServesEachAnswerOnce(t *testing.T) {
	_, srv := newStub(t, plantedKey, plantedKey2)
	dir := t.TempDir()
	c := call{url: srv.URL + "/api/v2/counter", body: `{}`}
	recordSpec(t, recordLib(t, dir, srv, keyRedactor(plantedKey, plantedKey2)), testID, true, []call{c, c, c, c})
	s, err := replayLib(t, dir, keyRedactor(standInKey, standInKey2)).Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Finish(true) }()
	var mu sync.Mutex
	got := map[string]bool{}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, body, err := do(t, s.RoundTripper(), call{url: nonRoutable + "/api/v2/counter", body: `{}`})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got[body] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(got) != 4 {
		t.Errorf("4 concurrent requests got %d distinct answers: %v", len(got), got)
	}
}

func TestReplayHonoursCancelledContext(t *testing.T) {
	dir := t.TempDir()
	writeCassette(t, dir, testID, Meta{}, &vcr.Interaction{
		Request:  vcr.Request{Method: "POST", URL: "https://sandbox.test/x"},
		Response: vcr.Response{Code: 200},
	})
	s, err := replayLib(t, dir, keyRedactor(standInKey, standInKey2)).Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Finish(true) }()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, nonRoutable+"/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.RoundTripper().RoundTrip(req)
	if resp != nil {
		_ = resp.Body.Close()
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: %v", err)
	}
	if code, _ := mustDo(t, s.RoundTripper(), call{url: nonRoutable + "/x"}); code != 200 {
		t.Errorf("the cancelled request used up the answer: %d", code)
	}
}
