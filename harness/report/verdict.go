package report

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// finish derives everything that depends on the whole set of rows: the
// profile order, counts, verdict, coverage, latency, go-live and summary.
func finish(doc *Document, cat *catalogue.Catalogue, profile *Profile, all []evidence.Exchange, runUnavailable bool) {
	markProfile(doc, profile)
	doc.Counts = countRequirements(doc.Requirements)
	doc.Verdict = deriveVerdict(doc, runUnavailable)
	doc.Coverage = buildCoverage(cat, doc.Requirements, profile)
	doc.Latency = latencyByEndpoint(cat, all)
	doc.GoLive = deriveGoLive(doc)
	if doc.GoLive.Verdict != GoLiveNotValidForSubmission {
		doc.GoLive.Reason += catalogueNote(doc)
	}
	attempted, retried := 0, 0
	doc.Run.Retries = 0
	for _, ex := range all {
		attempted += 1 + ex.Repeats + ex.Retries
		doc.Run.Retries += ex.Retries
		if ex.Retries > 0 {
			retried++
		}
	}
	doc.Summary = summarize(doc, runUnavailable, attempted)
	if doc.Run.Retries > 0 {
		// Retries are reported, never hidden: a throttled night that
		// passed must not read like a clean one.
		why := "after 429s the run asked faster than the target allows (lower WINSTON_MAX_RPS or WINSTON_CONCURRENCY); after 5xx the target failed part of the run and answered when asked again"
		doc.Run.Problems = append(doc.Run.Problems, fmt.Sprintf("retries: %d of %d requests were sent again after a 429 (waiting out Retry-After) or a 5xx, %d retries in all; "+
			"the checks judged the last answer (each exchange in report.json and report.html says how many of its own); %s",
			retried, len(all), doc.Run.Retries, why))
	}
	if note := keptCassettesNote(doc); note != "" {
		doc.Run.Problems = append(doc.Run.Problems, note)
	}
}

