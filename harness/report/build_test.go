package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

func TestSerialAndParallelEntriesGiveTheSameDocument(t *testing.T) {
	specs := func(serial bool) []fakeSpec {
		out := allPassing("SCHEMA-001")
		s := passing("SCHEMA-001", "responses match their schemas")
		s.shapes = map[string]Shape{"bills": {"$": {"array"}, "[]": {"object"}, "[].total": {"number"}}}
		out = append(out, s)
		for i := range out {
			out[i].serial = serial
		}
		return out
	}
	serial := Build(ginkgoReport(t, specs(true)...), testCatalogue(t), liveRun(), nil, nil)
	parallel := Build(ginkgoReport(t, specs(false)...), testCatalogue(t), liveRun(), nil, nil)
	a, _ := json.Marshal(serial)
	b, _ := json.Marshal(parallel)
	if string(a) != string(b) {
		t.Fatalf("serial and parallel entries differ:\n%s\n%s", a, b)
	}
	if len(parallel.Requirements[0].Evidence.Exchanges) != 2 {
		t.Errorf("exchanges not decoded from AsJSON: %+v", parallel.Requirements[0].Evidence)
	}
	if got := parallel.Shapes["bills"]["[].total"]; !reflect.DeepEqual(got, []string{"number"}) {
		t.Errorf("shapes not decoded: %v", parallel.Shapes)
	}
}

func TestBuildFillsRunAndTargetFacts(t *testing.T) {
	tls := passing("TRANS-004", "a valid certificate")
	tls.findings = []evidence.Finding{{OK: true, Facts: map[string]string{"tlsVersion": "TLS 1.3", "tlsCipher": "TLS_AES_128_GCM_SHA256",
		"certIssuer": "CN=Test CA", "certExpiry": "2027-01-01", "hsts": "max-age=31536000"}}}
	specs := append(allPassing("TRANS-004"), tls)
	run := liveRun()
	run.Seed, run.Start, run.End, run.Parallel, run.Command = 0, time.Time{}, time.Time{}, 0, ""
	d := Build(ginkgoReport(t, specs...), testCatalogue(t), run, nil, nil)
	tg := d.Target
	if tg.TLSVersion != "TLS 1.3" || tg.TLSCipher != "TLS_AES_128_GCM_SHA256" || tg.CertIssuer != "CN=Test CA" || tg.CertExpiry != "2027-01-01" || tg.HSTS != "max-age=31536000" {
		t.Errorf("transport facts not copied from findings: %+v", tg)
	}
	if d.Run.Seed != 42 || d.Run.Parallel != 2 || !d.Run.Start.Equal(testStart) || !d.Run.End.Equal(testStart.Add(90*time.Second)) {
		t.Errorf("run facts not taken from Ginkgo's report: %+v", d.Run)
	}
	env := `WINSTON_MODE=live WINSTON_BASE_URL=https://api-qa.example.test WINSTON_HTTP_URL=http://api-qa.example.test WINSTON_API_KEY="$WINSTON_API_KEY"`
	want := env + " go tool ginkgo --seed=42 --procs=2 ./suites"
	if d.Run.Command != want {
		t.Errorf("command = %q, want %q", d.Run.Command, want)
	}
	if got := d.Requirements[0].Focus; got != env+" go tool ginkgo --focus 'AUTH-001' ./suites" {
		t.Errorf("focus = %q", got)
	}
}

func TestBuildLatencyPercentilesPerEndpoint(t *testing.T) {
	s := passing("AUTH-001", "a valid token is accepted")
	s.exchanges = nil
	for i := 1; i <= 20; i++ {
		s.exchanges = append(s.exchanges, answer("/api/v2/bills", 200, "[]", time.Duration(i)*time.Millisecond))
	}
	s.exchanges = append(s.exchanges, outage("/api/v2/bills"), evidence.Exchange{Method: "POST", URL: testBase + "/api/v2/bills", Status: 200, Replayed: true})
	d := Build(ginkgoReport(t, s), testCatalogue(t), liveRun(), nil, nil)
	got := d.Latency["bills"]
	if got != (LatencyStats{P50Ms: 10, P95Ms: 19, Count: 20}) {
		t.Errorf("bills latency = %+v, want p50 10, p95 19 over 20 live answers", got)
	}
	if d.Latency["*"].Count != 20 {
		t.Errorf("overall latency = %+v", d.Latency["*"])
	}
	if d.Requirements[0].LatencyMs != 20 {
		t.Errorf("requirement latency = %v, want the slowest answer, 20", d.Requirements[0].LatencyMs)
	}
}

func TestBuildDetectsSandboxAndReplay(t *testing.T) {
	s := passing("AUTH-001", "a valid token is accepted")
	s.exchanges[0].Replayed = true
	s.exchanges[0].ResponseHeaders["X-Winston-Sandbox"] = "local sandbox, not the real Winston API"
	run := liveRun()
	run.Mode = ""
	d := Build(ginkgoReport(t, s), testCatalogue(t), run, nil, nil)
	if d.Mode != "replay" || !d.Run.Sandbox || d.GoLive.Verdict != GoLiveNotValidForSubmission {
		t.Errorf("mode %q sandbox %v go-live %q: want replay, sandbox, not valid for submission", d.Mode, d.Run.Sandbox, d.GoLive.Verdict)
	}
	run = liveRun()
	s = passing("AUTH-001", "a valid token is accepted")
	s.exchanges[0].ResponseHeaders["X-Winston-Sandbox"] = "yes"
	d = Build(ginkgoReport(t, s), testCatalogue(t), run, nil, nil)
	if d.GoLive.Verdict != GoLiveNotValidForSubmission || !strings.Contains(d.GoLive.Reason, "sandbox") {
		t.Errorf("a live run against the sandbox must not be valid for submission: %+v", d.GoLive)
	}
	// The headline is what a reader sees first: it names the sandbox too.
	if !strings.Contains(d.Summary, "sandbox") || !strings.Contains(d.Summary, "not the real Winston API") {
		t.Errorf("a live run against the sandbox must say so in its summary: %s", d.Summary)
	}
}

