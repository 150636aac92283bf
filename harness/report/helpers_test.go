package report

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// The helpers here build synthetic Ginkgo reports, the way the suite's
// specs would produce them, for the report tests.

var testStart = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

const testBase = "https://api-qa.example.test"

// fakeSpec is one It of the suite as Ginkgo reports it.
type fakeSpec struct {
	text      string
	state     types.SpecState
	msg       string
	labels    []string
	exchanges []evidence.Exchange
	findings  []evidence.Finding
	shapes    map[string]Shape
	// serial makes the entries carry raw values (a serial run) rather
	// than JSON (a parallel run).
	serial   bool
	nodeType types.NodeType
}

func entry(t *testing.T, name string, v any, serial bool) types.ReportEntry {
	t.Helper()
	if serial {
		return types.ReportEntry{Name: name, Value: types.WrapEntryValue(v)}
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode entry %s: %v", name, err)
	}
	return types.ReportEntry{Name: name, Value: types.ReportEntryValue{AsJSON: string(data)}}
}

func ginkgoReport(t *testing.T, specs ...fakeSpec) types.Report {
	t.Helper()
	r := types.Report{StartTime: testStart, EndTime: testStart.Add(90 * time.Second),
		SuiteConfig: types.SuiteConfig{RandomSeed: 42, ParallelTotal: 2}}
	for _, s := range specs {
		nt := s.nodeType
		if nt == 0 {
			nt = types.NodeTypeIt
		}
		sr := types.SpecReport{LeafNodeType: nt, LeafNodeText: s.text, LeafNodeLabels: s.labels, State: s.state,
			RunTime: 120 * time.Millisecond, Failure: types.Failure{Message: s.msg}}
		if s.state.Is(types.SpecStateFailureStates) {
			sr.Failure.Location = types.CodeLocation{FileName: "suites/auth_test.go", LineNumber: 42}
		}
		if s.exchanges != nil {
			sr.ReportEntries = append(sr.ReportEntries, entry(t, evidence.ReportEntryName, s.exchanges, s.serial))
		}
		if s.findings != nil {
			sr.ReportEntries = append(sr.ReportEntries, entry(t, evidence.FindingEntryName, s.findings, s.serial))
		}
		if s.shapes != nil {
			sr.ReportEntries = append(sr.ReportEntries, entry(t, ShapesEntryName, s.shapes, s.serial))
		}
		r.SpecReports = append(r.SpecReports, sr)
	}
	return r
}

// answer is an exchange the target answered.
func answer(path string, status int, body string, latency time.Duration) evidence.Exchange {
	return evidence.Exchange{Method: "POST", URL: testBase + path, AuthShape: "valid", Status: status,
		RequestHeaders:  map[string]string{"Authorization": "Token api_test@<WINSTON_API_KEY>", "Content-Type": "application/json"},
		RequestBody:     `{"limit":5}`,
		ResponseHeaders: map[string]string{"Content-Type": "application/json"},
		ResponseBody:    body, ResponseBytes: len(body), Latency: latency}
}

// outage is an exchange that got no usable answer.
func outage(path string) evidence.Exchange {
	return evidence.Exchange{Method: "POST", URL: testBase + path, AuthShape: "valid",
		Error: "dial tcp 192.0.2.1:443: connect: connection refused", Unavailable: true}
}

// passing is a passed spec that exercised every endpoint of the test
// catalogue.
func passing(id, title string) fakeSpec {
	return fakeSpec{text: id + " " + title, state: types.SpecStatePassed, labels: []string{id},
		exchanges: []evidence.Exchange{
			answer("/api/v2/bills", 200, `[{"_id":"b1","total":12.5}]`, 40*time.Millisecond),
			answer("/api/v2/list/categories", 200, `[{"_id":"c1","parent_id":null}]`, 20*time.Millisecond),
		},
		findings: []evidence.Finding{{Endpoint: "bills", Expected: "200", Observed: "200", OK: true}}}
}

func testCatalogue(t *testing.T) *catalogue.Catalogue {
	t.Helper()
	cat, err := catalogue.Load("testdata/catalogue.yaml")
	if err != nil {
		t.Fatalf("load test catalogue: %v", err)
	}
	return cat
}

func liveRun() RunInfo {
	return RunInfo{Mode: "live", SuiteVersion: "test-version", Seed: 42, Start: testStart, End: testStart.Add(90 * time.Second),
		Target: Target{BaseURL: testBase, HTTPURL: "http://api-qa.example.test", AppName: "api_test",
			KeyFingerprint: KeyFingerprint("a-test-key-123456"), AuthScheme: "token"}, Parallel: 2}
}

// allPassing is a passed spec for every requirement of the test catalogue
// except the IDs given.
func allPassing(except ...string) []fakeSpec {
	titles := map[string]string{"AUTH-001": "a valid token is accepted", "AUTH-002": "a missing Authorization header gets 401",
		"STRUCT-001": "POST with a JSON body is answered with JSON", "STRUCT-003": "a refused method gets 405 with Allow POST",
		"TRANS-004": "a valid certificate", "SCHEMA-001": "responses match their schemas",
		"ORDER-001": "an order on a known table is placed", "ERR-004": "an unknown route gets 404"}
	var out []fakeSpec
	for _, id := range []string{"AUTH-001", "AUTH-002", "STRUCT-001", "STRUCT-003", "TRANS-004", "SCHEMA-001", "ORDER-001", "ERR-004"} {
		if !contains(except, id) {
			out = append(out, passing(id, titles[id]))
		}
	}
	return out
}
