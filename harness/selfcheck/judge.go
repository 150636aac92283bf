package selfcheck

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// ExpectPass is the Row.Expect of the faithful run: the suite must pass.
const ExpectPass = "pass"

// Row is one run of the matrix: the faithful sandbox or one fault, what was
// expected of it and what the suite reported.
type Row struct {
	// Fault is the fault's name, or Faithful.
	Fault string `json:"fault"`
	// Summary says what the sandbox did wrong (empty for Faithful).
	Summary string `json:"summary,omitempty"`
	// Family is the check family expected to fail ("" for Faithful).
	Family string `json:"family,omitempty"`
	// Expect is pass (Faithful), fail or unavailable.
	Expect string `json:"expect"`
	// Breaks are the requirement IDs the fault must make fail.
	Breaks []string `json:"breaks"`
	// MidRun is true for an outage that starts part-way through the run
	// (sandbox.Fault.MidRun): some checks must have passed before it.
	MidRun bool `json:"midRun,omitempty"`
	// Verdict is the report's verdict; empty when no report was read.
	Verdict string `json:"verdict"`
	// Failed lists every requirement whose status was failed.
	Failed []string `json:"failed"`
	// Missed lists the IDs of Breaks that did not fail as a contract
	// violation: each one means a check that could not see its fault.
	Missed []string `json:"missed,omitempty"`
	// Extra lists failures not named in Breaks: shown, never an error (a
	// broken answer often breaks more than one rule).
	Extra []string `json:"extra,omitempty"`
	// OutsideFamily lists the Extra failures whose family is not Family:
	// shown so that a fault which breaks more than it says is noticed.
	OutsideFamily []string `json:"outsideFamily,omitempty"`
	// OtherFamilies names the families of OutsideFamily.
	OtherFamilies []string `json:"otherFamilies,omitempty"`
	// OK is true when the run went as expected: the fault was caught, or
	// for Faithful, nothing failed.
	OK bool `json:"ok"`
	// Problems says why OK is false, one sentence each.
	Problems []string `json:"problems,omitempty"`
	// ReportDir is the run's report directory (report.json, suite.log,
	// sandbox.log).
	ReportDir string `json:"reportDir"`
	// Seconds is how long the run took.
	Seconds float64 `json:"seconds"`
}

// FaithfulRow is the row of the faithful run before it is judged: it
// expects the verdict pass and no failure.
func FaithfulRow() Row {
	return Row{Fault: Faithful, Expect: ExpectPass, Breaks: []string{}, Failed: []string{}}
}

// FaultRow is the row of a fault's run before it is judged: it expects
// what the fault's Expect and Breaks say.
func FaultRow(f sandbox.Fault) Row {
	return Row{Fault: f.Name, Summary: f.Summary, Family: f.Family, Expect: f.Expect,
		Breaks: append([]string{}, f.Breaks...), MidRun: f.MidRun, Failed: []string{}}
}

// Judge compares the report of one run with what its row expects and fills
// Verdict, Failed, Missed, Extra, OtherFamilies, OK and Problems. A nil doc
// (no report could be read) leaves OK false; problems the caller already
// recorded (a timeout) are kept.
func Judge(row Row, doc *report.Document) Row {
	row.Failed, row.Missed, row.Extra, row.OutsideFamily, row.OtherFamilies = []string{}, nil, nil, nil, nil
	if doc == nil {
		if len(row.Problems) == 0 {
			row.Problems = append(row.Problems, "no report was written: read suite.log in "+row.ReportDir)
		}
		row.OK = false
		return row
	}
	row.Verdict = doc.Verdict
	byID := map[string]report.Requirement{}
	for _, r := range doc.Requirements {
		byID[r.ID] = r
		if r.Status == report.StatusFailed {
			row.Failed = append(row.Failed, r.ID)
		}
	}
	switch row.Expect {
	case ExpectPass:
		judgeFaithful(&row, doc)
	case sandbox.ExpectFail:
		judgeFail(&row, doc, byID)
	case sandbox.ExpectUnavailable:
		judgeOutage(&row, doc)
	case sandbox.ExpectNotJudged:
		judgeNotJudged(&row, doc, byID)
	case sandbox.ExpectSetup:
		judgeSetup(&row, doc, byID)
	default:
		row.problem("the fault expects %q: the sandbox registry must say %q, %q, %q or %q", row.Expect, sandbox.ExpectFail, sandbox.ExpectNotJudged, sandbox.ExpectSetup, sandbox.ExpectUnavailable)
	}
	row.OK = len(row.Problems) == 0
	return row
}

