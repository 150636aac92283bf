package report

import (
	"fmt"
	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Latency thresholds of Compare: an endpoint is called slower (faster) when
// its p95 grew (shrank) by at least this fraction and this many ms. Both
// are needed so that noise on fast endpoints is not reported.
const (
	LatencyChangeFraction = 0.25
	LatencyChangeMinMs    = 10.0
)

// Comparison is what changed between a baseline run and the current run:
// the nightly regression report.
type Comparison struct {
	Baseline RunRef `json:"baseline"`
	Current  RunRef `json:"current"`
	// NewViolations failed now as contract violations of MUST rules and
	// did not in the baseline: the API broke.
	NewViolations []RequirementChange `json:"newViolations"`
	// NewAdvisory failed now as advisory (SHOULD) failures and did not in
	// the baseline: worse practice, no broken contract, and the verdict
	// does not count them.
	NewAdvisory []RequirementChange `json:"newAdvisory"`
	// NewlyUnavailable failed now because the environment did not answer
	// (an outage) and did not fail so in the baseline: nothing is known
	// about the contract, and nothing says it broke.
	NewlyUnavailable []RequirementChange `json:"newlyUnavailable"`
	// NewConfigErrors failed now on the run's setup (a replay miss, an
	// untrusted CA, a wrong URL) and did not fail so in the baseline.
	NewConfigErrors []RequirementChange `json:"newConfigErrors"`
	// NewlyNotJudged failed now, as configuration errors, because their
	// answers held too few items to judge them (ThinData), and did not
	// fail so in the baseline: the tenant's data shrank, a catalogue query
	// matches less, or the target drops items. Not a setup mistake, and
	// not shown to be a broken contract.
	NewlyNotJudged []RequirementChange `json:"newlyNotJudged"`
	// Fixed failed as contract violations (or were known issues) in the
	// baseline and pass now.
	Fixed []RequirementChange `json:"fixed"`
	// Recovered failed in the baseline without being judged (an outage,
	// throttling, a setup problem, too few items) and pass now: they are
	// judged again, which says nothing of a fix in the API.
	Recovered []RequirementChange `json:"recovered"`
	// NewlySkipped were exercised in the baseline and are skipped or not
	// run now.
	NewlySkipped []RequirementChange `json:"newlySkipped"`
	// Changed are the other status or classification changes.
	Changed []RequirementChange `json:"changed"`
	// StatusCodes lists HTTP status changes of the same request.
	StatusCodes []StatusCodeChange `json:"statusCodes"`
	// Latency compares p50/p95 per endpoint ("*": all endpoints).
	Latency []LatencyChange `json:"latency"`
	// Drift is the change of response shapes per endpoint, even where
	// the schema still passes (an added field is drift, not a failure).
	Drift []Drift `json:"drift"`
	// Notes are caveats: different targets, modes, unobserved endpoints.
	Notes []string `json:"notes"`
	// NewlyThrottled counts the NewlyUnavailable that were throttled
	// (429s after the client's retries), not unanswered.
	NewlyThrottled int `json:"newlyThrottled"`
	// DownEndpoints are the current run's endpoints that did not answer
	// (DownEndpoints), when others did: part of the environment was down.
	DownEndpoints []string `json:"downEndpoints,omitempty"`
}

// RunRef identifies one side of a comparison.
type RunRef struct {
	// Start, Verdict, Mode, Target, SuiteVersion and Summary are copied
	// from the run's document.
	Start        time.Time `json:"start"`
	Verdict      string    `json:"verdict"`
	Mode         string    `json:"mode"`
	Target       string    `json:"target"`
	SuiteVersion string    `json:"suiteVersion"`
	Summary      string    `json:"summary"`
	// NotWinston is true when the answers came from the local sandbox or
	// from cassettes: not evidence about the real Winston API.
	NotWinston bool `json:"notWinston,omitempty"`
}

// RequirementChange is one requirement whose status moved.
type RequirementChange struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Inferred is true for a rule the contract only infers.
	Inferred bool `json:"inferred,omitempty"`
	// Before and After are the statuses (with the classification, for
	// other status changes) in the baseline and now.
	Before string `json:"before"`
	After  string `json:"after"`
	// Classification and Reason are the current run's.
	Classification string `json:"classification"`
	Reason         string `json:"reason"`
	// BeforeFrom names the earlier run Before comes from when the
	// baseline did not judge the requirement (an outage, a setup error, a
	// check not run) and a run of the history did: "" for the baseline.
	BeforeFrom string `json:"beforeFrom,omitempty"`
}

