package cassette

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

func TestRecordedFileLayout(t *testing.T) {
	red := keyRedactor(plantedKey, plantedKey2)
	_, srv := newStub(t, plantedKey, plantedKey2)
	dir := t.TempDir()
	lib := recordLib(t, dir, srv, red)
	recordSpec(t, lib, testID, true, []call{
		{url: srv.URL + "/api/v2/products", auth: "Token api_test@" + plantedKey, body: `{"b":1}`},
		{url: srv.URL + "/api/v2/bills", auth: "Token api_test@" + plantedKey, body: `{"a":1}`},
	})
	path := filepath.Join(dir, testID+".yaml")
	data := string(readFile(t, path))
	if !strings.HasPrefix(data, "# "+NoteSandbox+"\n") {
		t.Errorf("file does not start with the sandbox comment:\n%s", data)
	}
	if !strings.Contains(data, "make record FOCUS="+testID) {
		t.Errorf("leading comment lacks the re-record command:\n%s", data)
	}
	if strings.Index(data, "meta:") > strings.Index(data, "version: 2") {
		t.Errorf("meta must come before version:\n%s", data)
	}
	if strings.Contains(data, "Date:") {
		t.Errorf("volatile Date header kept:\n%s", data)
	}
	f, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Meta{Source: SourceSandbox, Note: NoteSandbox, RecordedAt: fixedRecTime, ReferenceNow: fixedRecTime,
		Target: srv.URL, SuiteVersion: "test", Requirement: testID, InteractionCount: 2}
	if f.Meta != want {
		t.Errorf("meta = %+v, want %+v", f.Meta, want)
	}
	if p0, p1 := f.Interactions[0].Request.URL, f.Interactions[1].Request.URL; !strings.HasSuffix(p0, "/bills") || !strings.HasSuffix(p1, "/products") {
		t.Errorf("interactions not sorted by match key: %s, %s", p0, p1)
	}
	for i, it := range f.Interactions {
		if it.ID != i || it.Response.Duration != 0 {
			t.Errorf("interaction %d: id %d duration %v, want id %d and no duration", i, it.ID, it.Response.Duration, i)
		}
	}
	// go-vcr's own loader must accept the file and ignore meta.
	c, err := vcr.Load(strings.TrimSuffix(path, ".yaml"))
	if err != nil {
		t.Fatalf("go-vcr cassette.Load refuses the file: %v", err)
	}
	if len(c.Interactions) != 2 {
		t.Errorf("go-vcr sees %d interactions, want 2", len(c.Interactions))
	}
}

func TestRecordedAtFilledWhenTemplateLeavesIt(t *testing.T) {
	_, srv := newStub(t, plantedKey, plantedKey2)
	lib, err := Open(Options{Dir: t.TempDir(), Mode: ModeRecord, Redactor: keyRedactor(plantedKey, plantedKey2),
		RealTransport: srv.Client().Transport, Meta: Meta{Source: SourceSandbox}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := lib.Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Finish(false) }()
	at, err := time.Parse(time.RFC3339, s.Meta().RecordedAt)
	if err != nil || time.Since(at) > time.Minute {
		t.Errorf("RecordedAt %q is not the session start (%v)", s.Meta().RecordedAt, err)
	}
	if s.Meta().Requirement != testID || s.Meta().Note != NoteSandbox {
		t.Errorf("session meta = %+v", s.Meta())
	}
}

func TestConcurrentRequestsGiveAStableFile(t *testing.T) {
	red := keyRedactor(plantedKey, plantedKey2)
	_, srv := newStub(t, plantedKey, plantedKey2)
	var files [][]byte
	for round := 0; round < 2; round++ {
		dir := t.TempDir()
		lib := recordLib(t, dir, srv, red)
		s, err := lib.Session(testID)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				if _, _, err := do(t, s.RoundTripper(), call{url: srv.URL + "/api/v2/bills", auth: "Token api_test@" + plantedKey, body: `{"limit":` + strconv.Itoa(i) + `}`}); err != nil {
					t.Error(err)
				}
			}(i)
		}
		wg.Wait()
		if err := s.Finish(true); err != nil {
			t.Fatal(err)
		}
		files = append(files, readFile(t, lib.Path(testID)))
	}
	bytesEqual(t, "second recording of the same requests", files[1], files[0])
}