// keptCassettesNote says, for a recording, which checks' cassettes were
// not rewritten (only a passed check's is), or "": a replay after it
// answers them from the earlier recording.
func keptCassettesNote(doc *Document) string {
	if doc.Mode != "record" {
		return ""
	}
	var ids []string
	for _, r := range doc.Requirements {
		if r.Status != StatusPassed && r.Status != StatusNotRun && !strings.HasPrefix(r.Reason, NotSelectedReason) &&
			(r.Status != StatusSkipped || !strings.HasPrefix(r.Reason, didNotRun)) {
			// A check the focus or a label filter left out was not
			// asked to be recorded: keeping its cassette is no problem.
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return fmt.Sprintf("record: the cassettes of %s were not rewritten (only a check that passed replaces its cassette; one that skipped writes one only where there was none), so a replay answers them from the earlier recording, or misses where a failed check had none",
		joinCapped(ids, 10))
}

func countRequirements(reqs []Requirement) Counts {
	var c Counts
	for _, r := range reqs {
		c.Total++
		switch r.Status {
		case StatusPassed:
			c.Passed++
		case StatusFailed:
			c.Failed++
		case StatusSkipped:
			c.Skipped++
		case StatusKnownIssue:
			c.KnownIssue++
		case StatusNotRun:
			c.NotRun++
		}
		switch {
		case r.Status != StatusFailed:
		case r.Classification == ClassEnvironmentUnavailable:
			c.EnvironmentUnavailable++
		case r.Classification == ClassConfigurationError:
			c.ConfigurationErrors++
		case r.Advisory:
			c.Advisory++
		default:
			c.ContractViolations++
		}
	}
	return c
}

// deriveVerdict applies the verdict rules in order: a configuration that
// did not load stops everything; a MUST violation fails, even beside checks
// that a setup problem kept from being judged (the violation is evidence
// either way); a check the setup kept from being judged (a replay miss, an
// untrusted CA, the HTTP port, too few items) makes a configuration error,
// even when no request got an answer (a TLS setup mistake fails every
// handshake, which is no outage); a target that never answered, or a check
// that could not reach it, leaves the run unavailable; otherwise it
// passes. A run stopped part-way is interrupted, unless --fail-fast stopped
// it at a violation, which fails it. (A run that never answered has no
// violation: classify makes its failures unavailable.) Known issues and SHOULD failures never fail the
// run.
func deriveVerdict(doc *Document, runUnavailable bool) string {
	switch {
	case doc.Run.ConfigError != "":
		return VerdictConfigError
	case doc.Run.Interrupted != "" && (doc.Counts.ContractViolations == 0 || !strings.HasPrefix(doc.Run.Interrupted, failFastStopped)):
		return VerdictInterrupted
	case doc.Counts.ContractViolations > 0:
		return VerdictFail
	case doc.Counts.ConfigurationErrors > 0:
		return VerdictConfigError
	case runUnavailable:
		return VerdictUnavailable
	case doc.Counts.EnvironmentUnavailable > 0:
		return VerdictUnavailable
	default:
		return VerdictPass
	}
}

// pinnedNow is the WINSTON_NOW a run was given, or "": read from the
// configuration the report keeps (a config.Redacted as built, a JSON
// object as read back).
func pinnedNow(doc *Document) string {
	switch c := doc.Run.Config.(type) {
	case config.Redacted:
		return c.Now
	case *config.Redacted:
		if c != nil {
			return c.Now
		}
	case map[string]any:
		s, _ := c["now"].(string)
		return s
	}
	return ""
}

// deriveGoLive decides whether the run supports the go-live request. A
// replay or a sandbox run never does; a live run does only when it passed
// and every MUST requirement (of the profile, when one is given) passed
// or is a known vendor issue.
func deriveGoLive(doc *Document) GoLive {
	target := doc.Target.BaseURL
	switch {
	case doc.Mode == "replay":
		src := cassetteSourceWords(doc.Run.CassetteSource)
		if src == "" {
			src = "an unknown source"
		}
		return GoLive{GoLiveNotValidForSubmission, fmt.Sprintf(
			"Not valid for submission: this run replayed recorded answers (cassettes from %s) instead of asking a Winston environment. "+
				"Run the suite in live mode against the Winston test environment (WINSTON_MODE=live) for a report you can submit.", src)}
	case doc.Run.Sandbox:
		return GoLive{GoLiveNotValidForSubmission,
			"Not valid for submission: the answers came from the local Winston sandbox, not the real Winston API. " +
				"Run the suite in live mode against the Winston test environment for a report you can submit."}
	case doc.Mode != "replay" && loopbackTarget(target):
		return GoLive{GoLiveNotValidForSubmission, fmt.Sprintf(
			"Not valid for submission: the target, %s, is this machine, where no Winston environment runs: the answers came from a mock, a proxy or the sandbox. "+
				"Point WINSTON_BASE_URL at the Winston test environment's own host for a report you can submit.", target)}
	case doc.Verdict == VerdictConfigError && doc.Run.ConfigError == "":
		return GoLive{GoLiveNotReady, "Not ready: " + unjudgedChecks(doc)}
	case doc.Verdict == VerdictConfigError:
		return GoLive{GoLiveNotReady, "Not ready: the run stopped on a configuration error, so nothing was checked: " + allProblems(doc.Run.ConfigError) + "."}
	case doc.Verdict == VerdictInterrupted:
		return GoLive{GoLiveNotReady, "Not ready: the run was interrupted (" + doc.Run.Interrupted + ") before every check was judged; run it again to the end."}
	case doc.Verdict == VerdictUnavailable && throttledRun(doc):
		return GoLive{GoLiveNotReady, fmt.Sprintf("Not ready: %s throttled the run (429 Too Many Requests after the client's retries), so some checks were not judged; "+
			ThrottleFix+" and run again.", target)}
	case doc.Verdict == VerdictUnavailable:
		return GoLive{GoLiveNotReady, fmt.Sprintf("Not ready: %s was unavailable (no answer, or only 5xx/timeouts), so the contract could not be judged; run again when it answers.", target)}
	case pinnedNow(doc) != "" && doc.Verdict == VerdictPass:
		// The sandbox's line sets WINSTON_NOW for its fixed clock; against
		// an environment, the time windows were built on a pinned clock,
		// not on the environment's.
		return GoLive{GoLiveNotReady, fmt.Sprintf("Not ready: WINSTON_NOW pinned the run's clock to %s, so the checks built their time windows (modifiedSince, businessDay) on it rather than on %s's own clock; "+
			"unset WINSTON_NOW (only the sandbox, with its fixed clock, needs it) and run again.", pinnedNow(doc), target)}
	}
	var blockers []string
	scope := "MUST requirement"
	if doc.Profile != nil {
		scope = fmt.Sprintf("MUST requirement of the integration profile %q", doc.Profile.Name)
		for _, e := range doc.Profile.UnknownEndpoints {
			blockers = append(blockers, fmt.Sprintf("endpoint %s (the catalogue does not know it, so nothing checked it)", e))
		}
	}
	for _, r := range doc.Requirements {
		if r.Level != catalogue.LevelMust || (doc.Profile != nil && !r.InProfile) {
			continue
		}
		switch r.Status {
		case StatusFailed, StatusNotRun:
			blockers = append(blockers, fmt.Sprintf("%s %s%s", r.ID, r.Status, inferredMark(r)))
		case StatusSkipped:
			// A skip says what would run it (a second tenant's key,
			// the environment's fixtures): the fix belongs here.
			blockers = append(blockers, fmt.Sprintf("%s skipped%s (%s)", r.ID, inferredMark(r), cutReason(r.Reason, 160)))
		}
	}
	if doc.Verdict == VerdictFail {
		var ids []string
		inferred := 0
		for _, r := range doc.Requirements {
			if isViolation(r) {
				ids = append(ids, r.ID+inferredMark(r))
				if catalogue.Undocumented(r.Source) {
					inferred++
				}
			}
		}
		return GoLive{GoLiveNotReady, fmt.Sprintf("Not ready: %d contract violation(s): %s.%s Send the report's failures to Winston support and run again once they are fixed; a defect Winston acknowledges can be listed in WINSTON_KNOWN_ISSUES until it is.",
			doc.Counts.ContractViolations, joinCapped(ids, 10), inferredNote(inferred))}
	}
	if len(blockers) > 0 {
		// The note is for rules that failed: one skipped or not run was
		// not shown to be wrong for this API.
		inferred := 0
		for _, r := range doc.Requirements {
			if r.Level == catalogue.LevelMust && r.Status == StatusFailed && catalogue.Undocumented(r.Source) && (doc.Profile == nil || r.InProfile) {
				inferred++
			}
		}
		return GoLive{GoLiveNotReady, fmt.Sprintf("Not ready: every %s must pass, and %d did not: %s.%s", scope, len(blockers), joinCapped(blockers, 10), inferredNote(inferred))}
	}
	var excused, security []string
	for _, r := range doc.Requirements {
		if r.Level == catalogue.LevelMust && r.Status == StatusKnownIssue && (doc.Profile == nil || r.InProfile) {
			note := r.ID
			if r.KnownIssue != nil {
				note += " (" + r.KnownIssue.Note + ", until " + r.KnownIssue.Expires + ")"
			}
			excused = append(excused, note)
			if r.Family == "auth" {
				security = append(security, r.ID)
			}
		}
	}
	if len(security) > 0 {
		// A broken auth or tenant-isolation rule lets a key do what it
		// must not, whatever ticket names it: a ledger entry shows it as
		// known, never as fit to go live.
		return GoLive{GoLiveNotReady, fmt.Sprintf("Not ready: %s failed, and the known-issues ledger lists it, but an auth rule (who may call the API, and see which tenant's data) "+
			"cannot be excused for go-live: a broken one lets a key do what it must not. Known issues excused: %s.", strings.Join(security, ", "), joinCapped(excused, 10))}
	}
	if len(excused) > 0 {
		// Ready, but not on a clean pass: the reason names what the
		// known-issues ledger excused, for Winston to see.
		return GoLive{GoLiveReady, fmt.Sprintf("Ready: every %s passed against %s in %s mode, but for %d failure(s) the known-issues ledger excuses as known vendor issues: %s.",
			scope, target, doc.Mode, len(excused), joinCapped(excused, 10))}
	}
	return GoLive{GoLiveReady, fmt.Sprintf("Ready: every %s passed against %s in %s mode.%s", scope, target, doc.Mode, changedSuiteNote(doc))}
}

// loopbackTarget is true when target's host is this machine.
func loopbackTarget(target string) bool {
	u, err := url.Parse(target)
	if err != nil || u.Hostname() == "" {
		return false
	}
	host := strings.TrimSuffix(u.Hostname(), ".") // "localhost." is localhost too
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// changedSuiteNote is the go-live reason's note on a suite built from a
// checkout with local changes (its version ends in -dirty), or "".
func changedSuiteNote(doc *Document) string {
	if !strings.HasSuffix(doc.Run.SuiteVersion, "-dirty") {
		return ""
	}
	return " Note: the suite was built from a checkout with local changes (version " + doc.Run.SuiteVersion +
		"): Winston may ask for a run of the unchanged suite, so commit or undo the changes and run again before you submit."
}

// cutReason is reason cut to about n bytes at a word, for a list.
func cutReason(reason string, n int) string {
	if len(reason) <= n {
		return reason
	}
	cut := strings.LastIndex(reason[:n], " ")
	if cut < n/2 {
		cut = n
	}
	return reason[:cut] + " ..."
}

// summarize is the one sentence a reader sees first.
func summarize(doc *Document, runUnavailable bool, attempted int) string {
	target := doc.Target.BaseURL
	if target == "" {
		target = "the target"
	}
	switch {
	case doc.Verdict == VerdictConfigError && doc.Run.ConfigError == "":
		return unjudgedChecks(doc)
	case doc.Verdict == VerdictConfigError && doc.Mode == "replay":
		return fmt.Sprintf("No check ran in replay mode: configuration error (%s).", strings.TrimSuffix(allProblems(doc.Run.ConfigError), "."))
	case doc.Verdict == VerdictConfigError:
		return fmt.Sprintf("No check ran against %s: configuration error (%s).", target, strings.TrimSuffix(allProblems(doc.Run.ConfigError), "."))
	case runUnavailable && doc.Counts.ContractViolations == 0:
		return fmt.Sprintf("No contract verdict: %s could not be reached or answered only 5xx/timeouts in %s mode (%d requests attempted, none got a usable answer).", target, doc.Mode, attempted)
	}
	c := doc.Counts
	s := fmt.Sprintf("%d of %d requirements passed %s", c.Passed, c.Total, answersFrom(doc, target))
	var parts []string
	add := func(n int, one, many string, match func(Requirement) bool) {
		if n == 0 {
			return
		}
		word := many
		if n == 1 {
			word = one
		}
		parts = append(parts, fmt.Sprintf("%d %s (%s)", n, word, listIDs(doc.Requirements, match, 5)))
	}
	add(c.ContractViolations, "contract violation", "contract violations", isViolation)
	add(c.Advisory, "advisory failure", "advisory failures", func(r Requirement) bool { return r.Status == StatusFailed && r.Advisory })
	if throttledRun(doc) {
		add(c.EnvironmentUnavailable, "check not judged because the target throttled the run", "checks not judged because the target throttled the run",
			func(r Requirement) bool { return r.Classification == ClassEnvironmentUnavailable })
	} else {
		add(c.EnvironmentUnavailable, "check with the environment unavailable", "checks with the environment unavailable",
			func(r Requirement) bool { return r.Classification == ClassEnvironmentUnavailable })
	}
	add(c.ConfigurationErrors, "check not judged for the run's setup or too few items", "checks not judged for the run's setup or too few items",
		func(r Requirement) bool {
			return r.Status == StatusFailed && r.Classification == ClassConfigurationError
		})
	add(c.KnownIssue, "known vendor issue", "known vendor issues", func(r Requirement) bool { return r.Status == StatusKnownIssue })
	if c.Skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped", c.Skipped))
	}
	if c.NotRun > 0 {
		parts = append(parts, fmt.Sprintf("%d not run", c.NotRun))
	}
	if len(parts) > 0 {
		s += "; " + strings.Join(parts, ", ")
	}
	if doc.Verdict == VerdictInterrupted {
		return fmt.Sprintf("Interrupted, no verdict: the run stopped before its end (%s). So far: %s. Run it again to the end.", doc.Run.Interrupted, s)
	}
	if down := DownEndpoints(doc); len(down) > 0 && c.EnvironmentUnavailable > 0 && partialOutage(doc, down) {
		s += fmt.Sprintf(". Only part of the environment was down: %s did not answer, the other endpoints did", joinCapped(down, 5))
	}
	return s + "."
}

// DownEndpoints are the endpoints that a check found unserved (a 502,
// 503 or 504 after the client's retries, no answer, or not sent for the
// failures before), each with what it got, in catalogue order: what tells
// one service of the alpha channel down from the whole environment.
func DownEndpoints(doc *Document) []string {
	got := map[string]string{}
	for _, r := range doc.Requirements {
		for _, f := range r.Evidence.Findings {
			why := f.Facts[UnavailableFact]
			if why == "" || f.Endpoint == "" {
				continue
			}
			id, _, _ := strings.Cut(f.Endpoint, " ")
			// The status it answered says more than "not sent" (the
			// requests held back after it).
			if prev, seen := got[id]; !seen || prev == "not sent" {
				got[id] = why
			}
		}
	}
	// An endpoint that answered other requests of the run was not down:
	// it failed those requests alone (a crash on a bad body, say).
	answered := answeredEndpoints(doc)
	var out []string
	for _, ep := range doc.Coverage.Endpoints {
		if why, ok := got[ep.ID]; ok && ep.ID != HostRow && !answered[ep.ID] {
			out = append(out, ep.ID+" ("+why+")")
		}
	}
	return out
}

// answeredEndpoints are the endpoints whose API gave the run an answer
// other than an outage's: to a request over HTTPS with the configured key
// (a plain-HTTP redirector, or a gateway refusing a bad credential,
// answers whatever the service behind it does).
func answeredEndpoints(doc *Document) map[string]bool {
	answered := map[string]bool{}
	for _, r := range doc.Requirements {
		for _, ex := range r.Evidence.Exchanges {
			if ex.Status != 0 && !ex.Unavailable && !ex.Replayed && ex.AuthShape == "valid" && strings.HasPrefix(ex.URL, "https://") {
				answered[endpointOfPath(doc.Coverage.Endpoints, ex.URL)] = true
			}
		}
	}
	return answered
}

// partialOutage is true when some catalogue endpoint is not among down
// (DownEndpoints) and answered the run: part of the environment served
// while the rest was down.
func partialOutage(doc *Document, down []string) bool {
	isDown := map[string]bool{}
	for _, d := range down {
		id, _, _ := strings.Cut(d, " ")
		isDown[id] = true
	}
	answered := answeredEndpoints(doc)
	for _, ep := range doc.Coverage.Endpoints {
		if ep.ID != HostRow && !isDown[ep.ID] && answered[ep.ID] {
			return true
		}
	}
	return false
}

// unjudgedChecks is the sentence for a run whose configuration loaded but
// some of whose checks could not be judged for a reason in the run's setup:
// a setup hint's (an untrusted CA, too few items), else replay misses; it
// adds the checks the environment left unjudged, which the config-error
// verdict outranks but a reader must not miss.
func unjudgedChecks(doc *Document) string {
	s := setupSummary(doc)
	if s == "" {
		s = fmt.Sprintf("%d check(s) could not be judged in %s mode: the cassettes hold no answer for their requests (%s); run with the settings the cassettes were recorded with, or re-record them with make record.",
			doc.Counts.ConfigurationErrors, doc.Mode, listIDs(doc.Requirements, func(r Requirement) bool {
				return r.Status == StatusFailed && r.Classification == ClassConfigurationError
			}, 5))
	}
	if n := doc.Counts.EnvironmentUnavailable; n > 0 {
		s += fmt.Sprintf(" Besides, %d check(s) got no usable answer (the environment unavailable or throttling: %s).", n,
			listIDs(doc.Requirements, func(r Requirement) bool { return r.Classification == ClassEnvironmentUnavailable }, 5))
	}
	return s
}

// throttledRun is true when every check the environment left unjudged was
// throttled (429s after the client's retries), not unanswered.
func throttledRun(doc *Document) bool {
	n := 0
	for _, r := range doc.Requirements {
		if r.Status != StatusFailed || r.Classification != ClassEnvironmentUnavailable {
			continue
		}
		if !throttledOnly(r) {
			return false
		}
		n++
	}
	return n > 0
}

// allProblems puts every line of a configuration error on one line: each
// is a problem with its fix, and a reader who sees only the first fixes one
// and runs again to learn of the next.
func allProblems(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, strings.TrimSuffix(l, "."))
		}
	}
	if len(lines) <= 1 {
		return cut(strings.Join(lines, ""), 1000)
	}
	for i := range lines {
		lines[i] = fmt.Sprintf("(%d) %s", i+1, lines[i])
	}
	return cut(fmt.Sprintf("%d problems: %s", len(lines), strings.Join(lines, "; ")), 2000)
}