// StatusCodeChange is the same request (requirement, endpoint, method,
// auth shape) answered with other status codes than in the baseline.
type StatusCodeChange struct {
	// Requirement, Endpoint, Method and AuthShape identify the request.
	Requirement string `json:"requirement"`
	Endpoint    string `json:"endpoint"`
	Method      string `json:"method"`
	AuthShape   string `json:"authShape"`
	// Before and After are the sorted status codes seen (0: no answer).
	Before []int `json:"before"`
	After  []int `json:"after"`
}

// LatencyChange compares one endpoint's latency.
type LatencyChange struct {
	// Endpoint is the catalogue endpoint ID, or "*" for all of them.
	Endpoint string `json:"endpoint"`
	// BeforeP50 .. AfterP95 are the percentiles in ms.
	BeforeP50 float64 `json:"beforeP50Ms"`
	AfterP50  float64 `json:"afterP50Ms"`
	BeforeP95 float64 `json:"beforeP95Ms"`
	AfterP95  float64 `json:"afterP95Ms"`
	// Trend is "slower", "faster" or "" (within the thresholds).
	Trend string `json:"trend"`
}

// Compare sets the current run against a baseline run.
func Compare(baseline, current *Document) *Comparison {
	return CompareWithHistory(baseline, current, nil)
}

// CompareWithHistory is Compare, with earlier runs (history, in any order)
// to fall back on: a requirement the baseline did not judge (an outage's
// night, a setup error, a check not run) is set against the last earlier
// run of the same target that judged it, so that a violation standing
// since before the outage is not called new, and one fixed meanwhile is
// called fixed.
func CompareWithHistory(baseline, current *Document, history []*Document) *Comparison {
	c := &Comparison{Baseline: ref(baseline), Current: ref(current), NewViolations: []RequirementChange{},
		NewlyUnavailable: []RequirementChange{}, NewConfigErrors: []RequirementChange{}, Fixed: []RequirementChange{},
		Recovered: []RequirementChange{}, NewlySkipped: []RequirementChange{}, Changed: []RequirementChange{}, StatusCodes: []StatusCodeChange{},
		Latency: []LatencyChange{}, Drift: []Drift{}, Notes: []string{}}
	if baseline.Target.BaseURL != current.Target.BaseURL {
		c.Notes = append(c.Notes, fmt.Sprintf("the runs tested different targets (%s, then %s)", baseline.Target.BaseURL, current.Target.BaseURL))
	}
	if baseline.Mode != current.Mode {
		c.Notes = append(c.Notes, fmt.Sprintf("the runs used different modes (%s, then %s)", baseline.Mode, current.Mode))
	}
	c.compareRequirements(baseline, current, history)
	if baseline.Run.Retries != current.Run.Retries {
		// A night that passed on retries reads like a clean one but for
		// this: the target throttled or failed part of it.
		c.Notes = append(c.Notes, fmt.Sprintf("retries (requests sent again after a 429 or a 5xx): %d in the baseline, %d now", baseline.Run.Retries, current.Run.Retries))
	}
	if down := DownEndpoints(current); len(down) > 0 && partialOutage(current, down) {
		c.DownEndpoints = down
	}
	c.compareStatusCodes(baseline, current)
	c.compareLatency(baseline, current)
	unread := 0
	for _, ep := range sortedKeys(current.Shapes) {
		if before, ok := baseline.Shapes[ep]; ok {
			c.Drift = append(c.Drift, diffShapes(ep, before, current.Shapes[ep])...)
			continue
		}
		// The endpoint gave the baseline no answer to read (it was down,
		// or its check did not run): the last run that read one, or a
		// note, never a drift dropped without a word.
		if before, run, ok := lastShape(ep, baseline, current, history); ok {
			c.Drift = append(c.Drift, diffShapes(ep, before, current.Shapes[ep])...)
			c.Notes = append(c.Notes, fmt.Sprintf("%s gave the baseline no answer to read: its shape is compared with the run of %s", ep, run.Run.Start.UTC().Format(time.RFC3339)))
			continue
		}
		if len(baseline.Shapes) > 0 {
			c.Notes = append(c.Notes, fmt.Sprintf("%s gave the baseline no answer to read (it was down, or its check did not run), so its shape drift could not be compared", ep))
		}
		unread++
	}
	if len(baseline.Shapes) == 0 && unread > 0 {
		c.Notes = append(c.Notes, "the baseline recorded no response shapes (its run judged no list: an outage, throttling or a setup error), "+
			"so shape drift could not be compared: compare with the last run that judged the lists (make compare BASELINE=... or HISTORY=...)")
	}
	for _, ep := range sortedKeys(baseline.Shapes) {
		if _, ok := current.Shapes[ep]; !ok {
			c.Notes = append(c.Notes, fmt.Sprintf("no answer of %s was observed in this run, so its shape could not be compared", ep))
		}
	}
	return c
}