// judgeOutage: an outage must give the verdict unavailable, and no
// requirement may fail as a contract violation (the nightly reader would
// take the outage for a broken API). An outage that starts mid-run must
// leave the checks made before it judged: at least one passed.
func judgeOutage(row *Row, doc *report.Document) {
	if doc.Verdict != report.VerdictUnavailable {
		row.problem("verdict %s, want %s: the suite did not classify the outage as environment unavailable (%s)",
			doc.Verdict, report.VerdictUnavailable, doc.Summary)
	}
	for _, r := range doc.Requirements {
		if r.Status == report.StatusFailed && r.Classification == report.ClassContractViolation {
			row.problem("%s failed as %s, want %s: the outage was read as a broken contract (%s)",
				r.ID, r.Classification, report.ClassEnvironmentUnavailable, firstLine(r.Reason))
		}
	}
	if !row.MidRun {
		return
	}
	for _, r := range doc.Requirements {
		if r.Status == report.StatusPassed {
			return
		}
	}
	row.problem("no requirement passed, but the outage started mid-run: the checks made before it must still be judged (%s)", doc.Summary)
}

// judgeNotJudged: data too thin to judge must fail every requirement in
// Breaks as a configuration error that a too-few-items finding explains,
// with the verdict config-error: never a pass (the checks would pass on
// nothing), never a contract violation (a real environment with little
// data answers the same way).
func judgeNotJudged(row *Row, doc *report.Document, byID map[string]report.Requirement) {
	judgeConfigErrors(row, doc, byID, "it leaves unjudged", "checks that could not be judged on the data must say so", func(r report.Requirement) string {
		switch {
		case r.Status != report.StatusFailed:
			return fmt.Sprintf("%s was %s, want failed as not judged: its check passed on too little data (%s)", r.ID, r.Status, firstLine(r.Reason))
		case r.Classification != report.ClassConfigurationError || !report.ThinData(&r):
			return fmt.Sprintf("%s failed as %s, want %s with a too-few-items finding: the data was too thin, the contract was not broken (%s)",
				r.ID, r.Classification, report.ClassConfigurationError, firstLine(r.Reason))
		}
		return ""
	})
}

// judgeSetup: a target that is right where the catalogue guessed wrong
// must fail every requirement in Breaks as a configuration error, with the
// verdict config-error, and no requirement as a contract violation: the
// fix is in the catalogue, and the target broke nothing.
func judgeSetup(row *Row, doc *report.Document, byID map[string]report.Requirement) {
	judgeConfigErrors(row, doc, byID, "it leaves to the setup", "a wrong guess of the catalogue must say what to change", func(r report.Requirement) string {
		if r.Status != report.StatusFailed || r.Classification != report.ClassConfigurationError {
			return fmt.Sprintf("%s was %s %s, want failed as %s: the catalogue's guess was wrong, not the target (%s)",
				r.ID, r.Status, r.Classification, report.ClassConfigurationError, firstLine(r.Reason))
		}
		return ""
	})
	for _, r := range doc.Requirements {
		if r.Status == report.StatusFailed && r.Classification == report.ClassContractViolation {
			row.problem("%s failed as %s: a wrong guess of the catalogue was blamed on the target (%s)", r.ID, r.Classification, firstLine(r.Reason))
		}
	}
}

// judgeConfigErrors is what judgeNotJudged and judgeSetup share: the fault
// names requirements (what says how, in a problem when it names none),
// each of them is in the report and right by wrong (which returns the
// problem, or ""), and the verdict is config-error (verdictWhy says why it
// must be).
func judgeConfigErrors(row *Row, doc *report.Document, byID map[string]report.Requirement, what, verdictWhy string, wrong func(report.Requirement) string) {
	if len(row.Breaks) == 0 {
		row.problem("fault %s names no requirement %s: list their IDs in Breaks (harness/sandbox/faults.go)", row.Fault, what)
	}
	for _, id := range row.Breaks {
		r, ok := byID[id]
		problem := ""
		if !ok {
			problem = id + " is not in the report: the fault names a requirement the suite does not have"
		} else {
			problem = wrong(r)
		}
		if problem != "" {
			row.Missed = append(row.Missed, id)
			row.problem("%s", problem)
		}
	}
	if doc.Verdict != report.VerdictConfigError {
		row.problem("verdict %s, want %s: %s (%s)", doc.Verdict, report.VerdictConfigError, verdictWhy, doc.Summary)
	}
}

