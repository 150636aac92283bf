package report

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	ginkgotypes "github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// ShapesEntryName is the Ginkgo report entry (value map[endpointID]Shape)
// by which the schema spec hands the observed response shapes to Build.
const ShapesEntryName = "winston.shapes"

// NotSelectedReason is the reason of a requirement that has no spec in
// Ginkgo's report (filtered out by --focus or --label-filter).
const NotSelectedReason = "not selected in this run"

var reqIDPattern = regexp.MustCompile(`^[A-Z]+-[0-9]{3}$`)

// specResult gathers what Ginkgo reported for one requirement ID. A
// requirement normally has one spec; if several carry the same ID they
// are merged, a failure of any one failing the requirement.
type specResult struct {
	text      string
	labels    []string
	passed    int
	failed    int
	skipped   int
	messages  []string
	location  string
	runTime   time.Duration
	exchanges []evidence.Exchange
	findings  []evidence.Finding
	// interrupted counts specs cut off by an interrupt or an abort:
	// they neither passed nor failed.
	interrupted int
	// unreached counts specs Ginkgo skipped without a message: not a
	// choice of the spec, so in an interrupted run never reached.
	unreached int
}

// Build makes the report document of a run from Ginkgo's report. It is the
// one place a report is made: every writer renders its result. cat is the
// catalogue the run used (its requirements not in Ginkgo's report become
// not-run); ledger (known vendor defects) and profile (the endpoints the
// integration uses) may be nil. Every string taken from the run passes
// through redact.Global().
func Build(r ginkgotypes.Report, cat *catalogue.Catalogue, run RunInfo, ledger *Ledger, profile *Profile) *Document {
	if cat == nil {
		cat = &catalogue.Catalogue{}
	}
	c := collectSpecs(r)
	results := c.results
	run = fillRunInfo(run, r, results)
	if c.setupFailure != "" && run.ConfigError == "" {
		run.ConfigError = "the suite's setup failed before any check ran: " + c.setupFailure
	}
	if r.SuiteConfig.DryRun && run.ConfigError == "" {
		// Ginkgo reports every spec of a dry run as passed, though none
		// ran: nothing was sent, so nothing was judged.
		run.ConfigError = "a dry run (--dry-run in GINKGO_FLAGS) lists the specs without running them, so no request was sent and nothing was judged: run again without --dry-run"
	}
	doc := newDocument(cat, run, profile)
	doc.Run.Interrupted = c.interrupted
	doc.Run.Problems = append(doc.Run.Problems, c.problems...)
	if replayedHost(doc) {
		doc.Run.Problems = append(doc.Run.Problems, "WINSTON_BASE_URL is "+doc.Target.BaseURL+", but this run replayed cassettes (WINSTON_MODE is replay, the default): "+
			"that host was asked nothing, and this report says nothing about it; set WINSTON_MODE=live to test it")
	}
	doc.Shapes = c.shapes
	fillTargetFacts(&doc.Target, results)

	var all []evidence.Exchange
	for _, res := range results {
		all = append(all, res.exchanges...)
	}
	// Requests cut off by an interrupt or an abort say nothing about the
	// target: an interrupted run is never judged an outage.
	runUnavailable := doc.Run.Interrupted == "" && runWasUnavailable(all)

	seen := map[string]bool{}
	env := runEnv(run)
	for _, creq := range cat.Requirements {
		seen[creq.ID] = true
		doc.Requirements = append(doc.Requirements, makeRequirement(cat, creq, results[creq.ID], env))
	}
	for _, id := range c.order {
		if !seen[id] {
			doc.Requirements = append(doc.Requirements, makeRequirement(cat, fromLabels(id, results[id]), results[id], env))
		}
	}
	certJudged := certificateFailed(doc.Requirements)
	for i := range doc.Requirements {
		doc.Requirements[i].certJudged = certJudged
		markUnreached(&doc.Requirements[i], results[doc.Requirements[i].ID], doc.Run.Interrupted)
		classify(&doc.Requirements[i], runUnavailable, ledger, doc.Target.BaseURL, run.Start)
	}
	addRunHints(doc, all)
	addFixtureHint(doc, cat)
	for i := range doc.Requirements {
		if r := &doc.Requirements[i]; r.Status == StatusFailed && r.Classification == ClassConfigurationError {
			// Its failures were not judged: the count says so.
			r.Reason = notJudgedCount.ReplaceAllString(r.Reason, "${1} observation(s) not judged")
		}
	}
	if doc.Run.ConfigError == "" && doc.Run.Interrupted == "" && !anyJudged(doc.Requirements) {
		doc.Run.ConfigError = redact.Global().String(nothingJudged(r, doc.Requirements))
	}
	finish(doc, cat, profile, all, runUnavailable)
	return doc
}