func ref(d *Document) RunRef {
	return RunRef{Start: d.Run.Start, Verdict: d.Verdict, Mode: d.Mode, Target: d.TargetLabel(), SuiteVersion: d.Run.SuiteVersion, Summary: d.Summary,
		NotWinston: d.Mode == "replay" || d.Run.Sandbox}
}

func (c *Comparison) compareRequirements(baseline, current *Document, history []*Document) {
	before := map[string]Requirement{}
	for _, r := range baseline.Requirements {
		before[r.ID] = r
	}
	exercised := func(s string) bool { return s != StatusSkipped && s != StatusNotRun }
	for _, r := range current.Requirements {
		b, ok := before[r.ID]
		if !ok {
			c.Notes = append(c.Notes, fmt.Sprintf("%s is new: the baseline has no such requirement", r.ID))
			continue
		}
		delete(before, r.ID)
		from := ""
		// Only a check judged now looks back: one unjudged in both runs
		// (a second night of outage) is no change, whatever came before.
		if !judged(b) && judged(r) {
			if earlier, run, found := lastJudged(r.ID, baseline, current, history); found {
				from = fmt.Sprintf("the run of %s, the last to judge it (the baseline did not: %s)", run.Run.Start.UTC().Format(time.RFC3339), statusWord(b))
				b = earlier
			}
		}
		ch := RequirementChange{ID: r.ID, Title: r.Title, Inferred: catalogue.Undocumented(r.Source), Before: b.Status, After: r.Status, Classification: r.Classification, Reason: r.Reason, BeforeFrom: from}
		switch {
		case r.Status == StatusFailed && (b.Status != StatusFailed || failureKind(b) != failureKind(r)):
			if b.Status == StatusFailed {
				ch.Before = statusWord(b)
			}
			switch failureKind(r) {
			case ClassEnvironmentUnavailable:
				c.NewlyUnavailable = append(c.NewlyUnavailable, ch)
				if throttledOnly(r) {
					c.NewlyThrottled++
				}
			case kindNotJudged:
				c.NewlyNotJudged = append(c.NewlyNotJudged, ch)
			case ClassConfigurationError:
				c.NewConfigErrors = append(c.NewConfigErrors, ch)
			case kindAdvisory:
				c.NewAdvisory = append(c.NewAdvisory, ch)
			default:
				c.NewViolations = append(c.NewViolations, ch)
			}
		case r.Status == StatusPassed && b.Status == StatusFailed && failureKind(b) != ClassContractViolation && failureKind(b) != kindAdvisory:
			ch.Before = statusWord(b)
			c.Recovered = append(c.Recovered, ch)
		case r.Status == StatusPassed && (b.Status == StatusFailed || b.Status == StatusKnownIssue):
			c.Fixed = append(c.Fixed, ch)
		case !exercised(r.Status) && exercised(b.Status):
			c.NewlySkipped = append(c.NewlySkipped, ch)
		case r.Status != b.Status || r.Classification != b.Classification:
			ch.Before, ch.After = statusWord(b), statusWord(r)
			c.Changed = append(c.Changed, ch)
		}
	}
	for _, id := range sortedKeys(before) {
		c.Notes = append(c.Notes, fmt.Sprintf("%s is in the baseline but not in this run's report", id))
	}
}

