package selfcheck

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/redact"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// Files Write puts in the output directory.
const (
	MarkdownFile = "selfcheck.md"
	JSONFile     = "selfcheck.json"
)

// Matrix is the result of one selfcheck: a row per run and the coverage of
// the catalogue by the faults. Its JSON form is selfcheck.json.
type Matrix struct {
	// Summary is the headline: "N/M faults caught, K requirements
	// unproven", plus what else went wrong.
	Summary string `json:"summary"`
	// OK is true when every fault was caught, the faithful run was clean,
	// no requirement is unproven and no fault names an unknown ID.
	OK bool `json:"ok"`
	// FaultsCaught and FaultsTotal count the fault rows (Faithful aside).
	FaultsCaught int `json:"faultsCaught"`
	FaultsTotal  int `json:"faultsTotal"`
	// Unproven lists catalogue requirements no fault names in Breaks.
	Unproven []string `json:"unproven"`
	// UnknownBreaks lists "fault: ID" for IDs not in the catalogue.
	UnknownBreaks []string `json:"unknownBreaks,omitempty"`
	// Rows holds Faithful first, then the faults by name.
	Rows []Row `json:"rows"`
	// Start, Seconds and Parallel describe the selfcheck itself.
	Start    time.Time `json:"start"`
	Seconds  float64   `json:"seconds"`
	Parallel int       `json:"parallel"`
}

// NewMatrix tallies judged rows and the coverage lists into a Matrix.
func NewMatrix(rows []Row, unproven, unknown []string) *Matrix {
	m := &Matrix{Rows: rows, Unproven: append([]string{}, unproven...), UnknownBreaks: unknown}
	rowsOK := true
	faithfulOK := true
	for _, r := range rows {
		rowsOK = rowsOK && r.OK
		if r.Fault == Faithful {
			faithfulOK = r.OK
			continue
		}
		m.FaultsTotal++
		if r.OK {
			m.FaultsCaught++
		}
	}
	m.OK = rowsOK && len(unproven) == 0 && len(unknown) == 0
	m.Summary = fmt.Sprintf("%d/%d faults caught, %d %s unproven", m.FaultsCaught, m.FaultsTotal,
		len(unproven), plural(len(unproven), "requirement", "requirements"))
	if !faithfulOK {
		m.Summary += "; the faithful sandbox did not pass cleanly"
	}
	if len(unknown) > 0 {
		m.Summary += fmt.Sprintf("; %d fault %s name requirements the catalogue lacks", len(unknown), plural(len(unknown), "entry", "entries"))
	}
	return m
}

// ExitCode is 0 when the matrix is OK and 1 otherwise, for `make
// selfcheck` and CI.
func (m *Matrix) ExitCode() int {
	if m.OK {
		return 0
	}
	return 1
}

// Problems lists every reason the matrix is not OK, one line each, naming
// the fault or requirement and what to do.
func (m *Matrix) Problems() []string {
	var out []string
	for _, r := range m.Rows {
		for _, p := range r.Problems {
			out = append(out, r.Fault+": "+p)
		}
	}
	for _, id := range m.Unproven {
		out = append(out, id+" is unproven: no sandbox fault names it in Breaks, so no one has seen its check fail; add a fault to harness/sandbox that breaks it")
	}
	for _, u := range m.UnknownBreaks {
		out = append(out, "fault "+u+" is not in the catalogue: fix the fault's Breaks in harness/sandbox")
	}
	return out
}

