package selfcheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/redact"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// sampleRows is a matrix of three runs: a clean faithful run, a caught
// fault and a missed one.
func sampleRows() []Row {
	faithful := Judge(FaithfulRow(), doc(report.VerdictPass, passed("AUTH-001", "auth")))
	caught := Judge(FaultRow(sandbox.Fault{Name: "reject-valid-token", Family: "auth", Expect: sandbox.ExpectFail, Breaks: []string{"AUTH-001"}}),
		doc(report.VerdictFail, violated("AUTH-001", "auth"), violated("STRUCT-001", "structure")))
	missed := Judge(FaultRow(sandbox.Fault{Name: "no-hsts", Family: "transport", Expect: sandbox.ExpectFail, Breaks: []string{"TRANS-005"}}),
		doc(report.VerdictPass, passed("TRANS-005", "transport")))
	return []Row{faithful, caught, missed}
}

func TestNewMatrixCountsAndSummary(t *testing.T) {
	m := NewMatrix(sampleRows(), []string{"STRUCT-001"}, nil)
	if m.FaultsCaught != 1 || m.FaultsTotal != 2 {
		t.Errorf("caught %d/%d, want 1/2: the faithful run is not a fault", m.FaultsCaught, m.FaultsTotal)
	}
	if m.Summary != "1/2 faults caught, 1 requirement unproven" {
		t.Errorf("summary %q", m.Summary)
	}
	if m.OK || m.ExitCode() != 1 {
		t.Errorf("a missed fault must fail the selfcheck: OK=%v exit %d", m.OK, m.ExitCode())
	}
}

func TestMatrixOKOnlyWhenEverythingHolds(t *testing.T) {
	rows := sampleRows()[:2]
	if m := NewMatrix(rows, nil, nil); !m.OK || m.ExitCode() != 0 || m.Summary != "1/1 faults caught, 0 requirements unproven" {
		t.Errorf("all caught, none unproven: OK=%v exit %d summary %q", m.OK, m.ExitCode(), m.Summary)
	}
	if m := NewMatrix(rows, []string{"STRUCT-001"}, nil); m.OK {
		t.Error("an unproven requirement must fail the selfcheck")
	}
	if m := NewMatrix(rows, nil, []string{"x: GONE-001"}); m.OK || !strings.Contains(m.Summary, "lacks") {
		t.Errorf("a fault naming an unknown requirement must fail the selfcheck: OK=%v %q", m.OK, m.Summary)
	}
	dirty := Judge(FaithfulRow(), doc(report.VerdictFail, violated("AUTH-001", "auth")))
	if m := NewMatrix([]Row{dirty, rows[1]}, nil, nil); m.OK || !strings.Contains(m.Summary, "faithful sandbox did not pass") {
		t.Errorf("a failure on the faithful sandbox must fail the selfcheck: OK=%v %q", m.OK, m.Summary)
	}
}

func TestMarkdownTable(t *testing.T) {
	md := NewMatrix(sampleRows(), []string{"STRUCT-001"}, nil).Markdown()
	for _, want := range []string{
		"**1/2 faults caught, 1 requirement unproven.**",
		"| fault | family | expected to fail | failed | verdict | caught? |",
		"| faithful | - | nothing (verdict pass) | - | pass | clean |",
		"| reject-valid-token | auth | AUTH-001 | AUTH-001, STRUCT-001 | fail | yes |",
		"| no-hsts | transport | TRANS-005 | - | pass | **NO** |",
		"`reject-valid-token` (auth) also failed in structure: STRUCT-001",
		"No sandbox fault makes these fail, so no one has seen their checks fail: STRUCT-001.",
		"- no-hsts: TRANS-005 was passed, want failed",
		"- STRUCT-001 is unproven",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestFailedCellCutsLongLists(t *testing.T) {
	row := Row{Expect: sandbox.ExpectFail, Failed: []string{"A-001", "B-001", "B-002", "B-003", "B-004", "B-005", "B-006", "B-007", "B-008"},
		Extra: []string{"B-001", "B-002", "B-003", "B-004", "B-005", "B-006", "B-007", "B-008"}}
	if got := failedCell(row); got != "A-001 and 8 more" {
		t.Errorf("failedCell = %q", got)
	}
	if got := failedCell(Row{Expect: sandbox.ExpectUnavailable, Failed: []string{"A-001", "B-001"}}); got != "2 (unreachable)" {
		t.Errorf("failedCell of an outage = %q", got)
	}
}

func TestWriteIsRedacted(t *testing.T) {
	secret := "matrix-test-secret-" + t.Name()
	redact.Global().Add(secret, "<PLANTED>")
	rows := sampleRows()
	rows[2].Problems = append(rows[2].Problems, "the body quoted "+secret)
	m := NewMatrix(rows, nil, nil)
	dir := filepath.Join(t.TempDir(), "out")
	if err := m.Write(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{MarkdownFile, JSONFile} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), secret) || !strings.Contains(string(data), "<PLANTED>") {
			t.Errorf("%s must show the placeholder, not the secret:\n%s", name, data)
		}
	}
	var back Matrix
	data, _ := os.ReadFile(filepath.Join(dir, JSONFile))
	if err := json.Unmarshal(data, &back); err != nil || back.Summary != m.Summary || len(back.Rows) != 3 {
		t.Errorf("selfcheck.json does not round-trip (%v): %+v", err, back)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestWriteReportsAnUnwritableDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := NewMatrix(sampleRows(), nil, nil).Write(file); err == nil || !strings.Contains(err.Error(), "write the fault matrix") {
		t.Errorf("writing under a file must fail with context, got %v", err)
	}
}
