// Command verdict reads the report.json of a run and exits with the run's
// verdict: 0 pass, 1 fail (a contract violation), 3 unavailable (the target
// could not be judged), 4 config-error (or no report of this run), 5
// interrupted (the run stopped before its end). `make conformance` ends with it, so
// that CI can tell an outage from a broken contract. A run that failed after
// its report was written (report.FailedAfterFile beside it: a key found by
// the secret scan, or a report file refused) exits 7, whatever the
// report says, and even when no report.json of the run was written.
//
//	go run ./harness/cmd/verdict reports/latest
//	go run ./harness/cmd/verdict reports/latest/report.json
//
// -since (Unix seconds, as `date +%s.%N` prints them) makes it refuse a
// report of a run that started earlier: make conformance passes the time it
// started the suite, so that a reused report directory never lends this
// run an earlier run's verdict when the suite stopped before writing one.
// -suite-exit passes the suite's exit status, for that message.
//
// After the verdict it prints the go-live reason, the run's problems (with
// their setup hints) and which report file to read or attach, so that the
// console names the cause a user would otherwise open report.md to find.
//
// -history DIR counts an unavailable run with the unavailable runs of the
// same target just before it among the report.json files under DIR, and
// -max-unavailable N turns exit 3 into 6 when such runs in a row fall on N
// different days (UTC): a nightly that is throttled or unanswered every night judged
// nothing for days, which one night's warning would hide, while runs
// started again by hand during one outage are one day.
//
// -print-report-dir prints the report folder the suite would write to with
// the environment as it is, a WINSTON_CONFIG file included, and exits:
// `make conformance` asks it when a config file is set and no folder is
// named, so that the file's reportDir and mode are followed.
//
// With -scan-keys it checks a directory for the API keys instead: every
// file, at any depth, for WINSTON_API_KEY and WINSTON_API_KEY_2 (read from
// the environment, never from the command line), and for the near-miss key
// AUTH-006 sends (config.NearKey), as is, base64, URL-encoded,
// escaped for JSON or HTML, and inside a Token header (report.ScanDir). It
// prints where each leak is, naming the key by its fingerprint only, and
// exits 0 when the directory is clean, 1 when a key was found, 2 when the
// directory, or any part of it, could not be scanned (a file it cannot
// read, a broken symlink or a loop, a pipe), when a key is too short to
// look for, or when no key is set: it fails closed. The nightly job runs it before uploading.
//
//	WINSTON_API_KEY=... go run ./harness/cmd/verdict -scan-keys reports/latest
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/redact"
	"github.com/winston-conformance/winston-conformance/harness/report"
)

