package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden (and the README screenshot) from the current output")

// scenario is one run whose verdict derivation a golden file pins.
type scenario struct {
	name  string
	build func(t *testing.T) *Document
}

func scenarios() []scenario {
	return []scenario{
		{"pass", func(t *testing.T) *Document {
			return Build(ginkgoReport(t, allPassing()...), testCatalogue(t), liveRun(), nil, nil)
		}},
		{"pass-with-skips", func(t *testing.T) *Document {
			specs := append(allPassing("ORDER-001", "ERR-004"), fakeSpec{text: "ORDER-001 an order on a known table is placed",
				state: types.SpecStateSkipped, msg: "mutations are off for this host: set WINSTON_ALLOW_MUTATIONS=true"})
			return Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
		}},
		{"fail", func(t *testing.T) *Document {
			specs := append(allPassing("AUTH-002", "STRUCT-003"),
				fakeSpec{text: "AUTH-002 a missing Authorization header gets 401", state: types.SpecStateFailed,
					msg:       "POST /api/v2/bills without Authorization: expected 401, got 200",
					exchanges: []evidence.Exchange{answer("/api/v2/bills", 200, `[]`, 30*time.Millisecond)},
					findings: []evidence.Finding{{Endpoint: "bills", Expected: "401", Observed: "200", OK: false},
						{Endpoint: "categories", Expected: "401", Observed: "401", OK: true}}},
				fakeSpec{text: "STRUCT-003 a refused method gets 405 with Allow POST", state: types.SpecStateFailed,
					msg:       "GET /api/v2/bills: expected 405 with Allow POST, got 404",
					exchanges: []evidence.Exchange{answer("/api/v2/bills", 404, `{"error":"Not Found"}`, 10*time.Millisecond)}})
			return Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
		}},
		{"known-issue", func(t *testing.T) *Document {
			ledger := &Ledger{Entries: []LedgerEntry{
				{ID: "AUTH-002", Note: "Winston ticket 1234", Environments: []string{"api-qa.example.test"}, Expires: "2026-12-31"},
				{ID: "STRUCT-001", Note: "only on production", Environments: []string{"api.example.test"}, Expires: "2026-12-31"},
			}}
			specs := append(allPassing("AUTH-002"), fakeSpec{text: "AUTH-002 a missing Authorization header gets 401",
				state: types.SpecStateFailed, msg: "expected 401, got 500",
				exchanges: []evidence.Exchange{answer("/api/v2/bills", 500, `oops`, 30*time.Millisecond)}})
			return Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), ledger, nil)
		}},
		{"known-issue-expired", func(t *testing.T) *Document {
			ledger := &Ledger{Entries: []LedgerEntry{{ID: "AUTH-002", Note: "Winston ticket 1234", Expires: "2026-11-20"}}}
			specs := append(allPassing("AUTH-002"), fakeSpec{text: "AUTH-002 a missing Authorization header gets 401",
				state: types.SpecStateFailed, msg: "expected 401, got 500",
				exchanges: []evidence.Exchange{answer("/api/v2/bills", 500, `oops`, 30*time.Millisecond)}})
			return Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), ledger, nil)
		}},
		{"unavailable", func(t *testing.T) *Document {
			var specs []fakeSpec
			for i, s := range allPassing() {
				s.state, s.msg, s.findings = types.SpecStateFailed, "the target did not answer", nil
				s.exchanges = []evidence.Exchange{outage("/api/v2/bills")}
				if i%2 == 0 {
					s.exchanges = []evidence.Exchange{answer("/api/v2/bills", 503, "Service Unavailable", time.Second)}
				}
				specs = append(specs, s)
			}
			return Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
		}},
		{"unavailable-one-check", func(t *testing.T) *Document {
			specs := append(allPassing("SCHEMA-001"), fakeSpec{text: "SCHEMA-001 responses match their schemas",
				state: types.SpecStateFailed, msg: "POST /api/v2/bills: dial tcp: connection refused",
				exchanges: []evidence.Exchange{outage("/api/v2/bills")}})
			return Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
		}},
		{"config-error", func(t *testing.T) *Document {
			run := liveRun()
			run.ConfigError = "WINSTON_API_KEY: not set; it is required in live mode. Fix: export WINSTON_API_KEY."
			return ConfigErrorDocument(testCatalogue(t), run)
		}},
		{"setup-failure", func(t *testing.T) *Document {
			var specs []fakeSpec
			for _, s := range allPassing() {
				s.state, s.msg, s.exchanges, s.findings = types.SpecStateSkipped, "Spec skipped because BeforeSuite failed", nil, nil
				specs = append(specs, s)
			}
			specs = append(specs, fakeSpec{nodeType: types.NodeTypeBeforeSuite, state: types.SpecStateFailed, msg: "load catalogue: no such file"})
			return Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
		}},
		{"replay-sandbox", func(t *testing.T) *Document {
			run := liveRun()
			run.Mode, run.CassetteSource, run.CassettesRecordedAt = "replay", "sandbox", "2026-11-21T12:00:00Z"
			run.Target.BaseURL, run.Target.HTTPURL = "https://replay.invalid", "http://replay.invalid"
			return Build(ginkgoReport(t, allPassing()...), testCatalogue(t), run, nil, nil)
		}},
		{"interrupted", func(t *testing.T) *Document {
			return Build(interruptedRun(t, types.SpecStateInterrupted, "Interrupted by User"), testCatalogue(t), liveRun(), nil, nil)
		}},
		{"nothing-selected", func(t *testing.T) *Document {
			var specs []fakeSpec
			for _, s := range allPassing() {
				s.state, s.msg, s.exchanges, s.findings = types.SpecStateSkipped, "", nil, nil
				specs = append(specs, s)
			}
			r := ginkgoReport(t, specs...)
			r.SuiteConfig.FocusStrings = []string{"NO-SUCH-ID"}
			return Build(r, testCatalogue(t), liveRun(), nil, nil)
		}},
		{"profile", func(t *testing.T) *Document {
			profile := &Profile{Name: "Acme reporting", Endpoints: []string{"categories"}, Operations: []string{"nightly export"}}
			specs := append(allPassing("ORDER-001"), fakeSpec{text: "ORDER-001 an order on a known table is placed",
				state: types.SpecStateSkipped, msg: "mutations are off for this host"})
			return Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, profile)
		}},
	}
}