func TestBuildKeepsSpecsTheCatalogueDoesNotKnow(t *testing.T) {
	extra := fakeSpec{text: "NEW-001 a check added after the catalogue", state: types.SpecStateFailed, msg: "boom",
		labels:    []string{"NEW-001", catalogue.FamilyAuth, catalogue.SourceDocs},
		exchanges: []evidence.Exchange{answer("/api/v2/bills", 500, "", time.Millisecond)}}
	d := Build(ginkgoReport(t, append(allPassing(), extra, fakeSpec{text: "no id here", state: types.SpecStatePassed})...), testCatalogue(t), liveRun(), nil, nil)
	last := d.Requirements[len(d.Requirements)-1]
	if last.ID != "NEW-001" || last.Family != catalogue.FamilyAuth || last.Source != catalogue.SourceDocs || last.Status != StatusFailed {
		t.Errorf("unknown spec row = %+v", last)
	}
	if d.Verdict != VerdictFail {
		t.Errorf("a failing spec outside the catalogue must still fail the run, got %s", d.Verdict)
	}
	if len(d.Run.Problems) != 1 || !strings.Contains(d.Run.Problems[0], "no id here") {
		t.Errorf("a spec without an ID must be reported as a problem: %v", d.Run.Problems)
	}
}

func TestBuildMergesSpecsOfOneRequirement(t *testing.T) {
	a := passing("AUTH-001", "on bills")
	b := fakeSpec{text: "AUTH-001 on categories", state: types.SpecStateFailed, msg: "expected 200, got 401",
		exchanges: []evidence.Exchange{answer("/api/v2/list/categories", 401, "Unauthorized", time.Millisecond)}}
	d := Build(ginkgoReport(t, a, b), testCatalogue(t), liveRun(), nil, nil)
	r := d.Requirements[0]
	if r.ID != "AUTH-001" || r.Status != StatusFailed || len(r.Evidence.Exchanges) != 3 {
		t.Errorf("merged row = %s %s with %d exchanges, want failed with 3", r.ID, r.Status, len(r.Evidence.Exchanges))
	}
}

func TestBuildPendingAndInterruptedSpecs(t *testing.T) {
	pending := fakeSpec{text: "AUTH-001 pending", state: types.SpecStatePending}
	timedOut := fakeSpec{text: "AUTH-002 slow", state: types.SpecStateTimedout,
		exchanges: []evidence.Exchange{answer("/api/v2/bills", 200, "[]", time.Millisecond)}}
	d := Build(ginkgoReport(t, pending, timedOut), testCatalogue(t), liveRun(), nil, nil)
	if r := d.Requirements[0]; r.Status != StatusSkipped || !strings.Contains(r.Reason, "pending") {
		t.Errorf("pending spec row = %s %q", r.Status, r.Reason)
	}
	if r := d.Requirements[1]; r.Status != StatusFailed || !strings.Contains(r.Reason, "timedout") {
		t.Errorf("timed-out spec row = %s %q", r.Status, r.Reason)
	}
}

func TestBuildRedactsAuthorizationItWasNotToldAbout(t *testing.T) {
	s := passing("AUTH-001", "a valid token is accepted")
	s.exchanges[0].RequestHeaders["Authorization"] = "Token api_test@unregistered-key-987654"
	s.exchanges[0].URL = testBase + "/api/v2/bills?api_key=unregistered-key-987654&app_name=api_test"
	d := Build(ginkgoReport(t, s), testCatalogue(t), liveRun(), nil, nil)
	ex := d.Requirements[0].Evidence.Exchanges[0]
	if got := ex.RequestHeaders["Authorization"]; got != "Token api_test@<redacted>" {
		t.Errorf("Authorization = %q, want the credential hidden", got)
	}
	if strings.Contains(ex.URL, "unregistered") {
		t.Errorf("api_key query value kept: %s", ex.URL)
	}
	if got := redactHeaders(map[string]string{"Authorization": "Token api_test@<WINSTON_API_KEY>"})["Authorization"]; got != "Token api_test@<WINSTON_API_KEY>" {
		t.Errorf("a placeholder must be kept as evidence, got %q", got)
	}
}

func TestKeyFingerprint(t *testing.T) {
	fp := KeyFingerprint("a-test-key-123456")
	if !strings.HasPrefix(fp, "sha256:") || len(fp) != len("sha256:")+12 || strings.Contains(fp, "a-test-key") {
		t.Errorf("fingerprint %q", fp)
	}
	if KeyFingerprint("other-key-123456") == fp || KeyFingerprint("") != "" {
		t.Error("fingerprints must tell keys apart, and an empty key has none")
	}
}

func TestUnprovenRequirementsReachEveryWriter(t *testing.T) {
	cat := testCatalogue(t)
	doc := ConfigErrorDocument(cat, RunInfo{Mode: "live", ConfigError: "x", Unproven: []string{"AUTH-003"}})
	dir := t.TempDir()
	if err := doc.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{JSONFile, MarkdownFile, HTMLFile} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || !strings.Contains(string(data), "AUTH-003") || !strings.Contains(strings.ToLower(string(data)), "unproven") {
			t.Errorf("%s does not list the unproven requirement (%v)", f, err)
		}
	}
}
