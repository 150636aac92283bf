package selfcheck

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/redact"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// Log files each run leaves in its directory next to the report.
const (
	SuiteLog   = "suite.log"
	SandboxLog = "sandbox.log"
)

// waitDelay is how long a run waits for the suite's output to close after
// the suite was killed; a grandchild holding the pipe must not hang the
// matrix. A variable so that the test of it takes a moment, not seconds.
var waitDelay = 5 * time.Second

// Run makes the faithful run and one run per fault, at most
// Options.Parallel at a time, judges each, checks the coverage of the
// catalogue, and writes selfcheck.md and selfcheck.json to Options.OutDir.
// An earlier selfcheck's results there are first moved into a subfolder
// named after its start, never deleted.
//
// The error is for a selfcheck that could not be made (bad options, an
// unreadable catalogue, an unwritable OutDir); a fault that was not caught,
// a run that timed out or a leaked key is a problem in the returned
// Matrix, whose ExitCode is then 1. When ctx ends, runs not yet started are
// not started and ctx's error is returned with the matrix so far.
func Run(ctx context.Context, opts Options) (*Matrix, error) {
	o, faults, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	cat, err := catalogue.Default()
	if err != nil {
		return nil, fmt.Errorf("selfcheck: load the catalogue: %w", err)
	}
	if err := os.MkdirAll(o.OutDir, 0o750); err != nil {
		return nil, fmt.Errorf("selfcheck: create the output directory: %w", err)
	}
	if err := archivePrevious(o.OutDir); err != nil {
		return nil, fmt.Errorf("selfcheck: %w (move or remove the earlier results in %s by hand)", err, o.OutDir)
	}
	start := time.Now()
	// Coverage is judged against every registered fault, not the subset:
	// a requirement is proven by the registry, and a subset run must not
	// report the rest as unproven.
	unproven, unknown := Coverage(cat, sandbox.Faults())

	rows := []Row{FaithfulRow()}
	specs := []sandbox.Fault{{}}
	for _, f := range faults {
		rows = append(rows, FaultRow(f))
		specs = append(specs, f)
	}
	sem := make(chan struct{}, o.Parallel)
	var wg sync.WaitGroup
	var progress sync.Mutex
	for i := range rows {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			rows[i].Problems = append(rows[i].Problems, "not run: the selfcheck was interrupted")
			continue
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			rows[i] = o.runOne(ctx, rows[i], specs[i])
			if o.Progress != nil {
				progress.Lock()
				defer progress.Unlock()
				_, _ = fmt.Fprintln(o.Progress, redact.Global().String(progressLine(rows[i]))) // progress is a courtesy; the files hold the result
			}
		}(i)
	}
	wg.Wait()

	m := NewMatrix(rows, unproven, unknown)
	m.Start, m.Seconds, m.Parallel = start.UTC(), time.Since(start).Seconds(), o.Parallel
	if err := m.Write(o.OutDir); err != nil {
		return m, fmt.Errorf("selfcheck: %w", err)
	}
	if ctx.Err() != nil {
		return m, fmt.Errorf("selfcheck interrupted: %w", ctx.Err())
	}
	return m, nil
}

// runOne starts a sandbox with the fault (none for Faithful), runs the
// suite live against it, and judges the report.
func (o Options) runOne(ctx context.Context, row Row, fault sandbox.Fault) Row {
	started := time.Now()
	row.ReportDir = filepath.Join(o.OutDir, row.Fault)
	doc, err := o.runSuite(ctx, row.ReportDir, fault)
	if err != nil {
		row.Problems = append(row.Problems, redact.Global().String(err.Error()))
	}
	// Judge keeps the problems recorded above, so a leak or a failed scan
	// makes the row fail even when the report was right.
	row = Judge(row, doc)
	row.Seconds = time.Since(started).Seconds()
	return row
}

