// Package suites holds the Winston conformance checks: one check per
// requirement ID of the catalogue (harness/catalogue/catalogue.yaml),
// grouped by family in files of their own. The Ginkgo suite in
// suite_test.go registers them through harness/conformance.
//
// Run: go tool ginkgo ./suites (replays the committed cassettes), or see the
// README for live and record modes.
package suites

import "github.com/winston-conformance/winston-conformance/harness/conformance"

// Checks returns every check of the suite, keyed by requirement ID.
func Checks() map[string]conformance.Check {
	all := map[string]conformance.Check{}
	for _, family := range []map[string]conformance.Check{authChecks(), structureChecks(), transportChecks(), errorChecks(), schemaChecks(), behaviourChecks()} {
		for id, c := range family {
			all[id] = c
		}
	}
	return all
}