func TestFailedSpecKeepsOldCassette(t *testing.T) {
	red := keyRedactor(plantedKey, plantedKey2)
	st, srv := newStub(t, plantedKey, plantedKey2)
	dir := t.TempDir()
	lib := recordLib(t, dir, srv, red)
	c := call{url: srv.URL + "/api/v2/bills", auth: "Token api_test@" + plantedKey, body: `{}`}
	recordSpec(t, lib, testID, true, []call{c})
	old := readFile(t, lib.Path(testID))

	st.variant = "changed"
	recordSpec(t, lib, testID, false, []call{c, c})
	bytesEqual(t, "cassette after a failed spec", readFile(t, lib.Path(testID)), old)
	if got := dirEntries(t, dir); len(got) != 1 {
		t.Errorf("files left after a failed recording: %v", got)
	}

	recordSpec(t, lib, testID, true, []call{c})
	if string(readFile(t, lib.Path(testID))) == string(old) {
		t.Error("a passed re-recording did not replace the cassette")
	}
}

func TestInterruptedRecordingLeavesOldFile(t *testing.T) {
	red := keyRedactor(plantedKey, plantedKey2)
	st, srv := newStub(t, plantedKey, plantedKey2)
	dir := t.TempDir()
	c := call{url: srv.URL + "/api/v2/bills", auth: "Token api_test@" + plantedKey, body: `{}`}
	recordSpec(t, recordLib(t, dir, srv, red), testID, true, []call{c})
	old := readFile(t, filepath.Join(dir, testID+".yaml"))

	// A process killed mid-spec never calls Finish; a second Library
	// plays the next process.
	st.variant = "changed"
	s, err := recordLib(t, dir, srv, red).Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, s.RoundTripper(), c)
	bytesEqual(t, "cassette during an unfinished recording", readFile(t, filepath.Join(dir, testID+".yaml")), old)
	if got := dirEntries(t, dir); len(got) != 1 {
		t.Errorf("unfinished recording wrote files: %v", got)
	}
	release(s)
}

// release frees a session's ID without finishing it, for tests that
// simulate a process that died.
func release(s *Session) { s.lib.release(s.id) }

func TestCommitFailureKeepsOldCassette(t *testing.T) {
	red := keyRedactor(plantedKey, plantedKey2)
	st, srv := newStub(t, plantedKey, plantedKey2)
	dir := t.TempDir()
	lib := recordLib(t, dir, srv, red)
	c := call{url: srv.URL + "/api/v2/bills", auth: "Token api_test@" + plantedKey, body: `{}`}
	recordSpec(t, lib, testID, true, []call{c})
	old := readFile(t, lib.Path(testID))

	st.variant = "changed"
	s, err := lib.Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	mustDo(t, s.RoundTripper(), c)
	// A directory where the commit file goes makes the final write fail.
	if err := os.Mkdir(s.rec.commitTmp, 0o755); err != nil {
		t.Fatal(err)
	}
	err = s.Finish(true)
	if err == nil || !strings.Contains(err.Error(), "previous cassette is unchanged") {
		t.Fatalf("Finish with a failing write: %v", err)
	}
	bytesEqual(t, "cassette after a failed commit", readFile(t, lib.Path(testID)), old)
	if _, err := os.Stat(s.rec.vcrName + ".yaml"); !os.IsNotExist(err) {
		t.Errorf("go-vcr temporary file left behind: %v", err)
	}
}