// ConfigErrorDocument is the report of a run that stopped before any
// request because the configuration did not validate: verdict
// config-error, every requirement not-run, the problem in run.configError.
func ConfigErrorDocument(cat *catalogue.Catalogue, run RunInfo) *Document {
	if cat == nil {
		cat = &catalogue.Catalogue{}
	}
	if run.ConfigError == "" {
		run.ConfigError = "the configuration did not validate"
	}
	if run.Start.IsZero() {
		// Nothing ran, so Ginkgo has no start time to give; the report
		// still needs one to be named and archived by.
		run.Start = time.Now().UTC()
	}
	run = fillRunInfo(run, ginkgotypes.Report{}, nil)
	doc := newDocument(cat, run, nil)
	env := runEnv(run)
	for _, creq := range cat.Requirements {
		req := makeRequirement(cat, creq, nil, env)
		req.Classification = ClassConfigurationError
		req.Reason = "not run: the configuration did not validate"
		doc.Requirements = append(doc.Requirements, req)
	}
	finish(doc, cat, nil, nil, false)
	return doc
}

// collected is what Ginkgo's report says, by requirement ID.
type collected struct {
	results map[string]*specResult
	// order lists the IDs in the order their specs appear.
	order  []string
	shapes map[string]Shape
	// problems are failures outside any requirement.
	problems []string
	// setupFailure is the message of a failed BeforeSuite: no check
	// could run, which is a problem of the run, not of the target.
	setupFailure string
	// interrupted says why the run stopped before its end (an interrupt,
	// the suite's timeout, an aborted spec), or "".
	interrupted string
}

// collectSpecs reads the It specs of Ginkgo's report by requirement ID, and
// the suite-level problems.
func collectSpecs(r ginkgotypes.Report) collected {
	red := redact.Global()
	c := collected{results: map[string]*specResult{}, shapes: map[string]Shape{}}
	for _, reason := range r.SpecialSuiteFailureReasons {
		c.problems = append(c.problems, red.String(reason))
		if c.interrupted == "" && isInterruption(reason) {
			c.interrupted = red.String(reason)
		}
	}
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != ginkgotypes.NodeTypeIt {
			if !sr.State.Is(ginkgotypes.SpecStateFailureStates) {
				continue
			}
			msg := firstLine(red.String(sr.Failure.Message)) // redacted whole, then cut: a cut through a key leaves a part no redactor knows
			c.problems = append(c.problems, fmt.Sprintf("%s failed: %s", sr.LeafNodeType, msg))
			if sr.LeafNodeType.Is(ginkgotypes.NodeTypeBeforeSuite|ginkgotypes.NodeTypeSynchronizedBeforeSuite) && c.setupFailure == "" {
				c.setupFailure = msg
			}
			continue
		}
		if r.SuiteConfig.DryRun && sr.State.Is(ginkgotypes.SpecStatePassed) {
			// Walked, not run: no row of a dry run may read as passed.
			sr.State = ginkgotypes.SpecStateSkipped
			sr.Failure.Message = "not run: a dry run (--dry-run) lists the specs without running them"
		}
		id := specRequirementID(sr)
		if id == "" {
			c.problems = append(c.problems, fmt.Sprintf("spec %q names no requirement ID: its text must start with one (AUTH-001 ...)", red.String(sr.LeafNodeText)))
			continue
		}
		res := c.results[id]
		if res == nil {
			res = &specResult{text: sr.LeafNodeText, labels: sr.LeafNodeLabels}
			c.results[id] = res
			c.order = append(c.order, id)
		}
		addSpec(res, sr)
		if c.interrupted == "" && cutOff(sr) {
			c.interrupted = red.String(fmt.Sprintf("%s was %s", id, sr.State))
		}
		for _, e := range sr.ReportEntries {
			if err := decodeEntryInto(e, res, c.shapes); err != nil {
				c.problems = append(c.problems, fmt.Sprintf("%s: report entry %s could not be read: %v", id, e.Name, red.Error(err)))
			}
		}
	}
	if ff := failFastStop(r); ff != "" {
		// Also over "Interrupted by Other Ginkgo Process": with -p, the
		// other processes stop when one fails, which is --fail-fast's
		// stop too.
		c.interrupted = ff
	}
	return c
}

