package report

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	ginkgotypes "github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// SuitePackage is the Ginkgo suite's package, as the reproduce commands
// name it (run from the repository root).
const SuitePackage = "./suites"

// KeyFingerprint is the report's stand-in for an API key: "sha256:" and
// the first 12 hex digits of its SHA-256. It tells two keys apart without
// revealing either; an empty key gives "".
func KeyFingerprint(key string) string {
	if key == "" {
		return ""
	}
	return config.Fingerprint(key)
}

var (
	versionOnce sync.Once
	version     string
	// stampedVersion is set at link time by the builds of this project
	// (StampFlags): the suite's `git describe` when it was built.
	stampedVersion string
)

// DetectSuiteVersion names the suite's code, once per process: the module
// version, or the VCS revision, from the binary's build information; else
// the version stamped at build time (StampFlags: `make conformance`, the
// benchmarks and the self-check stamp the suite they build); else
// WINSTON_SUITE_VERSION (for a build from a source tree without .git);
// else `git describe` run at the repository root, since go test binaries
// carry no VCS stamp (at the root, so that every Ginkgo process of a
// parallel run, whatever its working directory, names the same version);
// else "devel".
func DetectSuiteVersion() string {
	versionOnce.Do(func() { version = detectVersion() })
	return version
}

// PrefetchSuiteVersion starts DetectSuiteVersion in the background: it
// may run git, which a run need not wait for until it writes its report.
func PrefetchSuiteVersion() {
	go DetectSuiteVersion()
}

// StampFlags are the `go test -c` (or `ginkgo`) flags that stamp the
// version of the checkout at root into the suite binary, so that a run
// does not start git to name it; none when root is not a git checkout.
func StampFlags(ctx context.Context, root string) []string {
	v := GitDescribe(ctx, root)
	if v == "" {
		return nil
	}
	return []string{"-ldflags=-X " + stampSymbol + "=" + v}
}

// safeVersion is what a stamped version may hold.
var safeVersion = regexp.MustCompile(`^[A-Za-z0-9._+/-]+$`)

// stampSymbol is the variable StampFlags sets.
const stampSymbol = "github.com/winston-conformance/winston-conformance/harness/report.stampedVersion"

// GitDescribe is `git describe --always --dirty --tags` at root, or ""
// when git or the checkout is missing, it takes over 3 seconds, or the
// version holds a character outside safeVersion (the Makefile's rule too),
// which a command line would have to quote.
func GitDescribe(ctx context.Context, root string) string {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "-C", root, "describe", "--always", "--dirty", "--tags").Output() //nolint:gosec // fixed git arguments on the caller's checkout
	if v := strings.TrimSpace(string(out)); err == nil && safeVersion.MatchString(v) {
		return v
	}
	return ""
}

func detectVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		if v := info.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		var rev, modified string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if modified == "true" {
				rev += "-dirty"
			}
			return rev
		}
	}
	if stampedVersion != "" {
		return stampedVersion
	}
	// A checkout names its own version, local changes included: the
	// variable is for a copy without .git, and cannot hide a modified
	// suite where git can see it.
	if root := sourceRoot(); root != "" {
		if v := GitDescribe(context.Background(), root); v != "" {
			return v
		}
	}
	if v := os.Getenv("WINSTON_SUITE_VERSION"); v != "" {
		return v + " (from WINSTON_SUITE_VERSION)"
	}
	return "devel"
}

