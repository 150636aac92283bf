package report

import (
	"cmp"
	"fmt"
	"sort"
	"strings"
)

// The helpers here are shared by the Markdown and HTML writers, so that
// both say the same thing in the same order.

// severity orders rows for reading: what blocks go-live first, then what
// could not be judged, then what is known or advisory, then what did not
// run, and passes last.
func severity(r Requirement) int {
	switch {
	case isViolation(r):
		return 0
	case r.Status == StatusFailed && r.Classification == ClassEnvironmentUnavailable:
		return 1
	case r.Status == StatusFailed:
		return 2
	case r.Status == StatusKnownIssue:
		return 3
	case r.Status == StatusSkipped:
		return 4
	case r.Status == StatusNotRun:
		return 5
	default:
		return 6
	}
}

// byseverity returns the rows most severe first; within a severity the
// document order (profile first, then catalogue order) is kept.
func bySeverity(reqs []Requirement) []Requirement {
	out := append([]Requirement(nil), reqs...)
	sort.SliceStable(out, func(i, j int) bool { return severity(out[i]) < severity(out[j]) })
	return out
}

// classLabel is the classification in words, shown next to every row
// that did not pass.
func classLabel(r Requirement) string {
	switch r.Classification {
	case ClassContractViolation:
		if r.Advisory {
			return "contract violation (advisory: SHOULD, does not fail the run)"
		}
		return "contract violation"
	case ClassEnvironmentUnavailable:
		if throttledOnly(r) {
			return "environment unavailable (throttled: 429 after retries)"
		}
		return "environment unavailable"
	case ClassConfigurationError:
		return "configuration error"
	case ClassKnownVendorIssue:
		return "known vendor issue"
	}
	return ""
}

// statusLabel is a requirement's status in a reviewer's words, as the
// report.html badge and the report.md tables show it: a failure says what
// kind it is (a MUST violation, an advisory SHOULD, an outage, throttling,
// a setup problem), and a pass that left endpoints not judged says so, so
// that it never reads as a plain pass.
func statusLabel(r Requirement) string {
	switch r.Status {
	case StatusPassed:
		if len(notJudgedNotes(r)) > 0 {
			return "passed, partly not judged"
		}
		return "passed"
	case StatusFailed:
		switch {
		case r.Classification == ClassEnvironmentUnavailable && throttledOnly(r):
			return "throttled"
		case r.Classification == ClassEnvironmentUnavailable:
			return "unavailable"
		case r.Classification == ClassConfigurationError:
			return "configuration error"
		case r.Advisory:
			return "advisory (SHOULD)"
		}
		return "FAILED"
	case StatusKnownIssue:
		return "known vendor issue"
	case StatusSkipped:
		return "skipped"
	case StatusNotRun:
		return "not run"
	}
	return r.Status
}

// throttledOnly is true for a failure that judged no answer wrong and
// was kept from passing by 429s: the target throttled the run.
func throttledOnly(r Requirement) bool {
	return r.Status == StatusFailed && len(failingFindings(&r)) == 0 && wasThrottled(&r)
}

// notJudgedNotes lists, as "endpoint: why", the answers a requirement
// recorded without judging them and the endpoints it left out. A pass with
// such notes holds only for the endpoints that were judged.
func notJudgedNotes(r Requirement) []string {
	var notes []string
	for _, f := range r.Evidence.Findings {
		if !f.OK {
			continue
		}
		why := f.Facts[NotJudgedFact]
		if why == "" {
			why = f.Facts[skippedFact]
		}
		if why == "" {
			continue
		}
		where := f.Endpoint
		if where == "" {
			where = "(host)"
		}
		notes = append(notes, where+": "+why)
	}
	return notes
}