// Markdown renders the matrix: the summary, the table (fault | family |
// expected to fail | failed | verdict | caught?), then the failures outside
// the expected family, the unproven requirements and every problem.
func (m *Matrix) Markdown() string {
	var b strings.Builder
	b.WriteString("# Fault matrix\n\n")
	fmt.Fprintf(&b, "**%s.** ", m.Summary)
	if m.OK {
		b.WriteString("Every fault was caught and the faithful sandbox passed.\n\n")
	} else {
		fmt.Fprintf(&b, "The selfcheck FAILED: %d %s below.\n\n", len(m.Problems()), plural(len(m.Problems()), "problem", "problems"))
	}
	b.WriteString("| fault | family | expected to fail | failed | verdict | caught? |\n|---|---|---|---|---|---|\n")
	for _, r := range m.Rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", cell(r.Fault), cell(dash(r.Family)),
			cell(expectedCell(r)), cell(failedCell(r)), cell(dash(r.Verdict)), caughtCell(r))
	}
	var other []string
	for _, r := range m.Rows {
		if len(r.OutsideFamily) > 0 {
			other = append(other, fmt.Sprintf("- `%s` (%s) also failed in %s: %s", r.Fault, r.Family,
				strings.Join(r.OtherFamilies, ", "), strings.Join(r.OutsideFamily, ", ")))
		}
	}
	if len(other) > 0 {
		b.WriteString("\n## Failures outside the expected family\n\nShown, not an error: one broken answer often breaks rules of several families.\n\n")
		b.WriteString(strings.Join(other, "\n") + "\n")
	}
	b.WriteString("\n## Unproven requirements\n\n")
	if len(m.Unproven) == 0 {
		b.WriteString("None: every requirement of the catalogue is named by a fault that makes it fail.\n")
	} else {
		b.WriteString("No sandbox fault makes these fail, so no one has seen their checks fail: " + strings.Join(m.Unproven, ", ") + ".\n")
	}
	if problems := m.Problems(); len(problems) > 0 {
		b.WriteString("\n## Problems\n\n")
		for _, p := range problems {
			b.WriteString("- " + p + "\n")
		}
	}
	fmt.Fprintf(&b, "\n%d runs, %d at a time, in %.1f s. Each run's report, suite.log and sandbox.log are in its directory next to this file.\n",
		len(m.Rows), m.Parallel, m.Seconds)
	return b.String()
}

// Write puts selfcheck.md and selfcheck.json in dir, through the redactor,
// each replaced atomically so that a reader never sees half a file.
func (m *Matrix) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("write the fault matrix: %w", err)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("write the fault matrix: encode %s: %w", JSONFile, err)
	}
	if err := writeAtomic(filepath.Join(dir, JSONFile), append(data, '\n')); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, MarkdownFile), []byte(m.Markdown()))
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := tmp.Write(redact.Global().Bytes(data))
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name()) // best effort: the error below is what matters
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}

func expectedCell(r Row) string {
	switch {
	case r.Expect == ExpectPass:
		return "nothing (verdict pass)"
	case r.Expect == sandbox.ExpectUnavailable:
		return "nothing (verdict unavailable)"
	case r.Expect == sandbox.ExpectNotJudged:
		return "not judged, too few items (verdict config-error): " + strings.Join(r.Breaks, ", ")
	case len(r.Breaks) == 0:
		return "(none named)"
	}
	return strings.Join(r.Breaks, ", ")
}

// failedCell lists the failures; a long list (an outage fails everything)
// is cut after the expected ones, with the count of the rest.
func failedCell(r Row) string {
	const maxListed = 8
	if len(r.Failed) == 0 {
		return "-"
	}
	if r.Expect == sandbox.ExpectUnavailable {
		return fmt.Sprintf("%d (unreachable)", len(r.Failed))
	}
	if len(r.Failed) <= maxListed {
		return strings.Join(r.Failed, ", ")
	}
	listed := []string{}
	for _, id := range r.Failed {
		if !slices.Contains(r.Extra, id) {
			listed = append(listed, id)
		}
	}
	if len(listed) > maxListed {
		// No failure was told apart as extra (a run judged for a
		// setup error): the first ones stand for the rest.
		listed = listed[:maxListed]
	}
	return fmt.Sprintf("%s and %d more", strings.Join(listed, ", "), len(r.Failed)-len(listed))
}

func caughtCell(r Row) string {
	switch {
	case r.Fault == Faithful && r.OK:
		return "clean"
	case r.Fault == Faithful:
		return "**NOT CLEAN**"
	case r.OK:
		return "yes"
	}
	return "**NO**"
}

func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
