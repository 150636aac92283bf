// Command withsandbox starts the local Winston sandbox in-process, runs a
// command with the WINSTON_* variables pointing at it, stops the sandbox and
// exits with the command's exit code. The Makefile uses it so that `make
// test` and `make record` need nothing started by hand:
//
//	go run ./harness/cmd/withsandbox [--fault NAME]... -- go tool ginkgo ./suites
//
// The child gets WINSTON_BASE_URL, WINSTON_HTTP_URL, WINSTON_CA_FILE,
// WINSTON_API_KEY, WINSTON_API_KEY_2, WINSTON_APP_NAME, WINSTON_AUTH_SCHEME
// and WINSTON_NOW (the sandbox's fixed clock); WINSTON_MODE defaults to live
// and WINSTON_MAX_RPS to 0 (no cap). Variables already set win, except the
// target ones, which always name this sandbox (the ones it replaces are
// named on stderr, never their values).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("withsandbox", flag.ContinueOnError)
	var faults sandbox.FaultFlag
	fs.Var(&faults, "fault", "a sandbox fault to switch on (repeatable; see go run ./harness/cmd/sandbox --list-faults)")
	latency := fs.Duration("latency", 0, "latency the sandbox adds to every API answer")
	rate := fs.Float64("rate-limit", 0, "the sandbox's requests-per-second cap per key (0: none)")
	scheme := fs.String("auth-scheme", "token", "the auth scheme the sandbox accepts: token or bearer")
	// Recordings keep the origin they were made against, so `make record`
	// pins the ports to keep re-recordings byte-identical.
	httpsAddr := fs.String("https", "127.0.0.1:0", "the sandbox's HTTPS listen address")
	httpAddr := fs.String("http", "127.0.0.1:0", "the sandbox's plain-HTTP listen address")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cmdline := fs.Args()
	if len(cmdline) == 0 {
		fmt.Fprintln(os.Stderr, "withsandbox: no command given: usage: withsandbox [--fault NAME]... -- COMMAND [ARGS]")
		return 2
	}
	tmp, err := os.MkdirTemp("", "winston-sandbox-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "withsandbox: temporary directory: %v\n", err)
		return 2
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	srv, err := sandbox.Start(sandbox.Options{
		Faults:     faults,
		Latency:    *latency,
		RateLimit:  *rate,
		AuthScheme: *scheme,
		CAOut:      filepath.Join(tmp, "ca.pem"),
		HTTPSAddr:  *httpsAddr,
		HTTPAddr:   *httpAddr,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "withsandbox: start the sandbox: %v\n", err)
		return 2
	}
	defer func() { _ = srv.Close() }()

	cmd := exec.CommandContext(context.Background(), cmdline[0], cmdline[1:]...) // #nosec G204 -- the developer names the command to run
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = childEnv(srv, os.Stderr)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "withsandbox: run %s: %v\n", cmdline[0], err)
		return 2
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "withsandbox: %v\n", err)
		return 2
	}
	return 0
}

// childEnv is the parent's environment with the target variables naming
// the sandbox. A target setting of the caller's that it replaces (their
// own environment's URL, app name or scheme) is named on note.
func childEnv(srv *sandbox.Server, note io.Writer) []string {
	// TargetEnv names the app name and scheme too: they are part of the
	// credentials the sandbox accepts, and an integrator's own (exported
	// for their environment) would get 401 on every call.
	set := srv.TargetEnv()
	delete(set, "WINSTON_MODE")
	var env, replaced []string
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		ours, isOurs := set[name]
		if !isOurs {
			env = append(env, kv)
			continue
		}
		if value != "" && value != ours {
			replaced = append(replaced, name)
		}
	}
	if len(replaced) > 0 {
		slices.Sort(replaced)
		// Names only: a value may be a key.
		_, _ = fmt.Fprintf(note, "withsandbox: %s from your environment replaced by the sandbox's for this command\n", strings.Join(replaced, ", "))
	}
	if os.Getenv("WINSTON_MODE") == "" {
		set["WINSTON_MODE"] = "live"
	}
	// The sandbox is local: the politeness cap meant for shared
	// environments only slows the run, unless the caller asked for one.
	if os.Getenv("WINSTON_MAX_RPS") == "" {
		set["WINSTON_MAX_RPS"] = "0"
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}