// derivation is the part of a document that the verdict rules decide;
// the golden files hold it.
func derivation(d *Document) string {
	var b strings.Builder
	fmt.Fprintf(&b, "verdict: %s (exit %d)\ngo-live: %s: %s\nsummary: %s\n", d.Verdict, d.ExitCode(), d.GoLive.Verdict, d.GoLive.Reason, d.Summary)
	c, _ := json.Marshal(d.Counts)
	fmt.Fprintf(&b, "counts: %s\nrequirements:\n", c)
	for _, r := range d.Requirements {
		fmt.Fprintf(&b, "  %-10s %-11s %-23s advisory=%-5v profile=%-5v %s\n", r.ID, r.Status, r.Classification, r.Advisory, r.InProfile, r.Reason)
	}
	b.WriteString("coverage:\n")
	for i, e := range d.Coverage.Endpoints {
		fmt.Fprintf(&b, "  %-13s", e.ID)
		for j, cell := range d.Coverage.Cells[i] {
			fmt.Fprintf(&b, " %s=%s", d.Coverage.Families[j], cellLabel(cell))
		}
		b.WriteString("\n")
	}
	for _, n := range d.Coverage.NotExercised {
		fmt.Fprintf(&b, "  not exercised: %s/%s: %s\n", n.Endpoint, n.Family, n.Why)
	}
	for _, p := range d.Run.Problems {
		fmt.Fprintf(&b, "problem: %s\n", p)
	}
	return b.String()
}

func TestVerdictDerivationGolden(t *testing.T) {
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			got := derivation(sc.build(t))
			golden(t, filepath.Join("testdata", "verdict-"+sc.name+".golden"), []byte(got))
		})
	}
}

// golden compares got with a golden file, or rewrites it under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("update %s: %v", path, err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v (run go test ./harness/report -run %s -update to create it)", path, err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the derivation (run with -update if the change is intended)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestExitCodes(t *testing.T) {
	for verdict, want := range map[string]int{VerdictPass: 0, VerdictFail: 1, VerdictUnavailable: 3, VerdictConfigError: 4, VerdictInterrupted: 5, "bogus": 4} {
		if got := (&Document{Verdict: verdict}).ExitCode(); got != want {
			t.Errorf("verdict %s: exit code %d, want %d", verdict, got, want)
		}
	}
}

func TestAnAnswerTooLargeToReadIsStillAnAnswer(t *testing.T) {
	oversized := evidence.Exchange{Method: "POST", URL: "https://h/api/v2/bills", Status: 200, Error: "response body larger than 16777216 bytes"}
	if runWasUnavailable([]evidence.Exchange{oversized}) {
		t.Error("a 200 whose body was cut at WINSTON_MAX_BODY is a contract failure, not an outage")
	}
	down := []evidence.Exchange{{Status: 503, Unavailable: true}, {Error: "dial tcp: connection refused", Unavailable: true}}
	if !runWasUnavailable(down) {
		t.Error("503s and refused connections only: the run was unavailable")
	}
}

