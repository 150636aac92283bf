// Command verdict reads the report.json of a run and exits with the run's
// verdict: 0 pass, 1 fail (a contract violation), 3 unavailable (the target
// could not be judged), 4 config-error. `make conformance` ends with it, so
// that CI can tell an outage from a broken contract.
//
//	go run ./harness/cmd/verdict reports/latest
//
// With -scan-keys it checks a directory for the API keys instead: every
// file, at any depth, for WINSTON_API_KEY and WINSTON_API_KEY_2 (read from
// the environment, never from the command line) as is, base64, URL-encoded,
// escaped for JSON or HTML, and inside a Token header (report.ScanDir). It
// prints where each leak is, naming the key by its fingerprint only, and
// exits 0 when the directory is clean, 1 when a key was found, 2 when the
// directory could not be scanned. The nightly job runs it before uploading.
//
//	WINSTON_API_KEY=... go run ./harness/cmd/verdict -scan-keys reports/latest
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/report"
)

// Exit codes of -scan-keys.
const (
	exitClean     = 0
	exitLeak      = 1
	exitScanError = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verdict", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scan := fs.Bool("scan-keys", false, "scan REPORT_DIR for the keys in WINSTON_API_KEY and WINSTON_API_KEY_2 (every encoded form) instead of reading the verdict")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: verdict REPORT_DIR\n       verdict -scan-keys REPORT_DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	if *scan {
		return scanKeys(fs.Arg(0), getenv, stdout, stderr)
	}
	path := filepath.Join(fs.Arg(0), "report.json")
	doc, err := report.ReadDocument(path)
	if err != nil {
		fmt.Fprintf(stderr, "verdict: %v\nThe suite wrote no readable report; see its output above.\n", err)
		return report.ExitConfigError
	}
	fmt.Fprintf(stdout, "verdict: %s (%s)\n%s\ngo-live: %s\n", doc.Verdict, path, doc.Summary, doc.GoLive.Verdict)
	return doc.ExitCode()
}

// scanKeys is -scan-keys: the leak check of a report directory.
func scanKeys(dir string, getenv func(string) string, stdout, stderr io.Writer) int {
	var keys []string
	for _, name := range []string{config.EnvAPIKey, config.EnvAPIKey2} {
		if k := getenv(name); k != "" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		fmt.Fprintf(stdout, "scan-keys: %s and %s are unset: there is no key to look for in %s\n", config.EnvAPIKey, config.EnvAPIKey2, dir)
		return exitClean
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "scan-keys: %s is not a readable directory: name the report directory to scan\n", dir)
		return exitScanError
	}
	leaks, err := report.ScanDir(dir, keys)
	for _, l := range leaks {
		fmt.Fprintf(stderr, "scan-keys: leaked key: %s\n", l)
	}
	switch {
	case len(leaks) > 0:
		fmt.Fprintf(stderr, "scan-keys: %d leak(s) of an API key in %s: do not publish it\n", len(leaks), dir)
		return exitLeak
	case err != nil:
		fmt.Fprintf(stderr, "scan-keys: %v: the directory could not be checked, so treat it as leaking\n", err)
		return exitScanError
	}
	fmt.Fprintf(stdout, "scan-keys: no API key in %s (%d key(s) looked for in every encoded form)\n", dir, len(keys))
	return exitClean
}
