// Package e2e holds the end-to-end tests of the whole suite binary: the
// suite compiled with `go test -c ./suites` and run as a user runs it, with
// WINSTON_* variables, against the local sandbox or against hostile test
// servers, and judged by the report it writes.
//
// They prove what unit tests of single packages cannot:
//
//   - secret safety: a planted key never reaches a report, a cassette, the
//     console output or a log, in live and in record mode and in a failing
//     spec, and the post-run scan finds a key planted in each kind of file;
//   - classification: a target that resets, hangs or answers only on plain
//     HTTP makes the run unavailable; one that sends invalid JSON, a 1 GiB
//     body or a redirect loop makes it fail; no run hangs;
//   - broken harness input: a truncated, non-YAML, hand-edited or
//     unknown-version cassette fails its spec naming the file and the
//     re-record command and is left as it was; a catalogue naming an unknown
//     schema and each WINSTON_* variable set wrong give config-error naming
//     the problem, before any request is sent;
//   - the nightly workflow as written: its run steps, make targets, paths,
//     artifact and baseline over two nights (only the GitHub CLI and the
//     actions are simulated), and the README's make usage.
//
// The package has no non-test code besides this comment. Run it alone with
//
//	go test -count=1 ./harness/e2e
//
// Every run is on loopback and bounded by a context timeout; the package
// takes well under a minute and a half on two cores.
package e2e
