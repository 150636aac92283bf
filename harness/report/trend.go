package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"sort"
	"strings"
)

// trendPoint is one run in the trend chart.
type trendPoint struct {
	Start   string
	Label   string
	Verdict string
	Passed  int
	Total   int
	// P95Ms is the run's p95 latency over every endpoint; negative when
	// the run had no live answers (a replay).
	P95Ms float64
}

// trendPoints orders the history and the current run by start time, one
// point per run (a run found twice in the history counts once).
func trendPoints(current *Document, history []*Document) []trendPoint {
	seen := map[string]bool{}
	var docs []*Document
	for _, d := range append(append([]*Document{}, history...), current) {
		if d == nil {
			continue
		}
		key := d.Run.Start.UTC().String() + "|" + d.Target.BaseURL + "|" + d.Mode
		if seen[key] {
			continue
		}
		seen[key] = true
		docs = append(docs, d)
	}
	sort.SliceStable(docs, func(i, j int) bool { return docs[i].Run.Start.Before(docs[j].Run.Start) })
	var out []trendPoint
	for _, d := range docs {
		p := trendPoint{Start: d.Run.Start.UTC().Format("2006-01-02 15:04"), Label: d.Run.Start.UTC().Format("01-02"),
			Verdict: d.Verdict, Passed: d.Counts.Passed, Total: d.Counts.Total, P95Ms: -1}
		if s, ok := d.Latency["*"]; ok && s.Count > 0 {
			p.P95Ms = s.P95Ms
		}
		out = append(out, p)
	}
	return out
}

// Chart geometry, in SVG user units.
const (
	chartW, chartH         = 860.0, 240.0
	padL, padR, padT, padB = 50.0, 60.0, 20.0, 40.0
)

// trendSVG draws the pass count (left axis) and the p95 latency (right
// axis) of each run as an inline SVG: no script, no external asset. Every
// text it contains is escaped here, which is why it may be handed to the
// template as trusted HTML.
func trendSVG(points []trendPoint) template.HTML {
	if len(points) == 0 {
		return ""
	}
	maxPassed, maxP95 := 1, 1.0
	for _, p := range points {
		maxPassed = max(maxPassed, p.Total, p.Passed)
		maxP95 = math.Max(maxP95, p.P95Ms)
	}
	plotW, plotH := chartW-padL-padR, chartH-padT-padB
	x := func(i int) float64 {
		if len(points) == 1 {
			return padL + plotW/2
		}
		return padL + plotW*float64(i)/float64(len(points)-1)
	}
	yPass := func(v int) float64 { return padT + plotH*(1-float64(v)/float64(maxPassed)) }
	yLat := func(v float64) float64 { return padT + plotH*(1-v/maxP95) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 %.0f %.0f" role="img" aria-label="Trend of passed requirements and p95 latency over %d runs">`,
		chartW, chartH, len(points))
	fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="#fafafa" stroke="#ccc"/>`, padL, padT, plotW, plotH)
	// Axes labels: pass count on the left, latency on the right.
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="axis" text-anchor="end">%d</text>`, padL-6, padT+4, maxPassed)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="axis" text-anchor="end">0</text>`, padL-6, padT+plotH)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="axis">%.0f ms</text>`, padL+plotW+6, padT+4, maxP95)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="axis">0 ms</text>`, padL+plotW+6, padT+plotH)

	var pass, lat []string
	for i, p := range points {
		pass = append(pass, fmt.Sprintf("%.1f,%.1f", x(i), yPass(p.Passed)))
		if p.P95Ms >= 0 {
			lat = append(lat, fmt.Sprintf("%.1f,%.1f", x(i), yLat(p.P95Ms)))
		}
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1a7f37" stroke-width="2"/>`, strings.Join(pass, " "))
	if len(lat) > 0 {
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#0550ae" stroke-width="2" stroke-dasharray="6 3"/>`, strings.Join(lat, " "))
	}
	for i, p := range points {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" class="pt-%s"><title>%s</title></circle>`, x(i), yPass(p.Passed),
			html.EscapeString(p.Verdict), html.EscapeString(fmt.Sprintf("%s: %d of %d passed, verdict %s", p.Start, p.Passed, p.Total, p.Verdict)))
		if p.P95Ms >= 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="6" height="6" fill="#0550ae"><title>%s</title></rect>`, x(i)-3, yLat(p.P95Ms)-3,
				html.EscapeString(fmt.Sprintf("%s: p95 %.1f ms", p.Start, p.P95Ms)))
		}
		if len(points) <= 15 || i%int(math.Ceil(float64(len(points))/15)) == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" class="axis" text-anchor="middle">%s</text>`, x(i), padT+plotH+16, html.EscapeString(p.Label))
		}
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="legend" fill="#1a7f37">━ requirements passed</text>`, padL, chartH-6)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="legend" fill="#0550ae">╍ p95 latency (live runs)</text>`, padL+220, chartH-6)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec G203 -- built above from numbers and escaped text only
}
