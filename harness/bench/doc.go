// Package bench measures the suite's speed as ratios that do not depend
// on the machine, and checks that a parallel run reports what a serial
// one does.
//
// Four figures (issue 6), printed by `make bench` (go run
// ./harness/bench/cmd/benchreport):
//
//   - replay/floor: one replay run of the whole suite from the committed
//     cassettes against one run of the floor, a Ginkgo suite of as many
//     empty specs (harness/bench/floor); both prebuilt with `go test -c`
//     and timed as whole processes, each suite run paired with a floor run
//     and the median of the pairs' ratios reported (BenchmarkReplay here);
//   - matcher: one replayed request in a cassette of 10,000 interactions
//     against one in a cassette of 100 (BenchmarkReplayLookup in
//     harness/cassette);
//   - schema: validating one answer with the compiled schema against
//     compiling it again for the answer (BenchmarkValidate in
//     harness/schema);
//   - live: the representative subset LiveFocus run live against the
//     in-process sandbox with 50 ms added latency, WINSTON_CONCURRENCY=4
//     against 1, under the same WINSTON_MAX_RPS (BenchmarkLive here).
//
// The benchmarks print benchstat-friendly lines; ParseBench reads them back
// and Figures turns them into the four ratios. Every child process gets
// an environment without the caller's WINSTON_* variables, so a real API
// key set in the shell never reaches the sandbox, a log or a report.
package bench
