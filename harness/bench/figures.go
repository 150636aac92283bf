package bench

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Results are parsed benchmark lines: benchmark name (without the -N
// GOMAXPROCS suffix) to unit ("ns/op", "replay/floor", ...) to value.
// A benchmark run several times (-count) keeps the mean of its values.
type Results map[string]map[string]float64

// benchLine is a `go test -bench` result line: name, iterations, then
// value-unit pairs.
var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.+)$`)

// ParseBench reads `go test -bench` output (the benchstat format) and
// returns its results; lines that are not results are skipped.
func ParseBench(r io.Reader) (Results, error) {
	type acc struct {
		sum float64
		n   int
	}
	sums := map[string]map[string]*acc{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		fields := strings.Fields(m[2])
		if len(fields)%2 != 0 {
			continue
		}
		for i := 0; i < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			if sums[m[1]] == nil {
				sums[m[1]] = map[string]*acc{}
			}
			a := sums[m[1]][fields[i+1]]
			if a == nil {
				a = &acc{}
				sums[m[1]][fields[i+1]] = a
			}
			a.sum += v
			a.n++
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("bench: read benchmark output: %w", err)
	}
	out := Results{}
	for name, units := range sums {
		out[name] = map[string]float64{}
		for unit, a := range units {
			out[name][unit] = a.sum / float64(a.n)
		}
	}
	return out, nil
}

// Figure is one of the four numbers `make bench` prints.
type Figure struct {
	// Name says what is compared ("replay/floor").
	Name string
	// Value is the ratio; NaN when a benchmark it needs did not run.
	Value float64
	// Limit is the most the issue allows; 0 means no limit.
	Limit float64
	// Detail gives the measured values behind the ratio, or what is
	// missing and which benchmark to run.
	Detail string
}

// OK reports whether the figure was measured and is within its limit.
func (f Figure) OK() bool {
	return !math.IsNaN(f.Value) && (f.Limit == 0 || f.Value <= f.Limit)
}

// String is the figure's line in `make bench` output.
func (f Figure) String() string {
	if math.IsNaN(f.Value) {
		return fmt.Sprintf("%-40s  missing: %s", f.Name, f.Detail)
	}
	verdict := ""
	if f.Limit > 0 {
		verdict = fmt.Sprintf("  (limit %.2g: %s)", f.Limit, map[bool]string{true: "ok", false: "OVER"}[f.OK()])
	}
	return fmt.Sprintf("%-40s %6.2f  %s%s", f.Name, f.Value, f.Detail, verdict)
}

// Benchmark names and units the figures read.
const (
	ReplaySuite      = "BenchmarkReplay/suite"
	ReplayFloor      = "BenchmarkReplay/floor"
	UnitReplayFloor  = "replay/floor"
	ReplayFixed      = "BenchmarkReplay/fixed"
	UnitFixedFloor   = "fixed/floor"
	LiveConcurrent   = "BenchmarkLive/concurrent"
	LiveSequential   = "BenchmarkLive/sequential"
	UnitLiveRatio    = "concurrent/sequential"
	LookupSmall      = "BenchmarkReplayLookup/n=100"
	LookupLarge      = "BenchmarkReplayLookup/n=10000"
	SchemaCompiled   = "BenchmarkValidate/compiled"
	SchemaRecompiled = "BenchmarkValidate/recompiled"
	LoadSmall        = "BenchmarkLoad/n=1000/cache=on"
	LoadLarge        = "BenchmarkLoad/n=10000/cache=on"
	AnswersScan      = "BenchmarkAnswers/scan"
	AnswersDecode    = "BenchmarkAnswers/decode"
	AnswersDistinct  = "BenchmarkAnswers/decode-distinct"
	unitNsOp         = "ns/op"
	// UnitMedianNs and UnitFloorMedianNs are the median wall times of a
	// paired benchmark's runs and of the floor runs paired with them.
	UnitMedianNs      = "median-ns/run"
	UnitFloorMedianNs = "floor-median-ns/run"
)

// Names of the figures, in the order Figures returns them: the four of
// issue 6, then the cassette load that shows replay linear in total, and
// the part of replay/floor that a run costs before any check does work.
const (
	FigureReplay  = "replay/floor (whole run, wall)"
	FigureMatcher = "matcher lookup n=10000 / n=100"
	FigureSchema  = "schema validation compiled/recompiled"
	FigureLive    = "live concurrent/sequential (4 vs 1)"
	FigureLoad    = "cassette load n=10000 / n=1000"
	FigureFixed   = "replay fixed cost/floor (no spec run)"
	FigureScan    = "every answer scanned once/floor"
	FigureDecode  = "every answer decoded once/floor"
	FigureUnique  = "every distinct answer decoded once/floor"
)

// Figures computes the figures from r, in a fixed order, with the limits
// of issue 6 (replay at most 2x the floor, matcher at 10,000 within 3x of
// 100, live concurrent at most 0.4x sequential; the schema figure has
// none, and neither has the cassette load, which should read about 10:
// linear in the cassette's size, nor the fixed cost, which shows how much
// of replay/floor no faster check can remove, nor the two that bound it
// from below: reading every recorded answer once, as a syntax scan and as
// a decode, and each distinct answer once as a decode, in-process, against
// a whole floor run).
func Figures(r Results) []Figure {
	return []Figure{
		metric(r, FigureReplay, ReplaySuite, UnitReplayFloor, 2,
			func() string {
				return "suite " + medianVsFloor(r, ReplaySuite)
			}),
		ratio(r, FigureMatcher, LookupLarge, LookupSmall, 3, "per request"),
		ratio(r, FigureSchema, SchemaCompiled, SchemaRecompiled, 0, "per 100-bill answer"),
		metric(r, FigureLive, LiveConcurrent, UnitLiveRatio, 0.4,
			func() string {
				return fmt.Sprintf("%s vs %s per run, %d rps cap, %v latency", ms(r[LiveConcurrent][unitNsOp]), ms(r[LiveSequential][unitNsOp]), LiveMaxRPS, LiveLatency)
			}),
		ratio(r, FigureLoad, LoadLarge, LoadSmall, 0, "per cassette, from the parsed-cassette cache (10 is linear)"),
		metric(r, FigureFixed, ReplayFixed, UnitFixedFloor, 0,
			func() string {
				return "suite with no spec selected " + medianVsFloor(r, ReplayFixed)
			}),
		ratio(r, FigureScan, AnswersScan, ReplayFloor, 0, "per pass over every recorded answer (json.Valid, in-process) vs a floor run"),
		ratio(r, FigureDecode, AnswersDecode, ReplayFloor, 0, "per pass over every recorded answer (encoding/json, in-process) vs a floor run"),
		ratio(r, FigureUnique, AnswersDistinct, ReplayFloor, 0, "per pass over each distinct recorded answer (encoding/json, in-process) vs a floor run"),
	}
}

// ratio is the figure num/den of two benchmarks' ns/op.
func ratio(r Results, name, num, den string, limit float64, what string) Figure {
	a, okA := r[num][unitNsOp]
	b, okB := r[den][unitNsOp]
	if !okA || !okB || b == 0 {
		return Figure{Name: name, Value: math.NaN(), Limit: limit, Detail: fmt.Sprintf("needs %s and %s", num, den)}
	}
	return Figure{Name: name, Value: a / b, Limit: limit, Detail: fmt.Sprintf("%s vs %s %s", ms(a), ms(b), what)}
}

// metric is a figure a benchmark reports itself (b.ReportMetric).
func metric(r Results, name, bench, unit string, limit float64, detail func() string) Figure {
	v, ok := r[bench][unit]
	if !ok {
		return Figure{Name: name, Value: math.NaN(), Limit: limit, Detail: fmt.Sprintf("needs %s (its %s metric)", bench, unit)}
	}
	return Figure{Name: name, Value: v, Limit: limit, Detail: detail()}
}

// medianVsFloor is "M ms vs floor F ms per run (medians)" for a paired
// benchmark, from its median metrics, or from the means of ns/op when its
// output has none (an older run's).
func medianVsFloor(r Results, bench string) string {
	suite, okS := r[bench][UnitMedianNs]
	floor, okF := r[bench][UnitFloorMedianNs]
	if okS && okF {
		return fmt.Sprintf("%s vs floor %s per run (medians of the pairs)", ms(suite), ms(floor))
	}
	return fmt.Sprintf("%s vs floor %s per run (means)", ms(r[bench][unitNsOp]), ms(r[ReplayFloor][unitNsOp]))
}

// ms renders nanoseconds in the unit that reads best.
func ms(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	default:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
}