// exitNoReport is the status when there is no report of this run to read:
// the same as config-error, as the run could not start.
const exitNoReport = report.ExitConfigError

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
	since := fs.String("since", "", "refuse a report of a run that started before this time (Unix seconds, e.g. from date +%s.%N)")
	scan := fs.Bool("scan-keys", false, "scan REPORT_DIR for the keys in WINSTON_API_KEY and WINSTON_API_KEY_2 (every encoded form) instead of reading the verdict")
	suiteExit := fs.Int("suite-exit", -1, "the suite's exit status, named when there is no report of this run")
	history := fs.String("history", "", "a folder of earlier runs' report.json files (at any depth): an unavailable run is counted with the unavailable runs just before it")
	maxUnavailable := fs.Int("max-unavailable", 0, "with -history: exit 6 instead of 3 when the unavailable runs in a row, this one included, fall on this many different days (0: never)")
	printDir := fs.Bool("print-report-dir", false, "print the report folder the suite would write to with this environment (WINSTON_CONFIG included) and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *printDir {
		return printReportDir(stdout, stderr)
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: verdict [-since UNIX_SECONDS] [-suite-exit N] [-history DIR [-max-unavailable N]] REPORT_DIR (or REPORT_DIR/report.json)\n       verdict -scan-keys REPORT_DIR\n       verdict -print-report-dir")
		return 2
	}
	switch {
	case *maxUnavailable < 0:
		fmt.Fprintf(stderr, "verdict: -max-unavailable %d: give a count of days, 1 or more (0 never turns exit 3 into 6)\n", *maxUnavailable)
		return 2
	case *maxUnavailable > 0 && *history == "":
		fmt.Fprintf(stderr, "verdict: -max-unavailable %d counts earlier runs: add -history naming the folder of their report.json files\n", *maxUnavailable)
		return 2
	}
	if *scan {
		return scanKeys(fs.Arg(0), getenv, stdout, stderr)
	}
	var notBefore time.Time
	if *since != "" {
		t, err := parseSince(*since)
		if err != nil {
			fmt.Fprintf(stderr, "verdict: -since %q: %v\n", *since, err)
			return 2
		}
		notBefore = t
	}
	stopped := "The suite wrote no readable report; see its output above."
	if *suiteExit > 0 {
		stopped = fmt.Sprintf("The suite exited with status %d and wrote no report for this run; see its output above (a FOCUS or LABELS it cannot read, a Ginkgo flag in GINKGO_FLAGS it does not know, a build error, or a --timeout in GINKGO_FLAGS that ran out while the suite was still being built stops it before any report; so does a suite process killed from outside, by kill -9 or for want of memory).", *suiteExit)
	}
	path := report.JSONPath(fs.Arg(0))
	// A run that failed after it began writing its report (a key found
	// by the secret scan, a report file refused or not written) leaves
	// report.FailedAfterFile: it is read first, as report.json may be
	// missing, or say pass. One older than -since is an earlier run's.
	failedAfter := readFailedAfter(filepath.Dir(path), notBefore)
	doc, err := report.ReadDocument(path)
	if err != nil {
		if failedAfter != "" {
			fmt.Fprintf(stderr, "verdict: %v\nverdict: the run failed while its report was being written, so it does not pass:\n%s", err, failedAfter)
			return exitFailedAfter
		}
		fmt.Fprintf(stderr, "verdict: %v\n%s\n", err, stopped)
		return exitNoReport
	}
	if !notBefore.IsZero() && doc.Run.Start.Before(notBefore) {
		if failedAfter != "" {
			fmt.Fprintf(stderr, "verdict: %s is an earlier run's report, and this run failed while its report was being written, so it does not pass:\n%s", path, failedAfter)
			return exitFailedAfter
		}
		fmt.Fprintf(stderr, "verdict: %s is an earlier run's report (started %s, before this run began at %s), not this run's: its verdict %q says nothing about this run.\n%s\n",
			path, doc.Run.Start.UTC().Format(time.RFC3339), notBefore.UTC().Format(time.RFC3339), doc.Verdict, stopped)
		return exitNoReport
	}
	fmt.Fprintf(stdout, "verdict: %s (%s)\n%s\ngo-live: %s\n", doc.Verdict, path, doc.Summary, doc.GoLive.Verdict)
	printGuidance(stdout, doc, filepath.Dir(path))
	if failedAfter != "" {
		// Whatever the report says, the run does not pass.
		fmt.Fprintf(stderr, "verdict: the run failed after its report was written, so it does not pass:\n%s", failedAfter)
		return exitFailedAfter
	}
	if *history != "" && doc.Verdict == report.VerdictUnavailable {
		return unavailableStreak(doc, *history, *maxUnavailable, stdout, stderr)
	}
	return doc.ExitCode()
}

// readFailedAfter is the text of report.FailedAfterFile in dir, or "" when
// there is none, or it was written before notBefore (an earlier run's).
func readFailedAfter(dir string, notBefore time.Time) string {
	p := filepath.Join(dir, report.FailedAfterFile)
	info, err := os.Stat(p)
	if err != nil || !notBefore.IsZero() && info.ModTime().Before(notBefore) {
		return ""
	}
	why, err := os.ReadFile(p) // #nosec G304 -- the report folder the user named
	if err != nil {
		return fmt.Sprintf("(%s exists but could not be read: %v)\n", p, err)
	}
	if len(why) == 0 {
		return "(" + p + " is empty)\n"
	}
	return string(why)
}

// exitFailedAfter is the status of a run that failed after its report was
// written (report.FailedAfterFile): a secret leak, or a scan that could not
// read everything, or a report file refused or not written. It is none of
// the codes a verdict has (0, 1, 3 to 6), nor 2, this command's own usage
// error, so that CI can tell a leak from a misused command.
const exitFailedAfter = 7

