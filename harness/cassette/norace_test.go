//go:build !race

package cassette

// raceEnabled is true when the tests run under the race detector, which
// slows the YAML parser about tenfold.
const raceEnabled = false