// answersFrom says where a run's answers came from: the target in live and
// record mode, named as the sandbox when it was one; in replay no server was asked, whatever WINSTON_BASE_URL
// says, so it names the cassettes and where they were recorded.
func answersFrom(doc *Document, target string) string {
	if doc.Mode != "replay" {
		if doc.Run.Sandbox {
			return fmt.Sprintf("against the local Winston sandbox at %s in %s mode (not the real Winston API)", target, doc.Mode)
		}
		return fmt.Sprintf("against %s in %s mode", target, doc.Mode)
	}
	if from := cassetteSourceWords(doc.Run.CassetteSource); from != "" {
		return "on answers replayed from cassettes recorded from " + from + " (replay mode: no server was asked)"
	}
	return "on answers replayed from cassettes (replay mode: no server was asked)"
}

// cassetteSourceWords says in words where cassettes of a CassetteSource
// were recorded, or "" when it is not known.
func cassetteSourceWords(src string) string {
	switch src {
	case "sandbox":
		return "the local sandbox"
	case "environment":
		return "a Winston environment"
	case CassettesMixed:
		return "the local sandbox and a Winston environment (some from each)"
	}
	return ""
}

// CatalogueLabel says which catalogue the run checked against: the
// suite's own, or the user's, with its hash and how it differs.
func (d *Document) CatalogueLabel() string {
	c := d.Run.Catalogue
	switch {
	case c == nil:
		return "the suite's own (harness/catalogue/catalogue.yaml of the suite version above)"
	case len(c.Changes) == 0:
		return fmt.Sprintf("your own (WINSTON_CATALOGUE, sha256 %s): the suite's requirements unchanged (its endpoints and fixtures are yours)", c.SHA256)
	}
	return fmt.Sprintf("your own (WINSTON_CATALOGUE, sha256 %s), which changes the suite's requirements: %s", c.SHA256, strings.Join(c.Changes, "; "))
}

