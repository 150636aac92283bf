package bench

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// self is the test binary run as a child process (see child in
// bench_test.go).
func self(t *testing.T) Binary {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Binary{Path: exe, Dir: t.TempDir()}
}

func TestChildrenGetNoWinstonVariablesButTheirOwn(t *testing.T) {
	t.Setenv("WINSTON_API_KEY", "real-key-from-the-shell-123456")
	t.Setenv("WINSTON_BASE_URL", "https://api.example.test")
	out := filepath.Join(t.TempDir(), "env.txt")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := self(t).Run(ctx, []string{childModeEnv + "=env", "BENCH_TEST_OUT=" + out, "WINSTON_MODE=replay"}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "WINSTON_MODE=replay\n" {
		t.Errorf("the child saw WINSTON_* variables %q, want only the one the run set", got)
	}
}

func TestFailedRunShowsTheEndOfItsOutputRedacted(t *testing.T) {
	const secret = "planted-bench-secret-7890"
	redact.Global().Add(secret, "<WINSTON_API_KEY>")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := self(t).Run(ctx, []string{childModeEnv + "=fail", "BENCH_TEST_SECRET=" + secret})
	if err == nil {
		t.Fatal("a run that exits 3 did not fail")
	}
	msg := err.Error()
	for _, want := range []string{"exit status 3", "lots of output before the failure", "key <WINSTON_API_KEY> leaked"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, secret) {
		t.Errorf("error shows the secret:\n%s", msg)
	}
	if res.Wall <= 0 {
		t.Errorf("a failed run still reports its time; got %v", res.Wall)
	}
}

func TestTailBufferKeepsTheEnd(t *testing.T) {
	tb := &tailBuffer{max: 10}
	for _, s := range []string{"0123", "4567", "89ab", "cdefghijklmnop", "q"} {
		if n, err := tb.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if got := string(tb.Bytes()); got != "hijklmnopq" {
		t.Errorf("kept %q, want the last 10 bytes", got)
	}
}

func TestRootFindsGoMod(t *testing.T) {
	root, err := Root(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("Root = %s: %v", root, err)
	}
	if _, err := Root(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no go.mod") {
		t.Errorf("Root outside a module: %v", err)
	}
}

func TestRunParallelNeedsTwoProcesses(t *testing.T) {
	_, err := RunParallel(context.Background(), ".", Binary{}, 1, nil)
	if err == nil || !strings.Contains(err.Error(), "at least 2") {
		t.Errorf("RunParallel with 1 process: %v", err)
	}
}

func TestEnvironments(t *testing.T) {
	env := strings.Join(ReplayEnv("/repo", "/r/1", "/c"), "\n")
	for _, want := range []string{"WINSTON_MODE=replay", "WINSTON_CASSETTE_DIR=" + filepath.Join("/repo", "cassettes"), "WINSTON_REPORT_DIR=/r/1", "WINSTON_CASSETTE_CACHE=/c"} {
		if !strings.Contains(env, want) {
			t.Errorf("ReplayEnv lacks %s:\n%s", want, env)
		}
	}
	if env := strings.Join(ReplayEnv("/repo", "/r/1", ""), "\n"); strings.Contains(env, "WINSTON_CASSETTE_CACHE") {
		t.Errorf("ReplayEnv without a cache directory must keep the default cache:\n%s", env)
	}
	sb, err := StartSandbox(0, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sb.Close() }()
	live := sb.LiveEnv("/r/2", 4, 100)
	joined := strings.Join(live, "\n")
	for _, want := range []string{"WINSTON_MODE=live", "WINSTON_CONCURRENCY=4", "WINSTON_MAX_RPS=100", "WINSTON_REPORT_DIR=/r/2", "WINSTON_BASE_URL=https://127.0.0.1:"} {
		if !strings.Contains(joined, want) {
			t.Errorf("LiveEnv lacks %s:\n%s", want, joined)
		}
	}
	for _, kv := range live {
		if v, ok := strings.CutPrefix(kv, "WINSTON_CA_FILE="); ok {
			if pem, err := os.ReadFile(v); err != nil || !bytes.Contains(pem, []byte("BEGIN CERTIFICATE")) {
				t.Errorf("the CA file %s is not a certificate: %v", v, err)
			}
		}
	}
}
