package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/redact"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/selfcheck"
)

// FloorPackage is the empty-spec floor, relative to the repository root
// (the suite is report.SuitePackage, built by BuildSuite).
const FloorPackage = "./harness/bench/floor"

// Root walks up from dir to the repository root, the directory holding
// go.mod, because the benchmarks build packages and run the suite from
// there whatever directory `go test` started them in.
func Root(dir string) (string, error) {
	root, err := config.FindRepoRoot(dir)
	if err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	return root, nil
}

// Binary is a prebuilt test binary and the directory it runs in.
type Binary struct {
	// Path is the executable.
	Path string
	// Dir is the working directory of a run (the package's directory,
	// as `go test` would use).
	Dir string
}

// Build compiles the test binary of pkg (relative to root, e.g.
// FloorPackage) into out with `go test -c`, without the race detector
// whatever the caller runs under, since the binaries are what is timed.
func Build(ctx context.Context, root, pkg, out string) (Binary, error) {
	goTool, err := config.GoCommand()
	if err != nil {
		return Binary{}, fmt.Errorf("bench: %w", err)
	}
	cmd := exec.CommandContext(ctx, goTool, "test", "-c", "-o", out, pkg) //nolint:gosec // a fixed go command on the caller's package
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return Binary{}, redact.Global().Error(fmt.Errorf("bench: go test -c %s: %w\n%s", pkg, err, b))
	}
	return Binary{Path: out, Dir: filepath.Join(root, filepath.FromSlash(pkg))}, nil
}

// BuildSuite compiles the suite into out as the self-check does
// (selfcheck.BuildSuite): stamped with the checkout's version, as `make
// conformance` stamps it, so that no timed run starts git to name it.
func BuildSuite(ctx context.Context, root, out string) (Binary, error) {
	if err := selfcheck.BuildSuite(ctx, root, out); err != nil {
		return Binary{}, redact.Global().Error(fmt.Errorf("bench: %w", err))
	}
	return Binary{Path: out, Dir: filepath.Join(root, filepath.FromSlash(report.SuitePackage))}, nil
}

// Result is what one run of a binary cost.
type Result struct {
	// Wall is the elapsed time from start to exit.
	Wall time.Duration
	// CPU is the user plus system time of the process.
	CPU time.Duration
}

// Run executes b once with CleanEnv plus env and args, and returns what it
// cost. A run that does not exit 0 is an error carrying the end of its
// output, redacted.
func (b Binary) Run(ctx context.Context, env []string, args ...string) (Result, error) {
	cmd := exec.CommandContext(ctx, b.Path, args...) //nolint:gosec // a binary this package built
	cmd.Dir = b.Dir
	cmd.Env = append(CleanEnv(), env...)
	return run(cmd)
}

// run times cmd, keeping the tail of its output for an error.
func run(cmd *exec.Cmd) (Result, error) {
	out := &tailBuffer{max: 8 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	err := cmd.Run()
	res := Result{Wall: time.Since(start)}
	if cmd.ProcessState != nil {
		res.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		return res, redact.Global().Error(fmt.Errorf("bench: %s %s: %w; the end of its output:\n%s",
			filepath.Base(cmd.Path), strings.Join(cmd.Args[1:], " "), err, out.Bytes()))
	}
	return res, nil
}

// CleanEnv is the process environment without any WINSTON_* variable, so
// that every child run is set up only by what the benchmark says, and a
// real API key in the caller's shell never reaches a child.
func CleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WINSTON_") {
			env = append(env, kv)
		}
	}
	return env
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) > t.max {
		p = p[len(p)-t.max:]
	}
	if over := t.buf.Len() + len(p) - t.max; over > 0 {
		t.buf.Next(over)
	}
	t.buf.Write(p)
	return n, nil
}

// Bytes is what was kept.
func (t *tailBuffer) Bytes() []byte { return t.buf.Bytes() }