// catalogueNote is what the go-live reason adds when the run's catalogue
// changed the suite's requirements: a reader must not take the verdict for
// one on the suite's.
func catalogueNote(d *Document) string {
	if d.Run.Catalogue == nil || len(d.Run.Catalogue.Changes) == 0 {
		return ""
	}
	return fmt.Sprintf(" The run used a catalogue of your own that changes the suite's requirements (%s), so this verdict is on those, not on the suite's.",
		joinCapped(d.Run.Catalogue.Changes, 10))
}

// inferredMark marks a requirement whose rule the contract only infers,
// or that is about something the contract labels unknown.
func inferredMark(r Requirement) string {
	if catalogue.Undocumented(r.Source) {
		return " (" + r.Source + ")"
	}
	return ""
}

// inferredNote says, when n of the rules holding a go-live back are only
// inferred, that they are the suite's defaults and how to set one aside.
func inferredNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" %d of them rest on inferred rules (or on what the docs leave unknown): reasoning the suite applies by default, not stated by Winston. "+
		"If Winston confirms that its API differs there, set that requirement's level: should in a catalogue of your own (WINSTON_CATALOGUE), "+
		"which reports it without holding the go-live back, and say so in the go-live e-mail.", n)
}

// TargetLabel is what the report names as its target: the base URL asked;
// in a replay, the cassettes, and the configured host as not asked, so that
// no title or JUnit suite name reads as a verdict on a host that was never
// asked; against the sandbox, the base URL marked as such.
func (d *Document) TargetLabel() string {
	switch {
	case d.Mode == "replay":
		label := "replay of cassettes"
		if from := cassetteSourceWords(d.Run.CassetteSource); from != "" {
			label += " recorded from " + from
		}
		if replayedHost(d) {
			label += " (" + d.Target.BaseURL + " not asked)"
		}
		return label
	case d.Run.Sandbox:
		return d.Target.BaseURL + " (local sandbox)"
	}
	return d.Target.BaseURL
}

// replayedHost is true when a replay run was given a target of its own
// (WINSTON_BASE_URL), which it never asked.
func replayedHost(d *Document) bool {
	return d.Mode == "replay" && d.Target.BaseURL != "" && d.Target.BaseURL != config.DefaultBaseURL
}

func isViolation(r Requirement) bool {
	return r.Status == StatusFailed && r.Classification == ClassContractViolation && !r.Advisory
}

// listIDs names the matching requirements, at most n of them.
func listIDs(reqs []Requirement, match func(Requirement) bool, n int) string {
	var ids []string
	for _, r := range reqs {
		if match(r) {
			ids = append(ids, r.ID)
		}
	}
	return joinCapped(ids, n)
}

func joinCapped(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