// judged reports whether a run judged r: it passed, failed as a contract
// violation (or an advisory failure), or was a known issue. An outage, a
// setup error, too few items, a skip or a check not run judged nothing.
func judged(r Requirement) bool {
	switch r.Status {
	case StatusPassed, StatusKnownIssue:
		return true
	case StatusFailed:
		k := failureKind(r)
		return k == ClassContractViolation || k == kindAdvisory
	}
	return false
}

// lastJudged finds, among the history's runs of the current run's target
// that started before the baseline, the latest that judged requirement id.
func lastJudged(id string, baseline, current *Document, history []*Document) (Requirement, *Document, bool) {
	var best *Document
	var found Requirement
	for _, d := range history {
		if d == nil || d.Target.BaseURL != current.Target.BaseURL || !d.Run.Start.Before(baseline.Run.Start) {
			continue
		}
		if best != nil && !d.Run.Start.After(best.Run.Start) {
			continue
		}
		if r, ok := findRequirement(d, id); ok && judged(r) {
			best, found = d, r
		}
	}
	return found, best, best != nil
}

// lastShape finds, among the history's runs of the current run's target
// that started before the baseline, the latest that recorded a shape of
// endpoint ep.
func lastShape(ep string, baseline, current *Document, history []*Document) (Shape, *Document, bool) {
	var best *Document
	for _, d := range history {
		if d == nil || d.Target.BaseURL != current.Target.BaseURL || !d.Run.Start.Before(baseline.Run.Start) {
			continue
		}
		if _, ok := d.Shapes[ep]; ok && (best == nil || d.Run.Start.After(best.Run.Start)) {
			best = d
		}
	}
	if best == nil {
		return nil, nil, false
	}
	return best.Shapes[ep], best, true
}

// findRequirement is requirement id of d.
func findRequirement(d *Document, id string) (Requirement, bool) {
	for _, r := range d.Requirements {
		if r.ID == id {
			return r, true
		}
	}
	return Requirement{}, false
}

// kindNotJudged is the failureKind of a configuration error for want of
// items (ThinData).
const kindNotJudged = "not-judged"

// kindAdvisory is the failureKind of a SHOULD rule's failure: advisory,
// never counted by the verdict.
const kindAdvisory = "advisory"

// failureKind is the list of Compare a failure belongs in: an outage, a
// check not judged for want of items, another setup problem, or (any
// other classification) a contract violation. A failure that moves from
// one kind to another is new in its new kind: a check that was unavailable
// last night and breaks the contract tonight is a new violation.
func failureKind(r Requirement) string {
	switch {
	case r.Classification == ClassConfigurationError && ThinData(&r):
		return kindNotJudged
	case r.Classification == ClassEnvironmentUnavailable, r.Classification == ClassConfigurationError:
		return r.Classification
	case r.Advisory:
		return kindAdvisory
	}
	return ClassContractViolation
}

func statusWord(r Requirement) string {
	if r.Classification == "" {
		return r.Status
	}
	return r.Status + " (" + r.Classification + ")"
}

type exchangeKey struct{ req, endpoint, method, auth string }

