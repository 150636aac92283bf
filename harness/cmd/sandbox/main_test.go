package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// binary is the command built once for the tests that run it as a
// process (signals, exit codes).
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sandbox-cmd-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "sandbox")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build the sandbox command: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const testKey = "cmd-test-key-planted-0001"

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestBadInputExitsWith2BeforeListening(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	ports := []string{"--https", "127.0.0.1:0", "--http", "127.0.0.1:0", "--ca-out", filepath.Join(t.TempDir(), "ca.pem")}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"an unknown flag", []string{"--bogus"}, []string{"-bogus", "-h"}},
		{"an unknown fault", append([]string{"--fault", "nope"}, ports...), []string{`unknown fault "nope"`, "reject-valid-token", "--list-faults"}},
		{"an unknown fault in a list", append([]string{"--fault", "no-hsts,nope2"}, ports...), []string{`"nope2"`}},
		{"a bad --now", []string{"--now", "yesterday"}, []string{"--now", "RFC 3339"}},
		{"a bad --latency", []string{"--latency", "soon"}, []string{"-latency"}},
		{"a bad --rate-limit", append([]string{"--rate-limit", "-2"}, ports...), []string{"rate limit"}},
		{"a bad --auth-scheme", append([]string{"--auth-scheme", "basic"}, ports...), []string{"auth scheme", "bearer"}},
		{"a bad --notable-rule", append([]string{"--notable-rule", "x"}, ports...), []string{"noTable rule"}},
		{"a positional argument", []string{"serve"}, []string{`"serve"`}},
		{"the HTTPS address in use", []string{"--https", busy.Addr().String(), "--http", "127.0.0.1:0", "--ca-out", filepath.Join(t.TempDir(), "ca.pem")}, []string{"--https", "port 0"}},
		{"the HTTP address in use", []string{"--https", "127.0.0.1:0", "--http", busy.Addr().String(), "--ca-out", filepath.Join(t.TempDir(), "ca.pem")}, []string{"--http", "port 0"}},
		{"an unwritable CA path", []string{"--https", "127.0.0.1:0", "--http", "127.0.0.1:0", "--ca-out", filepath.Join(t.TempDir(), "no", "ca.pem")}, []string{"--ca-out"}},
		{"a short key, never quoted", append([]string{"--key", "abc"}, ports...), []string{"key is shorter"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tc.args, &stdout, &stderr); code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr: %s", code, exitUsage, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q: a failed start must print no ready line", stdout.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr does not mention %q:\n%s", w, stderr.String())
				}
			}
			if strings.Contains(stderr.String(), `"abc"`) {
				t.Errorf("stderr quotes a key: %s", stderr.String())
			}
		})
	}
}

