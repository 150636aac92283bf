package report

import (
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// interruptedRun is a run stopped part-way: one spec cut off in the middle
// (state), those after it skipped by Ginkgo, the rest passed.
func interruptedRun(t *testing.T, state types.SpecState, reasons ...string) types.Report {
	t.Helper()
	msg := "interrupted by user"
	if state == types.SpecStateTimedout {
		msg = "A suite timeout occurred"
	}
	specs := allPassing("SCHEMA-001", "TRANS-004")
	specs = append(specs,
		fakeSpec{text: "SCHEMA-001 responses match their schemas", state: state, msg: msg,
			exchanges: []evidence.Exchange{answer("/api/v2/bills", 200, "[]", time.Millisecond)}},
		fakeSpec{text: "TRANS-004 a valid certificate", state: types.SpecStateSkipped})
	r := ginkgoReport(t, specs...)
	r.SpecialSuiteFailureReasons = reasons
	return r
}

// An interrupted or aborted run never passes, and the spec that was cut
// off is not a contract violation: the target did nothing wrong.
func TestAnInterruptedRunNeverPassesAndIsNoContractViolation(t *testing.T) {
	for name, r := range map[string]types.Report{
		"interrupted by the user": interruptedRun(t, types.SpecStateInterrupted, "Interrupted by User"),
		"aborted":                 interruptedRun(t, types.SpecStateAborted),
		"suite timeout":           interruptedRun(t, types.SpecStatePassed, "Suite Timeout Elapsed"),
		// The spec running when the suite's timeout elapsed ends timed
		// out, its requests cancelled: cut off, not failed.
		"suite timeout mid-spec": interruptedRun(t, types.SpecStateTimedout, "Suite Timeout Elapsed"),
	} {
		t.Run(name, func(t *testing.T) {
			d := Build(r, testCatalogue(t), liveRun(), nil, nil)
			if d.Verdict == VerdictPass || d.ExitCode() == ExitPass {
				t.Errorf("verdict %s (exit %d): an interrupted run must never pass", d.Verdict, d.ExitCode())
			}
			if !strings.Contains(strings.ToLower(d.Summary), "interrupted") && !strings.Contains(strings.ToLower(d.Summary), "aborted") {
				t.Errorf("the summary must say the run was interrupted: %s", d.Summary)
			}
			if d.Counts.ContractViolations != 0 {
				t.Errorf("an interrupted spec is not a contract violation: %+v", d.Counts)
			}
			for _, req := range d.Requirements {
				if req.ID == "SCHEMA-001" && req.Classification == ClassContractViolation {
					t.Errorf("SCHEMA-001 was cut off, not violated: %s %s", req.Status, req.Classification)
				}
			}
		})
	}
}

// In an interrupted run, the checks Ginkgo never reached are not run
// because the run stopped, not skipped by choice, and the one cut off is
// described in words, not by Ginkgo's state name.
func TestAnInterruptedRunSaysWhichChecksItNeverReached(t *testing.T) {
	d := Build(interruptedRun(t, types.SpecStateTimedout, "Suite Timeout Elapsed"), testCatalogue(t), liveRun(), nil, nil)
	for _, req := range d.Requirements {
		switch req.ID {
		case "TRANS-004":
			if req.Status != StatusNotRun || !strings.Contains(req.Reason, "the run stopped before this check") ||
				!strings.Contains(req.Reason, "Suite Timeout Elapsed") {
				t.Errorf("TRANS-004, never reached: %s %q, want not-run saying the run stopped before it (Suite Timeout Elapsed)", req.Status, req.Reason)
			}
		case "SCHEMA-001":
			if strings.Contains(req.Reason, "timedout") || !strings.Contains(req.Reason, "suite's timeout") {
				t.Errorf("SCHEMA-001, cut off: reason %q, want it to say the suite's timeout cut it off, in words", req.Reason)
			}
		}
	}
	if d.Counts.Skipped != 0 {
		t.Errorf("counts %+v: nothing was skipped by choice", d.Counts)
	}
	// A skip with a message is a choice, interrupted run or not.
	r := interruptedRun(t, types.SpecStateInterrupted, "Interrupted by User")
	for i := range r.SpecReports {
		if strings.HasPrefix(r.SpecReports[i].LeafNodeText, "TRANS-004") {
			r.SpecReports[i].Failure.Message = "a TLS handshake cannot be replayed"
		}
	}
	for _, req := range Build(r, testCatalogue(t), liveRun(), nil, nil).Requirements {
		if req.ID == "TRANS-004" && req.Status != StatusSkipped {
			t.Errorf("TRANS-004 skipped with a message: %s, want skipped", req.Status)
		}
	}
}
