package suites

import (
	"testing"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL reads best unqualified

	"github.com/winston-conformance/winston-conformance/harness/conformance"
)

// TestConformance is the whole suite: the environment is loaded here, not in
// init(), and every requirement of the catalogue becomes one spec.
func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	defer conformance.RedactConsole()()
	if err := conformance.CheckFilters(); err != nil {
		t.Fatal(err)
	}
	env := conformance.Setup()
	conformance.Register(env, Checks())
	RunSpecs(t, "Winston conformance")
}