// sourceRoot is the checkout this binary was built from, found from where
// this file was compiled (absent with -trimpath) or else from the working
// directory; "" when neither is in a checkout. Ginkgo runs a prebuilt
// binary from its own directory, so the working directory alone would
// name a version in one run and none in another.
func sourceRoot() string {
	var starts []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, dir := range starts {
		if root, err := config.FindRepoRoot(dir); err == nil {
			return root
		}
	}
	return ""
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]*$`)

// ShellQuote quotes a value for a POSIX shell when it needs it: a value of
// plain path characters stays as it is. Every command line the suite prints
// (reproduce lines, the sandbox's hint) quotes with it.
func ShellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return singleQuote(s)
}

// singleQuote always quotes s for a POSIX shell, so that an ID reads the
// same on every line whatever it holds.
func singleQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// runEnv is the environment a reproduce command needs. The keys appear by
// name only ("$WINSTON_API_KEY"): the reader's shell supplies them from
// their own secret store, and no value is ever written.
func runEnv(run RunInfo) string {
	cfg, _ := run.Config.(config.Redacted)
	live := run.Mode != "replay"
	parts := []string{"WINSTON_MODE=" + ShellQuote(run.Mode)}
	if live && run.Target.BaseURL != "" {
		parts = append(parts, "WINSTON_BASE_URL="+ShellQuote(cleanURL(run.Target.BaseURL)))
	}
	if live && run.Target.HTTPURL != "" {
		parts = append(parts, "WINSTON_HTTP_URL="+ShellQuote(cleanURL(run.Target.HTTPURL)))
	}
	if live {
		parts = append(parts, `WINSTON_API_KEY="$WINSTON_API_KEY"`)
		if cfg.APIKey2 == "set" {
			parts = append(parts, `WINSTON_API_KEY_2="$WINSTON_API_KEY_2"`)
		}
	}
	if app := run.Target.AppName; app != "" && app != "api_test" {
		parts = append(parts, envSetting(config.EnvAppName, app))
	}
	if s := strings.ToLower(run.Target.AuthScheme); s != "" && s != "token" {
		parts = append(parts, "WINSTON_AUTH_SCHEME="+ShellQuote(s))
	}
	if live && cfg.CAFile != "" {
		parts = append(parts, envSetting(config.EnvCAFile, cfg.CAFile))
	}
	if cfg.Catalogue != "" && cfg.Catalogue != "embedded" {
		parts = append(parts, envSetting(config.EnvCatalogue, cfg.Catalogue))
	}
	return strings.Join(append(parts, judgingEnv(cfg, live)...), " ")
}

// judgingEnv are the settings, beyond the target and the keys, that change
// what a run sends or how its answers are judged: each is written when the
// run set it (or, for a number, moved it off its default), so that a
// rerun judges the same way. The report directory, the history and the
// cassette cache change neither and are left out.
func judgingEnv(cfg config.Redacted, live bool) []string {
	var parts []string
	if cfg.Now != "" {
		parts = append(parts, envSetting(config.EnvNow, cfg.Now))
	}
	if cfg.Profile != "" {
		parts = append(parts, envSetting(config.EnvProfile, cfg.Profile))
	}
	if cfg.KnownIssues != "" {
		parts = append(parts, envSetting(config.EnvKnownIssues, cfg.KnownIssues))
	}
	if cfg.AllowMutationsSet {
		parts = append(parts, config.EnvAllowMutations+"="+strconv.FormatBool(cfg.AllowMutations))
	}
	if !live && cfg.CassetteDir != "" && cfg.CassetteDir != defaultCassetteDir() {
		parts = append(parts, envSetting(config.EnvCassetteDir, cfg.CassetteDir))
	}
	if cfg.Timeout == "" {
		// A zero Redacted: the run's numbers are not known.
		return parts
	}
	if cfg.Timeout != defaultTimeout() {
		parts = append(parts, envSetting(config.EnvTimeout, cfg.Timeout))
	}
	if cfg.MaxRPS != config.DefaultMaxRPS {
		parts = append(parts, config.EnvMaxRPS+"="+strconv.FormatFloat(cfg.MaxRPS, 'g', -1, 64))
	}
	if cfg.Retries != config.DefaultRetries {
		parts = append(parts, config.EnvRetries+"="+strconv.Itoa(cfg.Retries))
	}
	if cfg.Concurrency != config.DefaultConcurrency {
		parts = append(parts, config.EnvConcurrency+"="+strconv.Itoa(cfg.Concurrency))
	}
	if cfg.MaxBody != config.DefaultMaxBody {
		parts = append(parts, config.EnvMaxBody+"="+strconv.FormatInt(cfg.MaxBody, 10))
	}
	return parts
}

// defaultTimeout is DefaultTimeout as a Redacted view writes it.
func defaultTimeout() string {
	d, err := time.ParseDuration(config.DefaultTimeout)
	if err != nil {
		return config.DefaultTimeout
	}
	return d.String()
}

// defaultCassetteDir is the cassette directory a run uses when
// WINSTON_CASSETTE_DIR is unset: cassettes/ of this checkout.
func defaultCassetteDir() string {
	if root := sourceRoot(); root != "" {
		return filepath.Join(root, "cassettes")
	}
	return ""
}

// envSetting is NAME=value for a reproduce line, or NAME="$NAME" when
// the value holds a secret (or the placeholder that replaced one): the
// reader's shell then supplies it, as it does the keys, instead of a
// rerun that silently sends the placeholder.
func envSetting(name, value string) string {
	if redact.Global().Touches(value) {
		return name + `="$` + name + `"`
	}
	return name + "=" + ShellQuote(value)
}

// focusLine replays one requirement: the run's environment (runEnv, the
// same for every requirement of a run, so worked out once) and a Ginkgo
// focus on its ID.
func focusLine(env, id string) string {
	return fmt.Sprintf("%s go tool ginkgo --focus %s %s", env, singleQuote(id), SuitePackage)
}

// reproduceCommand rebuilds the whole run's command from the mode, target
// and Ginkgo's configuration (seed, parallelism, filters).
func reproduceCommand(run RunInfo, sc ginkgotypes.SuiteConfig) string {
	var b strings.Builder
	b.WriteString(runEnv(run))
	b.WriteString(" go tool ginkgo")
	if run.Seed != 0 {
		fmt.Fprintf(&b, " --seed=%d", run.Seed)
	}
	if run.Parallel > 1 {
		fmt.Fprintf(&b, " --procs=%d", run.Parallel)
	}
	for _, f := range sc.FocusStrings {
		b.WriteString(" --focus=" + ShellQuote(redact.Global().String(f)))
	}
	for _, s := range sc.SkipStrings {
		b.WriteString(" --skip=" + ShellQuote(redact.Global().String(s)))
	}
	if sc.LabelFilter != "" {
		b.WriteString(" --label-filter=" + ShellQuote(redact.Global().String(sc.LabelFilter)))
	}
	b.WriteString(" " + SuitePackage)
	return redact.Global().String(b.String())
}
