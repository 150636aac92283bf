package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromiumPath finds the browser; without it the test skips, unless
// WINSTON_REQUIRE_BROWSER is set (CI), where a missing browser fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("WINSTON_REQUIRE_BROWSER") != "" {
		t.Fatal("chromium is not installed and WINSTON_REQUIRE_BROWSER is set: install it (apt-get install -y chromium)")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium); set WINSTON_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// runChromium runs headless Chromium with the suite's fixed, offline flags.
func runChromium(t *testing.T, browser string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--window-size=1280,2000"}
	cmd := exec.CommandContext(ctx, browser, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

// historyFor makes earlier runs of d for the trend chart.
func historyFor(t *testing.T, d *Document) []*Document {
	t.Helper()
	var out []*Document
	for i, passed := range []int{30, 33, 35} {
		h := mustBuild(t, "pass")
		h.Run.Start = d.Run.Start.Add(-time.Duration(3-i) * 24 * time.Hour)
		h.Target = d.Target
		h.Counts.Passed, h.Counts.Total = passed, d.Counts.Total
		h.Latency = map[string]LatencyStats{"*": {P50Ms: 40, P95Ms: float64(90 + 20*i), Count: 60}}
		out = append(out, h)
	}
	return out
}

func TestHTMLRendersInHeadlessChromium(t *testing.T) {
	browser := chromiumPath(t)
	d := defaultCatalogueDoc(t)
	dir := t.TempDir()
	if err := d.Write(dir, historyFor(t, d)); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, HTMLFile)
	raw, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{"<script", "<link", " src=", "url(", "@import"} {
		if bytes.Contains(raw, []byte(banned)) {
			t.Errorf("report.html must be self-contained and offline, but holds %q", banned)
		}
	}
	url := "file://" + filepath.ToSlash(page)
	dom := string(runChromium(t, browser, "--dump-dom", url))
	for _, want := range []string{
		"Verdict: FAIL: contract violation", // the verdict, at the top
		"Go-live: not ready for go-live",
		d.Summary,
		"expected 401, got 500",             // the failure message
		`{"error":"Internal Server Error"}`, // the response excerpt, folded under the row
		"/0/total: type: Invalid type.",     // the schema error
		"go tool ginkgo --focus",            // the replay line
		"Coverage: endpoint × check family", // the matrix
		`class="c-failed"`, `class="c-passed"`, `class="c-not-run"`,
		"<polyline",                                                           // the trend chart
		"contract violation", "environment unavailable", "known vendor issue", // classification everywhere
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %q", want)
		}
	}
	if v, f := strings.Index(dom, "Verdict:"), strings.Index(dom, `id="checks"`); v < 0 || f < 0 || v > f {
		t.Error("the verdict must come before the checks")
	}
	firstPassed, lastFailed := strings.Index(dom, `class="req passed"`), strings.LastIndex(dom, `class="req failed"`)
	if firstPassed < 0 || lastFailed < 0 || lastFailed > firstPassed {
		t.Error("failures must be listed before passes")
	}

	shot := filepath.Join(t.TempDir(), "report.png")
	runChromium(t, browser, "--screenshot="+shot, url)
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 20_000 {
		t.Errorf("screenshot is not a rendered page (%d bytes)", len(png))
	}
	if *update {
		if err := os.WriteFile(filepath.Join("testdata", "report-screenshot.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTrendPointsOrderAndDeduplicate(t *testing.T) {
	d := mustBuild(t, "pass")
	hist := historyFor(t, d)
	pts := trendPoints(d, append(hist, hist[0], nil))
	if len(pts) != 4 {
		t.Fatalf("got %d points, want 3 earlier runs and this one", len(pts))
	}
	if pts[0].Passed != 30 || pts[3].Passed != d.Counts.Passed || pts[0].P95Ms != 90 {
		t.Errorf("points = %+v", pts)
	}
	svg := string(trendSVG(pts))
	if strings.Count(svg, "<circle") != 4 || !strings.Contains(svg, "p95 latency") {
		t.Errorf("svg = %s", svg)
	}
	if trendSVG(nil) != "" {
		t.Error("no runs, no chart")
	}
}