func TestTemporaryNamesCarryIDAndPID(t *testing.T) {
	_, srv := newStub(t, plantedKey, plantedKey2)
	dir := t.TempDir()
	s, err := recordLib(t, dir, srv, keyRedactor(plantedKey, plantedKey2)).Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Finish(false) }()
	pid := strconv.Itoa(os.Getpid())
	if want := filepath.Join(dir, "."+testID+"."+pid+".tmp"); s.rec.vcrName != want {
		t.Errorf("go-vcr cassette name %s, want %s (go-vcr adds .yaml)", s.rec.vcrName, want)
	}
	if !strings.HasPrefix(filepath.Base(s.rec.commitTmp), "."+testID+"."+pid+".") || strings.HasSuffix(s.rec.commitTmp, ".yaml") {
		t.Errorf("commit file %s must be a hidden per-ID, per-process name not ending in .yaml", s.rec.commitTmp)
	}
}

func TestSameIDSessionRefusedUntilFinished(t *testing.T) {
	_, srv := newStub(t, plantedKey, plantedKey2)
	dir := t.TempDir()
	red := keyRedactor(plantedKey, plantedKey2)
	lib := recordLib(t, dir, srv, red)
	s, err := lib.Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	for name, l := range map[string]*Library{"same library": lib, "second library on the dir": recordLib(t, dir, srv, red)} {
		if _, err := l.Session(testID); err == nil || !strings.Contains(err.Error(), "already open") {
			t.Errorf("%s: second session of %s: %v, want a refusal", name, testID, err)
		}
	}
	other, err := lib.Session("AUTH-002")
	if err != nil {
		t.Fatalf("a different ID must be allowed: %v", err)
	}
	for _, x := range []*Session{s, other} {
		if err := x.Finish(false); err != nil {
			t.Fatal(err)
		}
	}
	again, err := lib.Session(testID)
	if err != nil {
		t.Fatalf("session after Finish: %v", err)
	}
	if err := again.Finish(false); err != nil {
		t.Fatal(err)
	}
	if err := again.Finish(true); err != nil {
		t.Errorf("second Finish must be a no-op: %v", err)
	}
}

func TestRecordLeavesCallerRequestAlone(t *testing.T) {
	_, srv := newStub(t, plantedKey, plantedKey2)
	s, err := recordLib(t, t.TempDir(), srv, keyRedactor(plantedKey, plantedKey2)).Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Finish(false) }()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/api/v2/bills", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token api_test@"+plantedKey)
	resp, err := s.RoundTripper().RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.Request != req {
		t.Error("response.Request is not the caller's request")
	}
	if got := req.Header.Get("Authorization"); got != "Token api_test@"+plantedKey {
		t.Errorf("caller's header changed to %q", got)
	}
	if got := resp.Header.Get("X-Seen-Auth"); got != "Token api_test@<WINSTON_API_KEY>" {
		t.Errorf("recorded response header not redacted for the spec: %q", got)
	}
	if err := s.Finish(false); err != nil {
		t.Fatal(err)
	}
	after, err := s.RoundTripper().RoundTrip(req.Clone(req.Context()))
	if after != nil {
		_ = after.Body.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "finished") {
		t.Errorf("request after Finish: %v", err)
	}
}

func TestRecordSortsSameKeyInRecordedOrder(t *testing.T) {
	_, srv := newStub(t, plantedKey, plantedKey2)
	lib := recordLib(t, t.TempDir(), srv, keyRedactor(plantedKey, plantedKey2))
	c := call{url: srv.URL + "/api/v2/counter", body: `{}`}
	recordSpec(t, lib, testID, true, []call{c, c, c})
	f, err := LoadFile(lib.Path(testID))
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, it := range f.Interactions {
		bodies = append(bodies, it.Response.Body)
	}
	if !sort.SliceIsSorted(bodies, func(i, j int) bool { return bodies[i] < bodies[j] }) || !strings.Contains(bodies[0], `"n":1`) {
		t.Errorf("same-key interactions out of recorded order: %v", bodies)
	}
}

