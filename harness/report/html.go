package report

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

//go:embed report.html.tmpl
var htmlTemplateText string

var htmlTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"join":      strings.Join,
	"cellLabel": cellLabel,
	"cellCSS":   cellCSS,
	"utc":       func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") },
	"row":       rowHTML,
}).Parse(htmlTemplateText))

// htmlView is what the template reads: the document plus the orderings
// and labels shared with the Markdown writer.
type htmlView struct {
	Doc          *Document
	VerdictLabel string
	GoLiveLabel  string
	NotValid     bool
	KeyLabel     string
	ModeLabel    string
	Transport    string
	// NotPassed are the rows that did not pass, most severe first;
	// Passed the rest.
	NotPassed    []htmlRow
	Passed       []htmlRow
	Matrix       []htmlMatrixRow
	Trend        template.HTML
	TrendRuns    int
	Latency      []latencyRow
	ConfigJSON   string
	NotExercised []NotExercised
}

// htmlRow is one requirement, with the evidence shown under it.
type htmlRow struct {
	Requirement
	CSS        string
	ClassLabel string
	Shown      []evidence.Exchange
	More       int
}

type htmlMatrixRow struct {
	Endpoint CoverageEndpoint
	Cells    []htmlCell
}

type htmlCell struct {
	Family string
	Cell
}

// renderHTML writes report.html: one self-contained page (inline CSS and
// SVG, no script, no external asset) for a reader who has never seen the
// suite. The verdict comes first, then the checks that did not pass (most
// severe first, each with its evidence folded under it), the coverage grid,
// the trend of earlier runs, and the checks that passed.
func (d *Document) renderHTML(history []*Document) ([]byte, error) {
	v := htmlView{
		Doc: d, VerdictLabel: verdictLabel(d), GoLiveLabel: goLiveLabel(d.GoLive.Verdict),
		NotValid: d.GoLive.Verdict == GoLiveNotValidForSubmission, KeyLabel: keyLabel(d.Target.KeyFingerprint),
		ModeLabel: modeLabel(d), Transport: transportLabel(d.Target), Latency: latencyRows(d),
		NotExercised: d.Coverage.NotExercised,
	}
	for _, r := range bySeverity(d.Requirements) {
		row := htmlRow{Requirement: r, CSS: rowCSS(r), ClassLabel: classLabel(r)}
		row.Shown = r.Evidence.Exchanges
		if len(row.Shown) > excerptLimit {
			row.Shown, row.More = row.Shown[:excerptLimit], len(row.Shown)-excerptLimit
		}
		if r.Status == StatusPassed {
			v.Passed = append(v.Passed, row)
		} else {
			v.NotPassed = append(v.NotPassed, row)
		}
	}
	for i, e := range d.Coverage.Endpoints {
		row := htmlMatrixRow{Endpoint: e}
		for j, c := range d.Coverage.Cells[i] {
			row.Cells = append(row.Cells, htmlCell{Family: d.Coverage.Families[j], Cell: c})
		}
		v.Matrix = append(v.Matrix, row)
	}
	points := trendPoints(d, history)
	v.Trend, v.TrendRuns = trendSVG(points), len(points)
	if d.Run.Config != nil {
		cfg, err := json.MarshalIndent(d.Run.Config, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("encode configuration for report.html: %w", err)
		}
		v.ConfigJSON = string(cfg)
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("render report.html: %w", err)
	}
	return buf.Bytes(), nil
}

// rowCSS picks the colour of a row: one class per status, and one for
// advisory or outage failures, which must not look like violations.
func rowCSS(r Requirement) string {
	switch {
	case r.Status == StatusFailed && r.Classification == ClassEnvironmentUnavailable:
		return "unavailable"
	case r.Status == StatusFailed && r.Advisory:
		return "advisory"
	case r.Status == StatusPassed && len(notJudgedNotes(r)) > 0:
		return "partly"
	}
	return r.Status
}