// printReportDir is -print-report-dir: the folder the suite names from the
// environment and the WINSTON_CONFIG file (their reportDir, else
// reports/<time>-<mode> with the file's mode), so that `make conformance`
// writes where a config file says and names the folder after the mode the
// run will have. A configuration the suite will refuse still names a
// folder (for its config-error report); with none, it fails.
func printReportDir(stdout, stderr io.Writer) int {
	cfg, err := config.Load()
	if cfg == nil || cfg.ReportDir == "" {
		fmt.Fprintf(stderr, "verdict: -print-report-dir: the configuration names no report folder: %v\n", redact.Global().Error(err))
		return 2
	}
	fmt.Fprintln(stdout, cfg.ReportDir)
	return 0
}

// exitUnavailableTooLong is the status of an unavailable run that ends a
// run of unavailable runs on -max-unavailable or more different days: no
// contract verdict for that long is for someone to look into, not a
// warning to scroll past.
const exitUnavailableTooLong = report.ExitUnavailableTooLong

// unavailableStreak counts doc, an unavailable run, with the unavailable
// runs of the same target and mode just before it in the history, says
// how many and on how many different days, and returns
// exitUnavailableTooLong when those days are limit or more (3 before).
func unavailableStreak(doc *report.Document, dir string, limit int, stdout, stderr io.Writer) int {
	earlier, err := report.LoadHistory(dir)
	if err != nil {
		fmt.Fprintf(stderr, "verdict: part of the history was not read, so the count below may be short: %v\n", err)
	}
	streak, since := 1, doc.Run.Start
	days := map[string]bool{dayOf(doc.Run.Start): true}
	for i := len(earlier) - 1; i >= 0; i-- {
		d := earlier[i]
		if !d.Run.Start.Before(since) || d.Target.BaseURL != doc.Target.BaseURL || d.Mode != doc.Mode {
			continue // this run itself, a later one, a copy of one counted, or another target's
		}
		if d.Verdict != report.VerdictUnavailable {
			break
		}
		streak, since = streak+1, d.Run.Start
		days[dayOf(d.Run.Start)] = true
	}
	runs := "runs"
	if streak == 1 {
		runs = "run"
	}
	fmt.Fprintf(stdout, "unavailable: %d %s in a row without a contract verdict, on %d day(s) (since %s)\n", streak, runs, len(days), since.UTC().Format(time.RFC3339))
	// Days, not runs: runs started again by hand during one afternoon's
	// outage are one night, not three.
	if limit == 0 || len(days) < limit {
		return report.ExitUnavailable
	}
	fmt.Fprintf(stderr, "verdict: %d runs in a row, on %d days (the limit is %d), ended unavailable (no answer, outage answers or throttling), so the target's contract has not been fully judged since %s. "+
		"If the reports say 429 (throttled), "+report.ThrottleFix+"; "+
		"if they say no answer or 5xx, check WINSTON_BASE_URL and ask Winston whether the test environment is down.\n",
		streak, len(days), limit, since.UTC().Format(time.RFC3339))
	return exitUnavailableTooLong
}

// dayOf is the UTC calendar day of t, which the unavailable streak counts.
func dayOf(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// maxProblems is how many of the run's problems the console shows; the
// report has them all.
const maxProblems = 5

// printGuidance tells the user, on the console, what the report would
// otherwise make them open it for: why the go-live verdict is what it is,
// the run's problems with their setup hints (a wrong key or app name, a
// missing CA file), and which file to read or attach.
func printGuidance(w io.Writer, doc *report.Document, dir string) {
	if doc.GoLive.Reason != "" {
		fmt.Fprintf(w, "  %s\n", doc.GoLive.Reason)
	}
	for i, p := range doc.Run.Problems {
		if i == maxProblems {
			fmt.Fprintf(w, "  ... and %d more problem(s) in %s\n", len(doc.Run.Problems)-maxProblems, report.MarkdownFile)
			break
		}
		fmt.Fprintf(w, "problem: %s\n", p)
	}
	md, html := filepath.Join(dir, report.MarkdownFile), filepath.Join(dir, report.HTMLFile)
	if doc.GoLive.Verdict == report.GoLiveReady {
		fmt.Fprintf(w, "to submit: paste %s into the go-live validation e-mail and attach %s\n", md, html)
		return
	}
	fmt.Fprintf(w, "report: %s (and %s); go-live is %s, so it is not a report to submit\n", html, md, doc.GoLive.Verdict)
}

// parseSince reads Unix seconds with an optional fraction. A date without
// %N (BSD's) prints a literal N there, read as a whole second.
func parseSince(s string) (time.Time, error) {
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("not Unix seconds: %w", err)
	}
	var nanos int64
	if frac != "" && frac != "N" {
		frac = (frac + "000000000")[:9]
		if nanos, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return time.Time{}, fmt.Errorf("not a fraction of a second: %w", err)
		}
	}
	return time.Unix(n, nanos), nil
}