func TestListFaultsPrintsOneLineEach(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--list-faults"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	faults := sandbox.Faults()
	if len(lines) != len(faults) {
		t.Fatalf("%d lines for %d faults:\n%s", len(lines), len(faults), stdout.String())
	}
	for i, f := range faults {
		fields := strings.Fields(lines[i])
		if fields[0] != f.Name || fields[1] != f.Family || fields[2] != "breaks:" || !strings.HasSuffix(lines[i], f.Summary) {
			t.Errorf("line %q: want name, family, breaks: IDs, summary of %s", lines[i], f.Name)
		}
		for _, id := range f.Breaks {
			if !strings.Contains(lines[i], id) {
				t.Errorf("line %q lacks %s", lines[i], id)
			}
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-h"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("-h: exit %d", code)
	}
	for _, flag := range []string{"-https", "-http", "-ca-out", "-fault", "-list-faults", "-quiet", "-notable-rule"} {
		if !strings.Contains(stderr.String(), flag) {
			t.Errorf("usage lacks %s", flag)
		}
	}
}

var readyPattern = regexp.MustCompile(`^\{"https":"https://127\.0\.0\.1:\d+","http":"http://127\.0\.0\.1:\d+","ca":"[^"]+"\}$`)

// startBinary runs the built command and returns its ready line.
func startBinary(t *testing.T, args ...string) (*exec.Cmd, readyLine, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lineCh := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lineCh <- line
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var line string
	select {
	case line = <-lineCh:
	case <-time.After(20 * time.Second):
		t.Fatalf("no ready line within 20s; stderr: %s", stderr.String())
	}
	line = strings.TrimSuffix(line, "\n")
	if !readyPattern.MatchString(line) {
		t.Fatalf("ready line %q does not match %s; stderr: %s", line, readyPattern, stderr.String())
	}
	var ready readyLine
	if err := json.Unmarshal([]byte(line), &ready); err != nil {
		t.Fatal(err)
	}
	return cmd, ready, stderr
}

func TestBinaryServesWithItsCAAndStopsOnSIGTERM(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	cmd, ready, stderr := startBinary(t, "--https", "127.0.0.1:0", "--http", "127.0.0.1:0", "--ca-out", caFile, "--key", testKey)
	if ready.CA != caFile {
		t.Errorf("ready line ca %q, want %q", ready.CA, caFile)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("the CA file holds no certificate")
	}
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	req, _ := http.NewRequest(http.MethodPost, ready.HTTPS+"/api/v2/bills?api_key="+testKey, strings.NewReader(`{"sort":{"createdAt":1},"limit":5}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Token api_test@"+testKey)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("request with the CA file: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("valid request: %d", resp.StatusCode)
	}
	c.CloseIdleConnections()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v; stderr: %s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10s after SIGTERM")
	}
	log := stderr.String()
	if !strings.Contains(log, "POST /api/v2/bills 200") {
		t.Errorf("stderr lacks the request log line:\n%s", log)
	}
	if strings.Contains(log, testKey) {
		t.Errorf("stderr holds the key:\n%s", log)
	}
}

func TestBinaryQuietAndFaultsFlag(t *testing.T) {
	_, ready, stderr := startBinary(t, "--https", "127.0.0.1:0", "--http", "127.0.0.1:0", "--ca-out",
		filepath.Join(t.TempDir(), "ca.pem"), "--quiet", "--fault", "redirect-301", "--fault", "no-hsts,outage")
	c := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Post(ready.HTTP+"/api/v2/bills", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("with outage among comma-separated faults: %d, want 503", resp.StatusCode)
	}
	time.Sleep(100 * time.Millisecond)
	if stderr.Len() != 0 {
		t.Errorf("--quiet still logs: %s", stderr.String())
	}
}

func TestBinaryExitCodeOnBadInput(t *testing.T) {
	cmd := exec.Command(binary, "--fault", "nope", "--https", freeAddr(t), "--http", freeAddr(t))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitUsage {
		t.Fatalf("exit %v, want status %d; output %s", err, exitUsage, out)
	}
}

// lockedBuffer collects a process's stderr; exec writes it from its own
// goroutine while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *lockedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

// A user rehearsing against a standalone sandbox needed four settings the
// README did not list together; without WINSTON_NOW (the sandbox's data is
// dated around its fixed clock) six checks failed as "too few items". The
// command prints the line that runs the suite against it.
func TestBinaryPrintsTheSuitesSettingsForIt(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	_, ready, stderr := startBinary(t, "--https", "127.0.0.1:0", "--http", "127.0.0.1:0", "--ca-out", caFile)
	log := stderrWith(stderr, "make conformance")
	for _, want := range []string{
		"WINSTON_MODE=live",
		"WINSTON_BASE_URL=" + ready.HTTPS,
		"WINSTON_HTTP_URL=" + ready.HTTP,
		"WINSTON_CA_FILE=" + caFile,
		"WINSTON_NOW=" + sandbox.DefaultNow.Format(time.RFC3339),
		"WINSTON_API_KEY=" + sandbox.DefaultKey,
		"WINSTON_API_KEY_2=" + sandbox.DefaultKey2,
		"make conformance",
		"not valid for submission",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr lacks %q:\n%s", want, log)
		}
	}
}

// A key of the user's own is never printed, not even in that line.
func TestBinaryNeverPrintsAKeyOfItsOwn(t *testing.T) {
	_, _, stderr := startBinary(t, "--https", "127.0.0.1:0", "--http", "127.0.0.1:0", "--ca-out",
		filepath.Join(t.TempDir(), "ca.pem"), "--key", testKey)
	log := stderrWith(stderr, "make conformance")
	if strings.Contains(log, testKey) || !strings.Contains(log, "WINSTON_API_KEY=") {
		t.Errorf("stderr must name WINSTON_API_KEY without the key given with --key:\n%s", log)
	}
}

// stderrWith waits up to five seconds for the command's stderr, which the
// test reads through a pipe that may lag behind the ready line, to hold
// want, and returns it.
func stderrWith(stderr *lockedBuffer, want string) string {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(stderr.String(), want) {
			break
		}
	}
	return stderr.String()
}
