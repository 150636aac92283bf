package report

import (
	"fmt"
	"strings"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// Markdown renders the comparison for compare.md and CI job summaries.
// The output is redacted.
func (c *Comparison) Markdown() string {
	var b strings.Builder
	b.WriteString("# Winston conformance: nightly comparison\n\n")
	fmt.Fprintf(&b, "| | baseline | current |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| started | %s | %s |\n", c.Baseline.Start.UTC().Format("2006-01-02 15:04 MST"), c.Current.Start.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "| verdict | %s | %s |\n", c.Baseline.Verdict, c.Current.Verdict)
	fmt.Fprintf(&b, "| mode | %s | %s |\n", c.Baseline.Mode, c.Current.Mode)
	fmt.Fprintf(&b, "| target | %s | %s |\n", mdCell(c.Baseline.Target), mdCell(c.Current.Target))
	fmt.Fprintf(&b, "| suite version | %s | %s |\n\n", mdCell(c.Baseline.SuiteVersion), mdCell(c.Current.SuiteVersion))
	fmt.Fprintf(&b, "%s\n\n", c.headline())
	c.sections(func(title string, lines []string) {
		fmt.Fprintf(&b, "## %s (%d)\n\n", title, len(lines))
		for _, l := range lines {
			fmt.Fprintf(&b, "- %s\n", l)
		}
		b.WriteString("\n")
	}, func(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" })
	if len(c.Latency) > 0 {
		b.WriteString("## Latency per endpoint (ms)\n\n| endpoint | p50 before | p50 now | p95 before | p95 now | trend |\n|---|---|---|---|---|---|\n")
		for _, l := range c.Latency {
			fmt.Fprintf(&b, "| %s | %.1f | %.1f | %.1f | %.1f | %s |\n", l.Endpoint, l.BeforeP50, l.AfterP50, l.BeforeP95, l.AfterP95, l.Trend)
		}
		b.WriteString("\n")
	}
	return redact.Global().String(b.String())
}

// Text renders the comparison for a terminal. The output is redacted.
func (c *Comparison) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "baseline: %s, %s, %s mode, %s\n", c.Baseline.Start.UTC().Format("2006-01-02 15:04"), c.Baseline.Verdict, c.Baseline.Mode, c.Baseline.Target)
	fmt.Fprintf(&b, "current:  %s, %s, %s mode, %s\n", c.Current.Start.UTC().Format("2006-01-02 15:04"), c.Current.Verdict, c.Current.Mode, c.Current.Target)
	fmt.Fprintf(&b, "%s\n", c.headline())
	c.sections(func(title string, lines []string) {
		fmt.Fprintf(&b, "\n%s (%d):\n", title, len(lines))
		for _, l := range lines {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}, func(s string) string { return s })
	if len(c.Latency) > 0 {
		b.WriteString("\nlatency (ms):\n")
		for _, l := range c.Latency {
			fmt.Fprintf(&b, "  %-16s p50 %.1f -> %.1f, p95 %.1f -> %.1f %s\n", l.Endpoint, l.BeforeP50, l.AfterP50, l.BeforeP95, l.AfterP95, l.Trend)
		}
	}
	return redact.Global().String(b.String())
}

// headline says first whether the API broke the contract, the
// environment was down or the run's setup was wrong, so that a nightly
// reader knows at a glance whom to call; then it counts every change.
func (c *Comparison) headline() string {
	if !c.HasRegressions() && len(c.Fixed)+len(c.Recovered)+len(c.Changed) == 0 {
		if c.Current.Verdict != "" && c.Current.Verdict != VerdictPass {
			// Nothing new, but nothing mended either: a standing
			// failure or outage must not read as all clear.
			return fmt.Sprintf("No change from the baseline, which was no pass either: tonight's verdict is still %s (%s)", c.Current.Verdict, c.Current.Summary)
		}
		return "No change from the baseline."
	}
	slower := 0
	for _, l := range c.Latency {
		if l.Trend == "slower" {
			slower++
		}
	}
	counts := fmt.Sprintf("%d new contract violation(s), %d new advisory (SHOULD) failure(s), %d newly unavailable (outage or throttling), %d newly config error(s), %d newly not judged (too few items), "+
		"%d fixed, %d judged again (unjudged in the baseline), %d newly skipped, %d other status change(s), %d status-code change(s), %d shape drift(s), %d slower endpoint(s).",
		len(c.NewViolations), len(c.NewAdvisory), len(c.NewlyUnavailable), len(c.NewConfigErrors), len(c.NewlyNotJudged),
		len(c.Fixed), len(c.Recovered), len(c.NewlySkipped), len(c.Changed), len(c.StatusCodes), len(c.Drift), slower)
	var lead string
	// The leads follow the verdict's order: a violation, then a setup
	// problem or thin data, then an outage or throttling.
	switch {
	case len(c.NewViolations) > 0:
		lead = fmt.Sprintf("The API broke the contract: %d new contract violation(s) (%s).", len(c.NewViolations), changeIDs(c.NewViolations))
	case len(c.NewConfigErrors) > 0:
		lead = fmt.Sprintf("The run's setup was wrong, no contract violation is new: %d check(s) newly failed as configuration errors "+
			"(see their reasons for the setting to fix).", len(c.NewConfigErrors))
	case len(c.NewlyNotJudged) > 0:
		lead = fmt.Sprintf("No contract violation is new, but %d check(s) got too few items to be judged (%s), which the baseline did not report: "+
			"the tenant's data shrank, a catalogue query matches less, or the target drops items; each reason says what it needed and got.",
			len(c.NewlyNotJudged), changeIDs(c.NewlyNotJudged))
	case len(c.NewAdvisory) > 0 && len(c.NewlyUnavailable) == 0:
		lead = fmt.Sprintf("No MUST rule broke: %d new advisory failure(s) of SHOULD rules (%s), which the verdict does not count.",
			len(c.NewAdvisory), changeIDs(c.NewAdvisory))
	case len(c.NewlyUnavailable) > 0 && c.NewlyThrottled == len(c.NewlyUnavailable):
		lead = fmt.Sprintf("The target throttled the run, no contract violation is new: %d check(s) got 429 Too Many Requests after the client's retries, "+
			"so they say nothing about the contract; "+ThrottleFix+".", len(c.NewlyUnavailable))
	case len(c.NewlyUnavailable) > 0 && len(c.DownEndpoints) > 0:
		lead = fmt.Sprintf("Part of the environment was down (%s did not answer; the other endpoints did), no contract violation is new: "+
			"%d check(s) newly unavailable got no answer there, so they say nothing about the contract; run again when it is up.",
			joinCapped(c.DownEndpoints, 5), len(c.NewlyUnavailable))
	case len(c.NewlyUnavailable) > 0:
		lead = fmt.Sprintf("The environment was down (outage), no contract violation is new: %d check(s) newly unavailable got no answer, "+
			"so they say nothing about the contract; run again when the environment is up.", len(c.NewlyUnavailable))
	}
	if n := len(c.NewlyUnavailable); n > 0 && len(c.NewViolations)+len(c.NewConfigErrors)+len(c.NewlyNotJudged) > 0 {
		lead += fmt.Sprintf(" Part of the run also met an outage or throttling: %d check(s) newly unavailable.", n)
	}
	if c.Current.NotWinston {
		lead += " These answers came from the local sandbox or recorded cassettes: they are no evidence about the real Winston API."
	}
	if lead == "" {
		return counts
	}
	return strings.TrimSpace(lead) + " " + counts
}

// changeIDs lists the IDs of a few changes, "and N more" after five.
func changeIDs(list []RequirementChange) string {
	ids := make([]string, len(list))
	for i, ch := range list {
		ids[i] = ch.ID
		if ch.Inferred {
			ids[i] += " (inferred)"
		}
	}
	return joinCapped(ids, 5)
}

// sections feeds each non-empty list to emit, in reading order; code
// formats a path or command for the output kind.
func (c *Comparison) sections(emit func(title string, lines []string), code func(string) string) {
	reqLines := func(list []RequirementChange) []string {
		var out []string
		for _, ch := range list {
			id := ch.ID
			if ch.Inferred {
				id += " (inferred)"
			}
			line := fmt.Sprintf("%s %s: %s -> %s", id, ch.Title, ch.Before, ch.After)
			if ch.Classification != "" && !strings.Contains(ch.After, "(") {
				line += " (" + ch.Classification + ")"
			}
			if ch.BeforeFrom != "" {
				line += " [before: " + ch.BeforeFrom + "]"
			}
			if ch.Reason != "" && ch.After != StatusPassed {
				line += ": " + ch.Reason
			}
			out = append(out, line)
		}
		return out
	}
	var codes, drift []string
	for _, s := range c.StatusCodes {
		codes = append(codes, fmt.Sprintf("%s on %s (%s, auth %s): %s -> %s", s.Requirement, s.Endpoint, s.Method, s.AuthShape, ints(s.Before), ints(s.After)))
	}
	for _, d := range c.Drift {
		drift = append(drift, fmt.Sprintf("%s: %s %s", d.Endpoint, code(d.Path), strings.TrimPrefix(d.String(), d.Endpoint+": "+d.Path+" ")))
	}
	for _, s := range []struct {
		title string
		lines []string
	}{
		{"New contract violations (the API broke the contract)", reqLines(c.NewViolations)},
		{"New advisory failures (SHOULD rules: not counted by the verdict)", reqLines(c.NewAdvisory)},
		{"Newly unavailable (outage or throttling: no usable answer, nothing known about the contract)", reqLines(c.NewlyUnavailable)},
		{"Newly config errors (the run's setup, not the API)", reqLines(c.NewConfigErrors)},
		{"Newly not judged (too few items: the data shrank, or the target drops items)", reqLines(c.NewlyNotJudged)},
		{"Fixed (contract violations in the baseline that pass now)", reqLines(c.Fixed)},
		{"Judged again (not judged in the baseline: an outage, throttling, the setup or too few items; no fix in the API)", reqLines(c.Recovered)},
		{"Newly skipped", reqLines(c.NewlySkipped)},
		{"Other status changes", reqLines(c.Changed)},
		{"Status-code changes", codes},
		{"Shape drift (fields added, removed, changed type or made nullable)", drift},
		{"Notes", c.Notes},
	} {
		if len(s.lines) > 0 {
			emit(s.title, s.lines)
		}
	}
}

func ints(list []int) string {
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = fmt.Sprint(v)
		if v == 0 {
			parts[i] = "no answer"
		}
	}
	return strings.Join(parts, ",")
}
