package selfcheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// archivePrevious moves an earlier selfcheck's results out of the way
// before a new one writes into dir: selfcheck.md, selfcheck.json and the
// run directories (the faithful run's, each registered fault's, and each
// row's of the earlier selfcheck.json) go into a subfolder named after the
// earlier selfcheck's start (20261121-120000; the modification time of the
// first file found when selfcheck.json cannot be read). A new selfcheck
// never deletes an old one's results, as report.Write never deletes an
// earlier report: both move them with report.MoveAside. Other files in dir
// are left where they are.
func archivePrevious(dir string) error {
	names := []string{JSONFile, MarkdownFile, Faithful}
	names = append(names, sandbox.FaultNames()...)
	var start time.Time
	if data, err := os.ReadFile(filepath.Join(dir, JSONFile)); err == nil { // #nosec G304 -- our own output directory
		var old Matrix
		if json.Unmarshal(data, &old) == nil {
			start = old.Start
			for _, r := range old.Rows {
				if r.Fault != "" && filepath.Base(r.Fault) == r.Fault && r.Fault != "." && r.Fault != ".." {
					names = append(names, r.Fault)
				}
			}
		}
	}
	var present []string
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		info, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			continue
		}
		if start.IsZero() {
			start = info.ModTime()
		}
		present = append(present, n)
	}
	if len(present) == 0 {
		return nil
	}
	return report.MoveAside(dir, start, present, "selfcheck")
}
