package selfcheck

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
	"github.com/winston-conformance/winston-conformance/harness/report"
)

// BuildSuite compiles the suite once with `go test -c -o out ./suites`, run
// in repoRoot, so that every run of the matrix starts in milliseconds
// instead of rebuilding; the binary is stamped with the checkout's version
// (report.StampFlags), so that no run starts git to name it. The error
// carries the compiler's output.
func BuildSuite(ctx context.Context, repoRoot, out string) error {
	goBin, err := config.GoCommand()
	if err != nil {
		return fmt.Errorf("build the suite: %w", err)
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("build the suite: output path %s: %w", out, err)
	}
	args := append([]string{"test", "-c", "-o", abs}, report.StampFlags(ctx, repoRoot)...)
	cmd := exec.CommandContext(ctx, goBin, append(args, report.SuitePackage)...) // #nosec G204 -- fixed arguments, the go tool found on PATH or in GOROOT
	cmd.Dir = repoRoot
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build the suite with go test -c ./suites in %s: %w\n%s", repoRoot, err, strings.TrimSpace(output.String()))
	}
	return nil
}

// BuildSuiteForTests is the set-up of the test packages that drive the
// suite binary (harness/e2e, harness/selfcheck): it finds the repository
// root from the working directory and builds the suite into a new
// temporary directory named with prefix. cleanup removes that directory.
func BuildSuiteForTests(prefix string) (repoRoot, binary string, cleanup func(), err error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", "", nil, err
	}
	if repoRoot, err = config.FindRepoRoot(wd); err != nil {
		return "", "", nil, err
	}
	tmp, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", "", nil, err
	}
	cleanup = func() { _ = os.RemoveAll(tmp) }
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	binary = filepath.Join(tmp, "suite.test")
	if err := BuildSuite(ctx, repoRoot, binary); err != nil {
		cleanup()
		return "", "", nil, err
	}
	return repoRoot, binary, cleanup, nil
}
