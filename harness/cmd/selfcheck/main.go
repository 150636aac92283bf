// Command selfcheck runs the fault matrix: the whole suite live against the
// local sandbox, once faithful and once per sandbox fault, and prints the
// table (fault | family | expected to fail | failed | verdict | caught?)
// with the summary "N/M faults caught, K requirements unproven". It exits 0
// when every fault was caught, the faithful run passed and no requirement is
// unproven; 1 when not; 2 when the selfcheck could not be made.
//
//	go run ./harness/cmd/selfcheck [-out DIR] [-parallel N] [-fault NAME]... [-suite-binary PATH] [-timeout D]
//
// Without -suite-binary the suite is built once with `go test -c` into a
// temporary directory. The reports of each run, and selfcheck.md and
// selfcheck.json, go to -out (default <repo>/reports/selfcheck).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/redact"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
	"github.com/winston-conformance/winston-conformance/harness/selfcheck"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1
	exitCannot  = 2
	defaultDir  = "reports/selfcheck"
	suiteBinary = "winston-suite.test"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the command without process globals, so that tests call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	out := redact.Global().Writer(stdout)
	errOut := redact.Global().Writer(stderr)
	defer func() { _, _ = out.Flush(), errOut.Flush() }()

	fs := flag.NewFlagSet("selfcheck", flag.ContinueOnError)
	fs.SetOutput(errOut)
	var faults sandbox.FaultFlag
	outDir := fs.String("out", "", "directory for the reports and selfcheck.md/json (default <repo>/"+defaultDir+")")
	parallel := fs.Int("parallel", selfcheck.DefaultParallel(), "runs at a time")
	fs.Var(&faults, "fault", "a fault to run (repeatable or comma-separated; default: all)")
	binary := fs.String("suite-binary", "", "the suite built with go test -c (default: build it into a temporary directory)")
	timeout := fs.Duration("timeout", selfcheck.DefaultTimeout, "the longest one run may take")
	if err := fs.Parse(args); err != nil {
		return exitCannot
	}
	if fs.NArg() > 0 {
		printf(errOut, "selfcheck: unexpected argument %q: pass faults as -fault NAME\n", fs.Arg(0))
		return exitCannot
	}
	wd, err := os.Getwd()
	if err != nil {
		printf(errOut, "selfcheck: working directory: %v\n", err)
		return exitCannot
	}
	repo, err := config.FindRepoRoot(wd)
	if err != nil {
		printf(errOut, "selfcheck: %v\n", err)
		return exitCannot
	}
	if *outDir == "" {
		*outDir = filepath.Join(repo, defaultDir)
	}
	if *binary == "" {
		tmp, err := os.MkdirTemp("", "winston-selfcheck-suite-")
		if err != nil {
			printf(errOut, "selfcheck: temporary directory for the suite binary: %v\n", err)
			return exitCannot
		}
		defer func() { _ = os.RemoveAll(tmp) }() // the binary is rebuilt next time anyway
		*binary = filepath.Join(tmp, suiteBinary)
		printf(errOut, "selfcheck: building the suite (go test -c ./suites)\n")
		if err := selfcheck.BuildSuite(ctx, repo, *binary); err != nil {
			printf(errOut, "selfcheck: %v\n", err)
			return exitCannot
		}
	}
	m, err := selfcheck.Run(ctx, selfcheck.Options{
		RepoRoot: repo, SuiteBinary: *binary, Parallel: *parallel, OutDir: *outDir,
		Faults: faults, Timeout: *timeout, Progress: errOut,
	})
	if m != nil {
		printf(out, "%s", m.Markdown())
		printf(out, "\nwritten: %s\n", filepath.Join(*outDir, selfcheck.MarkdownFile))
	}
	if err != nil {
		printf(errOut, "selfcheck: %v\n", err)
		return exitCannot
	}
	if m.ExitCode() != exitOK {
		printf(errOut, "selfcheck: FAILED: %s\n", m.Summary)
		return exitFailed
	}
	return exitOK
}

// printf writes to the console. A console that cannot be written to has
// nowhere to report that either; the exit code and the files still say
// how the selfcheck went.
func printf(w io.Writer, format string, args ...any) {
	_, _ = fmt.Fprintf(w, format, args...)
}
