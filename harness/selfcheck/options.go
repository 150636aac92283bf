// Package selfcheck is the fault matrix: the proof that the Winston
// conformance suite can fail. It runs the whole suite live against the local
// sandbox once faithful and once per sandbox fault (sandbox.Faults()), reads
// each run's report.json, and judges it:
//
//   - the faithful sandbox must give the verdict pass with nothing failed;
//   - a fault that expects "fail" must make every requirement it names in
//     Breaks fail as a contract violation (other failures are listed, and a
//     failure outside the fault's family is shown, but neither is an error);
//   - a fault that expects "unavailable" must give the verdict unavailable.
//
// It also checks fault coverage statically: every catalogue requirement must
// be named in the Breaks of at least one fault (otherwise it is unproven: no
// one has seen that check fail), and every ID a fault names must exist in the
// catalogue. After each run the run's directory is scanned for the keys that
// run used, so the matrix doubles as a secret-safety check under every fault.
//
// The result is a Matrix, written as selfcheck.md (a Markdown table and the
// summary "N/M faults caught, K requirements unproven") and selfcheck.json.
// `make selfcheck` runs it through harness/cmd/selfcheck:
//
//	bin, _ := os.MkdirTemp("", "suite-")
//	suite := filepath.Join(bin, "suite.test")
//	if err := selfcheck.BuildSuite(ctx, repo, suite); err != nil { ... }
//	m, err := selfcheck.Run(ctx, selfcheck.Options{RepoRoot: repo, SuiteBinary: suite, OutDir: out})
//	os.Exit(m.ExitCode())
package selfcheck

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// Faithful is the row name of the run against the sandbox with no fault.
// It is also the name of that run's directory under Options.OutDir.
const Faithful = "faithful"

// DefaultTimeout bounds one run of the suite. A healthy run takes well under
// a second; the slowest faults (hang, 429-no-retry-after) take about 20 s
// because the client waits out its timeout until the circuit breaker opens,
// or is held to the sandbox's rate limit.
const DefaultTimeout = 2 * time.Minute

// SuiteTimeout is the WINSTON_TIMEOUT each run gets: long enough for any
// sandbox answer, short enough that the hang fault is judged in seconds.
const SuiteTimeout = "3s"

// Options configures Run. RepoRoot, SuiteBinary and OutDir are required.
type Options struct {
	// RepoRoot is the repository checkout (the directory of go.mod); the
	// suite runs with its working directory at RepoRoot/suites, as `go
	// test` would run it.
	RepoRoot string
	// SuiteBinary is the suite compiled with `go test -c` (see
	// BuildSuite). It is built once and run once per fault.
	SuiteBinary string
	// Parallel is how many runs go at once; 0 means DefaultParallel().
	Parallel int
	// OutDir receives one report directory per run (OutDir/faithful,
	// OutDir/<fault>), each replaced on every run, and selfcheck.md and
	// selfcheck.json.
	OutDir string
	// Faults names the faults to run; empty means every registered fault.
	// The faithful run always comes first, whatever the subset.
	Faults []string
	// Timeout bounds each run; 0 means DefaultTimeout.
	Timeout time.Duration
	// Progress, when set, gets one line per finished run, so that a
	// terminal shows the matrix filling in.
	Progress io.Writer
}

// DefaultParallel is min(2, NumCPU): each run is a suite process plus a
// sandbox, and on a shared machine more than two at a time slows the
// timing-sensitive checks (the rate-limit burst) rather than the matrix.
func DefaultParallel() int {
	return min(2, runtime.NumCPU())
}

// normalize fills the defaults and checks every option, reporting all
// problems at once. It returns the faults to run, sorted by name.
func (o Options) normalize() (Options, []sandbox.Fault, error) {
	var errs []error
	if o.RepoRoot == "" {
		errs = append(errs, errors.New("Options.RepoRoot is empty: set it to the repository checkout (the directory holding go.mod)"))
	} else if st, err := os.Stat(filepath.Join(o.RepoRoot, "suites")); err != nil || !st.IsDir() {
		errs = append(errs, fmt.Errorf("Options.RepoRoot %s has no suites/ directory: set it to the repository checkout (see config.FindRepoRoot)", o.RepoRoot))
	}
	if o.SuiteBinary == "" {
		errs = append(errs, errors.New("Options.SuiteBinary is empty: build the suite with BuildSuite (go test -c) and pass its path"))
	} else if st, err := os.Stat(o.SuiteBinary); err != nil || st.IsDir() {
		errs = append(errs, fmt.Errorf("Options.SuiteBinary %s is not a file: build the suite with BuildSuite (go test -c) and pass its path", o.SuiteBinary))
	}
	if o.OutDir == "" {
		errs = append(errs, errors.New("Options.OutDir is empty: name the directory for the reports, e.g. reports/selfcheck"))
	}
	if o.Parallel < 0 {
		errs = append(errs, fmt.Errorf("Options.Parallel is %d: use 1 or more, or 0 for the default (%d)", o.Parallel, DefaultParallel()))
	}
	if o.Timeout < 0 {
		errs = append(errs, fmt.Errorf("Options.Timeout is %v: use a positive duration, or 0 for the default (%v)", o.Timeout, DefaultTimeout))
	}
	faults, err := selectFaults(o.Faults)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return o, nil, fmt.Errorf("selfcheck options: %w", errors.Join(errs...))
	}
	if o.Parallel == 0 {
		o.Parallel = DefaultParallel()
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	for _, p := range []*string{&o.RepoRoot, &o.SuiteBinary, &o.OutDir} {
		// The suite runs in another directory, and WINSTON_REPORT_DIR must
		// be absolute to mean the same there.
		abs, err := filepath.Abs(*p)
		if err != nil {
			return o, nil, fmt.Errorf("selfcheck options: make %s absolute: %w", *p, err)
		}
		*p = abs
	}
	return o, faults, nil
}

// selectFaults returns the named faults from the sandbox registry (all of
// them for an empty list). An unknown name, or "faithful", is an error that
// lists the known names.
func selectFaults(names []string) ([]sandbox.Fault, error) {
	all := sandbox.Faults()
	if len(names) == 0 {
		return all, nil
	}
	byName := map[string]sandbox.Fault{}
	for _, f := range all {
		byName[f.Name] = f
	}
	seen := map[string]bool{}
	var out []sandbox.Fault
	var unknown []string
	for _, n := range names {
		f, ok := byName[n]
		switch {
		case n == Faithful:
			// The faithful run is always made; naming it is harmless.
		case !ok:
			unknown = append(unknown, fmt.Sprintf("%q", n))
		case !seen[n]:
			seen[n] = true
			out = append(out, f)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown fault %s: use one of %s (go run ./harness/cmd/sandbox --list-faults describes them)",
			strings.Join(unknown, ", "), strings.Join(sandbox.FaultNames(), ", "))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
