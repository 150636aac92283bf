package report

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSuiteVersionDoesNotDependOnTheWorkingDirectory(t *testing.T) {
	t.Setenv("WINSTON_SUITE_VERSION", "")
	inRepo := detectVersion()
	// Ginkgo runs a prebuilt suite binary from the binary's directory,
	// outside the checkout: the version must not change with it.
	t.Chdir(t.TempDir())
	if got := detectVersion(); got != inRepo {
		t.Errorf("version from outside the checkout %q, from inside %q", got, inRepo)
	}
	root := sourceRoot()
	if _, err := os.Stat(filepath.Join(root, "suites")); err != nil {
		t.Errorf("sourceRoot %q is not the checkout this package was built from", root)
	}
}

func TestSuiteVersionFromTheEnvironment(t *testing.T) {
	t.Setenv("WINSTON_SUITE_VERSION", "v1.2.3-ci")
	if got := detectVersion(); got != "v1.2.3-ci" {
		t.Errorf("a test binary has no VCS stamp, so WINSTON_SUITE_VERSION should name it: got %q", got)
	}
}
