// Command sandbox runs the local Winston sandbox (package
// harness/sandbox): an HTTPS API with seeded data and a plain-HTTP
// listener that redirects, for developing and recording offline.
//
//	go run ./harness/cmd/sandbox --https 127.0.0.1:8443 --http 127.0.0.1:8080
//
// When both listeners are up it prints one JSON line to stdout,
//
//	{"https":"https://127.0.0.1:8443","http":"http://127.0.0.1:8080","ca":"/tmp/winston-sandbox-ca.pem"}
//
// and serves until SIGINT or SIGTERM. Before that line (unless --quiet) it
// prints to stderr the variables that point the suite at it, WINSTON_NOW
// included. Bad flags, an unknown fault, an
// address in use or an unwritable CA path print the problem and its fix to
// stderr and exit with status 2 before anything listens. --list-faults
// prints the faults, one a line.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/redact"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// Exit statuses.
const (
	exitOK    = 0
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// readyLine is what the command prints once it listens; scripts read it
// to learn the ports and the CA file. Field order is part of the interface.
type readyLine struct {
	HTTPS string `json:"https"`
	HTTP  string `json:"http"`
	CA    string `json:"ca"`
}

// run is the whole command, apart from signal wiring, so tests can call
// it. It returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	errOut := redact.Global().Writer(stderr)
	defer func() { _ = errOut.Flush() }() // stderr is the last resort; nothing to report a failure to

	opts, list, err := parseFlags(args, errOut)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case err != nil:
		fmt.Fprintf(errOut, "sandbox: %v\n", redact.Global().Error(err))
		return exitUsage
	case list:
		printFaults(stdout)
		return exitOK
	}
	// The sandbox is its own process: registering its keys here does not
	// collide with the suite's placeholders, and keeps them out of stderr.
	redact.Global().Add(opts.Key, "<SANDBOX_KEY>")
	redact.Global().Add(opts.Key2, "<SANDBOX_KEY_2>")

	srv, err := sandbox.Start(opts)
	if err != nil {
		fmt.Fprintf(errOut, "sandbox: %v\n", redact.Global().Error(err))
		return exitUsage
	}
	// Before the ready line, so that a script that waits for it has the
	// hint already on stderr.
	if opts.Log != nil {
		printSuiteHint(stderr, srv, opts)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(readyLine{HTTPS: srv.HTTPSURL(), HTTP: srv.HTTPURL(), CA: srv.CAFile()}); err != nil {
		fmt.Fprintf(errOut, "sandbox: write the ready line: %v\n", err)
		_ = srv.Close()
		return 1
	}
	<-ctx.Done()
	if err := srv.Close(); err != nil {
		fmt.Fprintf(errOut, "sandbox: %v\n", redact.Global().Error(err))
		return 1
	}
	return exitOK
}

