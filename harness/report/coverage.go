package report

import (
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// HostRow is the coverage row of checks that are about the host rather
// than an endpoint (TLS, certificate, unknown routes).
const HostRow = "(host)"

// Coverage is the endpoint x check-family matrix: which family of checks
// was exercised on which endpoint, and with what outcome.
type Coverage struct {
	// Families are the columns, in report order.
	Families []string `json:"families"`
	// Endpoints are the rows: profile endpoints first, then catalogue
	// order, then the host row.
	Endpoints []CoverageEndpoint `json:"endpoints"`
	// Cells[i][j] is endpoint i, family j.
	Cells [][]Cell `json:"cells"`
	// NotExercised lists the cells where a check applies but did not run
	// or was skipped, with why.
	NotExercised []NotExercised `json:"notExercised"`
}

// CoverageEndpoint is one row of the matrix.
type CoverageEndpoint struct {
	// ID is the catalogue endpoint ID, or HostRow.
	ID    string `json:"id"`
	Title string `json:"title"`
	// Path is the route ("" for the host row).
	Path string `json:"path"`
	// InProfile is true for endpoints the integration profile names.
	InProfile bool `json:"inProfile,omitempty"`
}

// Cell is the outcome of one family on one endpoint: the worst status of
// the requirements of that family that cover the endpoint.
type Cell struct {
	// Status is passed, failed, known-issue, skipped, not-run or
	// not-applicable.
	Status string `json:"status"`
	// Classification and Advisory are those of the requirement that
	// decided a failed cell, so that an outage or a SHOULD failure is not
	// shown as a contract violation.
	Classification string `json:"classification,omitempty"`
	Advisory       bool   `json:"advisory,omitempty"`
	// Throttled is true when that requirement was kept from passing by
	// 429s (environment unavailable, throttled): not an outage.
	Throttled bool `json:"throttled,omitempty"`
	// Requirements are the IDs that make up the cell.
	Requirements []string `json:"requirements"`
}

// NotExercised is a cell that a check applies to but that no check
// exercised, and why.
type NotExercised struct {
	Endpoint string `json:"endpoint"`
	Family   string `json:"family"`
	// Why lists each requirement of the cell that did not run, with its
	// reason ("ORDER-001: mutations are off for this host").
	Why string `json:"why"`
}

// LatencyStats summarises the live answer times of one endpoint.
type LatencyStats struct {
	// P50Ms and P95Ms are nearest-rank percentiles, in milliseconds.
	P50Ms float64 `json:"p50Ms"`
	P95Ms float64 `json:"p95Ms"`
	// Count is the number of live answers measured.
	Count int `json:"count"`
}

// cellRank orders a requirement's outcome on an endpoint from best to
// worst; a cell shows the worst. Among failures, a MUST violation is worse
// than an outage, which is worse than an advisory SHOULD failure.
func cellRank(r Requirement, status string) int {
	switch status {
	case StatusPassed:
		return 1
	case StatusNotRun:
		return 2
	case StatusNotJudged:
		return 3
	case StatusSkipped:
		return 3
	case StatusKnownIssue:
		return 4
	case StatusFailed:
		switch {
		case r.Classification == ClassEnvironmentUnavailable:
			return 6
		case r.Advisory:
			return 5
		}
		return 7
	}
	return 0
}

func buildCoverage(cat *catalogue.Catalogue, reqs []Requirement, profile *Profile) Coverage {
	cov := Coverage{Families: append([]string(nil), catalogue.Families...), NotExercised: []NotExercised{}}
	inProfile := map[string]bool{}
	if profile != nil {
		for _, e := range profile.Endpoints {
			inProfile[e] = true
		}
	}
	for _, e := range cat.Endpoints {
		cov.Endpoints = append(cov.Endpoints, CoverageEndpoint{ID: e.ID, Title: e.Title, Path: e.Path, InProfile: inProfile[e.ID]})
	}
	sort.SliceStable(cov.Endpoints, func(i, j int) bool { return cov.Endpoints[i].InProfile && !cov.Endpoints[j].InProfile })
	cov.Endpoints = append(cov.Endpoints, CoverageEndpoint{ID: HostRow, Title: "Host-level checks (no endpoint)", Path: "", InProfile: profile != nil})
	known := map[string]bool{}
	for _, e := range cat.Endpoints {
		known[e.ID] = true
	}
	for _, ep := range cov.Endpoints {
		row := make([]Cell, len(cov.Families))
		for j, fam := range cov.Families {
			cell := Cell{Status: StatusNotApplicable, Requirements: []string{}}
			worst := 0
			var why []string
			for _, r := range reqs {
				if r.Family != fam || !covers(r, ep.ID) {
					continue
				}
				cell.Requirements = append(cell.Requirements, r.ID)
				st, reason := statusOn(r, ep.ID, known)
				if rank := cellRank(r, st); rank > worst {
					worst = rank
					cell.Status, cell.Classification, cell.Advisory, cell.Throttled = st, "", false, false
					if st == StatusFailed || st == StatusKnownIssue {
						cell.Classification, cell.Advisory = r.Classification, r.Advisory
						cell.Throttled = r.Classification == ClassEnvironmentUnavailable && throttledOnly(r)
					}
				}
				if st == StatusSkipped || st == StatusNotRun || st == StatusNotJudged {
					why = append(why, r.ID+": "+reason)
				}
			}
			if len(why) > 0 {
				cov.NotExercised = append(cov.NotExercised, NotExercised{Endpoint: ep.ID, Family: fam, Why: strings.Join(why, "; ")})
			}
			row[j] = cell
		}
		cov.Cells = append(cov.Cells, row)
	}
	return cov
}

func covers(r Requirement, endpoint string) bool {
	if endpoint == HostRow {
		return len(r.Endpoints) == 0
	}
	return contains(r.Endpoints, endpoint)
}

// statusOn is a requirement's status on one endpoint, and why it was not
// exercised there. Per-endpoint findings refine the requirement's status:
// an endpoint the check passed over (a finding with the fact "skipped", as
// for mutating calls on a production host) is skipped there, and when a
// failed check's findings on an endpoint all held, that endpoint passed.
//
// A failing finding on no catalogue endpoint (ERR-006's unknown route)
// fails every cell of its requirement: it belongs to none, and must show.
func statusOn(r Requirement, endpoint string, known map[string]bool) (string, string) {
	if r.Status == StatusSkipped || r.Status == StatusNotRun {
		return r.Status, r.Reason
	}
	seen, exercised, bad, anyEndpoint, elsewhereBad := false, false, false, false, false
	skippedWhy, unjudgedWhy := "", ""
	for _, f := range r.Evidence.Findings {
		if f.Endpoint == "" {
			continue
		}
		anyEndpoint = true
		if id, _, _ := strings.Cut(f.Endpoint, " "); !known[id] && !f.OK {
			elsewhereBad = true
		}
		if f.Endpoint != endpoint && !strings.HasPrefix(f.Endpoint, endpoint+" ") {
			continue
		}
		seen = true
		if why := f.Facts["skipped"]; why != "" {
			skippedWhy = why
			continue
		}
		if f.OK && f.Facts[NotJudgedFact] != "" {
			// Seen but not judged (a 429, a status another check
			// judges): it shows nothing passed on this endpoint.
			unjudgedWhy = f.Facts[NotJudgedFact]
			continue
		}
		exercised = true
		bad = bad || !f.OK
	}
	switch {
	case seen && !exercised && skippedWhy != "":
		return StatusSkipped, skippedWhy
	case r.Status == StatusPassed && seen && !exercised && unjudgedWhy != "":
		// The requirement passed elsewhere; here it judged nothing.
		return StatusNotJudged, unjudgedWhy
	case r.Status != StatusFailed && r.Status != StatusKnownIssue:
		return r.Status, r.Reason
	case anyEndpoint && exercised && !bad && !elsewhereBad:
		return StatusPassed, ""
	}
	return r.Status, r.Reason
}

// latencyByEndpoint computes p50/p95 per catalogue endpoint from answered,
// live exchanges; replayed answers and transport errors have no latency
// worth reporting. The key "*" covers every exchange of the run.
func latencyByEndpoint(cat *catalogue.Catalogue, all []evidence.Exchange) map[string]LatencyStats {
	byEndpoint := map[string][]time.Duration{}
	for _, ex := range all {
		if ex.Replayed || ex.Status == 0 || ex.Error != "" {
			continue
		}
		byEndpoint["*"] = append(byEndpoint["*"], ex.Latencies()...)
		if id := endpointOfURL(cat, ex.URL); id != "" {
			byEndpoint[id] = append(byEndpoint[id], ex.Latencies()...)
		}
	}
	out := map[string]LatencyStats{}
	for id, ds := range byEndpoint {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		out[id] = LatencyStats{P50Ms: ms(percentile(ds, 50)), P95Ms: ms(percentile(ds, 95)), Count: len(ds)}
	}
	return out
}

// endpointOfURL maps a request URL to the catalogue endpoint with that
// path. A base URL with a path prefix is allowed: the longest endpoint
// path that ends the URL's path wins.
func endpointOfURL(cat *catalogue.Catalogue, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	p := strings.TrimSuffix(u.Path, "/")
	best, bestLen := "", 0
	for _, e := range cat.Endpoints {
		if strings.HasSuffix(p, e.Path) && len(e.Path) > bestLen {
			best, bestLen = e.ID, len(e.Path)
		}
	}
	return best
}

// percentile uses the nearest-rank method on sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}
