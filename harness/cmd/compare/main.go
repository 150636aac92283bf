// Command compare sets a run's report against a baseline report: new
// contract violations apart from checks newly unavailable (an outage) and
// new configuration errors, so that a nightly reader sees at once whether
// the API broke or the environment was down; then fixed checks, newly
// skipped checks, status-code changes,
// latency per endpoint (p50/p95) and response-shape drift. It prints the
// comparison and writes it as compare.md into the current report directory
// (or to -out), never deleting an earlier comparison.
//
//	go run ./harness/cmd/compare -baseline reports/last-night -current reports/tonight
//	make compare BASELINE=reports/last-night CURRENT=reports/tonight
//
// -history DIR (HISTORY= for make) names earlier runs' report.json files:
// a check the baseline did not judge (an outage's night) is compared with
// the last of them that judged it, so that a violation standing since
// before the outage is not called new, nor one fixed meanwhile missed.
//
// Exit codes: 0 when the comparison was made (whatever it found: the
// suite's own exit code says whether the contract held), 2 when a report
// cannot be read (missing, of another report version, or corrupt). A bad
// baseline still leaves a compare.md saying why there is no comparison;
// the current report itself is never touched.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/winston-conformance/winston-conformance/harness/report"
)

// exitBadInput is the exit code for a report that cannot be read.
const exitBadInput = 2

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baseline := fs.String("baseline", "", "the baseline run: a report directory, or its report.json")
	current := fs.String("current", "", "the run to check: a report directory, or its report.json")
	out := fs.String("out", "", "where to write the Markdown comparison (default: compare.md in the current report directory)")
	historyDir := fs.String("history", "", "a folder of earlier runs' report.json files (at any depth): a check the baseline did not judge is compared with the last of them that did")
	if err := fs.Parse(args); err != nil {
		return exitBadInput
	}
	if *baseline == "" || *current == "" || fs.NArg() > 0 {
		say(stderr, "usage: compare -baseline DIR -current DIR [-history DIR] [-out FILE] (DIR: a report directory written by the suite)\n")
		return exitBadInput
	}
	currentPath := report.JSONPath(*current)
	outPath := *out
	if outPath == "" {
		outPath = filepath.Join(filepath.Dir(currentPath), report.CompareFile)
	}
	cur, err := report.ReadDocument(currentPath)
	if err != nil {
		say(stderr, "compare: the current report cannot be used: %v\n", err)
		return exitBadInput
	}
	base, err := report.ReadDocument(report.JSONPath(*baseline))
	if err != nil {
		msg := fmt.Sprintf("the baseline report cannot be used: %v", err)
		say(stderr, "compare: %s\n", msg)
		note := fmt.Sprintf("# Winston conformance: nightly comparison\n\nNo comparison was made: %s\n\n"+
			"The current report (%s, verdict %s) is complete and unaffected; choose another baseline, or keep this run as the next one.\n",
			msg, currentPath, cur.Verdict)
		if werr := writeKeeping(outPath, []byte(note)); werr != nil {
			say(stderr, "compare: %v\n", werr)
		}
		return exitBadInput
	}
	var history []*report.Document
	if *historyDir != "" {
		h, err := report.LoadHistory(*historyDir)
		if err != nil {
			// Runs that cannot be read are left out, and said so.
			say(stderr, "compare: some of the history in %s was not read: %v\n", *historyDir, err)
		}
		history = h
	}
	c := report.CompareWithHistory(base, cur, history)
	say(stdout, "%s", c.Text())
	if err := writeKeeping(outPath, []byte(c.Markdown())); err != nil {
		say(stderr, "compare: %v\n", err)
		return exitBadInput
	}
	say(stdout, "\nwritten: %s\n", outPath)
	return 0
}

// writeKeeping writes data to path through a temporary file; an existing
// file at path is first renamed with its modification time
// (compare.20261121-120000.md), never overwritten.
func writeKeeping(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if info, err := os.Stat(path); err == nil {
		ext := filepath.Ext(path)
		stem := path[:len(path)-len(ext)]
		kept := fmt.Sprintf("%s.%s%s", stem, info.ModTime().UTC().Format("20060102-150405"), ext)
		for i := 2; fileExists(kept); i++ {
			kept = fmt.Sprintf("%s.%s-%d%s", stem, info.ModTime().UTC().Format("20060102-150405"), i, ext)
		}
		if err := os.Rename(path, kept); err != nil {
			return fmt.Errorf("keep the earlier %s as %s: %w", path, kept, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644) // #nosec G302 -- a comparison is meant to be read and attached
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name()) // the temporary file only
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}

// say writes a message for the user; a terminal that cannot be written
// to leaves nothing better to do with the error.
func say(w io.Writer, format string, args ...any) {
	_, _ = fmt.Fprintf(w, format, args...)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