// parseFlags turns the command line into Options. It reports the first
// problem with the flag that causes it; the sandbox's own validation
// (unknown fault, bad key) reports the rest when it starts.
func parseFlags(args []string, stderr io.Writer) (sandbox.Options, bool, error) {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	// Errors are printed once, by run, with their fix; -h prints the flags.
	fs.SetOutput(io.Discard)
	var (
		opts    sandbox.Options
		faults  sandbox.FaultFlag
		list    bool
		now     string
		quiet   bool
		latency time.Duration
	)
	fs.StringVar(&opts.HTTPSAddr, "https", "127.0.0.1:8443", "HTTPS listen `ADDR` (port 0: a free port)")
	fs.StringVar(&opts.HTTPAddr, "http", "127.0.0.1:8080", "plain-HTTP listen `ADDR`, which only redirects (port 0: a free port)")
	fs.StringVar(&opts.CAOut, "ca-out", filepath.Join(os.TempDir(), "winston-sandbox-ca.pem"), "`FILE` to write the CA certificate to (PEM); its directory must exist")
	fs.StringVar(&opts.App, "app", sandbox.DefaultApp, "accepted app `NAME`")
	fs.StringVar(&opts.Key, "key", sandbox.DefaultKey, "API `KEY` of tenant 1")
	fs.StringVar(&opts.Key2, "key2", sandbox.DefaultKey2, "API `KEY` of tenant 2")
	fs.Var(&faults, "fault", "switch on fault `NAME` (repeat, or comma-separate; see --list-faults)")
	fs.BoolVar(&list, "list-faults", false, "print the faults, one a line, and exit")
	fs.StringVar(&opts.AuthScheme, "auth-scheme", sandbox.SchemeToken, "token (Token <app>@<key>) or bearer (Bearer <key>)")
	fs.Float64Var(&opts.RateLimit, "rate-limit", 0, "requests per second per key, `N` (0: no limit)")
	fs.StringVar(&now, "now", sandbox.DefaultNow.Format(time.RFC3339), "fixed clock of the data, `RFC3339`")
	fs.StringVar(&opts.NoTableRule, "notable-rule", sandbox.NoTableGuide, "unpaid noTable orders: guide (400) or route (6-character number)")
	fs.DurationVar(&latency, "latency", 0, "`DURATION` added to every API answer")
	fs.BoolVar(&quiet, "quiet", false, "do not log requests to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintln(stderr, "Usage: go run ./harness/cmd/sandbox [flags]")
			fs.PrintDefaults()
			return opts, false, err
		}
		return opts, false, fmt.Errorf("%w (run with -h for the flags)", err)
	}
	if fs.NArg() > 0 {
		return opts, false, fmt.Errorf("unexpected argument %q: every setting is a flag (run with -h)", fs.Arg(0))
	}
	t, err := time.Parse(time.RFC3339, now)
	if err != nil {
		return opts, false, fmt.Errorf("--now %q: use an RFC 3339 time such as 2026-11-21T12:00:00Z", now)
	}
	opts.Now = t
	opts.Faults = faults
	opts.Latency = latency
	if !quiet {
		opts.Log = stderr
	}
	return opts, list, nil
}

// printSuiteHint writes the settings that point the suite at this
// sandbox: beyond the URLs, the run needs the CA file and the sandbox's
// fixed clock (WINSTON_NOW), without which the fixtures name days the
// sandbox holds no bills for. The sandbox's own fixture keys are printed,
// as the README does; a key given with --key or --key2 never is. It goes
// to the raw stderr, as the redacting writer would mask the fixtures.
func printSuiteHint(w io.Writer, srv *sandbox.Server, opts sandbox.Options) {
	env := srv.TargetEnv()
	var notes []string
	keyRef := func(name, key, fixture, flag string) string {
		if key == fixture {
			return name + "=" + key
		}
		notes = append(notes, "  with "+name+" set to the key you gave with "+flag+"\n")
		return name + "=\"$" + name + "\""
	}
	var b strings.Builder
	b.WriteString("sandbox: to run the suite against this sandbox (a stand-in: its reports say not valid for submission), from the repository root:\n ")
	for _, name := range []string{config.EnvMode, config.EnvBaseURL, config.EnvHTTPURL, config.EnvCAFile, config.EnvNow} {
		b.WriteString(" " + name + "=" + report.ShellQuote(env[name]))
	}
	b.WriteString(" " + keyRef(config.EnvAPIKey, opts.Key, sandbox.DefaultKey, "--key"))
	b.WriteString(" " + keyRef(config.EnvAPIKey2, opts.Key2, sandbox.DefaultKey2, "--key2"))
	if opts.App != sandbox.DefaultApp {
		b.WriteString(" " + config.EnvAppName + "=" + report.ShellQuote(opts.App))
	}
	if opts.AuthScheme != sandbox.SchemeToken {
		b.WriteString(" " + config.EnvAuthScheme + "=" + report.ShellQuote(opts.AuthScheme))
	}
	b.WriteString(" make conformance\n")
	b.WriteString(strings.Join(notes, ""))
	_, _ = io.WriteString(w, b.String()) // stderr is the last resort
}

// printFaults writes "name  family  breaks: IDs  summary" per fault, in
// aligned columns.
func printFaults(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range sandbox.Faults() {
		breaks := strings.Join(f.Breaks, " ")
		if breaks == "" {
			breaks = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\tbreaks: %s\t%s\n", f.Name, f.Family, breaks, f.Summary)
	}
	_ = tw.Flush() // stdout closed: nothing to tell
}