func TestAReplayMissIsAConfigurationErrorNotAnOutage(t *testing.T) {
	miss := []evidence.Exchange{{Method: "POST", URL: "https://replay.invalid/api/v2/bills", Error: "cassette AUTH-001: no recorded interaction", ReplayMiss: true}}
	if runWasUnavailable(miss) {
		t.Error("a replay miss asked nothing of the target: it is no outage")
	}
	req := &Requirement{ID: "AUTH-001", Status: StatusFailed, Reason: "8 violation(s)", Evidence: Evidence{Exchanges: miss}}
	classify(req, false, nil, "https://replay.invalid", time.Now())
	if req.Classification != ClassConfigurationError || !strings.Contains(req.Reason, "make record FOCUS=AUTH-001") {
		t.Errorf("got %s: %s", req.Classification, req.Reason)
	}
	doc := &Document{Requirements: []Requirement{*req}}
	doc.Counts = countRequirements(doc.Requirements)
	if v := deriveVerdict(doc, false); v != VerdictConfigError {
		t.Errorf("verdict %s, want %s", v, VerdictConfigError)
	}
}

// A live run against this machine is never a report to submit: a mock, a
// proxy in front of the sandbox that drops its header, or the sandbox
// itself answered, not a Winston environment.
func TestALiveRunAgainstThisMachineIsNotValidForSubmission(t *testing.T) {
	for _, target := range []string{"https://127.0.0.1:38443", "https://localhost:8443", "https://[::1]:443", "https://api.localhost", "https://localhost.:8443", "https://LOCALHOST."} {
		for _, mode := range []string{"live", "record"} {
			doc := &Document{Mode: mode, Verdict: VerdictPass, Target: Target{BaseURL: target}}
			if g := deriveGoLive(doc); g.Verdict != GoLiveNotValidForSubmission || !strings.Contains(g.Reason, "this machine") {
				t.Errorf("%s in %s mode: %s: %s", target, mode, g.Verdict, g.Reason)
			}
		}
	}
	doc := &Document{Mode: "live", Verdict: VerdictPass, Target: Target{BaseURL: "https://api-qa.mrwinston.com"}, Run: Run{SuiteVersion: "abc123-dirty"}}
	if g := deriveGoLive(doc); g.Verdict != GoLiveReady || !strings.Contains(g.Reason, "local changes") {
		t.Errorf("a dirty suite against a real host: %s: %s", g.Verdict, g.Reason)
	}
}

// A recording names the checks whose cassettes it kept from before.
func TestARecordingNamesTheCassettesItKept(t *testing.T) {
	run := liveRun()
	run.Mode = "record"
	failing := fakeSpec{text: "AUTH-002 a missing Authorization header gets 401", state: types.SpecStateFailed, msg: "bills: expected 401, got 200"}
	doc := Build(ginkgoReport(t, append(allPassing("AUTH-002"), failing)...), testCatalogue(t), run, nil, nil)
	if p := strings.Join(doc.Run.Problems, "\n"); !strings.Contains(p, "cassettes of AUTH-002 were not rewritten") {
		t.Errorf("problems: %q", doc.Run.Problems)
	}
}

// A focused recording (make record FOCUS=ID) rewrites the focused checks'
// cassettes only, as asked: the checks the focus left out are not named
// as kept, which read like a problem with the recording. A check that
// ran and skipped itself still is.
func TestAFocusedRecordingNamesOnlyTheChecksItRan(t *testing.T) {
	run := liveRun()
	run.Mode = "record"
	specs := append(allPassing("STRUCT-003", "TRANS-004"),
		fakeSpec{text: "STRUCT-003 a refused method gets 405 with Allow POST", state: types.SpecStateSkipped},
		fakeSpec{text: "TRANS-004 a valid certificate", state: types.SpecStateSkipped, msg: "no certificate to read: the target is plain HTTP"})
	doc := Build(ginkgoReport(t, specs...), testCatalogue(t), run, nil, nil)
	p := strings.Join(doc.Run.Problems, "\n")
	if strings.Contains(p, "STRUCT-003") {
		t.Errorf("a check the focus left out is named as kept: %q", p)
	}
	if !strings.Contains(p, "cassettes of TRANS-004 were not rewritten") {
		t.Errorf("a check that skipped itself is not named as kept: %q", p)
	}
}

