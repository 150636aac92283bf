package bench

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// VolatileFields are the report.json fields that differ between two runs
// of the same cassettes without meaning anything: times, durations,
// latencies, the seed (and the reproduce command, which carries it), the
// number of parallel processes, and the report directory. A path is
// dot-separated; "*" stands for every element of an array.
var VolatileFields = []string{
	"run.start",
	"run.end",
	"run.seed",
	"run.command",
	"run.parallel",
	"run.config.reportDir",
	"run.config.cassetteCache",
	"latency",
	"requirements.*.durationMs",
	"requirements.*.latencyMs",
	"requirements.*.evidence.exchanges.*.latencyNs",
}

// maxDifferences bounds what CompareReports lists: past a few, more lines
// only hide the first, which is usually the cause.
const maxDifferences = 20

// CompareReports compares two report.json documents with VolatileFields
// removed and returns the differences, each a JSON path with both values
// ("requirements[3].status: passed vs failed"), at most 20. No
// differences means the runs reported the same thing.
func CompareReports(a, b []byte) ([]string, error) {
	na, err := normalizeReport(a)
	if err != nil {
		return nil, fmt.Errorf("first report: %w", err)
	}
	nb, err := normalizeReport(b)
	if err != nil {
		return nil, fmt.Errorf("second report: %w", err)
	}
	var diffs []string
	diffValues("", na, nb, &diffs)
	if len(diffs) > maxDifferences {
		diffs = diffs[:maxDifferences]
	}
	return diffs, nil
}

// normalizeReport decodes a report and drops the volatile fields.
func normalizeReport(data []byte) (any, error) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("not a JSON report: %w", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("not a report: the document is a JSON %T, not an object", v)
	}
	for _, f := range VolatileFields {
		drop(v, strings.Split(f, "."))
	}
	return v, nil
}

// drop deletes the field at path under v; missing parts are fine, since
// not every run has every field.
func drop(v any, path []string) {
	switch x := v.(type) {
	case map[string]any:
		if len(path) == 1 {
			delete(x, path[0])
			return
		}
		if next, ok := x[path[0]]; ok {
			drop(next, path[1:])
		}
	case []any:
		if path[0] != "*" || len(path) == 1 {
			return
		}
		for _, e := range x {
			drop(e, path[1:])
		}
	}
}

// diffValues appends the differences between a and b under path.
func diffValues(path string, a, b any, diffs *[]string) {
	if len(*diffs) >= maxDifferences {
		return
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, seen := x[k]; !seen {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			va, inA := x[k]
			vb, inB := y[k]
			if inA != inB {
				*diffs = append(*diffs, fmt.Sprintf("%s: %s vs %s", join(path, k), present(va, inA), present(vb, inB)))
				continue
			}
			diffValues(join(path, k), va, vb, diffs)
		}
		return
	case []any:
		y, ok := b.([]any)
		if !ok {
			break
		}
		if len(x) != len(y) {
			*diffs = append(*diffs, fmt.Sprintf("%s: %d elements vs %d", orRoot(path), len(x), len(y)))
		}
		for i := range min(len(x), len(y)) {
			diffValues(fmt.Sprintf("%s[%d]", path, i), x[i], y[i], diffs)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*diffs = append(*diffs, fmt.Sprintf("%s: %s vs %s", orRoot(path), short(a), short(b)))
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "(document)"
	}
	return path
}

// present renders a field that only one report has.
func present(v any, ok bool) string {
	if !ok {
		return "(absent)"
	}
	return short(v)
}

// short renders a value for a difference line, cut to keep the line
// readable.
func short(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	const limit = 120
	if len(b) > limit {
		return string(b[:limit]) + "..."
	}
	return string(b)
}
