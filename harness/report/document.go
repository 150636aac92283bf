// Package report turns one run of the Winston conformance suite into the
// document an integrator attaches to the go-live e-mail, and into the files
// CI and people read: report.json (the document itself), junit.xml,
// report.md and report.html.
//
// The document is built in exactly one place, Build, from Ginkgo's report.
// Every writer renders that one document, and every byte written passes
// through redact.Global(), so an API key never reaches the report directory.
// Compare sets a run against a baseline run for the nightly regression.
//
// The document is versioned (SchemaVersion) and described by the draft-07
// schema schemas/report.schema.json; a reader of another version gets an
// error naming both versions rather than a silently wrong comparison.
package report

import (
	"fmt"
	"slices"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// SchemaVersion names the format of the report document. It changes only
// when a field changes meaning or is removed; readers refuse other versions.
const SchemaVersion = "winston-conformance-report/v1"

// Verdicts of a run, in the document's verdict field.
const (
	// VerdictPass: every MUST requirement that ran passed (known vendor
	// issues and advisory SHOULD failures aside).
	VerdictPass = "pass"
	// VerdictFail: at least one MUST requirement failed on an answer the
	// target gave: a contract violation.
	VerdictFail = "fail"
	// VerdictUnavailable: the target could not be reached or answered
	// only 5xx/timeouts, so no contract verdict was possible. It is never
	// a contract failure and never a pass.
	VerdictUnavailable = "unavailable"
	// VerdictConfigError: the configuration did not validate (or the
	// suite's own setup failed); no contract verdict was made.
	VerdictConfigError = "config-error"
	// VerdictInterrupted: the run stopped before its end (interrupted,
	// aborted or out of time), so not every check was judged: never a
	// pass, whatever the checks that ran said.
	VerdictInterrupted = "interrupted"
)

// Exit codes of the suite's command, one per verdict. CI treats
// ExitUnavailable as a warning (an outage is not the integrator's fault)
// and the others as failures.
const (
	ExitPass        = 0
	ExitFail        = 1
	ExitUnavailable = 3
	ExitConfigError = 4
	ExitInterrupted = 5
	// ExitUnavailableTooLong is not a verdict's: `verdict -history DIR
	// -max-unavailable N` exits with it instead of ExitUnavailable when
	// this run is the Nth or later unavailable run in a row, which CI
	// treats as a failure.
	ExitUnavailableTooLong = 6
)

// Statuses of one requirement.
const (
	StatusPassed     = "passed"
	StatusFailed     = "failed"
	StatusSkipped    = "skipped"
	StatusKnownIssue = "known-issue"
	StatusNotRun     = "not-run"
	// StatusNotApplicable appears only in coverage cells: no requirement
	// of that family covers that endpoint.
	StatusNotApplicable = "not-applicable"
	// StatusNotJudged appears only in coverage cells: the checks of that
	// family saw the endpoint's answers but judged none (an empty list, a
	// 429), though their requirements passed on other endpoints.
	StatusNotJudged = "not-judged"
)

// Classifications say why a requirement did not pass; they are shown next
// to every failure so that a reader can tell a vendor defect from an outage.
const (
	ClassContractViolation      = "contract-violation"
	ClassEnvironmentUnavailable = "environment-unavailable"
	ClassConfigurationError     = "configuration-error"
	ClassKnownVendorIssue       = "known-vendor-issue"
)

// Go-live verdicts: whether this report supports asking Winston to take
// the integration live.
const (
	GoLiveReady                 = "ready"
	GoLiveNotReady              = "not-ready"
	GoLiveNotValidForSubmission = "not-valid-for-submission"
)

// Document is the whole report of one run. Its JSON form is report.json;
// the field comments are the reference for anyone reading that file.
type Document struct {
	// SchemaVersion is always SchemaVersion for documents this package
	// writes.
	SchemaVersion string `json:"schemaVersion"`
	// Verdict is pass, fail, unavailable, config-error or interrupted.
	Verdict string `json:"verdict"`
	// GoLive says whether this run supports the go-live request.
	GoLive GoLive `json:"goLive"`
	// Summary is one sentence for a human: what passed, against what,
	// and what did not.
	Summary string `json:"summary"`
	// Mode is replay, record or live.
	Mode string `json:"mode"`
	// Run describes how the run was made and how to reproduce it.
	Run Run `json:"run"`
	// Target is what was tested, without the key.
	Target Target `json:"target"`
	// Requirements holds one row per catalogue requirement: the
	// integration profile's requirements first, then catalogue order.
	Requirements []Requirement `json:"requirements"`
	// Coverage is the endpoint x check-family matrix.
	Coverage Coverage `json:"coverage"`
	// Latency per endpoint ID, from live answers only (replayed answers
	// have no latency). The key "*" holds all endpoints together.
	Latency map[string]LatencyStats `json:"latency"`
	// Shapes per endpoint ID: the JSON paths and types seen in the
	// target's answers, for drift detection by Compare.
	Shapes map[string]Shape `json:"shapes"`
	// Profile is the integration profile the go-live verdict covers, if
	// one was given.
	Profile *ProfileSummary `json:"profile,omitempty"`
	// Counts tallies Requirements by status.
	Counts Counts `json:"counts"`
}

// GoLive is the go-live verdict and the reason for it.
type GoLive struct {
	// Verdict is ready, not-ready or not-valid-for-submission.
	Verdict string `json:"verdict"`
	// Reason explains the verdict and, when not ready, lists what stands
	// in the way.
	Reason string `json:"reason"`
}

// Run describes one execution of the suite.
type Run struct {
	// Mode is replay, record or live.
	Mode string `json:"mode"`
	// SuiteVersion identifies the suite's code (git revision).
	SuiteVersion string `json:"suiteVersion"`
	// Command reproduces the whole run.
	Command string `json:"command"`
	// Seed is Ginkgo's random seed.
	Seed int64 `json:"seed"`
	// Start and End of the run.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// CassetteSource is where replayed answers were recorded: sandbox,
	// environment, or empty for a live run.
	CassetteSource string `json:"cassetteSource"`
	// CassettesRecordedAt is when the cassettes were recorded.
	CassettesRecordedAt string `json:"cassettesRecordedAt,omitempty"`
	// Sandbox is true when the answers came from the local sandbox, not
	// a Winston environment.
	Sandbox bool `json:"sandbox"`
	// ConfigError is the configuration problem that stopped the run.
	ConfigError string `json:"configError,omitempty"`
	// Interrupted says why the run stopped before its end (an interrupt,
	// the suite's timeout, an aborted spec); empty when it ran to the end.
	Interrupted string `json:"interrupted,omitempty"`
	// Config is the redacted configuration, as the suite loaded it.
	Config any `json:"config,omitempty"`
	// Parallel is the number of Ginkgo processes.
	Parallel int `json:"parallel"`
	// Retries counts the requests sent again after a 429 or a 5xx, in
	// all (each exchange says how many of its own).
	Retries int `json:"retries,omitempty"`
	// Problems lists failures outside any requirement (a failed suite
	// setup, an interrupted run).
	Problems []string `json:"problems,omitempty"`
	// Unproven lists requirements that no sandbox fault makes fail (see
	// make selfcheck): their checks have never been seen failing.
	Unproven []string `json:"unproven,omitempty"`
	// Catalogue is the catalogue the run checked against, when it was not
	// the suite's own (WINSTON_CATALOGUE): its hash, and how its
	// requirements differ from the suite's.
	Catalogue *CatalogueInfo `json:"catalogue,omitempty"`
}

// CatalogueInfo identifies a catalogue of the user's own.
type CatalogueInfo struct {
	// SHA256 is the hex SHA-256 of the file's bytes.
	SHA256 string `json:"sha256"`
	// Changes lists, one a line, each requirement of the suite's catalogue
	// it removes or whose level, source or statement it changes, and each
	// it adds ("AUTH-009 removed", "AUTH-009 level should (the suite's:
	// must)"): what a reader of a go-live report must see.
	Changes []string `json:"changes"`
}

// CatalogueChanges lists how the requirements of mine differ from those of
// the suite's catalogue.
func CatalogueChanges(suite, mine *catalogue.Catalogue) []string {
	changes := []string{}
	if suite == nil || mine == nil {
		return changes
	}
	theirs := map[string]catalogue.Requirement{}
	for _, r := range mine.Requirements {
		theirs[r.ID] = r
	}
	level := func(r catalogue.Requirement) string {
		if r.Level == "" {
			return catalogue.LevelMust
		}
		return r.Level
	}
	for _, r := range suite.Requirements {
		m, ok := theirs[r.ID]
		delete(theirs, r.ID)
		switch {
		case !ok:
			changes = append(changes, r.ID+" removed")
			continue
		case level(m) != level(r):
			changes = append(changes, fmt.Sprintf("%s level %s (the suite's: %s)", r.ID, level(m), level(r)))
		}
		if m.Source != r.Source {
			changes = append(changes, fmt.Sprintf("%s source %s (the suite's: %s)", r.ID, m.Source, r.Source))
		}
		if m.Must != r.Must {
			changes = append(changes, r.ID+" statement changed")
		}
		if !slices.Equal(m.Endpoints, r.Endpoints) {
			changes = append(changes, fmt.Sprintf("%s endpoints %v (the suite's: %v)", r.ID, m.Endpoints, r.Endpoints))
		}
	}
	for _, r := range mine.Requirements {
		if _, ok := theirs[r.ID]; ok {
			changes = append(changes, r.ID+" added")
		}
	}
	return changes
}

// Target is the environment that was tested. It never holds the key, only
// a short fingerprint that tells two keys apart.
type Target struct {
	// BaseURL is the https origin the suite called (user information and
	// api_key query values removed).
	BaseURL string `json:"baseUrl"`
	// HTTPURL is the plain-http origin of the redirect checks.
	HTTPURL string `json:"httpUrl,omitempty"`
	// AppName is the app name sent in "Token <app name>@<key>".
	AppName string `json:"appName"`
	// KeyFingerprint tells keys apart without revealing them (see
	// KeyFingerprint); the key itself is never reported.
	KeyFingerprint string `json:"keyFingerprint,omitempty"`
	// AuthScheme is token or bearer.
	AuthScheme string `json:"authScheme,omitempty"`
	// TLSVersion, TLSCipher, CertIssuer, CertExpiry and HSTS are the
	// transport facts the TRANS checks observed.
	TLSVersion string `json:"tlsVersion,omitempty"`
	TLSCipher  string `json:"tlsCipher,omitempty"`
	CertIssuer string `json:"certIssuer,omitempty"`
	CertExpiry string `json:"certExpiry,omitempty"`
	HSTS       string `json:"hsts,omitempty"`
}

// Requirement is one row of the report: a catalogue requirement and what
// this run found about it.
type Requirement struct {
	// ID is the stable requirement ID (AUTH-001); it names the spec, the
	// cassette and the JUnit case too.
	ID string `json:"id"`
	// Title is a short name; Must the one-sentence MUST (or SHOULD).
	Title string `json:"title"`
	Must  string `json:"must"`
	// Family is the check family (auth, structure, transport, errors,
	// schemas, behaviour): a column of the coverage matrix.
	Family string `json:"family"`
	// Source is where the rule comes from: mission, docs, inferred or
	// unknown.
	Source string `json:"source"`
	// Level is must or should.
	Level string `json:"level"`
	// Status is passed, failed, skipped, known-issue or not-run (in an
	// interrupted run, also a check the run never reached).
	Status string `json:"status"`
	// Classification says why it did not pass; empty when it passed or
	// was skipped by choice.
	Classification string `json:"classification"`
	// Advisory is true for a failed SHOULD requirement: shown, but it
	// does not change the verdict.
	Advisory bool `json:"advisory,omitempty"`
	// InProfile is true when the integration profile covers it.
	InProfile bool `json:"inProfile,omitempty"`
	// Reason is one line: the failure, the skip message or why it did
	// not run.
	Reason string `json:"reason"`
	// KnownIssue is the ledger entry that matched, for known-issue rows.
	KnownIssue *KnownIssue `json:"knownIssue,omitempty"`
	// Endpoints are the catalogue endpoint IDs the check covers.
	Endpoints []string `json:"endpoints"`
	// Focus is the command that replays just this check.
	Focus string `json:"focus"`
	// LatencyMs is the slowest live answer of this check, in ms.
	LatencyMs float64 `json:"latencyMs"`
	// DurationMs is how long the spec ran.
	DurationMs float64 `json:"durationMs"`
	// Evidence is what the check sent, received and concluded.
	Evidence Evidence `json:"evidence"`
	// certJudged says, while the report is built, whether TRANS-004
	// failed on the certificate in the same run, and whose the fault is:
	// only then is a request that failed on it left unjudged (see causeOf).
	certJudged certVerdict
}

// KnownIssue is the ledger entry that turned a failure into a known
// vendor issue.
type KnownIssue struct {
	// Note says what the defect is and where it is tracked.
	Note string `json:"note"`
	// Expires is the last day (YYYY-MM-DD) the entry applies.
	Expires string `json:"expires"`
}

// Evidence backs a requirement's status.
type Evidence struct {
	// Exchanges are the redacted requests and response excerpts.
	Exchanges []evidence.Exchange `json:"exchanges"`
	// Findings are the check's structured observations.
	Findings []evidence.Finding `json:"findings"`
	// Expected and Observed come from the first failing finding (or the
	// first finding when none failed).
	Expected string `json:"expected,omitempty"`
	Observed string `json:"observed,omitempty"`
	// SchemaErrors gathers the findings' schema errors.
	SchemaErrors []string `json:"schemaErrors,omitempty"`
	// Failure is Ginkgo's failure, redacted.
	Failure *Failure `json:"failure,omitempty"`
}

// Failure is where and why a spec failed.
type Failure struct {
	// Message is the failure message, redacted.
	Message string `json:"message"`
	// Location is the file:line of the failed assertion.
	Location string `json:"location,omitempty"`
}

// Counts tallies requirements by status and classification.
type Counts struct {
	// Passed, Failed, Skipped, KnownIssue and NotRun count requirements
	// by status; Total counts them all.
	Passed     int `json:"passed"`
	Failed     int `json:"failed"`
	Skipped    int `json:"skipped"`
	KnownIssue int `json:"knownIssue"`
	NotRun     int `json:"notRun"`
	Total      int `json:"total"`
	// ContractViolations, Advisory and EnvironmentUnavailable split
	// Failed by classification: MUST violations (these fail the run),
	// SHOULD violations, and checks the target never answered.
	ContractViolations     int `json:"contractViolations"`
	Advisory               int `json:"advisory"`
	EnvironmentUnavailable int `json:"environmentUnavailable"`
	// ConfigurationErrors counts checks the run's setup kept from judging
	// (a replay miss); any makes the verdict config-error.
	ConfigurationErrors int `json:"configurationErrors"`
}

// ExitCode is the exit code of the suite's command for this document:
// ExitPass only for the pass verdict, and a distinct non-zero code for
// every other verdict.
func (d *Document) ExitCode() int { return ExitCodeFor(d.Verdict) }

// ExitCodeFor maps a verdict to the suite's exit code. An unknown verdict
// is treated as a configuration error: it should never pass CI silently.
func ExitCodeFor(verdict string) int {
	switch verdict {
	case VerdictPass:
		return ExitPass
	case VerdictFail:
		return ExitFail
	case VerdictUnavailable:
		return ExitUnavailable
	case VerdictInterrupted:
		return ExitInterrupted
	default:
		return ExitConfigError
	}
}