// failFastStop says why a run with --fail-fast stopped before its end, or
// "": after its first failure Ginkgo skips every spec left, without a word,
// as it skips those the focus left out, so the specs that started are
// counted against those that would have run. A check that failed as a
// SHOULD (advisory) stops such a run as well, and what never ran was not
// judged, so the run cannot pass.
func failFastStop(r ginkgotypes.Report) string {
	if !r.SuiteConfig.FailFast {
		return ""
	}
	started, failed := 0, false
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != ginkgotypes.NodeTypeIt {
			continue
		}
		switch {
		case cutOff(sr):
			// Stopped part-way by the failure (another process's, with
			// -p): not run to its end.
		case sr.State == ginkgotypes.SpecStateSkipped && strings.TrimSpace(sr.Failure.Message) == "":
			// Never started.
		default:
			started++
			failed = failed || sr.State.Is(ginkgotypes.SpecStateFailureStates)
		}
	}
	if !failed || started >= r.PreRunStats.SpecsThatWillRun {
		return ""
	}
	return fmt.Sprintf("%s: %d of the %d selected specs did not run", failFastStopped, r.PreRunStats.SpecsThatWillRun-started, r.PreRunStats.SpecsThatWillRun)
}

// failFastStopped begins the Interrupted reason of a run --fail-fast
// stopped: one whose failure was a contract violation fails, as the
// violation is evidence whatever did not run.
const failFastStopped = "the run stopped at its first failure (--fail-fast)"

func addSpec(res *specResult, sr ginkgotypes.SpecReport) {
	res.runTime += sr.RunTime
	msg := strings.TrimSpace(sr.Failure.Message)
	switch {
	case sr.State.Is(ginkgotypes.SpecStatePassed):
		res.passed++
	case cutOff(sr):
		// Cut off part-way: what it saw so far judges nothing.
		res.interrupted++
		msg = cutOffWords(sr.State) + " before it finished, so it was not judged"
	case sr.State.Is(ginkgotypes.SpecStateFailureStates):
		res.failed++
		if msg == "" {
			msg = fmt.Sprintf("the spec ended %s", sr.State)
		}
		if sr.Failure.ForwardedPanic != "" {
			msg += "\npanic: " + sr.Failure.ForwardedPanic
		}
		if res.location == "" && sr.Failure.Location.FileName != "" {
			res.location = fmt.Sprintf("%s:%d", sr.Failure.Location.FileName, sr.Failure.Location.LineNumber)
		}
	case sr.State.Is(ginkgotypes.SpecStatePending):
		res.skipped++
		if msg == "" {
			msg = "the spec is pending (not written yet)"
		}
	default:
		res.skipped++
		if msg == "" {
			res.unreached++
			msg = fmt.Sprintf("%s%s)", didNotRun, sr.State)
		}
	}
	if msg != "" {
		res.messages = append(res.messages, msg)
	}
}