// runSuite does the run itself and returns the report it wrote. Each run
// gets fresh random keys, registered with the redactor, and its directory
// is scanned for them afterwards: a key in any file of the run is an error.
func (o Options) runSuite(ctx context.Context, dir string, fault sandbox.Fault) (doc *report.Document, err error) {
	// The directory belongs to this fault's run: Run archived any earlier
	// one, and a stale report must never be judged instead of this one,
	// so a directory that is there already is an error, not reused.
	if err := os.Mkdir(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create the run directory: %w", err)
	}
	key, key2 := plantedKey("selfcheck-tenant-1-"), plantedKey("selfcheck-tenant-2-")
	redact.Global().Add(key, config.KeyPlaceholder)
	redact.Global().Add(key2, config.Key2Placeholder)
	defer func() {
		leaks, scanErr := report.ScanDir(dir, []string{key, key2, config.NearKey(key, key2)})
		for _, l := range leaks {
			err = errors.Join(err, fmt.Errorf("secret leak: %s: a key of this run reached a file", l))
		}
		if scanErr != nil {
			err = errors.Join(err, fmt.Errorf("scan the run for keys: %w", scanErr))
		}
	}()

	tmp, err := os.MkdirTemp("", "winston-selfcheck-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory for the sandbox CA: %w", err)
	}
	// Only the CA certificate lives in tmp.
	defer func() { _ = os.RemoveAll(tmp) }()
	sbLog, err := os.Create(filepath.Join(dir, SandboxLog)) // #nosec G304 -- a file of our own run directory
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", SandboxLog, err)
	}
	defer func() { _ = sbLog.Close() }()
	var faults []string
	if fault.Name != "" {
		faults = []string{fault.Name}
	}
	srv, err := sandbox.Start(sandbox.Options{Key: key, Key2: key2, Faults: faults,
		CAOut: filepath.Join(tmp, "ca.pem"), Log: sbLog})
	if err != nil {
		return nil, fmt.Errorf("start the sandbox: %w", err)
	}
	defer func() { _ = srv.Close() }() // the run is judged from its report; a slow shutdown changes nothing

	if err := o.execSuite(ctx, dir, suiteEnv(srv, dir)); err != nil {
		return nil, err
	}
	doc, err = report.ReadDocument(filepath.Join(dir, report.JSONFile))
	if err != nil {
		return nil, fmt.Errorf("read the run's report (see %s): %w", filepath.Join(dir, SuiteLog), err)
	}
	return doc, nil
}

// execSuite runs the suite binary, its output going through the redactor
// to suite.log. A non-zero exit is normal (a fault fails specs) and is not
// an error; a run that outlives the timeout is killed and is one.
func (o Options) execSuite(ctx context.Context, dir string, env []string) error {
	logFile, err := os.Create(filepath.Join(dir, SuiteLog)) // #nosec G304 -- a file of our own run directory
	if err != nil {
		return fmt.Errorf("create %s: %w", SuiteLog, err)
	}
	defer func() { _ = logFile.Close() }()
	out := redact.Global().Writer(logFile)
	defer func() { _ = out.Flush() }()

	runCtx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, o.SuiteBinary, "-ginkgo.no-color") // #nosec G204 -- the suite binary the caller built
	cmd.Dir = filepath.Join(o.RepoRoot, "suites")
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = waitDelay
	err = cmd.Run()
	switch {
	case errors.Is(runCtx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("the suite ran longer than %v and was stopped: a check hangs (see %s)", o.Timeout, filepath.Join(dir, SuiteLog))
	case ctx.Err() != nil:
		return fmt.Errorf("the suite was stopped: %w", ctx.Err())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return fmt.Errorf("run the suite binary %s: %w", o.SuiteBinary, err)
	}
	return nil
}

// suiteEnv is the parent's environment without any WINSTON_* variable (the
// matrix must not depend on the caller's settings), plus the variables that
// point the suite at this sandbox in live mode.
func suiteEnv(srv *sandbox.Server, reportDir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WINSTON_") {
			env = append(env, kv)
		}
	}
	vars := srv.TargetEnv()
	vars[config.EnvMaxRPS] = "0"
	vars[config.EnvTimeout] = SuiteTimeout
	vars[config.EnvReportDir] = reportDir
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// plantedKey is a fresh key for one run: recognisable in a leak report,
// never the same twice, so a hit in the scan is this run's doing.
func plantedKey(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return prefix + hex.EncodeToString(b)
}

func progressLine(r Row) string {
	status := "caught"
	switch {
	case r.Fault == Faithful && r.OK:
		status = "clean"
	case !r.OK:
		status = "NOT OK: " + strings.Join(r.Problems, "; ")
	}
	return fmt.Sprintf("%-28s %-12s %5.1fs  %s", r.Fault, dash(r.Verdict), r.Seconds, status)
}
