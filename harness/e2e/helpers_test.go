package e2e

import (
	"bytes"
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
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
	"github.com/winston-conformance/winston-conformance/harness/schema"
	"github.com/winston-conformance/winston-conformance/harness/selfcheck"
)

// runTimeout bounds one run of the suite binary; every run here takes a
// few seconds at most, so hitting it means the suite hung.
const runTimeout = 60 * time.Second

// Set by TestMain: the suite binary, built once, and the checkout.
var (
	suiteBinary string
	repoRoot    string
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	root, binary, cleanup, err := selfcheck.BuildSuiteForTests("winston-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	repoRoot, suiteBinary = root, binary
	return m.Run()
}

// run is one finished run of the suite binary.
type run struct {
	// ReportDir holds report.json and the other report files.
	ReportDir string
	// OutputDir holds stdout.txt and stderr.txt, the captured console.
	OutputDir string
	// Doc is the report; nil when none was written.
	Doc *report.Document
	// Took is how long the run lasted.
	Took time.Duration
	// Exit is the suite process's exit status.
	Exit int
}

// unset marks a variable that the run must not have at all.
const unset = "\x00unset"

// runSuite runs the suite binary with exactly the WINSTON_* variables in
// env (the test process's own are dropped) and the given arguments, with
// the working directory at suites/ as `go test` would have it. The report
// goes to a fresh directory unless env names one. A run that outlives
// runTimeout fails the test: the suite must never hang.
func runSuite(t *testing.T, env map[string]string, args ...string) *run {
	t.Helper()
	r := &run{ReportDir: filepath.Join(t.TempDir(), "report"), OutputDir: t.TempDir()}
	if d, ok := env[config.EnvReportDir]; ok {
		r.ReportDir = d
	}
	vars := map[string]string{
		config.EnvReportDir: r.ReportDir,
		// A cache of parsed cassettes of our own: the tests must neither
		// read nor fill the user's.
		config.EnvCassetteCache: filepath.Join(t.TempDir(), "cassette-cache"),
	}
	for k, v := range env {
		vars[k] = v
	}
	cmdEnv := environWithoutWinston()
	for k, v := range vars {
		if v != unset {
			cmdEnv = append(cmdEnv, k+"="+v)
		}
	}
	stdout, err := os.Create(filepath.Join(r.OutputDir, "stdout.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stdout.Close() }()
	stderr, err := os.Create(filepath.Join(r.OutputDir, "stderr.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stderr.Close() }()

	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, suiteBinary, append([]string{"-ginkgo.no-color"}, args...)...) // #nosec G204 -- the suite binary TestMain built
	cmd.Dir = filepath.Join(repoRoot, "suites")
	cmd.Env = cmdEnv
	cmd.Stdout, cmd.Stderr = stdout, stderr
	start := time.Now()
	err = cmd.Run()
	r.Took = time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("the suite ran longer than %v and was killed: it must never hang (output in %s)", runTimeout, r.OutputDir)
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run the suite: %v", err)
	}
	if exit != nil {
		r.Exit = exit.ExitCode()
	}
	if doc, err := report.ReadDocument(filepath.Join(r.ReportDir, report.JSONFile)); err == nil {
		r.Doc = doc
		validateReport(t, filepath.Join(r.ReportDir, report.JSONFile))
	}
	return r
}

// environWithoutWinston is the test process's environment without its
// WINSTON_* variables: what every run here starts from, so that the
// developer's own settings never reach a run (each sets what it needs).
func environWithoutWinston() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WINSTON_") {
			env = append(env, kv)
		}
	}
	return env
}

// validateReport checks a report the suite wrote against its published
// schema: every e2e run (faithful, faulty, hostile, misconfigured) is one
// more kind of report the schema must describe.
func validateReport(t *testing.T, path string) {
	t.Helper()
	reg, err := schema.Documents()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path) // #nosec G304 -- the test's own report
	if err != nil {
		t.Fatal(err)
	}
	errs, err := reg.Validate("report.schema.json", data)
	if err != nil || len(errs) > 0 {
		t.Errorf("%s does not match schemas/report.schema.json: %v %v", path, err, schema.FormatErrors(errs))
	}
}

// mustDoc returns the run's report or fails with the console output.
func (r *run) mustDoc(t *testing.T) *report.Document {
	t.Helper()
	if r.Doc == nil {
		t.Fatalf("the suite wrote no report in %s; its output:\n%s", r.ReportDir, r.output(t))
	}
	return r.Doc
}

// output is the captured stdout and stderr, for failure messages.
func (r *run) output(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	for _, f := range []string{"stdout.txt", "stderr.txt"} {
		data, err := os.ReadFile(filepath.Join(r.OutputDir, f))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

// requirement returns the report row of id.
func (r *run) requirement(t *testing.T, id string) report.Requirement {
	t.Helper()
	for _, req := range r.mustDoc(t).Requirements {
		if req.ID == id {
			return req
		}
	}
	t.Fatalf("the report has no row %s", id)
	return report.Requirement{}
}

// requestLog counts the lines the sandbox logs, one per request it got.
type requestLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *requestLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if line != "" {
			l.lines = append(l.lines, line)
		}
	}
	return len(p), nil
}

// count is how many requests the sandbox has logged so far.
func (l *requestLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// startSandbox starts a sandbox with opts (a CA file and a request log
// added) and stops it when the test ends.
func startSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Server, *requestLog) {
	t.Helper()
	log := &requestLog{}
	if opts.Log == nil {
		opts.Log = log
	}
	opts.CAOut = filepath.Join(t.TempDir(), "ca.pem")
	srv, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, log
}

// liveEnv points a live run at srv with its keys.
func liveEnv(srv *sandbox.Server, key, key2 string) map[string]string {
	if key == "" {
		key, key2 = sandbox.DefaultKey, sandbox.DefaultKey2
	}
	env := srv.TargetEnv()
	env[config.EnvAPIKey], env[config.EnvAPIKey2] = key, key2
	env[config.EnvMaxRPS] = "0"
	env[config.EnvTimeout] = "3s"
	return env
}

// plantedKey is a recognisable key no other run uses.
func plantedKey(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}

// focus is the Ginkgo argument that runs only the named requirements.
func focus(ids ...string) string {
	return "-ginkgo.focus=" + strings.Join(ids, "|")
}

// editedCatalogue writes a copy of the built-in catalogue with the first
// from replaced by to, and returns its path (for WINSTON_CATALOGUE). The
// test stops when the catalogue has no from: an edit that changes nothing
// would test the catalogue as it is.
func editedCatalogue(t *testing.T, from, to string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "harness", "catalogue", "catalogue.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(data, []byte(from), []byte(to), 1)
	if bytes.Equal(edited, data) {
		t.Fatalf("the catalogue has no %s line to edit", from)
	}
	cat := filepath.Join(t.TempDir(), "catalogue.yaml")
	if err := os.WriteFile(cat, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	return cat
}