// anyJudged is true when at least one requirement passed or failed: a run
// that judged none (a focus that matched nothing, or every selected check
// skipped) says nothing about the contract and must not pass.
func anyJudged(reqs []Requirement) bool {
	for _, r := range reqs {
		switch r.Status {
		case StatusPassed, StatusFailed, StatusKnownIssue:
			return true
		}
	}
	return false
}

// didNotRun begins the reason of a spec that never started (left out by
// the selection, or not reached), as opposed to one that skipped itself.
const didNotRun = "the spec did not run ("

// nothingJudged says why no requirement was judged, and what to do.
func nothingJudged(r ginkgotypes.Report, reqs []Requirement) string {
	sc := r.SuiteConfig
	var sel []string
	for _, f := range sc.FocusStrings {
		sel = append(sel, fmt.Sprintf("focus %q", f))
	}
	for _, f := range sc.SkipStrings {
		sel = append(sel, fmt.Sprintf("skip %q", f))
	}
	if sc.LabelFilter != "" {
		sel = append(sel, fmt.Sprintf("label filter %q", sc.LabelFilter))
	}
	if r.PreRunStats.SpecsThatWillRun == 0 && len(sel) > 0 {
		return fmt.Sprintf("no requirement ran: the %s selected none of the %d requirements, so nothing was checked; "+
			"fix FOCUS (a regular expression over IDs and titles, e.g. AUTH-00[1-3]) or the label filter (a family such as auth), or run without them",
			strings.Join(sel, " and "), len(reqs))
	}
	for _, req := range reqs {
		// The first check that skipped itself, with its reason: not one
		// the selection left out, which Ginkgo also reports as skipped.
		if req.Status == StatusSkipped && req.Reason != "" && !strings.HasPrefix(req.Reason, didNotRun) {
			return "no requirement ran: every selected check was skipped, so nothing was checked (" + req.ID + ": " + req.Reason + ")"
		}
	}
	return "no requirement ran, so nothing was checked; run without a focus or label filter"
}

// suiteTimeoutMessage begins the failure Ginkgo gives the spec that was
// running when the whole suite's --timeout elapsed; a spec's own timeout
// (SpecTimeout, NodeTimeout) says "A spec timeout" or "A node timeout".
const suiteTimeoutMessage = "A suite timeout occurred"

// cutOff is true for a spec stopped part-way from outside: interrupted,
// aborted, or timed out because the suite's timeout elapsed (its requests
// were cancelled, which says nothing about the target). A spec whose own
// timeout elapsed is not cut off: it failed waiting on the target.
func cutOff(sr ginkgotypes.SpecReport) bool {
	return sr.State.Is(ginkgotypes.SpecStateInterrupted|ginkgotypes.SpecStateAborted) ||
		(sr.State == ginkgotypes.SpecStateTimedout && strings.HasPrefix(sr.Failure.Message, suiteTimeoutMessage))
}

// cutOffWords says in words what stopped a cut-off spec, for its reason.
func cutOffWords(state ginkgotypes.SpecState) string {
	switch state {
	case ginkgotypes.SpecStateTimedout:
		return "cut off by the suite's timeout (ginkgo --timeout)"
	case ginkgotypes.SpecStateAborted:
		return "aborted"
	}
	return "interrupted"
}

// markUnreached makes a requirement whose every spec Ginkgo skipped
// without a message not run: in a run that stopped early, the run never
// reached it; otherwise the focus or a label filter left it out. Either
// way a reviewer must not read it as a skip by choice.
func markUnreached(req *Requirement, res *specResult, interrupted string) {
	if res == nil || req.Status != StatusSkipped || res.unreached == 0 || res.unreached != res.skipped {
		return
	}
	req.Status = StatusNotRun
	if interrupted == "" {
		// Left out by the focus or a label filter, as a requirement
		// with no spec at all is.
		req.Reason = NotSelectedReason
		return
	}
	req.Reason = "not run: the run stopped before this check (" + interrupted + ")"
}

