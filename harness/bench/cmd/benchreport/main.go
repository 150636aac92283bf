// Command benchreport runs the suite's benchmarks and prints the four
// figures of issue 6 as ratios, the cassette load that shows replay linear
// in a cassette's size, replay's fixed cost, and the cost of reading every
// recorded answer once, which bounds replay/floor from below (see package
// harness/bench):
//
//	go run ./harness/bench/cmd/benchreport [-benchtime 1s] [-count 1] [-out bench.txt] [-live=false] [-check]
//
// It runs, one after the other so they do not compete for the CPU,
// `go test -run '^$' -bench` over harness/cassette (BenchmarkReplayLookup),
// harness/schema (BenchmarkValidate), harness/cassette (BenchmarkLoad,
// cached) and harness/bench (BenchmarkReplay, BenchmarkAnswers,
// BenchmarkLive), echoes their output (benchstat reads it; -out keeps a
// copy) and ends with the figures. It exits 2 when a benchmark fails, 1
// with -check when a figure is missing or over its limit, else 0.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"

	"github.com/winston-conformance/winston-conformance/harness/bench"
	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/redact"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], redact.Global().Writer(os.Stdout), redact.Global().Writer(os.Stderr)))
}

// options are the command line.
type options struct {
	benchtime string
	count     int
	out       string
	live      bool
	check     bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("benchreport", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.benchtime, "benchtime", "1s", "go test -benchtime for every benchmark (a duration, or Nx for N iterations)")
	fs.IntVar(&o.count, "count", 1, "go test -count: runs of each benchmark (use 6 or more for benchstat comparisons)")
	fs.StringVar(&o.out, "out", "", "a file to keep the raw benchmark output in, for benchstat")
	fs.BoolVar(&o.live, "live", true, "run the live benchmark against the in-process sandbox (about 10 s)")
	fs.BoolVar(&o.check, "check", false, "exit 1 when a figure is missing or over the limit issue 6 sets")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q: benchreport takes flags only", fs.Args())
	}
	if o.count < 1 {
		return o, fmt.Errorf("-count %d: use 1 or more", o.count)
	}
	return o, nil
}

// step is one `go test -bench` invocation.
type step struct {
	pkg, bench string
}

// plan lists the invocations for o, the slow live benchmark last.
func plan(o options) []step {
	steps := []step{
		{"./harness/cassette", "^BenchmarkReplayLookup$"},
		{"./harness/schema", "^BenchmarkValidate$"},
		{"./harness/cassette", "^BenchmarkLoad$//^cache=on$"},
		{"./harness/bench", "^BenchmarkReplay$"},
		{"./harness/bench", "^BenchmarkAnswers$"},
	}
	if o.live {
		steps = append(steps, step{"./harness/bench", "^BenchmarkLive$"})
	}
	return steps
}

// args is the go command line of s.
func (s step) args(o options) []string {
	return []string{"test", "-run", "^$", "-bench", s.bench, "-benchtime", o.benchtime, "-count", fmt.Sprint(o.count), s.pkg}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return fail(stderr, err)
	}
	root, err := bench.Root(".")
	if err != nil {
		return fail(stderr, err)
	}
	goTool, err := config.GoCommand()
	if err != nil {
		return fail(stderr, err)
	}
	var raw bytes.Buffer
	for _, s := range plan(o) {
		cmd := exec.CommandContext(ctx, goTool, s.args(o)...) //nolint:gosec // fixed go test command lines
		cmd.Dir = root
		cmd.Stdout = io.MultiWriter(stdout, &raw)
		cmd.Stderr = stderr
		if err := cmd.Run(); err != nil {
			return fail(stderr, fmt.Errorf("go %v: %w", s.args(o), err))
		}
	}
	if o.out != "" {
		if err := os.WriteFile(o.out, raw.Bytes(), 0o600); err != nil {
			return fail(stderr, fmt.Errorf("keep the raw output: %w", err))
		}
	}
	results, err := bench.ParseBench(&raw)
	if err != nil {
		return fail(stderr, err)
	}
	return printFigures(stdout, bench.Figures(results), o)
}

// fail reports err and returns the exit code of a failed run.
func fail(stderr io.Writer, err error) int {
	_, _ = fmt.Fprintf(stderr, "benchreport: %v\n", err)
	return 2
}

// printFigures writes the summary and returns the exit code: 1 with
// -check when a figure is missing or over its limit.
func printFigures(w io.Writer, figs []bench.Figure, o options) int {
	var b bytes.Buffer
	fmt.Fprintf(&b, "\nWinston conformance: performance figures (ratios; -benchtime %s, -count %d)\n", o.benchtime, o.count)
	bad := 0
	for _, f := range figs {
		if !o.live && f.Name == bench.FigureLive {
			fmt.Fprintf(&b, "  %-40s  not run (-live=false)\n", f.Name)
			continue
		}
		fmt.Fprintf(&b, "  %s\n", f)
		if !f.OK() {
			bad++
		}
	}
	code := 0
	if o.check && bad > 0 {
		fmt.Fprintf(&b, "%d figure(s) missing or over the limit\n", bad)
		code = 1
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return 2
	}
	return code
}
