package report

import (
	"fmt"
	"strings"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// renderMarkdown writes report.md: the text to paste into the validation
// e-mail to Winston. It leads with the verdict and the summary sentence,
// then the failures with their evidence, then what was not exercised, the
// coverage matrix and every requirement.
func (d *Document) renderMarkdown() ([]byte, error) {
	var b strings.Builder
	b.WriteString("# Winston API conformance report\n\n")
	fmt.Fprintf(&b, "**Verdict: %s** · **Go-live: %s**\n\n", verdictLabel(d), goLiveLabel(d.GoLive.Verdict))
	if d.GoLive.Verdict == GoLiveNotValidForSubmission {
		// The reason opens with "Not valid for submission:", which the
		// bold line says already.
		fmt.Fprintf(&b, "> **This report is not valid for submission.** %s\n\n", sentence(strings.TrimPrefix(d.GoLive.Reason, "Not valid for submission: ")))
	}
	fmt.Fprintf(&b, "%s\n\n", d.Summary)
	if d.GoLive.Verdict != GoLiveNotValidForSubmission {
		fmt.Fprintf(&b, "Go-live: %s\n\n", d.GoLive.Reason)
	}
	d.mdRun(&b)
	d.mdFailures(&b)
	d.mdNotExercised(&b)
	d.mdCoverage(&b)
	d.mdRequirements(&b)
	return []byte(b.String()), nil
}

func (d *Document) mdRun(b *strings.Builder) {
	b.WriteString("## What was tested\n\n| | |\n|---|---|\n")
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(b, "| %s | %s |\n", k, mdCell(v))
		}
	}
	row("Target", d.TargetLabel())
	row("Plain-HTTP origin", d.Target.HTTPURL)
	row("App name", d.Target.AppName)
	row("API key", keyLabel(d.Target.KeyFingerprint))
	row("Auth scheme", d.Target.AuthScheme)
	row("Transport", transportLabel(d.Target))
	row("Mode", modeLabel(d))
	row("Suite version", d.Run.SuiteVersion)
	row("Started", d.Run.Start.UTC().Format("2006-01-02 15:04:05 MST"))
	row("Ended", d.Run.End.UTC().Format("2006-01-02 15:04:05 MST"))
	row("Ginkgo seed", fmt.Sprint(d.Run.Seed))
	row("Reproduce", "`"+d.Run.Command+"`")
	row("Catalogue", d.CatalogueLabel())
	if d.Profile != nil {
		row("Integration profile", fmt.Sprintf("%s (endpoints: %s)", d.Profile.Name, strings.Join(d.Profile.Endpoints, ", ")))
	}
	row("Configuration error", d.Run.ConfigError)
	for _, p := range d.Run.Problems {
		row("Problem", p)
	}
	if len(d.Run.Unproven) > 0 {
		row("Unproven checks (no sandbox fault makes them fail)", strings.Join(d.Run.Unproven, ", "))
	}
	b.WriteString("\n")
}

func keyLabel(fp string) string {
	if fp == "" {
		return "not recorded"
	}
	return "fingerprint " + fp + " (the key itself is never reported)"
}

func (d *Document) mdFailures(b *strings.Builder) {
	var failed []Requirement
	for _, r := range bySeverity(d.Requirements) {
		if r.Status == StatusFailed || r.Status == StatusKnownIssue {
			failed = append(failed, r)
		}
	}
	if len(failed) == 0 {
		b.WriteString("## Not passed\n\nNone.\n\n")
		return
	}
	// Not every one is a failure of the API: each heading says whether it
	// is a contract violation, a setup error, a check the environment left
	// unjudged or a known issue.
	fmt.Fprintf(b, "## Not passed (%d)\n\nEach heading says what it is: a contract violation (the API's), a configuration error (the run's setup), environment unavailable (not judged) or a known vendor issue.\n\n", len(failed))
	for _, r := range failed {
		fmt.Fprintf(b, "### %s %s: %s\n\n", r.ID, r.Title, classLabel(r))
		fmt.Fprintf(b, "> %s (source: %s, level: %s)\n\n", r.Must, r.Source, r.Level)
		if r.Reason != "" {
			fmt.Fprintf(b, "- Reason (and the fix, where the suite knows one): %s\n", mdCell(r.Reason))
		}
		if r.KnownIssue != nil {
			fmt.Fprintf(b, "- Known vendor issue: %s (ledger entry until %s)\n", r.KnownIssue.Note, r.KnownIssue.Expires)
		}
		if r.Evidence.Expected != "" || r.Evidence.Observed != "" {
			fmt.Fprintf(b, "- Expected: %s\n- Observed: %s\n", r.Evidence.Expected, r.Evidence.Observed)
		}
		for _, e := range r.Evidence.SchemaErrors {
			fmt.Fprintf(b, "- Schema error: `%s`\n", strings.ReplaceAll(e, "`", "'"))
		}
		if len(r.Endpoints) > 0 {
			fmt.Fprintf(b, "- Endpoints: %s\n", strings.Join(r.Endpoints, ", "))
		}
		fmt.Fprintf(b, "- Replay this check: `%s`\n\n", r.Focus)
		if r.Evidence.Failure != nil {
			b.WriteString(fence(r.Evidence.Failure.Message))
		}
		for i, ex := range r.Evidence.Exchanges {
			if i == excerptLimit {
				fmt.Fprintf(b, "(%d more exchanges in report.json)\n\n", len(r.Evidence.Exchanges)-excerptLimit)
				break
			}
			mdExchange(b, ex)
		}
	}
}

