package report_test

import (
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/conformance"
	"github.com/winston-conformance/winston-conformance/harness/report"
)

// The report reads the facts the checks write: the keys must be the same.
func TestFactKeysMatchTheChecks(t *testing.T) {
	if report.NotJudgedFact != conformance.NotJudgedFact {
		t.Errorf("report.NotJudgedFact = %q, conformance.NotJudgedFact = %q: a not-judged finding would read as judged", report.NotJudgedFact, conformance.NotJudgedFact)
	}
	if report.ThrottledFact != conformance.ThrottledFact {
		t.Errorf("report.ThrottledFact = %q, conformance.ThrottledFact = %q", report.ThrottledFact, conformance.ThrottledFact)
	}
}