// verdictLabel explains d's verdict in a few words.
func verdictLabel(d *Document) string {
	switch v := d.Verdict; v {
	case VerdictPass:
		return "PASS"
	case VerdictFail:
		return "FAIL: contract violation"
	case VerdictUnavailable:
		if throttledRun(d) {
			return "UNAVAILABLE: the target throttled the run (429 after retries), no contract verdict"
		}
		return "UNAVAILABLE: environment unavailable, no contract verdict"
	case VerdictConfigError:
		if d.Run.ConfigError == "" {
			// The configuration loaded and checks ran; some could not
			// be judged for a reason in the setup (the problems say).
			return "CONFIG ERROR: some checks could not be judged (the run's problems say why: the setup, or too few items), no contract verdict"
		}
		return "CONFIG ERROR: configuration error, nothing was checked"
	case VerdictInterrupted:
		return "INTERRUPTED: the run stopped before its end, no verdict"
	}
	return strings.ToUpper(d.Verdict)
}

// goLiveLabel is the go-live verdict in words.
func goLiveLabel(v string) string {
	switch v {
	case GoLiveReady:
		return "ready for go-live"
	case GoLiveNotReady:
		return "not ready for go-live"
	case GoLiveNotValidForSubmission:
		return "NOT VALID FOR SUBMISSION"
	}
	return v
}

// cellLabel is a short word for a coverage cell.
func cellLabel(c Cell) string {
	switch c.Status {
	case StatusPassed:
		return "pass"
	case StatusFailed:
		switch {
		case c.Classification == ClassEnvironmentUnavailable && c.Throttled:
			return "throttled"
		case c.Classification == ClassEnvironmentUnavailable:
			return "outage"
		case c.Classification == ClassConfigurationError:
			return "setup"
		case c.Advisory:
			return "advisory"
		}
		return "FAIL"
	case StatusNotJudged:
		return "not judged"
	case StatusKnownIssue:
		return "known"
	case StatusSkipped:
		return "skip"
	case StatusNotRun:
		return "not run"
	}
	return "–"
}

// mode describes how answers were obtained.
func modeLabel(d *Document) string {
	s := d.Mode
	if d.Run.CassetteSource != "" {
		s += fmt.Sprintf(" (cassettes from %s", cmp.Or(cassetteSourceWords(d.Run.CassetteSource), d.Run.CassetteSource))
		if d.Run.CassettesRecordedAt != "" {
			s += ", recorded " + d.Run.CassettesRecordedAt
		}
		s += ")"
	}
	if d.Run.Sandbox {
		s += "; answers from the local sandbox, not the real Winston API"
	}
	return s
}

// transportLabel is the TLS, certificate and HSTS facts in one line.
func transportLabel(t Target) string {
	var parts []string
	if t.TLSVersion != "" || t.TLSCipher != "" {
		parts = append(parts, strings.TrimSpace(t.TLSVersion+" "+t.TLSCipher))
	}
	if t.CertIssuer != "" {
		parts = append(parts, "certificate by "+t.CertIssuer)
	}
	if t.CertExpiry != "" {
		parts = append(parts, "expires "+t.CertExpiry)
	}
	if t.HSTS != "" {
		parts = append(parts, "HSTS: "+t.HSTS)
	}
	if len(parts) == 0 {
		return "not observed in this run"
	}
	return strings.Join(parts, "; ")
}

// latencyRows lists per-endpoint latency, endpoints in coverage order and
// the overall row last.
func latencyRows(d *Document) []latencyRow {
	var rows []latencyRow
	for _, e := range d.Coverage.Endpoints {
		if s, ok := d.Latency[e.ID]; ok {
			rows = append(rows, latencyRow{e.ID, s})
		}
	}
	if s, ok := d.Latency["*"]; ok {
		rows = append(rows, latencyRow{"all endpoints", s})
	}
	return rows
}

type latencyRow struct {
	Endpoint string
	Stats    LatencyStats
}

// excerptLimit bounds the exchanges shown per requirement in Markdown and
// HTML; report.json keeps them all.
const excerptLimit = 5

// cellCSS is the colour class of a coverage cell: its status, refined for
// failures that are not contract violations.
func cellCSS(c Cell) string {
	switch {
	case c.Status == StatusFailed && c.Classification == ClassEnvironmentUnavailable:
		return "c-unavailable"
	case c.Status == StatusFailed && c.Classification == ClassConfigurationError:
		return "c-setup"
	case c.Status == StatusFailed && c.Advisory:
		return "c-advisory"
	}
	return "c-" + c.Status
}