// scanKeys is -scan-keys: the leak check of a report directory.
func scanKeys(dir string, getenv func(string) string, stdout, stderr io.Writer) int {
	var keys []string
	for _, name := range []string{config.EnvAPIKey, config.EnvAPIKey2} {
		// The suite trims a key before using it (a secret store's value
		// often ends in a newline), so the trimmed key is what can leak.
		k := strings.TrimSpace(getenv(name))
		if k == "" {
			continue
		}
		if len(k) < redact.MinSecretLen {
			fmt.Fprintf(stderr, "scan-keys: %s is shorter than %d characters: too short to scan for without matching ordinary text, so %s cannot be shown free of it; set the real key\n",
				name, redact.MinSecretLen, dir)
			return exitScanError
		}
		keys = append(keys, k)
	}
	given := len(keys)
	if k1 := strings.TrimSpace(getenv(config.EnvAPIKey)); k1 != "" {
		// AUTH-006's near-miss key shows all of the key but one
		// character: the run keeps it out of every output like the key,
		// and so the last gate before an upload looks for it too.
		keys = append(keys, config.NearKey(k1, strings.TrimSpace(getenv(config.EnvAPIKey2))))
	}
	// Whatever the scan prints passes through a redactor of the keys: a
	// key given where the directory goes, or in a file's name, is never
	// printed back.
	red := redact.New()
	for i, k := range keys {
		name := fmt.Sprintf("<key %d>", i+1)
		if i >= given {
			name = "<key 1:altered>"
		}
		red.Add(k, name)
	}
	outW, errW := red.Writer(stdout), red.Writer(stderr)
	defer func() { _, _ = outW.Close(), errW.Close() }()
	stdout, stderr = outW, errW
	if len(keys) == 0 {
		// Fail closed: "verdict -scan-keys DIR && upload", run where the
		// keys are not exported, must not upload what nobody checked.
		fmt.Fprintf(stderr, "scan-keys: %s and %s are unset, so %s was not checked: export the key(s) the run used and scan again (a run with no key set needs no scan: skip this step for it)\n", config.EnvAPIKey, config.EnvAPIKey2, dir)
		return exitScanError
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "scan-keys: %s is not a readable directory: name the report directory to scan\n", dir)
		return exitScanError
	}
	leaks, err := report.ScanDir(dir, keys)
	for _, l := range leaks {
		fmt.Fprintf(stderr, "scan-keys: leaked key: %s\n", l)
	}
	if err != nil {
		// Every problem is named, one a line, after the leaks found.
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "scan-keys: %s\n", line)
		}
		fmt.Fprintf(stderr, "scan-keys: part of %s could not be checked, so treat it as leaking\n", dir)
	}
	switch {
	case len(leaks) > 0:
		fmt.Fprintf(stderr, "scan-keys: %d leak(s) of an API key in %s: do not publish it\n", len(leaks), dir)
		return exitLeak
	case err != nil:
		return exitScanError
	}
	near := ""
	if len(keys) > given {
		near = ", and the near-miss key AUTH-006 sends"
	}
	fmt.Fprintf(stdout, "scan-keys: no API key in %s (%d key(s) looked for in every encoded form%s)\n", dir, given, near)
	return exitClean
}
