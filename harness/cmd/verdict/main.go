// Command verdict reads the report.json of a run and exits with the run's
// verdict: 0 pass, 1 fail (a contract violation), 3 unavailable (the target
// could not be judged), 4 config-error. `make conformance` ends with it, so
// that CI can tell an outage from a broken contract.
//
//	go run ./harness/cmd/verdict reports/latest
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/winston-conformance/winston-conformance/harness/report"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: verdict REPORT_DIR")
		os.Exit(2)
	}
	path := filepath.Join(os.Args[1], "report.json")
	doc, err := report.ReadDocument(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "verdict: %v\nThe suite wrote no readable report; see its output above.\n", err)
		os.Exit(4)
	}
	fmt.Printf("verdict: %s (%s)\n%s\ngo-live: %s\n", doc.Verdict, path, doc.Summary, doc.GoLive.Verdict)
	os.Exit(doc.ExitCode())
}