// statusCodes gathers the sorted set of status codes per request kind.
func statusCodes(d *Document) map[exchangeKey][]int {
	out := map[exchangeKey][]int{}
	for _, r := range d.Requirements {
		for _, ex := range r.Evidence.Exchanges {
			ep := endpointOfPath(d.Coverage.Endpoints, ex.URL)
			k := exchangeKey{r.ID, ep, ex.Method, ex.AuthShape}
			if !containsInt(out[k], ex.Status) {
				out[k] = append(out[k], ex.Status)
				sort.Ints(out[k])
			}
		}
	}
	return out
}

func (c *Comparison) compareStatusCodes(baseline, current *Document) {
	before, after := statusCodes(baseline), statusCodes(current)
	for k, a := range after {
		b, ok := before[k]
		if !ok || fmt.Sprint(a) == fmt.Sprint(b) {
			continue
		}
		c.StatusCodes = append(c.StatusCodes, StatusCodeChange{Requirement: k.req, Endpoint: k.endpoint, Method: k.method, AuthShape: k.auth, Before: b, After: a})
	}
	sort.Slice(c.StatusCodes, func(i, j int) bool {
		x, y := c.StatusCodes[i], c.StatusCodes[j]
		return x.Requirement+"|"+x.Endpoint+"|"+x.Method+"|"+x.AuthShape < y.Requirement+"|"+y.Endpoint+"|"+y.Method+"|"+y.AuthShape
	})
}

func (c *Comparison) compareLatency(baseline, current *Document) {
	for _, ep := range sortedKeys(current.Latency) {
		b, ok := baseline.Latency[ep]
		a := current.Latency[ep]
		if !ok || b.Count == 0 || a.Count == 0 {
			continue
		}
		ch := LatencyChange{Endpoint: ep, BeforeP50: b.P50Ms, AfterP50: a.P50Ms, BeforeP95: b.P95Ms, AfterP95: a.P95Ms}
		diff := a.P95Ms - b.P95Ms
		switch {
		case diff >= LatencyChangeMinMs && diff >= b.P95Ms*LatencyChangeFraction:
			ch.Trend = "slower"
		case -diff >= LatencyChangeMinMs && -diff >= b.P95Ms*LatencyChangeFraction:
			ch.Trend = "faster"
		}
		c.Latency = append(c.Latency, ch)
	}
	if len(c.Latency) == 0 && (len(current.Latency) == 0 || len(baseline.Latency) == 0) {
		c.Notes = append(c.Notes, "latency not compared: one of the runs had no live answers (a replay has no latency)")
	}
}

// NewFailures counts the requirements that fail now and did not fail so
// in the baseline, whatever the cause: violations, outages and setup
// problems together.
func (c *Comparison) NewFailures() int {
	return len(c.NewViolations) + len(c.NewAdvisory) + len(c.NewlyUnavailable) + len(c.NewConfigErrors) + len(c.NewlyNotJudged)
}

// HasRegressions is true when the current run is worse than the baseline:
// a new failure of any kind, a newly skipped check, changed status codes,
// shape drift or a slower endpoint.
func (c *Comparison) HasRegressions() bool {
	if c.NewFailures()+len(c.NewlySkipped)+len(c.StatusCodes)+len(c.Drift) > 0 {
		return true
	}
	for _, l := range c.Latency {
		if l.Trend == "slower" {
			return true
		}
	}
	return false
}

// endpointOfPath maps a request URL to a coverage endpoint by path (the
// longest endpoint path that ends the URL's path), or "" when none does.
func endpointOfPath(endpoints []CoverageEndpoint, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	p := strings.TrimSuffix(u.Path, "/")
	best, bestLen := "", 0
	for _, e := range endpoints {
		if e.Path != "" && strings.HasSuffix(p, e.Path) && len(e.Path) > bestLen {
			best, bestLen = e.ID, len(e.Path)
		}
	}
	if best == "" {
		return p
	}
	return best
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