// judgeFaithful: a correct sandbox (the faithful one, or a correct
// variant) must pass, with no failure at all (an advisory SHOULD failure
// on it is a broken check too).
func judgeFaithful(row *Row, doc *report.Document) {
	where := "the faithful sandbox"
	if row.Fault != Faithful {
		where = "the correct variant " + row.Fault + " (a check that fails there demands more than the contract)"
	}
	if doc.Verdict != report.VerdictPass {
		row.problem("verdict %s on %s, want pass: %s", doc.Verdict, where, doc.Summary)
	}
	for _, r := range doc.Requirements {
		if r.Status == report.StatusFailed {
			row.problem("%s failed on %s (%s): %s", r.ID, where, r.Classification, firstLine(r.Reason))
		}
	}
}

// judgeFail checks that the fault names at least one requirement and that
// every requirement in Breaks failed as a contract violation, and that the verdict is fail unless every one of them is an
// advisory SHOULD (which by design never fails a run).
func judgeFail(row *Row, doc *report.Document, byID map[string]report.Requirement) {
	if len(row.Breaks) == 0 {
		// Any run would "catch" it: the row proves no check can fail.
		row.problem("fault %s names no requirement it breaks: a fault that claims to break nothing proves nothing; list the requirement IDs it must make fail in Breaks (harness/sandbox/faults.go)", row.Fault)
	}
	breaks := map[string]bool{}
	mustFail := false
	for _, id := range row.Breaks {
		breaks[id] = true
		r, ok := byID[id]
		switch {
		case !ok:
			row.Missed = append(row.Missed, id)
			row.problem("%s is not in the report: the fault names a requirement the suite does not have", id)
			continue
		case r.Status != report.StatusFailed:
			row.Missed = append(row.Missed, id)
			row.problem("%s was %s, want failed: its check did not see the fault (%s)", id, r.Status, firstLine(r.Reason))
			continue
		case r.Classification != report.ClassContractViolation:
			row.Missed = append(row.Missed, id)
			row.problem("%s failed as %s, want %s: the answer was wrong, not missing", id, r.Classification, report.ClassContractViolation)
			continue
		}
		if !r.Advisory {
			mustFail = true
		}
	}
	if mustFail && doc.Verdict != report.VerdictFail {
		row.problem("verdict %s, want %s: a MUST requirement failed but the run was not judged a failure (%s)",
			doc.Verdict, report.VerdictFail, doc.Summary)
	}
	families := map[string]bool{}
	for _, id := range row.Failed {
		if breaks[id] {
			continue
		}
		row.Extra = append(row.Extra, id)
		if fam := byID[id].Family; fam != row.Family {
			row.OutsideFamily = append(row.OutsideFamily, id)
			families[fam] = true
		}
	}
	row.OtherFamilies = sortedKeys(families)
}

func (r *Row) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Coverage checks the faults against the catalogue. Unproven lists, in
// catalogue order, the requirements that no fault expected to fail
// (sandbox.ExpectFail) names in Breaks: no one
// has seen their checks fail, so a check that cannot fail would go
// unnoticed. Unknown lists "fault: ID" for each ID a fault names that the
// catalogue does not have (a renamed or removed requirement).
func Coverage(cat *catalogue.Catalogue, faults []sandbox.Fault) (unproven, unknown []string) {
	named := map[string]bool{}
	inCatalogue := map[string]bool{}
	for _, r := range cat.Requirements {
		inCatalogue[r.ID] = true
	}
	for _, f := range faults {
		for _, id := range f.Breaks {
			// Only a fault the suite must see as a violation proves
			// that a check can fail on a broken answer.
			if f.Expect == sandbox.ExpectFail {
				named[id] = true
			}
			if !inCatalogue[id] {
				unknown = append(unknown, f.Name+": "+id)
			}
		}
	}
	for _, r := range cat.Requirements {
		if !named[r.ID] {
			unproven = append(unproven, r.ID)
		}
	}
	sort.Strings(unknown)
	return unproven, unknown
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	const limit = 200
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
