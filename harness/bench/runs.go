package bench

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// LiveFocus selects the live benchmark's subset: the checks that loop over
// every endpoint (auth, structure, schemas, errors), where concurrency
// matters, without the mutating and the TLS checks.
const LiveFocus = `AUTH-001|STRUCT-00[1-6]|SCHEMA-001|ERR-00[1-3]`

// NoSpec is a focus that selects no spec of the suite: a run with it costs
// what a replay run costs whatever its checks do (start, catalogue,
// schemas, opening the cassette library, and a report in which nothing
// ran; a focused run reads no cassette ahead).
const NoSpec = `^NO SPEC IS NAMED THIS$`

// LiveLatency is the latency the live benchmark's sandbox adds to every
// answer, so that waiting on the network dominates as it does against a
// real environment.
const LiveLatency = 50 * time.Millisecond

// LiveMaxRPS is the requests-per-second cap of both live runs: the same
// cap, so the ratio shows what concurrency gains under it.
const LiveMaxRPS = 100

// ReplayEnv is the environment of a replay run from the cassettes under
// root: the report goes to reportDir (a new directory per run, since the
// report writer keeps and scans earlier reports in its directory) and
// parsed cassettes to cacheDir ("" keeps the default user cache).
func ReplayEnv(root, reportDir, cacheDir string) []string {
	env := []string{
		"WINSTON_MODE=replay",
		"WINSTON_CASSETTE_DIR=" + filepath.Join(root, "cassettes"),
		"WINSTON_REPORT_DIR=" + reportDir,
	}
	if cacheDir != "" {
		env = append(env, "WINSTON_CASSETTE_CACHE="+cacheDir)
	}
	return env
}

// Sandbox is a local Winston sandbox for live runs.
type Sandbox struct {
	srv *sandbox.Server
}

// StartSandbox starts the sandbox in this process on free loopback ports,
// adding latency to every answer; its CA certificate is written into dir
// for the child runs. Close it when done.
func StartSandbox(latency time.Duration, dir string) (*Sandbox, error) {
	srv, err := sandbox.Start(sandbox.Options{Latency: latency, CAOut: filepath.Join(dir, "sandbox-ca.pem")})
	if err != nil {
		return nil, fmt.Errorf("bench: start the sandbox: %w", err)
	}
	return &Sandbox{srv: srv}, nil
}

// Close stops the sandbox.
func (s *Sandbox) Close() error { return s.srv.Close() }

// LiveEnv is the environment of a live run against the sandbox, with
// concurrency requests at once per check and maxRPS the cap across all
// processes, the report going to reportDir. The keys are the sandbox's,
// not secrets.
func (s *Sandbox) LiveEnv(reportDir string, concurrency int, maxRPS float64) []string {
	vars := s.srv.TargetEnv()
	vars["WINSTON_CONCURRENCY"] = strconv.Itoa(concurrency)
	vars["WINSTON_MAX_RPS"] = strconv.FormatFloat(maxRPS, 'f', -1, 64)
	vars["WINSTON_REPORT_DIR"] = reportDir
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}

// SuiteArgs are the suite binary's flags that run the Ginkgo suite alone
// (TestConformance), not the unit tests of the suites package's helpers,
// which `go test ./suites` runs beside it but which are no part of a
// conformance run.
func SuiteArgs() []string { return []string{"-test.run=^TestConformance$"} }

// FocusArgs are the suite binary's flags that run only the specs whose
// text matches focus (a regular expression), after SuiteArgs.
func FocusArgs(focus string) []string {
	return append(SuiteArgs(), "-ginkgo.focus="+focus)
}

// RunParallel runs the prebuilt suite b through the Ginkgo CLI (`go tool
// ginkgo -p --procs N`) so that N processes share its specs and the
// report is merged, as `ginkgo -p` does for developers. env is added to
// CleanEnv; it must name the cassette and report directories absolutely,
// because Ginkgo runs a prebuilt binary in the binary's own directory.
func RunParallel(ctx context.Context, root string, b Binary, procs int, env []string) (Result, error) {
	if procs < 2 {
		return Result{}, fmt.Errorf("bench: RunParallel with %d processes: use at least 2 (or Binary.Run for a serial run)", procs)
	}
	goTool, err := config.GoCommand()
	if err != nil {
		return Result{}, fmt.Errorf("bench: %w", err)
	}
	cmd := exec.CommandContext(ctx, goTool, "tool", "ginkgo", "-p", "--procs", strconv.Itoa(procs), "--no-color", b.Path) //nolint:gosec // fixed arguments and a binary this package built
	cmd.Dir = root
	cmd.Env = append(CleanEnv(), env...)
	return run(cmd)
}
