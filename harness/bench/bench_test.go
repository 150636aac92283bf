package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// runTimeout bounds one child run: the slowest, the sequential live run,
// takes about 7 s.
const runTimeout = 2 * time.Minute

// built holds the binaries every benchmark and test of the package shares:
// built once per process into a temporary directory that TestMain removes.
var built struct {
	once         sync.Once
	dir, root    string
	suite, floor Binary
	err          error
}

// binaries builds the suite and the floor on first use and returns them
// with the repository root.
func binaries(tb testing.TB) (root string, suite, floor Binary) {
	tb.Helper()
	built.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if built.root, built.err = Root("."); built.err != nil {
			return
		}
		if built.dir, built.err = os.MkdirTemp("", "winston-bench-"); built.err != nil {
			return
		}
		if built.suite, built.err = BuildSuite(ctx, built.root, filepath.Join(built.dir, "suites.test")); built.err != nil {
			return
		}
		built.floor, built.err = Build(ctx, built.root, FloorPackage, filepath.Join(built.dir, "floor.test"))
	})
	if built.err != nil {
		tb.Fatal(built.err)
	}
	return built.root, built.suite, built.floor
}

// timeRuns runs bin b.N times (after warmUp untimed runs) with the
// environment env(i) for run i and reports the wall time per run as
// ns/op and the child's CPU time as cpu-ns/op. It returns the wall ns/op.
func timeRuns(b *testing.B, bin Binary, warmUp int, env func() []string, args ...string) float64 {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout*time.Duration(b.N+warmUp))
	defer cancel()
	for range warmUp {
		if _, err := bin.Run(ctx, env(), args...); err != nil {
			b.Fatal(err)
		}
	}
	var wall, cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := bin.Run(ctx, env(), args...)
		if err != nil {
			b.Fatal(err)
		}
		wall += res.Wall
		cpu += res.CPU
	}
	b.StopTimer()
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	return float64(wall.Nanoseconds()) / float64(b.N)
}

// freshDirs returns a function giving a new, not yet existing directory
// under parent on each call: the report writer keeps and scans earlier
// reports in its directory, so a reused one would grow each run's cost.
func freshDirs(parent string) func() string {
	var n atomic.Int64
	return func() string { return filepath.Join(parent, strconv.FormatInt(n.Add(1), 10)) }
}

// BenchmarkReplay times whole processes: the floor (Ginkgo with as many
// empty specs as the suite), the suite replaying every cassette, and the
// suite's fixed cost (a focus that selects no spec: start, catalogue,
// schemas, opening the cassette library and a report of nothing run; a
// focused run reads no cassette ahead). The floor's line is the floor
// alone; on the other lines each suite run is paired with a floor run just
// before it, and the ratio is the median of the pairs' ratios, so that a
// burst of load on a shared machine moves both halves of a pair instead
// of one side of the figure. The parsed-cassette cache lives in a
// temporary directory, warmed by the warm-up run as a developer's second
// run would be.
func BenchmarkReplay(b *testing.B) {
	root, suite, floor := binaries(b)
	cache := b.TempDir()
	b.Run("floor", func(b *testing.B) {
		timeRuns(b, floor, 1, func() []string { return nil })
	})
	b.Run("suite", func(b *testing.B) {
		pairedRuns(b, suite, floor, root, cache, UnitReplayFloor, SuiteArgs()...)
	})
	b.Run("fixed", func(b *testing.B) {
		pairedRuns(b, suite, floor, root, cache, UnitFixedFloor, FocusArgs(NoSpec)...)
	})
}

