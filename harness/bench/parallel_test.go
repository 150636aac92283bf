package bench

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/bench/floor"
	"github.com/winston-conformance/winston-conformance/harness/catalogue"
)

// TestParallelReplayGivesTheSameReport runs the replay three ways and
// compares report.json without VolatileFields: serially parsing every
// YAML (cache off), with `ginkgo -p --procs 2` filling an empty parsed-
// cassette cache from two processes at once, and serially again from the
// warm cache. All three must report the same thing.
func TestParallelReplayGivesTheSameReport(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the suite and replays it three times; run without -short")
	}
	root, suite, _ := binaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	reportOf := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name, "report.json"))
		if err != nil {
			t.Fatalf("the %s run wrote no report: %v", name, err)
		}
		return b
	}
	if _, err := suite.Run(ctx, ReplayEnv(root, filepath.Join(dir, "serial"), "off")); err != nil {
		t.Fatal(err)
	}
	if _, err := RunParallel(ctx, root, suite, 2, ReplayEnv(root, filepath.Join(dir, "parallel"), cache)); err != nil {
		t.Fatal(err)
	}
	if _, err := suite.Run(ctx, ReplayEnv(root, filepath.Join(dir, "cached"), cache)); err != nil {
		t.Fatal(err)
	}
	serial := reportOf("serial")
	if got := parallelOf(t, reportOf("parallel")); got != 2 {
		t.Fatalf("the parallel report says run.parallel = %v: Ginkgo did not run 2 processes", got)
	}
	for _, other := range []string{"parallel", "cached"} {
		diffs, err := CompareReports(serial, reportOf(other))
		if err != nil {
			t.Fatal(err)
		}
		if len(diffs) > 0 {
			t.Errorf("the %s run reported differently from the serial one (timings excluded):\n  %s", other, strings.Join(diffs, "\n  "))
		}
	}
	if es, err := os.ReadDir(cache); err != nil || len(es) == 0 {
		t.Errorf("the parallel run left no parsed-cassette cache entries in %s (%v)", cache, err)
	}
	checkVolatileFieldsExist(t, serial)
}

// parallelOf is run.parallel of a report.
func parallelOf(t *testing.T, report []byte) float64 {
	t.Helper()
	var doc struct {
		Run struct {
			Parallel float64 `json:"parallel"`
		} `json:"run"`
	}
	if err := json.Unmarshal(report, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Run.Parallel
}

// checkVolatileFieldsExist keeps VolatileFields honest: a field the report
// renamed would otherwise be compared again, or a stale entry hide
// nothing while looking as if it did.
func checkVolatileFieldsExist(t *testing.T, report []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(report, &v); err != nil {
		t.Fatal(err)
	}
	for _, f := range VolatileFields {
		if !hasPath(v, strings.Split(f, ".")) {
			t.Errorf("VolatileFields lists %s, which a replay report does not have: update the list", f)
		}
	}
}

func hasPath(v any, path []string) bool {
	if len(path) == 0 {
		return true
	}
	switch x := v.(type) {
	case map[string]any:
		next, ok := x[path[0]]
		return ok && hasPath(next, path[1:])
	case []any:
		for _, e := range x {
			if path[0] == "*" && hasPath(e, path[1:]) {
				return true
			}
		}
	}
	return false
}

// TestFloorMatchesTheCatalogue: the floor is only a fair baseline with as
// many specs as the suite has requirements.
func TestFloorMatchesTheCatalogue(t *testing.T) {
	cat, err := catalogue.Load("")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cat.Requirements); n != floor.Specs {
		t.Errorf("the catalogue has %d requirements but the floor %d empty specs: set floor.Specs to %d", n, floor.Specs, n)
	}
}

// TestLiveRunAgainstTheSandbox runs one check live, as BenchmarkLive does
// with its subset, so a broken live setup fails here and not only in
// `make bench`.
func TestLiveRunAgainstTheSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the suite and runs it against the sandbox; run without -short")
	}
	_, suite, _ := binaries(t)
	sb, err := StartSandbox(0, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sb.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	report := filepath.Join(t.TempDir(), "live")
	if _, err := suite.Run(ctx, sb.LiveEnv(report, 4, LiveMaxRPS), FocusArgs("AUTH-001")...); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(report, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Mode         string `json:"mode"`
		Requirements []struct {
			ID, Status string
		} `json:"requirements"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range doc.Requirements {
		if r.ID == "AUTH-001" {
			if doc.Mode != "live" || r.Status != "passed" {
				t.Errorf("AUTH-001 live against the sandbox: mode %s, status %s", doc.Mode, r.Status)
			}
			return
		}
	}
	t.Error("the live report has no AUTH-001")
}