func TestRecordWithoutRequestsWritesEmptyCassette(t *testing.T) {
	_, srv := newStub(t, plantedKey, plantedKey2)
	lib := recordLib(t, t.TempDir(), srv, keyRedactor(plantedKey, plantedKey2))
	recordSpec(t, lib, testID, true, nil)
	f, err := LoadFile(lib.Path(testID))
	if err != nil {
		t.Fatalf("an empty recording must load: %v", err)
	}
	if len(f.Interactions) != 0 || f.Meta.Requirement != testID {
		t.Errorf("LoadFile = %+v", f)
	}
}

// slowTransport delays every request, as a distant target does.
type slowTransport struct {
	rt    http.RoundTripper
	delay time.Duration
}

func (s slowTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	time.Sleep(s.delay)
	return s.rt.RoundTrip(r)
}

func TestRecordDoesNotWaitTwice(t *testing.T) {
	_, srv := newStub(t, plantedKey, plantedKey2)
	const delay = 400 * time.Millisecond
	lib, err := Open(Options{Dir: t.TempDir(), Mode: ModeRecord, Redactor: keyRedactor(plantedKey, plantedKey2),
		RealTransport: slowTransport{srv.Client().Transport, delay}, Meta: Meta{Source: SourceSandbox}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := lib.Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Finish(false) }()
	start := time.Now()
	mustDo(t, s.RoundTripper(), call{url: srv.URL + "/api/v2/bills", body: `{}`})
	if d := time.Since(start); d > delay*7/4 {
		t.Errorf("recording took %v for a %v request: go-vcr replayed the latency", d, delay)
	}
}

func TestProvenanceMarksSandboxRecordings(t *testing.T) {
	its := []*vcr.Interaction{{Response: vcr.Response{Headers: http.Header{"X-Winston-Sandbox": {"local sandbox"}}}}}
	m := provenance(Meta{Source: SourceTarget, Note: "from the QA host"}, its)
	if m.Source != SourceSandbox || m.Note != NoteSandbox {
		t.Errorf("a sandbox answer must mark the cassette as sandbox-made, got %+v", m)
	}
	m = provenance(Meta{Source: SourceTarget}, []*vcr.Interaction{{}})
	if m.Source != SourceTarget {
		t.Errorf("no sandbox header: source must stay target, got %+v", m)
	}
}

// refusesUnread answers 401 without reading the request's body, as a
// server that refuses a credential before the body arrives makes the
// transport do.
type refusesUnread struct{}

func (refusesUnread) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusUnauthorized, Status: "401 Unauthorized", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"text/plain"}}, Body: io.NopCloser(strings.NewReader("Unauthorized")), Request: r}, nil
}

// A request the server refused before reading its body is recorded with
// the whole body all the same: go-vcr keeps only what the transport read,
// and a cassette with an empty body misses in replay.
func TestARequestRefusedUnreadIsRecordedWithItsBody(t *testing.T) {
	red := keyRedactor(plantedKey, plantedKey2)
	dir := t.TempDir()
	lib, err := Open(Options{Dir: dir, Mode: ModeRecord, Redactor: red, RealTransport: refusesUnread{},
		Meta: Meta{Source: SourceSandbox, RecordedAt: fixedRecTime, ReferenceNow: fixedRecTime, Target: "https://sandbox.test", SuiteVersion: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	const body = `{"number":12,"paid":false,"plan_id":"plan-main"}`
	recordSpec(t, lib, testID, true, []call{{url: "https://sandbox.test/api/v2/tables/order", auth: "Token @" + plantedKey, body: body}})
	f, err := LoadFile(filepath.Join(dir, testID+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Interactions) != 1 || f.Interactions[0].Request.Body != body {
		t.Fatalf("recorded request body %q, want %q", f.Interactions[0].Request.Body, body)
	}
}