// isInterruption tells Ginkgo's reasons for a run that stopped early (an
// interrupt signal, another process aborting, the suite's --timeout) from
// its other suite failures.
func isInterruption(reason string) bool {
	return strings.HasPrefix(reason, "Interrupted by") || strings.HasPrefix(reason, "Suite Timeout Elapsed")
}

// decodeEntryInto reads one report entry (see EntryValue).
func decodeEntryInto(e ginkgotypes.ReportEntry, res *specResult, shapes map[string]Shape) error {
	var exchanges []evidence.Exchange
	var findings []evidence.Finding
	var sh map[string]Shape
	var err error
	switch e.Name {
	case evidence.ReportEntryName:
		err = EntryValue(e, &exchanges)
	case evidence.FindingEntryName:
		err = EntryValue(e, &findings)
	case ShapesEntryName:
		err = EntryValue(e, &sh)
	default:
		return nil
	}
	if err != nil {
		return err
	}
	res.exchanges = append(res.exchanges, exchanges...)
	res.findings = append(res.findings, findings...)
	red := redact.Global()
	for ep, s := range sh {
		ep = red.String(ep)
		if shapes[ep] == nil {
			shapes[ep] = Shape{}
		}
		for path, types := range s {
			shapes[ep].Merge(Shape{red.String(path): types})
		}
	}
	return nil
}

// EntryValue reads the value of a Ginkgo report entry into target. In a
// serial run Ginkgo keeps the value as it was added, which is taken as is
// when it has target's type; in a parallel run the value arrives as JSON
// (AsJSON) from another process. A value of another type goes through JSON
// as it would between processes, so serial and parallel runs read the same
// thing. An entry with no value leaves target as it is.
func EntryValue[T any](e ginkgotypes.ReportEntry, target *T) error {
	raw := e.Value.GetRawValue()
	if v, ok := raw.(T); ok && e.Value.AsJSON == "" {
		*target = v
		return nil
	}
	data := []byte(e.Value.AsJSON)
	if len(data) == 0 {
		if raw == nil {
			return nil
		}
		var err error
		if data, err = json.Marshal(raw); err != nil {
			return fmt.Errorf("encode value: %w", err)
		}
	}
	if err := json.Unmarshal(data, target); err != nil {
		return fmt.Errorf("decode value: %w", err)
	}
	return nil
}

// specRequirementID is the first word of the spec text, or else the first
// label shaped like an ID.
func specRequirementID(sr ginkgotypes.SpecReport) string {
	if f := strings.Fields(sr.LeafNodeText); len(f) > 0 && reqIDPattern.MatchString(f[0]) {
		return f[0]
	}
	for _, l := range sr.LeafNodeLabels {
		if reqIDPattern.MatchString(l) {
			return l
		}
	}
	return ""
}

// fromLabels describes a spec whose ID the catalogue does not know, from
// its text and labels, so that it still appears in the report.
func fromLabels(id string, res *specResult) catalogue.Requirement {
	req := catalogue.Requirement{ID: id, Title: strings.TrimSpace(strings.TrimPrefix(res.text, id)),
		Must: "(not in the catalogue this run used)", Source: catalogue.SourceUnknown}
	for _, l := range res.labels {
		switch {
		case contains(catalogue.Families, l):
			req.Family = l
		case l == catalogue.SourceMission || l == catalogue.SourceDocs || l == catalogue.SourceInferred || l == catalogue.SourceUnknown:
			req.Source = l
		}
	}
	return req
}

// firstLine is a message's first line, the requirement's reason, cut at
// reasonLen: long enough for a skip's reason and its fix.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return cut(s, reasonLen)
}

// reasonLen bounds a reason; the failure message's other lines and the
// evidence carry the rest.
const reasonLen = 700

// cut shortens s to at most n bytes (at a rune boundary), marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + evidence.CutMark
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