func mdExchange(b *strings.Builder, ex evidence.Exchange) {
	fmt.Fprintf(b, "`%s %s` (auth: %s) → %s", ex.Method, ex.URL, ex.AuthShape, exchangeOutcome(ex))
	if ex.Latency > 0 {
		fmt.Fprintf(b, " in %.1f ms", ms(ex.Latency))
	}
	b.WriteString("\n\n")
	if ex.RequestBody != "" {
		b.WriteString(fence("request: " + ex.RequestBody))
	}
	if ex.ResponseBody != "" {
		b.WriteString(fence("response: " + ex.ResponseBody))
	}
}

func (d *Document) mdNotExercised(b *strings.Builder) {
	var rows []Requirement
	for _, r := range d.Requirements {
		if r.Status == StatusSkipped || r.Status == StatusNotRun {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(b, "## Not exercised (%d)\n\n| ID | status | why |\n|---|---|---|\n", len(rows))
	for _, r := range rows {
		fmt.Fprintf(b, "| %s | %s | %s |\n", r.ID, statusLabel(r), mdCell(r.Reason))
	}
	b.WriteString("\n")
}

func (d *Document) mdCoverage(b *strings.Builder) {
	b.WriteString("## Coverage: endpoint x check family\n\n| endpoint |")
	for _, f := range d.Coverage.Families {
		fmt.Fprintf(b, " %s |", f)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(d.Coverage.Families)) + "\n")
	for i, e := range d.Coverage.Endpoints {
		name := e.ID
		if e.InProfile {
			name += " (profile)"
		}
		fmt.Fprintf(b, "| %s |", mdCell(name))
		for _, c := range d.Coverage.Cells[i] {
			fmt.Fprintf(b, " %s |", cellLabel(c))
		}
		b.WriteString("\n")
	}
	b.WriteString("\npass: every check passed; FAIL: contract violation; setup: not judged for the run's setup or data (a configuration error); outage: environment unavailable; throttled: 429 after retries, not judged; advisory: a SHOULD failed; known: known vendor issue; skip: skipped; not run: not selected; not judged: its checks saw the answers but judged none (an empty list); –: no check of that family applies.\n\n")
	if rows := latencyRows(d); len(rows) > 0 {
		b.WriteString("### Latency (live answers)\n\n| endpoint | p50 ms | p95 ms | answers |\n|---|---|---|---|\n")
		for _, r := range rows {
			fmt.Fprintf(b, "| %s | %.1f | %.1f | %d |\n", r.Endpoint, r.Stats.P50Ms, r.Stats.P95Ms, r.Stats.Count)
		}
		b.WriteString("\n")
	}
}

func (d *Document) mdRequirements(b *strings.Builder) {
	b.WriteString("## All requirements\n\n| ID | requirement | source | level | status | classification | not judged |\n|---|---|---|---|---|---|---|\n")
	for _, r := range d.Requirements {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", r.ID, mdCell(r.Title), r.Source, r.Level, statusLabel(r), classLabel(r),
			mdCell(strings.Join(notJudgedNotes(r), "; ")))
	}
	b.WriteString("\n")
}

// sentence starts s with a capital letter.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// mdCell makes text safe inside a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// fence wraps text in a code block whose fence is longer than any run of
// backticks inside it, so an answer body cannot break out of the block.
func fence(s string) string {
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	f := strings.Repeat("`", max(3, longest+1))
	return f + "text\n" + strings.TrimRight(s, "\n") + "\n" + f + "\n\n"
}