// pairedRuns times b.N replay runs of suite with args, each after an
// untimed floor run, and reports the median of suite/floor as unit.
func pairedRuns(b *testing.B, suite, floor Binary, root, cache, unit string, args ...string) {
	b.Helper()
	report := freshDirs(b.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout*time.Duration(2*b.N+2))
	defer cancel()
	// Warm up: the floor's binary, and the suite's cassette cache.
	if _, err := floor.Run(ctx, nil); err != nil {
		b.Fatal(err)
	}
	if _, err := suite.Run(ctx, ReplayEnv(root, report(), cache), args...); !finished(err, args) {
		b.Fatal(err)
	}
	ratios := make([]float64, 0, b.N)
	suiteWalls, floorWalls := make([]float64, 0, b.N), make([]float64, 0, b.N)
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f, err := floor.Run(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		s, err := suite.Run(ctx, ReplayEnv(root, report(), cache), args...)
		if !finished(err, args) {
			b.Fatal(err)
		}
		cpu += s.CPU
		ratios = append(ratios, float64(s.Wall)/float64(max(f.Wall, 1)))
		suiteWalls, floorWalls = append(suiteWalls, float64(s.Wall)), append(floorWalls, float64(f.Wall))
	}
	b.StopTimer()
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	// ns/op is a mean, which a few slow runs on a shared machine pull up;
	// the ratio is a median, and so are the times shown beside it.
	b.ReportMetric(median(suiteWalls), UnitMedianNs)
	b.ReportMetric(median(floorWalls), UnitFloorMedianNs)
	b.ReportMetric(median(ratios), unit)
}

// finished is true when a timed suite run ended as it should: exit 0, or,
// for the NoSpec focus, the non-zero exit of a run that judged nothing
// (which is never a pass).
func finished(err error, args []string) bool {
	var exit *exec.ExitError
	return err == nil || (slices.Equal(args, FocusArgs(NoSpec)) && errors.As(err, &exit))
}

// median of xs (which it sorts); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

// BenchmarkLive runs the LiveFocus subset live against an in-process
// sandbox adding LiveLatency to every answer, one check's requests one at
// a time (sequential, WINSTON_CONCURRENCY=1) and four at a time
// (concurrent), both under the cap LiveMaxRPS, and reports
// concurrent/sequential on the concurrent line.
func BenchmarkLive(b *testing.B) {
	_, suite, _ := binaries(b)
	sb, err := StartSandbox(LiveLatency, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = sb.Close() }()
	report := freshDirs(b.TempDir())
	var seqNs float64
	for _, c := range []struct {
		name        string
		concurrency int
	}{{"sequential", 1}, {"concurrent", 4}} {
		b.Run(c.name, func(b *testing.B) {
			ns := timeRuns(b, suite, 0, func() []string { return sb.LiveEnv(report(), c.concurrency, LiveMaxRPS) }, FocusArgs(LiveFocus)...)
			switch {
			case c.concurrency == 1:
				seqNs = ns
			case seqNs > 0:
				b.ReportMetric(ns/seqNs, UnitLiveRatio)
			default:
				b.Log("BenchmarkLive/sequential did not run, so no ratio: run -bench BenchmarkLive")
			}
		})
	}
}

// TestMain removes the shared binaries after the run, and plays a child
// process for the runner's tests when BENCH_TEST_CHILD says so.
func TestMain(m *testing.M) {
	if mode := os.Getenv(childModeEnv); mode != "" {
		os.Exit(child(mode))
	}
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// childModeEnv makes the test binary act as a child process (see child).
const childModeEnv = "BENCH_TEST_CHILD"

// child is what the test binary does as a child: print its WINSTON_*
// environment into the file BENCH_TEST_OUT ("env"), or print a planted
// secret and fail ("fail").
func child(mode string) int {
	switch mode {
	case "env":
		var b strings.Builder
		for _, kv := range os.Environ() {
			if strings.HasPrefix(kv, "WINSTON_") {
				b.WriteString(kv + "\n")
			}
		}
		if err := os.WriteFile(os.Getenv("BENCH_TEST_OUT"), []byte(b.String()), 0o600); err != nil {
			fmt.Println(err)
			return 2
		}
		return 0
	case "fail":
		fmt.Println("lots of output before the failure")
		fmt.Println("key " + os.Getenv("BENCH_TEST_SECRET") + " leaked")
		return 3
	}
	return 2
}