// --fail-fast stops a run at its first failed spec and Ginkgo skips the
// rest without a word. A SHOULD failure stops it too, and what never ran
// was not judged: the run is interrupted, never a pass. Stopped at a MUST
// violation, it fails.
func TestAFailFastRunIsNeverAPass(t *testing.T) {
	failFast := func(failing fakeSpec) types.Report {
		specs := allPassing("STRUCT-003", "TRANS-004", "SCHEMA-001", "ORDER-001", "ERR-004")
		specs = append(specs, failing,
			fakeSpec{text: "TRANS-004 a valid certificate", state: types.SpecStateSkipped},
			fakeSpec{text: "SCHEMA-001 responses match their schemas", state: types.SpecStateSkipped},
			fakeSpec{text: "ORDER-001 an order on a known table is placed", state: types.SpecStateSkipped})
		r := ginkgoReport(t, specs...)
		r.SuiteConfig.FailFast = true
		r.PreRunStats.SpecsThatWillRun = len(specs)
		return r
	}
	should := failFast(fakeSpec{text: "STRUCT-003 a refused method gets 405 with Allow POST", state: types.SpecStateFailed, msg: "bills: expected 405, got 404"})
	doc := Build(should, testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictInterrupted || !strings.Contains(doc.Run.Interrupted, "--fail-fast") || doc.ExitCode() != ExitInterrupted {
		t.Errorf("stopped at a SHOULD failure: verdict %s (%s), exit %d", doc.Verdict, doc.Run.Interrupted, doc.ExitCode())
	}
	must := failFast(fakeSpec{text: "ERR-004 an unknown route gets 404", state: types.SpecStateFailed, msg: "1 violation(s); first: expected 404, got 200"})
	if doc := Build(must, testCatalogue(t), liveRun(), nil, nil); doc.Verdict != VerdictFail {
		t.Errorf("stopped at a MUST violation: verdict %s (%s)", doc.Verdict, doc.Run.Interrupted)
	}
	// With -p the other processes stop as "Interrupted by Other Ginkgo
	// Process": the stop is still --fail-fast's, and a MUST violation
	// still fails the run.
	parallel := failFast(fakeSpec{text: "ERR-004 an unknown route gets 404", state: types.SpecStateFailed, msg: "1 violation(s); first: expected 404, got 200"})
	parallel.SpecReports[0].State = types.SpecStateInterrupted
	parallel.SpecReports[0].Failure.Message = "Interrupted by Other Ginkgo Process"
	parallel.SpecialSuiteFailureReasons = []string{"Interrupted by Other Ginkgo Process"}
	if doc := Build(parallel, testCatalogue(t), liveRun(), nil, nil); doc.Verdict != VerdictFail || !strings.Contains(doc.Run.Interrupted, "--fail-fast") {
		t.Errorf("-p --fail-fast stopped at a MUST violation: verdict %s (%s)", doc.Verdict, doc.Run.Interrupted)
	}
	// Without --fail-fast, specs skipped without a word were left out by
	// the focus: no interruption.
	focused := should
	focused.SuiteConfig.FailFast = false
	focused.PreRunStats.SpecsThatWillRun = 5
	if doc := Build(focused, testCatalogue(t), liveRun(), nil, nil); doc.Run.Interrupted != "" {
		t.Errorf("a focused run was taken for a stopped one: %s", doc.Run.Interrupted)
	}
}

// WINSTON_NOW, copied from the sandbox's printed line into a run against
// an environment, pins the clock the checks build their time windows on:
// such a run is not ready for go-live, and says which setting to unset.
func TestAPinnedClockIsNotReadyForGoLive(t *testing.T) {
	for name, cfg := range map[string]any{
		"as built":     config.Redacted{Now: "2026-11-21T12:00:00Z"},
		"as read back": map[string]any{"now": "2026-11-21T12:00:00Z"},
	} {
		doc := &Document{Mode: "live", Verdict: VerdictPass, Target: Target{BaseURL: "https://api-qa.mrwinston.com"}, Run: Run{Config: cfg}}
		if g := deriveGoLive(doc); g.Verdict != GoLiveNotReady || !strings.Contains(g.Reason, "WINSTON_NOW") {
			t.Errorf("%s: %s: %s", name, g.Verdict, g.Reason)
		}
	}
	doc := &Document{Mode: "live", Verdict: VerdictPass, Target: Target{BaseURL: "https://api-qa.mrwinston.com"}, Run: Run{Config: config.Redacted{}}}
	if g := deriveGoLive(doc); g.Verdict != GoLiveReady {
		t.Errorf("no WINSTON_NOW: %s: %s", g.Verdict, g.Reason)
	}
}

// Ginkgo's --dry-run reports every spec passed though none ran: the run is
// a configuration error that names the flag, and no row reads as passed.
func TestADryRunNeverPasses(t *testing.T) {
	r := ginkgoReport(t, allPassing()...)
	r.SuiteConfig.DryRun = true
	doc := Build(r, testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictConfigError || !strings.Contains(doc.Run.ConfigError, "--dry-run") || doc.ExitCode() != ExitConfigError {
		t.Errorf("verdict %s (%s), exit %d", doc.Verdict, doc.Run.ConfigError, doc.ExitCode())
	}
	for _, req := range doc.Requirements {
		if req.Status == StatusPassed {
			t.Errorf("%s reads as passed in a dry run", req.ID)
		}
	}
	if doc.GoLive.Verdict == GoLiveReady {
		t.Errorf("a dry run is ready for go-live: %s", doc.GoLive.Reason)
	}
}
