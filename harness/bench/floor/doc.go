// Package floor is the empty-spec floor of the replay benchmark: a Ginkgo
// suite with as many specs as the conformance suite, each doing nothing.
// Its run time is what Ginkgo itself costs (process start, spec tree,
// reporting), so the replay benchmark reports the suite's cost as a ratio
// to it instead of an absolute time that depends on the machine.
//
// The package has no code outside its test file; harness/bench builds it
// with `go test -c` and runs the binary.
package floor

// Specs is the number of empty specs: the number of requirements in the
// catalogue, checked by harness/bench so the floor stays comparable when
// requirements are added.
const Specs = 41
